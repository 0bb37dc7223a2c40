"""orbit-sim --sip against two pools' SIP edges (each on the fake
engine): phones register (two are sent on by a 301 to the pool serving
them), park by blind transfer, retrieve, pick up, with RTP both ways."""

import json
import os
import subprocess
import tempfile
import unittest

from sip_testlib import BUILD, POOL1, POOL2, EdgeHost, free_udp_port

SIM = os.path.join(BUILD, "tools", "orbit-sim")


class SimSip(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="orbit-simsip-")
        p1, p2 = free_udp_port(), free_udp_port()
        users = [{"uri": "sip:u%d@example.net" % i, "home": POOL1, "password": "pw%d" % i}
                 for i in range(1, 9)]
        for u in users[:4]:
            u["group"] = "17000"
        for u in users[6:]:
            u["serving"] = POOL2  # failed over: pool1 answers their REGISTER with 301
        pools = [{"fqdn": POOL1, "sip": "sip:127.0.0.1:%d" % p1},
                 {"fqdn": POOL2, "sip": "sip:127.0.0.1:%d" % p2}]
        ranges = [{"start": "11000", "end": "11009", "pool": POOL1, "type": "CallPark"},
                  {"start": "12000", "end": "12009", "pool": POOL2, "type": "CallPark"},
                  {"start": "17000", "end": "17009", "pool": POOL1, "type": "GroupPickup"}]
        settings = {"threshold_ms": 60000, "ring_ms": 20000}
        self.hosts = []
        for me in (POOL1, POOL2):
            config = {"self": me, "pools": pools if me == POOL1 else pools[::-1],
                      "users": users, "ranges": ranges, "settings": settings}
            # libre 1.1, the phones' stack (and baresip's), fails on any
            # challenge but MD5, even beside an MD5 one (docs/sip.md).
            self.hosts.append(EdgeHost(config, ("--digest", "--digest-offer", "md5")))
        self.deployment = os.path.join(self.dir, "deployment.json")
        passwords = os.path.join(self.dir, "sip-passwords")
        with open(passwords, "w") as f:
            f.writelines("%s %s\n" % (u["uri"], u["password"]) for u in users)
        with open(self.deployment, "w") as f:
            json.dump({"pools": pools, "sip_passwords": passwords}, f)
        with open(os.path.join(self.dir, "topology.json"), "w") as f:
            json.dump({"users": [{"uri": u["uri"], "home": u["home"]} for u in users],
                       "groups": [{"number": "17000", "members": [u["uri"] for u in users[:4]]}]},
                      f)

    def tearDown(self):
        for host in self.hosts:
            alive = host.alive()
            rc, err = host.stop()
            self.assertTrue(alive, err[-2000:])
            self.assertEqual(rc, 0, err[-2000:])

    def test_phones_park_retrieve_and_pick_up_over_sip(self):
        r = subprocess.run([SIM, "--sip", "--deployment", self.deployment, "--duration", "10",
                            "--calls", "2", "--hold", "1", "--seed", "7", "--json"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual(out["registered"], 8, out)
        self.assertEqual(out["redirected"], 2, out)
        self.assertEqual(out["failed"], 0, r.stderr)
        self.assertGreaterEqual(out["completed"], 3, out)
        self.assertGreaterEqual(out["parks"], 1, out)
        self.assertGreaterEqual(out["retrieves"], 1, out)
        self.assertGreaterEqual(out["pickups"], 1, out)
        self.assertGreater(out["rtp_in"], 100, out)
        self.assertGreater(out["rtp_out"], 100, out)


if __name__ == "__main__":
    unittest.main()
