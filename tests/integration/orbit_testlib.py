"""orbit_testlib: helpers for integration tests on real orbitd processes.

A Deployment runs `orbit-demo up` in a temporary directory on free loopback
ports and tears it down afterwards; Client speaks orbit.v1 over a real
WebSocket (python3-websockets); http() calls the HTTP API.
"""

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

import websockets

BUILD_DIR = os.environ.get("ORBIT_BUILD_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", "..", "build"))


def program(name):
    for sub in ("tools", "server", "tui", os.path.join("tests", "tools")):
        path = os.path.join(BUILD_DIR, sub, name)
        if os.access(path, os.X_OK):
            return path
    raise FileNotFoundError(f"{name} not built under {BUILD_DIR}")


# The deployment store the tests run on: sqlite (one file) or etcd (a local
# three-member cluster). ctest runs the integration suite on both.
STORE = os.environ.get("ORBIT_TEST_STORE", "sqlite")


from orbit_ports import (PORT_BLOCK, PORT_LOCK_DIR, PortBlock, demo_ports,  # noqa: E402,F401
                         ports_free, reserve_port_block, sip_ports)


# Blocks taken by free_base_port, held until this test process exits.
_HELD_BLOCKS = []


def free_base_port(count):
    """A base port for tests that start their own processes on
    base + 1..PORT_BLOCK-1; the block stays taken while this process runs."""
    block = reserve_port_block(count)
    _HELD_BLOCKS.append(block)
    return block.base


class Deployment:
    """A local deployment made by orbit-demo."""

    def __init__(self, pools=2, users=20, phase_seconds=1.0, clock_scale=1.0, sim=None,
                 extra_config=None, tls=False):
        self.dir = tempfile.mkdtemp(prefix="orbit-it-")
        self.ports = reserve_port_block(pools)
        self.base = self.ports.base
        args = [program("orbit-demo"), "up", self.dir, "--pools", str(pools), "--users",
                str(users), "--phase-seconds", str(phase_seconds), "--clock-scale",
                str(clock_scale), "--base-port", str(self.base)]
        args += ["--sim", sim] if sim else ["--no-sim"]
        args += ["--store", STORE]
        if tls:
            args.append("--tls")
        self.run_demo(args)
        self.reload()
        if extra_config:
            for fqdn in self.fqdns():
                self.configure(fqdn, extra_config)

    def run_demo(self, args, check=True):
        env = dict(os.environ, ORBIT_BIN_DIR=os.path.join(BUILD_DIR, "server"))
        r = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)
        if check and r.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {r.stderr}")
        return r

    def reload(self):
        with open(os.path.join(self.dir, "deployment.json")) as f:
            self.info = json.load(f)
        return self.info

    def fqdns(self):
        return [p["fqdn"] for p in self.info["pools"]]

    def pool(self, index_or_fqdn):
        if isinstance(index_or_fqdn, int):
            return self.info["pools"][index_or_fqdn]
        return next(p for p in self.info["pools"] if p["fqdn"] == index_or_fqdn)

    def token(self, role):
        return self.info["tokens"][role]

    def url(self, i):
        return self.pool(i)["url"]

    def http_base(self, i):
        return self.pool(i)["http"]

    def configure(self, fqdn, lines):
        """Appends settings to a pool's configuration and restarts it."""
        with open(self.pool(fqdn)["config"], "a") as f:
            for line in lines:
                f.write(line + "\n")
        self.stop(fqdn)
        self.start(fqdn)

    def stop(self, fqdn):
        self.run_demo([program("orbit-demo"), "stop", self.dir, fqdn])
        self.reload()

    def start(self, fqdn):
        self.run_demo([program("orbit-demo"), "start", self.dir, fqdn])
        self.reload()

    def kill(self, fqdn):
        """An outage: SIGKILL, as protocol tests do."""
        pid = self.pool(fqdn)["pid"]
        os.kill(pid, signal.SIGKILL)
        for _ in range(100):
            try:
                with open(f"/proc/{pid}/cmdline") as f:
                    if not f.read():
                        break
            except FileNotFoundError:
                break
            time.sleep(0.02)

    def log(self, fqdn):
        with open(self.pool(fqdn)["log"]) as f:
            return f.read()

    def sanitizer_reports(self):
        """Lines of every log in the deployment where ASan, LSan or UBSan
        reported a problem (sanitizer builds print them at the fault or
        at exit)."""
        found = []
        for root, _, files in os.walk(self.dir):
            for name in files:
                if not name.endswith(".log"):
                    continue
                with open(os.path.join(root, name), errors="replace") as f:
                    for line in f:
                        if "Sanitizer" in line or "runtime error:" in line:
                            found.append(f"{name}: {line.strip()}")
        return found

    def down(self):
        self.run_demo([program("orbit-demo"), "down", self.dir], check=False)
        self.ports.release()
        reports = self.sanitizer_reports()
        if not os.environ.get("ORBIT_KEEP_TEST_DIRS") and not reports:
            shutil.rmtree(self.dir, ignore_errors=True)
        if reports:
            raise AssertionError(f"sanitizer reports in {self.dir}:\n" + "\n".join(reports))


def http(dep_or_base, path, token=None, method="GET", body=None, headers=None, pool=0,
         raw=False, timeout=30, context=None):
    """Returns (status, parsed JSON or bytes, response headers)."""
    base = dep_or_base if isinstance(dep_or_base, str) else dep_or_base.http_base(pool)
    data = body
    if isinstance(body, (dict, list)):
        data = json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=context) as resp:
            payload, status, hdrs = resp.read(), resp.status, dict(resp.headers)
    except urllib.error.HTTPError as e:
        payload, status, hdrs = e.read(), e.code, dict(e.headers)
    if raw:
        return status, payload, hdrs
    try:
        return status, json.loads(payload) if payload else None, hdrs
    except ValueError:
        return status, payload, hdrs


def cursor_of(dep, pool):
    """How far into the store's history a pool has applied, or None when it
    does not answer or is cut off from the store (it cannot follow)."""
    try:
        status, body, _ = http(dep, "/v1/health", pool=pool, timeout=2)
    except (OSError, urllib.error.URLError):
        return None
    if status != 200 or not isinstance(body, dict) or body.get("store_ok") is False:
        return None
    return body.get("cursor", 0)


def settle(dep, cursor, timeout=5.0):
    """Waits until every pool that answers has applied the store's history
    up to cursor: pools follow each other through the store, so a change
    made at one pool reaches the others a moment later (docs/deployment.md)."""
    for i in range(len(dep.info["pools"])):
        wait_until(lambda: (c := cursor_of(dep, i)) is None or c >= cursor, timeout=timeout,
                   what=f"pool {i} to apply change {cursor}")


def settle_from(dep, pool):
    """Waits until every pool has caught up with what `pool` has applied."""
    c = cursor_of(dep, pool)
    if c:
        settle(dep, c)


def raw_http(dep, request, pool=0, timeout=10):
    """Sends request bytes as they are (what urllib will not send: false
    lengths, chunked bodies, oversized headers) to a pool's HTTP port and
    returns every byte of the reply until the server closes."""
    host, port = dep.http_base(pool).split("//")[1].split(":")
    with socket.create_connection((host, int(port))) as s:
        s.sendall(request)
        s.settimeout(timeout)
        chunks = []
        while True:
            chunk = s.recv(4096)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


def cmd(dep, op, args, role="operator", pool=0):
    """POST /v1/cmd; a change that reached the store is waited for at every
    pool before this returns, so a test reads what it just did anywhere."""
    r = http(dep, "/v1/cmd", token=dep.token(role), method="POST",
             body={"op": op, "args": args}, pool=pool)
    status, body, _ = r
    if status == 200 and isinstance(body, dict) and isinstance(body.get("data"), dict):
        cursor = body["data"].get("cursor")
        if isinstance(cursor, int):
            settle(dep, cursor)
    return r


class Client:
    """An orbit.v1 WebSocket client for tests."""

    def __init__(self, ws):
        self.ws = ws
        self.frames = []  # received but not yet consumed
        self.next_id = 1
        self.welcome = None

    @classmethod
    async def connect(cls, url, token=None, client="orbit-it", hello=True, **kw):
        ws = await websockets.connect(url, subprotocols=["orbit.v1"], max_size=None,
                                      ping_interval=None, **kw)
        c = cls(ws)
        if hello:
            await c.send({"t": "hello", "token": token, "client": client})
            c.welcome = await c.expect("welcome")
        return c

    async def send(self, frame):
        await self.ws.send(json.dumps(frame) if not isinstance(frame, (str, bytes)) else frame)

    async def recv(self, timeout=5.0):
        if self.frames:
            return self.frames.pop(0)
        msg = await asyncio.wait_for(self.ws.recv(), timeout)
        return json.loads(msg)

    async def expect(self, t, timeout=5.0, where=None):
        """The next frame of type t (others are kept for later)."""
        deadline = time.monotonic() + timeout
        kept = []
        try:
            for i, f in enumerate(list(self.frames)):
                if f.get("t") == t and (where is None or where(f)):
                    self.frames.pop(i)
                    return f
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise asyncio.TimeoutError(f"no {t} frame within {timeout}s")
                f = json.loads(await asyncio.wait_for(self.ws.recv(), left))
                if f.get("t") == t and (where is None or where(f)):
                    return f
                kept.append(f)
        finally:
            self.frames.extend(kept)

    async def event(self, kind, timeout=5.0, where=None):
        return await self.expect("event", timeout,
                                 lambda f: f.get("kind") == kind and (where is None or where(f)))

    async def subscribe(self, since=None):
        sid = f"s{self.next_id}"
        self.next_id += 1
        frame = {"t": "subscribe", "id": sid}
        if since:
            frame["since"] = since
        await self.send(frame)
        return await self.expect_any(("snapshot", "replay"), sid)

    async def expect_any(self, types, fid, timeout=10.0):
        """The frame answering id fid whose type is one of types."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            for i, f in enumerate(self.frames):
                if f.get("t") in types and f.get("id") == fid:
                    return self.frames.pop(i)
            if left <= 0:
                raise asyncio.TimeoutError(f"no {types} for {fid}")
            self.frames.append(json.loads(await asyncio.wait_for(self.ws.recv(), left)))

    async def cmd(self, op, args, timeout=10.0):
        cid = f"c{self.next_id}"
        self.next_id += 1
        await self.send({"t": "cmd", "id": cid, "op": op, "args": args})
        return await self.expect("result", timeout, lambda f: f.get("id") == cid)

    async def close(self):
        await self.ws.close()


def run(coro):
    return asyncio.run(coro)


class DeploymentTest(unittest.TestCase):
    """Base class: a fresh deployment for every test, so tests never see
    each other's calls, phases or ranges."""

    POOLS = 2
    USERS = 20
    PHASE_SECONDS = 1.0
    CLOCK_SCALE = 1.0
    EXTRA_CONFIG = None
    TLS = False
    SIM = None

    def setUp(self):
        self.dep = Deployment(pools=self.POOLS, users=self.USERS,
                              phase_seconds=self.PHASE_SECONDS, clock_scale=self.CLOCK_SCALE,
                              extra_config=self.EXTRA_CONFIG, tls=self.TLS, sim=self.SIM)
        self.addCleanup(self.dep.down)


def wait_until(predicate, timeout=10.0, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


P1 = "pool1.north.example.net"
P2 = "pool2.south.example.net"
USER1 = "sip:user1-001@example.net"   # homed on pool1, in group 17000
USER1B = "sip:user1-002@example.net"  # same group
USER2 = "sip:user2-001@example.net"   # homed on pool2, in group 27000


class Phones:
    """Endpoint sessions to the pools, for call tests (async)."""

    def __init__(self, dep):
        self.dep = dep
        self.clients = {}
        self.seq = 0

    async def at(self, pool):
        if pool not in self.clients:
            self.clients[pool] = await Client.connect(self.dep.pool(pool)["url"],
                                                      self.dep.token("endpoint"))
        return self.clients[pool]

    def call_id(self, tag="c"):
        self.seq += 1
        return f"{tag}{self.seq}"

    async def op(self, pool, op, **args):
        c = await self.at(pool)
        return await c.cmd(op, args)

    async def park(self, pool, parker=USER1, call_id=None):
        return await self.op(pool, "call.park", call_id=call_id or self.call_id("park"),
                             parker=parker, parkee="tel:+15550100")

    async def ring(self, pool, callee=USER1, call_id=None):
        return await self.op(pool, "pickup.ring", call_id=call_id or self.call_id("ring"),
                             caller="tel:+15550199", callee=callee)

    async def close(self):
        for c in self.clients.values():
            try:
                await c.close()
            except Exception:
                pass


async def watch(dep, pool, role="viewer"):
    """A subscribed viewer of a pool's stream."""
    c = await Client.connect(dep.pool(pool)["url"], dep.token(role))
    await c.subscribe()
    return c


def state(dep, pool):
    status, body, _ = http(dep, "/v1/state", token=dep.token("viewer"), pool=pool)
    assert status == 200, body
    return body


def dr_of(dep, pool, home):
    return next(d for d in state(dep, pool)["dr"] if d["home"] == home)


def op_http(dep, pool, op, args, role="operator"):
    status, body, _ = cmd(dep, op, args, role=role, pool=pool)
    return body


def wait_phase(dep, pool, home, phase, timeout=15.0):
    r = wait_until(lambda: dr_of(dep, pool, home)["phase"] == phase, timeout=timeout,
                   what=f"{home} to reach {phase}")
    settle_from(dep, pool)
    return r


def wait_down(dep, pool, fqdn, timeout=5.0):
    return wait_until(
        lambda: next(p for p in state(dep, pool)["pools"] if p["fqdn"] == fqdn)["status"] ==
        "down", timeout=timeout, what=f"{fqdn} marked down")


def failover(dep, home=P1, at=P2, disaster_mode=False, wait=True):
    body = op_http(dep, at, "pool.failover", {"pool": home, "disaster_mode": disaster_mode})
    assert body["ok"], body
    if wait:
        wait_phase(dep, at, home, "failed_over")
    return body


def failback(dep, home=P1, at=P2, wait=True):
    body = op_http(dep, at, "pool.failback", {"pool": home})
    assert body["ok"], body
    if wait:
        wait_phase(dep, at, home, "normal")
    return body


def redirect_pickup(dep, frm, to, at=P2):
    body = op_http(dep, at, "orbit.reassign",
                   {"from_pool": frm, "to_pool": to, "type": "GroupPickup"})
    assert body["ok"], body
    return body


def events_of(client, kinds=None):
    """Events already received (and kept) by a client, without waiting."""
    return [f for f in client.frames if f.get("t") == "event" and
            (kinds is None or f["kind"] in kinds)]


async def drain(client, seconds=0.5):
    """Receives for a while, keeping every frame for later inspection."""
    end = asyncio.get_event_loop().time() + seconds
    while True:
        left = end - asyncio.get_event_loop().time()
        if left <= 0:
            return
        try:
            client.frames.append(json.loads(await asyncio.wait_for(client.ws.recv(), left)))
        except asyncio.TimeoutError:
            return
        except websockets.ConnectionClosed:
            return


class Proxy:
    """A TCP proxy in front of a pool, run on its own thread, that tests use
    to cut links, drop one event frame (a gap), or rewrite the SHA-256 a
    pool reports for an upload."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.loop = asyncio.new_event_loop()
        self.conns = set()
        self.drop_events = 0
        self.rewrite_sha = False
        self.dropped = 0
        ready = threading.Event()

        def runner():
            asyncio.set_event_loop(self.loop)
            self.server = self.loop.run_until_complete(
                asyncio.start_server(self._client, "127.0.0.1", 0))
            self.port = self.server.sockets[0].getsockname()[1]
            ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=runner, daemon=True)
        self.thread.start()
        ready.wait(5)

    def url(self):
        return f"ws://127.0.0.1:{self.port}/v1/stream"

    def http(self):
        return f"http://127.0.0.1:{self.port}"

    async def _client(self, creader, cwriter):
        try:
            sreader, swriter = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            cwriter.close()
            return
        pair = (cwriter, swriter)
        self.conns.add(pair)
        first = await creader.read(65536)
        is_put = first.startswith(b"PUT /v1/moh")
        swriter.write(first)

        async def up():
            while True:
                data = await creader.read(65536)
                if not data:
                    break
                swriter.write(data)
                await swriter.drain()
            swriter.close()

        async def down():
            buf = b""
            upgraded = False
            while True:
                data = await sreader.read(65536)
                if not data:
                    break
                if is_put and self.rewrite_sha:
                    data = re.sub(rb'"sha256":"[0-9a-f]{64}"', b'"sha256":"' + b"0" * 64 + b'"',
                                  data)
                    cwriter.write(data)
                    await cwriter.drain()
                    continue
                buf += data
                out = b""
                if not upgraded:
                    end = buf.find(b"\r\n\r\n")
                    if end < 0:
                        continue
                    out, buf = buf[:end + 4], buf[end + 4:]
                    upgraded = out.startswith(b"HTTP/1.1 101")
                    if not upgraded:
                        out, buf = out + buf, b""
                while upgraded and len(buf) >= 2:
                    n = buf[1] & 0x7F
                    head = 2
                    if n == 126:
                        if len(buf) < 4:
                            break
                        n, head = int.from_bytes(buf[2:4], "big"), 4
                    elif n == 127:
                        if len(buf) < 10:
                            break
                        n, head = int.from_bytes(buf[2:10], "big"), 10
                    if len(buf) < head + n:
                        break
                    frame, buf = buf[:head + n], buf[head + n:]
                    if (self.drop_events and (frame[0] & 0x0F) == 1 and
                            b'"t":"event"' in frame[head:]):
                        self.drop_events -= 1
                        self.dropped += 1
                        continue
                    out += frame
                if out:
                    cwriter.write(out)
                    await cwriter.drain()
            cwriter.close()

        try:
            await asyncio.gather(up(), down())
        except (ConnectionError, OSError):
            pass
        finally:
            self.conns.discard(pair)
            cwriter.close()
            swriter.close()

    def cut(self):
        """Drops every connection through the proxy (a link failure)."""
        def do():
            for c, s in list(self.conns):
                c.transport.abort()
                s.transport.abort()
        self.loop.call_soon_threadsafe(do)

    def close(self):
        self.cut()
        self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


class Probe:
    """tests/tools/mirror_probe: the client library's mirror of one pool."""

    def __init__(self, url, token):
        self.proc = subprocess.Popen([program("mirror_probe"), url, token],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)

    def dump(self):
        self.proc.stdin.write("dump\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self):
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
            self.proc.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
        err = self.proc.stderr.read()
        assert "Sanitizer" not in err and "runtime error:" not in err, err
