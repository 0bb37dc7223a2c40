/* pool_internal: the kernel's state, shared by the kernel's own files
 * (pool.c, pool_ops.c, ops_admin.c, state_json.c) and by nothing else. */
#ifndef POOL_INTERNAL_H
#define POOL_INTERNAL_H

#include "audit.h"
#include "call_engine.h"
#include "orbit_deployment.h"
#include "orbit_rng.h"
#include "pool.h"
#include "store.h"
#include "store_link.h"

/* How an op's handler answers: now, or once the store has committed the
 * batch it built. */
typedef enum {
    POOL_OP_DONE = 0, /* decided: st and *data are the answer */
    POOL_OP_COMMIT,   /* commit *batch, then answer with the change's data */
} pool_op_outcome;

/* What a handler gets. */
typedef struct {
    pool *p;
    const pool_caller *caller;
    const orbit_cmd_args *args;
    const json_t *raw; /* the arguments as sent, for the audit log */
} pool_op_call;

/* An op waiting for the store. */
struct pool_op {
    pool *p;
    struct pool_op *next;
    pool_caller caller;
    orbit_cmd_args args;
    json_t *raw;
    uint64_t action;   /* its audit lines' number */
    pool_op_done done; /* NULL once detached */
    void *ctx;
    uint64_t job;        /* the commit in flight, 0 while waiting to retry */
    store_cursor expect; /* the cursor the batch was judged at */
    json_t *change_data; /* the data of the change in flight (answer on success) */
    char change_kind[48];
    int attempts;
    bool awaiting_liveness;     /* judged on the next liveness read */
    bool internal;              /* the phase timer's change: no caller, no audit */
    store_batch internal_batch; /* its batch, until committed */
    int64_t retry_at_ms;        /* a conflict waits for the store's news, or this */
    int64_t deadline_ms;        /* give up: the store is too slow or gone */
};

struct pool {
    const server_config *cfg;
    orbit_log *log;
    pool_wake wake;
    store_options store_opt;
    store_link *link;
    bool link_ok[LINK_THREADS];
    bool store_ok;

    orbit_deployment *dep;
    store_cursor cursor; /* the newest change applied */
    store_usage *usage;  /* in-use counts other pools publish */
    size_t nusage;

    pool_local local;
    audit_log *audit;
    event_ring events;
    call_engine *engine;
    orbit_rng rng;
    pool_metrics metrics;

    pool_sink *sinks;
    size_t nsinks;

    int lock_fd; /* the data directory's lock, held for the pool's life */
    char holder[STORE_HOLDER_MAX + 1];
    int64_t started_ms;
    bool usage_dirty;
    int64_t usage_sent_ms;

    pool_op *waiting; /* ops the store has not answered yet */
    uint64_t next_job;
    bool completing_phase; /* a DR phase completion is in flight */

    wire_msg *snapshot_state; /* the serialised state at snapshot_rev, or NULL */
    int64_t snapshot_rev;

    dr_runbook *runbooks; /* the DR runbooks the store holds, one per home */
    size_t nrunbooks;
    bool muted;           /* a test call runs: its events go nowhere */
    uint32_t parked_peak; /* the most calls parked here at once since start */
    uint32_t queued_peak; /* the most calls queued here at once */
};

/* ---- pool.c ---- */

/* Emits one event: serialised once into the replay ring and handed to
 * every sink. data is stolen. */
void pool_emit(pool *p, orbit_event_kind kind, json_t *data);
/* Liveness of a pool as this pool sees it (itself: always up). */
pool_status pool_status_of(const pool *p, const char *fqdn);
/* Numbers of r in use (parked calls known to its owner, plus groups
 * with members). */
uint32_t pool_range_in_use(const pool *p, const orbit_range *r);
/* Applies a committed change (from the store, or our own just committed)
 * and emits its events. False when the change could not be applied: the
 * pool then reloads from the store. */
bool pool_apply_change(pool *p, const store_change *c);
/* Every home pool's pickup_ranges_redirected flag, in registry order (new
 * array; NULL on OOM), and the dr.changed events (pickup_ranges_moved)
 * for those that changed since, naming the change that moved them (cause
 * may be NULL). */
bool *pool_redirect_flags(const pool *p);
void pool_emit_redirect_changes(pool *p, const bool *before, const store_change *cause);
/* The milliseconds a domain duration lasts under the clock scale. */
int64_t pool_scaled_ms(const pool *p, double seconds);

/* ---- pool_ops.c ---- */

/* Writes one line of an operator action to the audit log (pointers are
 * borrowed). When it cannot, the failure is logged and *refusal says why
 * the action is refused ("cannot write the audit log ...: disk full;
 * nothing was changed"). */
orbit_err pool_audit(pool *p, const pool_caller *caller, orbit_op op, const json_t *args,
                     uint64_t action, audit_phase phase, const orbit_status *result,
                     orbit_status *refusal);

/* Commit outcomes and retries of waiting ops. */
void pool_ops_committed(pool *p, uint64_t job, const orbit_status *st, store_cursor committed);
void pool_ops_tick(pool *p, int64_t now_ms);
/* The state moved on: ops waiting after a conflict may be judged again. */
void pool_ops_retry(pool *p);
/* Fresh liveness arrived: ops that decide on who is up are judged now. */
void pool_ops_liveness_read(pool *p);
/* Answers and frees every waiting op (shutdown). */
void pool_ops_cancel_all(pool *p);
/* Commits a batch on the pool's own account (the DR phase timer): no
 * caller, no audit; a conflict drops it, to be tried again. b is stolen. */
void pool_ops_commit_internal(pool *p, store_batch *b);

/* ---- ops_admin.c: operator handlers ---- */

/* Each either answers now or fills *batch for the store. */
pool_op_outcome ops_admin_orbit_create(const pool_op_call *c, store_batch *batch, json_t **data,
                                       orbit_status *st);
pool_op_outcome ops_admin_orbit_update(const pool_op_call *c, store_batch *batch, json_t **data,
                                       orbit_status *st);
pool_op_outcome ops_admin_orbit_delete(const pool_op_call *c, store_batch *batch, json_t **data,
                                       orbit_status *st);
pool_op_outcome ops_admin_orbit_reassign(const pool_op_call *c, store_batch *batch, json_t **data,
                                         orbit_status *st);
pool_op_outcome ops_admin_failover(const pool_op_call *c, store_batch *batch, json_t **data,
                                   orbit_status *st);
pool_op_outcome ops_admin_failback(const pool_op_call *c, store_batch *batch, json_t **data,
                                   orbit_status *st);
pool_op_outcome ops_admin_config_set(const pool_op_call *c, store_batch *batch, json_t **data,
                                     orbit_status *st);
/* Completes DR phases this pool runs whose time is up (through the store,
 * as the phase timer's own change). */
void ops_admin_complete_phases(pool *p, int64_t now_ms);

/* Shared by the handlers of ops_admin.c and ops_dr.c: an unknown pool is
 * not_found naming field; a change of kind with data (stolen) and writes
 * (copied) goes into *b for the store; out of memory answers internal. */
orbit_err ops_admin_need_pool(const pool *p, const char *fqdn, const char *field, orbit_status *st);
pool_op_outcome ops_admin_commit(store_batch *b, orbit_event_kind kind, json_t *data,
                                 const store_write *writes, size_t n, orbit_status *st);
pool_op_outcome ops_admin_out_of_memory(orbit_status *st);

/* ---- ops_dr.c: guided disaster recovery ---- */

pool_op_outcome ops_dr_pickup_redirect(const pool_op_call *c, store_batch *batch, json_t **data,
                                       orbit_status *st);
pool_op_outcome ops_dr_test_call(const pool_op_call *c, store_batch *batch, json_t **data,
                                 orbit_status *st);
pool_op_outcome ops_dr_pool_add(const pool_op_call *c, store_batch *batch, json_t **data,
                                orbit_status *st);
pool_op_outcome ops_dr_users_rehome(const pool_op_call *c, store_batch *batch, json_t **data,
                                    orbit_status *st);
pool_op_outcome ops_dr_pool_retire(const pool_op_call *c, store_batch *batch, json_t **data,
                                   orbit_status *st);
pool_op_outcome ops_dr_runbook_claim(const pool_op_call *c, store_batch *batch, json_t **data,
                                     orbit_status *st);
pool_op_outcome ops_dr_runbook_step(const pool_op_call *c, store_batch *batch, json_t **data,
                                    orbit_status *st);
pool_op_outcome ops_dr_runbook_abandon(const pool_op_call *c, store_batch *batch, json_t **data,
                                       orbit_status *st);
/* Applies a committed change to the registry (pool.added, pool.retired),
 * the users (users.rehomed) or the runbooks (runbook.step), and emits its
 * event (ev, the change's data with origin and who; borrowed). False with
 * st when it cannot be applied: the pool then reloads. */
bool ops_dr_apply(pool *p, orbit_event_kind kind, json_t *ev, const json_t *data, orbit_status *st);
/* Replaces the runbooks with an image's (a load or a reload). False on OOM. */
bool ops_dr_set_runbooks(pool *p, const dr_runbook *rows, size_t n);
/* The runbooks as the state's "runbooks" array (new reference). */
json_t *ops_dr_runbooks_json(const pool *p);

/* ---- state_json.c ---- */

json_t *state_json_build(pool *p);
json_t *state_json_pool(pool *p, const char *fqdn);
json_t *state_json_self(pool *p);
json_t *state_json_users(pool *p, const char *home);

/* The who of a change: "token (client from peer)". */
void pool_caller_describe(const pool_caller *c, char *out, size_t len);

#endif
