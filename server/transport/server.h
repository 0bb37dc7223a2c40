/* server: one orbitd: the pool's configuration, its view of the
 * deployment (kept in step with the shared store), its local state, its
 * event stream and its sessions, driven by libwebsockets' event loop and
 * a periodic tick. */
#ifndef SERVER_H
#define SERVER_H

#include "audit.h"
#include "event_ring.h"
#include "orbit_deployment.h"
#include "orbit_log.h"
#include "orbit_ops.h"
#include "orbit_rng.h"
#include "pool_local.h"
#include "server_config.h"
#include "store.h"

#include <jansson.h>
#include <libwebsockets.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct ws_session ws_session;
typedef struct call_engine call_engine;

/* Counters for /metrics: ops by name and result. */
typedef struct {
    uint64_t ops[ORBIT_OP_COUNT + 1][ORBIT_ERR_COUNT]; /* +1: moh.upload */
    uint64_t http_requests;
    uint64_t resyncs;
    uint64_t frames_in;
    uint64_t frames_out;
    uint64_t bad_frames;
} server_metrics;

#define SERVER_OP_MOH_UPLOAD ORBIT_OP_COUNT

typedef struct orbit_server {
    server_config cfg;
    orbit_log log;
    struct lws_context *lws;
    struct lws_protocols *lws_protocols; /* per-session sizes filled at start */
    lws_sorted_usec_list_t tick;
    orbit_store *store;
    orbit_deployment *dep;
    int64_t store_seq;  /* newest change applied */
    store_usage *usage; /* in-use counts published by every pool */
    size_t nusage;
    bool store_ok; /* the last store access worked */
    pool_local local;
    audit_log *audit;
    event_ring events;
    ws_session *sessions; /* doubly linked */
    size_t nsessions;
    call_engine *engine;
    orbit_rng rng;
    server_metrics metrics;
    int64_t started_ms;
    int64_t last_poll_ms;
    int64_t last_beat_ms;
    int64_t last_tick_frames_ms;
    bool usage_dirty;
    bool stopping;
} orbit_server;

/* Opens the store, loads the deployment and local state, and creates the
 * listening context. On failure writes a reason into err. */
bool server_start(orbit_server *srv, char *err, size_t errlen);

/* Runs the event loop until server_stop() or until *stop turns non-zero
 * (set by a signal handler; checked at least every tick). */
void server_run(orbit_server *srv, volatile sig_atomic_t *stop);

/* Asks the loop to finish (safe from a signal-driven path). */
void server_stop(orbit_server *srv);

/* Releases everything server_start() made. */
void server_destroy(orbit_server *srv);

/* This pool's FQDN. */
static inline const char *server_fqdn(const orbit_server *srv)
{
    return srv->cfg.fqdn;
}

/* Applies every change other pools (and this one) committed to the store
 * since the last call, emitting one event per change. */
void server_sync_store(orbit_server *srv);

/* Reads every pool's heartbeat now rather than at the next poll (before
 * a decision that depends on which pools are up). */
void server_refresh_liveness(orbit_server *srv);

/* Emits an event to every subscribed session; data is stolen. */
void server_emit(orbit_server *srv, const char *kind, json_t *data);

/* Runs an op for a caller: checks the role, decodes the arguments,
 * audits operator ops, and returns the result data (new reference) or a
 * refusal. Used by the WebSocket and by POST /v1/cmd. */
orbit_err server_run_op(orbit_server *srv, const char *who, orbit_role role, orbit_op op,
                        const json_t *args, json_t **data, orbit_status *st);

/* Numbers of r in use: parked calls on it (known to its owner) plus
 * pickup groups with members. */
uint32_t server_range_in_use(const orbit_server *srv, const orbit_range *r);

/* The status of a pool as this pool sees it (itself is always up). */
pool_status server_pool_status(const orbit_server *srv, const char *fqdn);

/* Records a finished op in the metrics. */
void server_count_op(orbit_server *srv, int op, orbit_err result);

/* Milliseconds of real time a domain duration of `seconds` lasts under
 * the configured clock scale. */
int64_t server_scaled_ms(const orbit_server *srv, double seconds);

#endif
