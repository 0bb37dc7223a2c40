"""A large orbit table and a crowd of subscribers.

LargeTable (SQLite only): 3,000 ranges created through four pools at once
while every pool's viewers watch pool.status and a prober asks each
pool's health: no pool is ever reported down, and each keeps answering (a
healthy pool reported down with an 88 s old heartbeat was issue 14's
second failure, on SQLite).

SubscriberBurst (SQLite only; not under a sanitizer, whose allocator
keeps what is freed): 50 viewers subscribe at the same moment to a pool
with a large snapshot, then leave; the pool's resident memory comes back
to within 10% of what it was before, burst after burst."""

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
import unittest

from faultlib import PeakRss, StatusWatch, rss_kib, wait_agree
from orbit_testlib import (P1, P2, STORE, Client, DeploymentTest, http, program, run, state,
                           wait_until)

P3 = "pool3.north.example.net"
P4 = "pool4.south.example.net"
RANGES = 3000
SUBSCRIBERS = 50


def sanitized():
    """Whether orbitd is built with AddressSanitizer (its symbols name the
    runtime, linked statically or not)."""
    with open(program("orbitd"), "rb") as f:
        return b"__asan_init" in f.read()


def big_topology(dep, ranges):
    """The deployment's topology plus `ranges` ten-number ranges spread
    over its pools (alternately CallPark and GroupPickup)."""
    with open(os.path.join(dep.dir, "topology.json")) as f:
        doc = json.load(f)
    pools = [p["fqdn"] for p in doc["pools"]]
    for i in range(ranges):
        n = 1000000 + i * 10
        doc["ranges"].append({"identity": f"bulk-{i}", "start": str(n), "end": str(n + 9),
                              "pool": pools[i % len(pools)],
                              "type": "CallPark" if i % 2 else "GroupPickup"})
    return doc


class HealthProber:
    """Asks every pool's /v1/health in turn, on a thread, and keeps what
    went wrong (no answer within the down-after time, or an error)."""

    def __init__(self, dep, pools, limit_s=2.0):
        self.failures = []
        self.slowest = 0.0
        self.stop = threading.Event()

        def run_():
            while not self.stop.is_set():
                for p in pools:
                    began = time.monotonic()
                    try:
                        status, body, _ = http(dep, "/v1/health", pool=p, timeout=limit_s)
                        if status != 200 or not body.get("store_ok"):
                            self.failures.append((p, status, body))
                    except OSError as e:
                        self.failures.append((p, "no answer", repr(e)))
                    self.slowest = max(self.slowest, time.monotonic() - began)
                time.sleep(0.1)

        self.thread = threading.Thread(target=run_, daemon=True)
        self.thread.start()

    def close(self):
        self.stop.set()
        self.thread.join(10)


@unittest.skipIf(STORE != "sqlite", "the stall was SQLite's; etcd's liveness is leases, and "
                 "test_store_faults' burst covers it")
class LargeTable(DeploymentTest):
    POOLS = 4

    def test_3000_ranges_created_with_no_pool_ever_reported_down(self):
        pools = [P1, P2, P3, P4]
        watch = StatusWatch(self.dep, pools)
        self.addCleanup(watch.close)
        prober = HealthProber(self.dep, pools)
        self.addCleanup(prober.close)
        refusals = {}
        began = time.monotonic()

        async def operator(at, numbers):
            c = await Client.connect(self.dep.pool(at)["url"], self.dep.token("operator"))
            for i in numbers:
                n = 1000000 + i * 10
                args = {"identity": f"bulk-{i}", "start": str(n), "end": str(n + 9),
                        "pool": pools[i % len(pools)]}
                while True:
                    r = await c.cmd("orbit.create", args, timeout=30)
                    if r["ok"]:
                        break
                    # A session may send 200 commands a second; beyond
                    # that it is asked to slow down. Four operators at
                    # full speed may also keep changing the table under
                    # each other's requests (conflict after 8 tries):
                    # as a script would, try again.
                    self.assertIn(r["error"]["code"], ("rate_limited", "conflict"), r)
                    refusals[r["error"]["code"]] = refusals.get(r["error"]["code"], 0) + 1
                    await asyncio.sleep(0.05)
            await c.close()

        async def everyone():
            await asyncio.gather(*[operator(at, range(k, RANGES, len(pools)))
                                   for k, at in enumerate(pools)])
        run(everyone())
        if os.environ.get("ORBIT_TEST_VERBOSE"):
            print(f"{RANGES} ranges in {time.monotonic() - began:.1f} s; refused and tried "
                  f"again: {refusals}; slowest health answer {prober.slowest:.3f} s",
                  file=sys.stderr)
        ranges, _ = wait_agree(self.dep, pools, timeout=30)
        self.assertEqual(len([i for i in ranges if i.startswith("bulk-")]), RANGES)
        prober.close()
        watch.close()
        self.assertEqual(watch.errors, [])
        self.assertEqual(watch.down(), [], "a healthy pool was reported down")
        self.assertEqual(prober.failures, [], "a pool did not answer /v1/health in time")


@unittest.skipIf(STORE != "sqlite", "the server's memory, whatever the store")
class SubscriberBurst(DeploymentTest):
    POOLS = 2

    def test_memory_of_50_simultaneous_subscribes_is_returned(self):
        if sanitized():
            self.skipTest("a sanitizer's allocator holds freed memory in quarantine")
        path = os.path.join(self.dep.dir, "big.json")
        with open(path, "w") as f:
            json.dump(big_topology(self.dep, RANGES), f)
        r = subprocess.run([program("orbitd"), "import", "--store", self.dep.info["store"],
                            "--replace", path], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        wait_until(lambda: len(state(self.dep, P1)["orbits"]) > RANGES, timeout=20,
                   what="pool1 to load the large table")
        pid = self.dep.pool(P1)["pid"]

        async def burst(n, stay):
            """n viewers subscribe at once while an operator changes the
            settings (so that what lives on, events, is allocated amid what
            the burst frees); one viewer stays, the others leave."""
            op = await Client.connect(self.dep.url(P1), self.dep.token("operator"))
            clients = await asyncio.gather(*[Client.connect(self.dep.url(P1),
                                                            self.dep.token("viewer"))
                                             for _ in range(n)])
            await asyncio.gather(*[c.send({"t": "subscribe", "id": "s"}) for c in clients])
            for i in range(20):
                r = await op.cmd("config.set", {"call_pickup_timeout_threshold": 30 + i})
                self.assertTrue(r["ok"], r)
            snaps = await asyncio.gather(*[c.expect_any(("snapshot",), "s", timeout=60)
                                           for c in clients])
            self.assertTrue(all(len(s["state"]["orbits"]) > RANGES for s in snaps))
            stay.append(clients[0])
            await asyncio.gather(*[c.close() for c in clients[1:]] + [op.close()])

        async def returned(limit, seconds=10):
            for _ in range(int(seconds / 0.5)):
                if rss_kib(pid) <= limit:
                    return True
                await asyncio.sleep(0.5)
            return False

        async def scenario():
            stay = []
            await burst(1, stay)  # the snapshot of this state is built and cached
            await asyncio.sleep(3)
            before = rss_kib(pid)
            for round_ in range(3):
                peak = PeakRss(pid)
                await burst(SUBSCRIBERS, stay)
                peak = peak.close()
                self.assertGreater(peak, before * 1.2, "the burst took little memory")
                back = await returned(before * 1.10)
                if os.environ.get("ORBIT_TEST_VERBOSE"):
                    print(f"burst {round_ + 1}: {before} KiB before, {peak} at the peak, "
                          f"{rss_kib(pid)} after", file=sys.stderr)
                self.assertTrue(back, f"burst {round_ + 1}: {rss_kib(pid)} KiB resident after "
                                f"it, {before} KiB before, {peak} KiB at its peak")
            await asyncio.gather(*[c.close() for c in stay])

        run(scenario())


if __name__ == "__main__":
    unittest.main()
