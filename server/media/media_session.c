/* media_session: a UDP socket speaking RTP, with MOH pacing and a bridge
 * pointer. Datagrams are read non-blocking until EAGAIN so one readiness
 * event drains the queue. */
#include "media_session.h"

#include "orbit_time.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* How many late frames one tick may send before the schedule is reset:
 * a short stall is caught up, a long one is not burst at the phone. */
#define PACING_MAX_CATCH_UP 5

struct media_session {
    int fd;
    uint16_t port;
    media_codec codec;
    media_counters *counters;
    struct sockaddr_storage peer;
    socklen_t peer_len;
    bool has_peer;
    media_rtp_sender tx;
    int64_t last_tx_ms;     /* when the last packet left, for timestamp gaps */
    int64_t last_rx_ms;     /* last valid packet from the peer, or opening */
    media_moh *moh;         /* playing when non-NULL and not bridged */
    size_t moh_pos;         /* next sample of the loop */
    int64_t next_frame_ms;  /* when the next MOH frame is due */
    media_session *bridged; /* relay target, or NULL */
    media_session_rx_fn *observer;
    void *observer_arg;
};

static orbit_err bind_in_range(media_session *s, const char *bind_ip, media_port_range range,
                               uint64_t random_bits, orbit_status *st)
{
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_PASSIVE, .ai_socktype = SOCK_DGRAM};
    struct addrinfo *ai = NULL;
    if (getaddrinfo(bind_ip, NULL, &hints, &ai) != 0 || !ai)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "media_ip",
                                "'%s' is not a numeric address", bind_ip);
    unsigned first = range.min + (range.min & 1u);
    unsigned count = first > range.max ? 0 : (range.max - first) / 2 + 1;
    orbit_err err = ORBIT_OK;
    s->fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd < 0) {
        err = orbit_status_set(st, ORBIT_ERR_INTERNAL, "media", "socket: %s", strerror(errno));
    } else if (count == 0) {
        err = orbit_status_set(st, ORBIT_ERR_INVALID_RANGE, "media_ports",
                               "range %u-%u holds no even port", range.min, range.max);
    } else {
        err = orbit_status_set(st, ORBIT_ERR_LIMIT_EXCEEDED, "media_ports",
                               "every port of %u-%u is in use", range.min, range.max);
        unsigned start = (unsigned)(random_bits % count);
        for (unsigned i = 0; i < count; i++) {
            unsigned port = first + 2 * ((start + i) % count);
            struct sockaddr_storage sa;
            memcpy(&sa, ai->ai_addr, ai->ai_addrlen);
            if (ai->ai_family == AF_INET6)
                ((struct sockaddr_in6 *)&sa)->sin6_port = htons((uint16_t)port);
            else
                ((struct sockaddr_in *)&sa)->sin_port = htons((uint16_t)port);
            if (bind(s->fd, (struct sockaddr *)&sa, ai->ai_addrlen) == 0) {
                s->port = (uint16_t)port;
                orbit_status_clear(st);
                err = ORBIT_OK;
                break;
            }
            if (errno != EADDRINUSE && errno != EACCES) {
                err = orbit_status_set(st, ORBIT_ERR_INTERNAL, "media", "bind %u: %s", port,
                                       strerror(errno));
                break;
            }
        }
    }
    freeaddrinfo(ai);
    return err;
}

orbit_err media_session_open(const char *bind_ip, media_port_range range, uint64_t random_bits,
                             media_counters *counters, media_session **out, orbit_status *st)
{
    *out = NULL;
    media_session *s = calloc(1, sizeof *s);
    if (!s)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "media", "out of memory");
    s->fd = -1;
    s->codec = MEDIA_CODEC_PCMU;
    s->counters = counters;
    s->last_rx_ms = orbit_time_mono_ms();
    media_rtp_sender_init(&s->tx, random_bits * 0x9E3779B97F4A7C15ull);
    orbit_err err = bind_in_range(s, bind_ip, range, random_bits, st);
    if (err) {
        if (s->fd >= 0)
            close(s->fd);
        free(s);
        return err;
    }
    atomic_fetch_add(&counters->open, 1);
    *out = s;
    return ORBIT_OK;
}

void media_session_close(media_session *s)
{
    if (!s)
        return;
    media_session_unbridge(s);
    media_moh_unref(s->moh);
    close(s->fd);
    atomic_fetch_sub(&s->counters->open, 1);
    free(s);
}

int media_session_fd(const media_session *s)
{
    return s->fd;
}

uint16_t media_session_port(const media_session *s)
{
    return s->port;
}

media_codec media_session_codec(const media_session *s)
{
    return s->codec;
}

orbit_err media_session_set_peer(media_session *s, const char *ip, uint16_t port, orbit_status *st)
{
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST, .ai_socktype = SOCK_DGRAM};
    struct addrinfo *ai = NULL;
    if (getaddrinfo(ip, NULL, &hints, &ai) != 0 || !ai)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "sdp", "'%s' is not a numeric address",
                                ip);
    memcpy(&s->peer, ai->ai_addr, ai->ai_addrlen);
    s->peer_len = ai->ai_addrlen;
    if (ai->ai_family == AF_INET6)
        ((struct sockaddr_in6 *)&s->peer)->sin6_port = htons(port);
    else
        ((struct sockaddr_in *)&s->peer)->sin_port = htons(port);
    freeaddrinfo(ai);
    s->has_peer = true;
    return ORBIT_OK;
}

void media_session_set_codec(media_session *s, media_codec codec)
{
    s->codec = codec;
}

void media_session_set_observer(media_session *s, media_session_rx_fn *fn, void *arg)
{
    s->observer = fn;
    s->observer_arg = arg;
}

void media_session_play(media_session *s, media_moh *moh, int64_t now_ms)
{
    media_moh *old = s->moh;
    s->moh = media_moh_ref(moh);
    media_moh_unref(old);
    s->moh_pos = 0;
    s->next_frame_ms = now_ms;
}

bool media_session_playing(const media_session *s)
{
    return s->moh && !s->bridged;
}

void media_session_send(media_session *s, const uint8_t *codes, size_t n, int64_t now_ms)
{
    if (!s->has_peer)
        return;
    /* A pause (hold, a bridge being set up) still moves the RTP clock
     * (RFC 3550 5.1): jump the timestamp and mark the new talk spurt. */
    if (s->tx.sent_any && now_ms - s->last_tx_ms > 2 * MEDIA_RTP_FRAME_MS) {
        int64_t gap = now_ms - s->last_tx_ms - MEDIA_RTP_FRAME_MS;
        s->tx.next_timestamp += (uint32_t)(gap * (MEDIA_SAMPLE_RATE / 1000));
        s->tx.mark_next = true;
    }
    uint8_t buf[MEDIA_RTP_MAX_PACKET];
    media_rtp_packet pkt;
    media_rtp_sender_next(&s->tx, (uint8_t)s->codec, (uint32_t)n, &pkt);
    pkt.payload = codes;
    pkt.payload_len = n;
    size_t len = media_rtp_encode(&pkt, buf, sizeof buf);
    s->last_tx_ms = now_ms;
    if (len == 0 ||
        sendto(s->fd, buf, len, 0, (const struct sockaddr *)&s->peer, s->peer_len) < 0) {
        atomic_fetch_add(&s->counters->tx_errors, 1);
        return;
    }
    atomic_fetch_add(&s->counters->packets_out, 1);
}

static void send_moh_frame(media_session *s, int64_t now_ms)
{
    size_t total = media_moh_samples(s->moh);
    const uint8_t *codes = media_moh_codes(s->moh, s->codec);
    uint8_t frame[MEDIA_RTP_FRAME_SAMPLES];
    for (size_t i = 0; i < MEDIA_RTP_FRAME_SAMPLES; i++) {
        frame[i] = codes[s->moh_pos];
        s->moh_pos = (s->moh_pos + 1) % total;
    }
    media_session_send(s, frame, sizeof frame, now_ms);
}

void media_session_tick(media_session *s, int64_t now_ms)
{
    if (!media_session_playing(s) || !s->has_peer)
        return;
    if (now_ms - s->next_frame_ms > PACING_MAX_CATCH_UP * MEDIA_RTP_FRAME_MS)
        s->next_frame_ms = now_ms; /* a long stall: restart the schedule */
    while (s->next_frame_ms <= now_ms) {
        /* Each frame carries the time it was due, so the timestamp stays
         * 160 per packet even when a late tick sends two at once. */
        send_moh_frame(s, s->next_frame_ms);
        s->next_frame_ms += MEDIA_RTP_FRAME_MS;
    }
}

static bool from_peer(const media_session *s, const struct sockaddr_storage *from)
{
    if (!s->has_peer || from->ss_family != s->peer.ss_family)
        return false;
    if (from->ss_family == AF_INET6)
        return memcmp(&((const struct sockaddr_in6 *)from)->sin6_addr,
                      &((const struct sockaddr_in6 *)&s->peer)->sin6_addr,
                      sizeof(struct in6_addr)) == 0;
    return ((const struct sockaddr_in *)from)->sin_addr.s_addr ==
           ((const struct sockaddr_in *)&s->peer)->sin_addr.s_addr;
}

static void relay(media_session *to, const media_session *from, const media_rtp_packet *pkt,
                  int64_t now_ms)
{
    uint8_t codes[MEDIA_RTP_MAX_PACKET];
    media_g711_transcode(from->codec, to->codec, pkt->payload, pkt->payload_len, codes);
    media_session_send(to, codes, pkt->payload_len, now_ms);
}

void media_session_on_readable(media_session *s, int64_t now_ms)
{
    for (;;) {
        uint8_t buf[MEDIA_RTP_MAX_PACKET + 1];
        struct sockaddr_storage from;
        socklen_t from_len = sizeof from;
        ssize_t got = recvfrom(s->fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &from_len);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return; /* EAGAIN: drained; anything else: nothing to read */
        }
        if (!from_peer(s, &from)) {
            atomic_fetch_add(&s->counters->rx_foreign, 1);
            continue;
        }
        media_rtp_packet pkt;
        if ((size_t)got > MEDIA_RTP_MAX_PACKET ||
            media_rtp_decode(buf, (size_t)got, &pkt, NULL) != ORBIT_OK) {
            atomic_fetch_add(&s->counters->rx_malformed, 1);
            continue;
        }
        s->last_rx_ms = now_ms;
        if (pkt.payload_type != (uint8_t)s->codec) {
            /* Comfort noise, DTMF events, a codec we did not offer: keep the
             * session alive but do not play it to the other side. */
            atomic_fetch_add(&s->counters->rx_malformed, 1);
            continue;
        }
        /* Symmetric RTP: answer to the port the phone really sends from
         * (a NAT may have changed it), the address being the same. */
        memcpy(&s->peer, &from, from_len);
        s->peer_len = from_len;
        atomic_fetch_add(&s->counters->packets_in, 1);
        if (s->observer)
            s->observer(s->observer_arg, s, &pkt);
        if (s->bridged)
            relay(s->bridged, s, &pkt, now_ms);
    }
}

bool media_session_silent_for(const media_session *s, int64_t now_ms, int64_t timeout_ms)
{
    return now_ms - s->last_rx_ms >= timeout_ms;
}

void media_session_count_timeout(media_session *s)
{
    atomic_fetch_add(&s->counters->timeouts, 1);
}

void media_session_bridge(media_session *a, media_session *b)
{
    media_session_unbridge(a);
    media_session_unbridge(b);
    a->bridged = b;
    b->bridged = a;
    a->tx.mark_next = true;
    b->tx.mark_next = true;
}

void media_session_unbridge(media_session *s)
{
    if (s->bridged) {
        s->bridged->bridged = NULL;
        s->bridged = NULL;
    }
}

media_session *media_session_bridged_to(const media_session *s)
{
    return s->bridged;
}
