"""The orbit.v1 session: hello, welcome, tokens and roles, on real orbitd."""

import asyncio
import json
import unittest

import websockets

from orbit_testlib import Client, DeploymentTest, cmd, http, run

ADMIN_OPS = {
    "orbit.create": {"identity": "x", "start": "90000", "end": "90009",
                     "pool": "pool1.north.example.net"},
    "orbit.update": {"identity": "pool1 CallPark", "end": "11198"},
    "orbit.delete": {"identity": "pool1 CallPark"},
    "orbit.reassign": {"from_pool": "pool1.north.example.net",
                       "to_pool": "pool2.south.example.net"},
    "config.set": {"call_pickup_timeout_threshold": 30},
    "pool.failover": {"pool": "pool1.north.example.net"},
    "pool.failback": {"pool": "pool1.north.example.net"},
}
ENDPOINT_OPS = {
    "call.park": {"call_id": "c1", "parker": "sip:user1-001@example.net", "parkee": "x"},
    "call.retrieve": {"orbit": "11000", "by": "x"},
    "call.ringback_answer": {"call_id": "c1"},
    "pickup.ring": {"call_id": "q1", "caller": "x", "callee": "sip:user1-001@example.net"},
    "pickup.take": {"group": "17000", "by": "x"},
    "pickup.answer": {"call_id": "q1"},
    "pickup.cancel": {"call_id": "q1"},
}


class SessionTest(DeploymentTest):

    def test_hello_gets_welcome_with_role_and_epoch(self):
        async def go():
            c = await Client.connect(self.dep.url(0), self.dep.token("viewer"))
            w = c.welcome
            self.assertEqual(w["pool"], "pool1.north.example.net")
            self.assertEqual(w["role"], "viewer")
            self.assertTrue(w["server"].startswith("orbitd/"))
            self.assertEqual(w["heartbeat_ms"], 1000)
            self.assertIsInstance(w["rev"], int)
            self.assertTrue(w["epoch"])
            await c.close()
        run(go())

    def test_wrong_token_is_refused_with_4401(self):
        async def go():
            c = await Client.connect(self.dep.url(0), hello=False)
            await c.send({"t": "hello", "token": "not-a-token", "client": "it"})
            err = await c.expect("error")
            self.assertEqual(err["code"], "unauthorized")
            with self.assertRaises(websockets.ConnectionClosed) as cm:
                await c.recv(timeout=5)
            self.assertEqual(cm.exception.rcvd.code, 4401)
        run(go())

    def test_no_hello_within_5_s_closes_with_4408(self):
        async def go():
            c = await Client.connect(self.dep.url(0), hello=False)
            with self.assertRaises(websockets.ConnectionClosed) as cm:
                while True:
                    await c.recv(timeout=8)
            self.assertEqual(cm.exception.rcvd.code, 4408)
        run(go())

    def test_frames_before_hello_are_refused(self):
        async def go():
            c = await Client.connect(self.dep.url(0), hello=False)
            await c.send({"t": "subscribe", "id": "s1"})
            err = await c.expect("error")
            self.assertEqual(err["code"], "unauthorized")
            await c.send({"t": "hello", "token": self.dep.token("viewer")})
            await c.expect("welcome")
            await c.close()
        run(go())

    def test_viewer_is_forbidden_every_op(self):
        async def go():
            c = await Client.connect(self.dep.url(0), self.dep.token("viewer"))
            for op, args in {**ADMIN_OPS, **ENDPOINT_OPS}.items():
                r = await c.cmd(op, args)
                self.assertFalse(r["ok"], op)
                self.assertEqual(r["error"]["code"], "forbidden", op)
            await c.close()
        run(go())
        for op, args in {**ADMIN_OPS, **ENDPOINT_OPS}.items():
            status, body, _ = cmd(self.dep, op, args, role="viewer")
            self.assertEqual(status, 403, op)
            self.assertEqual(body["error"]["code"], "forbidden", op)

    def test_operator_cannot_run_endpoint_ops_and_endpoint_no_admin_ops(self):
        for op, args in ENDPOINT_OPS.items():
            status, body, _ = cmd(self.dep, op, args, role="operator")
            self.assertEqual((status, body["error"]["code"]), (403, "forbidden"), op)
        for op, args in ADMIN_OPS.items():
            status, body, _ = cmd(self.dep, op, args, role="endpoint")
            self.assertEqual((status, body["error"]["code"]), (403, "forbidden"), op)

    def test_second_hello_is_a_conflict(self):
        async def go():
            c = await Client.connect(self.dep.url(0), self.dep.token("operator"))
            await c.send({"t": "hello", "token": self.dep.token("operator")})
            err = await c.expect("error")
            self.assertEqual(err["code"], "conflict")
            await c.close()
        run(go())

    def test_only_stream_path_with_subprotocol_upgrades(self):
        async def go():
            with self.assertRaises(Exception):
                ws = await websockets.connect(self.dep.url(0).replace("/v1/stream", "/v1/other"),
                                              subprotocols=["orbit.v1"])
                await ws.close()
            with self.assertRaises(Exception):
                ws = await websockets.connect(self.dep.url(0))  # no subprotocol
                await ws.close()
        run(go())

    def test_http_roles(self):
        status, body, _ = http(self.dep, "/v1/health")
        self.assertEqual(status, 200)
        self.assertEqual(body["status"], "up")
        self.assertEqual(body["pool"], "pool1.north.example.net")
        status, body, hdrs = http(self.dep, "/v1/state")
        self.assertEqual(status, 401)
        self.assertEqual(body["error"]["code"], "unauthorized")
        self.assertIn("Bearer", hdrs.get("www-authenticate", hdrs.get("WWW-Authenticate", "")))
        status, body, _ = http(self.dep, "/v1/state", token="wrong")
        self.assertEqual(status, 401)
        status, body, _ = http(self.dep, "/v1/state", token=self.dep.token("viewer"))
        self.assertEqual(status, 200)
        for key in ("pool", "pools", "dr", "orbits", "config", "moh", "parked", "queues",
                    "epoch", "rev"):
            self.assertIn(key, body)
        status, body, _ = http(self.dep, "/v1/audit", token=self.dep.token("viewer"))
        self.assertEqual(status, 403)
        status, body, _ = http(self.dep, "/v1/nothing", token=self.dep.token("viewer"))
        self.assertEqual(status, 404)
        status, body, _ = http(self.dep, "/v1/state", token=self.dep.token("viewer"),
                               method="POST", body={"x": 1})
        self.assertEqual(status, 405)

    def test_users_endpoint_filters_by_home_pool(self):
        status, body, _ = http(self.dep, "/v1/users", token=self.dep.token("viewer"))
        self.assertEqual(status, 200)
        self.assertEqual(len(body["users"]), 40)
        u = body["users"][0]
        self.assertEqual(set(u), {"uri", "home", "serving", "pickup_group"})
        status, body, _ = http(self.dep, "/v1/users?pool=pool2.south.example.net",
                               token=self.dep.token("viewer"))
        self.assertEqual(len(body["users"]), 20)
        self.assertTrue(all(u["home"] == "pool2.south.example.net" for u in body["users"]))

    def test_metrics_in_prometheus_text(self):
        status, text, hdrs = http(self.dep, "/metrics", raw=True)
        self.assertEqual(status, 200)
        text = text.decode()
        for name in ("orbit_connections", "orbit_events_total", "orbit_parked_calls",
                     "orbit_range_in_use", "orbit_dr_phase", "orbit_ops_total"):
            self.assertIn(f"# TYPE {name} ", text)
        self.assertIn('orbit_dr_phase{home="pool1.north.example.net",phase="normal"} 1', text)
        status, _, _ = http(self.dep, "/metrics", token="wrong")
        self.assertEqual(status, 401)


if __name__ == "__main__":
    unittest.main()
