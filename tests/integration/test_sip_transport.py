"""The SIP edge as a transport of the pool kernel: the HA1s digest needs
live in the store (both backends) but never reach clients; calls carry
their transport (sip or api) in the snapshot and the events; call.hangup
is an op like any other; the edge's directory follows imports and orbit
changes; a pool without sip_port has no edge."""

import hashlib
import json
import os
import socket
import subprocess
import unittest

from orbit_testlib import (USER1, Client, DeploymentTest, Phones, http, op_http, program, run,
                           state, wait_until, watch)
from sip_pool import SipPhones, call, metrics, passwords, sip_port

PARKER = "user1-001"
CALLER = "user2-001"


class SipTransport(SipPhones, DeploymentTest):
    USERS = 5


    def test_digest_works_from_the_store_and_no_client_sees_an_ha1(self):
        # The pools read the HA1s from the store (SQLite or etcd) only.
        self.assertEqual(self.phone(PARKER).register(sip_port(self.dep, 0)).status, 200)
        ha1s = set()
        with open(os.path.join(self.dep.dir, "topology.json")) as f:
            for u in json.load(f)["users"]:
                ha1s.update((u["sip_ha1_md5"], u["sip_ha1_sha256"]))
        seen = []
        for path in ("/v1/users", "/v1/state"):
            status, body, _ = http(self.dep, path, token=self.dep.token("viewer"), raw=True)
            self.assertEqual(status, 200)
            seen.append(body.decode())

        async def snapshot():
            c = await Client.connect(self.dep.url(0), self.dep.token("viewer"))
            frame = await c.subscribe()
            await c.close()
            self.assertEqual(frame["t"], "snapshot")
            return json.dumps(frame)
        seen.append(run(snapshot()))
        for text in seen:
            self.assertNotIn("ha1", text)
            self.assertFalse([h for h in ha1s if h in text])

    def test_calls_show_their_transport_in_the_snapshot_and_the_events(self):
        async def go():
            viewer = await watch(self.dep, 0)
            caller = self.phone(CALLER)
            port = sip_port(self.dep, 0)
            resp, dialog = caller.invite("sip:park@127.0.0.1:%d" % port, port,
                                         extra="Referred-By: <sip:%s@example.net>\r\n" % PARKER)
            self.assertEqual(resp.status, 200)
            ev = await viewer.event("call.parked")
            self.assertEqual(ev["data"]["transport"], "sip")
            phones = Phones(self.dep)
            r = await phones.park(0, parker=USER1, call_id="by-api")
            self.assertTrue(r["ok"], r)
            ev = await viewer.event("call.parked", where=lambda f: f["data"]["call_id"] == "by-api")
            self.assertEqual(ev["data"]["transport"], "api")
            by_id = {c["call_id"]: c["transport"] for c in state(self.dep, 0)["parked"]}
            self.assertEqual(sorted(by_id.values()), ["api", "sip"])
            self.assertEqual(by_id["by-api"], "api")
            # The SIP caller hangs up: call.hangup from the edge.
            caller.bye(dialog)
            ev = await viewer.event("call.disconnected", where=lambda f: f["data"]["call_id"] !=
                                    "by-api")
            self.assertEqual(ev["data"]["reason"], "hangup")
            await phones.close()
            await viewer.close()
        run(go())

    def test_call_hangup_over_orbit_v1_ends_parked_and_queued_calls(self):
        async def go():
            phones = Phones(self.dep)
            viewer = await watch(self.dep, 0)
            r = await phones.park(0, call_id="p1")
            self.assertTrue(r["ok"], r)
            r = await phones.op(0, "call.hangup", call_id="p1")
            self.assertTrue(r["ok"], r)
            ev = await viewer.event("call.disconnected")
            self.assertEqual(ev["data"]["reason"], "hangup")
            r = await phones.ring(0, call_id="q1")
            self.assertTrue(r["ok"], r)
            r = await phones.op(0, "call.hangup", call_id="q1")
            self.assertTrue(r["ok"], r)
            ev = await viewer.event("pickup.cancelled")
            self.assertEqual(ev["data"]["call_id"], "q1")
            r = await phones.op(0, "call.hangup", call_id="q1")
            self.assertEqual(r["error"]["code"], "not_found")
            await viewer.close()
            await phones.close()
        run(go())

    def test_the_edge_follows_orbit_changes_and_imports(self):
        # A range created at pool2: pool1's edge sends its numbers there.
        r = op_http(self.dep, 1, "orbit.create",
                    {"identity": "extra park", "start": "29000", "end": "29009",
                     "pool": self.dep.fqdns()[1], "type": "CallPark"})
        self.assertTrue(r["ok"], r)
        wait_until(lambda: call(self.dep, 0, PARKER, "29000")[0] == 302,
                   what="pool1's edge to learn the new range")
        # A user added by an import registers at once.
        with open(os.path.join(self.dep.dir, "topology.json")) as f:
            topo = json.load(f)
        a1 = "newcomer:example.net:secret"
        topo["users"].append({"uri": "sip:newcomer@example.net", "home": self.dep.fqdns()[0],
                              "sip_ha1_md5": hashlib.md5(a1.encode()).hexdigest()})
        path = os.path.join(self.dep.dir, "t2.json")
        with open(path, "w") as f:
            json.dump(topo, f)
        r = subprocess.run([program("orbitd"), "import", "--store", self.dep.info["store"],
                            "--replace", path], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        from sip_testlib import UA
        newcomer = UA("newcomer", password="secret")
        self.addCleanup(newcomer.close)
        wait_until(lambda: newcomer.register(sip_port(self.dep, 0)).status == 200,
                   what="the imported user to register")


class NoSipEdge(DeploymentTest):
    USERS = 5
    EXTRA_CONFIG = ["sip_port = 0"]

    def test_a_pool_without_sip_port_has_no_edge(self):
        self.assertFalse([k for k in metrics(self.dep, 0) if k.startswith("orbit_sip_")])
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.assertNotEqual(s.connect_ex(("127.0.0.1", sip_port(self.dep, 0))), 0)
        s.close()
        self.assertIn("sip:user1-001@example.net", passwords(self.dep))


if __name__ == "__main__":
    unittest.main()
