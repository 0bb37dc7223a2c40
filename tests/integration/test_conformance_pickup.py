"""Group Call Pickup through failover and failback, one test per cell of
the table in 002_74bfdaef69ee923d.txt, on two real paired orbitd
processes. Rows: new calls, calls in the pickup queue, established calls.
Columns: failover to the backup pool, failback to the primary pool."""

import unittest

from orbit_testlib import (P1, P2, USER1, USER1B, DeploymentTest, Phones, dr_of, drain,
                           events_of, failback, failover, redirect_pickup, run, state,
                           wait_phase, watch)

GROUP1 = "17000"


def queue_ids(dep, pool, group=GROUP1):
    for q in state(dep, pool)["queues"]:
        if q["group"] == group:
            return [c["call_id"] for c in q["calls"]]
    return []


class PickupConformance(DeploymentTest):
    CLOCK_SCALE = 10.0
    PHASE_SECONDS = 10.0

    def test_new_calls__failover(self):
        """No pickup in resiliency mode; after failover, pickup works once the
        users are out of resiliency AND their GroupPickup ranges are
        redirected to the backup pool."""
        async def go():
            phones = Phones(self.dep)
            failover(self.dep, wait=False)
            r = await phones.ring(P1)
            self.assertEqual(r["error"]["code"], "pickup_unavailable")
            r = await phones.op(P1, "pickup.take", group=GROUP1, by=USER1B)
            self.assertEqual(r["error"]["code"], "pickup_unavailable")
            wait_phase(self.dep, P2, P1, "failed_over")
            # Out of resiliency, ranges not yet redirected.
            self.assertFalse(dr_of(self.dep, P2, P1)["pickup_ranges_redirected"])
            r = await phones.ring(P1)
            self.assertEqual(r["error"]["code"], "pickup_unavailable")
            self.assertIn("redirected", r["error"]["message"])
            r = await phones.ring(P2)
            self.assertEqual(r["error"]["code"], "wrong_pool")
            redirect_pickup(self.dep, P1, P2)
            self.assertTrue(dr_of(self.dep, P2, P1)["pickup_ranges_redirected"])
            r = await phones.ring(P2, call_id="new")
            self.assertTrue(r["ok"], r)
            self.assertTrue(r["data"]["queued"])
            r = await phones.op(P2, "pickup.take", group=GROUP1, by=USER1B)
            self.assertTrue(r["ok"], r)
            self.assertEqual(r["data"]["call_id"], "new")
            await phones.close()
        run(go())

    def test_new_calls__failback(self):
        """No pickup in resiliency mode; after failback, pickup works once the
        ranges are redirected back to the home pool."""
        async def go():
            phones = Phones(self.dep)
            failover(self.dep)
            redirect_pickup(self.dep, P1, P2)
            failback(self.dep, wait=False)
            r = await phones.ring(P2)
            self.assertEqual(r["error"]["code"], "pickup_unavailable")
            wait_phase(self.dep, P2, P1, "normal")
            self.assertFalse(dr_of(self.dep, P1, P1)["pickup_ranges_redirected"])
            r = await phones.ring(P2)
            self.assertEqual(r["error"]["code"], "pickup_unavailable")
            r = await phones.ring(P1)
            self.assertEqual(r["error"]["code"], "wrong_pool")
            redirect_pickup(self.dep, P2, P1, at=P1)
            self.assertTrue(dr_of(self.dep, P1, P1)["pickup_ranges_redirected"])
            r = await phones.ring(P1, call_id="back-home")
            self.assertTrue(r["ok"], r)
            r = await phones.op(P1, "pickup.take", group=GROUP1, by=USER1B)
            self.assertEqual(r["data"]["call_id"], "back-home")
            await phones.close()
        run(go())

    def test_queued_calls__failover(self):
        """Calls in the queue cannot be answered by pickup during failover;
        none are left after it."""
        async def go():
            phones = Phones(self.dep)
            home = await watch(self.dep, P1)
            r = await phones.ring(P1, call_id="waiting")
            self.assertTrue(r["ok"], r)
            failover(self.dep, wait=False)
            ev = await home.event("pickup.unpickable")
            self.assertEqual(ev["data"]["call_id"], "waiting")
            self.assertEqual(queue_ids(self.dep, P1), ["waiting"])
            r = await phones.op(P1, "pickup.take", group=GROUP1, by="tel:+15550123")
            self.assertEqual(r["error"]["code"], "pickup_unavailable")
            wait_phase(self.dep, P2, P1, "failed_over")
            ev = await home.event("pickup.dropped")
            self.assertEqual(ev["data"]["call_id"], "waiting")
            self.assertEqual(queue_ids(self.dep, P1), [])
            self.assertEqual(queue_ids(self.dep, P2), [])
            await home.close()
            await phones.close()
        run(go())

    def test_queued_calls__failback(self):
        """Calls in the queue cannot be answered by pickup during failback,
        nor after it."""
        async def go():
            phones = Phones(self.dep)
            failover(self.dep)
            redirect_pickup(self.dep, P1, P2)
            r = await phones.ring(P2, call_id="waiting")
            self.assertTrue(r["ok"], r)
            backup = await watch(self.dep, P2)
            failback(self.dep, wait=False)
            ev = await backup.event("pickup.unpickable")
            self.assertEqual(ev["data"]["call_id"], "waiting")
            r = await phones.op(P2, "pickup.take", group=GROUP1, by="tel:+15550123")
            self.assertEqual(r["error"]["code"], "pickup_unavailable")
            wait_phase(self.dep, P2, P1, "normal")
            # Still queued, still not answerable by pickup, even with the
            # range where it is.
            self.assertEqual(queue_ids(self.dep, P2), ["waiting"])
            r = await phones.op(P2, "pickup.take", group=GROUP1, by="tel:+15550123")
            self.assertEqual(r["error"]["code"], "pickup_unavailable")
            q = next(q for q in state(self.dep, P2)["queues"] if q["group"] == GROUP1)
            self.assertFalse(q["calls"][0]["pickable"])
            # The callee can still answer it.
            r = await phones.op(P2, "pickup.answer", call_id="waiting")
            self.assertTrue(r["ok"], r)
            await backup.close()
            await phones.close()
        run(go())

    async def established(self, phones, pool):
        """Two established calls (one answered by the callee, one by
        pickup) and one still ringing."""
        for cid in ("by-callee", "by-pickup", "ringing"):
            r = await phones.ring(pool, call_id=cid)
            self.assertTrue(r["ok"], r)
        r = await phones.op(pool, "pickup.answer", call_id="by-callee")
        self.assertTrue(r["ok"], r)
        r = await phones.op(pool, "pickup.take", group=GROUP1, by=USER1B)
        self.assertEqual(r["data"]["call_id"], "by-pickup")

    def assert_only_ringing_touched(self, watcher):
        touched = {e["data"]["call_id"] for e in events_of(watcher)
                   if e["kind"].startswith("pickup.")}
        self.assertIn("ringing", touched)
        self.assertNotIn("by-callee", touched)
        self.assertNotIn("by-pickup", touched)

    def test_established_calls__failover(self):
        """Established calls stay connected through failover."""
        async def go():
            phones = Phones(self.dep)
            await self.established(phones, P1)
            home = await watch(self.dep, P1)
            failover(self.dep)
            await drain(home, 0.3)
            self.assert_only_ringing_touched(home)
            await home.close()
            await phones.close()
        run(go())

    def test_established_calls__failback(self):
        """Established calls stay connected through failback."""
        async def go():
            phones = Phones(self.dep)
            failover(self.dep)
            redirect_pickup(self.dep, P1, P2)
            await self.established(phones, P2)
            backup = await watch(self.dep, P2)
            failback(self.dep)
            await drain(backup, 0.3)
            self.assert_only_ringing_touched(backup)
            await backup.close()
            await phones.close()
        run(go())


if __name__ == "__main__":
    unittest.main()
