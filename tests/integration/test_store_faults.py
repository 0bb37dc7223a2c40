"""The deployment store through a whole DR cycle, and under load (docs/
deployment.md, "Failure semantics"). Runs on both stores; with etcd the
leader is also killed in the middle of the failback."""

import json
import os
import signal
import threading
import time
import unittest
import urllib.request

from orbit_testlib import (P1, P2, STORE, DeploymentTest, cmd, dr_of, failback, failover,
                           redirect_pickup, state, wait_down, wait_phase, wait_until)

P3 = "pool3.north.example.net"
P4 = "pool4.south.example.net"


def table(dep, pool):
    return sorted(o["identity"] for o in state(dep, pool)["orbits"])


def view(dep, pool):
    s = state(dep, pool)
    return (sorted((o["identity"], o["pool"]) for o in s["orbits"]),
            sorted((d["home"], d["phase"], d["pickup_ranges_redirected"]) for d in s["dr"]))


def consistent(dep, pools):
    """Every live pool holds the same table and DR state."""
    def same():
        views = [view(dep, p) for p in pools]
        return all(v == views[0] for v in views)
    wait_until(same, timeout=15, what="pools to agree")


def etcd_leader(dep):
    for m in dep.info["etcd"]["members"]:
        req = urllib.request.Request(f"http://127.0.0.1:{m['client_port']}"
                                     "/v3/maintenance/status", data=b"{}", method="POST")
        try:
            with urllib.request.urlopen(req, timeout=2) as r:
                st = json.loads(r.read())
        except OSError:
            continue
        if st["header"]["member_id"] == st["leader"]:
            return m
    raise AssertionError("no leader")


class DrCycle(DeploymentTest):
    POOLS = 4
    PHASE_SECONDS = 2.0

    def test_outage_failover_redirect_failback_stay_consistent(self):
        """Four pools: pool1 dies, its users fail over to pool2, the pickup
        ranges are redirected, pool1 comes back, the users fail back (on
        etcd, the leader is killed as the failback starts), the ranges go
        home; after every step all pools agree."""
        live = [P1, P2, P3, P4]
        consistent(self.dep, live)
        self.dep.kill(P1)
        live = [P2, P3, P4]
        wait_down(self.dep, P2, P1)
        failover(self.dep, home=P1, at=P2, disaster_mode=True)
        consistent(self.dep, live)
        redirect_pickup(self.dep, P1, P2)
        consistent(self.dep, live)
        self.assertTrue(dr_of(self.dep, P4, P1)["pickup_ranges_redirected"])
        self.dep.start(P1)
        live = [P1, P2, P3, P4]
        consistent(self.dep, live)
        if STORE == "etcd":
            lead = etcd_leader(self.dep)
            os.kill(lead["pid"], signal.SIGKILL)
        # The failback is answered, or refused with a clear error and
        # asked again once the cluster has a leader.
        def failback_done():
            status, body, _ = cmd(self.dep, "pool.failback", {"pool": P1}, pool=P2)
            if status == 200:
                return True
            self.assertIn(body["error"]["code"], ("unavailable", "conflict"), body)
            return dr_of(self.dep, P2, P1)["phase"] in ("failing_back", "normal")
        wait_until(failback_done, timeout=30, interval=0.5, what="the failback")
        wait_phase(self.dep, P2, P1, "normal")
        consistent(self.dep, live)
        redirect_pickup(self.dep, P2, P1, at=P1)
        consistent(self.dep, live)
        home = dr_of(self.dep, P3, P1)
        self.assertEqual(home["phase"], "normal")
        self.assertTrue(home["pickup_ranges_redirected"])


class BusyPool(DeploymentTest):
    POOLS = 2

    def test_a_burst_of_changes_never_makes_a_peer_look_down(self):
        """Range creates as fast as one client can send them, at one pool,
        while the other watches liveness: nobody is ever marked down."""
        seen_down = []
        stop = threading.Event()

        def watch():
            while not stop.is_set():
                for fqdn in (P1, P2):
                    s = state(self.dep, fqdn)
                    seen_down.extend((fqdn, p["fqdn"]) for p in s["pools"]
                                     if p["status"] == "down")
                time.sleep(0.1)

        t = threading.Thread(target=watch)
        t.start()
        try:
            for i in range(300):
                n = 600000 + i * 10
                status, body, _ = cmd(self.dep, "orbit.create",
                                      {"identity": f"burst-{i}", "start": str(n),
                                       "end": str(n + 9), "pool": P1 if i % 2 else P2},
                                      pool=P1 if i % 3 else P2)
                self.assertEqual(status, 200, body)
        finally:
            stop.set()
            t.join()
        self.assertEqual(seen_down, [])
        self.assertEqual(len([o for o in table(self.dep, P2) if o.startswith("burst-")]),
                         300)



if __name__ == "__main__":
    unittest.main()
