"""orbitctl and orbitop against a pool that lies: the terminal escapes it
puts in names, URIs, events, errors and refusals (OSC 52, OSC 0, OSC 8,
CSI 2J, CSI 6n, C1 CSI, bidi overrides, CR/LF/BS/TAB) reach neither
program's terminal raw; the token goes to no URL a pool lists unless the
configured deployment names it, and never in plaintext when the
deployment uses TLS; and a burst of events ends `watch --count N` after
exactly N."""

import json
import os
import pty
import select
import signal
import struct
import subprocess
import tempfile
import termios
import fcntl
import time
import unittest

from fake_pool import (ATTACKS, FORBIDDEN, PRINTABLE_ATTACKS, FakePool, hostile, state_for,
                       write_deployment)
from orbit_console import program

P1 = "pool1.north.example.net"
P2 = "pool2.south.example.net"


def hostile_http_state(fqdn, url):
    """What GET /v1/state of a lying pool says: escapes in every string
    orbitctl prints."""
    s = state_for(fqdn, url)
    s["pool"]["fqdn"] = hostile("OSC0", ATTACKS["OSC0"])
    s["pool"]["site"] = hostile("OSC52", ATTACKS["OSC52"])
    s["pools"][0]["fqdn"] = hostile("CLEAR", ATTACKS["CLEAR"])
    s["pools"][0]["site"] = hostile("DSR", ATTACKS["DSR"])
    s["pools"][0]["status"] = hostile("C1CSI", ATTACKS["C1CSI"])
    s["dr"][0]["home"] = hostile("CLEAR", ATTACKS["CLEAR"])
    s["dr"][0]["serving"] = hostile("OSC8", ATTACKS["OSC8"])
    s["dr"][0]["phase"] = hostile("BIDI", ATTACKS["BIDI"])
    s["config"]["on_timeout_uri"] = hostile("ROWS", ATTACKS["ROWS"])
    s["orbits"][0]["identity"] = hostile("OSC52", ATTACKS["OSC52"])
    s["orbits"][0]["pool"] = hostile("DSR", ATTACKS["DSR"])
    s["epoch"] = hostile("OSC0", ATTACKS["OSC0"])
    return s


def hostile_events():
    return [
        ("call.parked", {"call_id": hostile("OSC52", ATTACKS["OSC52"]),
                         "orbit": hostile("OSC0", ATTACKS["OSC0"]),
                         "parker": hostile("CLEAR", ATTACKS["CLEAR"])}),
        ("pool.status", {"fqdn": hostile("DSR", ATTACKS["DSR"]),
                         "status": hostile("C1CSI", ATTACKS["C1CSI"])}),
        ("moh.changed", {"name": hostile("OSC8", ATTACKS["OSC8"]), "size": 1,
                         "sha256": hostile("BIDI", ATTACKS["BIDI"])}),
        ("dr.changed", {"home": hostile("ROWS", ATTACKS["ROWS"]), "event": "x",
                        "phase": "y", "serving": "z"}),
        ("orbit.deleted", {"identity": "r", "start": "1", "end": "2", "type": "t", "pool": "p",
                           "who": hostile("OSC0", ATTACKS["OSC0"])}),
    ]


def assert_inert(test, data, what):
    for bad in FORBIDDEN:
        test.assertNotIn(bad, data, f"{what} passed {bad!r} raw")
    # And no C1 control at all, raw or as UTF-8.
    text = data.decode("utf-8", "replace")
    test.assertFalse(any(0x80 <= ord(ch) <= 0x9f for ch in text), what)
    test.assertFalse(any(0x202a <= ord(ch) <= 0x202e or 0x2066 <= ord(ch) <= 0x2069
                         for ch in text), what)


def run_pty(argv, env, keys, seconds, cols=120, rows=40):
    """Runs a program on a pseudo-terminal of cols x rows, types each of
    keys at its time (seconds from the start), and returns every byte it
    wrote and its exit status."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(argv[0], argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    os.kill(pid, signal.SIGWINCH)
    out = bytearray()
    start = time.monotonic()
    pending = sorted(keys)
    status = None
    while time.monotonic() - start < seconds + 5:
        while pending and time.monotonic() - start >= pending[0][0]:
            os.write(fd, pending.pop(0)[1])
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                break
            out += chunk
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = st
            break
    if status is None:
        os.kill(pid, signal.SIGTERM)
        _, status = os.waitpid(pid, 0)
    os.close(fd)
    return bytes(out), os.waitstatus_to_exitcode(status)


class HostilePoolTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="orbit-hostile-")
        self.env = dict(os.environ, HOME=self.dir, XDG_CONFIG_HOME=os.path.join(self.dir, "xdg"),
                        ORBIT_VAULT_DIR=os.path.join(self.dir, "vault"), ORBIT_TOKEN="op-token",
                        LANG="C.UTF-8", LC_ALL="C.UTF-8", TERM="xterm-256color")
        self.env.pop("ORBIT_URL", None)

    def pool(self, **kw):
        p = FakePool(**kw)
        self.addCleanup(p.close)
        return p

    def ctl(self, *args, url=None):
        cmd = [program("orbitctl")] + (["--url", url] if url else []) + list(args)
        return subprocess.run(cmd, capture_output=True, env=self.env, timeout=30)

    def test_orbitctl_shows_a_hostile_pools_strings_visibly(self):
        p = self.pool(fqdn=P1)
        p.snapshot = state_for(P1, p.url)
        p.http_state = hostile_http_state(P1, p.url)
        p.events = hostile_events()
        p.refusal = hostile("OSC52", ATTACKS["OSC52"]) + hostile("ROWS", ATTACKS["ROWS"])
        runs = [("state",), ("pool", "list"), ("cps", "get"), ("orbit", "list"),
                ("orbit", "remove", "x"), ("--json", "state"), ("--json", "orbit", "remove", "x"),
                ("watch", "--count", "5", "--for", "10")]
        for args in runs:
            r = self.ctl(*args, url=p.url)
            assert_inert(self, r.stdout + r.stderr, " ".join(args))
        # The strings are there, in their visible form.
        r = self.ctl("pool", "list", url=p.url)
        self.assertIn(b"^[[2JHOSTILE-CLEAR", r.stdout)
        self.assertIn(b"<U+009B>6nHOSTILE-C1CSI", r.stdout)
        r = self.ctl("orbit", "remove", "x", url=p.url)
        self.assertEqual(r.returncode, 4)
        self.assertIn(b"^[]52;c;", r.stderr)
        self.assertIn(b"a^Mb^Jc^Hd^Ie", r.stderr)
        r = self.ctl("cps", "get", url=p.url)
        self.assertIn(b"a^Mb^Jc^Hd^IeHOSTILE-ROWS", r.stdout)

    def test_orbitop_keeps_a_hostile_pools_strings_off_the_terminal(self):
        p = self.pool(fqdn=P1)
        # Identities and MOH names follow the name rule (no C1, no bidi), so a
        # snapshot carrying them is refused whole; the free-text fields a
        # client takes as they are carry the attacks here.
        names = {"uri": "sip:" + hostile("BIDI", PRINTABLE_ATTACKS["BIDI"]),
                 "party": "sip:" + hostile("C1CSI", PRINTABLE_ATTACKS["C1CSI"])}
        p.snapshot = state_for(P1, p.url, names=names)
        p.events = hostile_events()
        p.error_frame = hostile("OSC0", ATTACKS["OSC0"]) + hostile("DSR", ATTACKS["DSR"])
        p.audit = [{"time": "2026-01-01T00:00:00Z", "time_ms": 1, "who": hostile("OSC52",
                    ATTACKS["OSC52"]), "role": "operator", "op": hostile("CLEAR",
                    ATTACKS["CLEAR"]), "ok": True, "args": {}}]
        keys = [(2.0, b"6"), (2.6, b"5"), (3.2, b"2"), (3.8, b"3"), (4.4, b"6"), (4.8, b"a"),
                (5.6, b"1"), (6.2, b"q")]
        out, rc = run_pty([program("orbitop"), p.url], self.env, keys, 7)
        self.assertEqual(rc, 0, out[-2000:])
        self.assertTrue(p.hellos, "orbitop never connected")
        assert_inert(self, out, "orbitop")
        self.assertIn(b"HOSTILE", out)  # the strings were drawn, made visible

    def test_a_pool_cannot_collect_the_token_for_another_url(self):
        honest = self.pool(fqdn=P1)
        foreign = self.pool(fqdn=P2)
        # The honest pool's snapshot lists a second pool at a URL that is
        # not in the configured deployment (here: a foreign listener).
        honest.snapshot = state_for(P1, honest.url, pools=[(P1, honest.url), (P2, foreign.url)])
        foreign.snapshot = state_for(P2, foreign.url)
        dep = write_deployment(os.path.join(self.dir, "deployment.json"), [(P1, honest.url)])
        env = dict(self.env)
        env.pop("ORBIT_TOKEN")
        r = subprocess.run([program("orbitctl"), "--deployment", dep, "watch", "--all", "--for",
                            "2"], capture_output=True, env=env, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"not watching pool2.south.example.net", r.stderr)
        self.assertIn(b"not a pool of the configured deployment", r.stderr)
        out, rc = run_pty([program("orbitop"), "--deployment", dep], env, [(3.0, b"q")], 4)
        self.assertEqual(rc, 0)
        self.assertTrue(honest.hellos)
        self.assertEqual(foreign.hellos, [], "a token went to a URL a pool listed")
        self.assertEqual(foreign.http_tokens, [])
        # Named in the deployment, the same pool is dialled.
        dep2 = write_deployment(os.path.join(self.dir, "both.json"),
                                [(P1, honest.url), (P2, foreign.url)])
        r = subprocess.run([program("orbitctl"), "--deployment", dep2, "watch", "--all", "--for",
                            "2"], capture_output=True, env=env, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([t for t, _ in foreign.hellos], ["op-token"])

    def test_plaintext_is_refused_when_the_deployment_uses_tls(self):
        plain = self.pool(fqdn=P2)
        plain.snapshot = state_for(P2, plain.url)
        dep = write_deployment(os.path.join(self.dir, "mixed.json"),
                               [(P1, "wss://127.0.0.1:1/v1/stream"), (P2, plain.url)])
        env = dict(self.env)
        env.pop("ORBIT_TOKEN")
        r = subprocess.run([program("orbitctl"), "--deployment", dep, "--pool", P2, "state"],
                           capture_output=True, env=env, timeout=30)
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"plaintext", r.stderr)
        r = subprocess.run([program("orbitop"), "--deployment", dep], capture_output=True,
                           env=env, timeout=30)
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"plaintext", r.stderr)
        self.assertEqual(plain.hellos, [])
        self.assertEqual(plain.http_tokens, [])

    def test_watch_count_is_exact_when_events_arrive_together(self):
        p = self.pool(fqdn=P1)
        p.snapshot = state_for(P1, p.url)
        p.events = [("orbit.deleted", {"identity": f"r{i}", "start": "1", "end": "2",
                                       "type": "CallPark", "pool": P1, "who": "t"})
                    for i in range(5)]
        r = self.ctl("watch", "--count", "3", "--for", "10", url=p.url)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = [json.loads(l) for l in r.stdout.splitlines()]
        self.assertEqual([l["data"]["identity"] for l in lines], ["r0", "r1", "r2"])


if __name__ == "__main__":
    unittest.main()
