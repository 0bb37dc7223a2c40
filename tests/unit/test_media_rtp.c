/* RTP headers: what is encoded decodes to the same fields, the bytes are
 * RFC 3550's, malformed datagrams are refused, and a sender's sequence
 * and timestamp advance steadily, wrapping as 16- and 32-bit counters. */
#include "test_main.h"

#include "media_rtp.h"

static void header_bytes_are_rfc3550(void **state)
{
    (void)state;
    const uint8_t payload[3] = {1, 2, 3};
    media_rtp_packet pkt = {.marker = true,
                            .payload_type = 8,
                            .seq = 0x1234,
                            .timestamp = 0xA1B2C3D4,
                            .ssrc = 0x01020304,
                            .payload = payload,
                            .payload_len = 3};
    uint8_t buf[32];
    assert_int_equal(media_rtp_encode(&pkt, buf, sizeof buf), 15);
    const uint8_t want[15] = {0x80, 0x88, 0x12, 0x34, 0xA1, 0xB2, 0xC3, 0xD4,
                              0x01, 0x02, 0x03, 0x04, 1,    2,    3};
    assert_memory_equal(buf, want, 15);
    media_rtp_packet back;
    assert_int_equal(media_rtp_decode(buf, 15, &back, NULL), ORBIT_OK);
    assert_true(back.marker);
    assert_int_equal(back.payload_type, 8);
    assert_int_equal(back.seq, 0x1234);
    assert_int_equal(back.timestamp, 0xA1B2C3D4);
    assert_int_equal(back.ssrc, 0x01020304);
    assert_int_equal(back.payload_len, 3);
    assert_memory_equal(back.payload, payload, 3);
    assert_int_equal(media_rtp_encode(&pkt, buf, 14), 0); /* too small */
}

static void csrcs_extension_and_padding_are_skipped(void **state)
{
    (void)state;
    /* CC=1, X=1, P=1: 12 + 4 (CSRC) + 4 + 4 (extension) + 2 payload + 2 padding. */
    uint8_t buf[28] = {0xB1, 0x00, 0,    1,    0, 0, 0, 0, 0, 0, 0,    0,    9, 9,
                       9,    9,    0xBE, 0xDE, 0, 1, 7, 7, 7, 7, 0x55, 0x66, 0, 2};
    media_rtp_packet pkt;
    assert_int_equal(media_rtp_decode(buf, sizeof buf, &pkt, NULL), ORBIT_OK);
    assert_int_equal(pkt.payload_len, 2);
    assert_int_equal(pkt.payload[0], 0x55);
    assert_int_equal(pkt.payload[1], 0x66);
}

static void malformed_datagrams_are_refused(void **state)
{
    (void)state;
    media_rtp_packet pkt;
    orbit_status st;
    uint8_t short_one[11] = {0x80};
    assert_int_equal(media_rtp_decode(short_one, sizeof short_one, &pkt, &st),
                     ORBIT_ERR_BAD_REQUEST);
    uint8_t v1[12] = {0x40};
    assert_int_equal(media_rtp_decode(v1, sizeof v1, &pkt, &st), ORBIT_ERR_BAD_REQUEST);
    uint8_t csrc[16] = {0x82}; /* two CSRCs need 20 bytes */
    assert_int_equal(media_rtp_decode(csrc, sizeof csrc, &pkt, &st), ORBIT_ERR_BAD_REQUEST);
    uint8_t ext[20] = {0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xBE, 0xDE, 0, 9};
    assert_int_equal(media_rtp_decode(ext, sizeof ext, &pkt, &st), ORBIT_ERR_BAD_REQUEST);
    uint8_t pad[14] = {0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3};
    assert_int_equal(media_rtp_decode(pad, sizeof pad, &pkt, &st), ORBIT_ERR_BAD_REQUEST);
    pad[13] = 0; /* padding of zero bytes is not a length */
    assert_int_equal(media_rtp_decode(pad, sizeof pad, &pkt, &st), ORBIT_ERR_BAD_REQUEST);
}

static void sender_is_steady_and_wraps(void **state)
{
    (void)state;
    media_rtp_sender tx;
    media_rtp_sender_init(&tx, 0x0123456789ABCDEFull);
    tx.next_seq = 0xFFFE;
    tx.next_timestamp = 0xFFFFFF00u;
    media_rtp_packet a, b, c;
    media_rtp_sender_next(&tx, 0, 160, &a);
    media_rtp_sender_next(&tx, 0, 160, &b);
    media_rtp_sender_next(&tx, 0, 160, &c);
    assert_true(a.marker); /* the first packet starts a talk spurt */
    assert_false(b.marker);
    assert_int_equal(a.seq, 0xFFFE);
    assert_int_equal(b.seq, 0xFFFF);
    assert_int_equal(c.seq, 0);
    assert_int_equal(b.timestamp, 0xFFFFFFA0u);
    assert_int_equal(c.timestamp, 0x40u);
    assert_int_equal(a.ssrc, c.ssrc);
    media_rtp_sender other;
    media_rtp_sender_init(&other, 0xFEDCBA9876543210ull);
    assert_int_not_equal(other.ssrc, tx.ssrc);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(header_bytes_are_rfc3550),
    cmocka_unit_test(csrcs_extension_and_padding_are_skipped),
    cmocka_unit_test(malformed_datagrams_are_refused),
    cmocka_unit_test(sender_is_steady_and_wraps),
};

ORBIT_TEST_MAIN(tests)
