"""Hostile SIP and RTP at a real pool: malformed and oversized messages,
an INVITE flood, REGISTER for another pool's users, RTP to ports where no
call is and from strangers. Each is answered or dropped and counted in
/metrics, while the pool keeps serving: a parked caller keeps its music,
phones still register, HTTP still answers."""

import socket
import threading
import time
import unittest

from orbit_testlib import DeploymentTest, http, state, wait_until
from sip_pool import phone, sdp_media, sip_counter, sip_port

# Nothing here depends on the deployment store: run on SQLite only (see
# CMakeLists.txt); test_sip_transport.py and the SIP conformance tests
# cover both stores.
STORES = ("sqlite",)

CALLER = "user2-001"
PARKER = "user1-001"


class SipHostile(DeploymentTest):
    USERS = 5

    def setUp(self):
        super().setUp()
        self.uas = []
        self.port = sip_port(self.dep, 0)

    def tearDown(self):
        for ua in self.uas:
            ua.close()

    def phone(self, user, address="127.0.0.1"):
        ua = phone(self.dep, user)
        if address != "127.0.0.1":
            # Another source address: the flood limit is per address.
            ua.running = False
            ua.thread.join(1)
            ua.sock.close()
            ua.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            ua.sock.bind((address, 0))
            ua.port = ua.sock.getsockname()[1]
            ua.running = True
            ua.thread = threading.Thread(target=ua._loop, daemon=True)
            ua.thread.start()
        self.uas.append(ua)
        return ua

    def parked_caller(self):
        ua = self.phone(CALLER)
        resp, dialog = ua.invite("sip:park@127.0.0.1:%d" % self.port, self.port,
                                 extra="Referred-By: <sip:%s@example.net>\r\n" % PARKER)
        self.assertEqual(resp.status, 200)
        wait_until(lambda: state(self.dep, 0)["parked"], what="the parked call")
        return ua, dialog

    def assert_still_serving(self, parked=None, address="127.0.0.2"):
        if parked:
            parked.rtp_packets(10000, timeout=0.05)
            self.assertGreaterEqual(len(parked.rtp_packets(10, timeout=2)), 10)
        ua = self.phone("user1-002", address)
        self.assertEqual(ua.register(self.port).status, 200)
        status, body, _ = http(self.dep, "/v1/health", pool=0)
        self.assertEqual(status, 200)
        self.assertTrue(self.dep.pool(0)["pid"] > 0)

    def test_malformed_and_oversized_sip_is_answered_or_dropped_and_counted(self):
        parked, _ = self.parked_caller()
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for junk in (b"garbage\r\n\r\n", b"\x00" * 300, b"INVITE\r\n\r\n",
                     bytes(range(256)) * 8):
            s.sendto(junk, ("127.0.0.1", self.port))
        s.close()
        ua = self.phone("user1-003")
        req = ua.request("REGISTER", "sip:127.0.0.1:%d" % self.port, self.port,
                         to="<sip:example.net>")
        self.assertEqual(ua.final(req).status, 400)  # no user to register
        # Over max_message_bytes (8,000) but within a datagram libre reads
        # whole (8,192): 513.
        sent = []
        real_send = ua.send
        ua.send = lambda text, addr: (sent.append(len(text)), real_send(text, addr))
        req = ua.request("OPTIONS", "sip:127.0.0.1:%d" % self.port, self.port,
                         extra="X-Junk: %s\r\n" % ("a" * 7800))
        ua.send = real_send
        self.assertTrue(8000 < sent[0] <= 8192, sent)
        self.assertEqual(ua.final(req).status, 513)
        # Past what libre reads of a datagram: dropped whole, unanswered.
        ua.request("OPTIONS", "sip:127.0.0.1:%d" % self.port, self.port,
                   extra="X-Junk: %s\r\n" % ("a" * 20000))
        for junk in (b"OPTIONS sip:x SIP/2.0\r\nX-Junk: " + b"a" * 200000 + b"\r\n\r\n",
                     b"\x00\xff" * 50000,
                     b"INVITE sip:x SIP/2.0\r\nContent-Length: 999999\r\n\r\nabc"):
            c = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            try:
                c.sendall(junk)
            except OSError:
                pass  # the edge may close on us mid-way
            c.close()
        self.assertGreaterEqual(
            sip_counter(self.dep, 0, "orbit_sip_errors_total", kind="malformed"), 2)
        self.assert_still_serving(parked)

    def test_an_invite_flood_is_shed_and_counted(self):
        parked, _ = self.parked_caller()
        time.sleep(1.1)  # a fresh second for this source's limit
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        me = s.getsockname()[1]
        for i in range(300):
            time.sleep(0.001)  # ~1,000/s: more than the limit, less than a full socket buffer
            msg = ("INVITE sip:park@127.0.0.1:%d SIP/2.0\r\n"
                   "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKflood%d\r\n"
                   "From: <sip:%s@example.net>;tag=%d\r\nTo: <sip:park@example.net>\r\n"
                   "Call-ID: flood%d\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
                   "Content-Length: 0\r\n\r\n" % (self.port, me, i, CALLER, i, i))
            s.sendto(msg.encode(), ("127.0.0.1", self.port))
        s.settimeout(0.5)
        answers = 0
        try:
            while True:
                s.recvfrom(65535)
                answers += 1
        except socket.timeout:
            pass
        s.close()
        self.assertGreaterEqual(
            sip_counter(self.dep, 0, "orbit_sip_errors_total", kind="flood"), 200)
        self.assertLessEqual(answers, 120)  # challenges, for what got through
        self.assertEqual(len(state(self.dep, 0)["parked"]), 1)  # nothing parked by it
        self.assert_still_serving(parked)

    def test_foreign_registers_and_stray_rtp_are_refused_and_counted(self):
        parked, dialog = self.parked_caller()
        # REGISTER for users another pool serves: 301 there, no binding.
        for user in ("user2-001", "user2-002", "user2-003"):
            self.assertEqual(self.phone(user).register(self.port).status, 301)
        self.assertEqual(
            sip_counter(self.dep, 0, "orbit_sip_errors_total", kind="foreign_register"), 3)
        self.assertEqual(sip_counter(self.dep, 0, "orbit_sip_registrations"), 0)
        leg = sdp_media(dialog["answer"])
        stranger = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        stranger.bind(("127.0.0.2", 0))
        for i in range(5):
            stranger.sendto(b"\x80\x00" + bytes(170), leg)  # not the caller's address
        # RTP to ports of the range where no call is: nothing listens.
        for offset in (2, 4, 6):
            stranger.sendto(b"\x80\x00" + bytes(170), ("127.0.0.1", leg[1] + offset))
        stranger.close()
        for junk in (b"not rtp", b"\x80\x7f" + bytes(170)):  # unknown payload type 127
            parked.rtp.sendto(junk, leg)
        wait_until(lambda: sip_counter(self.dep, 0, "orbit_sip_errors_total",
                                       kind="rtp_foreign") >= 5, what="foreign RTP counted")
        wait_until(lambda: sip_counter(self.dep, 0, "orbit_sip_errors_total",
                                       kind="rtp_malformed") >= 2, what="malformed RTP counted")
        self.assert_still_serving(parked)


if __name__ == "__main__":
    unittest.main()
