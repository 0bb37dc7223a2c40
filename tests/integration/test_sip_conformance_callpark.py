"""Call Park through pool failure over SIP, one test per cell of the
table in 001_6dac52b255cf5a43.txt, on two real paired orbitd processes
with their SIP edges (the orbit.v1 twin is test_conformance_callpark.py).
Rows: call not yet parked, parked not retrieved, already retrieved.
Columns: when the outage occurs (kill -9), during failover, during
failback. What a pool refuses reaches the phone as a SIP status with a
Warning naming the protocol's code; sipp plays the parker's and the
retriever's phones, the test's UA the parked caller."""

import unittest

from orbit_testlib import (P1, P2, DeploymentTest, failback, failover, state, wait_down,
                           wait_phase, wait_until)
from sip_pool import SipPhones, call, exchange_rtp, quiet, sdp_media, sip_port

PARKER = "user1-001"  # homed on pool1
RETRIEVER = "user1-003"
CALLER = "user2-001"  # the party being parked, homed on pool2
SECOND = "user2-002"


class SipCallParkConformance(SipPhones, DeploymentTest):
    CLOCK_SCALE = 10.0
    PHASE_SECONDS = 10.0  # 1 s of real time per phase
    USERS = 12


    def outage(self):
        self.dep.kill(P1)
        wait_down(self.dep, P2, P1)

    def park(self, pool, caller_user=CALLER):
        """The caller's leg parked at pool by a blind transfer of PARKER:
        (its UA, dialog, orbit)."""
        ua = self.phone(caller_user)
        port = sip_port(self.dep, pool)
        before = {c["call_id"] for c in state(self.dep, pool)["parked"]}
        resp, dialog = ua.invite("sip:park@127.0.0.1:%d" % port, port,
                                 extra="Referred-By: <sip:%s@example.net>\r\n" % PARKER)
        self.assertEqual(resp.status, 200, resp.first)
        new = wait_until(lambda: [c for c in state(self.dep, pool)["parked"]
                                  if c["call_id"] not in before], what="the parked call")
        return ua, dialog, new[0]["orbit"]

    def refused_park(self, pool):
        """A park at pool by sipp: (status, Warning)."""
        status, warning, _ = call(self.dep, pool, CALLER, "park", parker=PARKER)
        return status, warning

    def retrieved_call(self, pool):
        """A call parked and retrieved at pool (two phones talking through
        it now) and a second one still parked: (caller, its media, the
        retriever, its media, the parked one)."""
        caller, dialog, orbit = self.park(pool)
        retriever = self.phone(RETRIEVER)
        port = sip_port(self.dep, pool)
        resp, rdialog = retriever.invite("sip:%s@127.0.0.1:%d" % (orbit, port), port)
        self.assertEqual(resp.status, 200, resp.first)
        a, b = exchange_rtp(caller, sdp_media(dialog["answer"]), retriever,
                            sdp_media(rdialog["answer"]))
        self.assertGreaterEqual(min(a, b), 3, "the retrieved call carries audio both ways")
        parked, _, _ = self.park(pool, SECOND)
        return (caller, sdp_media(dialog["answer"]), retriever, sdp_media(rdialog["answer"]),
                parked)

    def test_not_parked__when_outage_occurs(self):
        """The call remains connected, but cannot be parked: 503."""
        self.outage()
        status, warning = self.refused_park(P2)
        self.assertEqual(status, 503)
        self.assertIn("pool_unreachable", warning)
        self.assertIn("stays connected", warning)
        self.assertEqual(state(self.dep, P2)["parked"], [])

    def test_not_parked__during_failover(self):
        """Cannot be parked in resiliency mode (480); can be once failover
        completes, on the backup pool's own orbits."""
        self.outage()
        failover(self.dep, disaster_mode=True, wait=False)
        status, warning = self.refused_park(P2)
        self.assertEqual(status, 480)
        self.assertIn("resiliency_mode", warning)
        self.assertIn("hold and transfer", warning)
        wait_phase(self.dep, P2, P1, "failed_over")
        caller, dialog, orbit = self.park(P2)
        self.assertTrue(orbit.startswith("2"), orbit)  # pool2's CallPark range
        status, _, _ = call(self.dep, P2, RETRIEVER, orbit)
        self.assertEqual(status, 200)

    def test_not_parked__during_failback(self):
        """Cannot be parked in resiliency mode at either pool (480); can be
        once failback completes, on the home pool's orbits."""
        failover(self.dep)
        failback(self.dep, wait=False)
        for pool in (P1, P2):
            status, warning = self.refused_park(pool)
            self.assertEqual(status, 480, pool)
            self.assertIn("resiliency_mode", warning)
        wait_phase(self.dep, P1, P1, "normal")
        caller, dialog, orbit = self.park(P1)
        self.assertTrue(orbit.startswith("1"), orbit)

    def test_parked__when_outage_occurs(self):
        """The parked call is disconnected with its pool, and never comes
        back: its music stops, the restarted pool knows no such orbit."""
        caller, dialog, orbit = self.park(P1)
        self.assertGreaterEqual(len(caller.rtp_packets(10, timeout=2)), 10)
        self.outage()
        caller.rtp_packets(10000, timeout=0.2)  # what was already on the way
        self.assertEqual(caller.rtp_packets(1, timeout=1), [])
        self.dep.start(P1)
        self.assertEqual(state(self.dep, P1)["parked"], [])
        status, warning, _ = call(self.dep, P1, RETRIEVER, orbit)
        self.assertEqual(status, 404)
        self.assertIn("not_found", warning)
        self.assertEqual(state(self.dep, P2)["parked"], [])

    def test_parked__during_failover(self):
        """No calls in this state: the parked caller is hung up as failover
        begins, and none can be parked while it runs."""
        caller, dialog, orbit = self.park(P1)
        failover(self.dep, wait=False)
        caller.byes.get(timeout=5)
        self.assertEqual(state(self.dep, P1)["parked"], [])
        self.assertEqual(state(self.dep, P2)["parked"], [])
        status, warning = self.refused_park(P2)
        self.assertEqual(status, 480)
        self.assertIn("resiliency_mode", warning)
        wait_phase(self.dep, P2, P1, "failed_over")

    def test_parked__during_failback(self):
        """The parked call remains parked through failback and after it,
        hearing its music, and is retrieved at the backup pool."""
        failover(self.dep)
        caller, dialog, orbit = self.park(P2)
        failback(self.dep, wait=False)
        self.assertEqual(len(state(self.dep, P2)["parked"]), 1)
        wait_phase(self.dep, P2, P1, "normal")
        self.assertTrue(quiet(caller, 0.3))
        self.assertGreaterEqual(len(caller.rtp_packets(10, timeout=2)), 10)
        status, _, _ = call(self.dep, P2, RETRIEVER, orbit, hold_ms=300)
        self.assertEqual(status, 200)
        caller.byes.get(timeout=5)  # the retriever hung up: so does the bridge

    def test_retrieved__when_outage_occurs(self):
        """Nothing ends the retrieved call: no BYE reaches its phones and the
        backup pool does nothing about it. (Its RTP went through the dead
        pool's relay: that audio is gone with the process, see sip.md.)"""
        caller, _, retriever, _, parked = self.retrieved_call(P1)
        self.outage()
        self.assertTrue(quiet(caller, 0.5))
        self.assertTrue(quiet(retriever, 0.1))
        self.assertEqual(state(self.dep, P2)["parked"], [])

    def test_retrieved__during_failover(self):
        """The retrieved call remains connected through failover, audio both
        ways; the call still parked is hung up."""
        caller, caller_media, retriever, retriever_media, parked = self.retrieved_call(P1)
        failover(self.dep)
        parked.byes.get(timeout=5)
        self.assertTrue(quiet(caller, 0.1))
        self.assertTrue(quiet(retriever, 0.1))
        a, b = exchange_rtp(caller, caller_media, retriever, retriever_media)
        self.assertGreaterEqual(min(a, b), 3)

    def test_retrieved__during_failback(self):
        """The retrieved call remains connected through failback, audio both
        ways; the call still parked stays parked."""
        failover(self.dep)
        caller, caller_media, retriever, retriever_media, parked = self.retrieved_call(P2)
        failback(self.dep)
        self.assertTrue(quiet(caller, 0.3))
        self.assertTrue(quiet(retriever, 0.1))
        self.assertTrue(quiet(parked, 0.1))
        self.assertEqual(len(state(self.dep, P2)["parked"]), 1)
        a, b = exchange_rtp(caller, caller_media, retriever, retriever_media)
        self.assertGreaterEqual(min(a, b), 3)


if __name__ == "__main__":
    unittest.main()
