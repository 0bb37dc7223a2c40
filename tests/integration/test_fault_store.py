"""The deployment store held by someone else, and a pool run twice.

StoreLocked (SQLite only): another process holds a write transaction on
the store file for seconds. Calls are served, heartbeats keep flowing (no
pool is ever reported down), operator ops wait and answer unavailable,
and once the lock goes the same pools take changes again by themselves.
Held on the heartbeat file for less than the liveness TTL, nobody is
degraded or reported down.

SecondInstance (both stores): a second orbitd for a pool that runs,
on the same data directory or on another one, refuses to start and the
first keeps serving alone; once the first is gone, a new one starts."""

import os
import shutil
import sqlite3
import subprocess
import threading
import time
import unittest

from faultlib import StatusWatch, set_config, store_tables, wait_agree
from orbit_testlib import (P1, P2, STORE, DeploymentTest, free_base_port, http, program, run,
                           state, wait_until)
from test_fault_disk import calls_work, create

LOCK_SECONDS = 8


@unittest.skipIf(STORE != "sqlite", "a lock on the SQLite file")
class StoreLocked(DeploymentTest):
    POOLS = 2

    def last_seen(self, at, fqdn):
        return next(p for p in state(self.dep, at)["pools"] if p["fqdn"] == fqdn)["last_seen_ms"]

    def test_store_locked_for_seconds_calls_and_heartbeats_go_on(self):
        watch = StatusWatch(self.dep, [P1, P2])
        self.addCleanup(watch.close)
        locked, release = threading.Event(), threading.Event()

        def holder():
            con = sqlite3.connect(self.dep.info["store"], timeout=10, isolation_level=None)
            con.execute("BEGIN IMMEDIATE")
            con.execute("INSERT OR REPLACE INTO meta(key, value) VALUES('held', 'by a test')")
            locked.set()
            release.wait(LOCK_SECONDS)
            con.execute("ROLLBACK")
            con.close()

        t = threading.Thread(target=holder)
        t.start()
        self.addCleanup(t.join)
        self.addCleanup(release.set)
        self.assertTrue(locked.wait(10))
        began = time.monotonic()
        seen_before = self.last_seen(P2, P1)
        # An operator op waits for the lock, then answers unavailable: the
        # change was not made.
        status, body = create(self.dep, P1, "while-locked", 610000)
        self.assertLess(time.monotonic() - began, LOCK_SECONDS, "the op outlasted the lock")
        self.assertEqual(status, 503, body)
        self.assertEqual(body["error"]["code"], "unavailable")
        self.assertIn("locked", body["error"]["message"])
        self.assertIn("nothing was changed", body["error"]["message"])
        # Calls are served at both pools, and heartbeats went on.
        for pool in (P1, P2):
            run(calls_work(self, self.dep, pool))
        self.assertGreater(self.last_seen(P2, P1), seen_before)
        for pool in (P1, P2):
            self.assertTrue(http(self.dep, "/v1/health", pool=pool)[1]["store_ok"])
        release.set()
        t.join(15)
        # The same pools take changes again, without a restart.
        status, body = create(self.dep, P1, "after-lock", 620000)
        self.assertEqual(status, 200, body)
        ranges, _ = wait_agree(self.dep, [P1, P2])
        self.assertIn("after-lock", ranges)
        self.assertNotIn("while-locked", ranges)
        watch.close()
        self.assertEqual(watch.errors, [])
        self.assertEqual(watch.down(), [])
        self.assertNotIn("degraded", {s for _, _, s in watch.seen})


    def test_heartbeats_held_up_less_than_the_ttl_make_nobody_degraded(self):
        """The heartbeat file's lock held for 1.2 s (beats wait 0.5 s for
        it, then try again on the next beat): every pool is still alive to
        the others, so none is degraded or reported down."""
        watch = StatusWatch(self.dep, [P1, P2])
        self.addCleanup(watch.close)
        con = sqlite3.connect(self.dep.info["store"] + "-live", timeout=10,
                              isolation_level=None)
        self.addCleanup(con.close)
        con.execute("BEGIN IMMEDIATE")
        time.sleep(1.2)
        con.execute("ROLLBACK")
        time.sleep(1.0)
        status, body = create(self.dep, P1, "after-beats", 630000)
        self.assertEqual(status, 200, body)
        watch.close()
        self.assertEqual(watch.errors, [])
        self.assertEqual([s for s in watch.seen if s[2] in ("down", "degraded")], [])


class SecondInstance(DeploymentTest):
    POOLS = 2

    def second_config(self, own_data_dir):
        """A copy of pool1's configuration on another port, on pool1's
        data directory or on a copy of it; returns (path, port)."""
        conf = os.path.join(self.dep.dir, "second.conf")
        shutil.copy(self.dep.pool(P1)["config"], conf)
        port = free_base_port(1) + 1
        set_config(conf, "port", port)
        if own_data_dir:
            data = os.path.join(self.dep.dir, "second-data")
            shutil.copytree(self.dep.pool(P1)["data_dir"], data,
                            ignore=shutil.ignore_patterns("orbitd.lock"))
            set_config(conf, "data_dir", data)
        return conf, port

    def start_second(self, conf):
        log = open(conf + ".log", "w")
        self.addCleanup(log.close)
        proc = subprocess.Popen([program("orbitd"), "-c", conf], stdout=log,
                                stderr=subprocess.STDOUT)
        self.addCleanup(lambda: proc.poll() is None and (proc.kill(), proc.wait()))
        return proc

    def refused(self, conf, why):
        proc = self.start_second(conf)
        try:
            rc = proc.wait(15)
        except subprocess.TimeoutExpired:
            self.fail("a second orbitd for a live pool kept running")
        self.assertNotEqual(rc, 0)
        with open(conf + ".log") as f:
            self.assertIn(why, f.read())

    def test_second_instance_on_the_same_data_directory_refuses_to_start(self):
        before = store_tables(self.dep)
        conf, _ = self.second_config(own_data_dir=False)
        self.refused(conf, "another orbitd already runs")
        self.assertEqual(http(self.dep, "/v1/health", pool=P1)[0], 200)
        self.assertEqual(store_tables(self.dep), before)
        run(calls_work(self, self.dep, P1))

    def test_second_instance_elsewhere_refuses_while_the_pool_lives(self):
        conf, port = self.second_config(own_data_dir=True)
        self.refused(conf, "already served by a live orbitd")
        run(calls_work(self, self.dep, P1))
        # Once the first is gone (on this host, known at once) it may start.
        self.dep.kill(P1)
        proc = self.start_second(conf)

        def serving():
            if proc.poll() is not None:
                return True  # it stopped: asserted below
            try:
                return http(f"http://127.0.0.1:{port}", "/v1/health", timeout=2)[0] == 200
            except OSError:
                return False
        wait_until(serving, timeout=15, what="the new instance to serve")
        self.assertIsNone(proc.poll(), "the new instance stopped")


if __name__ == "__main__":
    unittest.main()
