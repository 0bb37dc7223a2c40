/* sip_edge_internal: the edge's state, shared by its files (edge,
 * registrar, calls, SDP). Everything here lives on the SIP thread except
 * the atomic counters. Not for use outside server/sip. */
#ifndef SIP_EDGE_INTERNAL_H
#define SIP_EDGE_INTERNAL_H

#include "sip_libre.h"

#include "media_session.h"
#include "orbit_rng.h"
#include "sip_digest.h"
#include "sip_edge.h"
#include "sip_inbox.h"
#include "sip_sdp.h"

#include <pthread.h>
#include <stdatomic.h>

#define SIP_CALL_ID_MAX 256
#define SIP_NUMBER_MAX  16

/* The ops the edge submits, to route their completions. */
typedef enum {
    SIP_OP_PARK,
    SIP_OP_RETRIEVE,
    SIP_OP_RINGBACK_ANSWER,
    SIP_OP_HANGUP,
    SIP_OP_PICKUP_RING,
    SIP_OP_PICKUP_TAKE,
    SIP_OP_PICKUP_ANSWER,
    SIP_OP_PICKUP_CANCEL,
} sip_op;

typedef enum {
    LEG_PARKED,    /* in: the parked caller (INVITE sip:park@POOL) */
    LEG_RETRIEVER, /* in: INVITE sip:ORBIT@POOL */
    LEG_RINGBACK,  /* out: INVITE to the parker's contact */
    LEG_FORWARD,   /* out: INVITE to on_timeout_uri when REFER was refused */
    LEG_CALLER,    /* in: INVITE sip:USER@POOL (a call that may be picked up) */
    LEG_FORK,      /* out: INVITE to one of the callee's contacts */
    LEG_PICKER,    /* in: INVITE sip:GROUP@POOL */
} sip_leg_role;

typedef enum {
    LEG_WAITING, /* an op is pending; the INVITE is not answered yet */
    LEG_EARLY,   /* ringing (in or out) */
    LEG_UP,      /* 200 sent or received */
} sip_leg_state;

typedef struct sip_leg {
    struct le le; /* in edge->legs */
    uint64_t id;
    struct sip_edge *edge;
    sip_leg_role role;
    sip_leg_state state;
    struct sipsess *sess;
    const struct sip_msg *invite; /* incoming INVITE awaiting an answer (mem_ref) */
    sip_sdp_stream stream;        /* SDP and RTP of this leg */
    bool media_listening;
    char call_id[SIP_CALL_ID_MAX]; /* the orbit.v1 call this leg belongs to */
    char orbit[SIP_NUMBER_MAX];
    char party[SIP_URI_MAX];  /* parker (park legs), caller, picker, callee */
    char remote[SIP_URI_MAX]; /* who is at the other end of this leg (AOR) */
    char addr[64];            /* where that phone is ("ip:port"), for the pool's records */
    uint64_t transferor;      /* the leg whose REFER to park@ parks this one */
    uint64_t peer;            /* bridged (or to-be-bridged) leg id, 0: none */
    bool in_queue;            /* a caller the pool has queued for pickup */
    bool parked;              /* a parked leg the pool holds in an orbit */
    bool moh;                 /* music on hold while parked */
    bool ended;
    struct sip_request *refer; /* REFER (to on_timeout_uri) or NOTIFY in flight */
    bool transfer_done;        /* hang up once the NOTIFY is answered */
    struct mbuf *answer;       /* SDP answer kept until the op allows it */
    bool bridged;              /* media relayed with peer: ending one ends both */
    char forward_uri[SIP_URI_MAX];
} sip_leg;

typedef struct sip_binding {
    struct le le;
    char aor[SIP_URI_MAX];     /* the user's URI key */
    char contact[SIP_URI_MAX]; /* where to send INVITE and MESSAGE */
    int64_t expires_ms;        /* mono clock */
} sip_binding;

/* Per-source rate window for new requests. */
typedef struct sip_source {
    struct le le;
    struct sa addr;
    int64_t window_ms;
    unsigned count;
} sip_source;

typedef struct {
    atomic_uint_fast64_t directories;
    atomic_uint_fast64_t registrations, register_ok, register_moved, register_unknown;
    atomic_uint_fast64_t auth_challenges, auth_failures;
    atomic_uint_fast64_t dialogs_early, dialogs_confirmed, dialogs_total;
    atomic_uint_fast64_t parks, retrieves, ringbacks, forwards, pickups, refused;
    atomic_uint_fast64_t malformed, flood_dropped, foreign_register, port_errors;
} sip_edge_atomic_counters;

struct sip_edge {
    sip_edge_config cfg;
    char bind_ip[64], media_ip[64];
    sip_port port;
    const orbit_log *log;
    pthread_t thread;
    bool thread_started;
    int ready_pipe[2]; /* the thread reports its start-up result */
    orbit_status start_status;
    uint16_t bound_port;
    struct mqueue *stopq; /* sip_edge_stop wakes the loop through it */

    /* SIP thread only */
    struct sip *sip;
    struct sipsess_sock *sess_sock;
    struct sip_lsnr *guard_lsnr, *request_lsnr;
    struct dnsc *dnsc;
    struct tmr media_tmr, house_tmr;
    sip_inbox *inbox;
    sip_directory *dir;
    struct list legs;
    struct list bindings;
    struct list sources;
    struct list messages; /* MESSAGE requests in flight */
    uint64_t next_leg_id;
    orbit_rng rng;
    sip_digest_keys keys;
    char local_uri_host[96]; /* "127.0.0.1:5160": our host:port in URIs */

    media_counters media;
    sip_edge_atomic_counters ctr;
};

/* Registrar (sip_registrar.c). */
void sip_registrar_handle(struct sip_edge *edge, const struct sip_msg *msg);
/* The newest unexpired contact of a user, or NULL. */
const char *sip_registrar_contact(struct sip_edge *edge, const char *aor);
/* Every unexpired contact of a user, newest first, up to max. */
size_t sip_registrar_contacts(struct sip_edge *edge, const char *aor, const char **out, size_t max);
void sip_registrar_expire(struct sip_edge *edge, int64_t now_ms);
void sip_registrar_clear(struct sip_edge *edge);

/* Authentication (sip_edge.c): true when msg may proceed; otherwise it
 * was answered (401/403) and counted. */
bool sip_edge_authorised(struct sip_edge *edge, const struct sip_msg *msg, const char *aor);

/* A Warning header line (RFC 3261 20.43, code 399, this pool as the
 * agent) saying why, quotes and line breaks in why made harmless. */
#define SIP_WARNING_MAX 512
void sip_edge_warning(const struct sip_edge *edge, const char *why, char *out, size_t cap);
/* Replies with a Warning header naming why ("resiliency_mode: ..."). */
void sip_edge_refuse(struct sip_edge *edge, const struct sip_msg *msg, uint16_t scode,
                     const char *reason, const char *why);
/* "sip:user@host" of an address header, lower-cased host; false if none. */
bool sip_edge_addr_uri(const struct uri *uri, char *out, size_t cap);
/* Submits an op for a leg (0: nobody waits for the answer) on behalf of
 * the phone at addr (NULL: none); false (and counted) when it could not
 * be. args is stolen. */
bool sip_edge_submit(struct sip_edge *edge, uint64_t leg_id, const char *addr, sip_op op,
                     json_t *args);
/* The orbit.v1 call_id of a SIP Call-ID: the Call-ID itself when orbit.v1
 * can carry it (64 characters of letters, digits and ._:@+-), else "sip-"
 * and 40 hex digits of its SHA-256, so every phone's calls can be parked.
 * out holds at least SIP_CALL_ID_MAX. */
void sip_edge_call_id(const struct pl *sip_call_id, char *out, size_t cap);
void sip_edge_send_message(struct sip_edge *edge, const char *contact, const char *to_uri,
                           const char *text);

/* Legs (sip_legs.c). Every pointer is borrowed; a leg lives until
 * sip_leg_end (which frees it) or the edge stops. */
sip_leg *sip_leg_new(struct sip_edge *edge, sip_leg_role role, const char *call_id);
sip_leg *sip_leg_find(struct sip_edge *edge, uint64_t id);
/* The live leg of a call in a role, or NULL. */
sip_leg *sip_leg_find_call(struct sip_edge *edge, const char *call_id, sip_leg_role role);
orbit_err sip_leg_open_stream(sip_leg *leg, orbit_status *st);
/* Watches the RTP socket once the far end's address is known. */
void sip_leg_media_start(sip_leg *leg);
/* Relays a's RTP to b and back; music on hold stops on both. */
void sip_leg_bridge(sip_leg *a, sip_leg *b);
/* Ends a leg: an unanswered incoming INVITE is refused with scode (and
 * a Warning when why is given), an outgoing one cancelled, an
 * established one hung up; a bridged peer goes down with it. Frees it. */
void sip_leg_end(sip_leg *leg, uint16_t scode, const char *reason, const char *why);
/* Ends an incoming leg not yet answered with a redirect (301/302) to
 * contact, as sip_leg_end does otherwise. */
void sip_leg_redirect(sip_leg *leg, uint16_t scode, const char *contact);
/* Whether a caller still rings at least one of the callee's phones. */
bool sip_leg_has_forks(struct sip_edge *edge, const sip_leg *caller);
/* Ends the forks ringing for a caller, but the one named except. */
void sip_leg_end_forks(struct sip_edge *edge, const sip_leg *caller, uint64_t except);
/* Accepts an incoming INVITE provisionally (scode 101..199), keeping it
 * for the final answer. */
bool sip_leg_accept(sip_leg *leg, const struct sip_msg *msg, uint16_t scode, const char *reason);
/* Answers the kept INVITE 200 with the SDP answer prepared. */
bool sip_leg_answer_200(sip_leg *leg);
/* Sends an INVITE with our offer. */
bool sip_leg_connect(sip_leg *leg, const char *target, const char *from_name, const char *from_uri);
void sip_legs_count(struct sip_edge *edge);
void sip_legs_tick_media(struct sip_edge *edge, int64_t now_ms);
void sip_legs_check_timeouts(struct sip_edge *edge, int64_t now_ms);
void sip_legs_end_all(struct sip_edge *edge);

/* Calls (sip_calls.c): what legs are for. */
void sip_calls_on_invite(struct sip_edge *edge, const struct sip_msg *msg);
void sip_calls_on_completion(struct sip_edge *edge, uint64_t leg_id, int op, const char *call_id,
                             json_t *result);
void sip_calls_on_event(struct sip_edge *edge, const char *kind, json_t *data);
/* libre's session handlers for every leg (arg: the leg). */
void sip_calls_leg_closed(int err, const struct sip_msg *msg, void *arg);
void sip_calls_leg_established(const struct sip_msg *msg, void *arg);
void sip_calls_leg_refer(struct sip *sip, const struct sip_msg *msg, void *arg);

#endif
