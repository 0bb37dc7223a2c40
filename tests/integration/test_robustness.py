"""Bad input meets a clear error and loses nothing: slow consumers, oversized
and malformed frames, and a server that keeps serving everyone else."""

import asyncio
import json
import socket
import unittest

import websockets

from orbit_testlib import Client, DeploymentTest, http, raw_http, run


async def slow_client(url, token):
    """A client whose socket barely reads: tiny receive buffer, and a
    websockets reader that stops pulling once one message waits."""
    host, port = url.split("//")[1].split("/")[0].split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, int(port)))
    ws = await websockets.connect(url, sock=sock, subprotocols=["orbit.v1"], max_size=None,
                                  max_queue=1, read_limit=1024, ping_interval=None)
    c = Client(ws)
    await c.send({"t": "hello", "token": token})
    c.welcome = await c.expect("welcome")
    return c


class RobustnessTest(DeploymentTest):
    POOLS = 1
    EXTRA_CONFIG = ["queue_max_messages = 256", "queue_max_bytes = 262144",
                    "replay_events = 16"]

    def test_slow_consumer_gets_resync_and_others_are_unaffected(self):
        async def go():
            slow = await slow_client(self.dep.url(0), self.dep.token("viewer"))
            await slow.subscribe()
            good = await Client.connect(self.dep.url(0), self.dep.token("viewer"))
            snap = await good.subscribe()
            phone = await Client.connect(self.dep.url(0), self.dep.token("endpoint"))
            # Park and retrieve in pipelined batches: two events per cycle.
            cycles = 0
            for batch in range(40):
                ids = []
                for i in range(50):
                    cid = f"p{batch}-{i}"
                    await phone.send({"t": "cmd", "id": cid, "op": "call.park",
                                      "args": {"call_id": cid,
                                               "parker": "sip:user1-001@example.net",
                                               "parkee": "tel:+15550100"}})
                    ids.append(cid)
                orbits = []
                for cid in ids:
                    r = await phone.expect("result", where=lambda f, cid=cid: f["id"] == cid)
                    self.assertTrue(r["ok"], r)
                    orbits.append(r["data"]["orbit"])
                for o in orbits:
                    r = await phone.cmd("call.retrieve", {"orbit": o, "by": "sip:x@example.net"})
                    self.assertTrue(r["ok"], r)
                cycles += len(ids)
                # Drain the good client as we go: it must see every event.
                rev = snap["rev"]
                while True:
                    try:
                        f = await good.recv(timeout=0.05)
                    except asyncio.TimeoutError:
                        break
                    if f["t"] == "event":
                        self.assertEqual(f["rev"], rev + 1)
                        rev = f["rev"]
                snap["rev"] = rev
            self.assertEqual(snap["rev"], good.welcome["rev"] + 2 * cycles)
            # Now the slow client reads: somewhere in its stream is a resync.
            seen_resync = False
            for _ in range(5000):
                try:
                    f = await slow.recv(timeout=2)
                except asyncio.TimeoutError:
                    break
                if f["t"] == "resync":
                    seen_resync = True
                    break
            self.assertTrue(seen_resync)
            # It can re-subscribe and is whole again.
            snap2 = await slow.subscribe()
            self.assertEqual(snap2["t"], "snapshot")
            for c in (slow, good, phone):
                await c.close()
            status, text, _ = http(self.dep, "/metrics", raw=True)
            self.assertRegex(text.decode(), r"orbit_resyncs_total [1-9]")
        run(go())

    def test_resubscribe_after_a_gap_beyond_the_replay_ring_gets_a_snapshot(self):
        async def go():
            c = await Client.connect(self.dep.url(0), self.dep.token("operator"))
            snap = await c.subscribe()
            since = {"epoch": snap["epoch"], "rev": snap["rev"]}
            for i in range(20):
                r = await c.cmd("config.set", {"call_pickup_timeout_threshold": 20 + i})
                self.assertTrue(r["ok"], r)
            # 20 events passed, the ring keeps 16: no replay is possible.
            r = await c.subscribe(since=since)
            self.assertEqual(r["t"], "snapshot")
            self.assertEqual(r["state"]["config"]["call_pickup_timeout_threshold"], 39)
            # Within the ring a replay is given.
            since = {"epoch": r["epoch"], "rev": r["rev"]}
            await c.cmd("config.set", {"call_pickup_timeout_threshold": 90})
            r = await c.subscribe(since=since)
            self.assertEqual(r["t"], "replay")
            ev = await c.event("config.changed", where=lambda f: f["rev"] > since["rev"])
            self.assertEqual(ev["rev"], since["rev"] + 1)
            self.assertEqual(ev["data"]["call_pickup_timeout_threshold"], 90)
            await c.close()
        run(go())

    def test_oversized_frame_is_closed_with_1009(self):
        async def go():
            c = await Client.connect(self.dep.url(0), self.dep.token("viewer"))
            big = json.dumps({"t": "cmd", "id": "x", "op": "config.set",
                              "args": {"pad": "x" * (1024 * 1024)}})
            await c.send(big)
            with self.assertRaises(websockets.ConnectionClosed) as cm:
                await c.recv(timeout=5)
            self.assertEqual(cm.exception.rcvd.code, 1009)
            # The server still serves.
            status, body, _ = http(self.dep, "/v1/health")
            self.assertEqual(status, 200)
        run(go())

    def test_bad_json_gets_an_error_frame_and_the_session_lives(self):
        async def go():
            c = await Client.connect(self.dep.url(0), self.dep.token("viewer"))
            await c.send("{not json")
            err = await c.expect("error")
            self.assertEqual(err["code"], "bad_request")
            self.assertIn("invalid JSON", err["message"])
            await c.send(json.dumps({"t": "teleport"}))
            err = await c.expect("error")
            self.assertEqual(err["code"], "bad_request")
            await c.send(b"\x00\x01binary")
            err = await c.expect("error")
            self.assertIn("text", err["message"])
            snap = await c.subscribe()
            self.assertEqual(snap["t"], "snapshot")
            await c.close()
        run(go())

    def test_repeated_bad_frames_close_with_4400(self):
        async def go():
            c = await Client.connect(self.dep.url(0), self.dep.token("viewer"))
            with self.assertRaises(websockets.ConnectionClosed) as cm:
                for _ in range(10):
                    await c.send("][")
                    await c.recv(timeout=5)
            self.assertEqual(cm.exception.rcvd.code, 4400)
        run(go())

    def test_parseable_frames_before_hello_count_as_bad_frames(self):
        async def go():
            # Well-formed frames before hello are refused like garbage, and
            # do not excuse the garbage between them.
            frames = ([{"t": "subscribe", "id": f"s{i}"} for i in range(5)] +
                      ["][", {"t": "cmd", "id": "c", "op": "orbit.delete", "args": {}}] * 3)
            for frames_run in (frames[:5], frames[5:]):
                c = await Client.connect(self.dep.url(0), hello=False)
                with self.assertRaises(websockets.ConnectionClosed) as cm:
                    for f in frames_run:
                        await c.send(f)
                        err = await c.recv(timeout=4)
                        self.assertEqual(err["t"], "error")
                    await c.recv(timeout=4)
                self.assertEqual(cm.exception.rcvd.code, 4400)
        run(go())

    def test_oversized_request_headers_get_431(self):
        def exchange(headers):
            return raw_http(self.dep, b"GET /v1/health HTTP/1.1\r\nHost: x\r\n" + headers +
                            b"\r\n", timeout=5)

        for name in (b"User-Agent", b"Cookie", b"X-Orbit-Filename"):
            reply = exchange(name + b": " + b"a" * 5000 + b"\r\n")
            self.assertTrue(reply.startswith(b"HTTP/1.1 431"), (name, reply[:100]))
            self.assertIn(b"too_large", reply)
        # Many headers that add up count too; under the limit is served.
        reply = exchange(b"".join(b"Accept-Language: %d%s\r\n" % (i, b"x" * 300)
                                  for i in range(14)))
        self.assertTrue(reply.startswith(b"HTTP/1.1 431"), reply[:100])
        reply = exchange(b"User-Agent: " + b"a" * 3000 + b"\r\nConnection: close\r\n")
        self.assertTrue(reply.startswith(b"HTTP/1.1 200"), reply[:100])
        status, body, _ = http(self.dep, "/v1/health")
        self.assertEqual(status, 200)

    def test_malformed_commands_are_refused_per_field(self):
        async def go():
            c = await Client.connect(self.dep.url(0), self.dep.token("operator"))
            r = await c.cmd("config.set", {"call_pickup_timeout_threshold": "ninety"})
            self.assertEqual(r["error"]["code"], "bad_request")
            self.assertEqual(r["error"].get("field"), "call_pickup_timeout_threshold")
            r = await c.cmd("config.set", {"max_call_pickup_attempts": 11})
            self.assertEqual(r["error"]["code"], "bad_request")
            r = await c.cmd("orbit.create", "not an object")
            self.assertEqual(r["error"]["code"], "bad_request")
            r = await c.cmd("no.such.op", {})
            self.assertEqual(r["error"]["code"], "bad_request")
            await c.close()
        run(go())
        status, body, _ = http(self.dep, "/v1/cmd", token=self.dep.token("operator"),
                               method="POST", body=b"{broken")
        self.assertEqual(status, 400)
        # Found by fuzz_frame: jansson's reason quoted bytes that are not
        # UTF-8, the refusal could not be encoded, and the answer was 500.
        status, body, _ = http(self.dep, "/v1/cmd", token=self.dep.token("operator"),
                               method="POST",
                               body=b'{"op":"orbit.create","args":{"pool":"p\\\xc3\xa9.x"\x87}')
        self.assertEqual(status, 400, body)
        self.assertEqual(body["error"]["code"], "bad_request")
        # An announced oversized body is answered before it is sent.
        reply = raw_http(self.dep, b"POST /v1/cmd HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                         self.dep.token("operator").encode() +
                         b"\r\nContent-Length: 2000000\r\n\r\n", timeout=5).decode()
        self.assertTrue(reply.startswith("HTTP/1.1 413"), reply)
        self.assertIn("too_large", reply)

    def test_many_abrupt_disconnects_do_not_hurt(self):
        async def go():
            for _ in range(30):
                c = await Client.connect(self.dep.url(0), self.dep.token("viewer"))
                await c.send({"t": "subscribe", "id": "s"})
                c.ws.transport.abort()
            c = await Client.connect(self.dep.url(0), self.dep.token("viewer"))
            self.assertEqual((await c.subscribe())["t"], "snapshot")
            await c.close()
        run(go())
        status, body, _ = http(self.dep, "/v1/health")
        self.assertEqual(status, 200)


if __name__ == "__main__":
    unittest.main()
