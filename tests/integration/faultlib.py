"""faultlib: what the fault tests (test_fault_*.py) share: reading the
deployment store behind the pools' backs, the audit log as written on
disk, small filesystems that fill up, a watcher of every pool's liveness
events, a pool's memory, and a configuration line changed in place.

These tests attack real orbitd processes (kill -9, SIGSTOP, full disks, a
locked store, a second instance) and then check what docs/reliability.md
promises: nothing acknowledged is lost, nothing is half-applied, the
answer matches the state, and every pool agrees."""

import asyncio
import base64
import json
import os
import sqlite3
import subprocess
import threading
import time
import unittest
import urllib.request

import websockets

from orbit_testlib import STORE, Client, state, wait_until
from test_moh import data_dir


# ---- the store, read directly ----

def _etcd_range(dep, sub):
    """Every key under the deployment's prefix + sub, as {key-suffix: JSON}."""
    prefix = (dep.info["etcd"]["prefix"].rstrip("/") + "/" + sub).encode()
    end = prefix[:-1] + bytes([prefix[-1] + 1])
    body = json.dumps({"key": base64.b64encode(prefix).decode(),
                       "range_end": base64.b64encode(end).decode()}).encode()
    last = None
    for m in dep.info["etcd"]["members"]:
        req = urllib.request.Request(f"http://127.0.0.1:{m['client_port']}/v3/kv/range",
                                     data=body, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                kvs = json.loads(r.read()).get("kvs", [])
            return {base64.b64decode(kv["key"])[len(prefix):].decode():
                    json.loads(base64.b64decode(kv["value"])) for kv in kvs}
        except OSError as e:  # a member that is down: ask the next one
            last = e
    raise AssertionError(f"no etcd member answered: {last}")


def store_tables(dep):
    """What the deployment store holds, read without any pool: the orbit
    table as {identity: (pool, type)} and the DR phases as {home: phase}."""
    if STORE == "etcd":
        ranges = {v["identity"]: (v["pool"], v["type"]) for v in _etcd_range(dep, "ranges/").values()}
        dr = {v["home"]: v["phase"] for v in _etcd_range(dep, "dr/").values()}
        return ranges, dr
    con = sqlite3.connect(f"file:{dep.info['store']}?mode=ro", uri=True, timeout=10)
    try:
        ranges = {i: (p, t) for i, p, t in con.execute("SELECT identity, pool, type FROM ranges")}
        dr = dict(con.execute("SELECT home, phase FROM dr"))
    finally:
        con.close()
    return ranges, dr


def pool_tables(dep, pool):
    """The same two tables as one pool serves them (GET /v1/state)."""
    s = state(dep, pool)
    return ({o["identity"]: (o["pool"], o["type"]) for o in s["orbits"]},
            {d["home"]: d["phase"] for d in s["dr"]})


def wait_agree(dep, pools, timeout=20.0):
    """Waits until the store and every given pool hold the same orbit table
    and DR phases; returns them."""
    def same():
        want = store_tables(dep)
        return want if all(pool_tables(dep, p) == want for p in pools) else None
    try:
        return wait_until(same, timeout=timeout, interval=0.2, what="store and pools to agree")
    except AssertionError:
        want = store_tables(dep)
        for p in pools:
            got = pool_tables(dep, p)
            if got != want:
                raise AssertionError(f"{p} disagrees with the store:\n"
                                     f"only at the pool: {sorted(set(got[0].items()) - set(want[0].items()))}\n"
                                     f"only in the store: {sorted(set(want[0].items()) - set(got[0].items()))}\n"
                                     f"dr: {got[1]} vs {want[1]}") from None
        raise


# ---- the audit log as written ----

def audit_lines(dep, fqdn):
    """Every line of a pool's audit log on disk (rotated generations first),
    parsed; a line that does not parse (a torn write) fails the test."""
    where = data_dir(dep, fqdn)
    names = sorted((n for n in os.listdir(where) if n.startswith("audit.jsonl.")),
                   key=lambda n: -int(n.rsplit(".", 1)[1]))
    lines = []
    for name in names + ["audit.jsonl"]:
        path = os.path.join(where, name)
        if not os.path.exists(path):
            continue
        with open(path, "rb") as f:
            raw = f.read()
        if raw and not raw.endswith(b"\n"):
            raise AssertionError(f"{name} ends in the middle of a line: {raw[-80:]!r}")
        for n, line in enumerate(raw.splitlines(), 1):
            try:
                lines.append(json.loads(line))
            except ValueError:
                raise AssertionError(f"{name}:{n} is not a whole JSON line: {line[:120]!r}") \
                    from None
    return lines


def audit_actions(dep, fqdn):
    """{action number: {"request": line or None, "result": line or None}}."""
    actions = {}
    for line in audit_lines(dep, fqdn):
        a = actions.setdefault(line["action"], {"request": None, "result": None})
        phase = line.get("phase", "result")
        if a[phase] is not None:
            raise AssertionError(f"action {line['action']} has two {phase} lines")
        a[phase] = line
    return actions


# ---- configuration ----

def set_config(path, key, value):
    """Replaces (or adds) one setting of a pool's configuration file (the
    pool reads it when next started)."""
    with open(path) as f:
        lines = [l for l in f.read().splitlines() if l.split("=")[0].strip() != key]
    lines.append(f"{key} = {value}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


# ---- small filesystems ----

class SmallFs:
    """A tmpfs of a few hundred KiB mounted for one test (root only: the
    test is skipped otherwise), that fill() fills to the last byte and
    release() frees again. close() unmounts it (lazily: a process that
    still has a file open keeps it until it exits)."""

    def __init__(self, path, kib=1024):
        self.path = path
        os.makedirs(path, exist_ok=True)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kib}k,mode=0700", "tmpfs",
                            path], capture_output=True, text=True)
        if r.returncode != 0:
            raise unittest.SkipTest(f"cannot mount a tmpfs ({r.stderr.strip()}): "
                                    "the full-disk tests need root")
        self.filler = os.path.join(path, ".filler")

    def fill(self):
        """Takes every free byte: first in pages, then byte by byte."""
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for chunk in (b"\0" * 65536, b"\0" * 4096, b"\0"):
                try:
                    while True:
                        os.write(fd, chunk)
                except OSError:
                    pass
        finally:
            os.close(fd)

    def free_bytes(self):
        st = os.statvfs(self.path)
        return st.f_bavail * st.f_frsize

    def release(self):
        if os.path.exists(self.filler):
            os.unlink(self.filler)

    def close(self):
        subprocess.run(["umount", "-l", self.path], capture_output=True)


# ---- liveness, as every pool tells its clients ----

class StatusWatch:
    """A viewer subscribed at each given pool, on a thread of its own,
    recording every pool status it is told (snapshot and pool.status
    events). down() lists what was ever reported down."""

    def __init__(self, dep, pools, role="viewer"):
        self.dep = dep
        self.seen = []  # (at pool, pool, status)
        self.errors = []
        self.ready = threading.Event()
        self.loop = asyncio.new_event_loop()
        self.stopping = None
        self.thread = threading.Thread(target=self._run, args=(pools, role), daemon=True)
        self.thread.start()
        if not self.ready.wait(20):
            raise AssertionError(f"status watchers did not subscribe: {self.errors}")

    def _run(self, pools, role):
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._main(pools, role))

    async def _main(self, pools, role):
        self.stopping = asyncio.Event()
        clients = []
        try:
            for p in pools:
                c = await Client.connect(self.dep.pool(p)["url"], self.dep.token(role))
                snap = await c.subscribe()
                for s in snap["state"]["pools"]:
                    self.seen.append((p, s["fqdn"], s["status"]))
                clients.append((p, c))
        except Exception as e:  # reported by the constructor
            self.errors.append(repr(e))
            return
        self.ready.set()
        tasks = [asyncio.ensure_future(self._follow(p, c)) for p, c in clients]
        await self.stopping.wait()
        for t in tasks:
            t.cancel()
        for _, c in clients:
            try:
                await c.close()
            except Exception:
                pass

    async def _follow(self, at, c):
        try:
            async for msg in c.ws:
                f = json.loads(msg)
                if f.get("t") == "event" and f.get("kind") == "pool.status":
                    self.seen.append((at, f["data"]["fqdn"], f["data"]["status"]))
                elif f.get("t") == "resync":
                    await c.send({"t": "subscribe", "id": "again"})
                elif f.get("t") == "snapshot":
                    for s in f["state"]["pools"]:
                        self.seen.append((at, s["fqdn"], s["status"]))
        except websockets.ConnectionClosed as e:
            self.errors.append(f"{at}: stream closed: {e}")

    def down(self):
        return [s for s in self.seen if s[2] == "down"]

    def close(self):
        if self.stopping is not None:
            self.loop.call_soon_threadsafe(self.stopping.set)
        self.thread.join(10)


# ---- processes ----

def rss_kib(pid):
    """Resident memory of a process, in KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


class PeakRss:
    """The highest resident size of a process, sampled on a thread until
    close() returns it (KiB)."""

    def __init__(self, pid):
        self.pid, self.value, self.stop = pid, 0, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.is_set():
            self.value = max(self.value, rss_kib(self.pid))
            time.sleep(0.01)

    def close(self):
        self.stop.set()
        self.thread.join()
        return self.value


def process_state(pid):
    """The one-letter state of a process (R, S, T for stopped, Z...)."""
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0]
