"""The event stream: snapshot, consecutive revisions, replay, gaps, epochs
and ticks, and two pools sharing one store."""

import asyncio
import time
import unittest

from orbit_testlib import Client, DeploymentTest, cmd, run


def create_args(identity, start, end, pool="pool2.south.example.net"):
    return {"identity": identity, "start": start, "end": end, "pool": pool}


class StreamTest(DeploymentTest):

    def test_subscribe_gets_snapshot_with_epoch_and_rev(self):
        async def go():
            c = await Client.connect(self.dep.url(0), self.dep.token("viewer"))
            snap = await c.subscribe()
            self.assertEqual(snap["t"], "snapshot")
            self.assertEqual(snap["epoch"], c.welcome["epoch"])
            self.assertGreaterEqual(snap["rev"], c.welcome["rev"])
            state = snap["state"]
            self.assertEqual(state["pool"]["fqdn"], "pool1.north.example.net")
            self.assertEqual(len(state["pools"]), 2)
            ids = {o["identity"] for o in state["orbits"]}
            self.assertIn("pool1 CallPark", ids)
            self.assertEqual(state["config"]["call_pickup_timeout_threshold"], 90)
            self.assertTrue(state["moh"]["default"])
            await c.close()
        run(go())

    def test_events_have_consecutive_revs_and_come_before_results(self):
        async def go():
            c = await Client.connect(self.dep.url(0), self.dep.token("operator"))
            snap = await c.subscribe()
            rev = snap["rev"]
            for i in range(5):
                r = await c.cmd("orbit.create", create_args(f"seq-{i}", f"5{i}000", f"5{i}009"))
                self.assertTrue(r["ok"], r)
            # The event of each command was queued before its result.
            kinds = []
            while True:
                try:
                    f = await c.expect("event", timeout=1)
                except asyncio.TimeoutError:
                    break
                if f["kind"] == "pool.status":
                    rev = f["rev"]
                    continue
                self.assertEqual(f["rev"], rev + 1)
                self.assertEqual(f["epoch"], snap["epoch"])
                rev = f["rev"]
                kinds.append(f["kind"])
            self.assertEqual(kinds, ["orbit.created"] * 5)
            for i in range(5):
                await c.cmd("orbit.delete", {"identity": f"seq-{i}"})
            await c.close()
        run(go())

    def test_result_follows_its_event_in_order(self):
        async def go():
            c = await Client.connect(self.dep.url(0), self.dep.token("operator"))
            await c.subscribe()
            await c.send({"t": "cmd", "id": "k1", "op": "config.set",
                          "args": {"call_pickup_timeout_threshold": 45}})
            order = []
            while len(order) < 2:
                f = await c.recv()
                if f["t"] == "event" and f["kind"] == "config.changed":
                    order.append("event")
                elif f["t"] == "result" and f["id"] == "k1":
                    order.append("result")
            self.assertEqual(order, ["event", "result"])
            await c.cmd("config.set", {"call_pickup_timeout_threshold": 90})
            await c.close()
        run(go())

    def test_resubscribe_with_since_replays_missed_events(self):
        async def go():
            c = await Client.connect(self.dep.url(0), self.dep.token("viewer"))
            snap = await c.subscribe()
            since = {"epoch": snap["epoch"], "rev": snap["rev"]}
            await c.close()
            for i in range(3):
                status, body, _ = cmd(self.dep, "orbit.create",
                                      create_args(f"rp-{i}", f"6{i}000", f"6{i}009"))
                self.assertEqual(status, 200, body)
            c = await Client.connect(self.dep.url(0), self.dep.token("viewer"))
            rep = await c.subscribe(since=since)
            self.assertEqual(rep["t"], "replay")
            self.assertEqual(rep["from_rev"], since["rev"] + 1)
            seen = []
            rev = since["rev"]
            while len(seen) < 3:
                f = await c.expect("event")
                self.assertEqual(f["rev"], rev + 1)
                rev = f["rev"]
                if f["kind"] == "orbit.created":
                    seen.append(f["data"]["identity"])
            self.assertEqual(seen, ["rp-0", "rp-1", "rp-2"])
            await c.close()
            for i in range(3):
                cmd(self.dep, "orbit.delete", {"identity": f"rp-{i}"})
        run(go())

    def test_since_from_another_epoch_or_the_future_gets_a_snapshot(self):
        async def go():
            c = await Client.connect(self.dep.url(0), self.dep.token("viewer"))
            r = await c.subscribe(since={"epoch": "0000000000000000", "rev": 1})
            self.assertEqual(r["t"], "snapshot")
            r = await c.subscribe(since={"epoch": c.welcome["epoch"], "rev": 10 ** 9})
            self.assertEqual(r["t"], "snapshot")
            await c.close()
        run(go())

    def test_idle_session_gets_ticks(self):
        async def go():
            c = await Client.connect(self.dep.url(0), self.dep.token("viewer"))
            snap = await c.subscribe()
            t0 = time.monotonic()
            tick = await c.expect("tick", timeout=3)
            self.assertLess(time.monotonic() - t0, 2.5)
            self.assertEqual(tick["epoch"], snap["epoch"])
            self.assertGreaterEqual(tick["rev"], snap["rev"])
            self.assertIsInstance(tick["time_ms"], int)
            await c.close()
        run(go())

    def test_other_pool_sees_range_change_within_1_s(self):
        async def go():
            watcher = await Client.connect(self.dep.url(1), self.dep.token("viewer"))
            await watcher.subscribe()
            t0 = time.monotonic()
            status, body, _ = cmd(self.dep, "orbit.create",
                                  create_args("cross", "70000", "70009",
                                              pool="pool1.north.example.net"), pool=0)
            self.assertEqual(status, 200, body)
            ev = await watcher.event("orbit.created", timeout=3,
                                     where=lambda f: f["data"]["identity"] == "cross")
            self.assertLess(time.monotonic() - t0, 1.0)
            self.assertEqual(ev["data"]["origin"], "pool1.north.example.net")
            # who names the token, the client and where it came from.
            self.assertTrue(ev["data"]["who"].startswith("demo-operator ("), ev["data"]["who"])
            self.assertIn("127.0.0.1", ev["data"]["who"])
            t0 = time.monotonic()
            status, body, _ = cmd(self.dep, "orbit.update",
                                  {"identity": "cross", "end": "70019"}, pool=0)
            self.assertEqual(status, 200, body)
            ev = await watcher.event("orbit.updated", timeout=3)
            self.assertLess(time.monotonic() - t0, 1.0)
            self.assertEqual(ev["data"]["end"], "70019")
            self.assertEqual(ev["data"]["previous"]["end"], "70009")
            # And the other way round.
            other = await Client.connect(self.dep.url(0), self.dep.token("viewer"))
            await other.subscribe()
            t0 = time.monotonic()
            status, body, _ = cmd(self.dep, "orbit.delete", {"identity": "cross"}, pool=1)
            self.assertEqual(status, 200, body)
            ev = await other.event("orbit.deleted", timeout=3)
            self.assertLess(time.monotonic() - t0, 1.0)
            self.assertEqual(ev["data"]["identity"], "cross")
            await watcher.close()
            await other.close()
        run(go())

    def test_pool_restart_brings_a_new_epoch_and_a_snapshot(self):
        async def go():
            c = await Client.connect(self.dep.url(1), self.dep.token("viewer"))
            snap = await c.subscribe()
            await c.close()
            self.dep.stop("pool2.south.example.net")
            self.dep.start("pool2.south.example.net")
            c = await Client.connect(self.dep.url(1), self.dep.token("viewer"))
            self.assertNotEqual(c.welcome["epoch"], snap["epoch"])
            r = await c.subscribe(since={"epoch": snap["epoch"], "rev": snap["rev"]})
            self.assertEqual(r["t"], "snapshot")
            await c.close()
        run(go())


if __name__ == "__main__":
    unittest.main()
