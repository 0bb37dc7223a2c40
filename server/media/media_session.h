/* media_session: one RTP stream on a UDP port taken from the pool's media
 * range: it plays music on hold paced at 20 ms, relays what it receives
 * to the session it is bridged with, and notices when the far end has
 * gone quiet. It owns no loop: whoever runs it (the SIP edge on libre's
 * loop, the unit tests on poll) watches media_session_fd() for input and
 * calls media_session_tick() at least every 20 ms. Single-threaded: a
 * session is used by one thread only; only its counters are shared. */
#ifndef MEDIA_SESSION_H
#define MEDIA_SESSION_H

#include "media_g711.h"
#include "media_moh.h"
#include "media_rtp.h"
#include "orbit_error.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* Inclusive UDP port range for RTP; only even ports are used (RFC 3550
 * 11: RTP on even ports, the next odd one left for RTCP). */
typedef struct {
    uint16_t min;
    uint16_t max;
} media_port_range;

/* Counters shared by all sessions of one edge, read by /metrics from
 * another thread; hence atomics. Owned by the edge. */
typedef struct {
    atomic_uint_fast64_t packets_in;   /* valid RTP from the expected peer */
    atomic_uint_fast64_t packets_out;  /* RTP sent (MOH and relayed) */
    atomic_uint_fast64_t rx_malformed; /* not RTP, oversized, unknown payload type */
    atomic_uint_fast64_t rx_foreign;   /* RTP from an address that is not the peer's */
    atomic_uint_fast64_t tx_errors;    /* sendto failures */
    atomic_uint_fast64_t timeouts;     /* sessions torn down for silence */
    atomic_int_fast64_t open;          /* sessions open now */
} media_counters;

typedef struct media_session media_session;

/* Observer of every valid packet received (tests, recorders); pkt and its
 * payload are borrowed for the call. */
typedef void media_session_rx_fn(void *arg, media_session *s, const media_rtp_packet *pkt);

/* Binds a UDP socket on bind_ip (numeric IPv4 or IPv6) at an even port of
 * range, starting from a random one; not_found-free: a full range is
 * ORBIT_ERR_LIMIT_EXCEEDED. counters is borrowed and must outlive the
 * session. The session starts with PCMU and no peer. */
orbit_err media_session_open(const char *bind_ip, media_port_range range, uint64_t random_bits,
                             media_counters *counters, media_session **out, orbit_status *st);

/* Unbridges, stops playing, closes the socket, frees. NULL is ignored. */
void media_session_close(media_session *s);

int media_session_fd(const media_session *s);
uint16_t media_session_port(const media_session *s);
media_codec media_session_codec(const media_session *s);

/* Where to send, from the SDP of the other side (numeric address). */
orbit_err media_session_set_peer(media_session *s, const char *ip, uint16_t port, orbit_status *st);
void media_session_set_codec(media_session *s, media_codec codec);
void media_session_set_observer(media_session *s, media_session_rx_fn *fn, void *arg);

/* Plays moh in a loop from its start (takes a new reference); NULL stops.
 * Playing stops while the session is bridged. */
void media_session_play(media_session *s, media_moh *moh, int64_t now_ms);
bool media_session_playing(const media_session *s);

/* Sends the music-on-hold frames that are due at now_ms: one per 20 ms,
 * at most a few to catch up after a late tick (then the schedule is
 * reset rather than bursting). */
void media_session_tick(media_session *s, int64_t now_ms);

/* Reads every datagram waiting on the socket: counts, drops what is not
 * RTP from the peer, relays the rest to the bridged session. */
void media_session_on_readable(media_session *s, int64_t now_ms);

/* Times are orbit_time_mono_ms() values. True when nothing valid arrived
 * for timeout_ms (counting from the session's opening); the owner then tears the call down and
 * calls media_session_count_timeout. */
bool media_session_silent_for(const media_session *s, int64_t now_ms, int64_t timeout_ms);
void media_session_count_timeout(media_session *s);

/* Sends one payload (codes in the session's codec) now: for tests and
 * for tones the owner makes. */
void media_session_send(media_session *s, const uint8_t *codes, size_t n, int64_t now_ms);

/* Relays a's input to b and b's input to a (transcoding between laws).
 * Either may be bridged already: its old bridge is undone first. */
void media_session_bridge(media_session *a, media_session *b);
void media_session_unbridge(media_session *s);
media_session *media_session_bridged_to(const media_session *s);

#endif
