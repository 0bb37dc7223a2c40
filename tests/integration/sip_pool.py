"""sip_pool: SIP phones for tests against real pools made by orbit-demo
(every pool a SIP edge with digest authentication): sipp runs that
answer the pools' challenges with the deployment's passwords, the tiny
user agent of tests/sip/sip_testlib.py for the roles sipp cannot play
(checking RTP payloads, a parked caller that stays), and the edge's
counters from /metrics."""

import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sip"))

import sip_testlib  # noqa: E402
from orbit_testlib import http, wait_until  # noqa: E402
from sip_testlib import UA, sdp_media  # noqa: E402,F401


def sip_port(dep, pool):
    """The UDP/TCP port of a pool's SIP edge (pool: index or FQDN)."""
    return int(dep.pool(pool)["sip"].rsplit(":", 1)[1])


def passwords(dep):
    with open(dep.info["sip_passwords"]) as f:
        return dict(line.split() for line in f if line.strip())


class SipPhones:
    """For a test class on a Deployment (self.dep): phone(user) gives a
    UA of the deployment's user, closed when the test ends."""

    def phone(self, user):
        ua = phone(self.dep, user)
        self.addCleanup(ua.close)
        return ua


def name_of(uri_or_name):
    """"sip:user1-001@example.net" or "user1-001" -> "user1-001"."""
    return uri_or_name[4:].split("@")[0] if uri_or_name.startswith("sip:") else uri_or_name


def phone(dep, user):
    """A UA for a user of the deployment, with its password."""
    name = name_of(user)
    return UA(name, password=passwords(dep)["sip:%s@example.net" % name])


def sipp(dep, scenario, pool, user, keys=None, args=(), timeout=20):
    """Runs one call of tests/sip/scenarios/SCENARIO.xml as user against a
    pool, answering digest challenges. Returns (returncode, trace)."""
    name = name_of(user)
    auth = ["-au", name, "-ap", passwords(dep)["sip:%s@example.net" % name]]
    return sip_testlib.run_sipp(scenario, sip_port(dep, pool), service=name, keys=keys,
                                args=auth + list(args), timeout=timeout)


def start_sipp(dep, scenario, pool, user, keys=None, args=(), timeout=20, calls=1):
    """sipp in the background: (Popen, workdir, its local SIP port)."""
    name = name_of(user)
    auth = ["-au", name, "-ap", passwords(dep)["sip:%s@example.net" % name]]
    return sip_testlib.start_sipp(scenario, sip_port(dep, pool), service=name, keys=keys,
                                  args=auth + list(args), timeout=timeout, calls=calls)


def call(dep, pool, user, target, parker=None, hold_ms=300, timeout=20):
    """A call from user to sip:TARGET@pool by sipp (auth_call.xml): park
    (target "park"), retrieve (an orbit), pickup (a group) or a user.
    Returns (final status, Warning header or None, trace)."""
    rc, trace = sipp(dep, "auth_call", pool, user,
                     keys={"target": target, "parker": name_of(parker or user)},
                     args=["-d", str(hold_ms)], timeout=timeout)
    status, warning = final_answer(trace, "2 INVITE")
    if rc != 0 or status is None:
        raise AssertionError("sipp failed (%d):\n%s" % (rc, trace[-3000:]))
    return status, warning, trace


def final_answer(trace, cseq):
    """The final status and Warning of the response to the request whose
    CSeq is cseq ("2 INVITE") in a sipp message trace."""
    status, warning = None, None
    for block in re.split(r"\n-{10,}[^\n]*\n", trace):
        m = re.search(r"^SIP/2\.0 (\d{3})[^\n]*$", block, re.M)
        if not m or not re.search(r"^CSeq:\s*%s\s*$" % re.escape(cseq), block, re.M | re.I):
            continue
        code = int(m.group(1))
        if code >= 200:
            status = code
            w = re.search(r"^Warning:\s*(.*?)\s*$", block, re.M | re.I)
            warning = w.group(1) if w else None
    return status, warning


def metrics(dep, pool):
    """GET /metrics as {"name{labels}": value}."""
    status, body, _ = http(dep, "/metrics", pool=pool, raw=True)
    assert status == 200, status
    out = {}
    for line in body.decode().splitlines():
        if line and not line.startswith("#"):
            key, value = line.rsplit(" ", 1)
            out[key] = float(value)
    return out


def sip_counter(dep, pool, name, **labels):
    key = name + ("{%s}" % ",".join('%s="%s"' % kv for kv in labels.items()) if labels else "")
    return metrics(dep, pool).get(key, 0)


def wait_counter(dep, pool, name, at_least, timeout=10, **labels):
    return wait_until(lambda: sip_counter(dep, pool, name, **labels) >= at_least,
                      timeout=timeout, what="%s >= %s at pool %s" % (name, at_least, pool))


def exchange_rtp(a, a_media, b, b_media, count=5):
    """Each UA sends count G.711 packets to the pool's side of its leg
    (an (ip, port) from the SDP the pool sent it); returns how many each
    received from the other: (at a, at b)."""
    a.rtp_packets(10000, timeout=0.3)  # what was already on the way
    b.rtp_packets(10000, timeout=0.01)
    for i in range(count):
        a.rtp.sendto(sip_testlib.make_rtp(i, i * 160, 0xA, bytes(160)), a_media)
        b.rtp.sendto(sip_testlib.make_rtp(i, i * 160, 0xB, bytes(160)), b_media)
        time.sleep(0.02)
    at_b = [p for p in b.rtp_packets(count, timeout=2) if p["ssrc"] != 0xB]
    at_a = [p for p in a.rtp_packets(count, timeout=2) if p["ssrc"] != 0xA]
    return len(at_a), len(at_b)


def quiet(ua, seconds=0.5):
    """True when no BYE reached the UA within seconds."""
    try:
        ua.byes.get(timeout=seconds)
        return False
    except Exception:
        return True
