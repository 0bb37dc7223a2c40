/* pool_ops: the op catalogue of the kernel and the one gate every op
 * passes, from any transport: the role check, the decoding (core's row
 * for the op), the audit log written before the op acts, the handler
 * (the row's), and the metrics. Ops whose handler builds a batch wait for
 * the store: committed, they are applied here before they are answered,
 * so the event an op causes always goes out before its result; refused
 * with conflict (another pool changed the deployment meanwhile), they are
 * judged again once this pool has caught up. */
#include "pool_internal.h"

#include "orbit_json.h"
#include "orbit_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A conflict is judged again at most this many times. */
#define OPS_MAX_ATTEMPTS 8
/* A retry waits for news from the store at most this long. */
#define OPS_RETRY_WAIT_MS 100
/* An op the store has not answered after this long is answered unavailable. */
#define OPS_STORE_TIMEOUT_MS 10000

typedef pool_op_outcome (*pool_op_handler)(const pool_op_call *c, store_batch *batch, json_t **data,
                                           orbit_status *st);

/* One row per op: its handler, whether it writes the shared store
 * (refused while the store is out of reach), and whether it decides on
 * which pools are up (then judged on a liveness read made after it
 * arrived, not on one up to a beat old). moh.upload's row has no handler:
 * its body streams in through pool_moh_upload_*. */
typedef struct {
    pool_op_handler run;
    bool writes_store;
    bool fresh_liveness;
} pool_op_row;

/* ---- endpoint handlers: the call engine decides, nothing to commit ---- */

#define ENGINE_HANDLER(name, fn)                                                                   \
    static pool_op_outcome name(const pool_op_call *c, store_batch *batch, json_t **data,          \
                                orbit_status *st)                                                  \
    {                                                                                              \
        (void)batch;                                                                               \
        fn(c->p->engine, c->args, data, st);                                                       \
        return POOL_OP_DONE;                                                                       \
    }

ENGINE_HANDLER(endpoint_park, call_engine_park)
ENGINE_HANDLER(endpoint_retrieve, call_engine_retrieve)
ENGINE_HANDLER(endpoint_ringback_answer, call_engine_ringback_answer)
ENGINE_HANDLER(endpoint_hangup, call_engine_hangup)
ENGINE_HANDLER(endpoint_pickup_ring, call_engine_pickup_ring)
ENGINE_HANDLER(endpoint_pickup_take, call_engine_pickup_take)
ENGINE_HANDLER(endpoint_pickup_answer, call_engine_pickup_answer)
ENGINE_HANDLER(endpoint_pickup_cancel, call_engine_pickup_cancel)

static const pool_op_row CATALOGUE[ORBIT_OP_COUNT] = {
    [ORBIT_OP_ORBIT_CREATE] = {.run = ops_admin_orbit_create, .writes_store = true},
    [ORBIT_OP_ORBIT_UPDATE] = {.run = ops_admin_orbit_update, .writes_store = true},
    [ORBIT_OP_ORBIT_DELETE] = {.run = ops_admin_orbit_delete, .writes_store = true},
    [ORBIT_OP_ORBIT_REASSIGN] = {.run = ops_admin_orbit_reassign, .writes_store = true},
    [ORBIT_OP_CONFIG_SET] = {.run = ops_admin_config_set},
    [ORBIT_OP_POOL_FAILOVER] = {.run = ops_admin_failover,
                                .writes_store = true,
                                .fresh_liveness = true},
    [ORBIT_OP_POOL_FAILBACK] = {.run = ops_admin_failback,
                                .writes_store = true,
                                .fresh_liveness = true},
    [ORBIT_OP_MOH_UPLOAD] = {.run = NULL},
    [ORBIT_OP_CALL_PARK] = {.run = endpoint_park},
    [ORBIT_OP_CALL_RETRIEVE] = {.run = endpoint_retrieve},
    [ORBIT_OP_CALL_RINGBACK_ANSWER] = {.run = endpoint_ringback_answer},
    [ORBIT_OP_CALL_HANGUP] = {.run = endpoint_hangup},
    [ORBIT_OP_PICKUP_RING] = {.run = endpoint_pickup_ring},
    [ORBIT_OP_PICKUP_TAKE] = {.run = endpoint_pickup_take},
    [ORBIT_OP_PICKUP_ANSWER] = {.run = endpoint_pickup_answer},
    [ORBIT_OP_PICKUP_CANCEL] = {.run = endpoint_pickup_cancel},
    [ORBIT_OP_PICKUP_REDIRECT] = {.run = ops_dr_pickup_redirect, .writes_store = true},
    [ORBIT_OP_DR_TEST_CALL] = {.run = ops_dr_test_call},
    [ORBIT_OP_POOL_ADD] = {.run = ops_dr_pool_add, .writes_store = true, .fresh_liveness = true},
    [ORBIT_OP_USERS_REHOME] = {.run = ops_dr_users_rehome,
                               .writes_store = true,
                               .fresh_liveness = true},
    [ORBIT_OP_POOL_RETIRE] = {.run = ops_dr_pool_retire,
                              .writes_store = true,
                              .fresh_liveness = true},
    [ORBIT_OP_RUNBOOK_CLAIM] = {.run = ops_dr_runbook_claim, .writes_store = true},
    [ORBIT_OP_RUNBOOK_STEP] = {.run = ops_dr_runbook_step, .writes_store = true},
    [ORBIT_OP_RUNBOOK_ABANDON] = {.run = ops_dr_runbook_abandon, .writes_store = true},
};

/* ---- the gate's parts ---- */

void pool_caller_describe(const pool_caller *c, char *out, size_t len)
{
    if (c->client[0] && c->peer[0])
        snprintf(out, len, "%.64s (%.40s from %.40s)", c->token, c->client, c->peer);
    else if (c->client[0] || c->peer[0])
        snprintf(out, len, "%.64s (%.40s)", c->token, c->client[0] ? c->client : c->peer);
    else
        snprintf(out, len, "%.64s", c->token);
}

/* Operator ops are audited (whoever asks); endpoint ops are not: they
 * are calls, counted in the metrics. */
static bool audited(orbit_op op)
{
    return orbit_op_role(op) == ORBIT_ROLE_OPERATOR;
}

orbit_err pool_audit(pool *p, const pool_caller *caller, orbit_op op, const json_t *args,
                     uint64_t action, audit_phase phase, const orbit_status *result,
                     orbit_status *refusal)
{
    orbit_status ast;
    audit_entry e = {
        .action = action,
        .time_ms = orbit_time_now_ms(),
        .who = caller->token,
        .role = orbit_role_name(caller->role),
        .client = caller->client,
        .peer = caller->peer,
        .op = orbit_op_name(op),
        .args = args,
        .phase = phase,
        .result = result,
    };
    if (audit_append(p->audit, &e, &ast) == ORBIT_OK)
        return ORBIT_OK;
    ORBIT_LOG_E(p->log, "audit: %s", ast.message);
    /* The operator learns why, not only that: "disk full" is theirs to fix. */
    return orbit_status_set(refusal, ORBIT_ERR_INTERNAL, "",
                            "cannot write the %s; nothing was changed", ast.message);
}

/* Counts and audits an op that ends here, and answers it. */
static void finish(pool *p, const pool_caller *caller, orbit_op op, const json_t *args,
                   uint64_t action, const orbit_status *st, json_t *data, pool_op_done done,
                   void *ctx)
{
    if ((unsigned)op < ORBIT_OP_COUNT && (unsigned)st->code < ORBIT_ERR_COUNT)
        p->metrics.ops[op][st->code]++;
    orbit_status unused;
    if (audited(op))
        pool_audit(p, caller, op, args, action, AUDIT_RESULT, st, &unused);
    if (st->code != ORBIT_OK) {
        json_decref(data);
        data = NULL;
        ORBIT_LOG_D(p->log, "%s by %s refused: %s %s", orbit_op_name(op), caller->token,
                    orbit_err_name(st->code), st->message);
    } else if (!data) {
        data = json_object();
    }
    if (done)
        done(ctx, st, data);
    else
        json_decref(data);
}

/* Role and arguments; on success *args is decoded. */
static orbit_err gate(pool *p, const pool_caller *caller, orbit_op op, const json_t *raw,
                      orbit_cmd_args *args, orbit_status *st)
{
    if ((unsigned)op >= ORBIT_OP_COUNT)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "op", "unknown op");
    if (!orbit_role_may(caller->role, op))
        return orbit_status_set(st, ORBIT_ERR_FORBIDDEN, "op",
                                "%s needs the %s role; this token is %s", orbit_op_name(op),
                                orbit_role_name(orbit_op_role(op)), orbit_role_name(caller->role));
    return orbit_args_decode(op, raw, &p->local.settings, args, st);
}

/* ---- ops waiting for the store ---- */

static void unlink_op(pool *p, pool_op *op)
{
    for (pool_op **pp = &p->waiting; *pp; pp = &(*pp)->next) {
        if (*pp == op) {
            *pp = op->next;
            return;
        }
    }
}

static void free_op(pool_op *op)
{
    json_decref(op->raw);
    json_decref(op->change_data);
    store_batch_free(&op->internal_batch);
    free(op);
}

/* Answers a waiting op and forgets it. Internal commits (the phase
 * timer's) have no op in the catalogue and are neither counted nor
 * audited. */
static void answer(pool *p, pool_op *op, const orbit_status *st, json_t *data)
{
    unlink_op(p, op);
    if (!op->internal)
        finish(p, &op->caller, op->args.op, op->raw, op->action, st, data, op->done, op->ctx);
    else
        json_decref(data);
    if (op->internal)
        p->completing_phase = false;
    free_op(op);
}

/* Runs the handler and, for a batch, hands it to the store. True while
 * the op waits for the store; false once it was answered (and freed). */
static bool judge(pool *p, pool_op *op)
{
    orbit_status st;
    orbit_status_clear(&st);
    json_t *data = NULL;
    store_batch batch;
    memset(&batch, 0, sizeof batch);
    if (op->internal) {
        /* The phase timer's change: built once, committed as it is. */
        batch = op->internal_batch;
        memset(&op->internal_batch, 0, sizeof op->internal_batch);
    } else {
        pool_op_call call = {p, &op->caller, &op->args, op->raw};
        pool_op_outcome out = CATALOGUE[op->args.op].run(&call, &batch, &data, &st);
        if (out == POOL_OP_DONE || st.code != ORBIT_OK) {
            store_batch_free(&batch);
            answer(p, op, &st, data);
            return false;
        }
        json_decref(data);
        char who[STORE_WHO_MAX + 1];
        pool_caller_describe(&op->caller, who, sizeof who);
        snprintf(batch.origin, sizeof batch.origin, "%s", pool_fqdn(p));
        snprintf(batch.who, sizeof batch.who, "%s", who);
    }
    json_decref(op->change_data);
    /* The writer thread serialises the batch's data while this thread
     * keeps its own copy: no JSON value is shared across threads. */
    op->change_data = json_deep_copy(batch.data);
    snprintf(op->change_kind, sizeof op->change_kind, "%s", batch.kind);
    op->expect = p->cursor;
    op->job = ++p->next_job;
    if (!p->link) {
        store_batch_free(&batch);
        orbit_status_set(&st, ORBIT_ERR_UNAVAILABLE, "", "the pool is shutting down");
        answer(p, op, &st, NULL);
        return false;
    }
    if (!op->change_data || !store_link_commit(p->link, op->job, op->expect, &batch)) {
        store_batch_free(&batch);
        orbit_status_set(&st, ORBIT_ERR_INTERNAL, "", "out of memory");
        answer(p, op, &st, NULL);
        return false;
    }
    return true;
}

static void append_op(pool *p, pool_op *op)
{
    pool_op **tail = &p->waiting;
    while (*tail)
        tail = &(*tail)->next;
    op->next = NULL;
    *tail = op;
}

/* This pool's changes reach the store one at a time, in arrival order: a
 * change judged while another is in flight would be judged on a state
 * about to change, and fail with conflict. */
static void judge_next(pool *p)
{
    for (;;) {
        for (pool_op *o = p->waiting; o; o = o->next) {
            if (o->job)
                return; /* one in flight */
        }
        int64_t mono = orbit_time_mono_ms();
        pool_op *op = p->waiting;
        while (op && (op->awaiting_liveness || op->retry_at_ms > mono))
            op = op->next;
        if (!op || judge(p, op))
            return;
        /* refused on its merits (answered and freed): the next one */
    }
}

static pool_op *find_job(pool *p, uint64_t job)
{
    for (pool_op *op = p->waiting; op; op = op->next) {
        if (op->job == job)
            return op;
    }
    return NULL;
}

void pool_ops_committed(pool *p, uint64_t job, const orbit_status *st, store_cursor committed)
{
    pool_op *op = find_job(p, job);
    if (!op)
        return; /* answered already (timed out) */
    op->job = 0;
    if (st->code == ORBIT_ERR_CONFLICT) {
        p->metrics.conflicts++;
        /* The phase timer simply tries again on its next tick. */
        if (!op->internal && ++op->attempts < OPS_MAX_ATTEMPTS) {
            /* Judge it again once this pool has caught up: when the
             * store's news arrives (pool_ops_retry), or after a while. */
            op->retry_at_ms = orbit_time_mono_ms() + OPS_RETRY_WAIT_MS;
            return;
        }
        orbit_status why;
        orbit_status_set(&why, ORBIT_ERR_CONFLICT, "",
                         "the deployment kept changing under this request (%d attempts); "
                         "nothing was changed: try again",
                         op->attempts);
        answer(p, op, &why, NULL);
        judge_next(p);
        return;
    }
    if (st->code != ORBIT_OK) {
        p->metrics.store_errors++;
        answer(p, op, st, NULL);
        judge_next(p);
        return;
    }
    /* Apply our own change now (unless the watcher brought it first), so
     * its event goes out before the answer. */
    if (p->cursor == op->expect) {
        store_change c = {committed, orbit_time_now_ms(), pool_fqdn(p),
                          "",        op->change_kind,     op->change_data};
        char who[STORE_WHO_MAX + 1];
        pool_caller_describe(&op->caller, who, sizeof who);
        c.who = who;
        if (!pool_apply_change(p, &c)) {
            store_link_reload(p->link);
            p->cursor = INT64_MAX;
        }
    }
    json_t *data = json_deep_copy(op->change_data);
    const char *home = json_string_value(json_object_get(op->change_data, "home"));
    if (data && home && strcmp(op->change_kind, orbit_event_name(ORBIT_EV_DR_CHANGED)) == 0) {
        /* Answer with the derived state (serving pool, redirect flag). */
        const dr_state *d = orbit_deployment_dr(p->dep, home);
        json_t *now = d ? orbit_json_from_dr(d) : NULL;
        if (now)
            json_object_update(data, now);
        json_decref(now);
    }
    /* Where this change sits in the store's history: a client that reads
     * another pool afterwards can wait for that pool to get there. */
    if (data)
        orbit_json_put(data, "cursor", json_integer(committed));
    orbit_status ok;
    orbit_status_clear(&ok);
    answer(p, op, &ok, data);
    pool_ops_retry(p);
}

void pool_ops_retry(pool *p)
{
    for (pool_op *op = p->waiting; op; op = op->next)
        op->retry_at_ms = 0; /* the state moved: judge again now */
    judge_next(p);
}

void pool_ops_liveness_read(pool *p)
{
    for (pool_op *op = p->waiting; op; op = op->next)
        op->awaiting_liveness = false;
    judge_next(p);
}

void pool_ops_tick(pool *p, int64_t now)
{
    (void)now;
    int64_t mono = orbit_time_mono_ms();
    pool_op *op = p->waiting;
    while (op) {
        pool_op *next = op->next;
        if (mono >= op->deadline_ms) {
            orbit_status st;
            orbit_status_set(&st, ORBIT_ERR_UNAVAILABLE, "",
                             "the deployment store did not answer within %d s; the change may "
                             "or may not have been made: look before trying again",
                             OPS_STORE_TIMEOUT_MS / 1000);
            answer(p, op, &st, NULL);
        }
        op = next;
    }
    judge_next(p);
}

void pool_ops_cancel_all(pool *p)
{
    while (p->waiting) {
        orbit_status st;
        orbit_status_set(&st, ORBIT_ERR_UNAVAILABLE, "", "the pool is shutting down");
        answer(p, p->waiting, &st, NULL);
    }
}

/* ---- submitting ---- */

static pool_op *new_op(pool *p, const pool_caller *caller, const orbit_cmd_args *args,
                       const json_t *raw, uint64_t action, pool_op_done done, void *ctx)
{
    pool_op *op = calloc(1, sizeof *op);
    if (!op)
        return NULL;
    op->p = p;
    op->action = action;
    op->caller = *caller;
    op->args = *args;
    op->raw = raw ? json_deep_copy(raw) : json_object();
    op->done = done;
    op->ctx = ctx;
    op->deadline_ms = orbit_time_mono_ms() + OPS_STORE_TIMEOUT_MS;
    if (!op->raw) {
        free(op);
        return NULL;
    }
    append_op(p, op);
    return op;
}

pool_op *pool_op_submit(pool *p, const pool_caller *caller, orbit_op op, const json_t *args,
                        pool_op_done done, void *ctx)
{
    orbit_status st;
    orbit_status_clear(&st);
    orbit_cmd_args decoded;
    uint64_t action = audited(op) ? audit_next_action(p->audit) : 0;
    if (gate(p, caller, op, args, &decoded, &st) != ORBIT_OK) {
        finish(p, caller, op, args, action, &st, NULL, done, ctx);
        return NULL;
    }
    const pool_op_row *row = &CATALOGUE[op];
    if (!row->run) {
        orbit_status_set(&st, ORBIT_ERR_BAD_REQUEST, "op", "%s is not run this way",
                         orbit_op_name(op));
        finish(p, caller, op, args, action, &st, NULL, done, ctx);
        return NULL;
    }
    if (row->writes_store && !p->store_ok) {
        orbit_status_set(&st, ORBIT_ERR_UNAVAILABLE, "",
                         "this pool cannot reach the deployment store; it serves calls but "
                         "refuses changes until the store is back");
        finish(p, caller, op, args, action, &st, NULL, done, ctx);
        return NULL;
    }
    /* Audit first: an operator's action is on record before it acts, so a
     * full disk refuses the action instead of hiding it. */
    if (audited(op) &&
        pool_audit(p, caller, op, args, action, AUDIT_REQUEST, NULL, &st) != ORBIT_OK) {
        p->metrics.ops[op][st.code]++;
        if (done)
            done(ctx, &st, NULL);
        return NULL;
    }
    if (!row->writes_store) {
        pool_op_call call = {p, caller, &decoded, args};
        json_t *data = NULL;
        store_batch unused;
        memset(&unused, 0, sizeof unused);
        row->run(&call, &unused, &data, &st);
        store_batch_free(&unused);
        finish(p, caller, op, args, action, &st, data, done, ctx);
        return NULL;
    }
    pool_op *pending = new_op(p, caller, &decoded, args, action, done, ctx);
    if (!pending) {
        orbit_status_set(&st, ORBIT_ERR_INTERNAL, "", "out of memory");
        finish(p, caller, op, args, action, &st, NULL, done, ctx);
        return NULL;
    }
    if (row->fresh_liveness) {
        pending->awaiting_liveness = true;
        store_link_beat_now(p->link);
    }
    /* Judged now if nothing else waits; the caller learns the answer
     * through done either way. */
    uint64_t action_of_pending = pending->action;
    judge_next(p);
    for (pool_op *o = p->waiting; o; o = o->next) {
        if (o == pending && o->action == action_of_pending)
            return pending;
    }
    return NULL;
}

void pool_op_detach(pool_op *op)
{
    if (op) {
        op->done = NULL;
        op->ctx = NULL;
    }
}

/* ---- internal commits (the phase timer) ---- */

void pool_ops_commit_internal(pool *p, store_batch *batch)
{
    pool_op *op = p->link ? calloc(1, sizeof *op) : NULL;
    if (!op) {
        store_batch_free(batch);
        return;
    }
    op->p = p;
    op->internal = true;
    op->args.op = ORBIT_OP_COUNT;
    snprintf(op->caller.token, sizeof op->caller.token, "%.*s", SERVER_TOKEN_NAME_MAX, batch->who);
    op->deadline_ms = orbit_time_mono_ms() + OPS_STORE_TIMEOUT_MS;
    op->internal_batch = *batch;
    memset(batch, 0, sizeof *batch);
    p->completing_phase = true;
    append_op(p, op);
    judge_next(p);
}
