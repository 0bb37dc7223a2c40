"""fake_pool: a pool server that lies, for client tests: it speaks enough
of orbit.v1 (hello, subscribe, cmd) and of the HTTP API (GET /v1/state,
/v1/health, /v1/audit, /v1/users) for orbitctl and orbitop, answers with
whatever strings a test gives it (terminal escapes, URLs of other hosts),
can push a burst of events in one go, and records every token it is
sent."""

import asyncio
import copy
import http
import json
import threading
import time

import websockets

ESC = "\x1b"
# Strings a hostile pool would put in front of an operator, each followed
# by a marker so a test can find it, raw or made visible.
ATTACKS = {
    "OSC52": ESC + "]52;c;cm0gLXJmIH4K" + "\x07",
    "OSC0": ESC + "]0;owned" + "\x07",
    "CLEAR": ESC + "[2J",
    "DSR": ESC + "[6n",
    "C1CSI": "\u009b6n",
    "OSC8": ESC + "]8;;http://evil.example/" + ESC + "\\click" + ESC + "]8;;" + ESC + "\\",
    "BIDI": "\u202egnp.exe",
    "ROWS": "a\rb\nc\bd\te",
}
# What passes a client's validation of names (printable, no C0): C1 and
# bidi controls, which a terminal still acts on.
PRINTABLE_ATTACKS = {"C1CSI": "\u009b6n", "C1OSC": "\u009d0;t\u009c", "BIDI": "\u202egnp.exe"}

# Raw bytes that must never reach a terminal from a network string.
FORBIDDEN = [b"\x1b]52", b"\x1b]0;owned", b"\x1b]8;;http://evil", b"\x1b[2JHOSTILE",
             b"\x1b[6nHOSTILE", b"\xc2\x9b6n", b"\xc2\x9d0;t", b"\xe2\x80\xae",
             b"a\rb\nc\bd\te"]


def hostile(name, text):
    return text + "HOSTILE-" + name


def state_for(fqdn, url, pools=None, names=None):
    """A valid snapshot of one pool (and the other pools it lists),
    with the given strings in the fields a client takes as they are."""
    names = names or {}
    now = int(time.time() * 1000)
    pools = pools or [(fqdn, url)]
    return {
        "pool": {"fqdn": fqdn, "site": "north", "backup": "", "status": "up",
                 "capacity": {"callpark_orbits": 200, "grouppickup_numbers": 100,
                              "users_homed": 40, "users_served": 40},
                 "counters": {"parked": 1, "queued": 0, "events": 0, "connections": 1,
                              "started_ms": now}},
        "pools": [{"fqdn": f, "site": "north", "url": u, "status": "up", "last_seen_ms": now}
                  for f, u in pools],
        "dr": [{"home": f, "phase": "normal", "serving": f, "since_ms": now, "ends_ms": 0,
                "disaster_mode": False, "pickup_ranges_redirected": True} for f, _ in pools],
        "orbits": [{"identity": names.get("identity", "range one"), "start": "11000",
                    "end": "11199", "type": "CallPark", "pool": fqdn, "in_use": 1}],
        "config": {"call_pickup_timeout_threshold": 90, "enable_music_on_hold": True,
                   "max_call_pickup_attempts": 1,
                   "on_timeout_uri": names.get("uri", "")},
        "moh": {"name": names.get("moh", "hold.wav"), "size": 1000, "sha256": "ab" * 32,
                "uploaded_ms": now, "default": False},
        "parked": [{"call_id": "c1", "orbit": "11000", "parker": names.get("party", "sip:a@b"),
                    "parkee": "tel:+15550100", "parked_ms": now, "deadline_ms": now + 60000,
                    "attempt": 0, "state": "parked", "music_on_hold": True}],
        "queues": [],
        "epoch": "fake-epoch",
        "rev": 1,
    }


class FakePool:
    """A fake pool on 127.0.0.1 (a thread runs its event loop)."""

    def __init__(self, fqdn="pool1.north.example.net", snapshot=None, http_state=None,
                 events=(), refusal="refused", error_frame=None, audit=None, ssl=None):
        self.fqdn = fqdn
        self.snapshot = snapshot
        self.http_state = http_state
        self.events = list(events)
        self.refusal = refusal
        self.error_frame = error_frame
        self.audit = audit or []
        self.hellos = []  # (token, client) of every hello
        self.http_tokens = []
        self.ssl = ssl
        self.tasks = []
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self.thread.start()
        ready.wait(10)
        scheme = "wss" if ssl else "ws"
        self.url = f"{scheme}://127.0.0.1:{self.port}/v1/stream"
        self.http = f"{'https' if ssl else 'http'}://127.0.0.1:{self.port}"

    def _run(self, ready):
        asyncio.set_event_loop(self.loop)

        async def start():
            self.server = await websockets.serve(
                self._session, "127.0.0.1", 0, subprotocols=["orbit.v1"],
                process_request=self._http, ssl=self.ssl, ping_interval=None)
            self.port = self.server.sockets[0].getsockname()[1]
            ready.set()

        self.loop.run_until_complete(start())
        self.loop.run_forever()

    async def _http(self, path, headers):
        if headers.get("Upgrade", "").lower() == "websocket":
            return None
        self.http_tokens.append(headers.get("Authorization", ""))
        route = path.split("?")[0]
        if route == "/v1/state":
            body = self.http_state or self.snapshot
        elif route == "/v1/health":
            body = {"status": "up", "pool": self.fqdn, "rev": 1}
        elif route == "/v1/audit":
            body = {"entries": self.audit}
        elif route == "/v1/users":
            body = {"users": []}
        else:
            return (http.HTTPStatus.NOT_FOUND, [("Content-Type", "application/json")],
                    json.dumps({"error": {"code": "not_found",
                                          "message": self.refusal}}).encode())
        return (http.HTTPStatus.OK, [("Content-Type", "application/json")],
                json.dumps(body).encode())

    async def _session(self, ws, path=None):
        try:
            async for text in ws:
                frame = json.loads(text)
                t = frame.get("t")
                if t == "hello":
                    self.hellos.append((frame.get("token"), frame.get("client")))
                    await ws.send(json.dumps({"t": "welcome", "pool": self.fqdn,
                                              "role": "operator", "server": "fake/0",
                                              "epoch": "fake-epoch", "rev": 1,
                                              "heartbeat_ms": 1000}))
                    if self.error_frame:
                        await ws.send(json.dumps({"t": "error", "code": "bad_request",
                                                  "message": self.error_frame}))
                elif t == "subscribe":
                    await ws.send(json.dumps({"t": "snapshot", "id": frame["id"],
                                              "epoch": "fake-epoch", "rev": 1,
                                              "state": self.snapshot}))
                    # Every event at once: a burst the client reads in one go.
                    frames = [json.dumps({"t": "event", "epoch": "fake-epoch", "rev": 2 + i,
                                          "kind": kind, "data": data})
                              for i, (kind, data) in enumerate(self.events)]
                    for f in frames:
                        await ws.send(f)
                    self.tasks.append(asyncio.ensure_future(self._ticks(ws, 1 + len(frames))))
                elif t == "cmd":
                    await ws.send(json.dumps({"t": "result", "id": frame["id"], "ok": False,
                                              "error": {"code": "conflict",
                                                        "message": self.refusal}}))
        except websockets.ConnectionClosed:
            pass

    async def _ticks(self, ws, rev):
        try:
            while True:
                await asyncio.sleep(0.5)
                await ws.send(json.dumps({"t": "tick", "epoch": "fake-epoch", "rev": rev,
                                          "time_ms": int(time.time() * 1000)}))
        except (websockets.ConnectionClosed, asyncio.CancelledError):
            pass

    def close(self):
        async def stop():
            for task in self.tasks:
                task.cancel()
            self.server.close()
            await self.server.wait_closed()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def write_deployment(path, pools, tokens=None):
    """A deployment.json naming these (fqdn, url) pools."""
    doc = {"store": "fake", "pools": [{"fqdn": f, "url": u} for f, u in pools],
           "tokens": tokens or {"viewer": "v-token", "operator": "op-token",
                                "endpoint": "ep-token"}}
    with open(path, "w") as f:
        json.dump(doc, f)
    return path


def deep(obj):
    return copy.deepcopy(obj)
