"""Call Park through pool failure, one test per cell of the table in
001_6dac52b255cf5a43.txt, on two real paired orbitd processes. Rows: call
not yet parked, parked not retrieved, already retrieved. Columns: when the
outage occurs (kill -9), during failover, during failback."""

import unittest

from orbit_testlib import (P1, P2, USER1, DeploymentTest, Phones, drain, events_of, failback,
                           failover, op_http, run, state, wait_down, wait_phase, watch)


def parked_ids(dep, pool):
    return {c["call_id"] for c in state(dep, pool)["parked"]}


def orbit_in_range(dep, pool, orbit, identity):
    r = next(o for o in state(dep, pool)["orbits"] if o["identity"] == identity)
    return len(orbit) == len(r["start"]) and r["start"] <= orbit <= r["end"]


class CallParkConformance(DeploymentTest):
    CLOCK_SCALE = 10.0
    PHASE_SECONDS = 10.0  # 1 s of real time per phase

    def outage(self):
        self.dep.kill(P1)
        wait_down(self.dep, P2, P1)

    def test_not_parked__when_outage_occurs(self):
        """The call remains connected, but cannot be parked."""
        async def go():
            phones = Phones(self.dep)
            self.outage()
            r = await phones.park(P2)
            self.assertFalse(r["ok"])
            self.assertEqual(r["error"]["code"], "pool_unreachable")
            self.assertIn("stays connected", r["error"]["message"])
            self.assertEqual(parked_ids(self.dep, P2), set())
            await phones.close()
        run(go())

    def test_not_parked__during_failover(self):
        """Cannot be parked in resiliency mode; can be once failover completes."""
        async def go():
            phones = Phones(self.dep)
            self.outage()
            failover(self.dep, disaster_mode=True, wait=False)
            r = await phones.park(P2)
            self.assertEqual(r["error"]["code"], "resiliency_mode")
            self.assertIn("hold and transfer", r["error"]["message"])
            wait_phase(self.dep, P2, P1, "failed_over")
            r = await phones.park(P2)
            self.assertTrue(r["ok"], r)
            # Parked on the backup pool's own CallPark range...
            self.assertTrue(orbit_in_range(self.dep, P2, r["data"]["orbit"], "pool2 CallPark"))
            # ...and retrievable there.
            r = await phones.op(P2, "call.retrieve", orbit=r["data"]["orbit"], by="sip:x@y.z")
            self.assertTrue(r["ok"], r)
            await phones.close()
        run(go())

    def test_not_parked__during_failback(self):
        """Cannot be parked in resiliency mode; can be once failback completes."""
        async def go():
            phones = Phones(self.dep)
            failover(self.dep)
            failback(self.dep, wait=False)
            for pool in (P1, P2):
                r = await phones.park(pool)
                self.assertEqual(r["error"]["code"], "resiliency_mode", pool)
            wait_phase(self.dep, P1, P1, "normal")
            r = await phones.park(P1)
            self.assertTrue(r["ok"], r)
            self.assertTrue(orbit_in_range(self.dep, P1, r["data"]["orbit"], "pool1 CallPark"))
            await phones.close()
        run(go())

    def test_parked__when_outage_occurs(self):
        """The parked call is disconnected, and never comes back."""
        async def go():
            phones = Phones(self.dep)
            r = await phones.park(P1, call_id="doomed")
            self.assertTrue(r["ok"], r)
            orbit = r["data"]["orbit"]
            self.assertEqual(parked_ids(self.dep, P1), {"doomed"})
            await phones.close()
            self.outage()
            # Gone with the pool: restarting it does not bring it back.
            self.dep.start(P1)
            self.assertEqual(parked_ids(self.dep, P1), set())
            phones = Phones(self.dep)
            r = await phones.op(P1, "call.retrieve", orbit=orbit, by="sip:x@y.z")
            self.assertEqual(r["error"]["code"], "not_found")
            self.assertEqual(parked_ids(self.dep, P2), set())
            await phones.close()
        run(go())

    def test_parked__during_failover(self):
        """No calls in this state: none remain parked once failover starts."""
        async def go():
            phones = Phones(self.dep)
            home_watch = await watch(self.dep, P1)
            r = await phones.park(P1, call_id="before-failover")
            self.assertTrue(r["ok"], r)
            # A planned failover, the home pool still up.
            failover(self.dep, wait=False)
            ev = await home_watch.event("call.disconnected",
                                        where=lambda f: f["data"]["call_id"] == "before-failover")
            self.assertEqual(ev["data"]["reason"], "failover_begin")
            self.assertEqual(dr_phase(self.dep), "failing_over")
            self.assertEqual(parked_ids(self.dep, P1), set())
            self.assertEqual(parked_ids(self.dep, P2), set())
            # None can be parked while it runs.
            r = await phones.park(P2)
            self.assertEqual(r["error"]["code"], "resiliency_mode")
            wait_phase(self.dep, P2, P1, "failed_over")
            await home_watch.close()
            await phones.close()
        run(go())

    def test_parked__during_failback(self):
        """The parked call remains parked through failback and after it."""
        async def go():
            phones = Phones(self.dep)
            failover(self.dep)
            r = await phones.park(P2, call_id="parked-at-backup")
            self.assertTrue(r["ok"], r)
            orbit = r["data"]["orbit"]
            backup_watch = await watch(self.dep, P2)
            failback(self.dep, wait=False)
            self.assertEqual(dr_phase(self.dep), "failing_back")
            self.assertEqual(parked_ids(self.dep, P2), {"parked-at-backup"})
            wait_phase(self.dep, P2, P1, "normal")
            self.assertEqual(parked_ids(self.dep, P2), {"parked-at-backup"})
            await drain(backup_watch, 0.3)
            ended = [e for e in events_of(backup_watch, ("call.disconnected", "call.retrieved"))
                     if e["data"]["call_id"] == "parked-at-backup"]
            self.assertEqual(ended, [])
            r = await phones.op(P2, "call.retrieve", orbit=orbit, by="sip:x@y.z")
            self.assertTrue(r["ok"], r)
            await backup_watch.close()
            await phones.close()
        run(go())

    async def retrieved_call(self, phones, pool):
        """A call parked and retrieved at pool: an established call now."""
        r = await phones.park(pool, call_id="retrieved")
        self.assertTrue(r["ok"], r)
        r = await phones.op(pool, "call.retrieve", orbit=r["data"]["orbit"], by="sip:x@y.z")
        self.assertTrue(r["ok"], r)
        # A second call still parked shows the check below can fail.
        r = await phones.park(pool, call_id="still-parked")
        self.assertTrue(r["ok"], r)

    def test_retrieved__when_outage_occurs(self):
        """The retrieved call remains connected: nothing ends it."""
        async def go():
            phones = Phones(self.dep)
            await self.retrieved_call(phones, P1)
            backup = await watch(self.dep, P2)
            self.outage()
            await drain(backup, 0.5)
            self.assertEqual([e for e in events_of(backup)
                              if e["data"].get("call_id") == "retrieved"], [])
            self.assertNotIn("retrieved", parked_ids(self.dep, P2))
            await backup.close()
            await phones.close()
        run(go())

    def test_retrieved__during_failover(self):
        """The retrieved call remains connected through failover."""
        async def go():
            phones = Phones(self.dep)
            await self.retrieved_call(phones, P1)
            home = await watch(self.dep, P1)
            failover(self.dep)
            await drain(home, 0.3)
            ended = {e["data"]["call_id"] for e in events_of(home, ("call.disconnected",))}
            self.assertIn("still-parked", ended)  # the parked one went
            self.assertNotIn("retrieved", ended)  # the established one did not
            await home.close()
            await phones.close()
        run(go())

    def test_retrieved__during_failback(self):
        """The retrieved call remains connected through failback."""
        async def go():
            phones = Phones(self.dep)
            failover(self.dep)
            await self.retrieved_call(phones, P2)
            backup = await watch(self.dep, P2)
            failback(self.dep)
            await drain(backup, 0.3)
            self.assertEqual([e for e in events_of(backup)
                              if e["data"].get("call_id") == "retrieved"], [])
            self.assertIn("still-parked", parked_ids(self.dep, P2))
            await backup.close()
            await phones.close()
        run(go())


def dr_phase(dep):
    return next(d for d in state(dep, P2)["dr"] if d["home"] == P1)["phase"]


if __name__ == "__main__":
    unittest.main()
