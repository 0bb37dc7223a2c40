"""orbit-demo's SIP records: every user has a password in sip-passwords
(mode 0600) whose HA1s are the topology's, and every pool a SIP address
at P+100+K in deployment.json where its edge listens; its default
simulator is SIP phones, whose calls the pools show as SIP calls."""

import hashlib
import json
import os
import unittest

from orbit_testlib import Deployment, DeploymentTest, program, state, wait_until
from sip_pool import sip_counter


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


class DemoSipSimTest(unittest.TestCase):
    def test_the_default_simulator_parks_and_picks_up_over_sip(self):
        dep = Deployment(pools=2, users=10, clock_scale=10.0, sim="sip")
        self.addCleanup(dep.down)
        with open("/proc/%d/cmdline" % dep.info["sim"]["pid"]) as f:
            self.assertIn("--sip", f.read())
        wait_until(lambda: any(c["transport"] == "sip" for i in (0, 1)
                               for c in state(dep, i)["parked"]), timeout=20,
                   what="a call parked over SIP")
        wait_until(lambda: sum(sip_counter(dep, i, "orbit_sip_calls_total", flow="retrieve")
                               for i in (0, 1)) > 0, timeout=20, what="a retrieval over SIP")
        dep.run_demo([program("orbit-demo"), "down", dep.dir])
        with open(dep.info["sim"]["log"]) as f:
            log = f.read()
        self.assertIn("verdict: ok", log)


if __name__ == "__main__":
    unittest.main()
