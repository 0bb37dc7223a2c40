"""The SIP edge in the console (issue 13): the Parked and Queues views say
who carries each call (VIA: sip for a SIP phone's call, api for an
orbit.v1 endpoint's), and the Pool view shows the pool's SIP edge, its
address and its counters from GET /v1/sip, kept fresh while shown."""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))

from console_base import ConsoleTest  # noqa: E402
from orbit_testlib import USER1, cmd, state, wait_until  # noqa: E402
from sip_pool import SipPhones, sip_port  # noqa: E402

PARKER = "user1-001"  # homed on pool1
CALLER = "user2-001"  # homed on pool2
CALLEE = "user1-002"  # pool1, group 17000


class SipConsoleTest(SipPhones, ConsoleTest):
    POOLS = 2
    SIM = None


    def test_views_tell_sip_calls_from_api_calls_and_the_pool_view_counts_them(self):
        # A SIP phone parks itself on behalf of PARKER; an orbit.v1
        # endpoint parks another call.
        caller = self.phone(CALLER)
        port = sip_port(self.dep, 0)
        resp, dialog = caller.invite("sip:park@127.0.0.1:%d" % port, port,
                                     extra="Referred-By: <sip:%s@example.net>\r\n" % PARKER)
        self.assertEqual(resp.status, 200, resp.first)
        status, body, _ = cmd(self.dep, "call.park",
                              {"call_id": "api-park-1", "parker": USER1,
                               "parkee": "tel:+15550100"}, role="endpoint")
        self.assertEqual(status, 200, body)
        parked = wait_until(lambda: len(state(self.dep, 0)["parked"]) == 2 and
                            state(self.dep, 0)["parked"], what="both calls parked")
        by_transport = {p["transport"]: p["orbit"] for p in parked}
        self.assertEqual(set(by_transport), {"sip", "api"})
        # A SIP call ringing in a pickup group, beside the parked ones.
        callee = self.phone(CALLEE)
        self.assertEqual(callee.register(port).status, 200)
        ringer = self.phone(CALLER)
        ringer.start_invite("sip:%s@127.0.0.1:%d" % (CALLEE, port), port)
        ringing = callee.wait_request("INVITE")
        callee.reply(ringing, 180, "Ringing", to_tag="ca11ee")
        wait_until(lambda: state(self.dep, 0)["queues"], what="the queued call")

        c = self.console(cols=140, rows=40)
        c.wait_for(r"2/2 pools connected")
        c.keys("3")
        screen = c.wait_all([r"VIA", rf"(?m){by_transport['sip']}\s.*\ssip\s*$",
                             rf"(?m){by_transport['api']}\s.*\sapi\s*$"])
        rows = [l for l in screen.splitlines() if by_transport["sip"] in l]
        self.assertRegex(rows[0], r"\bsip\s*$")
        c.keys("4")
        c.wait_all([r"VIA", r"(?m)^17000\s.*\ssip\s*$"])

        # The Pool view of pool1: its edge and what it counted.
        c.keys("5")
        screen = c.wait_all([r"SIP edge", rf"address\s+{self.dep.pool(0)['sip']}, digest",
                             r"now\s+1 registered, [1-9]\d* call legs",
                             r"calls since start\s+1 parked, 0 retrieved"])
        legs = int(re.search(r"registered, (\d+) call legs", screen).group(1))
        # Kept fresh: the parked caller hangs up, its leg goes.
        caller.bye(dialog)
        wait_until(lambda: len(state(self.dep, 0)["parked"]) == 1, what="the SIP call gone")
        c.wait_for(rf"now\s+1 registered, {legs - 1} call legs", timeout=10)

    def test_at_80_columns_the_parked_view_keeps_its_first_columns(self):
        # VIA is the last column: at 80 columns it is the one left out.
        status, body, _ = cmd(self.dep, "call.park",
                              {"call_id": "api-park-2", "parker": USER1,
                               "parkee": "tel:+15550100"}, role="endpoint")
        self.assertEqual(status, 200, body)
        c = self.console()
        c.wait_for(r"2/2 pools connected")
        c.keys("3")
        screen = c.wait_all([r"ORBIT", r"RING-BACK", r"api-park-2|1\d{4}"])
        self.assertNotIn("VIA", screen)


if __name__ == "__main__":
    unittest.main()
