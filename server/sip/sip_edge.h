/* sip_edge: a pool's SIP Call Park and Group Call Pickup service. It
 * listens for SIP on UDP and TCP, keeps registrations, answers park,
 * retrieve and pickup INVITEs, plays music on hold and bridges RTP, and
 * runs every op through its sip_port. It runs libre's loop in a thread of
 * its own (start/stop from the owning thread). */
#ifndef SIP_EDGE_H
#define SIP_EDGE_H

#include "media_session.h"
#include "orbit_error.h"
#include "orbit_log.h"
#include "sip_port.h"

#include <stdbool.h>
#include <stdint.h>

/* Which digest challenges a 401 carries, in order of preference
 * (RFC 7616 3.7). Many deployed phones (and sipp) read only the first
 * challenge and know only MD5: such sites put MD5 first or alone. */
typedef enum {
    SIP_DIGEST_OFFER_SHA256_MD5 = 0,
    SIP_DIGEST_OFFER_MD5_SHA256,
    SIP_DIGEST_OFFER_MD5,
    SIP_DIGEST_OFFER_SHA256,
} sip_digest_offer;

/* Parses "sha256,md5", "md5,sha256", "md5" or "sha256". */
bool sip_digest_offer_from_name(const char *name, sip_digest_offer *out);

typedef struct {
    const char *bind_ip;  /* numeric address for SIP (UDP and TCP) */
    uint16_t sip_port;    /* 0: let the kernel choose (tests) */
    const char *media_ip; /* numeric address for RTP; NULL: bind_ip */
    media_port_range media_ports;
    bool digest;                   /* sip_auth = digest */
    sip_digest_offer digest_offer; /* challenges and their order */
    int64_t media_timeout_ms;      /* silence that ends a call; 0: never */
    unsigned max_dialogs;          /* legs at once; more INVITEs get 503 */
    unsigned max_new_per_second;   /* new INVITE/REGISTER per source address */
    unsigned max_message_bytes;    /* larger requests get 513 */
    unsigned max_register_expires; /* s; longer asks are cut to this */
} sip_edge_config;

/* Fills the defaults: media 40000-40999, media_timeout 60 s, 1000
 * dialogs, 50 new requests/s per source, 8000-byte messages, 3600 s. */
void sip_edge_config_defaults(sip_edge_config *cfg);

/* Counters for /metrics and the console, readable from any thread. */
typedef struct {
    uint64_t directories;   /* directory snapshots taken: 0 = not serving yet */
    uint64_t registrations; /* bindings now */
    uint64_t register_ok, register_moved, register_unknown, auth_challenges, auth_failures;
    uint64_t dialogs_early, dialogs_confirmed; /* legs now, by state */
    uint64_t dialogs_total;                    /* legs ever */
    uint64_t parks, retrieves, ringbacks, forwards, pickups;
    uint64_t refused;          /* INVITEs refused by the pool (480/503/404/302...) */
    uint64_t malformed;        /* requests answered 400 or 513 */
    uint64_t flood_dropped;    /* requests dropped or 503'd by the rate limits */
    uint64_t foreign_register; /* REGISTER for users of other pools */
    uint64_t rtp_in, rtp_out, rtp_errors, rtp_foreign, media_timeouts;
    uint64_t port_errors; /* ops the pool answered with an error or not at all */
} sip_edge_counters;

typedef struct sip_edge sip_edge;

/* Starts the edge: binds the SIP transports, starts the thread, attaches
 * the port. port's table and context are borrowed and must outlive the
 * edge; log likewise. */
orbit_err sip_edge_start(const sip_edge_config *cfg, sip_port port, const orbit_log *log,
                         sip_edge **out, orbit_status *st);

/* Detaches the port, ends every call (BYE/CANCEL), stops the thread and
 * frees. NULL is ignored. */
void sip_edge_stop(sip_edge *edge);

/* The SIP port actually bound (useful with sip_port = 0). */
uint16_t sip_edge_port(const sip_edge *edge);

/* A copy of the counters, from any thread. */
void sip_edge_read_counters(const sip_edge *edge, sip_edge_counters *out);

#endif
