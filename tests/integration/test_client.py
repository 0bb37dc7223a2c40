"""The client library against real pools: mirrors that stay equal to the
server through bursts, link cuts, gaps and restarts; the MOH backup vault;
restores to another pool; discovery."""

import asyncio
import json
import os
import subprocess
import time
import unittest

from orbit_testlib import (P1, P2, USER1, USER2, DeploymentTest, Phones, Probe, Proxy, http,
                           op_http, program, run, state, wait_until)
from test_moh import wav


def comparable(s):
    """The parts of a state a mirror keeps, without fields that move
    without events (heartbeat times, counters)."""
    return {
        "pools": sorted(({k: p.get(k) for k in ("fqdn", "site", "backup", "url", "status")}
                         for p in s["pools"]), key=lambda p: p["fqdn"]),
        "dr": sorted(s["dr"], key=lambda d: d["home"]),
        "orbits": sorted(s["orbits"], key=lambda o: o["identity"].lower()),
        "config": s["config"],
        "moh": s["moh"],
        "parked": sorted(s["parked"], key=lambda c: c["call_id"]),
        "queues": sorted(({"group": q["group"], "calls": q["calls"]} for q in s["queues"]),
                         key=lambda q: q["group"]),
    }


class ClientTest(DeploymentTest):
    CLOCK_SCALE = 1.0

    def ctl(self, *args, json_out=True, env=None, pool=None):
        cmd = [program("orbitctl"), "--deployment",
               os.path.join(self.dep.dir, "deployment.json"), "--vault",
               os.path.join(self.dep.dir, "vault")]
        if pool:
            cmd += ["--pool", pool]
        if json_out:
            cmd.append("--json")
        r = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=60,
                           env=dict(os.environ, **(env or {})))
        return r

    async def burst(self, phones, tag, n=40):
        """Parks, retrieves, pickup rings and takes, settings and ranges."""
        orbits = []
        for i in range(n):
            r = await phones.park(P1, call_id=f"{tag}-p{i}")
            assert r["ok"], r
            orbits.append(r["data"]["orbit"])
        for o in orbits[: n // 2]:
            assert (await phones.op(P1, "call.retrieve", orbit=o, by="sip:x@y.z"))["ok"]
        for i in range(10):
            assert (await phones.ring(P1, call_id=f"{tag}-q{i}"))["ok"]
        for _ in range(3):
            assert (await phones.op(P1, "pickup.take", group="17000", by=USER1))["ok"]
        op_http(self.dep, P1, "config.set", {"call_pickup_timeout_threshold": 30 + n % 50})
        op_http(self.dep, P2, "orbit.create", {"identity": f"{tag}-range", "start": "99000",
                                               "end": "99009", "pool": P2})
        op_http(self.dep, P2, "orbit.delete", {"identity": f"{tag}-range"})

    def wait_equal(self, probe, pool=P1, timeout=10):
        def same():
            d = probe.dump()
            if not d["live"]:
                return None
            return comparable(d["state"]) == comparable(state(self.dep, pool)) and d
        try:
            return wait_until(same, timeout=timeout, interval=0.2, what="mirror == server")
        except AssertionError:
            d = probe.dump()
            self.assertEqual(comparable(d["state"]), comparable(state(self.dep, pool)))
            raise

    def run_burst(self, tag):
        async def go():
            phones = Phones(self.dep)
            await self.burst(phones, tag)
            await phones.close()
        run(go())

    def test_mirror_equals_server_after_bursts_across_kill_9_and_restart(self):
        probe = Probe(self.dep.url(0), self.dep.token("viewer"))
        self.addCleanup(probe.close)
        wait_until(lambda: probe.dump()["live"], timeout=5, what="probe live")
        self.run_burst("a")
        before = self.wait_equal(probe)
        self.assertGreater(before["events"], 60)
        self.dep.kill(P1)
        self.dep.start(P1)
        self.run_burst("b")
        after = self.wait_equal(probe)
        # The restart brought a new epoch and with it a fresh snapshot.
        self.assertNotEqual(after["epoch"], before["epoch"])
        self.assertEqual(after["snapshots"], before["snapshots"] + 1)

    def test_link_cut_resumes_with_since_and_loses_nothing(self):
        proxy = Proxy(self.dep.base + 1)
        self.addCleanup(proxy.close)
        probe = Probe(proxy.url(), self.dep.token("viewer"))
        self.addCleanup(probe.close)
        wait_until(lambda: probe.dump()["live"], timeout=5, what="probe live")
        first = probe.dump()
        proxy.cut()
        # Changes while the link is down.
        async def go():
            phones = Phones(self.dep)
            await self.burst(phones, "c", n=10)
            await phones.close()
        run(go())
        after = self.wait_equal(probe)
        self.assertEqual(after["epoch"], first["epoch"])
        self.assertEqual(after["snapshots"], first["snapshots"])  # no new snapshot...
        self.assertGreaterEqual(after["replays"], 1)              # ...a replay instead
        # Every event applied exactly once: the count matches the revisions.
        self.assertEqual(after["events"] - first["events"], after["rev"] - first["rev"])

    def test_a_gap_brings_a_resync(self):
        proxy = Proxy(self.dep.base + 1)
        self.addCleanup(proxy.close)
        probe = Probe(proxy.url(), self.dep.token("viewer"))
        self.addCleanup(probe.close)
        wait_until(lambda: probe.dump()["live"], timeout=5, what="probe live")
        first = probe.dump()
        proxy.drop_events = 1
        for t in (41, 42, 43):
            op_http(self.dep, P1, "config.set", {"call_pickup_timeout_threshold": t})
        after = self.wait_equal(probe)
        self.assertEqual(proxy.dropped, 1)
        self.assertEqual(after["snapshots"], first["snapshots"] + 1)
        self.assertEqual(after["state"]["config"]["call_pickup_timeout_threshold"], 43)

    def test_a_snapshot_larger_than_one_read_streams_into_the_mirror(self):
        # Enough calls that the snapshot arrives in several pieces: the
        # client applies it as it comes (client_snapstream), not whole.
        op_http(self.dep, P1, "orbit.create", {"identity": "streamed", "start": "60000",
                                               "end": "60499", "pool": P1})
        async def go():
            phones = Phones(self.dep)
            for i in range(400):
                r = await phones.park(P1, call_id=f"streamed-snapshot-{i:04d}-" + "x" * 32)
                assert r["ok"], r
            await phones.close()
        run(go())
        size = len(json.dumps(state(self.dep, P1)))
        self.assertGreater(size, 65536, "the snapshot must span several reads")
        probe = Probe(self.dep.url(0), self.dep.token("viewer"))
        self.addCleanup(probe.close)
        got = self.wait_equal(probe)
        self.assertEqual(got["snapshots"], 1)
        self.assertEqual(len(got["state"]["parked"]), 400)
        # Events after it apply on top of the streamed state.
        self.run_burst("s")
        self.wait_equal(probe)

    def test_a_peers_in_use_count_reaches_the_mirror(self):
        # Pool 1 learns how many calls pool 2 has parked on its ranges
        # from pool 2's heartbeats and shows it in its state: a mirror of
        # pool 1 that subscribed before must learn it too, by event, both
        # when the count rises and when it falls back to none.
        probe = Probe(self.dep.url(0), self.dep.token("viewer"))
        self.addCleanup(probe.close)
        wait_until(lambda: probe.dump()["live"], timeout=5, what="probe live")
        self.wait_equal(probe)

        def peer_in_use():
            return sum(o["in_use"] for o in state(self.dep, P1)["orbits"]
                       if o["pool"] == P2 and o["type"] == "CallPark")

        async def park():
            phones = Phones(self.dep)
            r = await phones.park(P2, parker=USER2, call_id="peer-count")
            await phones.close()
            return r
        parked = run(park())
        self.assertTrue(parked["ok"], parked)
        wait_until(lambda: peer_in_use() == 1, timeout=10, what="pool1 to show pool2's call")
        self.wait_equal(probe)

        async def retrieve():
            phones = Phones(self.dep)
            r = await phones.op(P2, "call.retrieve", orbit=parked["data"]["orbit"], by=USER2)
            await phones.close()
            return r
        self.assertTrue(run(retrieve())["ok"])
        wait_until(lambda: peer_in_use() == 0, timeout=10, what="pool1 to show none again")
        self.wait_equal(probe)

    def test_stale_when_the_pool_goes_silent(self):
        probe = Probe(self.dep.url(0), self.dep.token("viewer"))
        self.addCleanup(probe.close)
        wait_until(lambda: probe.dump()["live"], timeout=5, what="probe live")
        self.assertFalse(probe.dump()["stale"])
        self.dep.kill(P1)
        wait_until(lambda: probe.dump()["stale"], timeout=5, what="stale")
        self.dep.start(P1)
        wait_until(lambda: not probe.dump()["stale"], timeout=10, what="fresh again")

    def test_vault_holds_the_file_before_the_upload(self):
        path = os.path.join(self.dep.dir, "not-audio.wav")
        with open(path, "wb") as f:
            f.write(b"plain text pretending to be audio" * 10)
        r = self.ctl("moh", "upload", path)
        self.assertEqual(r.returncode, 4, r.stderr)  # the pool refused it (415)...
        self.assertEqual(json.loads(r.stdout)["error"]["code"], "unsupported_media")
        r = self.ctl("moh", "backups")
        entries = json.loads(r.stdout)
        self.assertEqual([e["name"] for e in entries if e["kind"] == "moh"], ["not-audio.wav"])
        self.assertTrue(entries[-1]["have"])                  # ...but it was backed up first,
        self.assertFalse(entries[-1]["verified"])             # listed as refused,
        self.assertFalse(entries[-1]["restorable"])           # and never restored:
        self.assertIn("unsupported", entries[-1]["failure"])
        r = self.ctl("moh", "restore", "--from", P1)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("no restorable moh backup", r.stdout)
        # With the pool down, the vault is still read from the deployment
        # file alone: it names the deployment the backups belong to.
        self.dep.stop(P1)
        r = subprocess.run([program("orbitctl"), "--json", "--vault",
                            os.path.join(self.dep.dir, "vault"), "--deployment",
                            os.path.join(self.dep.dir, "deployment.json"), "moh", "backups",
                            "--pool", P1], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(json.loads(r.stdout)), 1)

    def test_checksum_mismatch_is_detected(self):
        proxy = Proxy(self.dep.base + 1)
        self.addCleanup(proxy.close)
        proxy.rewrite_sha = True
        path = os.path.join(self.dep.dir, "hold.wav")
        with open(path, "wb") as f:
            f.write(wav(1))
        env = dict(os.environ, ORBIT_TOKEN=self.dep.token("operator"))
        # A deployment name spares the GET /v1/state that would tell which
        # deployment's vault to use: the proxy rewrites the first request.
        r = subprocess.run([program("orbitctl"), "--json", "--vault",
                            os.path.join(self.dep.dir, "vault"), "--deployment-name", "lab",
                            "--url", proxy.url(), "moh", "upload", path], capture_output=True,
                           text=True, env=env, timeout=30)
        self.assertNotEqual(r.returncode, 0)
        out = json.loads(r.stdout)
        self.assertFalse(out["ok"])
        self.assertIn("checksum mismatch", out["error"]["message"])

    def test_settings_and_moh_restore_to_another_pool(self):
        r = self.ctl("cps", "set", "--timeout", "33", "--attempts", "4", "--timeout-uri",
                     "sip:desk@example.net")
        self.assertEqual(r.returncode, 0, r.stderr)
        audio = os.path.join(self.dep.dir, "lobby.wav")
        with open(audio, "wb") as f:
            f.write(wav(2))
        r = self.ctl("moh", "upload", audio)
        self.assertEqual(r.returncode, 0, r.stderr)
        sha = json.loads(r.stdout)["data"]["sha256"]
        # pool1 is lost; its settings and MOH come back on pool2 from the vault.
        self.dep.kill(P1)
        r = self.ctl("cps", "restore", "--from", P1, pool=P2)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.ctl("moh", "restore", "--from", P1, pool=P2)
        self.assertEqual(r.returncode, 0, r.stderr)
        s = state(self.dep, P2)
        self.assertEqual(s["config"], {"call_pickup_timeout_threshold": 33,
                                       "enable_music_on_hold": True,
                                       "max_call_pickup_attempts": 4,
                                       "on_timeout_uri": "sip:desk@example.net"})
        self.assertEqual(s["moh"]["sha256"], sha)
        self.assertEqual(s["moh"]["name"], "lobby.wav")

    def test_discovery_connects_to_every_pool(self):
        proc = subprocess.Popen([program("orbitctl"), "--deployment",
                                 os.path.join(self.dep.dir, "deployment.json"), "watch",
                                 "--all", "--kinds", "config", "--count", "2", "--for", "10"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.0)
        op_http(self.dep, P1, "config.set", {"max_call_pickup_attempts": 2})
        op_http(self.dep, P2, "config.set", {"max_call_pickup_attempts": 3})
        out, err = proc.communicate(timeout=15)
        lines = [json.loads(l) for l in out.splitlines()]
        self.assertEqual(sorted(l["pool"] for l in lines), [P1, P2], err)
        self.assertTrue(all(l["kind"] == "config.changed" for l in lines))


if __name__ == "__main__":
    unittest.main()
