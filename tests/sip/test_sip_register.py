"""Registration and digest authentication on the SIP edge, driven by
sipp (Debian's sip-tester) and, for SHA-256, the test's own UA."""

import unittest

from sip_testlib import EdgeTest, run_sipp


class Register(EdgeTest):
    def test_served_user_gets_200_and_binding(self):
        rc, trace = run_sipp("register", self.port, service="alice")
        self.assertEqual(rc, 0, trace)
        c = self.host.counters()
        self.assertEqual(c["registrations"], 1)
        self.assertEqual(c["register_ok"], 1)

    def test_served_user_registers_over_tcp(self):
        rc, trace = run_sipp("register", self.port, service="bob", args=("-t", "t1"))
        self.assertEqual(rc, 0, trace)
        self.assertIn("SIP/2.0/TCP", trace)
        self.assertEqual(self.host.counters()["registrations"], 1)

    def test_user_served_elsewhere_gets_301_to_that_pool(self):
        other = int(self.config["pools"][1]["sip"].rsplit(":", 1)[1])
        rc, trace = run_sipp("register_moved", self.port, service="dave",
                             keys={"moved_port": other})
        self.assertEqual(rc, 0, trace)
        self.assertIn("Contact: <sip:127.0.0.1:%d>" % other, trace)
        c = self.host.counters()
        self.assertEqual(c["registrations"], 0)
        self.assertEqual(c["register_moved"], 1)
        self.assertEqual(c["foreign_register"], 1)

    def test_unknown_user_gets_404(self):
        rc, trace = run_sipp("register_unknown", self.port, service="mallory")
        self.assertEqual(rc, 0, trace)
        self.assertEqual(self.host.counters()["register_unknown"], 1)

    def test_binding_ends_at_zero_expiry(self):
        ua = self.ua("alice")
        self.assertEqual(ua.register(self.port, expires=60).status, 200)
        self.assertEqual(self.host.counters()["registrations"], 1)
        resp = ua.register(self.port, expires=0)
        self.assertEqual(resp.status, 200, resp.first)
        self.assertEqual(resp.all("contact"), [])
        self.assertEqual(self.host.counters()["registrations"], 0)


class DigestMd5(EdgeTest):
    host_args = ("--digest", "--digest-offer", "md5")

    def test_sipp_registers_after_md5_challenge(self):
        rc, trace = run_sipp("register_digest", self.port, service="alice",
                             args=("-au", "alice", "-ap", "alicepw"))
        self.assertEqual(rc, 0, trace)
        self.assertIn("algorithm=MD5", trace)
        c = self.host.counters()
        self.assertEqual(c["registrations"], 1)
        self.assertEqual(c["auth_challenges"], 1)

    def test_wrong_password_is_refused(self):
        rc, trace = run_sipp("register_digest_wrong", self.port, service="alice",
                             args=("-au", "alice", "-ap", "not-the-password"))
        self.assertEqual(rc, 0, trace)
        c = self.host.counters()
        self.assertEqual(c["registrations"], 0)
        self.assertEqual(c["auth_failures"], 1)

    def test_invite_without_credentials_parks_nothing(self):
        ua = self.ua("bob")  # no password
        resp, _ = ua.invite("sip:park@127.0.0.1:%d" % self.port, self.port,
                            extra="Referred-By: <sip:alice@example.net>\r\n")
        self.assertEqual(resp.status, 401)
        self.assertNotIn("op call.park", "\n".join(self.host.lines))


class DigestSha256(EdgeTest):
    host_args = ("--digest",)

    def test_sha256_is_offered_first_and_accepted(self):
        ua = self.ua("alice", password="alicepw")
        req = ua.request("REGISTER", "sip:127.0.0.1:%d" % self.port, self.port,
                         to="<sip:alice@example.net>")
        chal = ua.final(req)
        self.assertEqual(chal.status, 401)
        offered = chal.all("www-authenticate")
        self.assertEqual(len(offered), 2)
        self.assertIn("algorithm=SHA-256", offered[0])
        self.assertIn("algorithm=MD5", offered[1])
        self.assertEqual(ua.register(self.port, algorithm="SHA-256").status, 200)
        self.assertEqual(self.host.counters()["registrations"], 1)

    def test_sha256_with_wrong_password_is_refused(self):
        ua = self.ua("alice", password="wrong")
        self.assertEqual(ua.register(self.port, algorithm="SHA-256").status, 403)

    def test_invite_is_challenged_and_parks_with_credentials(self):
        ua = self.ua("bob", password="bobpw")
        resp, dialog = ua.invite("sip:park@127.0.0.1:%d" % self.port, self.port,
                                 extra="Referred-By: <sip:alice@example.net>\r\n")
        self.assertEqual(resp.status, 200)
        self.assertTrue(self.host.wait_op("call.park")["ok"])
        ua.bye(dialog)


if __name__ == "__main__":
    unittest.main()
