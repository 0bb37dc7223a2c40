"""A busy pool stays alive (docs/deployment.md, "Failure semantics"): a
burst of operator changes at one pool never makes a healthy peer look down.
Runs on both stores."""

import threading
import time
import unittest

from orbit_testlib import P1, P2, DeploymentTest, cmd, state


def table(dep, pool):
    return sorted(o["identity"] for o in state(dep, pool)["orbits"])


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
