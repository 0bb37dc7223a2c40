"""kill -9 in the middle of operator work: a range reassignment, a DR
failover and failback, a music-on-hold upload. After each kill the pool
is started again and the test checks the store (read directly), every
pool's state and the audit log: nothing acknowledged is lost, nothing is
half-applied, and every action on record has its outcome or is shown as
unknown. Runs on both stores."""

import hashlib
import os
import random
import threading
import time
import unittest
import urllib.error

from faultlib import audit_actions, store_tables, wait_agree
from orbit_testlib import (P1, P2, DeploymentTest, cmd, dr_of, http, state, wait_down,
                           wait_until)
from test_moh import put, wav

P3 = "pool3.north.example.net"
P4 = "pool4.south.example.net"
ROUNDS = 3


def post_cmd(dep, pool, op, args):
    """One operator command over HTTP; None when the pool died before it
    answered (the outcome is then unknown to the caller)."""
    try:
        status, body, _ = http(dep, "/v1/cmd", token=dep.token("operator"), method="POST",
                               body={"op": op, "args": args}, pool=pool, timeout=15)
    except (OSError, urllib.error.URLError):
        return None
    return body


class KillDuringOperatorWork(DeploymentTest):
    POOLS = 4
    PHASE_SECONDS = 2.0

    def kill_soon(self, fqdn, within):
        """Kills a pool after a random moment in [0, within) seconds, from
        another thread; returns the thread."""
        delay = random.random() * within
        t = threading.Timer(delay, self.dep.kill, args=(fqdn,))
        t.start()
        return t

    def assert_audit_matches(self, fqdn, op, acked, in_flight):
        """The pool's audit log holds one request line per attempt of op,
        a result ok line for every acknowledged one, and no more successes
        than were acknowledged plus those in flight at a kill."""
        actions = [a for a in audit_actions(self.dep, fqdn).values()
                   if (a["request"] or a["result"])["op"] == op]
        requested = [a for a in actions if a["request"]]
        ok = [a for a in actions if a["result"] and a["result"]["ok"]]
        self.assertGreaterEqual(len(requested), acked)
        self.assertGreaterEqual(len(ok), acked, "an acknowledged action has no result line")
        self.assertLessEqual(len(ok), acked + in_flight)
        # Every result belongs to a request written before it acted.
        for a in ok:
            self.assertIsNotNone(a["request"], f"result without a request: {a['result']}")
        # /v1/audit shows the actions cut short by a kill as unknown.
        status, body, _ = http(self.dep, f"/v1/audit?limit={len(actions) + 10}",
                               token=self.dep.token("operator"), pool=fqdn)
        self.assertEqual(status, 200, body)
        unknown = [e for e in body["entries"] if e["op"] == op and not e["ok"] and
                   e["error"]["code"] == "unknown"]
        self.assertEqual(len(unknown), len([a for a in requested if not a["result"]]))

    def test_kill_9_during_range_reassignment(self):
        """pool2 moves every range of pool3 to pool4 and back, again and
        again, and is killed in the middle: the ranges always move
        together, the store and all pools agree, and the last acknowledged
        move (or the one in flight) is what holds."""
        for i in range(12):
            n = 400000 + i * 10
            status, body, _ = cmd(self.dep, "orbit.create",
                                  {"identity": f"moving-{i}", "start": str(n), "end": str(n + 9),
                                   "pool": P3, "type": "GroupPickup" if i % 2 else "CallPark"},
                                  pool=P2)
            self.assertEqual(status, 200, body)
        moving = {i for i, (p, _) in store_tables(self.dep)[0].items() if p == P3}
        self.assertGreaterEqual(len(moving), 14)
        acked_total, in_flight_total = 0, 0
        for _ in range(ROUNDS):
            ranges, _ = wait_agree(self.dep, [P1, P2, P3, P4])
            owners = {ranges[i][0] for i in moving}
            self.assertEqual(len(owners), 1, f"a reassignment was half-applied: {owners}")
            where = owners.pop()
            allowed = {where}
            stop = threading.Event()
            refused = []

            def operator():
                nonlocal where, acked_total, in_flight_total
                while not stop.is_set():
                    to = P4 if where == P3 else P3
                    allowed.add(to)
                    body = post_cmd(self.dep, P2, "orbit.reassign",
                                    {"from_pool": where, "to_pool": to})
                    if body is None:
                        in_flight_total += 1
                        return
                    if not body["ok"]:
                        refused.append(body)
                        return
                    acked_total += 1
                    where = to
                    allowed.intersection_update({to})

            t = threading.Thread(target=operator)
            t.start()
            self.kill_soon(P2, 1.5).join()
            stop.set()
            t.join(30)
            self.assertEqual(refused, [])
            self.dep.start(P2)
            ranges, _ = wait_agree(self.dep, [P1, P2, P3, P4])
            owners = {ranges[i][0] for i in moving}
            self.assertEqual(len(owners), 1, f"a reassignment was half-applied: {owners}")
            # The last acknowledged move holds, or the one in flight landed.
            self.assertIn(owners.pop(), allowed)
        self.assertGreater(acked_total, 0)
        self.assert_audit_matches(P2, "orbit.reassign", acked_total, in_flight_total)

    def test_kill_9_during_failover_and_failback(self):
        """pool1 is lost; its backup pool2 is killed as it fails pool1's
        users over, and again as it fails them back. Each time pool2 is
        started again and finishes (or never began) the phase it ran: the
        store and every pool agree on one DR phase, never a half-made one."""
        self.dep.kill(P1)
        wait_down(self.dep, P2, P1)
        acked, in_flight = 0, 0
        for op, settled in (("pool.failover", "failed_over"), ("pool.failback", "normal")):
            if op == "pool.failback":
                self.dep.start(P1)
                wait_until(lambda: next(p for p in state(self.dep, P2)["pools"]
                                        if p["fqdn"] == P1)["status"] == "up",
                           what="pool1 back up")
            killer = self.kill_soon(P2, 2.5)  # the phase lasts 2 s
            body = post_cmd(self.dep, P2, op, {"pool": P1, "disaster_mode": True}
                            if op == "pool.failover" else {"pool": P1})
            if body is None:
                in_flight += 1
            else:
                self.assertTrue(body["ok"], body)
                acked += 1
            killer.join()
            self.dep.start(P2)
            live = [P2, P3, P4] if op == "pool.failover" else [P1, P2, P3, P4]
            # The phase pool2 began (if it did) is completed by pool2 itself.
            begun = body is not None or dr_of(self.dep, P2, P1)["phase"] != (
                "normal" if op == "pool.failover" else "failed_over")
            if begun:
                wait_until(lambda: dr_of(self.dep, P2, P1)["phase"] == settled, timeout=20,
                           what=f"pool1 to reach {settled} after the kill")
            else:
                body = post_cmd(self.dep, P2, op, {"pool": P1})
                self.assertTrue(body["ok"], body)
                acked += 1
                wait_until(lambda: dr_of(self.dep, P2, P1)["phase"] == settled, timeout=20,
                           what=f"pool1 to reach {settled}")
            _, dr = wait_agree(self.dep, live)
            self.assertEqual(dr[P1], settled)
            self.assertEqual({h: p for h, p in dr.items() if h != P1},
                             {h: "normal" for h in dr if h != P1})
        actions = audit_actions(self.dep, P2)
        for op in ("pool.failover", "pool.failback"):
            self.assertTrue([a for a in actions.values() if a["request"] and
                             a["request"]["op"] == op], f"no {op} request on record")
        ok = [a for a in actions.values() if a["result"] and a["result"]["ok"]]
        self.assertGreaterEqual(len(ok), acked)
        self.assertLessEqual(len(ok), acked + in_flight)

    def test_kill_9_during_moh_uploads(self):
        """Uploads of a 1 MB file, each cut by a kill at a random moment:
        the pool serves the old file or the new one whole, an acknowledged
        upload stays, no partial file remains, and the audit log holds
        each upload's request with its outcome or as unknown."""
        data_dir = self.dep.pool(P1)["data_dir"]
        moh_dir = os.path.join(data_dir, "moh")
        acked, in_flight = 0, 0
        for round_ in range(ROUNDS):
            old = state(self.dep, P1)["moh"]
            audio = wav(60 + round_)  # about 1 MB, different each round
            done = {}

            def uploader():
                try:
                    done["result"] = put(self.dep, audio, name=f"round-{round_}.wav")
                except OSError as e:
                    done["error"] = e

            t = threading.Thread(target=uploader)
            t.start()
            time.sleep(random.random() * 0.15)
            self.dep.kill(P1)
            t.join(30)
            self.dep.start(P1)
            now = state(self.dep, P1)["moh"]
            new_sha = hashlib.sha256(audio).hexdigest()
            result = done.get("result")
            if result and result[0] == 200:
                acked += 1
                self.assertEqual(now["sha256"], new_sha, "an acknowledged upload was lost")
            else:
                in_flight += 1
                self.assertIn(now["sha256"], (old["sha256"], new_sha))
            status, got, _ = http(self.dep, "/v1/moh", token=self.dep.token("viewer"), raw=True)
            self.assertEqual(hashlib.sha256(got).hexdigest(), now["sha256"])
            self.assertEqual(len([n for n in os.listdir(moh_dir) if not n.startswith(".")]), 1)
            self.assertEqual([n for n in os.listdir(moh_dir) if n.startswith(".upload")], [])
            self.assertEqual([n for n in os.listdir(data_dir) if ".tmp." in n], [])
        actions = [a for a in audit_actions(self.dep, P1).values()
                   if (a["request"] or a["result"])["op"] == "moh.upload"]
        ok = [a for a in actions if a["result"] and a["result"]["ok"]]
        self.assertGreaterEqual(len(ok), acked)
        self.assertLessEqual(len(ok), acked + in_flight)
        # An upload killed before its headers reached the pool left no line.
        self.assertGreaterEqual(len([a for a in actions if a["request"]]), acked)
        self.assertLessEqual(len([a for a in actions if a["request"]]), ROUNDS)
        # The other pools never noticed: their state is whole.
        wait_agree(self.dep, [P1, P2, P3, P4])


if __name__ == "__main__":
    unittest.main()
