/* sim_phones: traffic generation, call tracking and result classing. */
#include "sim_phones.h"

#include "orbit_event.h"
#include "orbit_json.h"
#include "orbit_map.h"
#include "orbit_rng.h"
#include "orbit_time.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Changes this recent excuse a refusal that a slightly older view of
 * the deployment explains (the pools see changes within a poll). */
#define SIM_RACE_WINDOW_MS 3000
#define SIM_TICK_MS        20

typedef enum { CALL_PARKED, CALL_QUEUED } call_kind;

typedef enum {
    ACT_NONE = 0,
    ACT_RETRIEVE,
    ACT_RINGBACK_ANSWER,
    ACT_TAKE,
    ACT_ANSWER,
    ACT_CANCEL,
} call_action;

typedef struct {
    char call_id[ORBIT_CALL_ID_MAX + 1];
    call_kind kind;
    char pool[ORBIT_FQDN_MAX + 1]; /* where it is held */
    orbit_number number;           /* orbit, or pickup group */
    const orbit_user *user;        /* parker, or callee */
    call_action action;
    int64_t action_ms; /* monotonic */
    bool in_flight;
} sim_call;

typedef struct {
    char fqdn[ORBIT_FQDN_MAX + 1];
    const orbit_user **users;
    size_t nusers;
    const orbit_user **grouped;
    size_t ngrouped;
    int64_t next_park_ms, next_ring_ms;
} sim_pool;

struct sim_phones {
    const sim_profile *p;
    double scale;
    orbit_rng rng;
    sim_stats stats;
    client_hub *hub;
    orbit_user *users;
    size_t nusers;
    sim_pool *pools;
    size_t npools;
    orbit_map *calls;     /* call_id -> sim_call */
    orbit_map *dr_change; /* home fqdn -> last DR change (packed ms) */
    int64_t range_change_ms;
    uint64_t seq;
    char prefix[32];
};

typedef struct {
    sim_phones *s;
    orbit_op op;
    char call_id[ORBIT_CALL_ID_MAX + 1];
    const orbit_user *user;
    char target[ORBIT_FQDN_MAX + 1];
} sim_req;

/* ---- time and randomness ---- */

static int64_t mono(void)
{
    return orbit_time_mono_ms();
}

/* A domain duration in real milliseconds. */
static int64_t domain_ms(const sim_phones *s, double seconds)
{
    return (int64_t)(seconds * 1000.0 / s->scale);
}

static double uniform(sim_phones *s, double lo, double hi)
{
    return lo + (hi - lo) * orbit_rng_unit(&s->rng);
}

/* Exponentially distributed with the given mean (Poisson arrivals). */
static double exponential(sim_phones *s, double mean)
{
    double u = orbit_rng_unit(&s->rng);
    return -mean * log(1.0 - u);
}

static int64_t next_arrival(sim_phones *s, double per_min)
{
    if (per_min <= 0)
        return INT64_MAX;
    return (int64_t)exponential(s, 60000.0 / per_min / s->scale);
}

/* ---- the deployment as the pools report it ---- */

/* A mirror that is live, to read DR state and the orbit table from. */
static const client_mirror *live_mirror(const sim_phones *s)
{
    for (size_t i = 0; i < client_hub_count(s->hub); i++) {
        client_conn *c = client_hub_at(s->hub, i);
        if (client_conn_get_state(c) == CLIENT_CONN_LIVE)
            return client_conn_mirror(c);
    }
    return NULL;
}

static client_conn *live_conn(const sim_phones *s, const char *fqdn)
{
    client_conn *c = client_hub_find(s->hub, fqdn);
    return c && client_conn_get_state(c) == CLIENT_CONN_LIVE ? c : NULL;
}

static bool recent(int64_t when)
{
    return when && mono() - when < SIM_RACE_WINDOW_MS;
}

static int64_t dr_changed_at(const sim_phones *s, const char *home)
{
    void *v = orbit_map_get(s->dr_change, home);
    return v ? (int64_t)(intptr_t)v : 0;
}

/* ---- tracking ---- */

static sim_call *track(sim_phones *s, const char *call_id, call_kind kind, const char *pool,
                       const orbit_number *n, const orbit_user *u)
{
    sim_call *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    snprintf(c->call_id, sizeof c->call_id, "%s", call_id);
    c->kind = kind;
    snprintf(c->pool, sizeof c->pool, "%s", pool);
    c->number = *n;
    c->user = u;
    if (!orbit_map_put(s->calls, c->call_id, c)) {
        free(c);
        return NULL;
    }
    return c;
}

static void untrack(sim_phones *s, const char *call_id, sim_outcome outcome)
{
    sim_call *c = orbit_map_remove(s->calls, call_id);
    if (!c)
        return;
    sim_stats_outcome(&s->stats, outcome);
    free(c);
}

/* ---- results ---- */

static bool expected_refusal(sim_phones *s, const sim_req *r, const orbit_status *err)
{
    switch (err->code) {
    case ORBIT_ERR_RESILIENCY_MODE:
    case ORBIT_ERR_PICKUP_UNAVAILABLE:
    case ORBIT_ERR_POOL_UNREACHABLE:
        return true;
    case ORBIT_ERR_NOT_FOUND:
        /* The call ended (timer, DR, the FIFO served another) before the
         * request arrived; its end was reported first. */
        if (r->op == ORBIT_OP_PICKUP_TAKE)
            return true;
        return r->call_id[0] && !orbit_map_get(s->calls, r->call_id);
    case ORBIT_ERR_CONFLICT:
        /* A ring-back that ended just as the parker answered it. */
        return r->op == ORBIT_OP_CALL_RINGBACK_ANSWER;
    case ORBIT_ERR_NOT_SERVED_HERE:
        return r->user && recent(dr_changed_at(s, r->user->home));
    case ORBIT_ERR_WRONG_POOL:
        return recent(s->range_change_ms) || (r->user && recent(dr_changed_at(s, r->user->home)));
    default:
        return false;
    }
}

static sim_req *request(sim_phones *s, orbit_op op, const char *call_id, const orbit_user *u,
                        const char *target)
{
    sim_req *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->s = s;
    r->op = op;
    snprintf(r->call_id, sizeof r->call_id, "%s", call_id ? call_id : "");
    r->user = u;
    snprintf(r->target, sizeof r->target, "%s", target ? target : "");
    return r;
}

static void refused(sim_phones *s, const sim_req *r, const orbit_status *err)
{
    bool expected = expected_refusal(s, r, err);
    sim_stats_refused(&s->stats, r->op, err, expected);
    if (!expected)
        fprintf(stderr, "orbit-sim: unexpected %s from %s: %s (%s)\n", orbit_err_name(err->code),
                r->target, orbit_op_name(r->op), err->message);
}

static void on_result(void *ctx, client_conn *conn, bool ok, const json_t *data,
                      const orbit_status *err)
{
    (void)conn;
    sim_req *r = ctx;
    sim_phones *s = r->s;
    sim_call *c = r->call_id[0] ? orbit_map_get(s->calls, r->call_id) : NULL;
    if (c)
        c->in_flight = false;
    if (!ok) {
        refused(s, r, err);
        free(r);
        return;
    }
    sim_stats_ok(&s->stats, r->op);
    switch (r->op) {
    case ORBIT_OP_CALL_PARK: {
        orbit_number n;
        orbit_status st;
        if (orbit_json_get_number(data, "orbit", true, &n, &st) > 0) {
            sim_call *pc = track(s, r->call_id, CALL_PARKED, r->target, &n, r->user);
            if (pc) {
                pc->action = ACT_RETRIEVE;
                pc->action_ms = mono() + domain_ms(s, exponential(s, s->p->park_mean_s));
            }
        }
        break;
    }
    case ORBIT_OP_CALL_RETRIEVE:
        untrack(s, r->call_id, SIM_OUT_RETRIEVED);
        break;
    case ORBIT_OP_CALL_RINGBACK_ANSWER:
        untrack(s, r->call_id, SIM_OUT_RINGBACK_ANSWERED);
        break;
    case ORBIT_OP_PICKUP_RING:
        if (json_is_true(json_object_get(data, "queued"))) {
            const orbit_user *u = r->user;
            sim_call *qc = track(s, r->call_id, CALL_QUEUED, r->target, &u->pickup_group, u);
            if (qc) {
                double x = orbit_rng_unit(&s->rng);
                const sim_profile *p = s->p;
                if (x < p->take_p) {
                    qc->action = ACT_TAKE;
                    qc->action_ms = mono() + domain_ms(s, uniform(s, 2, 8));
                } else if (x < p->take_p + p->answer_p) {
                    qc->action = ACT_ANSWER;
                    qc->action_ms = mono() + domain_ms(s, uniform(s, 3, 12));
                } else if (x < p->take_p + p->answer_p + p->cancel_p) {
                    qc->action = ACT_CANCEL;
                    qc->action_ms = mono() + domain_ms(s, uniform(s, 5, 20));
                }
            }
        }
        break;
    case ORBIT_OP_PICKUP_TAKE: {
        /* The pool answers the longest-ringing call, maybe not ours. */
        const char *taken = json_string_value(json_object_get(data, "call_id"));
        if (taken)
            untrack(s, taken, SIM_OUT_PICKED_UP);
        break;
    }
    case ORBIT_OP_PICKUP_ANSWER:
        untrack(s, r->call_id, SIM_OUT_ANSWERED);
        break;
    case ORBIT_OP_PICKUP_CANCEL:
        untrack(s, r->call_id, SIM_OUT_CANCELLED);
        break;
    default:
        break;
    }
    free(r);
}

/* Sends an op to a pool, counting an unreachable pool as refused. */
static void send_op(sim_phones *s, const char *target, sim_req *r, json_t *args)
{
    if (!r) {
        json_decref(args);
        return;
    }
    orbit_status st;
    client_conn *conn = target && *target ? live_conn(s, target) : NULL;
    if (!conn) {
        json_decref(args);
        orbit_status_set(&st, ORBIT_ERR_POOL_UNREACHABLE, "", "%s is not reachable",
                         target && *target ? target : "the serving pool");
        refused(s, r, &st);
        free(r);
        return;
    }
    if (!client_conn_cmd(conn, orbit_op_name(r->op), args, on_result, r, &st)) {
        refused(s, r, &st);
        free(r);
        return;
    }
    sim_call *c = r->call_id[0] ? orbit_map_get(s->calls, r->call_id) : NULL;
    if (c)
        c->in_flight = true;
}

/* ---- traffic ---- */

static void place_park(sim_phones *s, sim_pool *pool)
{
    if (!pool->nusers)
        return;
    const client_mirror *m = live_mirror(s);
    if (!m)
        return;
    const orbit_user *u = pool->users[orbit_rng_below(&s->rng, pool->nusers)];
    const dr_state *d = client_mirror_dr(m, u->home);
    char call_id[ORBIT_CALL_ID_MAX + 1];
    snprintf(call_id, sizeof call_id, "%s-p%llu", s->prefix, (unsigned long long)++s->seq);
    json_t *args = json_pack("{s:s, s:s, s:s}", "call_id", call_id, "parker", u->uri, "parkee",
                             "tel:+15550100");
    const char *serving = d ? d->serving : u->home;
    send_op(s, serving, request(s, ORBIT_OP_CALL_PARK, call_id, u, serving), args);
}

static void place_ring(sim_phones *s, sim_pool *pool)
{
    if (!pool->ngrouped)
        return;
    const client_mirror *m = live_mirror(s);
    if (!m)
        return;
    const orbit_user *u = pool->grouped[orbit_rng_below(&s->rng, pool->ngrouped)];
    const orbit_range *owner = orbit_table_owner_of(client_mirror_orbits(m), &u->pickup_group);
    char call_id[ORBIT_CALL_ID_MAX + 1];
    snprintf(call_id, sizeof call_id, "%s-q%llu", s->prefix, (unsigned long long)++s->seq);
    json_t *args = json_pack("{s:s, s:s, s:s}", "call_id", call_id, "caller", "tel:+15550199",
                             "callee", u->uri);
    const char *target = owner ? owner->pool : "";
    send_op(s, target, request(s, ORBIT_OP_PICKUP_RING, call_id, u, target), args);
}

static void act(sim_phones *s, sim_call *c)
{
    char num[ORBIT_NUMBER_BUF];
    orbit_number_format(&c->number, num, sizeof num);
    call_action a = c->action;
    c->action = ACT_NONE;
    switch (a) {
    case ACT_RETRIEVE: {
        /* Retrieval goes to the pool owning the orbit's range. */
        const client_mirror *m = live_mirror(s);
        const orbit_range *r = m ? orbit_table_owner_of(client_mirror_orbits(m), &c->number) : NULL;
        const char *target = r ? r->pool : c->pool;
        send_op(s, target, request(s, ORBIT_OP_CALL_RETRIEVE, c->call_id, c->user, target),
                json_pack("{s:s, s:s}", "orbit", num, "by", "sip:retriever@example.net"));
        break;
    }
    case ACT_RINGBACK_ANSWER:
        send_op(s, c->pool, request(s, ORBIT_OP_CALL_RINGBACK_ANSWER, c->call_id, c->user, c->pool),
                json_pack("{s:s}", "call_id", c->call_id));
        break;
    case ACT_TAKE: {
        /* Someone in the deployment dials the group number. */
        const orbit_user *by = &s->users[orbit_rng_below(&s->rng, s->nusers)];
        send_op(s, c->pool, request(s, ORBIT_OP_PICKUP_TAKE, NULL, by, c->pool),
                json_pack("{s:s, s:s}", "group", num, "by", by->uri));
        break;
    }
    case ACT_ANSWER:
        send_op(s, c->pool, request(s, ORBIT_OP_PICKUP_ANSWER, c->call_id, c->user, c->pool),
                json_pack("{s:s}", "call_id", c->call_id));
        break;
    case ACT_CANCEL:
        send_op(s, c->pool, request(s, ORBIT_OP_PICKUP_CANCEL, c->call_id, c->user, c->pool),
                json_pack("{s:s}", "call_id", c->call_id));
        break;
    case ACT_NONE:
        break;
    }
}

static void on_tick(void *ctx, int64_t now_ms)
{
    (void)now_ms;
    sim_phones *s = ctx;
    int64_t now = mono();
    for (size_t i = 0; i < s->npools; i++) {
        sim_pool *p = &s->pools[i];
        for (int guard = 0; now >= p->next_park_ms && guard < 1000; guard++) {
            place_park(s, p);
            p->next_park_ms += next_arrival(s, s->p->parks_per_min);
        }
        for (int guard = 0; now >= p->next_ring_ms && guard < 1000; guard++) {
            place_ring(s, p);
            p->next_ring_ms += next_arrival(s, s->p->rings_per_min);
        }
    }
    size_t pos = 0;
    void *v;
    sim_call *due[256];
    size_t ndue = 0;
    while (ndue < 256 && orbit_map_next(s->calls, &pos, NULL, &v)) {
        sim_call *c = v;
        if (c->action != ACT_NONE && !c->in_flight && now >= c->action_ms)
            due[ndue++] = c;
    }
    for (size_t i = 0; i < ndue; i++)
        act(s, due[i]);
}

/* ---- events ---- */

static bool ours(const sim_phones *s, const char *call_id)
{
    return call_id && strncmp(call_id, s->prefix, strlen(s->prefix)) == 0;
}

static void on_event(void *ctx, client_conn *c, const char *name, const json_t *data,
                     unsigned changed)
{
    (void)c;
    (void)changed;
    sim_phones *s = ctx;
    orbit_event_kind kind;
    if (!orbit_event_from_name(name, &kind))
        return;
    if (kind == ORBIT_EV_DR_CHANGED) {
        const char *home = json_string_value(json_object_get(data, "home"));
        if (home)
            orbit_map_put(s->dr_change, home, (void *)(intptr_t)mono());
        return;
    }
    if (orbit_event_class_of(kind) == ORBIT_EVCLASS_ORBITS) {
        s->range_change_ms = mono();
        return;
    }
    const char *call_id = json_string_value(json_object_get(data, "call_id"));
    if (!ours(s, call_id))
        return;
    sim_call *call = orbit_map_get(s->calls, call_id);
    switch (kind) {
    case ORBIT_EV_CALL_RINGBACK:
        if (call && orbit_rng_unit(&s->rng) < s->p->ringback_answer_p) {
            call->action = ACT_RINGBACK_ANSWER;
            call->action_ms = mono() + domain_ms(s, uniform(s, 1, 5));
        }
        break;
    case ORBIT_EV_CALL_REPARKED:
        if (call && call->action == ACT_RINGBACK_ANSWER)
            call->action = ACT_RETRIEVE;
        break;
    case ORBIT_EV_CALL_FORWARDED:
        untrack(s, call_id, SIM_OUT_FORWARDED);
        break;
    case ORBIT_EV_CALL_DISCONNECTED: {
        const char *reason = json_string_value(json_object_get(data, "reason"));
        untrack(s, call_id,
                reason && strcmp(reason, "timeout") == 0 ? SIM_OUT_DISCONNECTED_TIMEOUT
                                                         : SIM_OUT_DISCONNECTED_DR);
        break;
    }
    case ORBIT_EV_PICKUP_VOICEMAIL:
        untrack(s, call_id, SIM_OUT_VOICEMAIL);
        break;
    case ORBIT_EV_PICKUP_DROPPED:
        untrack(s, call_id, SIM_OUT_DROPPED_DR);
        break;
    case ORBIT_EV_PICKUP_TAKEN:
        untrack(s, call_id, SIM_OUT_PICKED_UP);
        break;
    case ORBIT_EV_PICKUP_UNPICKABLE:
        if (call && call->action == ACT_TAKE)
            call->action = ACT_NONE; /* nobody can pick it up any more */
        break;
    default:
        break;
    }
}

/* A pool that went away took its calls with it. */
static void on_conn(void *ctx, client_conn *conn)
{
    sim_phones *s = ctx;
    if (client_conn_get_state(conn) != CLIENT_CONN_IDLE)
        return;
    const char *fqdn = client_conn_fqdn(conn);
    size_t pos = 0;
    const char *key;
    void *v;
    char(*gone)[ORBIT_CALL_ID_MAX + 1] = NULL;
    size_t n = 0, cap = 0;
    while (orbit_map_next(s->calls, &pos, &key, &v)) {
        if (strcmp(((sim_call *)v)->pool, fqdn) != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            void *grown = realloc(gone, cap * sizeof *gone);
            if (!grown)
                break;
            gone = grown;
        }
        snprintf(gone[n++], sizeof gone[0], "%s", key);
    }
    for (size_t i = 0; i < n; i++)
        untrack(s, gone[i], SIM_OUT_LOST_WITH_POOL);
    free(gone);
}

void sim_phones_hooks(client_hooks *h)
{
    memset(h, 0, sizeof *h);
    h->on_event = on_event;
    h->on_conn = on_conn;
}

/* ---- setup ---- */

static int cmp_user_home(const void *a, const void *b)
{
    return strcmp(((const orbit_user *)a)->home, ((const orbit_user *)b)->home);
}

sim_phones *sim_phones_new(const sim_profile *p, double scale, uint64_t seed,
                           const orbit_user *users, size_t nusers)
{
    sim_phones *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->p = p;
    s->scale = scale > 0 ? scale : 1.0;
    if (seed)
        orbit_rng_seed(&s->rng, seed);
    else
        orbit_rng_seed_os(&s->rng);
    snprintf(s->prefix, sizeof s->prefix, "sim%ld-%04x", (long)getpid(),
             (unsigned)(orbit_rng_next(&s->rng) & 0xffff));
    s->calls = orbit_map_new();
    s->dr_change = orbit_map_new();
    s->users = malloc((nusers ? nusers : 1) * sizeof *s->users);
    if (!s->calls || !s->dr_change || !s->users) {
        sim_phones_free(s);
        return NULL;
    }
    memcpy(s->users, users, nusers * sizeof *users);
    s->nusers = nusers;
    qsort(s->users, nusers, sizeof *s->users, cmp_user_home);
    /* One sim_pool per home pool, with its users and grouped users. */
    for (size_t i = 0; i < nusers;) {
        size_t j = i;
        while (j < nusers && strcmp(s->users[j].home, s->users[i].home) == 0)
            j++;
        sim_pool *grown = realloc(s->pools, (s->npools + 1) * sizeof *grown);
        if (!grown) {
            sim_phones_free(s);
            return NULL;
        }
        s->pools = grown;
        sim_pool *pool = &s->pools[s->npools++];
        memset(pool, 0, sizeof *pool);
        snprintf(pool->fqdn, sizeof pool->fqdn, "%s", s->users[i].home);
        pool->users = malloc((j - i) * sizeof *pool->users);
        pool->grouped = malloc((j - i) * sizeof *pool->grouped);
        if (!pool->users || !pool->grouped) {
            sim_phones_free(s);
            return NULL;
        }
        for (size_t k = i; k < j; k++) {
            pool->users[pool->nusers++] = &s->users[k];
            if (s->users[k].has_group)
                pool->grouped[pool->ngrouped++] = &s->users[k];
        }
        i = j;
    }
    return s;
}

bool sim_phones_attach(sim_phones *s, client_hub *hub)
{
    s->hub = hub;
    int64_t now = mono();
    for (size_t i = 0; i < s->npools; i++) {
        s->pools[i].next_park_ms = now + next_arrival(s, s->p->parks_per_min);
        s->pools[i].next_ring_ms = now + next_arrival(s, s->p->rings_per_min);
    }
    return client_hub_every(hub, SIM_TICK_MS, on_tick, s);
}

void sim_phones_free(sim_phones *s)
{
    if (!s)
        return;
    size_t pos = 0;
    void *v;
    while (s->calls && orbit_map_next(s->calls, &pos, NULL, &v))
        free(v);
    orbit_map_free(s->calls);
    orbit_map_free(s->dr_change);
    for (size_t i = 0; i < s->npools; i++) {
        free(s->pools[i].users);
        free(s->pools[i].grouped);
    }
    free(s->pools);
    free(s->users);
    free(s);
}

const sim_stats *sim_phones_stats(const sim_phones *s)
{
    return &s->stats;
}

size_t sim_phones_tracked(const sim_phones *s)
{
    return orbit_map_count(s->calls);
}
