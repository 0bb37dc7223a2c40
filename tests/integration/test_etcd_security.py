"""A pool against an etcd cluster that demands TLS with client certificates,
or a user and password (the store_ca, store_cert, store_key, store_user and
store_password_file settings of orbitd.conf). Each test starts its own
single-member etcd with the security it checks. Registered only in the
etcd suite."""

import base64
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.request

from orbit_testlib import free_base_port, program, wait_until

POOL = "pool1.north.example.net"


def topology(url):
    return {"sites": ["north", "south"],
            "pools": [{"fqdn": POOL, "site": "north", "url": url},
                      {"fqdn": "pool2.south.example.net", "site": "south",
                       "url": "ws://127.0.0.1:1/v1/stream"}],
            "pairs": [[POOL, "pool2.south.example.net"]],
            "ranges": [{"identity": "cp", "start": "1000", "end": "1009", "pool": POOL,
                        "type": "CallPark"}],
            "users": [{"uri": "sip:u1@example.net", "home": POOL}],
            "groups": []}


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_pki(d):
    """A CA, a server certificate for 127.0.0.1 and a client certificate."""
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=orbit-ca",
            "-keyout", "ca.key", "-out", "ca.pem", cwd=d)
    with open(os.path.join(d, "san.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    for name in ("server", "client"):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}", "-keyout",
                f"{name}.key", "-out", f"{name}.csr", cwd=d)
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-days", "2", "-extfile", "san.cnf", "-out", f"{name}.pem",
                cwd=d)


class EtcdSecurity(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="orbit-etcd-sec-")
        self.procs = []
        base = free_base_port(3)
        self.client_port, self.peer_port, self.pool_port = base + 1, base + 2, base + 3
        self.addCleanup(self.cleanup)

    def cleanup(self):
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def start_etcd(self, scheme, extra):
        url = f"{scheme}://127.0.0.1:{self.client_port}"
        peer = f"http://127.0.0.1:{self.peer_port}"
        log = open(os.path.join(self.dir, "etcd.log"), "w")
        self.procs.append(subprocess.Popen(
            ["etcd", "--name", "s1", "--data-dir", os.path.join(self.dir, "etcd"),
             "--listen-client-urls", url, "--advertise-client-urls", url,
             "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
             "--initial-cluster", f"s1={peer}", "--log-level", "warn", *extra],
            stdout=log, stderr=log))
        return url

    def write_config(self, location, extra):
        conf = os.path.join(self.dir, "orbitd.conf")
        with open(conf, "w") as f:
            f.write(f"fqdn = {POOL}\nport = {self.pool_port}\nstore = {location}\n"
                    f"data_dir = {os.path.join(self.dir, 'data')}\nlog_level = debug\n")
            for line in extra:
                f.write(line + "\n")
        topo = os.path.join(self.dir, "topology.json")
        with open(topo, "w") as f:
            json.dump(topology(f"ws://127.0.0.1:{self.pool_port}/v1/stream"), f)
        return conf, topo

    def import_(self, conf, topo):
        return subprocess.run([program("orbitd"), "import", "-c", conf, "--replace", topo],
                              capture_output=True, text=True, timeout=60)

    def run_pool(self, conf):
        log = open(os.path.join(self.dir, "orbitd.log"), "w")
        p = subprocess.Popen([program("orbitd"), "-c", conf], stdout=log, stderr=log)
        self.procs.append(p)
        return p

    def healthy(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.pool_port}/v1/health",
                                        timeout=1) as r:
                return json.loads(r.read()).get("store_ok")
        except OSError:
            return False

    def test_tls_with_client_certificates(self):
        make_pki(self.dir)
        pem = lambda n: os.path.join(self.dir, n)  # noqa: E731
        self.start_etcd("https", ["--cert-file", pem("server.pem"), "--key-file",
                                  pem("server.key"), "--trusted-ca-file", pem("ca.pem"),
                                  "--client-cert-auth"])
        location = f"etcd://127.0.0.1:{self.client_port}/orbit/tls"
        # Without a client certificate the cluster refuses the pool.
        conf, topo = self.write_config(location, [f"store_ca = {pem('ca.pem')}"])
        wait_until(lambda: os.path.exists(os.path.join(self.dir, "etcd")), timeout=10)
        r = self.import_(conf, topo)
        self.assertNotEqual(r.returncode, 0)
        # With one, everything works.
        conf, topo = self.write_config(location, [f"store_ca = {pem('ca.pem')}",
                                                  f"store_cert = {pem('client.pem')}",
                                                  f"store_key = {pem('client.key')}"])
        r = wait_until(lambda: (x := self.import_(conf, topo)).returncode == 0 and x,
                       timeout=20, what="the import over TLS")
        self.assertIn("(etcd)", r.stdout)
        self.run_pool(conf)
        wait_until(self.healthy, timeout=20, what="the pool over TLS")

    def call(self, path, body, token=None):
        req = urllib.request.Request(f"http://127.0.0.1:{self.client_port}{path}",
                                     data=json.dumps(body).encode(), method="POST")
        if token:
            req.add_header("Authorization", token)
        with urllib.request.urlopen(req, timeout=5) as r:
            return json.loads(r.read())

    def test_user_and_password(self):
        self.start_etcd("http", [])

        def started():
            try:
                return self.call("/v3/maintenance/status", {})
            except OSError:
                return False
        wait_until(started, timeout=20, what="etcd to start")
        self.call("/v3/auth/user/add", {"name": "root", "password": "s3cret"})
        self.call("/v3/auth/user/grant", {"user": "root", "role": "root"})
        self.call("/v3/auth/enable", {})
        location = f"etcd://127.0.0.1:{self.client_port}/orbit/auth"
        bad = os.path.join(self.dir, "bad-password")
        good = os.path.join(self.dir, "password")
        for path, text in ((bad, "nope\n"), (good, "s3cret\n")):
            with open(path, "w") as f:
                f.write(text)
            os.chmod(path, 0o600)
        conf, topo = self.write_config(location, ["store_user = root",
                                                  f"store_password_file = {bad}"])
        r = self.import_(conf, topo)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("etcd", r.stderr)
        conf, topo = self.write_config(location, ["store_user = root",
                                                  f"store_password_file = {good}"])
        r = self.import_(conf, topo)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.run_pool(conf)
        wait_until(self.healthy, timeout=20, what="the pool with a password")
        # Without credentials the data cannot be read.
        with self.assertRaises(urllib.error.HTTPError):
            key = base64.b64encode(b"/orbit/auth/meta/initialised").decode()
            self.call("/v3/kv/range", {"key": key})


if __name__ == "__main__":
    unittest.main()
