"""Music-on-hold upload and download: checks on size, format and checksum,
and nothing lost when an upload is refused."""

import hashlib
import os
import struct
import unittest

from orbit_testlib import Client, DeploymentTest, http, raw_http, run

ASF_HEADER = bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")
ASF_FILE_PROPERTIES = bytes.fromhex("a1dcab8c47a9cf118ee400c00c205365")
ASF_STREAM_PROPERTIES = bytes.fromhex("9107dcb7b7a9cf118ee600c00c205365")


def wav(seconds=1, rate=8000):
    data = bytes((i * 7) % 251 for i in range(seconds * rate * 2))
    fmt = struct.pack("<4sIHHIIHH", b"fmt ", 16, 1, 1, rate, rate * 2, 2, 16)
    body = b"WAVE" + fmt + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def asf(packets=2000):
    """The smallest ASF a pool accepts: a header object holding its File
    and Stream Properties objects (bodies zeroed), then packet bytes."""
    objects = [guid + struct.pack("<Q", 24 + size) + bytes(size)
               for guid, size in ((ASF_FILE_PROPERTIES, 80), (ASF_STREAM_PROPERTIES, 54))]
    size = 30 + sum(len(o) for o in objects)
    header = ASF_HEADER + struct.pack("<QIBB", size, len(objects), 1, 2) + b"".join(objects)
    return header + bytes(i % 251 for i in range(packets))


def data_dir(dep, pool=0):
    with open(dep.pool(pool)["config"]) as f:
        for line in f:
            key, _, value = line.partition("=")
            if key.strip() == "data_dir":
                return value.strip()
    raise AssertionError("no data_dir in the pool's configuration")


def put(dep, payload, name="hold.wav", sha=None, role="operator", token=None):
    headers = {"X-Orbit-Filename": name, "Content-Type": "application/octet-stream"}
    if sha is not False:
        headers["X-Orbit-Sha256"] = sha or hashlib.sha256(payload).hexdigest()
    return http(dep, "/v1/moh", token=token or dep.token(role), method="PUT", body=payload,
                headers=headers)


def raw_put(dep, headers, body=b""):
    """A PUT /v1/moh written by hand (to send what urllib will not: a false
    Content-Length, chunked encoding); returns the whole reply."""
    return raw_http(dep, ("PUT /v1/moh HTTP/1.1\r\nHost: x\r\n"
                          f"Authorization: Bearer {dep.token('operator')}\r\n"
                          f"X-Orbit-Sha256: {'a' * 64}\r\n{headers}\r\n").encode() + body)


class MohTest(DeploymentTest):
    POOLS = 1

    def current(self):
        status, body, _ = http(self.dep, "/v1/state", token=self.dep.token("viewer"))
        return body["moh"]

    def test_good_wave_upload_replaces_moh_and_downloads_identically(self):
        audio = wav(2)
        status, body, _ = put(self.dep, audio, name="Lobby Hold.wav")
        self.assertEqual(status, 200, body)
        moh = body["data"]
        self.assertEqual(moh["name"], "Lobby Hold.wav")
        self.assertEqual(moh["size"], len(audio))
        self.assertEqual(moh["sha256"], hashlib.sha256(audio).hexdigest())
        self.assertFalse(moh["default"])
        self.assertEqual(self.current(), moh)
        status, got, hdrs = http(self.dep, "/v1/moh", token=self.dep.token("viewer"), raw=True)
        self.assertEqual(status, 200)
        self.assertEqual(got, audio)
        self.assertEqual(hdrs.get("x-orbit-sha256"), moh["sha256"])
        self.assertEqual(hdrs.get("content-type"), "audio/wav")

    def test_upload_emits_moh_changed(self):
        async def go():
            c = await Client.connect(self.dep.url(0), self.dep.token("viewer"))
            await c.subscribe()
            audio = wav(1)
            status, body, _ = put(self.dep, audio)
            self.assertEqual(status, 200, body)
            ev = await c.event("moh.changed")
            self.assertEqual(ev["data"]["sha256"], hashlib.sha256(audio).hexdigest())
            await c.close()
        run(go())

    def test_wma_asf_header_is_accepted(self):
        audio = asf()
        status, body, _ = put(self.dep, audio, name="hold.wma")
        self.assertEqual(status, 200, body)
        status, got, hdrs = http(self.dep, "/v1/moh", token=self.dep.token("viewer"), raw=True)
        self.assertEqual(got, audio)
        self.assertEqual(hdrs.get("content-type"), "audio/x-ms-wma")

    def test_not_audio_is_415_and_keeps_the_current_file(self):
        before = self.current()
        status, body, _ = put(self.dep, b"This is a text file, not music." * 10, name="x.wav")
        self.assertEqual(status, 415, body)
        self.assertEqual(body["error"]["code"], "unsupported_media")
        status, body, _ = put(self.dep, b"RIF", name="short.wav")
        self.assertEqual(status, 415, body)
        self.assertEqual(self.current(), before)

    def test_a_bare_riff_wave_header_is_415(self):
        before = self.current()
        status, body, _ = put(self.dep, b"RIFF" + struct.pack("<I", 4) + b"WAVE",
                              name="empty.wav")
        self.assertEqual(status, 415, body)
        self.assertEqual(body["error"]["code"], "unsupported_media")
        # A fmt chunk without a data chunk is no better.
        fmt = struct.pack("<4sIHHIIHH", b"fmt ", 16, 1, 1, 8000, 16000, 2, 16)
        status, body, _ = put(self.dep, b"RIFF" + struct.pack("<I", 28) + b"WAVE" + fmt,
                              name="silent.wav")
        self.assertEqual(status, 415, body)
        self.assertIn("data", body["error"]["message"])
        # Nor is the ASF header GUID followed by anything at all.
        status, body, _ = put(self.dep, ASF_HEADER + bytes(range(200)) * 10, name="x.wma")
        self.assertEqual(status, 415, body)
        self.assertEqual(self.current(), before)

    def test_invalid_utf8_file_name_is_400(self):
        before = self.current()
        # urllib sends header values as Latin-1: this is the byte E9 alone.
        status, body, _ = put(self.dep, wav(1), name="caf\xe9.wav")
        self.assertEqual(status, 400, body)
        self.assertEqual(body["error"]["field"], "X-Orbit-Filename")
        self.assertIn("UTF-8", body["error"]["message"])
        self.assertEqual(self.current(), before)
        status, body, _ = http(self.dep, "/v1/audit", token=self.dep.token("operator"))
        self.assertEqual(status, 200)
        self.assertFalse(body["entries"][-1]["ok"])

    def test_file_names_with_c1_controls_or_bidi_overrides_are_400(self):
        before = self.current()
        for name in ("hold\u0085.wav", "hold\u009b2J.wav", "evil\u202evaw.wma",
                     "x\u2066.wav"):
            # Latin-1 of the UTF-8 bytes puts the UTF-8 bytes on the wire.
            status, body, _ = put(self.dep, wav(1), name=name.encode().decode("latin-1"))
            self.assertEqual(status, 400, (name, body))
            self.assertEqual(body["error"]["field"], "X-Orbit-Filename")
        status, body, _ = put(self.dep, wav(1), name="Z\u00fcrich.wav".encode().decode("latin-1"))
        self.assertEqual(status, 200, body)
        self.assertEqual(body["data"]["name"], "Z\u00fcrich.wav")
        self.assertNotEqual(self.current(), before)

    def test_bad_checksum_is_400_and_keeps_the_current_file(self):
        before = self.current()
        status, body, _ = put(self.dep, wav(1), sha="0" * 64)
        self.assertEqual(status, 400, body)
        self.assertEqual(body["error"]["code"], "bad_request")
        self.assertIn("checksum", body["error"]["message"])
        status, body, _ = put(self.dep, wav(1), sha=False)
        self.assertEqual(status, 400, body)
        self.assertIn("X-Orbit-Sha256", body["error"]["message"])
        self.assertEqual(self.current(), before)

    def test_too_large_is_413_before_the_body_is_read(self):
        before = self.current()
        size = 32 * 1024 * 1024 + 1
        reply = raw_put(self.dep, "X-Orbit-Filename: huge.wav\r\n"
                        f"Content-Length: {size}\r\n", wav(1))
        self.assertTrue(reply.startswith(b"HTTP/1.1 413"), reply[:100])
        self.assertIn(b"too_large", reply)
        self.assertEqual(self.current(), before)

    def test_chunked_upload_is_refused_without_reading_it(self):
        before = self.current()
        reply = raw_put(self.dep, "X-Orbit-Filename: c.wav\r\nTransfer-Encoding: chunked\r\n")
        self.assertTrue(reply.startswith(b"HTTP/1.1 400"), reply[:100])
        self.assertIn(b"Content-Length", reply)
        self.assertEqual(self.current(), before)

    def test_upload_needs_an_operator(self):
        status, body, _ = put(self.dep, wav(1), role="viewer")
        self.assertEqual(status, 403)
        status, body, _ = put(self.dep, wav(1), token="nonsense")
        self.assertEqual(status, 401)

    def test_uploads_are_audited(self):
        put(self.dep, wav(1), name="ok.wav")
        put(self.dep, b"nope" * 10, name="bad.wav")
        status, body, _ = http(self.dep, "/v1/audit?lines=all", token=self.dep.token("operator"))
        # Each upload is on record before it acts (phase "request") and with
        # its outcome (phase "result").
        uploads = [e for e in body["entries"]
                   if e["op"] == "moh.upload" and e["phase"] == "result"]
        requests = [e for e in body["entries"]
                    if e["op"] == "moh.upload" and e["phase"] == "request"]
        self.assertEqual([e["args"]["name"] for e in requests[-2:]], ["ok.wav", "bad.wav"])
        self.assertEqual([e["ok"] for e in uploads[-2:]], [True, False])
        self.assertEqual(uploads[-1]["error"]["code"], "unsupported_media")
        self.assertEqual(uploads[-2]["args"]["name"], "ok.wav")


class MissingMohTest(DeploymentTest):
    POOLS = 1

    def test_missing_moh_file_falls_back_to_the_default_with_a_warning(self):
        status, body, _ = put(self.dep, wav(1), name="lost.wav")
        self.assertEqual(status, 200, body)
        fqdn = self.dep.fqdns()[0]
        self.dep.stop(fqdn)
        moh_dir = os.path.join(data_dir(self.dep), "moh")
        for f in os.listdir(moh_dir):
            os.unlink(os.path.join(moh_dir, f))
        self.dep.start(fqdn)
        status, body, _ = http(self.dep, "/v1/state", token=self.dep.token("viewer"))
        self.assertEqual(status, 200, body)
        self.assertTrue(body["moh"]["default"], body["moh"])
        self.assertEqual(body["moh"]["name"], "orbit-default.wav")
        log = self.dep.log(fqdn)
        self.assertRegex(log, r"warn +orbitd: MOH file .*lost\.wav.* playing the default")
        status, got, _ = http(self.dep, "/v1/moh", token=self.dep.token("viewer"), raw=True)
        self.assertEqual(status, 200)
        self.assertEqual(hashlib.sha256(got).hexdigest(), body["moh"]["sha256"])


if __name__ == "__main__":
    unittest.main()
