"""Helpers for the SIP edge tests: the edge on its fake engine
(tests/tools/sip_test_host), sipp runs, and a small SIP user agent over
UDP with RTP sockets for the roles sipp cannot play (checking RTP
payloads, SHA-256 digest, several phones at once)."""

import hashlib
import json
import os
import queue
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
import unittest

BUILD = os.environ.get("ORBIT_BUILD_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "build"))
HOST = os.path.join(BUILD, "tests", "tools", "sip_test_host")
SCENARIOS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scenarios")
SIPP = shutil.which("sipp") or "/usr/bin/sipp"
POOL1 = "pool1.example.net"
POOL2 = "pool2.example.net"


def free_udp_port(even=False):
    """A UDP port free now on 127.0.0.1 (TCP too, for SIP). Below 20000,
    out of the blocks integration deployments take (orbit_testlib
    PORT_BLOCK) and of the kernel's ephemeral ports."""
    for _ in range(200):
        port = random.randrange(10000, 19998)
        if even:
            port &= ~1
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u, \
                    socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                u.bind(("127.0.0.1", port))
                t.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port")


def base_config(sip_port, other_port=None):
    """Two pools, users alice and bob (pool1, group 17000), dave (pool2)."""
    return {
        "self": POOL1,
        "pools": [
            {"fqdn": POOL1, "sip": "sip:127.0.0.1:%d" % sip_port},
            {"fqdn": POOL2, "sip": "sip:127.0.0.1:%d" % (other_port or sip_port + 10)},
        ],
        "users": [
            {"uri": "sip:alice@example.net", "home": POOL1, "password": "alicepw", "group": "17000"},
            {"uri": "sip:bob@example.net", "home": POOL1, "password": "bobpw", "group": "17000"},
            {"uri": "sip:carol@example.net", "home": POOL1, "password": "carolpw"},
            {"uri": "sip:dave@example.net", "home": POOL2, "password": "davepw"},
        ],
        "ranges": [
            {"start": "11000", "end": "11009", "pool": POOL1, "type": "CallPark"},
            {"start": "12000", "end": "12009", "pool": POOL2, "type": "CallPark"},
            {"start": "17000", "end": "17009", "pool": POOL1, "type": "GroupPickup"},
        ],
        "settings": {"threshold_ms": 60000, "ring_ms": 20000},
    }


class EdgeHost:
    """sip_test_host with a config; reads its trace lines in a thread."""

    def __init__(self, config, args=(), workdir=None):
        self.dir = workdir or tempfile.mkdtemp(prefix="orbit-sip-")
        self.config_path = os.path.join(self.dir, "config.json")
        with open(self.config_path, "w") as f:
            json.dump(config, f)
        self.port = int(config["pools"][0]["sip"].rsplit(":", 1)[1])
        media = free_udp_port(even=True)
        wrapper = os.environ.get("ORBIT_SIP_HOST_WRAPPER", "").split()
        cmd = wrapper + [HOST, "--config", self.config_path, "--port", str(self.port),
               "--media-ports", "%d-%d" % (media, media + 40)] + list(args)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = []
        self.cond = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.wait_line(lambda l: l.startswith("ready "), 10)

    def _read(self):
        for line in self.proc.stdout:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def wait_line(self, pred, timeout=10.0, start=0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for i in range(start, len(self.lines)):
                    if pred(self.lines[i]):
                        return self.lines[i]
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise AssertionError("no such line; got:\n" + "\n".join(self.lines[-30:]))
                self.cond.wait(left)

    def wait_op(self, op, timeout=10.0):
        """The result of the first `op` line, as a dict."""
        line = self.wait_line(lambda l: l.startswith("op %s " % op), timeout)
        return json.loads(line.split(" -> ", 1)[1])

    def wait_event(self, kind, timeout=10.0):
        line = self.wait_line(lambda l: l.startswith("event %s " % kind), timeout)
        return json.loads(line.split(" ", 2)[2])

    def counters(self):
        with self.cond:
            start = len(self.lines)
        self.proc.send_signal(signal.SIGUSR1)
        line = self.wait_line(lambda l: l.startswith("counters "), 5, start)
        return json.loads(line.split(" ", 1)[1])

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        err = self.proc.stderr.read()
        self.proc.stdout.close()
        self.proc.stderr.close()
        return self.proc.returncode, err


def run_sipp(scenario, port, service="alice", keys=None, args=(), timeout=30, workdir=None):
    """Runs one sipp call of scenarios/NAME.xml against 127.0.0.1:port.
    Returns (returncode, the message trace)."""
    workdir = workdir or tempfile.mkdtemp(prefix="orbit-sipp-")
    local = free_udp_port()
    cmd = [SIPP, "-sf", os.path.join(SCENARIOS, scenario + ".xml"), "-s", service, "-m", "1",
           "-p", str(local), "-i", "127.0.0.1", "-nostdin", "-trace_msg", "-trace_err",
           "-message_file", os.path.join(workdir, "messages.log"),
           "-error_file", os.path.join(workdir, "errors.log"),
           "-timeout", str(timeout), "-timeout_error"]
    for k, v in (keys or {}).items():
        cmd += ["-key", k, str(v)]
    cmd += list(args) + ["127.0.0.1:%d" % port]
    proc = subprocess.run(cmd, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          timeout=timeout + 15)
    trace = ""
    for name in ("messages.log", "errors.log"):
        path = os.path.join(workdir, name)
        if os.path.exists(path):
            with open(path, errors="replace") as f:
                trace += f.read()
    return proc.returncode, trace


def start_sipp(scenario, port, service="alice", keys=None, args=(), timeout=30, calls=1):
    """sipp in the background: returns (Popen, workdir, local SIP port)."""
    workdir = tempfile.mkdtemp(prefix="orbit-sipp-")
    local = free_udp_port()
    cmd = [SIPP, "-sf", os.path.join(SCENARIOS, scenario + ".xml"), "-s", service, "-m", str(calls),
           "-p", str(local), "-i", "127.0.0.1", "-nostdin", "-trace_msg", "-trace_err",
           "-message_file", os.path.join(workdir, "messages.log"),
           "-error_file", os.path.join(workdir, "errors.log"),
           "-timeout", str(timeout), "-timeout_error"]
    for k, v in (keys or {}).items():
        cmd += ["-key", k, str(v)]
    cmd += list(args) + ["127.0.0.1:%d" % port]
    proc = subprocess.Popen(cmd, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return proc, workdir, local


def sipp_trace(workdir):
    out = ""
    for name in ("messages.log", "errors.log"):
        path = os.path.join(workdir, name)
        if os.path.exists(path):
            with open(path, errors="replace") as f:
                out += f.read()
    return out


# ---------------------------------------------------------------- G.711

def ulaw_decode(code):
    code = ~code & 0xFF
    exponent = (code >> 4) & 7
    magnitude = ((((code & 0x0F) << 3) + 0x84) << exponent) - 0x84
    return -magnitude if code & 0x80 else magnitude


def write_wav(path, samples, rate=8000):
    import wave
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(struct.pack("<%dh" % len(samples), *samples))


def parse_rtp(data):
    if len(data) < 12 or data[0] >> 6 != 2:
        return None
    cc = data[0] & 0x0F
    pt = data[1] & 0x7F
    seq, ts, ssrc = struct.unpack("!HII", data[2:12])
    return {"pt": pt, "seq": seq, "ts": ts, "ssrc": ssrc, "marker": bool(data[1] & 0x80),
            "payload": data[12 + 4 * cc:]}


def make_rtp(seq, ts, ssrc, payload, pt=0):
    return struct.pack("!BBHII", 0x80, pt, seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc) + payload


# ------------------------------------------------------------ a tiny UA

class Message:
    def __init__(self, text, addr):
        self.addr = addr
        head, _, self.body = text.partition("\r\n\r\n")
        lines = head.split("\r\n")
        self.first = lines[0]
        self.headers = []
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                self.headers.append((k.strip().lower(), v.strip()))
        parts = self.first.split(" ", 2)
        self.is_request = not self.first.startswith("SIP/2.0")
        self.method = parts[0] if self.is_request else None
        self.status = int(parts[1]) if not self.is_request else None

    def get(self, name):
        name = name.lower()
        for k, v in self.headers:
            if k == name:
                return v
        return None

    def all(self, name):
        return [v for k, v in self.headers if k == name.lower()]

    def cseq_method(self):
        return self.get("cseq").split()[1]


class UA:
    """A SIP phone on one UDP port: sends requests, answers some by itself
    (MESSAGE: 200, OPTIONS: 200, BYE: 200, CANCEL: 200 + 487), queues
    the rest for the test."""

    def __init__(self, user, domain="example.net", password=None):
        self.user = user
        self.domain = domain
        self.password = password
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.rtp.bind(("127.0.0.1", free_udp_port(even=True)))
        self.rtp_port = self.rtp.getsockname()[1]
        self.inbox = queue.Queue()
        self.messages = queue.Queue()
        self.byes = queue.Queue()
        self.cancels = queue.Queue()
        self.responses = queue.Queue()
        self.running = True
        self.auto_refer = None  # status to answer REFER with
        self.refers = queue.Queue()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()
        self.cseq = 1

    @property
    def aor(self):
        return "sip:%s@%s" % (self.user, self.domain)

    @property
    def contact(self):
        return "sip:%s@127.0.0.1:%d" % (self.user, self.port)

    def close(self):
        self.running = False
        self.sock.close()
        self.rtp.close()

    def _loop(self):
        self.sock.settimeout(0.2)
        while self.running:
            try:
                data, addr = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            msg = Message(data.decode(errors="replace"), addr)
            if not msg.is_request:
                self.responses.put(msg)
            elif msg.method == "MESSAGE":
                self.reply(msg, 200, "OK")
                self.messages.put(msg)
            elif msg.method == "BYE":
                self.reply(msg, 200, "OK")
                self.byes.put(msg)
            elif msg.method == "CANCEL":
                self.reply(msg, 200, "OK")
                self.cancels.put(msg)
            elif msg.method == "ACK":
                pass
            elif msg.method == "REFER" and self.auto_refer:
                self.reply(msg, self.auto_refer, "Whatever")
                self.refers.put(msg)
            elif msg.method in ("NOTIFY", "OPTIONS"):
                self.reply(msg, 200, "OK")
            else:
                self.inbox.put(msg)

    def send(self, text, addr):
        self.sock.sendto(text.encode(), addr)

    def reply(self, req, status, reason, extra="", body="", to_tag=None):
        to = req.get("to")
        if to_tag and ";tag=" not in to:
            to += ";tag=" + to_tag
        vias = "".join("Via: %s\r\n" % v for v in req.all("via"))
        text = ("SIP/2.0 %d %s\r\n%sFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %s\r\n"
                "Contact: <%s>\r\n%s" % (status, reason, vias, req.get("from"), to,
                                       req.get("call-id"), req.get("cseq"), self.contact, extra))
        if body:
            text += "Content-Type: application/sdp\r\n"
        text += "Content-Length: %d\r\n\r\n%s" % (len(body), body)
        self.send(text, req.addr)

    def sdp(self, pt=0):
        name = "PCMU" if pt == 0 else "PCMA"
        return ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                "m=audio %d RTP/AVP %d\r\na=rtpmap:%d %s/8000\r\n" % (self.rtp_port, pt, pt, name))

    def request(self, method, ruri, pool, to=None, call_id=None, from_tag=None, to_tag=None,
                extra="", body="", cseq=None):
        call_id = call_id or "%x@ua" % random.getrandbits(48)
        from_tag = from_tag or "%x" % random.getrandbits(32)
        cseq = cseq or self.cseq
        self.cseq += 1
        branch = "z9hG4bK%x" % random.getrandbits(48)
        to = to or "<%s>" % ruri
        if to_tag:
            to += ";tag=" + to_tag
        text = ("%s %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=%s;rport\r\n"
                "From: <%s>;tag=%s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %d %s\r\n"
                "%sMax-Forwards: 70\r\n%s" % (
                    method, ruri, self.port, branch, self.aor, from_tag, to, call_id, cseq, method,
                    "" if "Contact:" in extra else "Contact: <%s>\r\n" % self.contact, extra))
        if body:
            text += "Content-Type: application/sdp\r\n"
        text += "Content-Length: %d\r\n\r\n%s" % (len(body), body)
        self.send(text, ("127.0.0.1", pool))
        return {"call_id": call_id, "from_tag": from_tag, "cseq": cseq, "ruri": ruri, "to": to,
                "method": method, "branch": branch}

    def final(self, req, timeout=10.0):
        """The final response to req (provisional ones are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no final answer to %s" % req["method"])
            msg = self.responses.get(timeout=left)
            if msg.get("call-id") != req["call_id"] or int(msg.get("cseq").split()[0]) != req["cseq"]:
                continue
            if msg.status >= 200:
                return msg

    def digest(self, challenge, method, uri, alg_pick=None):
        params = dict(re.findall(r'(\w+)="?([^",]+)"?', challenge))
        alg = params.get("algorithm", "MD5")
        h = hashlib.sha256 if alg == "SHA-256" else hashlib.md5
        hx = lambda s: h(s.encode()).hexdigest()
        ha1 = hx("%s:%s:%s" % (self.user, params["realm"], self.password))
        ha2 = hx("%s:%s" % (method, uri))
        cnonce, nc = "%x" % random.getrandbits(32), "00000001"
        resp = hx("%s:%s:%s:%s:auth:%s" % (ha1, params["nonce"], nc, cnonce, ha2))
        return ('Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", '
                'algorithm=%s, qop=auth, nc=%s, cnonce="%s"' % (
                    self.user, params["realm"], params["nonce"], uri, resp, alg, nc, cnonce))

    def register(self, pool, expires=60, algorithm=None, contact=None):
        """REGISTER (answering a challenge when a password is set); the
        binding is this UA unless contact names another phone."""
        ruri = "sip:127.0.0.1:%d" % pool
        extra = "Expires: %d\r\n" % expires
        if contact:
            extra += "Contact: <%s>\r\n" % contact
        req = self.request("REGISTER", ruri, pool, to="<%s>" % self.aor, extra=extra)
        resp = self.final(req)
        if resp.status == 401 and self.password:
            chals = resp.all("www-authenticate")
            chal = next((c for c in chals if algorithm is None or "algorithm=%s" % algorithm in c),
                        chals[0])
            auth = self.digest(chal, "REGISTER", ruri)
            req = self.request("REGISTER", ruri, pool, to="<%s>" % self.aor, call_id=req["call_id"],
                               from_tag=req["from_tag"], extra=extra + "Authorization: %s\r\n" % auth)
            resp = self.final(req)
        return resp

    def start_invite(self, ruri, pool, extra="", pt=0, call_id=None):
        """INVITE with an SDP offer, answering a digest challenge when the
        UA has a password, without waiting for the final answer: returns
        the request (for final())."""
        req = self.request("INVITE", ruri, pool, extra=extra, body=self.sdp(pt), call_id=call_id)
        if not self.password:
            return req
        deadline = time.monotonic() + 10
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no answer to INVITE %s" % ruri)
            msg = self.responses.get(timeout=left)
            if msg.get("call-id") != req["call_id"]:
                continue
            if msg.status == 401:
                self.ack(req, msg)
                auth = self.digest(msg.all("www-authenticate")[0], "INVITE", ruri)
                return self.request("INVITE", ruri, pool, call_id=req["call_id"],
                                    from_tag=req["from_tag"],
                                    extra=extra + "Authorization: %s\r\n" % auth,
                                    body=self.sdp(pt))
            if msg.status >= 180:
                self.responses.put(msg)  # for final()
                return req

    def invite(self, ruri, pool, extra="", pt=0, call_id=None):
        """INVITE with an SDP offer; returns (final response, dialog)."""
        req = self.start_invite(ruri, pool, extra=extra, pt=pt, call_id=call_id)
        resp = self.final(req, timeout=15)
        if resp.status >= 200:
            self.ack(req, resp)
        dialog = dict(req)
        dialog["to_hdr"] = resp.get("to")
        dialog["pool"] = pool
        dialog["answer"] = resp.body
        return resp, dialog

    def ack(self, req, resp):
        text = ("ACK %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=%s\r\n"
                "From: <%s>;tag=%s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %d ACK\r\n"
                "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n" % (
                    req["ruri"], self.port,
                    req["branch"] if resp.status >= 300 else "z9hG4bK%x" % random.getrandbits(40),
                    self.aor, req["from_tag"], resp.get("to"), req["call_id"], req["cseq"]))
        self.send(text, ("127.0.0.1", int(req.get("pool_port", 0)) or resp.addr[1]))

    def bye(self, dialog):
        to = dialog["to_hdr"]
        req = self.request("BYE", dialog["ruri"], dialog["pool"], to=to, call_id=dialog["call_id"],
                           from_tag=dialog["from_tag"])
        return self.final(req)

    def answer(self, invite, status=200, pt=0):
        """Answers an INVITE we received; returns the To tag used."""
        tag = "%x" % random.getrandbits(32)
        self.reply(invite, status, "OK" if status == 200 else "Whatever", body=self.sdp(pt) if status == 200 else "",
                   to_tag=tag)
        return tag

    def wait_request(self, method, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no %s arrived" % method)
            msg = self.inbox.get(timeout=left)
            if msg.method == method:
                return msg

    def rtp_packets(self, count, timeout=5.0):
        out = []
        self.rtp.settimeout(0.2)
        deadline = time.monotonic() + timeout
        while len(out) < count and time.monotonic() < deadline:
            try:
                data, addr = self.rtp.recvfrom(2048)
            except socket.timeout:
                continue
            pkt = parse_rtp(data)
            if pkt:
                pkt["from"] = addr
                out.append(pkt)
        return out


def sdp_media(body):
    """(address, port) of the first audio stream of an SDP body."""
    addr = re.search(r"c=IN IP4 (\S+)", body).group(1)
    port = int(re.search(r"m=audio (\d+)", body).group(1))
    return addr, port


class EdgeTest(unittest.TestCase):
    """Starts a fresh edge per test with the config setUp_config() gives."""

    host_args = ()

    def edge_config(self, config):
        return config

    def setUp(self):
        self.port = free_udp_port()
        self.config = self.edge_config(base_config(self.port))
        self.host = EdgeHost(self.config, self.host_args)
        self.uas = []

    def ua(self, user, password=None):
        ua = UA(user, password=password)
        self.uas.append(ua)
        return ua

    def tearDown(self):
        for ua in self.uas:
            ua.close()
        alive = self.host.alive()
        rc, err = self.host.stop()
        self.assertTrue(alive, "the edge died: " + err[-2000:])
        self.assertEqual(rc, 0, err[-2000:])
