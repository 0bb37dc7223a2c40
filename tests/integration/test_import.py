"""Topology import: validated as a whole, refused whole, noticed live."""

import copy
import json
import os
import subprocess
import unittest

from orbit_testlib import Client, DeploymentTest, http, program, run


class ImportTest(DeploymentTest):

    def topology(self):
        with open(os.path.join(self.dep.dir, "topology.json")) as f:
            return json.load(f)

    def import_file(self, doc, replace=True, name="t.json"):
        path = os.path.join(self.dep.dir, name)
        with open(path, "w") as f:
            json.dump(doc, f)
        args = [program("orbitd"), "import", "--store", self.dep.info["store"], path]
        if replace:
            args.insert(4, "--replace")
        return subprocess.run(args, capture_output=True, text=True, timeout=30)

    def orbit_ids(self):
        status, body, _ = http(self.dep, "/v1/state", token=self.dep.token("viewer"))
        return sorted(o["identity"] for o in body["orbits"])

    def test_bad_files_are_refused_whole_and_change_nothing(self):
        before = self.orbit_ids()
        good = self.topology()
        cases = []
        doc = copy.deepcopy(good)
        doc["ranges"].append({"identity": "new-ok", "start": "99000", "end": "99009",
                              "pool": "pool1.north.example.net"})
        doc["ranges"].append({"identity": "clash", "start": "11100", "end": "11300",
                              "pool": "pool2.south.example.net"})
        cases.append((doc, "overlaps"))
        doc = copy.deepcopy(good)
        doc["pairs"].append(["pool1.north.example.net", "pool9.north.example.net"])
        cases.append((doc, "unknown pool"))
        doc = copy.deepcopy(good)
        doc["groups"][1]["members"].append(doc["groups"][0]["members"][0])
        cases.append((doc, "one group at most"))
        doc = copy.deepcopy(good)
        doc["groups"][0]["number"] = "11000"
        cases.append((doc, "GroupPickup"))
        doc = copy.deepcopy(good)
        doc["colour"] = "blue"
        cases.append((doc, "unknown field"))
        doc = copy.deepcopy(good)
        doc["users"][0]["home"] = "pool5.north.example.net"
        cases.append((doc, "unknown pool"))
        doc = copy.deepcopy(good)
        doc["users"][0]["sip_ha1_md5"] = "not-hex-" * 4
        cases.append((doc, "HA1"))
        doc = copy.deepcopy(good)
        doc["users"][0]["sip_ha1_sha256"] = "ab" * 16  # an MD5's length
        cases.append((doc, "HA1"))
        for doc, why in cases:
            r = self.import_file(doc)
            self.assertEqual(r.returncode, 1, r.stdout)
            self.assertIn(why, r.stderr)
        r = subprocess.run([program("orbitd"), "import", "--store", self.dep.info["store"],
                            "/nonexistent.json"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(self.orbit_ids(), before)

    def test_users_may_carry_sip_digest_ha1s(self):
        doc = self.topology()
        doc["users"][0]["sip_ha1_md5"] = "939E7578ED9E3C518A452ACEE763BCE9"
        doc["users"][0]["sip_ha1_sha256"] = "7987c64c30e25f1b74be53f966b49b90" * 2
        r = self.import_file(doc)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_import_into_an_initialised_store_needs_replace(self):
        r = self.import_file(self.topology(), replace=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("--replace", r.stderr)

    def test_running_pools_reload_and_resync_their_clients(self):
        async def go():
            c = await Client.connect(self.dep.url(1), self.dep.token("viewer"))
            await c.subscribe()
            doc = self.topology()
            doc["ranges"].append({"identity": "imported", "start": "99000", "end": "99009",
                                  "pool": "pool2.south.example.net"})
            r = self.import_file(doc)
            self.assertEqual(r.returncode, 0, r.stderr)
            await c.expect("resync", timeout=3)
            snap = await c.subscribe()
            self.assertIn("imported", {o["identity"] for o in snap["state"]["orbits"]})
            await c.close()
        run(go())


if __name__ == "__main__":
    unittest.main()
