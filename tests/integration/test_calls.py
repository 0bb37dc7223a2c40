"""The call engine on real orbitd: parking and retrieval, the ring-back
timeout path, no free orbit, pickup queues, outage detection, and the DR
preconditions over the wire."""

import time
import unittest

from orbit_testlib import (P1, P2, USER1, USER1B, USER2, DeploymentTest, Phones, dr_of,
                           failover, op_http, run, state, wait_down, wait_phase, watch)


class CallsTest(DeploymentTest):
    CLOCK_SCALE = 10.0
    PHASE_SECONDS = 10.0

    def set_config(self, pool, **settings):
        body = op_http(self.dep, pool, "config.set", settings)
        self.assertTrue(body["ok"], body)

    def test_park_and_retrieve_from_any_client_at_the_owning_pool(self):
        async def go():
            parker, other = Phones(self.dep), Phones(self.dep)
            r = await parker.park(P1, call_id="c1")
            self.assertTrue(r["ok"], r)
            orbit = r["data"]["orbit"]
            self.assertTrue(r["data"]["music_on_hold"])
            self.assertEqual(r["data"]["moh"], "orbit-default.wav")
            parked = state(self.dep, P1)["parked"]
            self.assertEqual(len(parked), 1)
            p = parked[0]
            self.assertEqual((p["call_id"], p["orbit"], p["parker"], p["state"], p["attempt"]),
                             ("c1", orbit, USER1, "parked", 0))
            # 90 s of domain time at clock scale 10: 9 s from parking.
            self.assertAlmostEqual(p["deadline_ms"] - p["parked_ms"], 9000, delta=5)
            r = await other.op(P2, "call.retrieve", orbit=orbit, by=USER2)
            self.assertEqual(r["error"]["code"], "wrong_pool")
            self.assertIn(P1, r["error"]["message"])
            r = await other.op(P1, "call.retrieve", orbit=orbit, by=USER2)
            self.assertTrue(r["ok"], r)
            self.assertEqual(r["data"]["call_id"], "c1")
            r = await other.op(P1, "call.retrieve", orbit=orbit, by=USER2)
            self.assertEqual(r["error"]["code"], "not_found")
            await parker.close()
            await other.close()
        run(go())

    def test_park_refusals(self):
        async def go():
            phones = Phones(self.dep)
            r = await phones.park(P2, parker=USER1)
            self.assertEqual(r["error"]["code"], "not_served_here")
            r = await phones.park(P1, parker="sip:nobody@example.net")
            self.assertEqual(r["error"]["code"], "not_found")
            r = await phones.park(P1, call_id="dup")
            self.assertTrue(r["ok"])
            r = await phones.park(P1, call_id="dup")
            self.assertEqual(r["error"]["code"], "conflict")
            await phones.close()
        run(go())

    def test_no_free_orbit_is_refused_and_the_call_stays(self):
        async def go():
            phones = Phones(self.dep)
            orbits = set()
            for i in range(200):  # pool1 owns 200 CallPark orbits
                r = await phones.park(P1, call_id=f"fill{i}")
                self.assertTrue(r["ok"], r)
                orbits.add(r["data"]["orbit"])
            self.assertEqual(len(orbits), 200)
            r = await phones.park(P1, call_id="one-too-many")
            self.assertEqual(r["error"]["code"], "no_free_orbit")
            self.assertIn("stays connected", r["error"]["message"])
            o = next(o for o in state(self.dep, P1)["orbits"] if o["identity"] == "pool1 CallPark")
            self.assertEqual(o["in_use"], 200)
            freed = orbits.pop()
            r = await phones.op(P1, "call.retrieve", orbit=freed, by="sip:x@y.z")
            self.assertTrue(r["ok"])
            r = await phones.park(P1, call_id="fits-now")
            self.assertTrue(r["ok"], r)
            self.assertEqual(r["data"]["orbit"], freed)
            await phones.close()
        run(go())

    def test_timeout_rings_back_then_forwards_to_timeout_uri(self):
        self.set_config(P1, call_pickup_timeout_threshold=10, max_call_pickup_attempts=1,
                        on_timeout_uri="sip:attendant@example.net")
        async def go():
            phones = Phones(self.dep)
            w = await watch(self.dep, P1)
            r = await phones.park(P1, call_id="t1")
            t0 = time.monotonic()
            ev = await w.event("call.ringback", timeout=5)
            self.assertAlmostEqual(time.monotonic() - t0, 1.0, delta=0.5)  # 10 s / 10
            self.assertEqual((ev["data"]["state"], ev["data"]["attempt"]), ("ringing_back", 1))
            ev = await w.event("call.forwarded", timeout=5)
            self.assertAlmostEqual(time.monotonic() - t0, 3.0, delta=0.7)  # + 20 s ring / 10
            self.assertEqual(ev["data"]["uri"], "sip:attendant@example.net")
            self.assertEqual(state(self.dep, P1)["parked"], [])
            await w.close()
            await phones.close()
        run(go())

    def test_timeout_retries_then_disconnects_without_uri(self):
        self.set_config(P1, call_pickup_timeout_threshold=10, max_call_pickup_attempts=2)
        async def go():
            phones = Phones(self.dep)
            w = await watch(self.dep, P1)
            await phones.park(P1, call_id="t2")
            ev = await w.event("call.ringback", timeout=5)
            self.assertEqual(ev["data"]["attempt"], 1)
            ev = await w.event("call.reparked", timeout=5)
            self.assertEqual(ev["data"]["state"], "parked")
            ev = await w.event("call.ringback", timeout=5)
            self.assertEqual(ev["data"]["attempt"], 2)
            ev = await w.event("call.disconnected", timeout=5)
            self.assertEqual(ev["data"]["reason"], "timeout")
            await w.close()
            await phones.close()
        run(go())

    def test_parker_takes_the_ringback(self):
        self.set_config(P1, call_pickup_timeout_threshold=10)
        async def go():
            phones = Phones(self.dep)
            w = await watch(self.dep, P1)
            r = await phones.park(P1, call_id="t3")
            r = await phones.op(P1, "call.ringback_answer", call_id="t3")
            self.assertEqual(r["error"]["code"], "conflict")  # not ringing yet
            await w.event("call.ringback", timeout=5)
            r = await phones.op(P1, "call.ringback_answer", call_id="t3")
            self.assertTrue(r["ok"], r)
            ev = await w.event("call.ringback_answered")
            self.assertEqual(ev["data"]["by"], USER1)
            self.assertEqual(state(self.dep, P1)["parked"], [])
            await w.close()
            await phones.close()
        run(go())

    def test_pickup_queue_is_fifo_and_calls_leave_it(self):
        async def go():
            phones = Phones(self.dep)
            for cid in ("first", "second", "third", "fourth"):
                r = await phones.ring(P1, callee=USER1, call_id=cid)
                self.assertTrue(r["ok"], r)
            self.assertEqual(r["data"]["position"], 4)
            r = await phones.op(P1, "pickup.cancel", call_id="second")
            self.assertTrue(r["ok"])
            r = await phones.op(P1, "pickup.answer", call_id="third")
            self.assertTrue(r["ok"])
            r = await phones.op(P1, "pickup.take", group="17000", by=USER2)
            self.assertEqual(r["data"]["call_id"], "first")
            r = await phones.op(P1, "pickup.take", group="17000", by=USER2)
            self.assertEqual(r["data"]["call_id"], "fourth")
            r = await phones.op(P1, "pickup.take", group="17000", by=USER2)
            self.assertEqual(r["error"]["code"], "not_found")
            r = await phones.op(P2, "pickup.take", group="17000", by=USER2)
            self.assertEqual(r["error"]["code"], "wrong_pool")
            r = await phones.ring(P1, callee="sip:user1-020@example.net")  # user 20: group 17001
            self.assertTrue(r["data"]["queued"])
            await phones.close()
        run(go())

    def test_unanswered_pickup_call_goes_to_voicemail(self):
        async def go():
            phones = Phones(self.dep)
            w = await watch(self.dep, P1)
            await phones.ring(P1, call_id="vm")
            ev = await w.event("pickup.voicemail", timeout=6)  # 30 s / 10
            self.assertEqual(ev["data"]["call_id"], "vm")
            await w.close()
            await phones.close()
        run(go())

    def test_outage_is_noticed_within_3_s(self):
        async def go():
            w = await watch(self.dep, P2)
            t0 = time.monotonic()
            self.dep.kill(P1)
            ev = await w.event("pool.status", timeout=5,
                               where=lambda f: f["data"]["fqdn"] == P1)
            self.assertEqual(ev["data"]["status"], "down")
            self.assertLess(time.monotonic() - t0, 3.0)
            await w.close()
        run(go())
        self.dep.start(P1)
        wait_until_up = lambda: next(p for p in state(self.dep, P2)["pools"]
                                     if p["fqdn"] == P1)["status"] == "up"
        from orbit_testlib import wait_until
        wait_until(wait_until_up, timeout=5, what="pool1 up again")

    def test_failed_over_users_park_with_the_backups_settings_and_moh(self):
        self.set_config(P2, call_pickup_timeout_threshold=33, enable_music_on_hold=False)
        self.set_config(P1, call_pickup_timeout_threshold=77)
        failover(self.dep)
        async def go():
            phones = Phones(self.dep)
            r = await phones.park(P2, parker=USER1, call_id="fo")
            self.assertTrue(r["ok"], r)
            self.assertFalse(r["data"]["music_on_hold"])
            p = state(self.dep, P2)["parked"][0]
            self.assertAlmostEqual(p["deadline_ms"] - p["parked_ms"], 3300, delta=5)
            self.assertEqual(p["parker"], USER1)
            await phones.close()
        run(go())

    def test_dr_preconditions_over_the_wire(self):
        # Sent to the home pool itself, or to a pool that is not its backup.
        body = op_http(self.dep, P1, "pool.failover", {"pool": P1})
        self.assertEqual(body["error"]["code"], "wrong_pool")
        body = op_http(self.dep, P1, "pool.failover", {"pool": P2})
        self.assertTrue(body["ok"], body)  # pool1 backs up pool2
        wait_phase(self.dep, P1, P2, "failed_over")
        # pool2's users are failed over to pool1: pool1 cannot be failed
        # over to pool2 now.
        body = op_http(self.dep, P2, "pool.failover", {"pool": P1})
        self.assertEqual(body["error"]["code"], "conflict")
        body = op_http(self.dep, P1, "pool.failback", {"pool": P2})
        self.assertTrue(body["ok"], body)
        wait_phase(self.dep, P1, P2, "normal")
        body = op_http(self.dep, P2, "pool.failback", {"pool": P1})
        self.assertEqual(body["error"]["code"], "conflict")
        self.assertIn("failed_over", body["error"]["message"])
        body = op_http(self.dep, P2, "pool.failover", {"pool": "pool9.example.net"})
        self.assertEqual(body["error"]["code"], "not_found")
        # The home pool down: disaster_mode is needed.
        self.dep.kill(P1)
        wait_down(self.dep, P2, P1)
        body = op_http(self.dep, P2, "pool.failover", {"pool": P1})
        self.assertEqual(body["error"]["code"], "pool_unreachable")
        self.assertIn("disaster_mode", body["error"]["message"])
        body = op_http(self.dep, P2, "pool.failover", {"pool": P1, "disaster_mode": True})
        self.assertTrue(body["ok"], body)
        self.assertTrue(body["data"]["disaster_mode"])
        wait_phase(self.dep, P2, P1, "failed_over")
        # Failback needs the home pool back.
        body = op_http(self.dep, P2, "pool.failback", {"pool": P1})
        self.assertEqual(body["error"]["code"], "pool_unreachable")
        self.dep.start(P1)
        from orbit_testlib import wait_until
        wait_until(lambda: op_http(self.dep, P2, "pool.failback", {"pool": P1})["ok"],
                   timeout=6, what="failback accepted once pool1 is back")
        wait_phase(self.dep, P2, P1, "normal")
        self.assertFalse(dr_of(self.dep, P2, P1)["disaster_mode"])

    def test_phase_durations_follow_the_clock_scale(self):
        t0 = time.monotonic()
        body = op_http(self.dep, P2, "pool.failover", {"pool": P1})
        d = body["data"]
        self.assertEqual(d["ends_ms"] - d["since_ms"], 1000)  # 10 s at scale 10
        wait_phase(self.dep, P2, P1, "failed_over")
        self.assertLess(time.monotonic() - t0, 2.0)
        self.assertEqual(dr_of(self.dep, P1, P1)["serving"], P2)


if __name__ == "__main__":
    unittest.main()
