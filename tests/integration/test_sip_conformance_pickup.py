"""Group Call Pickup through failover and failback over SIP, one test per
cell of the table in 002_74bfdaef69ee923d.txt, on two real paired orbitd
processes with their SIP edges (the orbit.v1 twin is
test_conformance_pickup.py). Rows: new calls, calls in the pickup queue,
established calls. Columns: failover, failback. A call to a user rings
at the pool serving the user; it can be picked up there only when that
pool holds the group's range and the users are out of resiliency. sipp
dials the group number (the picker's phone); the test's UAs are the
callers and the callee's phone."""

import unittest

from orbit_testlib import (P1, P2, DeploymentTest, failback, failover, redirect_pickup,
                           state, wait_phase, wait_until)
from sip_pool import SipPhones, call, exchange_rtp, quiet, sdp_media, sip_port

GROUP = "17000"
CALLEE = "user1-001"  # homed on pool1, group 17000
PICKER = "user1-002"  # same group
CALLERS = ("user2-001", "user2-002", "user2-003")  # homed on pool2


def queue_ids(dep, pool):
    for q in state(dep, pool)["queues"]:
        if q["group"] == GROUP:
            return [c["call_id"] for c in q["calls"]]
    return []


class SipPickupConformance(SipPhones, DeploymentTest):
    # Phases of 1 s, and 6 s of ringing before voicemail: room for the
    # steps of a test between a call's first ring and its end.
    CLOCK_SCALE = 5.0
    PHASE_SECONDS = 5.0
    USERS = 12


    def callee_at(self, pool):
        """The callee's phone, registered with pool."""
        ua = self.phone(CALLEE)
        self.assertEqual(ua.register(sip_port(self.dep, pool)).status, 200)
        return ua

    def ring(self, pool, callee_phone, caller_user=CALLERS[0]):
        """A caller calls the callee at pool; the callee's phone rings
        (180). Returns (caller UA, its INVITE, the fork at the callee)."""
        caller = self.phone(caller_user)
        port = sip_port(self.dep, pool)
        req = caller.start_invite("sip:%s@127.0.0.1:%d" % (CALLEE, port), port)
        fork = callee_phone.wait_request("INVITE")
        callee_phone.reply(fork, 180, "Ringing", to_tag="r%s" % caller_user[-3:])
        return caller, req, fork

    def pick(self, pool, hold_ms=300):
        status, warning, _ = call(self.dep, pool, PICKER, GROUP, hold_ms=hold_ms)
        return status, warning

    def test_new_calls__failover(self):
        """No pickup in resiliency mode; after failover, pickup works once
        the users are out of resiliency AND their GroupPickup ranges are
        redirected to the backup pool."""
        failover(self.dep, wait=False)
        status, warning = self.pick(P1)
        self.assertEqual(status, 480)
        self.assertIn("pickup_unavailable", warning)
        wait_phase(self.dep, P2, P1, "failed_over")
        # Out of resiliency, range not redirected: the call rings the
        # callee at pool2, where the group is not held: not pickable.
        callee = self.callee_at(P2)
        caller, req, _ = self.ring(P2, callee)
        self.assertEqual(queue_ids(self.dep, P2), [])
        status, _ = self.pick(P2)
        self.assertEqual(status, 302)  # the group number is pool1's
        status, warning = self.pick(P1)
        self.assertEqual(status, 404)  # nothing to pick up there
        redirect_pickup(self.dep, P1, P2)
        caller2, req2, _ = self.ring(P2, callee, CALLERS[1])
        wait_until(lambda: queue_ids(self.dep, P2), what="the call queued at pool2")
        status, _ = self.pick(P2)
        self.assertEqual(status, 200)
        self.assertEqual(caller2.final(req2).status, 200)

    def test_new_calls__failback(self):
        """No pickup in resiliency mode; after failback, pickup works once
        the ranges are redirected back to the home pool."""
        failover(self.dep)
        redirect_pickup(self.dep, P1, P2)
        failback(self.dep, wait=False)
        status, warning = self.pick(P2)
        self.assertEqual(status, 480)
        self.assertIn("pickup_unavailable", warning)
        wait_phase(self.dep, P2, P1, "normal")
        callee = self.callee_at(P1)
        self.ring(P1, callee)
        self.assertEqual(queue_ids(self.dep, P1), [])
        status, _ = self.pick(P1)
        self.assertEqual(status, 302)  # the group is still pool2's
        redirect_pickup(self.dep, P2, P1, at=P1)
        caller2, req2, _ = self.ring(P1, callee, CALLERS[1])
        wait_until(lambda: queue_ids(self.dep, P1), what="the call queued at pool1")
        status, _ = self.pick(P1)
        self.assertEqual(status, 200)
        self.assertEqual(caller2.final(req2).status, 200)

    def test_queued_calls__failover(self):
        """Calls in the queue cannot be answered by pickup during failover;
        none are left after it: the caller is told 480 with the reason."""
        callee = self.callee_at(P1)
        caller, req, _ = self.ring(P1, callee)
        wait_until(lambda: queue_ids(self.dep, P1), what="the queued call")
        failover(self.dep, wait=False)
        status, warning = self.pick(P1)
        self.assertEqual(status, 480)
        self.assertIn("pickup_unavailable", warning)
        wait_phase(self.dep, P2, P1, "failed_over")
        resp = caller.final(req)
        self.assertEqual(resp.status, 480)
        self.assertIn("failover_complete", resp.get("warning"))
        callee.cancels.get(timeout=5)  # the phone stops ringing
        self.assertEqual(queue_ids(self.dep, P1), [])
        self.assertEqual(queue_ids(self.dep, P2), [])

    def test_queued_calls__failback(self):
        """Calls in the queue cannot be answered by pickup during failback,
        nor after it; the callee can still answer."""
        failover(self.dep)
        redirect_pickup(self.dep, P1, P2)
        callee = self.callee_at(P2)
        caller, req, fork = self.ring(P2, callee)
        wait_until(lambda: queue_ids(self.dep, P2), what="the queued call")
        failback(self.dep, wait=False)
        status, warning = self.pick(P2)
        self.assertEqual(status, 480)
        self.assertIn("pickup_unavailable", warning)
        wait_phase(self.dep, P2, P1, "normal")
        self.assertEqual(len(queue_ids(self.dep, P2)), 1)  # still queued...
        status, warning = self.pick(P2)
        self.assertEqual(status, 480)  # ...but not for pickup
        self.assertIn("pickup_unavailable", warning)
        callee.answer(fork)
        self.assertEqual(caller.final(req).status, 200)
        wait_until(lambda: not queue_ids(self.dep, P2), what="the answered call to leave")

    def established(self, pool):
        """At pool, one call answered by the callee, one by pickup, and one
        still ringing: [(caller UA, its media, the other party UA, its
        media)] for the two established, and the ringing caller's UA and
        INVITE."""
        callee = self.callee_at(pool)
        caller, req, fork = self.ring(pool, callee, CALLERS[0])
        callee.answer(fork)
        answer = caller.final(req)
        self.assertEqual(answer.status, 200)
        caller.ack(req, answer)
        by_callee = (caller, sdp_media(answer.body), callee, sdp_media(fork.body))
        # The one picked up: a UA in the picker's role holds it open.
        callee2 = self.phone(CALLEE)  # a second phone of the callee's, ringing
        self.assertEqual(callee2.register(sip_port(self.dep, pool)).status, 200)
        caller2 = self.phone(CALLERS[1])
        port = sip_port(self.dep, pool)
        req2 = caller2.start_invite("sip:%s@127.0.0.1:%d" % (CALLEE, port), port)
        for ua in (callee, callee2):
            ua.reply(ua.wait_request("INVITE"), 180, "Ringing", to_tag="r2")
        picker = self.phone(PICKER)
        resp, pdialog = picker.invite("sip:%s@127.0.0.1:%d" % (GROUP, port), port)
        self.assertEqual(resp.status, 200)
        answer2 = caller2.final(req2)
        self.assertEqual(answer2.status, 200)
        caller2.ack(req2, answer2)
        by_pickup = (caller2, sdp_media(answer2.body), picker, sdp_media(pdialog["answer"]))
        for call_ in (by_callee, by_pickup):
            a, b = exchange_rtp(*call_)
            self.assertGreaterEqual(min(a, b), 3)
        # Last, as it rings for 6 s only before voicemail.
        caller3 = self.phone(CALLERS[2])
        req3 = caller3.start_invite("sip:%s@127.0.0.1:%d" % (CALLEE, port), port)
        for ua in (callee, callee2):
            ua.reply(ua.wait_request("INVITE"), 180, "Ringing", to_tag="r3")
        wait_until(lambda: queue_ids(self.dep, pool), what="the ringing call queued")
        return [by_callee, by_pickup], caller3, req3

    def assert_still_talking(self, calls):
        for caller, caller_media, other, other_media in calls:
            self.assertTrue(quiet(caller, 0.2))
            self.assertTrue(quiet(other, 0.05))
            a, b = exchange_rtp(caller, caller_media, other, other_media)
            self.assertGreaterEqual(min(a, b), 3)

    def test_established_calls__failover(self):
        """Established calls stay connected through failover; the one still
        ringing is dropped."""
        calls, ringing, req = self.established(P1)
        failover(self.dep)
        resp = ringing.final(req)
        self.assertEqual(resp.status, 480)
        self.assertIn("failover_complete", resp.get("warning"))  # dropped, not voicemail
        self.assert_still_talking(calls)

    def test_established_calls__failback(self):
        """Established calls stay connected through failback; the one still
        ringing keeps ringing (it can no longer be picked up)."""
        failover(self.dep)
        redirect_pickup(self.dep, P1, P2)
        calls, ringing, req = self.established(P2)
        failback(self.dep)
        q = next(q for q in state(self.dep, P2)["queues"] if q["group"] == GROUP)
        self.assertFalse(q["calls"][0]["pickable"])
        self.assertTrue(all(r.status < 200 for r in list(ringing.responses.queue)))
        self.assert_still_talking(calls)


if __name__ == "__main__":
    unittest.main()
