"""State that survives restarts, and files that survive kill -9 (kill -9
during MOH uploads and operator changes: test_fault_kills.py)."""

import hashlib
import json
import os
import random
import threading
import time
import unittest

from orbit_testlib import DeploymentTest, cmd, http
from test_moh import put, wav

P1 = "pool1.north.example.net"


class PersistenceTest(DeploymentTest):

    def state(self, pool=0):
        status, body, _ = http(self.dep, "/v1/state", token=self.dep.token("viewer"), pool=pool)
        self.assertEqual(status, 200)
        return body

    def test_restart_keeps_settings_moh_ranges_and_audit(self):
        settings = {"call_pickup_timeout_threshold": 45, "enable_music_on_hold": False,
                    "max_call_pickup_attempts": 3, "on_timeout_uri": "sip:attendant@example.net"}
        status, body, _ = cmd(self.dep, "config.set", settings)
        self.assertEqual(status, 200, body)
        audio = wav(1)
        status, body, _ = put(self.dep, audio, name="kept.wav")
        self.assertEqual(status, 200, body)
        status, body, _ = cmd(self.dep, "orbit.create", {"identity": "kept", "start": "88000",
                                                         "end": "88009", "pool": P1})
        self.assertEqual(status, 200, body)
        self.dep.stop(P1)
        self.assertIn("shutting down", self.dep.log(P1))
        self.dep.start(P1)
        s = self.state()
        self.assertEqual(s["config"], settings)
        self.assertEqual(s["moh"]["name"], "kept.wav")
        self.assertEqual(s["moh"]["sha256"], hashlib.sha256(audio).hexdigest())
        self.assertIn("kept", {o["identity"] for o in s["orbits"]})
        status, got, _ = http(self.dep, "/v1/moh", token=self.dep.token("viewer"), raw=True)
        self.assertEqual(got, audio)
        status, body, _ = http(self.dep, "/v1/audit", token=self.dep.token("operator"))
        self.assertIn("config.set", [e["op"] for e in body["entries"]])

    def test_kill_9_during_settings_writes_never_corrupts(self):
        data_dir = self.dep.pool(P1)["data_dir"]
        values = [10 + i for i in range(40)]
        for round_ in range(4):
            stop = threading.Event()

            def writer():
                i = 0
                while not stop.is_set():
                    try:
                        cmd(self.dep, "config.set",
                            {"call_pickup_timeout_threshold": values[i % len(values)]})
                    except OSError:
                        return
                    i += 1

            t = threading.Thread(target=writer)
            t.start()
            time.sleep(0.2 + random.random() * 0.3)
            self.dep.kill(P1)
            stop.set()
            t.join()
            with open(os.path.join(data_dir, "settings.json")) as f:
                on_disk = json.load(f)
            self.assertIn(on_disk["call_pickup_timeout_threshold"], values + [90])
            self.dep.start(P1)
            s = self.state()
            self.assertEqual(s["config"]["call_pickup_timeout_threshold"],
                             on_disk["call_pickup_timeout_threshold"])
        leftovers = [n for n in os.listdir(data_dir) if ".tmp." in n]
        self.assertEqual(leftovers, [])


if __name__ == "__main__":
    unittest.main()
