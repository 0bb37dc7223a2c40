"""orbitctl end to end: every subcommand, human and JSON output, and each
exit code, against a real orbit-demo deployment."""

import json
import os
import subprocess
import tempfile
import unittest

from orbit_testlib import P1, P2, DeploymentTest, program, state
from test_moh import wav


class OrbitctlTest(DeploymentTest):
    CLOCK_SCALE = 10.0
    PHASE_SECONDS = 10.0

    def ctl(self, *args, json_out=False, deployment=True, env=None, pool=None):
        cmd = [program("orbitctl"), "--vault", os.path.join(self.dep.dir, "vault")]
        if deployment:
            cmd += ["--deployment", os.path.join(self.dep.dir, "deployment.json")]
        if pool:
            cmd += ["--pool", pool]
        if json_out:
            cmd.append("--json")
        e = dict(os.environ)
        e.pop("ORBIT_TOKEN", None)
        e.pop("ORBIT_URL", None)
        e["XDG_CONFIG_HOME"] = os.path.join(self.dep.dir, "config")
        e.update(env or {})
        return subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=60, env=e)

    def ok(self, *args, **kw):
        r = self.ctl(*args, **kw)
        self.assertEqual(r.returncode, 0, f"{args}: {r.stderr}")
        return json.loads(r.stdout) if kw.get("json_out") else r.stdout

    def test_state_and_pool_commands(self):
        out = self.ok("state")
        self.assertIn("pool pool1.north.example.net", out)
        s = self.ok("state", json_out=True)
        self.assertEqual(s["pool"]["fqdn"], P1)
        self.assertIn("rev", s)
        out = self.ok("pool", "list")
        self.assertIn(P2, out)
        self.assertIn("normal", out)
        pools = self.ok("pool", "list", json_out=True)
        self.assertEqual({p["fqdn"] for p in pools}, {P1, P2})
        one = self.ok("pool", "status", P2, json_out=True)
        self.assertEqual(one["dr"]["phase"], "normal")
        self.assertEqual(self.ctl("pool", "status", "pool9.example.net").returncode, 4)

    def test_failover_and_failback_with_wait(self):
        d = self.ok("pool", "failover", P1, "--wait", json_out=True)
        self.assertEqual(d["data"]["phase"], "failed_over")
        self.assertEqual(d["data"]["serving"], P2)
        out = self.ok("pool", "failback", P1, "--wait")
        self.assertIn("normal", out)
        r = self.ctl("pool", "failback", P1, json_out=True)
        self.assertEqual(r.returncode, 4)
        self.assertEqual(json.loads(r.stdout)["error"]["code"], "conflict")

    def test_orbit_commands(self):
        out = self.ok("orbit", "list")
        self.assertIn("pool1 CallPark", out)
        rows = self.ok("orbit", "list", "--pool", P2, "--type", "GroupPickup", json_out=True)
        self.assertEqual([r["identity"] for r in rows], ["pool2 GroupPickup"])
        d = self.ok("orbit", "create", "lab", "*5000", "*5099", "--pool", P2, json_out=True)
        self.assertEqual(d["data"]["start"], "*5000")
        d = self.ok("orbit", "set", "lab", "--end", "*5199", "--type", "GroupPickup",
                    json_out=True)
        self.assertEqual((d["data"]["end"], d["data"]["type"]), ("*5199", "GroupPickup"))
        d = self.ok("orbit", "reassign", P2, P1, "--type", "GroupPickup", json_out=True)
        self.assertEqual(d["data"]["moved"], 2)
        self.ok("orbit", "reassign", P1, P2, "--type", "GroupPickup")
        self.ok("orbit", "remove", "lab")
        # Without --type every range of the pool moves.
        d = self.ok("orbit", "reassign", P2, P1, json_out=True)
        self.assertEqual(d["data"]["moved"], 3)
        self.ok("orbit", "reassign", P1, P2, "--type", "GroupPickup")
        self.assertNotIn("lab", {o["identity"] for o in state(self.dep, P1)["orbits"]})

    def test_cps_commands_and_settings_backup(self):
        out = self.ok("cps", "get")
        self.assertIn("call_pickup_timeout_threshold  90 s", out)
        d = self.ok("cps", "set", "--timeout", "40", "--moh", "off", json_out=True)
        self.assertEqual(d["config"]["call_pickup_timeout_threshold"], 40)
        self.assertFalse(d["config"]["enable_music_on_hold"])
        backups = self.ok("moh", "backups", json_out=True)
        kinds = [b["kind"] for b in backups]
        self.assertEqual(kinds.count("settings"), 2)  # as first seen, then as changed
        d = self.ok("cps", "restore", "--from", P1, pool=P2, json_out=True)
        self.assertEqual(d["config"]["call_pickup_timeout_threshold"], 40)

    def test_moh_commands(self):
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "hold.wav")
            with open(src, "wb") as f:
                f.write(wav(1))
            d = self.ok("moh", "upload", src, json_out=True)
            self.assertTrue(d["data"]["verified"])
            self.assertTrue(os.path.exists(d["data"]["backup"]))
            out = os.path.join(tmp, "back.wav")
            self.ok("moh", "download", "-o", out)
            with open(out, "rb") as a, open(src, "rb") as b:
                self.assertEqual(a.read(), b.read())
            text = self.ok("moh", "backups")
            self.assertIn("hold.wav", text)
            everything = self.ok("moh", "backups", "--all", json_out=True)
            self.assertEqual(everything[-1]["pool"], P1)
            d = self.ok("moh", "restore", "--from", P1, pool=P2, json_out=True)
            self.assertEqual(d["data"]["pool"], P2)
            self.assertEqual(state(self.dep, P2)["moh"]["name"], "hold.wav")

    def test_watch_prints_events_as_json_lines(self):
        proc = subprocess.Popen([program("orbitctl"), "--deployment",
                                 os.path.join(self.dep.dir, "deployment.json"), "watch",
                                 "--count", "1", "--kinds", "orbit", "--for", "10"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        import time
        time.sleep(0.8)
        self.ok("orbit", "create", "w", "91000", "91009", "--pool", P1)
        out, err = proc.communicate(timeout=15)
        self.assertEqual(proc.returncode, 0, err)
        line = json.loads(out.splitlines()[0])
        self.assertEqual((line["kind"], line["pool"]), ("orbit.created", P1))
        self.assertEqual(line["data"]["identity"], "w")

    def test_exit_codes(self):
        # 2: usage.
        self.assertEqual(self.ctl("frobnicate").returncode, 2)
        self.assertEqual(self.ctl("orbit", "create", "x").returncode, 2)
        self.assertEqual(self.ctl("--token", "abc", "state").returncode, 2)
        self.assertEqual(self.ctl("state", deployment=False).returncode, 2)  # no pool given
        r = self.ctl("state", deployment=False, env={"ORBIT_URL": self.dep.url(0)})
        self.assertEqual(r.returncode, 2)  # no token
        self.assertIn("ORBIT_TOKEN", r.stderr)
        # 3: token refused, or the wrong role.
        r = self.ctl("state", deployment=False,
                     env={"ORBIT_URL": self.dep.url(0), "ORBIT_TOKEN": "wrong"})
        self.assertEqual(r.returncode, 3)
        r = self.ctl("orbit", "remove", "x", deployment=False,
                     env={"ORBIT_URL": self.dep.url(0), "ORBIT_TOKEN": "wrong"})
        self.assertEqual(r.returncode, 3)
        token_file = os.path.join(self.dep.dir, "tokens", "viewer")
        r = self.ctl("--token-file", token_file, "orbit", "remove", "pool1 CallPark",
                     json_out=True)
        self.assertEqual(r.returncode, 3)
        self.assertEqual(json.loads(r.stdout)["error"]["code"], "forbidden")
        # 4: refused by the pool.
        r = self.ctl("orbit", "create", "bad", "*100", "*199", "--pool", P1, json_out=True)
        self.assertEqual(r.returncode, 4)
        self.assertEqual(json.loads(r.stdout)["error"]["code"], "invalid_range")
        # 5: unreachable.
        r = self.ctl("state", deployment=False,
                     env={"ORBIT_URL": "ws://127.0.0.1:9/v1/stream", "ORBIT_TOKEN": "x"})
        self.assertEqual(r.returncode, 5)
        # 1: a local failure (the file to upload is missing; nothing was sent).
        r = self.ctl("moh", "upload", "/nonexistent/hold.wav")
        self.assertEqual(r.returncode, 1)
        r = self.ctl("cps", "restore", "--from", "pool7.example.net")
        self.assertEqual(r.returncode, 1)

    def test_config_file_supplies_defaults(self):
        cfg_dir = os.path.join(self.dep.dir, "config", "orbit")
        os.makedirs(cfg_dir)
        with open(os.path.join(cfg_dir, "orbitctl.conf"), "w") as f:
            f.write(f"# orbitctl defaults\nurl = {self.dep.url(1)}\n"
                    f"token_file = {os.path.join(self.dep.dir, 'tokens', 'viewer')}\n")
        s = self.ok("state", json_out=True, deployment=False)
        self.assertEqual(s["pool"]["fqdn"], P2)
        with open(os.path.join(cfg_dir, "orbitctl.conf"), "a") as f:
            f.write("colour = blue\n")
        r = self.ctl("state", deployment=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown setting", r.stderr)


if __name__ == "__main__":
    unittest.main()


class OrbitctlTlsTest(DeploymentTest):
    """The client library over TLS: orbitctl against wss:// and https://."""
    TLS = True

    def test_commands_over_tls(self):
        dep = os.path.join(self.dep.dir, "deployment.json")
        base = [program("orbitctl"), "--deployment", dep, "--vault",
                os.path.join(self.dep.dir, "vault"), "--json"]
        r = subprocess.run(base + ["state"], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["pool"]["fqdn"], P1)
        r = subprocess.run(base + ["cps", "set", "--timeout", "33"], capture_output=True,
                           text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["config"]["call_pickup_timeout_threshold"], 33)
        # Without the demo's CA the certificate is not trusted.
        env = dict(os.environ, ORBIT_TOKEN=self.dep.token("viewer"))
        r = subprocess.run([program("orbitctl"), "--url", self.dep.url(0), "state"],
                           capture_output=True, text=True, timeout=30, env=env)
        self.assertEqual(r.returncode, 5, r.stderr)
