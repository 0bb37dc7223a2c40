/* ops_dr: the operator ops of guided disaster recovery, and how their
 * committed changes are applied. They are the primitives the runbooks of
 * client_runbook.c are made of, each one judged here as every op is:
 *
 *   pickup.redirect  a home pool's GroupPickup ranges to the pool serving
 *                    its users: exactly the ranges holding their groups,
 *                    never a range of the backup's own users;
 *   dr.test_call     a park and a pickup for a home pool's users at the
 *                    pool serving them, through the call engine's endpoint
 *                    handlers, with their events held back: it proves the
 *                    users can park and pick up and leaves no trace;
 *   pool.add         a new pool in the running deployment, taking a lost
 *                    pool's pairing and DR state (no topology re-import);
 *   users.rehome     every user of the lost pool homed on the new one;
 *   pool.retire      the lost pool, emptied, leaves the registry;
 *   runbook.*        the runbook record of a pair: claimed by one
 *                    operator at a time (the second is told who holds it),
 *                    its steps' progress, abandoned.
 *
 * Every change carries everything a pool needs to apply it, as
 * ops_admin.c's do. */
#include "pool_internal.h"

#include "orbit_json.h"
#include "orbit_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The party a test call comes from: not one of the users, so no user's
 * figures count it. */
#define TEST_PARTY "sip:orbit-test-call@invalid"
/* Groups tried for the pickup part of a test call before giving up on
 * finding one whose queue is empty (a real call ringing would be taken
 * before ours). */
#define TEST_GROUPS_TRIED 8

static pool_op_outcome refused(void)
{
    return POOL_OP_DONE; /* the status is already filled */
}

/* ---- pickup.redirect ---- */

pool_op_outcome ops_dr_pickup_redirect(const pool_op_call *c, store_batch *batch, json_t **data,
                                       orbit_status *st)
{
    pool *p = c->p;
    const char *home = c->args->u.home.pool;
    if (ops_admin_need_pool(p, home, "pool", st))
        return refused();
    const dr_state *d = orbit_deployment_dr(p->dep, home);
    if (dr_phase_resiliency(d->phase) && !c->args->u.home.force) {
        int64_t left = d->ends_ms - orbit_time_now_ms();
        orbit_status_set(st, ORBIT_ERR_CONFLICT, "pool",
                         "%s's users are %s: redirect their pickup ranges once the phase "
                         "completes (in about %lld s), as the seed says",
                         home, dr_phase_name(d->phase), (long long)(left > 0 ? left / 1000 : 0));
        return POOL_OP_DONE;
    }
    const orbit_table *t = orbit_deployment_table_const(p->dep);
    size_t n = orbit_deployment_pickup_ranges_away(p->dep, home, NULL, 0);
    const orbit_range **away = calloc(n ? n : 1, sizeof *away);
    store_write *writes = calloc(n ? n : 1, sizeof *writes);
    json_t *ranges = json_array();
    if (!away || !writes || !ranges) {
        free(away);
        free(writes);
        json_decref(ranges);
        return ops_admin_out_of_memory(st);
    }
    n = orbit_deployment_pickup_ranges_away(p->dep, home, away, n);
    const char *from = n ? away[0]->pool : "";
    for (size_t i = 0; i < n; i++) {
        orbit_range moved = *away[i];
        if (strcmp(moved.pool, from) != 0)
            from = "several pools";
        snprintf(moved.pool, sizeof moved.pool, "%s", d->serving);
        writes[i].kind = STORE_WRITE_RANGE_PUT;
        writes[i].u.range = moved;
        if (json_array_append_new(ranges, store_range_to_json(&moved)) != 0) {
            /* The change must list every range it writes. */
            free(away);
            free(writes);
            json_decref(ranges);
            return ops_admin_out_of_memory(st);
        }
    }
    free(away);
    (void)t;
    json_t *change = json_pack("{s:s, s:s, s:s, s:I, s:o, s:s, s:b}", "from_pool", from, "to_pool",
                               d->serving, "type", "GroupPickup", "moved", (json_int_t)n, "ranges",
                               ranges, "home", home, "redirect", 1);
    if (n == 0) {
        /* Nothing to move: answered at once, so a runbook run again goes
         * through without a change. */
        free(writes);
        *data = change;
        return change ? POOL_OP_DONE : ops_admin_out_of_memory(st);
    }
    pool_op_outcome out = ops_admin_commit(batch, ORBIT_EV_ORBIT_REASSIGNED, change, writes, n, st);
    free(writes);
    return out;
}

/* ---- dr.test_call ---- */

typedef struct {
    pool *p;
    const char *user;
    uint64_t tag;
} test_call;

/* Runs one endpoint handler of the engine on args. */
static orbit_err engine_op(pool *p, orbit_op op, orbit_cmd_args *args, json_t **res,
                           orbit_status *st)
{
    args->op = op;
    *res = NULL;
    switch (op) {
    case ORBIT_OP_CALL_PARK:
        return call_engine_park(p->engine, args, res, st);
    case ORBIT_OP_CALL_RETRIEVE:
        return call_engine_retrieve(p->engine, args, res, st);
    case ORBIT_OP_PICKUP_RING:
        return call_engine_pickup_ring(p->engine, args, res, st);
    case ORBIT_OP_PICKUP_TAKE:
        return call_engine_pickup_take(p->engine, args, res, st);
    case ORBIT_OP_PICKUP_CANCEL:
        return call_engine_pickup_cancel(p->engine, args, res, st);
    default:
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "not an endpoint op");
    }
}

/* Parks a test call for the user and retrieves it: the orbit it took. */
static orbit_err test_park(const test_call *t, char *orbit, size_t len, orbit_status *st)
{
    orbit_cmd_args a;
    memset(&a, 0, sizeof a);
    snprintf(a.u.park.call_id, sizeof a.u.park.call_id, "orbit-test-%llu-park",
             (unsigned long long)t->tag);
    snprintf(a.u.park.parker, sizeof a.u.park.parker, "%s", t->user);
    snprintf(a.u.park.parkee, sizeof a.u.park.parkee, "%s", TEST_PARTY);
    json_t *res;
    orbit_err e = engine_op(t->p, ORBIT_OP_CALL_PARK, &a, &res, st);
    if (e)
        return e;
    snprintf(orbit, len, "%s", json_string_value(json_object_get(res, "orbit")));
    json_decref(res);
    memset(&a, 0, sizeof a);
    if (orbit_number_parse(orbit, &a.u.retrieve.orbit) != ORBIT_NUMBER_OK)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "the test call's orbit is unreadable");
    snprintf(a.u.retrieve.by, sizeof a.u.retrieve.by, "%s", TEST_PARTY);
    e = engine_op(t->p, ORBIT_OP_CALL_RETRIEVE, &a, &res, st);
    json_decref(res);
    return e;
}

/* Takes a test call out of its queue again (a pickup not made). */
static void cancel_ring(const test_call *t, const char *call_id)
{
    orbit_cmd_args a;
    orbit_status ignored;
    json_t *res;
    memset(&a, 0, sizeof a);
    snprintf(a.u.call.call_id, sizeof a.u.call.call_id, "%s", call_id);
    engine_op(t->p, ORBIT_OP_PICKUP_CANCEL, &a, &res, &ignored);
    json_decref(res);
}

/* Rings the user's pickup group with a test call and answers it by
 * pickup, unless other calls ring in the group first (pickup answers the
 * oldest: it would take theirs): then *busy and the test call is gone. */
static orbit_err test_pickup(const test_call *t, char *group, size_t len, bool *busy,
                             orbit_status *st)
{
    *busy = false;
    orbit_cmd_args a;
    memset(&a, 0, sizeof a);
    snprintf(a.u.ring.call_id, sizeof a.u.ring.call_id, "orbit-test-%llu-pickup",
             (unsigned long long)t->tag);
    snprintf(a.u.ring.caller, sizeof a.u.ring.caller, "%s", TEST_PARTY);
    snprintf(a.u.ring.callee, sizeof a.u.ring.callee, "%s", t->user);
    json_t *res;
    orbit_err e = engine_op(t->p, ORBIT_OP_PICKUP_RING, &a, &res, st);
    if (e)
        return e;
    bool queued = json_is_true(json_object_get(res, "queued"));
    json_int_t position = json_integer_value(json_object_get(res, "position"));
    snprintf(group, len, "%s", queued ? json_string_value(json_object_get(res, "group")) : "");
    json_decref(res);
    if (!queued)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "the test call was not queued");
    char call_id[ORBIT_CALL_ID_MAX + 1];
    snprintf(call_id, sizeof call_id, "%s", a.u.ring.call_id);
    if (position > 1) {
        *busy = true;
        cancel_ring(t, call_id);
        return ORBIT_OK;
    }
    memset(&a, 0, sizeof a);
    if (orbit_number_parse(group, &a.u.take.group) != ORBIT_NUMBER_OK)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "the test call's group is unreadable");
    snprintf(a.u.take.by, sizeof a.u.take.by, "%s", TEST_PARTY);
    e = engine_op(t->p, ORBIT_OP_PICKUP_TAKE, &a, &res, st);
    json_decref(res);
    if (e)
        cancel_ring(t, call_id); /* leave nothing behind */
    return e;
}

/* The park part, then the pickup part on the first of the home's users'
 * groups whose queue is empty. */
static orbit_err run_test_call(pool *p, const char *home, uint64_t tag, json_t **out,
                               orbit_status *st)
{
    const char *parker = NULL;
    const char *members[TEST_GROUPS_TRIED];
    orbit_number seen[TEST_GROUPS_TRIED];
    size_t nmembers = 0;
    for (size_t i = 0; i < orbit_deployment_user_count(p->dep); i++) {
        const orbit_user *u = orbit_deployment_user_at(p->dep, i);
        if (strcmp(u->home, home) != 0)
            continue;
        if (!parker)
            parker = u->uri;
        bool again = false;
        for (size_t k = 0; k < nmembers; k++)
            again = again || orbit_number_compare(&seen[k], &u->pickup_group) == 0;
        if (u->has_group && !again && nmembers < TEST_GROUPS_TRIED) {
            seen[nmembers] = u->pickup_group;
            members[nmembers++] = u->uri;
        }
    }
    if (!parker)
        return orbit_status_set(st, ORBIT_ERR_NOT_FOUND, "pool",
                                "no user is homed on %s: nobody to test for", home);
    char orbit[ORBIT_NUMBER_BUF] = "", group[ORBIT_NUMBER_BUF] = "";
    test_call t = {p, parker, tag};
    orbit_err e = test_park(&t, orbit, sizeof orbit, st);
    if (e) {
        char why[ORBIT_STATUS_MESSAGE_MAX];
        snprintf(why, sizeof why, "%s", st->message);
        return orbit_status_set(st, e, "pool", "park for %s at %s: %s", parker, pool_fqdn(p), why);
    }
    const char *picked_for = NULL;
    bool busy = true;
    for (size_t k = 0; k < nmembers && busy; k++) {
        t.user = members[k];
        e = test_pickup(&t, group, sizeof group, &busy, st);
        if (e) {
            char why[ORBIT_STATUS_MESSAGE_MAX];
            snprintf(why, sizeof why, "%s", st->message);
            return orbit_status_set(st, e, "pool", "park works; pickup for %s at %s: %s",
                                    members[k], pool_fqdn(p), why);
        }
        if (!busy)
            picked_for = members[k];
    }
    json_t *pickup =
        picked_for ? json_pack("{s:s, s:s}", "user", picked_for, "group", group) : json_null();
    *out = json_pack("{s:s, s:s, s:{s:s, s:s}, s:o, s:s}", "home", home, "serving", pool_fqdn(p),
                     "park", "user", parker, "orbit", orbit, "pickup", pickup, "note",
                     picked_for ? ""
                     : nmembers ? "every pickup group tried had calls ringing: pickup not tried, "
                                  "so as not to take a real call"
                                : "no user of this pool is in a pickup group");
    return *out ? ORBIT_OK : orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
}

pool_op_outcome ops_dr_test_call(const pool_op_call *c, store_batch *batch, json_t **data,
                                 orbit_status *st)
{
    (void)batch;
    pool *p = c->p;
    const char *home = c->args->u.home.pool;
    if (ops_admin_need_pool(p, home, "pool", st))
        return refused();
    const char *serving = orbit_deployment_serving(p->dep, home);
    if (strcmp(serving, pool_fqdn(p)) != 0) {
        orbit_status_set(st, ORBIT_ERR_WRONG_POOL, "pool",
                         "%s's users are served by %s: send the test call there", home, serving);
        return POOL_OP_DONE;
    }
    /* The whole test runs in this one turn of the loop, its events muted:
     * no subscriber, counter or peak sees it. */
    p->muted = true;
    run_test_call(p, home, orbit_rng_next(&p->rng), data, st);
    p->muted = false;
    return POOL_OP_DONE;
}

/* ---- pool.add, users.rehome, pool.retire ---- */

static orbit_err need_down(const pool *p, const char *fqdn, const char *what, orbit_status *st)
{
    if (pool_status_of(p, fqdn) != POOL_STATUS_DOWN)
        return orbit_status_set(st, ORBIT_ERR_CONFLICT, "pool",
                                "%s is %s: %s only a pool that is lost (down)", fqdn,
                                pool_status_name(pool_status_of(p, fqdn)), what);
    return ORBIT_OK;
}

static json_t *dr_row_json(const dr_state *d)
{
    store_dr_row row = {.state = *d};
    return store_dr_to_json(&row);
}

pool_op_outcome ops_dr_pool_add(const pool_op_call *c, store_batch *batch, json_t **data,
                                orbit_status *st)
{
    (void)data;
    pool *p = c->p;
    const orbit_cmd_args *args = c->args;
    const pool_info *exists = orbit_deployment_pool(p->dep, args->u.add.fqdn);
    if (exists) {
        orbit_status_set(st, ORBIT_ERR_CONFLICT, "fqdn",
                         "%s is already in the deployment (site %s, backup %s)", args->u.add.fqdn,
                         exists->site, exists->backup[0] ? exists->backup : "none");
        return POOL_OP_DONE;
    }
    store_write w[5];
    size_t n = 0;
    memset(w, 0, sizeof w);
    pool_info fresh = {.status = POOL_STATUS_UNKNOWN};
    snprintf(fresh.fqdn, sizeof fresh.fqdn, "%s", args->u.add.fqdn);
    snprintf(fresh.site, sizeof fresh.site, "%s", args->u.add.site);
    snprintf(fresh.url, sizeof fresh.url, "%s", args->u.add.url);
    int64_t now = orbit_time_now_ms();
    dr_state new_dr = {.phase = DR_PHASE_NORMAL, .since_ms = now};
    snprintf(new_dr.home, sizeof new_dr.home, "%s", args->u.add.fqdn);
    json_t *dr = json_array();
    if (args->u.add.replaces[0]) {
        const pool_info *old = orbit_deployment_pool(p->dep, args->u.add.replaces);
        if (!old) {
            orbit_status_set(st, ORBIT_ERR_NOT_FOUND, "replaces", "unknown pool %s",
                             args->u.add.replaces);
            json_decref(dr);
            return POOL_OP_DONE;
        }
        const dr_state *od = orbit_deployment_dr(p->dep, old->fqdn);
        if (need_down(p, old->fqdn, "replace", st) ||
            (dr_phase_resiliency(od->phase) &&
             orbit_status_set(st, ORBIT_ERR_CONFLICT, "replaces",
                              "%s's users are %s: replace it once the phase completes", old->fqdn,
                              dr_phase_name(od->phase)))) {
            json_decref(dr);
            return POOL_OP_DONE;
        }
        /* The new pool takes the lost one's place: its pairing, and its
         * users' DR state (failed over users stay with the backup until
         * they fail back to the new pool). */
        snprintf(fresh.backup, sizeof fresh.backup, "%s", old->backup);
        new_dr.phase = od->phase;
        new_dr.since_ms = od->since_ms;
        new_dr.disaster_mode = od->disaster_mode;
        pool_info unpaired = *old;
        unpaired.backup[0] = '\0';
        w[n].kind = STORE_WRITE_POOL_PUT;
        w[n++].u.pool = unpaired;
        dr_state old_dr = {.phase = DR_PHASE_NORMAL, .since_ms = now};
        snprintf(old_dr.home, sizeof old_dr.home, "%s", old->fqdn);
        w[n].kind = STORE_WRITE_DR_PUT;
        w[n++].u.dr.state = old_dr;
        if (json_array_append_new(dr, dr_row_json(&old_dr)) != 0) {
            json_decref(dr);
            return ops_admin_out_of_memory(st);
        }
        if (old->backup[0]) {
            pool_info partner = *orbit_deployment_pool(p->dep, old->backup);
            snprintf(partner.backup, sizeof partner.backup, "%s", args->u.add.fqdn);
            w[n].kind = STORE_WRITE_POOL_PUT;
            w[n++].u.pool = partner;
        }
    }
    w[n].kind = STORE_WRITE_POOL_PUT;
    w[n++].u.pool = fresh;
    w[n].kind = STORE_WRITE_DR_PUT;
    w[n++].u.dr.state = new_dr;
    if (json_array_append_new(dr, dr_row_json(&new_dr)) != 0) {
        json_decref(dr);
        return ops_admin_out_of_memory(st);
    }
    json_t *change = json_pack("{s:o, s:s?, s:s?, s:o}", "pool", store_pool_to_json(&fresh),
                               "replaces", args->u.add.replaces[0] ? args->u.add.replaces : NULL,
                               "backup", fresh.backup[0] ? fresh.backup : NULL, "dr", dr);
    return ops_admin_commit(batch, ORBIT_EV_POOL_ADDED, change, w, n, st);
}

pool_op_outcome ops_dr_users_rehome(const pool_op_call *c, store_batch *batch, json_t **data,
                                    orbit_status *st)
{
    pool *p = c->p;
    const char *from = c->args->u.rehome.from_pool, *to = c->args->u.rehome.to_pool;
    if (ops_admin_need_pool(p, from, "from_pool", st) || ops_admin_need_pool(p, to, "to_pool", st))
        return refused();
    if (strcmp(from, to) == 0) {
        orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "to_pool", "from_pool and to_pool are one");
        return POOL_OP_DONE;
    }
    if (need_down(p, from, "rehome the users of", st))
        return refused();
    size_t count = orbit_deployment_users_homed(p->dep, from);
    if (count == 0) { /* done already: a runbook run again goes through */
        *data = json_pack("{s:s, s:s, s:i}", "from_pool", from, "to_pool", to, "count", 0);
        return *data ? POOL_OP_DONE : ops_admin_out_of_memory(st);
    }
    store_write *writes = calloc(count, sizeof *writes);
    if (!writes)
        return ops_admin_out_of_memory(st);
    size_t n = 0;
    for (size_t i = 0; i < orbit_deployment_user_count(p->dep) && n < count; i++) {
        const orbit_user *u = orbit_deployment_user_at(p->dep, i);
        if (strcmp(u->home, from) != 0)
            continue;
        writes[n].kind = STORE_WRITE_USER_PUT;
        writes[n].u.user = *u;
        snprintf(writes[n++].u.user.home, sizeof u->home, "%s", to);
    }
    json_t *change =
        json_pack("{s:s, s:s, s:I}", "from_pool", from, "to_pool", to, "count", (json_int_t)n);
    pool_op_outcome out = ops_admin_commit(batch, ORBIT_EV_USERS_REHOMED, change, writes, n, st);
    free(writes);
    return out;
}

pool_op_outcome ops_dr_pool_retire(const pool_op_call *c, store_batch *batch, json_t **data,
                                   orbit_status *st)
{
    (void)data;
    pool *p = c->p;
    const char *fqdn = c->args->u.home.pool;
    if (ops_admin_need_pool(p, fqdn, "pool", st) || need_down(p, fqdn, "retire", st))
        return refused();
    const pool_info *old = orbit_deployment_pool(p->dep, fqdn);
    size_t homed = orbit_deployment_users_homed(p->dep, fqdn);
    size_t ranges = orbit_table_select(orbit_deployment_table_const(p->dep), fqdn, NULL, NULL, 0);
    if (old->backup[0] || homed || ranges) {
        orbit_status_set(st, ORBIT_ERR_CONFLICT, "pool", "%s cannot be retired while %s: %s", fqdn,
                         old->backup[0] ? "paired"
                         : homed        ? "users are homed on it"
                                        : "it owns orbit ranges",
                         old->backup[0] ? "replace it first (pool.add with replaces)"
                         : homed        ? "rehome them first (users.rehome)"
                                        : "reassign them first (orbit.reassign)");
        return POOL_OP_DONE;
    }
    store_write w[2];
    memset(w, 0, sizeof w);
    w[0].kind = STORE_WRITE_POOL_DELETE;
    snprintf(w[0].u.fqdn, sizeof w[0].u.fqdn, "%s", fqdn);
    w[1].kind = STORE_WRITE_DR_DELETE;
    snprintf(w[1].u.fqdn, sizeof w[1].u.fqdn, "%s", fqdn);
    json_t *change = json_pack("{s:o}", "pool", store_pool_to_json(old));
    return ops_admin_commit(batch, ORBIT_EV_POOL_RETIRED, change, w, 2, st);
}

/* ---- runbooks ---- */

static dr_runbook *runbook_of(const pool *p, const char *home)
{
    for (size_t i = 0; i < p->nrunbooks; i++) {
        if (strcmp(p->runbooks[i].home, home) == 0)
            return &p->runbooks[i];
    }
    return NULL;
}

/* The change of a runbook: its row (stored as it is, see store.h) with
 * what happened to it. */
static pool_op_outcome commit_runbook(store_batch *batch, const dr_runbook *r, const char *change,
                                      json_t *extra, orbit_status *st)
{
    json_t *data = dr_runbook_to_json(r);
    if (!data || !orbit_json_put(data, "change", json_string(change)) ||
        (extra && json_object_update(data, extra) != 0)) {
        json_decref(data);
        json_decref(extra);
        return ops_admin_out_of_memory(st);
    }
    json_decref(extra);
    store_write w = {.kind = STORE_WRITE_RUNBOOK_PUT};
    snprintf(w.u.fqdn, sizeof w.u.fqdn, "%s", r->home);
    return ops_admin_commit(batch, ORBIT_EV_RUNBOOK_STEP, data, &w, 1, st);
}

static void describe_holder(const dr_runbook *r, char *out, size_t len)
{
    char since[40];
    orbit_time_rfc3339(r->started_ms, since, sizeof since);
    /* Refusals carry 240 characters: the time of day says enough. */
    const dr_runbook_step *at = NULL;
    for (size_t i = 0; i < r->nsteps && !at; i++) {
        if (r->steps[i].state == DR_STEP_RUNNING || r->steps[i].state == DR_STEP_FAILED ||
            r->steps[i].state == DR_STEP_PENDING)
            at = &r->steps[i];
    }
    snprintf(out, len, "%s of %s held by %s since %.8s%s%s%s%s%s", dr_runbook_kind_name(r->kind),
             r->home, r->holder, since + 11, at ? ", at " : "", at ? at->name : "", at ? " (" : "",
             at ? dr_step_state_name(at->state) : "", at ? ")" : "");
}

pool_op_outcome ops_dr_runbook_claim(const pool_op_call *c, store_batch *batch, json_t **data,
                                     orbit_status *st)
{
    (void)data;
    pool *p = c->p;
    const orbit_cmd_args *args = c->args;
    char who[DR_RUNBOOK_WHO_MAX + 1];
    pool_caller_describe(c->caller, who, sizeof who);
    dr_runbook *mine = runbook_of(p, args->u.claim.home);
    bool resumable = mine && dr_runbook_active(mine) && mine->kind == args->u.claim.kind &&
                     strcmp(mine->replacement, args->u.claim.replacement) == 0;
    const pool_info *home = orbit_deployment_pool(p->dep, args->u.claim.home);
    if (!home && !resumable) {
        orbit_status_set(st, ORBIT_ERR_NOT_FOUND, "home", "unknown pool %s", args->u.claim.home);
        return POOL_OP_DONE;
    }
    /* A replacement unpairs the lost pool: its runbook keeps the partner. */
    const char *backup = home && home->backup[0] ? home->backup : mine ? mine->backup : "";
    if (!backup[0]) {
        orbit_status_set(st, ORBIT_ERR_CONFLICT, "home", "%s has no backup pool",
                         args->u.claim.home);
        return POOL_OP_DONE;
    }
    /* One runbook at a time on a pair: any active runbook that touches
     * one of the pools this one works on holds them. */
    for (size_t i = 0; i < p->nrunbooks; i++) {
        const dr_runbook *r = &p->runbooks[i];
        if (!dr_runbook_active(r) || (r == mine && resumable))
            continue;
        if (dr_runbook_touches(r, args->u.claim.home) || dr_runbook_touches(r, backup) ||
            dr_runbook_touches(r, args->u.claim.replacement)) {
            char held[600];
            describe_holder(r, held, sizeof held);
            orbit_status_set(st, ORBIT_ERR_CONFLICT, "home", "busy: the %s; wait, or abandon it",
                             held);
            return POOL_OP_DONE;
        }
    }
    dr_runbook r;
    const char *change = "claimed";
    char previous[DR_RUNBOOK_WHO_MAX + 1] = "";
    bool same_steps = resumable && mine->nsteps == args->u.claim.nsteps;
    for (size_t i = 0; same_steps && i < args->u.claim.nsteps; i++)
        same_steps = strcmp(mine->steps[i].name, args->u.claim.steps[i]) == 0;
    if (resumable) {
        bool same_run = strcmp(mine->run_id, args->u.claim.run_id) == 0;
        bool same_holder = strcmp(mine->holder, who) == 0;
        if (!same_run && !same_holder && !args->u.claim.take_over) {
            char held[600];
            describe_holder(mine, held, sizeof held);
            orbit_status_set(st, ORBIT_ERR_CONFLICT, "home",
                             "busy: the %s; only they resume it (take_over if they stopped)", held);
            return POOL_OP_DONE;
        }
        if (!same_steps) {
            orbit_status_set(st, ORBIT_ERR_CONFLICT, "steps",
                             "the runbook of %s was recorded with other steps: abandon it, then "
                             "start again",
                             args->u.claim.home);
            return POOL_OP_DONE;
        }
        r = *mine;
        change = same_run ? "claimed" : same_holder ? "resumed" : "taken_over";
        if (!same_holder)
            snprintf(previous, sizeof previous, "%s", mine->holder);
    } else {
        memset(&r, 0, sizeof r);
        snprintf(r.home, sizeof r.home, "%s", args->u.claim.home);
        snprintf(r.backup, sizeof r.backup, "%s", backup);
        snprintf(r.replacement, sizeof r.replacement, "%s", args->u.claim.replacement);
        r.kind = args->u.claim.kind;
        r.started_ms = orbit_time_now_ms();
        r.nsteps = args->u.claim.nsteps;
        for (size_t i = 0; i < args->u.claim.nsteps; i++)
            snprintf(r.steps[i].name, sizeof r.steps[i].name, "%s", args->u.claim.steps[i]);
    }
    snprintf(r.run_id, sizeof r.run_id, "%s", args->u.claim.run_id);
    snprintf(r.holder, sizeof r.holder, "%s", who);
    r.disaster_mode = args->u.claim.disaster_mode;
    r.rto_s = args->u.claim.rto_s;
    r.updated_ms = orbit_time_now_ms();
    r.state = dr_runbook_state_of(&r);
    return commit_runbook(batch, &r, change,
                          previous[0] ? json_pack("{s:s}", "previous_holder", previous) : NULL, st);
}

/* The runbook a run may change: it exists, is active and is this run's. */
static dr_runbook *runbook_of_run(pool *p, const char *home, const char *run_id, orbit_status *st)
{
    dr_runbook *r = runbook_of(p, home);
    if (!r) {
        orbit_status_set(st, ORBIT_ERR_NOT_FOUND, "home", "no runbook for %s", home);
        return NULL;
    }
    if (!dr_runbook_active(r)) {
        orbit_status_set(st, ORBIT_ERR_CONFLICT, "home", "the runbook of %s is %s", home,
                         dr_runbook_state_name(r->state));
        return NULL;
    }
    if (strcmp(r->run_id, run_id) != 0) {
        orbit_status_set(st, ORBIT_ERR_CONFLICT, "run_id",
                         "the runbook of %s is now driven by %s: this run stops", home, r->holder);
        return NULL;
    }
    return r;
}

pool_op_outcome ops_dr_runbook_step(const pool_op_call *c, store_batch *batch, json_t **data,
                                    orbit_status *st)
{
    (void)data;
    const orbit_cmd_args *args = c->args;
    dr_runbook *mine = runbook_of_run(c->p, args->u.step.home, args->u.step.run_id, st);
    if (!mine)
        return POOL_OP_DONE;
    int i = dr_runbook_step_index(mine, args->u.step.step);
    if (i < 0) {
        orbit_status_set(st, ORBIT_ERR_NOT_FOUND, "step", "the runbook of %s has no step %s",
                         args->u.step.home, args->u.step.step);
        return POOL_OP_DONE;
    }
    dr_runbook r = *mine;
    dr_runbook_step *s = &r.steps[i];
    int64_t now = orbit_time_now_ms();
    if (args->u.step.state == DR_STEP_RUNNING) {
        if (s->state != DR_STEP_RUNNING)
            s->started_ms = now; /* a failed step run again starts again */
        s->ended_ms = 0;
    } else {
        if (!s->started_ms)
            s->started_ms = now;
        s->ended_ms = now;
    }
    s->state = args->u.step.state;
    snprintf(s->detail, sizeof s->detail, "%s", args->u.step.detail);
    r.updated_ms = now;
    r.state = dr_runbook_state_of(&r);
    return commit_runbook(batch, &r, "step", json_pack("{s:s}", "step", args->u.step.step), st);
}

pool_op_outcome ops_dr_runbook_abandon(const pool_op_call *c, store_batch *batch, json_t **data,
                                       orbit_status *st)
{
    const orbit_cmd_args *args = c->args;
    dr_runbook *mine = runbook_of(c->p, args->u.abandon.home);
    if (!mine) {
        orbit_status_set(st, ORBIT_ERR_NOT_FOUND, "home", "no runbook for %s",
                         args->u.abandon.home);
        return POOL_OP_DONE;
    }
    if (!dr_runbook_active(mine)) { /* nothing holds the pair: done already */
        *data = dr_runbook_to_json(mine);
        return *data ? POOL_OP_DONE : ops_admin_out_of_memory(st);
    }
    dr_runbook r = *mine;
    r.state = DR_RUNBOOK_ABANDONED;
    r.updated_ms = orbit_time_now_ms();
    return commit_runbook(batch, &r, "abandoned",
                          json_pack("{s:s}", "reason", args->u.abandon.reason), st);
}

/* ---- applying ---- */

bool ops_dr_set_runbooks(pool *p, const dr_runbook *rows, size_t n)
{
    dr_runbook *copy = NULL;
    if (n) {
        copy = malloc(n * sizeof *copy);
        if (!copy)
            return false;
        memcpy(copy, rows, n * sizeof *copy);
    }
    free(p->runbooks);
    p->runbooks = copy;
    p->nrunbooks = n;
    return true;
}

json_t *ops_dr_runbooks_json(const pool *p)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < p->nrunbooks; i++) {
        if (json_array_append_new(arr, dr_runbook_to_json(&p->runbooks[i])) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static bool apply_runbook(pool *p, const json_t *data, orbit_status *st)
{
    dr_runbook r;
    if (store_runbook_from_json(data, &r, st) != ORBIT_OK)
        return false;
    dr_runbook *mine = runbook_of(p, r.home);
    if (mine) {
        *mine = r;
        return true;
    }
    dr_runbook *grown = realloc(p->runbooks, (p->nrunbooks + 1) * sizeof *grown);
    if (!grown)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory") == ORBIT_OK;
    p->runbooks = grown;
    p->runbooks[p->nrunbooks++] = r;
    return true;
}

/* The registry as it is, with one pool's row replaced, added (fresh) or
 * removed (drop); the caller frees it. */
static pool_info *registry_with(const pool *p, const pool_info *fresh, const char *drop, size_t *n)
{
    size_t count = orbit_deployment_pool_count(p->dep);
    pool_info *list = calloc(count + 1, sizeof *list);
    *n = 0;
    for (size_t i = 0; list && i < count; i++) {
        const pool_info *info = orbit_deployment_pool_at(p->dep, i);
        if (drop && strcmp(info->fqdn, drop) == 0)
            continue;
        list[(*n)++] = *info;
    }
    if (list && fresh)
        list[(*n)++] = *fresh;
    return list;
}

static bool apply_pool_added(pool *p, json_t *ev, const json_t *data, orbit_status *st)
{
    pool_info fresh;
    if (store_pool_from_json(json_object_get(data, "pool"), &fresh, st) != ORBIT_OK)
        return false;
    const char *old = json_string_value(json_object_get(data, "replaces"));
    size_t n;
    pool_info *list = registry_with(p, &fresh, NULL, &n);
    if (!list)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory") == ORBIT_OK;
    for (size_t i = 0; i < n; i++) {
        if (old && strcmp(list[i].fqdn, old) == 0)
            list[i].backup[0] = '\0';
        else if (fresh.backup[0] && strcmp(list[i].fqdn, fresh.backup) == 0)
            snprintf(list[i].backup, sizeof list[i].backup, "%s", fresh.fqdn);
    }
    orbit_err e = orbit_deployment_set_pools(p->dep, list, n, st);
    free(list);
    if (e)
        return false;
    const json_t *row;
    size_t i;
    json_array_foreach(json_object_get(data, "dr"), i, row)
    {
        store_dr_row dr;
        if (store_dr_from_json(row, &dr, st) != ORBIT_OK)
            return false;
        orbit_deployment_set_dr(p->dep, &dr.state);
    }
    /* The event shows the derived DR states (serving pool, redirect flag). */
    json_t *states = json_array();
    json_array_foreach(json_object_get(data, "dr"), i, row)
    {
        const dr_state *d =
            orbit_deployment_dr(p->dep, json_string_value(json_object_get(row, "home")));
        if (d)
            json_array_append_new(states, orbit_json_from_dr(d));
    }
    orbit_json_put(ev, "dr", states);
    return true;
}

static bool apply_pool_retired(pool *p, const json_t *data, orbit_status *st)
{
    const char *gone = json_string_value(json_object_get(json_object_get(data, "pool"), "fqdn"));
    if (!gone)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "no pool in the change") == ORBIT_OK;
    size_t n;
    pool_info *list = registry_with(p, NULL, gone, &n);
    if (!list)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory") == ORBIT_OK;
    orbit_err e = orbit_deployment_set_pools(p->dep, list, n, st);
    free(list);
    return e == ORBIT_OK;
}

static bool apply_users_rehomed(pool *p, json_t *ev, const json_t *data, orbit_status *st)
{
    const char *from = json_string_value(json_object_get(data, "from_pool"));
    const char *to = json_string_value(json_object_get(data, "to_pool"));
    if (!from || !to || !orbit_deployment_pool(p->dep, to))
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "users.rehomed names no known pool") ==
               ORBIT_OK;
    size_t n = orbit_deployment_user_count(p->dep);
    orbit_user *users = malloc((n ? n : 1) * sizeof *users);
    bool *before = pool_redirect_flags(p);
    if (!users || !before) {
        free(users);
        free(before);
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory") == ORBIT_OK;
    }
    for (size_t i = 0; i < n; i++) {
        users[i] = *orbit_deployment_user_at(p->dep, i);
        if (strcmp(users[i].home, from) == 0)
            snprintf(users[i].home, sizeof users[i].home, "%s", to);
    }
    orbit_err e = orbit_deployment_set_users(p->dep, users, n, st);
    free(users);
    if (e) {
        free(before);
        return false;
    }
    json_t *states = json_array();
    const char *homes[2] = {from, to};
    for (int k = 0; k < 2; k++) {
        const dr_state *d = orbit_deployment_dr(p->dep, homes[k]);
        if (d)
            json_array_append_new(states, orbit_json_from_dr(d));
    }
    orbit_json_put(ev, "dr", states);
    pool_emit(p, ORBIT_EV_USERS_REHOMED, json_incref(ev));
    pool_emit_redirect_changes(p, before, NULL);
    free(before);
    return true;
}

bool ops_dr_apply(pool *p, orbit_event_kind kind, json_t *ev, const json_t *data, orbit_status *st)
{
    bool ok;
    switch (kind) {
    case ORBIT_EV_POOL_ADDED:
        ok = apply_pool_added(p, ev, data, st);
        break;
    case ORBIT_EV_POOL_RETIRED:
        ok = apply_pool_retired(p, data, st);
        break;
    case ORBIT_EV_USERS_REHOMED:
        /* emits its own event, then the redirect flags it changed */
        return apply_users_rehomed(p, ev, data, st);
    case ORBIT_EV_RUNBOOK_STEP:
        ok = apply_runbook(p, data, st);
        break;
    default:
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "a %s change is not kept in the store",
                                orbit_event_name(kind)) == ORBIT_OK;
    }
    if (ok) {
        if (kind != ORBIT_EV_RUNBOOK_STEP)
            p->usage_dirty = true;
        pool_emit(p, kind, json_incref(ev));
    }
    return ok;
}
