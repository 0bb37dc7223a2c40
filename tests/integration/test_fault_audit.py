"""What an attacker or an auditor finds on a pool's host and in its audit
log: refused operator ops are on record whoever asked, the log rotates by
size without losing a line, and the store and data files are readable by
their owner only (issue 14, item 7)."""

import asyncio
import os
import stat
import unittest

from faultlib import audit_actions, audit_lines
from orbit_testlib import (P1, STORE, Client, DeploymentTest, cmd, http, run)
from test_moh import data_dir, put, wav


class RefusalsOnRecord(DeploymentTest):
    POOLS = 1

    def test_refused_operator_ops_are_audited_whoever_asks(self):
        async def ws_tries():
            viewer = await Client.connect(self.dep.url(0), self.dep.token("viewer"),
                                          client="curious-viewer")
            r = await viewer.cmd("orbit.create", {"identity": "by-viewer", "start": "51000",
                                                  "end": "51009", "pool": P1})
            self.assertEqual(r["error"]["code"], "forbidden")
            phone = await Client.connect(self.dep.url(0), self.dep.token("endpoint"),
                                         client="rogue-phone")
            r = await phone.cmd("config.set", {"call_pickup_timeout_threshold": 10})
            self.assertEqual(r["error"]["code"], "forbidden")
            await viewer.close()
            await phone.close()
        run(ws_tries())
        status, _, _ = cmd(self.dep, "pool.failover", {"pool": P1}, role="viewer")
        self.assertEqual(status, 403)
        status, _, _ = cmd(self.dep, "orbit.create", {"identity": "bad", "start": "*1"})
        self.assertEqual(status, 400)
        status, _, _ = put(self.dep, wav(1), role="viewer")
        self.assertEqual(status, 403)

        status, body, _ = http(self.dep, "/v1/audit?limit=20", token=self.dep.token("operator"))
        self.assertEqual(status, 200, body)
        got = [(e["op"], e["who"], e["role"], e["error"]["code"]) for e in body["entries"]
               if not e["ok"]]
        self.assertEqual(got, [
            ("orbit.create", "demo-viewer", "viewer", "forbidden"),
            ("config.set", "demo-endpoint", "endpoint", "forbidden"),
            ("pool.failover", "demo-viewer", "viewer", "forbidden"),
            ("orbit.create", "demo-operator", "operator", "bad_request"),
            ("moh.upload", "demo-viewer", "viewer", "forbidden"),
        ])
        clients = {e["client"] for e in body["entries"]}
        self.assertTrue({"curious-viewer", "rogue-phone"} <= clients, clients)
        # A refusal at the gate acted on nothing: it has a result, no request.
        for a in audit_actions(self.dep, P1).values():
            if a["result"] and not a["result"]["ok"]:
                self.assertIsNone(a["request"])


class AuditRotation(DeploymentTest):
    POOLS = 1
    EXTRA_CONFIG = ["audit_max_bytes = 4096"]

    def test_audit_log_rotates_by_size_without_losing_a_line(self):
        ops = 60  # about 30 KB of lines: more than the live file and four generations
        for i in range(ops):
            status, body, _ = cmd(self.dep, "config.set",
                                  {"call_pickup_timeout_threshold": 30 + i % 50})
            self.assertEqual(status, 200, body)
        where = data_dir(self.dep, P1)
        files = sorted(n for n in os.listdir(where) if n.startswith("audit.jsonl"))
        self.assertEqual(files, ["audit.jsonl"] + [f"audit.jsonl.{g}" for g in range(1, 5)])
        for name in files:
            self.assertLess(os.path.getsize(os.path.join(where, name)), 4096 + 1024)
        # Every line kept is whole and in one file only; the actions kept
        # are the newest, each with its request and its result (but the
        # oldest, whose request may have rotated away).
        lines = audit_lines(self.dep, P1)
        actions = audit_actions(self.dep, P1)
        self.assertEqual(len(lines), sum(bool(a["request"]) + bool(a["result"])
                                         for a in actions.values()))
        numbers = sorted(actions)
        self.assertTrue(all(actions[n]["request"] and actions[n]["result"]
                            for n in numbers[1:]))
        self.assertEqual(numbers, sorted(l["action"] for l in lines if l["phase"] == "result"))
        # The newest actions read across the rotation, oldest first.
        status, body, _ = http(self.dep, "/v1/audit?limit=10", token=self.dep.token("operator"))
        self.assertEqual([e["action"] for e in body["entries"]], numbers[-10:])
        self.assertEqual(body["entries"][-1]["args"],
                         {"call_pickup_timeout_threshold": 30 + (ops - 1) % 50})


class PrivateFiles(DeploymentTest):
    POOLS = 2

    def test_store_and_data_files_are_readable_by_their_owner_only(self):
        status, body, _ = cmd(self.dep, "config.set", {"call_pickup_timeout_threshold": 45})
        self.assertEqual(status, 200, body)
        status, body, _ = put(self.dep, wav(1), name="private.wav")
        self.assertEqual(status, 200, body)
        paths = []
        if STORE == "sqlite":
            store = self.dep.info["store"]
            paths += [store + suffix for suffix in ("", "-wal", "-shm", "-live", "-live-wal",
                                                     "-live-shm")]
        for root, dirs, names in os.walk(data_dir(self.dep, P1)):
            paths += [os.path.join(root, n) for n in names + dirs]
        self.assertTrue(any(p.endswith("audit.jsonl") for p in paths))
        self.assertTrue(any("/moh/" in p and p.endswith(".wav") for p in paths))
        for path in paths:
            mode = stat.S_IMODE(os.stat(path).st_mode)
            self.assertEqual(mode & 0o077, 0, f"{path} is {oct(mode)}")


if __name__ == "__main__":
    unittest.main()
