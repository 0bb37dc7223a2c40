"""baresip (Debian's baresip-core, a phone nobody here wrote) against a
real pool: headless, its microphone a WAV file (aufile), driven over its
TCP control interface (ctrl_tcp). It registers with digest, is called,
blind-transfers the caller to the pool's park service, learns the orbit
by MESSAGE, dials the orbit to retrieve the call and talks to the caller
again before hanging up."""

import json
import math
import os
import re
import shutil
import socket
import struct
import subprocess
import tempfile
import unittest
import wave

from orbit_testlib import DeploymentTest, state, wait_until
from sip_pool import passwords, phone, sip_counter, sip_port
from sip_testlib import free_udp_port, ulaw_decode

# Nothing here depends on the deployment store: run on SQLite only (see
# CMakeLists.txt); test_sip_transport.py and the SIP conformance tests
# cover both stores.
STORES = ("sqlite",)

BARESIP = shutil.which("baresip") or "/usr/bin/baresip"
PHONE = "user1-002"  # the baresip phone, homed on pool1
CALLER = "user2-001"
TONE_HZ = 440


def tone_power_ratio(samples, rate=8000, hz=TONE_HZ):
    """The share of the signal's power at hz (Goertzel)."""
    k = 2 * math.cos(2 * math.pi * hz / rate)
    s1 = s2 = 0.0
    for x in samples:
        s1, s2 = x + k * s1 - s2, s1
    at_hz = s1 * s1 + s2 * s2 - k * s1 * s2
    total = sum(x * x for x in samples) * len(samples) / 2
    return at_hz / total if total else 0.0


class Baresip:
    """One headless baresip with its own configuration directory."""

    def __init__(self, dep, user, pool):
        self.dir = tempfile.mkdtemp(prefix="orbit-baresip-")
        self.sip = free_udp_port()
        self.ctrl = free_udp_port()
        tone = os.path.join(self.dir, "tone.wav")
        with wave.open(tone, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(
                2 * math.pi * TONE_HZ * i / 8000))) for i in range(8000 * 30)))
        with open(os.path.join(self.dir, "config"), "w") as f:
            f.write("poll_method epoll\nnet_interface 127.0.0.1\n"
                    "sip_listen 127.0.0.1:%d\ncall_local_timeout 120\n"
                    "audio_source aufile,%s\naudio_player aubridge,nowhere\n"
                    "audio_alert aubridge,nowhere\nmodule_path /usr/lib/baresip/modules\n"
                    "module g711.so\nmodule aufile.so\nmodule aubridge.so\n"
                    "module_tmp account.so\nmodule_app menu.so\nmodule_app ctrl_tcp.so\n"
                    "ctrl_tcp_listen 127.0.0.1:%d\n" % (self.sip, tone, self.ctrl))
        password = passwords(dep)["sip:%s@example.net" % user]
        with open(os.path.join(self.dir, "accounts"), "w") as f:
            # The pool as outbound proxy: requests for example.net go there.
            f.write('<sip:%s@example.net>;auth_pass=%s;outbound="sip:127.0.0.1:%d";'
                    "answermode=auto;regint=600\n" % (user, password, sip_port(dep, pool)))
        self.log_path = os.path.join(self.dir, "baresip.log")
        self.proc = subprocess.Popen([BARESIP, "-f", self.dir, "-s"], cwd=self.dir,
                                     stdin=subprocess.DEVNULL,
                                     stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT)

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def command(self, name, params=""):
        """A ctrl_tcp command (a JSON netstring); its response's ok. Events
        baresip sends on the same connection meanwhile are skipped."""
        body = json.dumps({"command": name, "params": params, "token": name}).encode()
        with socket.create_connection(("127.0.0.1", self.ctrl), timeout=5) as s:
            s.sendall(b"%d:%s," % (len(body), body))
            buf = b""
            while True:
                while b":" in buf:
                    size, rest = buf.split(b":", 1)
                    if len(rest) < int(size) + 1:
                        break
                    msg, buf = json.loads(rest[:int(size)]), rest[int(size) + 1:]
                    if msg.get("response"):
                        return msg.get("ok")
                chunk = s.recv(4096)
                if not chunk:
                    return None
                buf += chunk

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not os.environ.get("ORBIT_KEEP_TEST_DIRS"):
            shutil.rmtree(self.dir, ignore_errors=True)


class BaresipPhone(DeploymentTest):
    USERS = 5

    def test_baresip_registers_parks_by_transfer_and_retrieves(self):
        self.assertTrue(os.access(BARESIP, os.X_OK),
                        "baresip is missing: apt-get install baresip-core")
        bs = Baresip(self.dep, PHONE, 0)
        self.addCleanup(bs.close)
        wait_until(lambda: "200 OK (orbitd" in bs.log(), what="baresip to register")
        self.assertEqual(sip_counter(self.dep, 0, "orbit_sip_registrations"), 1)
        wait_until(lambda: self.connect_ctrl(bs), what="baresip's control port")

        # A call to the baresip user rings its phone, which answers.
        caller = phone(self.dep, CALLER)
        self.addCleanup(caller.close)
        port = sip_port(self.dep, 0)
        resp, dialog = caller.invite("sip:%s@127.0.0.1:%d" % (PHONE, port), port)
        self.assertEqual(resp.status, 200, resp.first)
        heard = self.audio(caller, 50)
        self.assertGreater(tone_power_ratio(heard), 0.5, "the caller hears baresip's tone")

        # Blind transfer to the park service: the caller is parked.
        self.assertTrue(bs.command("transfer", "sip:park@127.0.0.1:%d" % port))
        parked = wait_until(lambda: state(self.dep, 0)["parked"], what="the parked call")
        self.assertEqual(parked[0]["parker"], "sip:%s@example.net" % PHONE)
        self.assertEqual(parked[0]["transport"], "sip")
        orbit = wait_until(lambda: re.findall(r"Call parked at orbit (\d+)", bs.log()),
                           what="baresip to get the orbit by MESSAGE")[0]
        self.assertEqual(orbit, parked[0]["orbit"])
        moh = self.audio(caller, 25)
        self.assertLess(tone_power_ratio(moh), 0.5, "the caller hears the music, not the tone")

        # baresip dials the orbit: the two talk again.
        self.assertTrue(bs.command("dial", "sip:%s@127.0.0.1:%d" % (orbit, port)))
        wait_until(lambda: not state(self.dep, 0)["parked"], what="the retrieval")
        caller.rtp_packets(10000, timeout=0.3)
        self.assertGreater(tone_power_ratio(self.audio(caller, 50)), 0.5)
        self.assertEqual(sip_counter(self.dep, 0, "orbit_sip_calls_total", flow="retrieve"), 1)
        self.assertTrue(bs.command("hangup"))
        caller.byes.get(timeout=5)

    def connect_ctrl(self, bs):
        try:
            socket.create_connection(("127.0.0.1", bs.ctrl), timeout=1).close()
            return True
        except OSError:
            return False

    def audio(self, ua, packets):
        """Decoded samples of the next packets a UA receives (PCMU)."""
        pkts = ua.rtp_packets(packets, timeout=5)
        self.assertEqual(len(pkts), packets)
        return [ulaw_decode(c) for p in pkts if p["pt"] == 0 for c in p["payload"]]


if __name__ == "__main__":
    unittest.main()
