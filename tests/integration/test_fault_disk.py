"""Full disks: a pool's data directory on a filesystem with no byte left,
and the SQLite store's filesystem full. Operator ops are refused with an
error that says why, every answer matches the state (an op refused is
nowhere, an op acknowledged is everywhere), nothing already there is
lost, calls keep being served, and all is well again once space is freed.

Each test mounts a small tmpfs of its own (root only; skipped otherwise)
and unmounts it at the end. SQLite store only: the data directory is the
same on both stores, and etcd keeps its data on its members' disks."""

import os
import shutil
import unittest

from faultlib import SmallFs, audit_actions, audit_lines, set_config, store_tables, wait_agree
from orbit_testlib import (P1, P2, STORE, USER1, USER2, DeploymentTest, Phones, http, run, state,
                           wait_until)
from test_moh import put, wav


def create(dep, pool, identity, n):
    status, body, _ = http(dep, "/v1/cmd", token=dep.token("operator"), method="POST",
                           body={"op": "orbit.create",
                                 "args": {"identity": identity, "start": str(n),
                                          "end": str(n + 9), "pool": P1}}, pool=pool)
    return status, body


async def calls_work(test, dep, pool):
    """A park and its retrieve, and a pickup ring, at one pool."""
    user = USER1 if pool == P1 else USER2
    phones = Phones(dep)
    try:
        r = await phones.park(pool, parker=user)
        test.assertTrue(r["ok"], r)
        r = await phones.op(pool, "call.retrieve", orbit=r["data"]["orbit"], by=user)
        test.assertTrue(r["ok"], r)
        r = await phones.ring(pool, callee=user)
        test.assertTrue(r["ok"], r)
    finally:
        await phones.close()


@unittest.skipIf(STORE != "sqlite", "the data directory and the SQLite file; see the docstring")
class FullDisk(DeploymentTest):
    POOLS = 2

    def small_fs(self, kib):
        fs = SmallFs(os.path.join(self.dep.dir, "small"), kib)
        # Unmounted once the pools are gone (cleanups run last first).
        self.addCleanup(fs.close)
        self.addCleanup(self.dep.down)
        return fs

    def creates_match_the_state(self, at, tag, count, base):
        """count creates at one pool; every answer must match what the store
        and both pools hold. Returns (acknowledged, refusals)."""
        answers = [(f"{tag}-{i}",) + create(self.dep, at, f"{tag}-{i}", base + 10 * i)
                   for i in range(count)]
        ranges, _ = wait_agree(self.dep, [P1, P2])
        acked = [i for i, status, body in answers if body["ok"]]
        refused = [(status, body) for i, status, body in answers if not body["ok"]]
        for identity, status, body in answers:
            if body["ok"]:
                self.assertIn(identity, ranges, "acknowledged but not in the store")
            else:
                self.assertNotIn(identity, ranges, f"refused but committed: {body}")
        return acked, refused

    def test_full_data_directory_refuses_operator_ops_and_serves_calls(self):
        fs = self.small_fs(1024)
        self.dep.stop(P1)
        moved = os.path.join(fs.path, "data")
        shutil.copytree(self.dep.pool(P1)["data_dir"], moved)
        set_config(self.dep.pool(P1)["config"], "data_dir", moved)
        self.dep.start(P1)
        for i in range(3):  # something on record before the disk fills
            status, body = create(self.dep, P1, f"before-{i}", 500000 + 10 * i)
            self.assertEqual(status, 200, body)
        moh_before = state(self.dep, P1)["moh"]
        config_before = state(self.dep, P1)["config"]
        fs.fill()

        acked, refused = self.creates_match_the_state(P1, "full", 30, 600000)
        self.assertGreater(len(refused), 20)  # a line or two may fit the last page
        for status, body in refused:
            self.assertEqual(status, 500, body)
            self.assertIn("disk full", body["error"]["message"])
            self.assertIn("nothing was changed", body["error"]["message"])
        # Settings and music on hold live in the data directory too.
        status, body, _ = http(self.dep, "/v1/cmd", token=self.dep.token("operator"),
                               method="POST", pool=P1,
                               body={"op": "config.set",
                                     "args": {"call_pickup_timeout_threshold": 33}})
        self.assertFalse(body["ok"], body)
        self.assertEqual(state(self.dep, P1)["config"], config_before)
        status, body, _ = put(self.dep, wav(2), name="new.wav")
        self.assertNotEqual(status, 200, body)
        self.assertEqual(state(self.dep, P1)["moh"], moh_before)
        # Calls do not need the disk.
        run(calls_work(self, self.dep, P1))
        # Every line on disk is whole: a write cut short was taken back.
        lines = audit_lines(self.dep, P1)
        self.assertTrue(lines)

        fs.release()
        more, refused_after = self.creates_match_the_state(P1, "after", 5, 800000)
        self.assertEqual(refused_after, [])
        status, body = create(self.dep, P1, "after-moh", 700000)
        self.assertEqual(status, 200, body)
        status, body, _ = put(self.dep, wav(2), name="new.wav")
        self.assertEqual(status, 200, body)
        # Each acknowledged action is on record with its result.
        ok = [a["result"]["args"]["identity"] for a in audit_actions(self.dep, P1).values()
              if a["result"] and a["result"]["ok"] and a["result"]["op"] == "orbit.create"]
        for identity in ["before-0", "before-1", "before-2"] + acked + more:
            self.assertIn(identity, ok)

    def test_full_store_refuses_operator_ops_and_serves_calls(self):
        fs = self.small_fs(2048)
        for fqdn in self.dep.fqdns():
            self.dep.stop(fqdn)
        store = self.dep.info["store"]
        for name in os.listdir(os.path.dirname(store)):
            if name.startswith(os.path.basename(store)):
                shutil.copy(os.path.join(os.path.dirname(store), name), fs.path)
        self.dep.info["store"] = os.path.join(fs.path, os.path.basename(store))
        for fqdn in self.dep.fqdns():
            set_config(self.dep.pool(fqdn)["config"], "store", self.dep.info["store"])
            self.dep.start(fqdn)
            self.dep.info["store"] = os.path.join(fs.path, os.path.basename(store))
        before, _ = store_tables(self.dep)
        fs.fill()

        acked, refused = self.creates_match_the_state(P1, "full", 20, 600000)
        self.assertTrue(refused)
        for status, body in refused:
            self.assertEqual(status, 503, body)
            self.assertEqual(body["error"]["code"], "unavailable", body)
        self.assertTrue(any("full" in body["error"]["message"] for _, body in refused), refused)
        # Nothing already in the store was lost.
        now, _ = store_tables(self.dep)
        self.assertEqual({k: v for k, v in now.items() if k in before}, before)
        # Calls and this pool's own settings do not need the store.
        for pool in (P1, P2):
            run(calls_work(self, self.dep, pool))
        status, body, _ = http(self.dep, "/v1/cmd", token=self.dep.token("operator"),
                               method="POST", pool=P1,
                               body={"op": "config.set",
                                     "args": {"call_pickup_timeout_threshold": 33}})
        self.assertTrue(body["ok"], body)

        fs.release()
        # Space is back: the pools take changes again, by themselves.
        def healthy():
            return all(http(self.dep, "/v1/health", pool=p)[1]["store_ok"] for p in (P1, P2))
        wait_until(healthy, timeout=10, what="both pools to reach the store again")
        more, refused_after = self.creates_match_the_state(P1, "after", 5, 800000)
        self.assertEqual(refused_after, [])
        self.assertEqual(len(more), 5)
        actions = [a for a in audit_actions(self.dep, P1).values()
                   if a["request"] and a["request"]["op"] == "orbit.create"]
        self.assertEqual(len([a for a in actions if a["result"]["ok"]]), len(acked) + 5)


if __name__ == "__main__":
    unittest.main()
