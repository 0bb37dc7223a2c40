"""A pool frozen for 10 s (SIGSTOP), as a hung host or a long GC pause
would: its clients (the client library's mirror, and orbitctl watch) mark
it stale, its peer reports it down; after SIGCONT it catches up with what
changed meanwhile and every client recovers without a restart, its mirror
equal to the server's state. Runs on both stores."""

import json
import os
import signal
import subprocess
import threading
import time
import unittest

from faultlib import process_state, wait_agree
from orbit_testlib import (P1, P2, USER2, DeploymentTest, Phones, Probe, cmd, program, run,
                           state, wait_until)
from test_client import comparable

STOP_SECONDS = 10


class Watch:
    """orbitctl watch --all, its JSON lines collected on a thread."""

    def __init__(self, dep):
        self.proc = subprocess.Popen([program("orbitctl"), "--deployment",
                                      os.path.join(dep.dir, "deployment.json"), "watch", "--all"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(json.loads(line))

    def of(self, pool):
        return [l for l in self.lines if l["pool"] == pool]

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.thread.join(5)
        return self.proc.stderr.read()


def thaw(pid):
    try:
        os.kill(pid, signal.SIGCONT)
    except ProcessLookupError:
        pass


class FrozenPool(DeploymentTest):
    POOLS = 2

    def mirror_equal(self, probe, pool):
        def same():
            d = probe.dump()
            return d["live"] and not d["stale"] and \
                comparable(d["state"]) == comparable(state(self.dep, pool))
        try:
            wait_until(same, timeout=15, interval=0.2, what=f"the mirror of {pool} to catch up")
        except AssertionError:
            d = probe.dump()
            self.assertEqual(comparable(d["state"]), comparable(state(self.dep, pool)))
            raise

    def wait_watch(self, watch, predicate, what):
        try:
            wait_until(predicate, timeout=15, interval=0.3, what=what)
        except AssertionError:
            self.fail(f"timed out waiting for {what}; its last lines: "
                      f"{[(l['pool'], l['rev'], l['kind']) for l in watch.lines[-5:]]}; "
                      f"its errors: {watch.close()!r}")

    def test_pool_stopped_for_10_s_is_stale_then_recovers_without_restart(self):
        probes = {p: Probe(self.dep.url(p), self.dep.token("viewer")) for p in (P1, P2)}
        for p in probes.values():
            self.addCleanup(p.close)
        watch = Watch(self.dep)
        self.addCleanup(watch.close)
        for pool, probe in probes.items():
            self.mirror_equal(probe, pool)
        # orbitctl follows both pools before the freeze: a change at each
        # reaches it (it prints what happens after it subscribed, so the
        # pools keep changing until it has).
        tries = iter(range(60, 120))

        def following():
            todo = [p for p in (P1, P2)
                    if not any(l["kind"] == "config.changed" for l in watch.of(p))]
            for pool in todo:
                cmd(self.dep, "config.set", {"call_pickup_timeout_threshold": next(tries)},
                    pool=pool)
            return not todo
        self.wait_watch(watch, following, "orbitctl watch to follow both pools")
        before = {pool: probe.dump() for pool, probe in probes.items()}
        pid = self.dep.pool(P1)["pid"]

        os.kill(pid, signal.SIGSTOP)
        stopped_at = time.monotonic()
        self.addCleanup(thaw, pid)
        wait_until(lambda: process_state(pid) == "T", timeout=2, what="pool1 to stop")
        # While pool1 is frozen the deployment moves on at pool2.
        for i in range(5):
            status, body, _ = cmd(self.dep, "orbit.create",
                                  {"identity": f"frozen-{i}", "start": str(510000 + 10 * i),
                                   "end": str(510009 + 10 * i), "pool": P2}, pool=P2)
            self.assertEqual(status, 200, body)

        async def park():
            phones = Phones(self.dep)
            r = await phones.park(P2, parker=USER2)
            await phones.close()
            return r
        self.assertTrue(run(park())["ok"])
        wait_until(lambda: probes[P1].dump()["stale"], timeout=STOP_SECONDS - 2,
                   what="the frozen pool's mirror to turn stale")
        self.assertFalse(probes[P2].dump()["stale"])
        wait_until(lambda: next(p for p in state(self.dep, P2)["pools"]
                                if p["fqdn"] == P1)["status"] == "down",
                   timeout=STOP_SECONDS - 2, what="pool2 to report pool1 down")
        time.sleep(max(0.0, STOP_SECONDS - (time.monotonic() - stopped_at)))
        thaw(pid)

        # Every client recovers by itself: fresh, and equal to its server.
        for pool, probe in probes.items():
            self.mirror_equal(probe, pool)
        wait_until(lambda: next(p for p in state(self.dep, P2)["pools"]
                                if p["fqdn"] == P1)["status"] == "up",
                   timeout=10, what="pool2 to see pool1 up again")
        ranges, _ = wait_agree(self.dep, [P1, P2])
        self.assertTrue(all(f"frozen-{i}" in ranges for i in range(5)))
        after = probes[P1].dump()
        self.assertIn("frozen-4", {o["identity"] for o in after["state"]["orbits"]})
        # The same connection and subscription went on (no restart of the
        # client, no new epoch: the pool was not restarted either).
        self.assertEqual(after["epoch"], before[P1]["epoch"])
        # orbitctl watch saw pool1's events of the catch-up, in order, and
        # sees what pool1 does next.
        status, body, _ = cmd(self.dep, "orbit.create",
                              {"identity": "after-thaw", "start": "520000", "end": "520009",
                               "pool": P1}, pool=P1)
        self.assertEqual(status, 200, body)
        self.wait_watch(watch, lambda: any(l["kind"] == "orbit.created" and
                                           l["data"].get("identity") == "after-thaw"
                                           for l in watch.of(P1)),
                        "orbitctl watch to print pool1's new event")
        for pool in (P1, P2):
            revs = [l["rev"] for l in watch.of(pool) if l["epoch"] == before[pool]["epoch"]]
            self.assertEqual(revs, sorted(set(revs)), f"{pool}: events repeated or reordered")
            self.assertEqual(revs, list(range(revs[0], revs[0] + len(revs))),
                             f"{pool}: events missed")
        self.assertIsNone(watch.proc.poll(), "orbitctl watch stopped")


if __name__ == "__main__":
    unittest.main()
