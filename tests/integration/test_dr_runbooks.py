"""Disaster recovery as guided, verified runbooks (issue 11), end to end on
orbit-demo with orbitctl: the readiness checks failing and passing, kill -9
then the guided failover, pickup only after the redirect, the failback, a
lost pool replaced under a new FQDN, two operators on one pair, and the
bugs of the manual procedure (a redirect that took the backup's own range,
orbitctl unusable with the first pool down, a refusal exiting 5)."""

import hashlib
import json
import os
import re  # noqa: F401
import subprocess
import time
import unittest

from orbit_testlib import (P1, P2, USER1, DeploymentTest, Phones, cmd, http, op_http, program,
                           run, state, wait_down, wait_phase, wait_until, watch, drain, events_of)
from test_moh import wav

P3 = "pool3.north.example.net"
P4 = "pool4.south.example.net"
P5 = "pool5.north.example.net"


class DrTest(DeploymentTest):
    """orbitctl against the deployment, with its own vault."""

    def ctl(self, *args, json_out=False, pool=None, stdin=subprocess.DEVNULL, timeout=60):
        argv = [program("orbitctl"), "--deployment", os.path.join(self.dep.dir, "deployment.json"),
                "--vault", os.path.join(self.dep.dir, "vault")]
        if pool:
            argv += ["--pool", pool]
        if json_out:
            argv.append("--json")
        env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(self.dep.dir, "config"))
        env.pop("ORBIT_TOKEN", None)
        env.pop("ORBIT_URL", None)
        return subprocess.run(argv + list(args), capture_output=True, text=True, timeout=timeout,
                              env=env, stdin=stdin)

    def ok(self, *args, **kw):
        r = self.ctl(*args, **kw)
        self.assertEqual(r.returncode, 0, f"{args}: {r.stdout}\n{r.stderr}")
        return r

    def check(self):
        """orbitctl dr check --json: (exit code, {check name: problems} of the first pair)."""
        r = self.ctl("dr", "check", json_out=True)
        doc = json.loads(r.stdout)
        pair = doc["pairs"][0]
        return r.returncode, {c["check"]: c["problems"] for c in pair["checks"]}

    def back_up_everything(self):
        for p in self.dep.fqdns():
            self.ok("cps", "get", pool=p)

    def audit(self, pool):
        status, body, _ = http(self.dep, "/v1/audit?limit=500", token=self.dep.token("operator"),
                               pool=pool)
        self.assertEqual(status, 200, body)
        return body["entries"]

    def steps(self, out):
        """The JSON lines of a runbook: [(step, state, detail)]."""
        lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        return [(x["step"], x["state"], x["detail"]) for x in lines if "step" in x]

    def kill_and_wait(self, fqdn, seen_by=1):
        self.dep.kill(fqdn)
        wait_down(self.dep, seen_by, fqdn, timeout=6)


class ReadinessTest(DrTest):
    """Each readiness check the issue names, failing then passing."""

    def test_missing_moh_and_settings_backups_fail_then_pass(self):
        rc, checks = self.check()
        self.assertEqual(rc, 6)
        self.assertEqual({p["pool"] for p in checks["settings_backup"]}, {P1, P2})
        self.assertIn("cps get", checks["settings_backup"][0]["fix"])
        self.back_up_everything()
        rc, checks = self.check()
        self.assertEqual(rc, 0, checks)
        # Music uploaded behind the vault's back: not backed up.
        body = wav(1)
        status, _, _ = http(self.dep, "/v1/moh", token=self.dep.token("operator"), method="PUT",
                            body=body, pool=0,
                            headers={"X-Orbit-Filename": "lobby.wav",
                                     "X-Orbit-Sha256": hashlib.sha256(body).hexdigest()})
        self.assertEqual(status, 200)
        rc, checks = self.check()
        self.assertEqual(rc, 6)
        [problem] = checks["moh_backup"]
        self.assertEqual(problem["pool"], P1)
        self.assertIn("lobby.wav", problem["what"])
        self.assertIn(f"--pool {P1} moh backup", problem["fix"])
        out = self.ok("moh", "backup", pool=P1).stdout
        self.assertIn(hashlib.sha256(body).hexdigest(), out)
        rc, checks = self.check()
        self.assertEqual((rc, checks["moh_backup"]), (0, []))
        text = self.ok("dr", "check").stdout
        self.assertIn("ready for disaster recovery", text)

    def test_a_pool_without_callpark_ranges_fails_then_passes(self):
        self.back_up_everything()
        op_http(self.dep, 0, "orbit.update", {"identity": "pool2 CallPark", "pool": P1})
        rc, checks = self.check()
        self.assertEqual(rc, 6)
        [problem] = checks["callpark_ranges"]
        self.assertEqual(problem["pool"], P2)
        self.assertIn("owns no CallPark range", problem["what"])
        self.assertIn(f"--pool {P2}", problem["fix"])
        op_http(self.dep, 0, "orbit.update", {"identity": "pool2 CallPark", "pool": P2})
        rc, checks = self.check()
        self.assertEqual((rc, checks["callpark_ranges"]), (0, []))

    def test_an_overloaded_pair_fails_then_passes(self):
        self.back_up_everything()
        # pool2 keeps 2 orbits; pool1 parks 3 calls: pool2 could not take them.
        body = op_http(self.dep, 1, "orbit.update", {"identity": "pool2 CallPark", "end": "21001"})
        self.assertTrue(body["ok"], body)
        phones = Phones(self.dep)

        async def park_three():
            for _ in range(3):
                r = await phones.park(0)
                assert r["ok"], r
            await phones.close()
        run(park_three())
        wait_until(lambda: state(self.dep, 0)["pool"]["counters"]["parked_peak"] == 3)
        rc, checks = self.check()
        self.assertEqual(rc, 6)
        [problem] = checks["capacity"]
        self.assertEqual(problem["pool"], P2)
        self.assertIn("2 CallPark orbits", problem["what"])
        self.assertIn("up to 3 parked calls", problem["what"])
        op_http(self.dep, 1, "orbit.update", {"identity": "pool2 CallPark", "end": "21199"})
        rc, checks = self.check()
        self.assertEqual((rc, checks["capacity"]), (0, []))

    def test_a_range_left_on_the_wrong_pool_fails_then_passes(self):
        self.back_up_everything()
        op_http(self.dep, 0, "orbit.update", {"identity": "pool2 GroupPickup", "pool": P1})
        rc, checks = self.check()
        self.assertEqual(rc, 6)
        [problem] = checks["pickup_ranges"]
        self.assertEqual(problem["pool"], P2)
        self.assertIn(f"pool redirect {P2}", problem["fix"])
        out = self.ok("pool", "redirect", P2).stdout
        self.assertIn("moved 1 GroupPickup range(s)", out)
        owners = {o["identity"]: o["pool"] for o in state(self.dep, 0)["orbits"]}
        self.assertEqual((owners["pool1 GroupPickup"], owners["pool2 GroupPickup"]), (P1, P2))
        rc, checks = self.check()
        self.assertEqual((rc, checks["pickup_ranges"]), (0, []))


class GuidedFailoverTest(DrTest):
    PHASE_SECONDS = 1.0

    def test_kill9_guided_failover_and_failback_from_orbitctl(self):
        self.back_up_everything()
        self.kill_and_wait(P1)
        r = self.ok("dr", "failover", P1, "--confirm", P1, json_out=True)
        steps = self.steps(r.stdout)
        done = [s for s, st, _ in steps if st == "done"]
        self.assertEqual(done, ["preflight", "confirm", "failover", "redirect", "verify", "done"])
        details = {s: d for s, st, d in steps if st == "done"}
        self.assertIn("disaster_mode", details["preflight"])
        self.assertIn("failed_over", details["failover"])
        self.assertIn("RTO", details["failover"])
        self.assertIn("moved 1 GroupPickup range", details["redirect"])
        self.assertIn("picked up in group 17000", details["verify"])
        self.assertIn(f"{P1} does not answer; using {P2}", r.stderr)
        # Every step, and each action it took, is in the audit log.
        ops = [(e["op"], e["ok"]) for e in self.audit(1)]
        for op in ("runbook.claim", "pool.failover", "pickup.redirect", "dr.test_call"):
            self.assertIn((op, True), ops)
        step_entries = [e for e in self.audit(1) if e["op"] == "runbook.step"]
        self.assertEqual(len(step_entries), 12)  # each step running, then done
        self.assertTrue(all(e["ok"] for e in step_entries))
        rec = state(self.dep, 1)["runbooks"][0]
        self.assertEqual((rec["kind"], rec["state"]), ("failover", "done"))
        self.assertIn("orbitctl", rec["holder"])
        # The home pool comes back; the failback runbook.
        self.dep.start(P1)
        r = self.ok("dr", "failback", P1, "--confirm", P1)
        self.assertIn("failback pool1.north.example.net 6/6 done", r.stdout)
        self.assertIn("0 call(s) in pickup queues", r.stdout)
        self.assertIn(f"moved 1 GroupPickup range(s) to {P1}", r.stdout)
        owners = {o["identity"]: o["pool"] for o in state(self.dep, 0)["orbits"]}
        self.assertEqual(owners, {"pool1 CallPark": P1, "pool1 GroupPickup": P1,
                                  "pool2 CallPark": P2, "pool2 GroupPickup": P2})
        self.assertEqual(state(self.dep, 0)["dr"][0]["phase"], "normal")

    def test_pickup_works_only_after_the_redirect(self):
        self.kill_and_wait(P1)
        r = self.ok("pool", "failover", P1, "--disaster-mode", "--wait")
        self.assertIn(f"orbitctl pool redirect {P1}", r.stdout)

        async def ring_and_take():
            phones = Phones(self.dep)
            try:
                ring = await phones.ring(1, callee=USER1)
                if not ring["ok"]:
                    return ring
                return await phones.op(1, "pickup.take", group=ring["data"]["group"],
                                       by="sip:user2-001@example.net")
            finally:
                await phones.close()
        before = run(ring_and_take())
        self.assertFalse(before["ok"])
        status, body, _ = cmd(self.dep, "dr.test_call", {"pool": P1}, pool=1)
        self.assertEqual(status, 421, body)
        self.assertIn("pickup", body["error"]["message"])
        self.ok("pool", "redirect", P1)
        after = run(ring_and_take())
        self.assertTrue(after["ok"], after)

    def test_a_test_call_leaves_no_trace(self):
        self.ok("pool", "failover", P1, "--wait")
        self.ok("pool", "redirect", P1)

        async def test_call_watched():
            viewer = await watch(self.dep, 1)
            before = state(self.dep, 1)
            status, body, _ = cmd(self.dep, "dr.test_call", {"pool": P1}, pool=1)
            await drain(viewer, 0.5)
            after = state(self.dep, 1)
            await viewer.close()
            return status, body, before, after, events_of(viewer)
        status, body, before, after, events = run(test_call_watched())
        self.assertEqual(status, 200, body)
        self.assertEqual(body["data"]["pickup"]["group"], "17000")
        self.assertEqual([e for e in events if e["kind"].split(".")[0] in ("call", "pickup")], [])
        for key in ("parked", "queued", "parked_peak", "queued_peak", "events"):
            self.assertEqual(before["pool"]["counters"][key], after["pool"]["counters"][key], key)
        self.assertEqual(before["rev"], after["rev"])


class RedirectTest(DrTest):
    POOLS = 4

    def test_a_redirect_never_moves_the_backups_own_ranges(self):
        # The manual procedure of the issue: pool3 fails over to pool4 and
        # back; `orbit reassign pool4 pool3 --type GroupPickup` took pool4's
        # own 47000-47099. The redirect moves exactly pool3's users' ranges.
        self.ok("pool", "failover", P3, "--wait")
        r = self.ok("pool", "redirect", P3, json_out=True)
        data = json.loads(r.stdout)["data"]
        self.assertEqual([x["identity"] for x in data["ranges"]], ["pool3 GroupPickup"])
        self.ok("pool", "failback", P3, "--wait")
        r = self.ok("pool", "redirect", P3, json_out=True)
        data = json.loads(r.stdout)["data"]
        self.assertEqual((data["moved"], data["to_pool"]), (1, P3))
        # pool3 reads the change from the store a moment after the pool
        # that made it answered.
        def owners():
            return {o["identity"]: o["pool"] for o in state(self.dep, 2)["orbits"]}
        wait_until(lambda: owners()["pool3 GroupPickup"] == P3, timeout=5,
                   what="pool3 to see its range back")
        self.assertEqual(owners()["pool4 GroupPickup"], P4)
        # Run again: nothing left to move, nothing moved.
        r = self.ok("pool", "redirect", P3, json_out=True)
        self.assertEqual(json.loads(r.stdout)["data"]["moved"], 0)

    def test_redirect_waits_for_the_phase_to_complete(self):
        self.dep.configure(P4, ["phase_seconds = 30"])
        body = op_http(self.dep, 3, "pool.failover", {"pool": P3})
        self.assertTrue(body["ok"], body)
        r = self.ctl("pool", "redirect", P3, json_out=True)
        self.assertEqual(r.returncode, 4)
        self.assertIn("once the phase completes", json.loads(r.stdout)["error"]["message"])


class OrbitctlDuringOutageTest(DrTest):
    def test_first_pool_down_still_reachable_and_refusals_exit_4(self):
        self.kill_and_wait(P1)
        r = self.ok("pool", "status", P1, json_out=True)
        self.assertEqual(json.loads(r.stdout)["status"], "down")
        self.assertIn(f"using {P2}", r.stderr)
        # The backup answers the failover of a down pool without
        # disaster_mode with a refusal: 4, not 5 (a script must not retry).
        r = self.ctl("pool", "failover", P1, json_out=True)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertEqual(json.loads(r.stdout)["error"]["code"], "pool_unreachable")
        self.ok("pool", "failover", P1, "--disaster-mode")


class TwoOperatorsTest(DrTest):
    PHASE_SECONDS = 4.0

    def test_the_second_operator_is_told_who_holds_the_pair(self):
        # Another operator (here a script) holds the pair.
        body = op_http(self.dep, 1, "runbook.claim",
                       {"home": P1, "kind": "failback", "run_id": "00000000deadbeef",
                        "steps": ["preflight"]})
        self.assertTrue(body["ok"], body)
        r = self.ctl("dr", "failover", P1, "--confirm", P1, json_out=True)
        self.assertEqual(r.returncode, 4)
        end = json.loads(r.stdout.splitlines()[-1])
        self.assertEqual(end["outcome"], "refused")
        self.assertIn("held by demo-operator (Python-urllib", end["message"])
        self.assertEqual(state(self.dep, 0)["dr"][0]["phase"], "normal")
        r = self.ok("dr", "abandon", P1, "--reason", "done by hand")
        self.assertIn("abandoned", r.stdout)

    def test_an_interrupted_runbook_resumes_where_it_stopped(self):
        argv = [program("orbitctl"), "--deployment",
                os.path.join(self.dep.dir, "deployment.json"), "--vault",
                os.path.join(self.dep.dir, "vault"), "dr", "failover", P1, "--confirm", P1]
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                stdin=subprocess.DEVNULL)

        def failing_over():
            books = state(self.dep, 1)["runbooks"]
            return books and books[0]["steps"][2]["state"] == "running" and \
                state(self.dep, 1)["dr"][0]["phase"] == "failing_over"
        wait_until(failing_over, timeout=20, what="the failover step running")
        proc.kill()  # interrupted mid-phase
        proc.communicate()
        rec = state(self.dep, 1)["runbooks"][0]
        self.assertEqual((rec["state"], rec["steps"][1]["state"]), ("running", "done"))
        # Run again, without --confirm and without a terminal: the record
        # says the operator confirmed already, so it goes on.
        r = self.ok("dr", "failover", P1, stdin=subprocess.DEVNULL)
        self.assertNotIn(" 1/6 ", r.stdout)  # preflight and confirm are not run again
        self.assertNotIn(" 2/6 ", r.stdout)
        self.assertIn(" 3/6 done", r.stdout)
        self.assertIn("6/6 done", r.stdout)
        wait_phase(self.dep, 1, P1, "failed_over")


class ReplaceTest(DrTest):
    def test_replace_a_lost_pool_under_a_new_fqdn(self):
        self.back_up_everything()
        self.ok("cps", "set", "--timeout", "45", pool=P1)
        src = os.path.join(self.dep.dir, "hold.wav")
        with open(src, "wb") as f:
            f.write(wav(1))
        self.ok("moh", "upload", src, pool=P1)
        moh_sha = state(self.dep, 0)["moh"]["sha256"]
        self.kill_and_wait(P1)
        self.ok("dr", "failover", P1, "--confirm", P1)
        self.dep.run_demo([program("orbit-demo"), "add", self.dep.dir, P5, "north"])
        self.dep.reload()
        url = self.dep.pool(P5)["url"]
        replace = ["dr", "replace", P1, P5, "--site", "north", "--url", url, "--confirm", P1]
        # The new pool is not started yet: the runbook stops there, saying so.
        r = self.ctl(*replace, "--wait-new", "1")
        self.assertEqual(r.returncode, 4, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"failed +new_pool_up +1\.\ds")
        self.assertIn(f"{P5} did not come up", r.stdout)
        self.dep.start(P5)
        r = self.ok(*replace)
        self.assertIn("12/12 done", r.stdout)
        self.assertIn("settings restored, music on hold restored and verified", r.stdout)
        s = state(self.dep, P5)
        self.assertEqual(s["config"]["call_pickup_timeout_threshold"], 45)
        self.assertEqual(s["moh"]["sha256"], moh_sha)
        self.assertEqual({p["fqdn"]: p.get("backup") for p in s["pools"]}, {P2: P5, P5: P2})
        owners = {o["identity"]: o["pool"] for o in s["orbits"]}
        self.assertEqual((owners["pool1 CallPark"], owners["pool1 GroupPickup"]), (P5, P5))
        self.assertEqual(owners["pool2 GroupPickup"], P2)
        status, users, _ = http(self.dep, f"/v1/users?pool={P5}", token=self.dep.token("viewer"),
                                pool=1)
        self.assertEqual(len(users["users"]), self.USERS)
        dr = {d["home"]: d for d in s["dr"]}
        self.assertEqual((dr[P5]["phase"], dr[P5]["serving"]), ("normal", P5))
        self.assertTrue(dr[P5]["pickup_ranges_redirected"])
        ops = [e["op"] for e in self.audit(1) if e["ok"]]
        for op in ("pool.add", "users.rehome", "orbit.reassign", "pool.retire", "pool.failback"):
            self.assertIn(op, ops)


if __name__ == "__main__":
    unittest.main()
