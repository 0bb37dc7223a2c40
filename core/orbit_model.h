/* orbit_model: the entities of a pool's state as the protocol names them
 * (protocol.md, "State"), shared by the service, the client mirrors and
 * the console. Fixed-size fields: every bound is a validation rule. */
#ifndef ORBIT_MODEL_H
#define ORBIT_MODEL_H

#include "dr_policy.h"
#include "orbit_number.h"
#include "orbit_text.h"

#include <stdbool.h>
#include <stdint.h>

#define ORBIT_URL_MAX      255
#define ORBIT_MOH_NAME_MAX 128
#define ORBIT_SHA256_HEX   64

typedef enum {
    POOL_STATUS_UNKNOWN = 0,
    POOL_STATUS_UP,
    POOL_STATUS_DEGRADED,
    POOL_STATUS_DOWN,
    POOL_STATUS_COUNT
} pool_status;

/* A pool of the deployment registry. */
typedef struct {
    char fqdn[ORBIT_FQDN_MAX + 1];
    char site[ORBIT_SITE_MAX + 1];
    char backup[ORBIT_FQDN_MAX + 1]; /* "" when unpaired */
    char url[ORBIT_URL_MAX + 1];     /* ws:// or wss:// stream URL */
    char sip[ORBIT_URL_MAX + 1];     /* sip: URI of its SIP edge, "" when it has none */
    pool_status status;
    int64_t last_seen_ms; /* last heartbeat */
} pool_info;

/* The disaster-recovery state of one home pool's users. */
typedef struct {
    char home[ORBIT_FQDN_MAX + 1];
    dr_phase phase;
    char serving[ORBIT_FQDN_MAX + 1];
    int64_t since_ms;
    int64_t ends_ms; /* when the running phase completes; 0 when stable */
    bool disaster_mode;
    bool pickup_ranges_redirected;
} dr_state;

/* The pool's music-on-hold file. */
typedef struct {
    char name[ORBIT_MOH_NAME_MAX + 1];
    uint64_t size;
    char sha256[ORBIT_SHA256_HEX + 1];
    int64_t uploaded_ms;
    bool is_default;
} moh_info;

/* What carries a call to the pool: an orbit.v1 endpoint session ("api")
 * or the pool's SIP edge ("sip"). Kept on parked and queued calls so
 * operators can tell which phones a call involves. */
typedef enum { CALL_TRANSPORT_API = 0, CALL_TRANSPORT_SIP, CALL_TRANSPORT_COUNT } call_transport;

typedef enum {
    PARKED_STATE_PARKED = 0,
    PARKED_STATE_RINGING_BACK,
    PARKED_STATE_COUNT
} parked_state;

/* A call held on an orbit. */
typedef struct {
    char call_id[ORBIT_CALL_ID_MAX + 1];
    orbit_number orbit;
    char parker[ORBIT_URI_MAX + 1];
    char parkee[ORBIT_URI_MAX + 1];
    int64_t parked_ms;
    int64_t deadline_ms; /* next ring-back or give-up time */
    int attempt;         /* ring-backs made so far */
    parked_state state;
    bool music_on_hold;
    call_transport transport;
} parked_call;

/* A ringing call waiting in a pickup group's queue. */
typedef struct {
    char call_id[ORBIT_CALL_ID_MAX + 1];
    char caller[ORBIT_URI_MAX + 1];
    char callee[ORBIT_URI_MAX + 1];
    orbit_number group;
    int64_t ringing_since_ms;
    bool pickable; /* false once a DR event made it unanswerable by pickup */
    call_transport transport;
} pickup_call;

/* A user of the deployment. */
typedef struct {
    char uri[ORBIT_URI_MAX + 1];
    char home[ORBIT_FQDN_MAX + 1];
    char serving[ORBIT_FQDN_MAX + 1];
    bool has_group;
    orbit_number pickup_group;
    /* SIP digest HA1s (lower-case hex of H(user:realm:password)), "" when
     * the topology gives none; the SIP edge checks digests against them. */
    char sip_ha1_md5[33];
    char sip_ha1_sha256[65];
} orbit_user;

const char *pool_status_name(pool_status s);
bool pool_status_from_name(const char *name, pool_status *out);
const char *parked_state_name(parked_state s);
bool parked_state_from_name(const char *name, parked_state *out);
const char *call_transport_name(call_transport t);
bool call_transport_from_name(const char *name, call_transport *out);

#endif
