"""Park, retrieve, ring-back, forwarding and Group Call Pickup over SIP
and RTP: sipp plays the phone under test, the test's UA the others."""

import os
import time
import unittest

from sip_testlib import (EdgeTest, make_rtp, run_sipp, sdp_media, start_sipp, sipp_trace,
                         ulaw_decode, write_wav)

REFERRED = "Referred-By: <sip:alice@example.net>\r\n"


def park_with_ua(test, ua, parker="alice"):
    resp, dialog = ua.invite("sip:park@127.0.0.1:%d" % test.port, test.port,
                             extra="Referred-By: <sip:%s@example.net>\r\n" % parker)
    test.assertEqual(resp.status, 200, resp.first)
    result = test.host.wait_op("call.park")
    test.assertTrue(result["ok"], result)
    return dialog, result["data"]["orbit"]


class Park(EdgeTest):
    def edge_config(self, config):
        # Known music: a slow ramp, easy to find in the received audio.
        self.moh_samples = [int(12000 * ((i % 800) / 400.0 - 1.0)) for i in range(8000)]
        self.wav = os.path.join(self.host_dir(), "moh.wav")
        write_wav(self.wav, self.moh_samples)
        config["moh"] = self.wav
        return config

    def host_dir(self):
        import tempfile
        self._dir = getattr(self, "_dir", None) or tempfile.mkdtemp(prefix="orbit-moh-")
        return self._dir

    def test_sipp_parks_and_is_answered_with_pcmu_or_pcma(self):
        rc, trace = run_sipp("park", self.port, service="bob", keys={"parker": "alice", "hold_ms": 300})
        self.assertEqual(rc, 0, trace)
        op = self.host.wait_op("call.park")
        self.assertTrue(op["ok"])
        line = self.host.wait_line(lambda l: l.startswith("op call.park "))
        self.assertIn('"parker":"sip:alice@example.net"', line)
        self.assertIn('"parkee":"sip:bob@example.net"', line)
        self.assertIn('"transport":"sip"', line)
        # The caller hung up while parked: the pool was told.
        self.assertTrue(self.host.wait_op("call.hangup")["ok"])

    def test_without_referred_by_the_sender_is_the_parker(self):
        ua = self.ua("alice")
        resp, dialog = ua.invite("sip:park@127.0.0.1:%d" % self.port, self.port)
        self.assertEqual(resp.status, 200)
        line = self.host.wait_line(lambda l: l.startswith("op call.park "))
        self.assertIn('"parker":"sip:alice@example.net"', line)
        ua.bye(dialog)

    def test_a_call_id_orbit_v1_cannot_carry_is_parked_under_its_hash(self):
        import hashlib
        ua = self.ua("bob")
        sip_call_id = "a/very{long}call-id" * 5 + "@phone.example.net"
        resp, dialog = ua.invite("sip:park@127.0.0.1:%d" % self.port, self.port, extra=REFERRED,
                                 call_id=sip_call_id)
        self.assertEqual(resp.status, 200, resp.first)
        line = self.host.wait_line(lambda l: l.startswith("op call.park "))
        want = "sip-" + hashlib.sha256(sip_call_id.encode()).hexdigest()[:40]
        self.assertIn('"call_id":"%s"' % want, line)
        ua.bye(dialog)
        self.assertIn('"call_id":"%s"' % want,
                      self.host.wait_line(lambda l: l.startswith("op call.hangup ")))

    def test_parked_caller_hears_the_moh_file_and_parker_gets_the_orbit(self):
        parker = self.ua("alice")
        self.assertEqual(parker.register(self.port).status, 200)
        caller = self.ua("bob")
        dialog, orbit = park_with_ua(self, caller)
        msg = parker.messages.get(timeout=5)
        self.assertIn("orbit %s" % orbit, msg.body)
        self.assertTrue(msg.get("content-type").startswith("text/plain"))
        pkts = caller.rtp_packets(50, timeout=5)
        self.assertGreaterEqual(len(pkts), 50)
        for a, b in zip(pkts, pkts[1:]):
            self.assertEqual((b["seq"] - a["seq"]) & 0xFFFF, 1)
            self.assertEqual((b["ts"] - a["ts"]) & 0xFFFFFFFF, 160)
            self.assertEqual(b["ssrc"], a["ssrc"])
        self.assertTrue(all(p["pt"] == 0 and len(p["payload"]) == 160 for p in pkts))
        # The stream is the file from its start, looped: each decoded
        # sample is within G.711's quantisation step of the file's.
        audio = [ulaw_decode(c) for p in pkts for c in p["payload"]]
        n = len(self.moh_samples)
        for i, got in enumerate(audio):
            want = self.moh_samples[i % n]
            self.assertLessEqual(abs(got - want), abs(want) / 16 + 16, "sample %d" % i)
        c = self.host.counters()
        self.assertGreaterEqual(c["rtp_out"], 50)
        self.assertEqual(c["parks"], 1)
        caller.bye(dialog)


class ParkElsewhere(EdgeTest):
    def test_park_for_a_parker_served_by_another_pool_is_redirected_there(self):
        other = int(self.config["pools"][1]["sip"].rsplit(":", 1)[1])
        ua = self.ua("bob")
        resp, _ = ua.invite("sip:park@127.0.0.1:%d" % self.port, self.port,
                            extra="Referred-By: <sip:dave@example.net>\r\n")
        self.assertEqual(resp.status, 302, resp.first)
        self.assertEqual(resp.get("contact"), "<sip:park@127.0.0.1:%d>" % other)
        self.assertFalse(self.host.wait_op("call.park")["ok"])  # the pool decided


class Retrieve(EdgeTest):
    def test_sipp_retrieves_and_the_orbit_is_free_again(self):
        caller = self.ua("bob")
        dialog, orbit = park_with_ua(self, caller)
        rc, trace = run_sipp("retrieve", self.port, service="carol", keys={"orbit": orbit, "hold_ms": 300})
        self.assertEqual(rc, 0, trace)
        self.assertTrue(self.host.wait_op("call.retrieve")["ok"])
        # The retriever hung up: the bridged caller is hung up too.
        caller.byes.get(timeout=5)
        rc, trace = run_sipp("retrieve_empty", self.port, service="carol", keys={"orbit": orbit})
        self.assertEqual(rc, 0, trace)

    def test_orbit_of_another_pool_is_redirected(self):
        other = int(self.config["pools"][1]["sip"].rsplit(":", 1)[1])
        rc, trace = run_sipp("retrieve_moved", self.port, service="carol",
                             keys={"orbit": "12003", "moved_port": other})
        self.assertEqual(rc, 0, trace)
        self.assertIn("sip:12003@127.0.0.1:%d" % other, trace)
        self.assertNotIn("op call.retrieve", "\n".join(self.host.lines))

    def test_after_retrieval_each_party_hears_the_other(self):
        caller = self.ua("bob")
        dialog, orbit = park_with_ua(self, caller)
        retriever = self.ua("carol")
        resp, rdialog = retriever.invite("sip:%s@127.0.0.1:%d" % (orbit, self.port), self.port, pt=8)
        self.assertEqual(resp.status, 200)
        caller_leg = sdp_media(dialog["answer"])
        retriever_leg = sdp_media(rdialog["answer"])
        caller.rtp_packets(1000, timeout=0.3)  # drain the music on hold
        ssrc = 0x1234
        for i in range(10):
            payload = bytes([(i * 16 + k) & 0xFF for k in range(160)])
            caller.rtp.sendto(make_rtp(i, i * 160, ssrc, payload, 0), caller_leg)
            retriever.rtp.sendto(make_rtp(i, i * 160, ssrc, payload, 8), retriever_leg)
            time.sleep(0.02)
        at_retriever = retriever.rtp_packets(10, timeout=3)
        at_caller = [p for p in caller.rtp_packets(10, timeout=3)]
        self.assertEqual(len(at_retriever), 10)
        self.assertEqual(len(at_caller), 10)
        # PCMU in, PCMA out: the relay transcodes; the timing is steady.
        self.assertTrue(all(p["pt"] == 8 for p in at_retriever))
        self.assertTrue(all(p["pt"] == 0 for p in at_caller))
        for a, b in zip(at_caller, at_caller[1:]):
            self.assertEqual((b["seq"] - a["seq"]) & 0xFFFF, 1)
        c = self.host.counters()
        self.assertGreaterEqual(c["rtp_in"], 20)
        retriever.bye(rdialog)
        caller.byes.get(timeout=5)


class Resiliency(EdgeTest):
    def edge_config(self, config):
        config["resiliency"] = ["pool1.example.net"]
        return config

    def test_park_is_refused_with_480_and_warning(self):
        rc, trace = run_sipp("park_refused", self.port, service="bob", keys={"parker": "alice"})
        self.assertEqual(rc, 0, trace)
        self.assertIn("resiliency_mode", trace)
        self.assertEqual(self.host.counters()["refused"], 1)


class FullOrbits(EdgeTest):
    def edge_config(self, config):
        config["ranges"][0]["end"] = "11000"  # a single orbit
        return config

    def test_park_without_a_free_orbit_is_503_with_warning(self):
        first = self.ua("bob")
        resp, dialog = first.invite("sip:park@127.0.0.1:%d" % self.port, self.port, extra=REFERRED)
        self.assertEqual(resp.status, 200)
        second = self.ua("carol")
        resp, _ = second.invite("sip:park@127.0.0.1:%d" % self.port, self.port, extra=REFERRED)
        self.assertEqual(resp.status, 503)
        self.assertIn("no_free_orbit", resp.get("warning"))
        first.bye(dialog)


class Voicemail(EdgeTest):
    def edge_config(self, config):
        config["settings"]["voicemail_ms"] = 800
        return config

    def test_unanswered_queued_call_ends_480_when_it_goes_to_voicemail(self):
        caller = self.ua("carol")
        req = caller.request("INVITE", "sip:bob@127.0.0.1:%d" % self.port, self.port,
                             body=caller.sdp())
        self.assertTrue(self.host.wait_op("pickup.ring")["data"]["queued"])
        resp = caller.final(req, timeout=5)
        self.assertEqual(resp.status, 480)
        self.assertIn("voicemail", resp.get("warning"))


class RingBack(EdgeTest):
    def edge_config(self, config):
        config["settings"] = {"threshold_ms": 1500, "ring_ms": 5000}
        return config

    def test_parker_is_rung_back_and_bridged(self):
        proc, workdir, phone = start_sipp("ringback_parker", self.port, service="alice",
                                          timeout=20, calls=2)
        registrar = self.ua("alice")
        resp = registrar.register(self.port, contact="sip:alice@127.0.0.1:%d" % phone)
        self.assertEqual(resp.status, 200)
        caller = self.ua("bob")
        dialog, orbit = park_with_ua(self, caller)
        self.host.wait_event("call.ringback", timeout=5)
        self.assertTrue(self.host.wait_op("call.ringback_answer", timeout=10)["ok"])
        self.assertEqual(proc.wait(30), 0, sipp_trace(workdir))
        # The parker hung up after the ring-back: the parked caller too.
        caller.byes.get(timeout=5)
        self.assertEqual(self.host.counters()["ringbacks"], 1)


class TimeoutUri(EdgeTest):
    def edge_config(self, config):
        config["settings"] = {"threshold_ms": 500, "ring_ms": 500,
                              "on_timeout_uri": "sip:operator@127.0.0.1:9"}
        return config

    def test_unretrieved_call_is_referred_to_on_timeout_uri(self):
        rc, trace = run_sipp("parked_refer", self.port, service="bob",
                             keys={"parker": "alice"}, timeout=20)
        self.assertEqual(rc, 0, trace)
        self.assertIn("Refer-To: <sip:operator@127.0.0.1:9>", trace)
        self.host.wait_event("call.forwarded")
        self.assertEqual(self.host.counters()["forwards"], 1)

    def test_refer_refused_then_pool_calls_the_target_and_bridges(self):
        target = self.ua("operator")
        self.config["settings"]["on_timeout_uri"] = target.contact
        self.host.stop()
        from sip_testlib import EdgeHost
        self.host = EdgeHost(self.config, self.host_args)
        caller = self.ua("bob")
        caller.auto_refer = 405  # a phone without REFER
        dialog, orbit = park_with_ua(self, caller)
        invite = target.wait_request("INVITE", timeout=10)
        self.assertIn("operator", invite.first)
        target.answer(invite)
        # Now the caller's audio reaches the operator.
        caller_leg = sdp_media(dialog["answer"])
        caller.rtp_packets(1000, timeout=0.3)
        for i in range(5):
            caller.rtp.sendto(make_rtp(i, i * 160, 77, bytes(160), 0), caller_leg)
            time.sleep(0.02)
        self.assertGreaterEqual(len(target.rtp_packets(5, timeout=3)), 5)
        self.assertGreaterEqual(self.host.counters()["forwards"], 1)
        caller.bye(dialog)


class TimeoutHangUp(EdgeTest):
    def edge_config(self, config):
        config["settings"] = {"threshold_ms": 500, "ring_ms": 500, "max_call_pickup_attempts": 2}
        return config

    def test_without_on_timeout_uri_the_last_attempt_hangs_up(self):
        parker = self.ua("alice")
        self.assertEqual(parker.register(self.port).status, 200)
        caller = self.ua("bob")
        park_with_ua(self, caller)
        # Two ring-backs nobody answers (the parker's phone just rings),
        # one re-park between them, then the pool hangs up.
        for _ in range(2):
            invite = parker.wait_request("INVITE", timeout=5)
            parker.reply(invite, 180, "Ringing", to_tag="r1ng")
            parker.cancels.get(timeout=5)
        self.assertEqual(self.host.wait_event("call.reparked")["attempt"], 1)
        caller.byes.get(timeout=5)
        self.assertEqual(self.host.wait_event("call.disconnected")["reason"], "timeout")


class Pickup(EdgeTest):
    def test_group_pickup_takes_the_ringing_call(self):
        callee = self.ua("bob")
        self.assertEqual(callee.register(self.port).status, 200)
        caller = self.ua("carol")
        req = caller.request("INVITE", "sip:bob@127.0.0.1:%d" % self.port, self.port, body=caller.sdp())
        ringing = callee.wait_request("INVITE", timeout=5)  # the fork to bob's phone
        callee.reply(ringing, 180, "Ringing", to_tag="b0b")
        queued = self.host.wait_op("pickup.ring")
        self.assertEqual(queued["data"]["group"], "17000")
        rc, trace = run_sipp("pickup", self.port, service="alice", keys={"group": "17000", "hold_ms": 300})
        self.assertEqual(rc, 0, trace)
        self.assertTrue(self.host.wait_op("pickup.take")["ok"])
        resp = caller.final(req)
        self.assertEqual(resp.status, 200)
        caller.ack(req, resp)
        callee.cancels.get(timeout=5)  # bob's phone stopped ringing
        caller.byes.get(timeout=5)  # the picker hung up
        self.assertEqual(self.host.counters()["pickups"], 1)

    def test_callee_answering_takes_the_call_out_of_the_queue(self):
        callee = self.ua("bob")
        self.assertEqual(callee.register(self.port).status, 200)
        caller = self.ua("carol")
        req = caller.request("INVITE", "sip:bob@127.0.0.1:%d" % self.port, self.port, body=caller.sdp())
        ringing = callee.wait_request("INVITE", timeout=5)
        self.host.wait_op("pickup.ring")
        callee.answer(ringing)
        self.assertTrue(self.host.wait_op("pickup.answer")["ok"])
        resp = caller.final(req)
        self.assertEqual(resp.status, 200)
        caller.ack(req, resp)
        rc, trace = run_sipp("retrieve_empty", self.port, service="alice", keys={"orbit": "17000"})
        self.assertEqual(rc, 0, trace)  # nothing left to pick up: 404


class ParkByTransfer(EdgeTest):
    """A phone talking through the pool (a call to a user) transfers the
    other party to park@: the pool parks that party on the leg it holds."""

    def edge_config(self, config):
        import tempfile
        wav = os.path.join(tempfile.mkdtemp(prefix="orbit-moh-"), "moh.wav")
        write_wav(wav, [1000 * (i % 16) for i in range(1600)])
        config["moh"] = wav
        return config

    def connected_call(self):
        callee = self.ua("bob")
        self.assertEqual(callee.register(self.port).status, 200)
        caller = self.ua("carol")
        req = caller.request("INVITE", "sip:bob@127.0.0.1:%d" % self.port, self.port,
                             body=caller.sdp())
        invite = callee.wait_request("INVITE", timeout=5)
        tag = callee.answer(invite)
        resp = caller.final(req)
        self.assertEqual(resp.status, 200)
        caller.ack(req, resp)
        return callee, invite, tag, caller

    def refer(self, ua, invite, tag, target, cseq=1):
        """An in-dialog REFER from the phone that answered invite."""
        contact = invite.get("contact").strip("<>")
        text = ("REFER %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKrefer%d\r\n"
                "From: %s;tag=%s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %d REFER\r\n"
                "Contact: <%s>\r\nRefer-To: <%s>\r\nMax-Forwards: 70\r\n"
                "Content-Length: 0\r\n\r\n" % (
                    contact, ua.port, cseq, invite.get("to"), tag, invite.get("from"),
                    invite.get("call-id"), cseq, ua.contact, target))
        ua.send(text, invite.addr)
        while True:
            msg = ua.responses.get(timeout=5)
            if msg.get("cseq") == "%d REFER" % cseq:
                return msg

    def test_transfer_to_park_parks_the_other_party(self):
        callee, invite, tag, caller = self.connected_call()
        resp = self.refer(callee, invite, tag, "sip:park@127.0.0.1:%d" % self.port)
        self.assertEqual(resp.status, 202)
        line = self.host.wait_line(lambda l: l.startswith("op call.park "))
        self.assertIn('"parker":"sip:bob@example.net"', line)
        self.assertIn('"parkee":"sip:carol@example.net"', line)
        self.assertIn("orbit 11000", callee.messages.get(timeout=5).body)
        callee.byes.get(timeout=5)  # the transferor is hung up on
        self.assertGreaterEqual(len(caller.rtp_packets(10, timeout=3)), 10)  # music on hold
        self.assertEqual(self.host.counters()["parks"], 1)
        # Anyone retrieves it: the parked caller's leg is the one kept.
        retriever = self.ua("alice")
        resp, dialog = retriever.invite("sip:11000@127.0.0.1:%d" % self.port, self.port)
        self.assertEqual(resp.status, 200)
        retriever.bye(dialog)
        caller.byes.get(timeout=5)

    def test_transfer_elsewhere_is_declined(self):
        callee, invite, tag, caller = self.connected_call()
        resp = self.refer(callee, invite, tag, "sip:dave@example.net")
        self.assertEqual(resp.status, 603)


if __name__ == "__main__":
    unittest.main()
