"""RTP through orbitd's SIP edge: the parked caller hears the pool's MOH
file (uploaded over HTTP, converted to G.711 by the pool) sample by
sample, with steady RTP sequence and timestamps; after retrieval each
party receives the other's packets, transcoded between PCMU and PCMA."""

import hashlib
import io
import struct
import unittest
import wave

from orbit_testlib import DeploymentTest, http, op_http, state, wait_until
from sip_pool import SipPhones, sdp_media, sip_counter, sip_port
from sip_testlib import make_rtp, ulaw_decode

# Nothing here depends on the deployment store: run on SQLite only (see
# CMakeLists.txt); test_sip_transport.py and the SIP conformance tests
# cover both stores.
STORES = ("sqlite",)

PARKER = "user1-001"
CALLER = "user2-001"
RETRIEVER = "user1-003"


def wav_of(samples, rate=8000):
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(struct.pack("<%dh" % len(samples), *samples))
    return out.getvalue()


class SipMedia(SipPhones, DeploymentTest):
    USERS = 5


    def park(self, caller, pt=0):
        port = sip_port(self.dep, 0)
        resp, dialog = caller.invite("sip:park@127.0.0.1:%d" % port, port, pt=pt,
                                     extra="Referred-By: <sip:%s@example.net>\r\n" % PARKER)
        self.assertEqual(resp.status, 200, resp.first)
        return dialog

    def test_parked_caller_hears_the_uploaded_moh_file(self):
        # A slow ramp: easy to recognise, and no sample twice in a row.
        samples = [int(12000 * ((i % 800) / 400.0 - 1.0)) for i in range(8000)]
        body = wav_of(samples)
        status, reply, _ = http(self.dep, "/v1/moh", token=self.dep.token("operator"),
                                method="PUT", body=body,
                                headers={"X-Orbit-Filename": "ramp.wav",
                                         "X-Orbit-Sha256": hashlib.sha256(body).hexdigest()})
        self.assertEqual(status, 200, reply)
        caller = self.phone(CALLER)

        def hears_the_ramp():
            # The pool converts a new file on its own thread: until it is
            # done, callers hear the old one. Park again until it plays.
            dialog = self.park(caller)
            pkts = caller.rtp_packets(50, timeout=5)
            caller.bye(dialog)
            audio = [ulaw_decode(c) for p in pkts for c in p["payload"]]
            ok = len(pkts) == 50 and all(abs(got - samples[i % len(samples)]) <=
                                         abs(samples[i % len(samples)]) / 16 + 16
                                         for i, got in enumerate(audio))
            caller.rtp_packets(10000, timeout=0.2)
            return pkts if ok else None

        pkts = wait_until(hears_the_ramp, timeout=20, what="the uploaded MOH to play")
        for a, b in zip(pkts, pkts[1:]):
            self.assertEqual((b["seq"] - a["seq"]) & 0xFFFF, 1)
            self.assertEqual((b["ts"] - a["ts"]) & 0xFFFFFFFF, 160)
            self.assertEqual(b["ssrc"], a["ssrc"])
        self.assertTrue(all(p["pt"] == 0 and len(p["payload"]) == 160 for p in pkts))
        self.assertGreaterEqual(sip_counter(self.dep, 0, "orbit_sip_rtp_packets_total",
                                            direction="out"), 50)

    def test_music_on_hold_off_means_silence(self):
        self.assertTrue(op_http(self.dep, 0, "config.set", {"enable_music_on_hold": False})["ok"])
        caller = self.phone(CALLER)
        dialog = self.park(caller)
        self.assertFalse(state(self.dep, 0)["parked"][0]["music_on_hold"])
        self.assertEqual(caller.rtp_packets(1, timeout=1), [])
        caller.bye(dialog)

    def test_after_retrieval_each_party_hears_the_other(self):
        caller = self.phone(CALLER)
        dialog = self.park(caller, pt=0)
        orbit = wait_until(lambda: state(self.dep, 0)["parked"], what="parked")[0]["orbit"]
        retriever = self.phone(RETRIEVER)
        port = sip_port(self.dep, 0)
        resp, rdialog = retriever.invite("sip:%s@127.0.0.1:%d" % (orbit, port), port, pt=8)
        self.assertEqual(resp.status, 200)
        caller_leg, retriever_leg = sdp_media(dialog["answer"]), sdp_media(rdialog["answer"])
        caller.rtp_packets(10000, timeout=0.3)  # the music that was on its way
        for i in range(10):
            payload = bytes([(i * 16 + k) & 0xFF for k in range(160)])
            caller.rtp.sendto(make_rtp(i, i * 160, 0x1234, payload, 0), caller_leg)
            retriever.rtp.sendto(make_rtp(i, i * 160, 0x5678, payload, 8), retriever_leg)
        at_retriever = retriever.rtp_packets(10, timeout=3)
        at_caller = caller.rtp_packets(10, timeout=3)
        self.assertEqual(len(at_retriever), 10)
        self.assertEqual(len(at_caller), 10)
        # PCMU from the caller arrives as PCMA and the other way round.
        self.assertTrue(all(p["pt"] == 8 for p in at_retriever))
        self.assertTrue(all(p["pt"] == 0 for p in at_caller))
        for a, b in zip(at_caller, at_caller[1:]):
            self.assertEqual((b["seq"] - a["seq"]) & 0xFFFF, 1)
        self.assertGreaterEqual(sip_counter(self.dep, 0, "orbit_sip_rtp_packets_total",
                                            direction="in"), 20)
        retriever.bye(rdialog)
        caller.byes.get(timeout=5)


if __name__ == "__main__":
    unittest.main()
