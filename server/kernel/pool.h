/* pool: the pool kernel, what one orbitd is once its transports are taken
 * away. It owns the pool's view of the deployment and keeps it in step
 * with the shared store (through the threads of store_link), decides
 * which pools are alive, runs the op catalogue (every op, from any
 * transport, passes the one gate of pool_ops.c), holds the call engine
 * and the pool's local state, and emits every event once to every sink.
 *
 * Imports run one way: transports (WebSocket, HTTP, SIP) -> this kernel
 * -> the call engine and the store -> core. The kernel never names a
 * transport: transports register sinks for events and submit ops.
 * Everything here runs on the one thread of the event loop, except what
 * store_link runs on its own threads and hands back through pool_drain(). */
#ifndef POOL_H
#define POOL_H

#include "event_ring.h"
#include "orbit_buf.h"
#include "orbit_deployment.h"
#include "orbit_event.h"
#include "orbit_log.h"
#include "orbit_ops.h"
#include "pool_local.h"
#include "server_config.h"
#include "wire_msg.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct pool pool;
typedef struct pool_op pool_op;

/* Who asks for an op, for the role gate and the audit log. */
typedef struct {
    char token[SERVER_TOKEN_NAME_MAX + 1]; /* the token's name in the configuration */
    orbit_role role;
    char client[64]; /* what the client called itself ("orbitop/0.2"), may be "" */
    char peer[64];   /* where it connected from, may be "" */
} pool_caller;

/* A finished op: st->code is ORBIT_OK and data a new reference on
 * success, else data is NULL. Runs on the loop's thread. */
typedef void (*pool_op_done)(void *ctx, const orbit_status *st, json_t *data);

/* A transport that wants every event. */
typedef struct {
    /* m is the serialised event frame, shared (take a reference to keep
     * it); data is the event's data, borrowed. */
    void (*event)(void *ctx, wire_msg *m, orbit_event_kind kind, const json_t *data);
    /* The state changed wholesale (an import, a reload after the history
     * was trimmed): events cannot describe it, take a new snapshot. */
    void (*resync)(void *ctx);
    void *ctx;
} pool_sink;

/* How the kernel wakes its loop when a store thread has news; called
 * from other threads, so it must be thread-safe (lws_cancel_service). */
typedef struct {
    void (*fn)(void *ctx);
    void *ctx;
} pool_wake;

/* Counters for /metrics. */
typedef struct {
    uint64_t ops[ORBIT_OP_COUNT][ORBIT_ERR_COUNT];
    uint64_t conflicts;       /* commits retried after another pool's change */
    uint64_t store_errors;    /* the store lost, or a commit it refused */
    uint64_t changes_applied; /* changes learnt from the store */
    uint64_t reloads;         /* full reloads (import, trimmed history) */
} pool_metrics;

/* Opens the store, checks that no other live instance serves this pool,
 * takes the data directory's lock, loads the deployment and the local
 * state, and starts the store threads. cfg is borrowed for the pool's
 * life. NULL with a reason in err on failure. */
pool *pool_new(const server_config *cfg, orbit_log *log, const pool_wake *wake, char *err,
               size_t errlen);
/* Stops the store threads (a commit in flight finishes first) and
 * answers the ops still waiting: after this the pool never wakes the
 * loop again. pool_free does it too; call it first when the loop goes
 * away before the pool. */
void pool_stop(pool *p);
/* Stops and frees. */
void pool_free(pool *p);

/* Registers a sink (copied); false on OOM. */
bool pool_add_sink(pool *p, const pool_sink *sink);
/* Forgets every sink registered with ctx (a transport going away before
 * the pool). */
void pool_remove_sink(pool *p, void *ctx);

/* Applies what the store threads delivered (changes, liveness, commit
 * results). Cheap when there is nothing; call it when woken. */
void pool_drain(pool *p);
/* Timers: calls' ring-backs, DR phase completion, op retries, and the
 * usage the heartbeat publishes. */
void pool_tick(pool *p, int64_t now_ms);

/* ---- ops ---- */

/* Runs op for caller through the gate: role, decoding, the handler, the
 * audit log, the metrics. done runs exactly once, unless the op is
 * detached first: immediately for ops decided here, later for those the
 * store must commit. Returns the op while it waits (to detach), else NULL.
 * args is borrowed. */
pool_op *pool_op_submit(pool *p, const pool_caller *caller, orbit_op op, const json_t *args,
                        pool_op_done done, void *ctx);
/* The requester went away: the op completes, its answer is dropped. */
void pool_op_detach(pool_op *op);

/* ---- music on hold ---- */

/* An upload of a new MOH file: moh.upload, whose body streams in. */
typedef struct pool_upload pool_upload;

/* Starts an upload through the same gate as every op (operator role;
 * name, size and sha256 checked as moh.upload's arguments; args is
 * borrowed). On refusal NULL, the op counted and audited, st says why. */
pool_upload *pool_moh_upload_open(pool *p, const pool_caller *caller, const json_t *args,
                                  orbit_status *st);
/* Feeds body bytes; on refusal (too large, not audio, a write error) the
 * upload must be failed with that status. */
orbit_err pool_moh_upload_feed(pool_upload *u, const void *data, size_t len, orbit_status *st);
/* Bytes received so far. */
uint64_t pool_moh_upload_received(const pool_upload *u);
/* Verifies and installs the file, announces moh.changed, audits, frees u;
 * done runs before this returns. */
void pool_moh_upload_close(pool_upload *u, pool_op_done done, void *ctx);
/* Ends an upload that failed (or whose client went away): counted and
 * audited with why; frees u. NULL is ignored. */
void pool_moh_upload_fail(pool_upload *u, const orbit_status *why);
/* Counts and audits an upload refused before it could open (no body
 * length, an empty body): args is borrowed. */
void pool_moh_upload_refused(pool *p, const pool_caller *caller, const json_t *args,
                             const orbit_status *why);

/* ---- reading ---- */

const char *pool_fqdn(const pool *p);
const server_config *pool_config(const pool *p);
/* The deployment as this pool sees it (pools and their SIP URIs, users
 * with the pool serving each and their HA1s, the orbit table, DR states),
 * for transports that mirror part of it, such as the SIP edge's
 * directory. Borrowed: valid on the loop's thread until the pool next
 * drains or ticks (an import replaces it). */
const orbit_deployment *pool_deployment(const pool *p);
const pool_local *pool_local_state(const pool *p);
event_ring *pool_events(pool *p);
const pool_metrics *pool_metrics_get(const pool *p);
/* False while the store cannot be reached: the pool is degraded. */
bool pool_store_ok(const pool *p);
/* Pools of the deployment this pool sees up, itself included. */
size_t pool_count_up(const pool *p);
/* How far into the store's history this pool has applied (compare with
 * the "cursor" of an operator op's result to know it has arrived). */
int64_t pool_cursor(const pool *p);

/* The state of the current revision serialised (the `state` of a
 * snapshot frame): a new reference, shared by every subscriber that asks
 * before the next event, so it is built once per revision. *rev receives
 * the revision. NULL with st on failure. */
wire_msg *pool_snapshot_state(pool *p, int64_t *rev, orbit_status *st);
/* The state object of a snapshot (new reference), for GET /v1/state. */
json_t *pool_state_json(pool *p);
/* Users (new reference), optionally only those homed on home. */
json_t *pool_users_json(pool *p, const char *home);
/* The newest audit entries (new reference): actions with their outcome,
 * or with requests, every line as written (see audit.h). */
json_t *pool_audit_tail(pool *p, size_t limit, bool requests, orbit_status *st);

/* The kernel's metrics in Prometheus text format, appended to out. */
void pool_metrics_render(pool *p, orbit_buf *out);

#endif
