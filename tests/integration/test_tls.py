"""orbitd over TLS: HTTPS and wss with the deployment's certificate."""

import asyncio
import os
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest

import websockets

from orbit_testlib import Client, DeploymentTest, http, program, run


class TlsTest(DeploymentTest):
    POOLS = 1
    TLS = True

    def context(self):
        ctx = ssl.create_default_context(cafile=self.dep.info["ca"])
        return ctx

    def test_https_and_wss_work_with_the_certificate(self):
        self.assertTrue(self.dep.http_base(0).startswith("https://"))
        status, body, _ = http(self.dep, "/v1/health", context=self.context())
        self.assertEqual(status, 200)
        self.assertEqual(body["status"], "up")

        async def go():
            c = await Client.connect(self.dep.url(0), self.dep.token("viewer"), ssl=self.context())
            snap = await c.subscribe()
            self.assertEqual(snap["t"], "snapshot")
            await c.close()
        run(go())

    def test_plain_connections_are_refused_on_a_tls_port(self):
        async def go():
            with self.assertRaises(Exception):
                ws = await asyncio.wait_for(websockets.connect(
                    self.dep.url(0).replace("wss://", "ws://"), subprotocols=["orbit.v1"]), 5)
                await ws.close()
        run(go())


class TlsListener:
    """A TLS listener on loopback with a fresh self-signed certificate for
    the given subjectAltName; records whether each client completed the
    handshake (a client that checks the name aborts it)."""

    def __init__(self, san):
        self.dir = tempfile.TemporaryDirectory()
        self.cert = os.path.join(self.dir.name, "cert.pem")
        key = os.path.join(self.dir.name, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                        "-keyout", key, "-out", self.cert, "-days", "1",
                        "-subj", "/CN=orbit-test", "-addext", f"subjectAltName={san}"],
                       check=True, capture_output=True)
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(self.cert, key)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.handshakes = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            conn.settimeout(10)
            try:
                with self.ctx.wrap_socket(conn, server_side=True) as tls:
                    self.handshakes.append(True)
                    tls.recv(4096)  # the upgrade request; no answer
            except (ssl.SSLError, OSError):
                self.handshakes.append(False)

    def close(self):
        self.sock.close()
        self.dir.cleanup()


class TlsNameCheckTest(unittest.TestCase):
    """orbitctl (and orbitop, which shares the client) checks that the
    certificate names the host it dialled, not only that the CA signed it:
    both on HTTPS (libcurl, `state`) and on wss (libwebsockets, commands)."""

    COMMANDS = (["state"], ["cps", "set", "--timeout", "33"])

    def attempt(self, san, command):
        listener = TlsListener(san)
        try:
            env = dict(os.environ, ORBIT_TOKEN="x" * 32)
            r = subprocess.run([program("orbitctl"), "--url",
                                f"wss://127.0.0.1:{listener.port}/v1/stream",
                                "--ca", listener.cert, "--timeout", "2", *command],
                               capture_output=True, text=True, timeout=30, env=env)
            # orbitctl can exit before the listener has seen the alert.
            deadline = time.monotonic() + 5
            while not listener.handshakes and time.monotonic() < deadline:
                time.sleep(0.05)
            return r, list(listener.handshakes)
        finally:
            listener.close()

    def test_a_certificate_for_another_name_is_refused(self):
        # libcurl checks the name once the handshake is done.
        r, handshakes = self.attempt("DNS:elsewhere.example", self.COMMANDS[0])
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("certificate", r.stderr)
        # libwebsockets (OpenSSL) checks it inside the handshake, which the
        # listener then sees fail.
        r, handshakes = self.attempt("DNS:elsewhere.example", self.COMMANDS[1])
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertTrue(handshakes, "orbitctl never reached the listener")
        self.assertNotIn(True, handshakes, r.stderr)
        self.assertIn("TLS handshake failed", r.stderr)

    def test_a_certificate_for_the_dialled_address_is_accepted(self):
        for command in self.COMMANDS:
            r, handshakes = self.attempt("IP:127.0.0.1", command)
            # The listener never answers the request, so orbitctl still
            # fails, but only after a good handshake.
            self.assertIn(True, handshakes, r.stderr)
            self.assertNotIn("certificate", r.stderr)

if __name__ == "__main__":
    unittest.main()
