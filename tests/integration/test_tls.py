"""orbitd over TLS: HTTPS and wss with the deployment's certificate."""

import asyncio
import ssl
import unittest

import websockets

from orbit_testlib import Client, DeploymentTest, http, run


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


if __name__ == "__main__":
    unittest.main()
