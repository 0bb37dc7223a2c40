"""Hostile SIP and RTP: each is answered or dropped, counted, and the
edge keeps serving (an OPTIONS afterwards is still answered)."""

import socket
import time
import unittest

from sip_testlib import EdgeHost, EdgeTest, UA, base_config, free_udp_port, sdp_media


def options_ok(test, ua=None):
    ua = ua or test.ua("probe")
    req = ua.request("OPTIONS", "sip:127.0.0.1:%d" % test.port, test.port)
    return ua.final(req).status == 200


class Malformed(EdgeTest):
    host_args = ("--max-message", "4096")
    def test_garbage_is_dropped_and_the_edge_keeps_serving(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for junk in (b"garbage\r\n\r\n", b"\x00" * 300, b"INVITE\r\n\r\n", bytes(range(256)) * 8):
            s.sendto(junk, ("127.0.0.1", self.port))
        s.close()
        self.assertTrue(options_ok(self))

    def test_requests_without_a_user_are_answered_400_and_counted(self):
        ua = self.ua("alice")
        req = ua.request("REGISTER", "sip:127.0.0.1:%d" % self.port, self.port,
                         to="<sip:example.net>")
        self.assertEqual(ua.final(req).status, 400)
        req = ua.request("INVITE", "sip:127.0.0.1:%d" % self.port, self.port, body=ua.sdp())
        self.assertEqual(ua.final(req).status, 400)
        self.assertEqual(self.host.counters()["malformed"], 2)
        self.assertTrue(options_ok(self))

    def test_invite_without_usable_sdp_is_refused_488(self):
        ua = self.ua("bob")
        req = ua.request("INVITE", "sip:park@127.0.0.1:%d" % self.port, self.port)
        self.assertEqual(ua.final(req).status, 488)
        g729 = ua.sdp().replace("RTP/AVP 0", "RTP/AVP 18").replace("0 PCMU", "18 G729")
        req = ua.request("INVITE", "sip:park@127.0.0.1:%d" % self.port, self.port, body=g729)
        self.assertEqual(ua.final(req).status, 488)
        self.assertNotIn("op call.park", "\n".join(self.host.lines))

    def test_huge_headers_get_513(self):
        ua = self.ua("alice")
        junk = "X-Junk: %s\r\n" % ("a" * 6000)
        req = ua.request("OPTIONS", "sip:127.0.0.1:%d" % self.port, self.port, extra=junk)
        self.assertEqual(ua.final(req).status, 513)
        self.assertEqual(self.host.counters()["malformed"], 1)
        # Past what libre reads from one datagram: dropped whole.
        ua.request("OPTIONS", "sip:127.0.0.1:%d" % self.port, self.port,
                   extra="X-Junk: %s\r\n" % ("a" * 60000))
        self.assertTrue(options_ok(self))

    def test_huge_and_endless_messages_over_tcp_do_not_hurt(self):
        for junk in (b"OPTIONS sip:x SIP/2.0\r\nX-Junk: " + b"a" * 200000 + b"\r\n\r\n",
                     b"\x00\xff" * 50000, b"INVITE sip:x SIP/2.0\r\nContent-Length: 999999\r\n\r\nabc"):
            c = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            try:
                c.sendall(junk)
            except OSError:
                pass  # the edge may close on us mid-way: fine
            c.close()
        self.assertTrue(options_ok(self))

    def test_register_for_a_user_of_another_pool_is_redirected_and_counted(self):
        ua = self.ua("dave")
        self.assertEqual(ua.register(self.port).status, 301)
        c = self.host.counters()
        self.assertEqual(c["foreign_register"], 1)
        self.assertEqual(c["registrations"], 0)

    def test_unknown_request_uri_is_404(self):
        ua = self.ua("alice")
        resp, _ = ua.invite("sip:nobody@127.0.0.1:%d" % self.port, self.port)
        self.assertEqual(resp.status, 404)


class Flood(EdgeTest):
    host_args = ("--max-new", "20")

    def test_invite_flood_from_one_source_is_shed(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        for i in range(200):
            msg = ("INVITE sip:nobody@127.0.0.1:%d SIP/2.0\r\n"
                   "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKflood%d\r\n"
                   "From: <sip:mallory@example.net>;tag=%d\r\nTo: <sip:nobody@example.net>\r\n"
                   "Call-ID: flood%d\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
                   "Content-Length: 0\r\n\r\n" % (self.port, port, i, i, i))
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
        c = self.host.counters()
        self.assertGreaterEqual(c["flood_dropped"], 100)
        self.assertLessEqual(answers, 60)
        # Another source is served meanwhile, this one again a second later.
        other = UA("probe")
        other.sock.close()
        other.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        other.sock.bind(("127.0.0.2", 0))
        other.port = other.sock.getsockname()[1]
        other.thread = __import__("threading").Thread(target=other._loop, daemon=True)
        other.thread.start()
        self.uas.append(other)
        self.assertTrue(options_ok(self, other))
        time.sleep(1.1)
        self.assertTrue(options_ok(self))


class DialogCap(EdgeTest):
    host_args = ("--max-dialogs", "2")

    def test_invites_past_the_dialog_cap_get_503_retry_after(self):
        dialogs = []
        for user in ("bob", "carol"):
            ua = self.ua(user)
            resp, dialog = ua.invite("sip:park@127.0.0.1:%d" % self.port, self.port,
                                     extra="Referred-By: <sip:alice@example.net>\r\n")
            self.assertEqual(resp.status, 200)
            dialogs.append((ua, dialog))
        third = self.ua("alice")
        resp, _ = third.invite("sip:park@127.0.0.1:%d" % self.port, self.port)
        self.assertEqual(resp.status, 503)
        self.assertIsNotNone(resp.get("retry-after"))
        self.assertIn("rate_limited", resp.get("warning"))
        for ua, dialog in dialogs:
            ua.bye(dialog)


class Media(EdgeTest):
    host_args = ("--media-timeout", "1500")

    def test_rtp_from_a_foreign_address_is_dropped_and_counted(self):
        ua = self.ua("bob")
        resp, dialog = ua.invite("sip:park@127.0.0.1:%d" % self.port, self.port,
                                 extra="Referred-By: <sip:alice@example.net>\r\n")
        self.assertEqual(resp.status, 200)
        leg = sdp_media(dialog["answer"])
        stranger = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        stranger.bind(("127.0.0.2", 0))
        for i in range(5):
            stranger.sendto(b"\x80\x00" + bytes(170), leg)
        # RTP to a port of the range where no call is: nothing listens.
        stranger.sendto(b"\x80\x00" + bytes(170), ("127.0.0.1", leg[1] + 2))
        stranger.close()
        time.sleep(0.3)
        self.assertEqual(self.host.counters()["rtp_foreign"], 5)
        ua.bye(dialog)

    def test_a_silent_call_is_torn_down_after_media_timeout(self):
        ua = self.ua("bob")
        resp, dialog = ua.invite("sip:park@127.0.0.1:%d" % self.port, self.port,
                                 extra="Referred-By: <sip:alice@example.net>\r\n")
        self.assertEqual(resp.status, 200)
        ua.byes.get(timeout=5)
        self.assertTrue(self.host.wait_op("call.hangup")["ok"])
        self.assertEqual(self.host.counters()["media_timeouts"], 1)


if __name__ == "__main__":
    unittest.main()
