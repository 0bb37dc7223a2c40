/* RTP sessions on loopback: ports come from the configured range, music
 * on hold leaves at one 20 ms frame per tick with steady sequence and
 * timestamp and the file's codes as payload, a bridge relays both ways
 * (transcoding between laws), foreign and malformed datagrams are dropped
 * and counted, and silence is noticed. */
#include "test_main.h"

#include "media_session.h"
#include "orbit_time.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

static const media_port_range RANGE = {42000, 42999};

typedef struct {
    media_rtp_packet pkts[64];
    uint8_t payloads[64][MEDIA_RTP_FRAME_SAMPLES];
    size_t n;
} capture;

static void capture_packet(void *arg, media_session *s, const media_rtp_packet *pkt)
{
    (void)s;
    capture *c = arg;
    if (c->n < 64) {
        c->pkts[c->n] = *pkt;
        size_t len =
            pkt->payload_len < MEDIA_RTP_FRAME_SAMPLES ? pkt->payload_len : MEDIA_RTP_FRAME_SAMPLES;
        memcpy(c->payloads[c->n], pkt->payload, len);
        c->pkts[c->n].payload = c->payloads[c->n];
        c->n++;
    }
}

static media_session *open_session(media_counters *ctr, uint64_t seed)
{
    media_session *s = NULL;
    orbit_status st;
    if (media_session_open("127.0.0.1", RANGE, seed, ctr, &s, &st) != ORBIT_OK)
        fail_msg("open: %s", st.message);
    return s;
}

static void pair(media_session *a, media_session *b)
{
    assert_int_equal(media_session_set_peer(a, "127.0.0.1", media_session_port(b), NULL), ORBIT_OK);
    assert_int_equal(media_session_set_peer(b, "127.0.0.1", media_session_port(a), NULL), ORBIT_OK);
}

/* Reads s until `want` packets were observed or a second passed. */
static void drain(media_session *s, const capture *c, size_t want)
{
    int64_t until = orbit_time_mono_ms() + 1000;
    while (c->n < want && orbit_time_mono_ms() < until) {
        struct pollfd p = {.fd = media_session_fd(s), .events = POLLIN};
        if (poll(&p, 1, 50) > 0)
            media_session_on_readable(s, orbit_time_mono_ms());
    }
}

/* Waits up to a second for s to be readable, then reads it once (a pool
 * leg with no observer, whose reading relays to its bridge). */
static void pump(media_session *s)
{
    struct pollfd p = {.fd = media_session_fd(s), .events = POLLIN};
    assert_int_equal(poll(&p, 1, 1000), 1);
    media_session_on_readable(s, orbit_time_mono_ms());
}

static void ports_are_even_and_in_range(void **state)
{
    (void)state;
    media_counters ctr = {0};
    media_session *s[4];
    for (int i = 0; i < 4; i++) {
        s[i] = open_session(&ctr, (uint64_t)i * 7919);
        uint16_t port = media_session_port(s[i]);
        assert_true(port >= RANGE.min && port <= RANGE.max);
        assert_int_equal(port % 2, 0);
    }
    assert_int_equal(atomic_load(&ctr.open), 4);
    for (int i = 0; i < 4; i++)
        media_session_close(s[i]);
    assert_int_equal(atomic_load(&ctr.open), 0);
}

static void full_range_is_refused(void **state)
{
    (void)state;
    media_counters ctr = {0};
    media_port_range one = {43001, 43002}; /* a single even port */
    media_session *a = NULL, *b = NULL;
    orbit_status st;
    assert_int_equal(media_session_open("127.0.0.1", one, 1, &ctr, &a, &st), ORBIT_OK);
    assert_int_equal(media_session_port(a), 43002);
    assert_int_equal(media_session_open("127.0.0.1", one, 2, &ctr, &b, &st),
                     ORBIT_ERR_LIMIT_EXCEEDED);
    assert_null(b);
    media_port_range none = {43003, 43003};
    assert_int_equal(media_session_open("127.0.0.1", none, 2, &ctr, &b, &st),
                     ORBIT_ERR_INVALID_RANGE);
    media_session_close(a);
}

static void moh_is_paced_steady_and_is_the_file(void **state)
{
    (void)state;
    media_counters ctr = {0};
    int16_t pcm[400];
    for (int i = 0; i < 400; i++)
        pcm[i] = (int16_t)(i * 80 - 16000);
    media_moh *moh = NULL;
    assert_int_equal(media_moh_from_pcm(pcm, 400, &moh, NULL), ORBIT_OK);
    media_session *pool = open_session(&ctr, 11), *phone = open_session(&ctr, 12);
    pair(pool, phone);
    media_session_set_codec(pool, MEDIA_CODEC_PCMA);
    media_session_set_codec(phone, MEDIA_CODEC_PCMA);
    capture got = {0};
    media_session_set_observer(phone, capture_packet, &got);
    int64_t t0 = 1000000;
    media_session_play(pool, moh, t0);
    media_moh_unref(moh);              /* the session holds its own reference */
    media_session_tick(pool, t0);      /* frame 0 */
    media_session_tick(pool, t0 + 10); /* nothing due */
    media_session_tick(pool, t0 + 45); /* frames 1 and 2, late tick */
    media_session_tick(pool, t0 + 60); /* frame 3 */
    drain(phone, &got, 4);
    assert_int_equal(got.n, 4);
    const uint8_t *codes = media_moh_codes(moh, MEDIA_CODEC_PCMA);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(got.pkts[i].payload_type, 8);
        assert_int_equal(got.pkts[i].payload_len, 160);
        assert_int_equal((uint16_t)(got.pkts[i].seq - got.pkts[0].seq), i);
        assert_int_equal(got.pkts[i].timestamp - got.pkts[0].timestamp, 160 * i);
        assert_int_equal(got.pkts[i].ssrc, got.pkts[0].ssrc);
        /* The file loops: 400 samples, frames of 160. */
        for (size_t k = 0; k < 160; k++)
            assert_int_equal(got.payloads[i][k], codes[(160 * i + k) % 400]);
    }
    assert_true(got.pkts[0].marker);
    assert_int_equal(atomic_load(&ctr.packets_out), 4);
    assert_int_equal(atomic_load(&ctr.packets_in), 4);
    /* A long stall is not burst: at most one frame after it. */
    media_session_tick(pool, t0 + 5000);
    drain(phone, &got, 5);
    assert_int_equal(got.n, 5);
    assert_int_equal(atomic_load(&ctr.packets_out), 5);
    media_session_close(pool);
    media_session_close(phone);
}

static void bridge_relays_both_ways_and_transcodes(void **state)
{
    (void)state;
    media_counters ctr = {0};
    media_session *caller = open_session(&ctr, 21), *leg_a = open_session(&ctr, 22);
    media_session *retriever = open_session(&ctr, 23), *leg_b = open_session(&ctr, 24);
    pair(caller, leg_a);
    pair(retriever, leg_b);
    media_session_set_codec(retriever, MEDIA_CODEC_PCMA);
    media_session_set_codec(leg_b, MEDIA_CODEC_PCMA);
    media_session_bridge(leg_a, leg_b);
    assert_ptr_equal(media_session_bridged_to(leg_b), leg_a);
    capture at_retriever = {0}, at_caller = {0};
    media_session_set_observer(retriever, capture_packet, &at_retriever);
    media_session_set_observer(caller, capture_packet, &at_caller);

    uint8_t ulaw[160], alaw[160];
    for (int i = 0; i < 160; i++)
        ulaw[i] = (uint8_t)i;
    media_g711_transcode(MEDIA_CODEC_PCMU, MEDIA_CODEC_PCMA, ulaw, 160, alaw);
    media_session_send(caller, ulaw, 160, orbit_time_mono_ms());
    pump(leg_a);
    drain(retriever, &at_retriever, 1);
    assert_int_equal(at_retriever.n, 1);
    assert_memory_equal(at_retriever.payloads[0], alaw, 160);

    media_session_send(retriever, alaw, 160, orbit_time_mono_ms());
    pump(leg_b);
    drain(caller, &at_caller, 1);
    assert_int_equal(at_caller.n, 1);
    uint8_t back[160];
    media_g711_transcode(MEDIA_CODEC_PCMA, MEDIA_CODEC_PCMU, alaw, 160, back);
    assert_memory_equal(at_caller.payloads[0], back, 160);

    media_session_close(leg_b); /* closing one side undoes the bridge */
    assert_null(media_session_bridged_to(leg_a));
    media_session_close(caller);
    media_session_close(leg_a);
    media_session_close(retriever);
}

static void foreign_and_malformed_datagrams_are_counted(void **state)
{
    (void)state;
    media_counters ctr = {0};
    media_session *s = open_session(&ctr, 31);
    /* The peer is 127.0.0.2: packets from 127.0.0.1 are foreign. */
    assert_int_equal(media_session_set_peer(s, "127.0.0.2", 9, NULL), ORBIT_OK);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(media_session_port(s))};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    uint8_t rtp[172] = {0x80, 0};
    assert_int_equal(sendto(fd, rtp, sizeof rtp, 0, (struct sockaddr *)&to, sizeof to), 172);
    usleep(20000);
    media_session_on_readable(s, orbit_time_mono_ms());
    assert_int_equal(atomic_load(&ctr.rx_foreign), 1);
    assert_int_equal(atomic_load(&ctr.packets_in), 0);

    assert_int_equal(media_session_set_peer(s, "127.0.0.1", 9, NULL), ORBIT_OK);
    uint8_t junk[5] = {1, 2, 3, 4, 5};
    assert_int_equal(sendto(fd, junk, sizeof junk, 0, (struct sockaddr *)&to, sizeof to), 5);
    rtp[1] = 18; /* G.729: not offered */
    assert_int_equal(sendto(fd, rtp, sizeof rtp, 0, (struct sockaddr *)&to, sizeof to), 172);
    usleep(20000);
    media_session_on_readable(s, orbit_time_mono_ms());
    assert_int_equal(atomic_load(&ctr.rx_malformed), 2);
    assert_int_equal(atomic_load(&ctr.packets_in), 0);
    close(fd);
    media_session_close(s);
}

static void silence_is_noticed(void **state)
{
    (void)state;
    media_counters ctr = {0};
    media_session *a = open_session(&ctr, 41), *b = open_session(&ctr, 42);
    pair(a, b);
    int64_t now = orbit_time_mono_ms();
    assert_false(media_session_silent_for(a, now, 5000));
    assert_true(media_session_silent_for(a, now + 5000, 5000));
    uint8_t frame[160] = {0};
    media_session_send(b, frame, 160, now);
    capture c = {0};
    media_session_set_observer(a, capture_packet, &c);
    drain(a, &c, 1);
    assert_false(media_session_silent_for(a, orbit_time_mono_ms() + 4000, 5000));
    media_session_count_timeout(a);
    assert_int_equal(atomic_load(&ctr.timeouts), 1);
    media_session_close(a);
    media_session_close(b);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(ports_are_even_and_in_range),
    cmocka_unit_test(full_range_is_refused),
    cmocka_unit_test(moh_is_paced_steady_and_is_the_file),
    cmocka_unit_test(bridge_relays_both_ways_and_transcodes),
    cmocka_unit_test(foreign_and_malformed_datagrams_are_counted),
    cmocka_unit_test(silence_is_noticed),
};

ORBIT_TEST_MAIN(tests)
