"""orbit-sim against orbit-demo deployments: the capacity profile through a
full failover and failback, an outage, and the demo's own simulator."""

import json
import os
import subprocess
import time
import unittest

from orbit_testlib import (P1, P2, Deployment, DeploymentTest, failback, failover, op_http,
                           program, redirect_pickup, state, wait_down, wait_until)

P3 = "pool3.north.example.net"
P4 = "pool4.south.example.net"


class SimTest(DeploymentTest):
    POOLS = 4
    CLOCK_SCALE = 10.0
    PHASE_SECONDS = 20.0  # 2 s of real time

    def start_sim(self, profile, seconds):
        path = os.path.join(self.dep.dir, "deployment.json")
        return subprocess.Popen([program("orbit-sim"), "--deployment", path, "--profile",
                                 profile, "--duration", str(seconds), "--json",
                                 "--status-every", "0"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def finish(self, proc):
        out, err = proc.communicate(timeout=120)
        self.assertNotIn("Sanitizer", err)
        self.assertNotIn("runtime error:", err)
        summary = json.loads(out)
        return proc.returncode, summary, err

    def test_capacity_profile_through_failover_and_failback(self):
        sim = self.start_sim("capacity", 16)
        time.sleep(2)
        for home, backup in ((P1, P2), (P3, P4)):
            failover(self.dep, home=home, at=backup, wait=False)
        for home, backup in ((P1, P2), (P3, P4)):
            from orbit_testlib import wait_phase
            wait_phase(self.dep, backup, home, "failed_over")
            redirect_pickup(self.dep, home, backup, at=backup)
        time.sleep(3)
        for home, backup in ((P1, P2), (P3, P4)):
            failback(self.dep, home=home, at=backup)
            body = op_http(self.dep, home, "orbit.update",
                           {"identity": f"{home.split('.')[0]} GroupPickup", "pool": home})
            self.assertTrue(body["ok"], body)
        rc, summary, err = self.finish(sim)
        self.assertEqual(summary["unexpected_errors"], 0, err)
        self.assertEqual(summary["verdict"], "no unexpected errors")
        self.assertEqual(rc, 0)
        self.assertEqual(summary["profile"], "capacity")
        self.assertEqual(summary["pools"], 4)
        ops = summary["ops"]
        self.assertGreater(ops["call.park"]["ok"], 10)
        self.assertGreater(ops["pickup.ring"]["ok"], 1000)
        self.assertGreater(ops["pickup.take"]["ok"], 100)
        # Resiliency mode was met, and counted as expected.
        self.assertGreater(ops["call.park"]["expected"].get("resiliency_mode", 0) +
                           ops["pickup.ring"]["expected"].get("pickup_unavailable", 0), 0)

    def test_outage_and_disaster_failover_with_phones_running(self):
        sim = self.start_sim("demo", 14)
        time.sleep(2)
        self.dep.kill(P1)
        wait_down(self.dep, P2, P1)
        failover(self.dep, home=P1, at=P2, disaster_mode=True)
        redirect_pickup(self.dep, P1, P2, at=P2)
        time.sleep(2)
        self.dep.start(P1)
        wait_until(lambda: op_http(self.dep, P2, "pool.failback", {"pool": P1})["ok"],
                   timeout=6, what="failback accepted")
        from orbit_testlib import wait_phase
        wait_phase(self.dep, P2, P1, "normal")
        body = op_http(self.dep, P1, "orbit.update", {"identity": "pool1 GroupPickup",
                                                      "pool": P1})
        self.assertTrue(body["ok"], body)
        rc, summary, err = self.finish(sim)
        self.assertEqual(summary["unexpected_errors"], 0, err)
        self.assertEqual(rc, 0)
        ops = summary["ops"]
        # Users of the dead pool could not park until failover completed.
        self.assertGreater(ops["call.park"]["expected"].get("pool_unreachable", 0) +
                           ops["call.park"]["expected"].get("resiliency_mode", 0), 0)
        self.assertGreater(ops["call.park"]["ok"], 0)

    def test_usage_errors(self):
        r = subprocess.run([program("orbit-sim"), "--profile", "nonsense", "--deployment",
                            os.path.join(self.dep.dir, "deployment.json")],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown profile", r.stderr)
        r = subprocess.run([program("orbit-sim")], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)


class DemoSimTest(unittest.TestCase):
    def test_orbit_demo_up_starts_the_simulator(self):
        dep = Deployment(pools=2, clock_scale=10.0, sim="demo")
        self.addCleanup(dep.down)
        pid = dep.info["sim"]["pid"]
        self.assertGreater(pid, 0)
        with open(f"/proc/{pid}/cmdline") as f:
            self.assertIn("orbit-sim", f.read())
        # Phones at work: calls get parked.
        wait_until(lambda: state(dep, P1)["parked"] or state(dep, P2)["parked"],
                   timeout=15, what="a parked call")
        # down stops the simulator, which prints its summary.
        dep.run_demo([program("orbit-demo"), "down", dep.dir])
        with open(dep.info["sim"]["log"]) as f:
            log = f.read()
        self.assertIn("orbit-sim summary: profile demo", log)
        self.assertIn("no unexpected errors", log)


if __name__ == "__main__":
    unittest.main()
