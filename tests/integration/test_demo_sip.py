"""orbit-demo's SIP records: every user has a password in sip-passwords
(mode 0600) whose HA1s are the topology's, and every pool a SIP address
at P+100+K in deployment.json."""

import hashlib
import json
import os
import unittest

from orbit_testlib import DeploymentTest


class DemoSipTest(DeploymentTest):
    USERS = 5

    def test_passwords_match_the_topology_ha1s_and_pools_have_sip_addresses(self):
        info = self.dep.info
        path = info["sip_passwords"]
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        with open(path) as f:
            passwords = dict(line.split() for line in f)
        with open(os.path.join(self.dep.dir, "topology.json")) as f:
            users = json.load(f)["users"]
        self.assertEqual(sorted(passwords), sorted(u["uri"] for u in users))
        for u in users:
            name, realm = u["uri"][4:].split("@")
            a1 = "%s:%s:%s" % (name, realm, passwords[u["uri"]])
            self.assertEqual(u["sip_ha1_md5"], hashlib.md5(a1.encode()).hexdigest())
            self.assertEqual(u["sip_ha1_sha256"], hashlib.sha256(a1.encode()).hexdigest())
        for k, pool in enumerate(info["pools"], start=1):
            self.assertEqual(pool["sip"], "sip:127.0.0.1:%d" % (self.dep.base + 100 + k))


if __name__ == "__main__":
    unittest.main()
