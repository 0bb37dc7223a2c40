"""console_base: what the console test files share: a deployment of four
pools with simulated phones per test, a console on it, and helpers to read
the audit log and the backup vault."""

import glob
import json
import os
import struct

from orbit_console import Console
from orbit_testlib import DeploymentTest, http

FQDNS = ["pool1.north.example.net", "pool2.south.example.net", "pool3.north.example.net",
         "pool4.south.example.net"]
P3, P4 = FQDNS[2], FQDNS[3]
# A whole first screen: header, every pool, the footer.
READY = [r"4/4 pools connected"] + [rf"{f.replace('.', '[.]')} " for f in FQDNS] + [r"q Quit"]


def audit_ops(dep, pool):
    status, body, _ = http(dep, "/v1/audit", token=dep.token("operator"), pool=pool)
    return [(e["op"], e["ok"], e["who"]) for e in body["entries"]]


def vault_pool_dir(vault, pool):
    """A pool's directory in the vault: under its deployment's."""
    found = glob.glob(os.path.join(vault, "*", pool))
    assert len(found) == 1, found
    return found[0]


def manifest(vault, pool):
    """The vault's entries for a pool ([] when it has none)."""
    found = glob.glob(os.path.join(vault, "*", pool, "manifest.jsonl"))
    if not found:
        return []
    with open(found[0]) as f:
        return [json.loads(line) for line in f if line.strip()]


def wav_bytes(seconds=1, rate=8000):
    data = bytes((i * 5) % 251 for i in range(seconds * rate * 2))
    fmt = struct.pack("<4sIHHIIHH", b"fmt ", 16, 1, 1, rate, rate * 2, 2, 16)
    body = b"WAVE" + fmt + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


class ConsoleTest(DeploymentTest):
    POOLS = 4
    CLOCK_SCALE = 5.0
    PHASE_SECONDS = 10.0  # 2 s of real time
    SIM = "demo"

    def console(self, **kw):
        c = Console(self.dep, **kw)
        self.addCleanup(c.close)
        return c

    def confirm(self, c, fqdn):
        """Types a pool's name into a dialog's confirmation, then Enter
        (to the OK button) and Enter (OK)."""
        c.type(fqdn)
        c.keys("Enter")
        c.wait_for(r">\[ [A-Za-z ]+ \]<")
        c.keys("Enter")
