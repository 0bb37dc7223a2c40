"""The guided DR runbooks from the keyboard (issue 11), in tmux against
orbit-demo with simulated phones: kill -9 a pool, then the guided failover
and failback (O, K), a lost pool replaced under a new FQDN (P), the DR
view's readiness checks, the status line's news (pools down and up,
phases, redirects, actions by others), a DOWN pool's card, and R refused
while a phase runs."""

import os
import subprocess

from console_base import P3, ConsoleTest, audit_ops
from orbit_testlib import P1, P2, dr_of, op_http, program, state, wait_until

P5 = "pool5.north.example.net"


def wrapped(pattern):
    """A pattern whose blanks match a line break too: the status line wraps."""
    return pattern.replace(" ", r"\s+")


def owners(dep, pool=1):
    return {o["identity"]: o["pool"] for o in state(dep, pool)["orbits"]}


def orbitctl(dep, *args):
    argv = [program("orbitctl"), "--deployment", os.path.join(dep.dir, "deployment.json"),
            "--vault", os.path.join(dep.dir, "vault-ctl")] + list(args)
    r = subprocess.run(argv, capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, XDG_CONFIG_HOME=os.path.join(dep.dir, "ctl-config")))
    assert r.returncode == 0, r.stderr
    return r.stdout


class GuidedRunbookTest(ConsoleTest):
    def test_kill9_then_guided_failover_and_failback_from_the_keyboard(self):
        c = self.console()
        c.wait_for(r"4/4 pools connected")
        self.dep.kill(P1)
        c.wait_for(r"pool1\.north\.example\.net is DOWN", timeout=8)
        # The card says what the users can do, not the counts it had.
        c.wait_all([r"parked calls lost", r"no park until failover"])
        c.keys("O")  # pool1 is selected first
        c.wait_all([r"Guided failover of pool1\.north\.example\.net",
                    r"disaster_mode proposed", r"disaster_mode\s+\[x\]", r"Fail over \]"])
        self.confirm(c, P1)
        c.wait_for(r"guided failover of pool1\.north\.example\.net done", timeout=20)
        c.wait_all([r"failover of pool1\.north\.example\.net, done",
                    r"redirect\s+done", r"verify\s+done"])
        d = dr_of(self.dep, P2, P1)
        self.assertEqual((d["phase"], d["pickup_ranges_redirected"]), ("failed_over", True))
        self.assertEqual(owners(self.dep)["pool1 GroupPickup"], P2)
        ops = [op for op, ok, who in audit_ops(self.dep, P2) if ok and who == "demo-operator"]
        for op in ("runbook.claim", "runbook.step", "pool.failover", "pickup.redirect",
                   "dr.test_call"):
            self.assertIn(op, ops)
        # Back: the pool comes up, the guided failback.
        c.keys("1")
        c.wait_for(r"park: works")
        self.dep.start(P1)
        c.wait_for(r"pool1\.north\.example\.net is up again", timeout=15)
        c.keys("K")
        c.wait_all([r"Guided failback of pool1\.north\.example\.net", r"Fail back \]"])
        self.confirm(c, P1)
        c.wait_for(r"guided failback of pool1\.north\.example\.net done", timeout=20)
        d = dr_of(self.dep, P2, P1)
        self.assertEqual((d["phase"], d["pickup_ranges_redirected"]), ("normal", True))
        self.assertEqual(owners(self.dep)["pool1 GroupPickup"], P1)
        self.assertEqual(owners(self.dep)["pool2 GroupPickup"], P2)

    def test_replace_a_lost_pool_from_the_keyboard(self):
        c = self.console()
        c.wait_for(r"4/4 pools connected")
        self.dep.kill(P1)
        c.wait_for(r"pool1\.north\.example\.net\s+DOWN", timeout=8)
        self.dep.run_demo([program("orbit-demo"), "add", self.dep.dir, P5, "north"])
        self.dep.reload()
        url = self.dep.pool(P5)["url"]
        c.keys("P")
        c.wait_all([r"Replace pool1\.north\.example\.net by a new pool", r"new pool FQDN",
                    r"Next \]"])
        c.type(P5)
        c.keys("Tab", "Tab")
        c.type(url)
        c.keys("Enter")
        c.wait_for(r">\[ Next \]<")
        c.keys("Enter")
        c.wait_all([r"Replace of pool1\.north\.example\.net", r"Replace \]"])
        self.confirm(c, P1)
        c.wait_for(r"new_pool_up\s+running", timeout=15)
        self.dep.start(P5)
        c.wait_for(r"pool replacement of pool1\.north\.example\.net done", timeout=30)
        s = state(self.dep, P5)
        self.assertEqual({p["fqdn"]: p.get("backup") for p in s["pools"]}[P5], P2)
        self.assertNotIn(P1, {p["fqdn"] for p in s["pools"]})
        self.assertEqual(owners(self.dep, 1)["pool1 CallPark"], P5)
        self.assertEqual(owners(self.dep, 1)["pool1 GroupPickup"], P5)

    def test_the_dr_view_shows_a_check_failing_then_passing(self):
        c = self.console()
        c.wait_for(r"4/4 pools connected")
        c.keys("7")
        c.wait_all([r"pool1\.north\.example\.net / pool2\.south\.example\.net\s+ready",
                    r"ok\s+pickup_ranges"])
        op_http(self.dep, 0, "orbit.update", {"identity": "pool2 GroupPickup", "pool": P1})
        c.wait_all([r"NOT READY: pickup_ranges", r"fail\s+pickup_ranges",
                    r"fix: orbitctl pool redirect pool2\.south\.example\.net"])
        op_http(self.dep, 0, "pickup.redirect", {"pool": P2})
        c.wait_all([r"ok\s+pickup_ranges"])
        c.wait_for(r"NOT READY", absent=True)


class NewsTest(ConsoleTest):
    def test_actions_by_others_and_phases_are_announced(self):
        c = self.console()
        c.wait_for(r"4/4 pools connected")
        orbitctl(self.dep, "pool", "failover", P3)
        c.wait_for(wrapped(r"failover of pool3\.north\.example\.net's users started by "
                           r"demo-operator \(orbitctl"), timeout=5)
        c.wait_for(wrapped(r"failover of pool3\.north\.example\.net completed: served by "
                           r"pool4\.south\.example\.net"), timeout=10)
        orbitctl(self.dep, "pool", "redirect", P3)
        c.wait_for(wrapped(r"pool3\.north\.example\.net's pickup ranges redirected to "
                           r"pool4\.south\.example\.net by demo-operator \(orbitctl"), timeout=5)

    def test_a_pair_held_by_another_operator_is_refused_with_the_holder(self):
        c = self.console()
        c.wait_for(r"4/4 pools connected")
        body = op_http(self.dep, 1, "runbook.claim",
                       {"home": P1, "kind": "failover", "run_id": "00000000deadbeef",
                        "steps": ["preflight"]})
        self.assertTrue(body["ok"], body)
        c.wait_for(wrapped(r"failover runbook of pool1\.north\.example\.net claimed by "
                           r"demo-operator \(Python-urllib"), timeout=5)
        c.keys("O")
        c.wait_for(wrapped(r"refused: conflict: busy: the failover of pool1\.north\.example\.net "
                           r"held by demo-operator \(Python-urllib"), timeout=10)
        self.assertEqual(dr_of(self.dep, P2, P1)["phase"], "normal")


class RedirectDuringPhaseTest(ConsoleTest):
    PHASE_SECONDS = 60.0  # 12 s of real time: the redirect comes during it

    def test_r_is_refused_while_the_phase_runs(self):
        c = self.console()
        c.wait_for(r"4/4 pools connected")
        body = op_http(self.dep, 1, "pool.failover", {"pool": P1})
        self.assertTrue(body["ok"], body)
        c.wait_for(r"pickup: redirect after the phase")
        c.keys("R")
        c.wait_for(r"redirect refused: pool1\.north\.example\.net's users are failing_over")
        self.assertEqual(owners(self.dep)["pool1 GroupPickup"], P1)
        wait_until(lambda: dr_of(self.dep, P2, P1)["phase"] == "failed_over", timeout=20)
