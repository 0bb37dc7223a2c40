"""Call Park and Group Call Pickup over SIP on real pools made by
orbit-demo (digest authentication, MD5 challenges): sipp (Debian's
sip-tester) plays the phone under test, the test's own user agent the
other parties. Registration, digest, park by blind transfer, retrieve,
ring-back, the timeout URI, pickup, and the 301 after a failover."""

import unittest

from orbit_testlib import (P2, DeploymentTest, failback, failover, http, op_http, state,
                           wait_until)
from sip_pool import SipPhones, call, sip_counter, sip_port, sipp, start_sipp, wait_counter
from sip_testlib import run_sipp, sipp_trace

# Nothing here depends on the deployment store: run on SQLite only (see
# CMakeLists.txt); test_sip_transport.py and the SIP conformance tests
# cover both stores.
STORES = ("sqlite",)

PARKER = "user1-001"  # homed on pool1, group 17000
CALLEE = "user1-002"  # same group
PICKER = "user1-003"  # same group
CALLER = "user2-001"  # homed on pool2


class SipTest(SipPhones, DeploymentTest):
    USERS = 12


    def park(self, caller, parker=PARKER, pool=0):
        """The test's UA parks itself on behalf of parker; returns the
        dialog and the orbit."""
        port = sip_port(self.dep, pool)
        resp, dialog = caller.invite("sip:park@127.0.0.1:%d" % port, port,
                                     extra="Referred-By: <sip:%s@example.net>\r\n" % parker)
        self.assertEqual(resp.status, 200, resp.first)
        parked = wait_until(lambda: state(self.dep, pool)["parked"], what="the parked call")
        return dialog, parked[0]["orbit"]


class Registration(SipTest):
    def test_sipp_registers_with_digest_and_a_wrong_password_is_refused(self):
        rc, trace = sipp(self.dep, "register_digest", 0, PARKER)
        self.assertEqual(rc, 0, trace)
        self.assertIn('algorithm=MD5', trace)  # sip_digest_offer = md5
        self.assertIn('realm="example.net"', trace)
        rc, trace = sipp(self.dep, "register_digest_wrong", 0, PARKER, args=["-ap", "nope"])
        self.assertEqual(rc, 0, trace)
        self.assertEqual(sip_counter(self.dep, 0, "orbit_sip_register_total", result="ok"), 1)
        self.assertEqual(sip_counter(self.dep, 0, "orbit_sip_registrations"), 1)
        self.assertGreaterEqual(
            sip_counter(self.dep, 0, "orbit_sip_errors_total", kind="auth_failure"), 1)

    def test_digest_challenges_invite_and_register_without_credentials(self):
        ua = self.phone(PARKER)
        ua.password = None  # answers no challenge
        port = sip_port(self.dep, 0)
        resp = ua.register(port)
        self.assertEqual(resp.status, 401)
        self.assertIn("algorithm=MD5", resp.get("www-authenticate"))
        resp, _ = ua.invite("sip:park@127.0.0.1:%d" % port, port)
        self.assertEqual(resp.status, 401)
        self.assertEqual(state(self.dep, 0)["parked"], [])
        self.assertGreaterEqual(
            sip_counter(self.dep, 0, "orbit_sip_errors_total", kind="auth_challenge"), 2)
        # Unknown users are not challenged: there is nobody to be.
        rc, trace = run_sipp("register_unknown", sip_port(self.dep, 0), service="nobody")
        self.assertEqual(rc, 0, trace)

    def test_after_failover_register_is_redirected_301_to_the_serving_pool(self):
        self.assertEqual(self.phone(PARKER).register(sip_port(self.dep, 0)).status, 200)
        failover(self.dep)
        p2 = self.dep.pool(P2)["sip"]
        wait_until(lambda: sipp(self.dep, "register_moved", 0, PARKER)[0] == 0,
                   what="pool1 to redirect its user")
        rc, trace = sipp(self.dep, "register_moved", 0, PARKER)
        self.assertEqual(rc, 0, trace)
        self.assertIn("Contact: <%s>" % p2, trace)
        # The binding pool1 held was dropped with the directory change.
        self.assertEqual(sip_counter(self.dep, 0, "orbit_sip_registrations"), 0)
        rc, trace = sipp(self.dep, "register_digest", 1, PARKER)
        self.assertEqual(rc, 0, trace)
        self.assertGreaterEqual(
            sip_counter(self.dep, 0, "orbit_sip_errors_total", kind="foreign_register"), 1)
        # Failback: the other way round.
        failback(self.dep)
        wait_until(lambda: sipp(self.dep, "register_moved", 1, PARKER)[0] == 0,
                   what="pool2 to redirect back")
        rc, trace = sipp(self.dep, "register_digest", 0, PARKER)
        self.assertEqual(rc, 0, trace)


class Park(SipTest):
    def test_sipp_parks_the_other_party_by_blind_transfer(self):
        proc, workdir, port = start_sipp(self.dep, "transfer_to_park", 0, CALLEE, calls=2,
                                         args=["-d", "500"])
        registrar = self.phone(CALLEE)
        resp = registrar.register(sip_port(self.dep, 0),
                                  contact="sip:%s@127.0.0.1:%d" % (CALLEE, port))
        self.assertEqual(resp.status, 200)
        caller = self.phone(CALLER)
        pool = sip_port(self.dep, 0)
        resp, dialog = caller.invite("sip:%s@127.0.0.1:%d" % (CALLEE, pool), pool)
        self.assertEqual(resp.status, 200, resp.first)
        self.assertEqual(proc.wait(30), 0, sipp_trace(workdir))
        trace = sipp_trace(workdir)
        self.assertRegex(trace, r"Call parked at orbit 1\d{4}")
        parked = state(self.dep, 0)["parked"]
        self.assertEqual(len(parked), 1)
        self.assertEqual(parked[0]["parker"], "sip:%s@example.net" % CALLEE)
        self.assertEqual(parked[0]["parkee"], "sip:%s@example.net" % CALLER)
        self.assertEqual(parked[0]["transport"], "sip")
        self.assertIn(parked[0]["orbit"], trace)
        # The parked caller hears music on hold.
        self.assertGreaterEqual(len(caller.rtp_packets(25, timeout=3)), 25)
        # It hangs up: the orbit is free again (call.hangup).
        caller.bye(dialog)
        wait_until(lambda: not state(self.dep, 0)["parked"], what="the orbit freed")
        self.assertEqual(sip_counter(self.dep, 0, "orbit_sip_calls_total", flow="park"), 1)
        # GET /v1/sip tells the same, as JSON (the console's pool view).
        status, body, _ = http(self.dep, "/v1/sip", token=self.dep.token("viewer"), pool=0)
        self.assertEqual(status, 200, body)
        self.assertTrue(body["enabled"])
        self.assertEqual(body["uri"], self.dep.pool(0)["sip"])
        self.assertEqual(body["auth"], "digest")
        self.assertTrue(body["serving"])
        self.assertEqual(body["counters"]["parks"], 1)
        self.assertGreaterEqual(body["counters"]["registrations"], 1)
        self.assertEqual(http(self.dep, "/v1/sip", pool=0)[0], 401)

    def test_sipp_parked_by_invite_with_referred_by_hears_music(self):
        proc, workdir, _ = start_sipp(self.dep, "auth_call", 0, CALLER,
                                      keys={"target": "park", "parker": PARKER},
                                      args=["-d", "3000"])
        parked = wait_until(lambda: state(self.dep, 0)["parked"], what="the parked call")
        self.assertEqual(parked[0]["parker"], "sip:%s@example.net" % PARKER)
        wait_counter(self.dep, 0, "orbit_sip_rtp_packets_total", 50, direction="out")
        self.assertEqual(proc.wait(30), 0, sipp_trace(workdir))
        wait_until(lambda: not state(self.dep, 0)["parked"], what="the orbit freed")


class Retrieve(SipTest):
    def test_sipp_retrieves_and_an_empty_orbit_is_404(self):
        caller = self.phone(CALLER)
        dialog, orbit = self.park(caller)
        status, warning, trace = call(self.dep, 0, PICKER, orbit, hold_ms=500)
        self.assertEqual(status, 200, trace)
        # The retriever hung up: the pool hangs up on the caller it bridged.
        caller.byes.get(timeout=5)
        self.assertEqual(state(self.dep, 0)["parked"], [])
        status, warning, _ = call(self.dep, 0, PICKER, orbit)
        self.assertEqual(status, 404)
        self.assertIn("not_found", warning)
        self.assertEqual(sip_counter(self.dep, 0, "orbit_sip_calls_total", flow="retrieve"), 1)

    def test_an_orbit_of_another_pool_is_redirected_there(self):
        status, _, trace = call(self.dep, 0, PICKER, "21000")
        self.assertEqual(status, 302)
        self.assertIn("Contact: <sip:21000@127.0.0.1:%d>" % sip_port(self.dep, 1), trace)


class RingBack(SipTest):
    CLOCK_SCALE = 10.0  # the 10 s threshold lasts 1 s, a ring 2 s

    def test_sipp_parker_is_rung_back_and_bridged(self):
        r = op_http(self.dep, 0, "config.set", {"call_pickup_timeout_threshold": 10})
        self.assertTrue(r["ok"], r)
        proc, workdir, port = start_sipp(self.dep, "ringback_parker", 0, PARKER, calls=2,
                                         timeout=20)
        registrar = self.phone(PARKER)
        resp = registrar.register(sip_port(self.dep, 0),
                                  contact="sip:%s@127.0.0.1:%d" % (PARKER, port))
        self.assertEqual(resp.status, 200)
        caller = self.phone(CALLER)
        self.park(caller)
        self.assertEqual(proc.wait(30), 0, sipp_trace(workdir))
        # The parker answered the ring-back, talked and hung up.
        caller.byes.get(timeout=5)
        self.assertEqual(sip_counter(self.dep, 0, "orbit_sip_calls_total", flow="ringback"), 1)
        self.assertEqual(state(self.dep, 0)["parked"], [])


class TimeoutUri(SipTest):
    CLOCK_SCALE = 10.0

    def test_unretrieved_sipp_call_is_referred_to_the_timeout_uri(self):
        r = op_http(self.dep, 0, "config.set",
                    {"call_pickup_timeout_threshold": 10, "max_call_pickup_attempts": 1,
                     "on_timeout_uri": "sip:operator@127.0.0.1:9"})
        self.assertTrue(r["ok"], r)
        rc, trace = sipp(self.dep, "auth_parked_refer", 0, CALLER,
                         keys={"target": "park", "parker": PARKER}, timeout=20)
        self.assertEqual(rc, 0, trace)
        self.assertIn("Refer-To: <sip:operator@127.0.0.1:9>", trace)
        self.assertEqual(sip_counter(self.dep, 0, "orbit_sip_calls_total", flow="forward"), 1)


class Pickup(SipTest):
    def test_sipp_picks_up_a_call_ringing_in_its_group(self):
        callee = self.phone(CALLEE)
        self.assertEqual(callee.register(sip_port(self.dep, 0)).status, 200)
        caller = self.phone(CALLER)
        pool = sip_port(self.dep, 0)
        req = caller.start_invite("sip:%s@127.0.0.1:%d" % (CALLEE, pool), pool)
        ringing = callee.wait_request("INVITE")  # the callee's phone rings
        callee.reply(ringing, 180, "Ringing", to_tag="ca11ee")
        queued = wait_until(lambda: state(self.dep, 0)["queues"], what="the queued call")
        self.assertEqual(queued[0]["group"], "17000")
        self.assertEqual(queued[0]["calls"][0]["transport"], "sip")
        status, _, trace = call(self.dep, 0, PICKER, "17000", hold_ms=500)
        self.assertEqual(status, 200, trace)
        answer = caller.final(req)
        self.assertEqual(answer.status, 200)  # connected to the picker
        caller.ack(req, answer)
        callee.cancels.get(timeout=5)  # the callee's phone stops ringing
        self.assertEqual(sip_counter(self.dep, 0, "orbit_sip_calls_total", flow="pickup"), 1)
        status, warning, _ = call(self.dep, 0, PICKER, "17000")
        self.assertEqual(status, 404)
        self.assertIn("not_found", warning)


if __name__ == "__main__":
    unittest.main()
