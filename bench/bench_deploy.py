"""bench_deploy: what bench/run-bench drives: an orbit-demo deployment
(no simulator: the benchmarks make the load), a redis-server started on a
free loopback port, the C load generators, and /proc readings."""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tests", "integration"))
from orbit_ports import reserve_port_block  # noqa: E402

HZ = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """utime + stime of pid in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / HZ


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class Build:
    """The programs of one build directory."""

    def __init__(self, build_dir):
        self.dir = os.path.abspath(build_dir)
        self.type = "unknown"
        try:
            with open(os.path.join(self.dir, "CMakeCache.txt")) as f:
                for line in f:
                    if line.startswith("CMAKE_BUILD_TYPE:"):
                        self.type = line.split("=", 1)[1].strip() or "None"
        except FileNotFoundError:
            raise SystemExit(f"run-bench: {self.dir} is not a CMake build directory")

    def program(self, name):
        for sub in ("bench", "tools", "server", "tui"):
            path = os.path.join(self.dir, sub, name)
            if os.access(path, os.X_OK):
                return path
        raise SystemExit(f"run-bench: {name} is not built in {self.dir} "
                         f"(cmake --build {self.dir})")


class Deployment:
    """orbit-demo up --no-sim: 4 pools on loopback; pool 1 is measured."""

    def __init__(self, build, pools=4, users=100, clock_scale=0.01):
        self.build = build
        self.dir = tempfile.mkdtemp(prefix="orbit-bench-")
        # A block of ports below the ephemeral range, locked as the tests
        # lock theirs: a port in that range can be held by an outgoing
        # connection or its TIME_WAIT, and the SIP edge then cannot bind.
        self.ports = reserve_port_block(pools)
        self.base = self.ports.base
        try:
            self.demo([build.program("orbit-demo"), "up", self.dir, "--pools", str(pools),
                       "--users", str(users), "--no-sim", "--clock-scale", str(clock_scale),
                       "--base-port", str(self.base)])
        except BaseException:
            self.ports.release()
            raise
        with open(os.path.join(self.dir, "deployment.json")) as f:
            self.info = json.load(f)
        self.pools = self.info["pools"]
        self.tokens = self.info["tokens"]
        # Parked calls must stay parked for the whole run: the longest
        # timeout, under a clock 100 times slower than real time.
        for i in range(len(self.pools)):
            self.cmd(i, "config.set", {"call_pickup_timeout_threshold": 600})
        self.parkers_file = os.path.join(self.dir, "parkers")
        users = self.http(0, f"/v1/users?pool={self.pools[0]['fqdn']}")["users"]
        with open(self.parkers_file, "w") as f:
            f.write("".join(u["uri"] + "\n" for u in users))

    def demo(self, args):
        env = dict(os.environ, ORBIT_BIN_DIR=os.path.join(self.build.dir, "server"))
        r = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {r.stderr}")

    def http(self, i, path, body=None, role="viewer"):
        req = urllib.request.Request(self.pools[i]["http"] + path, method="POST" if body else "GET",
                                     data=json.dumps(body).encode() if body else None)
        req.add_header("Authorization", f"Bearer {self.tokens[role]}")
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read())

    def cmd(self, i, op, args):
        return self.http(i, "/v1/cmd", {"op": op, "args": args}, role="operator")

    def metrics(self, i):
        """/metrics as {name{labels}: value}."""
        req = urllib.request.Request(self.pools[i]["http"] + "/metrics")
        with urllib.request.urlopen(req, timeout=30) as r:
            out = {}
            for line in r.read().decode().splitlines():
                if line and not line.startswith("#"):
                    key, _, value = line.rpartition(" ")
                    out[key] = float(value)
            return out

    def pid(self, i):
        return self.pools[i]["pid"]

    def url(self, i):
        return self.pools[i]["url"]

    def fqdn(self, i):
        return self.pools[i]["fqdn"]

    def down(self):
        try:
            self.demo([self.build.program("orbit-demo"), "down", self.dir])
        finally:
            self.ports.release()
            if not os.environ.get("ORBIT_KEEP_BENCH_DIRS"):
                shutil.rmtree(self.dir, ignore_errors=True)


class Redis:
    """redis-server --save '' on a free loopback port, or None when it is
    not installed."""

    @staticmethod
    def start():
        exe = shutil.which("redis-server")
        if not exe:
            return None
        return Redis(exe)

    def __init__(self, exe):
        self.dir = tempfile.mkdtemp(prefix="orbit-bench-redis-")
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.version = subprocess.run([exe, "--version"], capture_output=True,
                                      text=True).stdout.strip()
        self.proc = subprocess.Popen([exe, "--save", "", "--appendonly", "no", "--port",
                                      str(self.port), "--bind", "127.0.0.1", "--dir", self.dir,
                                      "--logfile", os.path.join(self.dir, "redis.log")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def run_json(args, timeout=900):
    """Runs a load generator and returns its JSON report; raises with its
    stderr when it fails or reports nothing."""
    r = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0 or not r.stdout.strip():
        raise RuntimeError(f"{os.path.basename(args[0])} {args[1]} failed "
                           f"(exit {r.returncode}): {r.stderr.strip()[-600:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])
