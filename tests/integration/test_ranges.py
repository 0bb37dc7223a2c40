"""Orbit table rules enforced over the wire, through real orbitd."""

import unittest

from orbit_testlib import Client, DeploymentTest, cmd, http, run

P1 = "pool1.north.example.net"
P2 = "pool2.south.example.net"


def orbits(dep, pool=0):
    status, body, _ = http(dep, "/v1/state", token=dep.token("viewer"), pool=pool)
    return {o["identity"]: o for o in body["orbits"]}


class RangesTest(DeploymentTest):

    def create(self, identity, start, end, pool=P1, type_="CallPark", at=0):
        return cmd(self.dep, "orbit.create", {"identity": identity, "start": start, "end": end,
                                             "pool": pool, "type": type_}, pool=at)

    def assert_refused(self, result, status, code, field=None):
        got_status, body, _ = result
        self.assertEqual(got_status, status, body)
        self.assertFalse(body["ok"])
        self.assertEqual(body["error"]["code"], code, body)
        if field:
            self.assertEqual(body["error"].get("field"), field, body)
        self.assertTrue(body["error"]["message"])

    def test_valid_range_is_created_and_visible_everywhere(self):
        status, body, _ = self.create("valid", "*20000", "*20099", pool=P2, type_="GroupPickup")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["data"]["start"], "*20000")
        for pool in (0, 1):
            o = orbits(self.dep, pool)["valid"]
            self.assertEqual((o["start"], o["end"], o["pool"], o["type"]),
                             ("*20000", "*20099", P2, "GroupPickup"))
        cmd(self.dep, "orbit.delete", {"identity": "valid"})

    def test_number_format_rules(self):
        self.assert_refused(self.create("a", "*100", "*199"), 400, "invalid_range", "start")
        self.assert_refused(self.create("a", "*101", "*1999"), 400, "invalid_range", "end")
        self.assert_refused(self.create("a", "100", "1001"), 400, "invalid_range", "end")
        self.assert_refused(self.create("a", "0100", "0199"), 400, "invalid_range", "start")
        self.assert_refused(self.create("a", "1234567890", "1234567899"), 400, "invalid_range")
        self.assert_refused(self.create("a", "#1000", "*1999"), 400, "invalid_range", "end")
        self.assert_refused(self.create("a", "500", "400"), 400, "invalid_range", "end")
        status, body, _ = self.create("edge", "*101", "*199")
        self.assertEqual(status, 200, body)
        cmd(self.dep, "orbit.delete", {"identity": "edge"})

    def test_size_limits(self):
        status, body, _ = self.create("tenk", "300000", "309999")
        self.assertEqual(status, 200, body)
        self.assert_refused(self.create("tenk1", "400000", "410000"), 409, "limit_exceeded")
        cmd(self.dep, "orbit.delete", {"identity": "tenk"})
        # A pool owns fewer than 50,000: pool1 has 200 + 100 already.
        made = []
        for i in range(4):
            status, body, _ = self.create(f"big{i}", f"{500000 + i * 10000}",
                                          f"{509999 + i * 10000}")
            self.assertEqual(status, 200, body)
            made.append(f"big{i}")
        # 40,300 owned; 9,699 more reaches 49,999, 9,700 would be 50,000.
        self.assert_refused(self.create("big4", "600000", "609699"), 409, "limit_exceeded",
                            "pool")
        status, body, _ = self.create("big4", "600000", "609698")
        self.assertEqual(status, 200, body)
        made.append("big4")
        for identity in made:
            cmd(self.dep, "orbit.delete", {"identity": identity})

    def test_overlap_across_types_and_pools_touching_is_fine(self):
        status, body, _ = self.create("left", "80000", "80099", pool=P1)
        self.assertEqual(status, 200, body)
        self.assert_refused(self.create("x", "80099", "80199", pool=P2, type_="GroupPickup"),
                            409, "overlap")
        status, body, _ = self.create("right", "80100", "80199", pool=P2, type_="GroupPickup")
        self.assertEqual(status, 200, body)
        # Overlaps the demo's own ranges too.
        self.assert_refused(self.create("y", "11150", "11250", pool=P2), 409, "overlap")
        for identity in ("left", "right"):
            cmd(self.dep, "orbit.delete", {"identity": identity})

    def test_identity_unique_and_pool_known(self):
        self.assert_refused(self.create("POOL1 callpark", "90000", "90009"), 409, "conflict",
                            "identity")
        self.assert_refused(self.create("z", "90000", "90009", pool="pool9.example.net"), 404,
                            "not_found", "pool")
        self.assert_refused(cmd(self.dep, "orbit.update", {"identity": "nope", "end": "5"}), 404,
                            "not_found")
        self.assert_refused(cmd(self.dep, "orbit.delete", {"identity": "nope"}), 404,
                            "not_found")

    def test_identities_with_c1_controls_or_bidi_overrides_are_refused(self):
        for identity in ("park\u0085", "park\u009b2J", "park\u202eevil", "\u2067park",
                         "park\u2069"):
            self.assert_refused(self.create(identity, "91000", "91009"), 400, "bad_request",
                                "identity")
            self.assertNotIn(identity, orbits(self.dep))
        self.assert_refused(cmd(self.dep, "orbit.update", {"identity": "park\u202e",
                                                          "end": "91009"}),
                            400, "bad_request", "identity")
        status, body, _ = self.create("Z\u00fcrich park", "91000", "91009")
        self.assertEqual(status, 200, body)
        cmd(self.dep, "orbit.delete", {"identity": "Z\u00fcrich park"})

    def test_type_change_in_use_refused_unless_forced(self):
        async def go():
            phone = await Client.connect(self.dep.url(0), self.dep.token("endpoint"))
            r = await phone.cmd("call.park", {"call_id": "tc-1",
                                              "parker": "sip:user1-001@example.net",
                                              "parkee": "tel:+15550100"})
            self.assertTrue(r["ok"], r)
            orbit = r["data"]["orbit"]
            await phone.close()
            return orbit
        orbit = run(go())
        self.assertEqual(orbits(self.dep)["pool1 CallPark"]["in_use"], 1)
        self.assert_refused(cmd(self.dep, "orbit.update",
                                {"identity": "pool1 CallPark", "type": "GroupPickup"}),
                            409, "in_use", "type")
        self.assert_refused(cmd(self.dep, "orbit.delete", {"identity": "pool1 CallPark"}),
                            409, "in_use")
        # A GroupPickup range with members is in use as well.
        self.assert_refused(cmd(self.dep, "orbit.update",
                                {"identity": "pool1 GroupPickup", "type": "CallPark"}),
                            409, "in_use")
        status, body, _ = cmd(self.dep, "orbit.update", {"identity": "pool1 CallPark",
                                                         "type": "GroupPickup", "force": True})
        self.assertEqual(status, 200, body)
        status, body, _ = cmd(self.dep, "orbit.update", {"identity": "pool1 CallPark",
                                                         "type": "CallPark", "force": True})
        self.assertEqual(status, 200, body)
        status, body, _ = cmd(self.dep, "call.retrieve", {"orbit": orbit, "by": "sip:x@y.z"},
                              role="endpoint")
        self.assertEqual(status, 200, body)

    def test_reassign_by_pool_and_type(self):
        status, body, _ = cmd(self.dep, "orbit.reassign",
                              {"from_pool": P1, "to_pool": P2, "type": "GroupPickup"})
        self.assertEqual(status, 200, body)
        self.assertEqual(body["data"]["moved"], 1)
        o = orbits(self.dep, 1)
        self.assertEqual(o["pool1 GroupPickup"]["pool"], P2)
        self.assertEqual(o["pool1 CallPark"]["pool"], P1)
        status, body, _ = cmd(self.dep, "orbit.reassign",
                              {"from_pool": P2, "to_pool": P1, "type": "GroupPickup"})
        self.assertEqual(body["data"]["moved"], 2)
        status, body, _ = cmd(self.dep, "orbit.reassign",
                              {"from_pool": P1, "to_pool": P2, "type": "GroupPickup"})
        self.assertEqual(body["data"]["moved"], 2)
        # Put the original owners back.
        cmd(self.dep, "orbit.update", {"identity": "pool1 GroupPickup", "pool": P1})
        o = orbits(self.dep, 0)
        self.assertEqual(o["pool1 GroupPickup"]["pool"], P1)
        self.assertEqual(o["pool2 GroupPickup"]["pool"], P2)
        self.assert_refused(cmd(self.dep, "orbit.reassign", {"from_pool": P1, "to_pool": P1}),
                            400, "bad_request")
        self.assert_refused(cmd(self.dep, "orbit.reassign",
                                {"from_pool": P1, "to_pool": "pool7.example.net"}),
                            404, "not_found")

    def test_failed_ops_are_audited_with_who_and_result(self):
        self.create("au", "*100", "*199")
        status, body, _ = http(self.dep, "/v1/audit?limit=5", token=self.dep.token("operator"))
        self.assertEqual(status, 200)
        last = body["entries"][-1]
        self.assertEqual(last["op"], "orbit.create")
        self.assertEqual(last["who"], "demo-operator")
        self.assertFalse(last["ok"])
        self.assertEqual(last["error"]["code"], "invalid_range")
        self.assertEqual(last["args"]["identity"], "au")
        self.assertRegex(last["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


if __name__ == "__main__":
    unittest.main()
