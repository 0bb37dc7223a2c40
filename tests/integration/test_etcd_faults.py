"""What pools do when their etcd cluster misbehaves (docs/deployment.md,
"Failure semantics"): the leader lost in the middle of a change, a pool cut
off from the store, a whole site lost; and pools that share nothing but
etcd. Registered only in the etcd suite (integration-etcd)."""

import json
import os
import signal
import threading
import time
import unittest
import urllib.request

from orbit_testlib import (P1, P2, USER1, DeploymentTest, Phones, cmd, dr_of, failover,
                           program, run, settle_from, state, wait_until)

P3 = "pool3.north.example.net"
P4 = "pool4.south.example.net"

def members(dep):
    return dep.info["etcd"]["members"]


def member_status(m):
    req = urllib.request.Request(f"http://127.0.0.1:{m['client_port']}/v3/maintenance/status",
                                 data=b"{}", method="POST")
    with urllib.request.urlopen(req, timeout=2) as r:
        return json.loads(r.read())


def leader(dep):
    """The member that leads the cluster now."""
    for m in members(dep):
        try:
            st = member_status(m)
        except OSError:
            continue
        if st["header"]["member_id"] == st["leader"]:
            return m
    raise AssertionError("no etcd member leads")


def etcd(dep, verb, name):
    dep.run_demo([program("orbit-demo"), f"etcd-{verb}", dep.dir, name])
    dep.reload()


def view(dep, pool):
    """What a pool believes: its orbit table and every DR phase."""
    s = state(dep, pool)
    return (sorted((o["identity"], o["pool"], o["type"]) for o in s["orbits"]),
            sorted((d["home"], d["phase"], d["pickup_ranges_redirected"]) for d in s["dr"]))


def converged(dep, pools, timeout=15.0):
    """Waits until every given pool holds the same table and DR state."""
    def same():
        views = [view(dep, p) for p in pools]
        return all(v == views[0] for v in views)
    wait_until(same, timeout=timeout, what="pools to converge")
    return view(dep, pools[0])


def health(dep, pool):
    with urllib.request.urlopen(dep.http_base(pool) + "/v1/health", timeout=2) as r:
        return json.loads(r.read())


class LeaderLoss(DeploymentTest):
    POOLS = 4
    PHASE_SECONDS = 2.0

    def test_leader_killed_during_a_reassignment(self):
        # Several GroupPickup ranges of pool3, so that a half-applied move
        # would show.
        for i in range(5):
            n = 330000 + i * 10
            status, body, _ = cmd(self.dep, "orbit.create",
                                  {"identity": f"p3-extra-{i}", "start": str(n),
                                   "end": str(n + 9), "pool": P3, "type": "GroupPickup"}, pool=P3)
            self.assertEqual(status, 200, body)
        lead = leader(self.dep)
        result = {}

        def reassign():
            result["r"] = cmd(self.dep, "orbit.reassign",
                              {"from_pool": P3, "to_pool": P4, "type": "GroupPickup"}, pool=P1)

        t = threading.Thread(target=reassign)
        t.start()
        os.kill(lead["pid"], signal.SIGKILL)
        t.join(30)
        status, body, _ = result["r"]
        # Done, or refused with a clear error: never half-applied.
        if status != 200:
            self.assertIn(body["error"]["code"], ("unavailable", "conflict"), body)
        table, _ = converged(self.dep, [P1, P2, P3, P4])
        owners = {o[1] for o in table if o[0].startswith("p3-extra-") or
                  o[0] == "pool3 GroupPickup"}
        self.assertEqual(len(owners), 1, f"half-applied: {owners}")
        if status == 200:
            self.assertEqual(owners, {P4})
        # Whatever happened, it happened everywhere, and the next change works.
        etcd(self.dep, "start", lead["name"])
        status, body, _ = cmd(self.dep, "orbit.create", {"identity": "after-leader",
                                                         "start": "990000", "end": "990009",
                                                         "pool": P2}, pool=P2)
        self.assertEqual(status, 200, body)
        table, _ = converged(self.dep, [P1, P2, P3, P4])
        self.assertIn("after-leader", [o[0] for o in table])

    def test_leader_killed_during_a_failover(self):
        lead = leader(self.dep)
        result = {}

        def go():
            result["r"] = cmd(self.dep, "pool.failover", {"pool": P1}, pool=P2)

        t = threading.Thread(target=go)
        t.start()
        os.kill(lead["pid"], signal.SIGKILL)
        t.join(30)
        status, body, _ = result["r"]
        if status != 200:
            self.assertIn(body["error"]["code"], ("unavailable", "conflict"), body)
        _, dr = converged(self.dep, [P1, P2, P3, P4])
        phase = dict((h, ph) for h, ph, _ in dr)[P1]
        self.assertIn(phase, ("normal", "failing_over", "failed_over") if status == 200
                      else ("normal",))
        etcd(self.dep, "start", lead["name"])
        # The backup completes the phase once the store is whole again.
        if status == 200:
            wait_until(lambda: dr_of(self.dep, P4, P1)["phase"] == "failed_over", timeout=20,
                       what="failover to complete everywhere")


class CutOff(DeploymentTest):
    POOLS = 2

    def only_member(self, fqdn, m):
        """Points a pool at one etcd member only (it cannot fail over)."""
        location = self.dep.info["store"]
        prefix = location[location.index("/", len("etcd://")):]
        self.dep.configure(fqdn, [f"store = etcd://127.0.0.1:{m['client_port']}{prefix}"])

    def check_cut_off(self, cut):
        m = members(self.dep)[0]
        self.only_member(P1, m)
        async def park_and_retrieve():
            phones = Phones(self.dep)
            r = await phones.op(P1, "call.park", call_id="cut-1", parker=USER1,
                                parkee="sip:+15550100@pstn.example.net")
            self.assertTrue(r["ok"], r)
            r = await phones.op(P1, "call.retrieve", orbit=r["data"]["orbit"], by=USER1)
            self.assertTrue(r["ok"], r)
            await phones.close()
        cut(m)
        wait_until(lambda: not health(self.dep, P1)["store_ok"], timeout=10,
                   what="pool1 to notice it is cut off")
        self.assertEqual(state(self.dep, P1)["pool"]["status"], "degraded")
        # It keeps serving its users from local state...
        run(park_and_retrieve())
        # ...and refuses operator writes, saying why.
        status, body, _ = cmd(self.dep, "orbit.create", {"identity": "while-cut", "start":
                                                         "880000", "end": "880009", "pool": P1},
                              pool=P1)
        self.assertEqual(body["error"]["code"], "unavailable", body)
        # Meanwhile the other pool changes the deployment.
        status, body, _ = http_create(self.dep, P2, "made-meanwhile")
        return m

    def test_member_stopped_then_back(self):
        m = self.check_cut_off(lambda m: etcd(self.dep, "stop", m["name"]))
        etcd(self.dep, "start", m["name"])
        wait_until(lambda: health(self.dep, P1)["store_ok"], timeout=20,
                   what="pool1 to reach the store again")
        wait_until(lambda: "made-meanwhile" in [o[0] for o in view(self.dep, P1)[0]],
                   timeout=10, what="pool1 to catch up")
        converged(self.dep, [P1, P2])

    def test_member_paused_for_10_s(self):
        paused = {}

        def pause(m):
            os.kill(m["pid"], signal.SIGSTOP)
            paused["m"] = m
        try:
            self.check_cut_off(pause)
            time.sleep(max(0.0, 10.0 - 3.0))
        finally:
            if "m" in paused:
                os.kill(paused["m"]["pid"], signal.SIGCONT)
        wait_until(lambda: health(self.dep, P1)["store_ok"], timeout=20,
                   what="pool1 to reach the store again")
        converged(self.dep, [P1, P2])


def http_create(dep, pool, identity):
    n = 700000 + (abs(hash(identity)) % 1000) * 10
    return cmd(dep, "orbit.create", {"identity": identity, "start": str(n),
                                     "end": str(n + 9), "pool": pool}, pool=pool)


class SiteLost(DeploymentTest):
    POOLS = 4

    def test_the_surviving_site_keeps_quorum(self):
        """Members 1+1+1: the north site (pool1, pool3, member m1) is lost;
        the south site's member and the witness keep quorum, so the south
        fails the north's users over and the store agrees."""
        north = members(self.dep)[0]
        self.dep.kill(P1)
        self.dep.kill(P3)
        os.kill(north["pid"], signal.SIGKILL)
        wait_until(lambda: any(p["fqdn"] == P1 and p["status"] == "down"
                               for p in state(self.dep, P2)["pools"]),
                   timeout=15, what="pool1 marked down")
        failover(self.dep, home=P1, at=P2, disaster_mode=True)
        failover(self.dep, home=P3, at=P4, disaster_mode=True)
        _, dr = converged(self.dep, [P2, P4])
        phases = dict((h, ph) for h, ph, _ in dr)
        self.assertEqual(phases[P1], "failed_over")
        self.assertEqual(phases[P3], "failed_over")


class SeparateHosts(DeploymentTest):
    POOLS = 4

    def test_pools_share_nothing_but_etcd_each_on_its_own_member(self):
        """Each pool has its own data directory, and its store location
        names a different etcd member first: nothing else is shared."""
        firsts = set()
        dirs = set()
        for p in self.dep.info["pools"]:
            with open(p["config"]) as f:
                conf = dict(line.split(" = ", 1) for line in f.read().splitlines()
                            if " = " in line and not line.startswith("#"))
            self.assertTrue(conf["store"].startswith("etcd://"), conf["store"])
            firsts.add(conf["store"][len("etcd://"):].split(",")[0])
            dirs.add(conf["data_dir"])
        self.assertEqual(len(firsts), 3)
        self.assertEqual(len(dirs), 4)
        self.assertFalse(os.path.exists(os.path.join(self.dep.dir, "store.db")))
        # A change at one pool reaches a pool on another member.
        status, body, _ = http_create(self.dep, P1, "cross-member")
        self.assertEqual(status, 200, body)
        settle_from(self.dep, P1)
        self.assertIn("cross-member", [o[0] for o in view(self.dep, P4)[0]])


if __name__ == "__main__":
    unittest.main()
