/* client_mirror: snapshot loading and event application. */
#include "client_mirror.h"

#include "orbit_event.h"

#include "orbit_json.h"
#include "orbit_map.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct client_mirror {
    bool loaded;
    client_pool_self self;
    pool_info *pools;
    size_t npools;
    dr_state *dr;
    size_t ndr;
    orbit_table *orbits;
    orbit_map *in_use; /* identity -> count + 1, packed in the pointer */
    cps_settings config;
    moh_info moh;
    orbit_map *parked_by_id;    /* call_id -> client_parked (owned; keys borrowed) */
    orbit_map *parked_by_orbit; /* orbit text -> the same (keys borrowed) */
    orbit_map *queues;          /* group text -> client_queue (owned) */
    orbit_map *queued_by_id;    /* call_id -> client_queue */
    size_t nqueued;
    dr_runbook *runbooks;
    size_t nrunbooks;
    unsigned members; /* while loading: the MEMBER_* bits seen */
};

/* ---- small helpers ---- */

static void *count_pack(uint32_t n)
{
    return (void *)(uintptr_t)((uintptr_t)n + 1u);
}

static uint32_t count_unpack(void *p)
{
    return p ? (uint32_t)((uintptr_t)p - 1u) : 0;
}

static void free_values(orbit_map *m)
{
    size_t pos = 0;
    void *v;
    while (m && orbit_map_next(m, &pos, NULL, &v))
        free(v);
}

static void free_queues(orbit_map *m)
{
    size_t pos = 0;
    void *v;
    while (m && orbit_map_next(m, &pos, NULL, &v)) {
        client_queue *q = v;
        free(q->calls);
        free(q);
    }
}

client_mirror *client_mirror_new(void)
{
    client_mirror *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->orbits = orbit_table_new();
    m->in_use = orbit_map_new();
    m->parked_by_id = orbit_map_new_borrowed();
    m->parked_by_orbit = orbit_map_new_borrowed();
    m->queues = orbit_map_new();
    m->queued_by_id = orbit_map_new();
    cps_settings_default(&m->config);
    if (!m->orbits || !m->in_use || !m->parked_by_id || !m->parked_by_orbit || !m->queues ||
        !m->queued_by_id) {
        client_mirror_free(m);
        return NULL;
    }
    return m;
}

void client_mirror_free(client_mirror *m)
{
    if (!m)
        return;
    free(m->pools);
    free(m->dr);
    free(m->runbooks);
    orbit_table_free(m->orbits);
    orbit_map_free(m->in_use);
    free_values(m->parked_by_id);
    orbit_map_free(m->parked_by_id);
    orbit_map_free(m->parked_by_orbit);
    free_queues(m->queues);
    orbit_map_free(m->queues);
    orbit_map_free(m->queued_by_id);
    free(m);
}

static const char *number_key(const orbit_number *n, char buf[ORBIT_NUMBER_BUF])
{
    return orbit_number_format(n, buf, ORBIT_NUMBER_BUF);
}

/* Adjusts the in-use count of the range holding n, when this pool owns it
 * (the only counts its events keep current). Not while a snapshot loads:
 * its in_use already counts the calls it lists. */
static void bump_in_use(client_mirror *m, const orbit_number *n, int delta)
{
    if (!m->loaded)
        return;
    const orbit_range *r = orbit_table_owner_of(m->orbits, n);
    if (!r || strcmp(r->pool, m->self.fqdn) != 0)
        return;
    uint32_t now = count_unpack(orbit_map_get(m->in_use, r->identity));
    if (delta < 0 && now == 0)
        return;
    orbit_map_put(m->in_use, r->identity, count_pack(delta < 0 ? now - 1 : now + 1));
}

/* ---- parked calls ---- */

void client_parked_to_call(const client_parked *p, parked_call *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->call_id, sizeof out->call_id, "%s", client_parked_call_id(p));
    snprintf(out->parker, sizeof out->parker, "%s", client_parked_parker(p));
    snprintf(out->parkee, sizeof out->parkee, "%s", client_parked_parkee(p));
    out->orbit = p->orbit;
    out->parked_ms = p->parked_ms;
    out->deadline_ms = p->deadline_ms;
    out->attempt = p->attempt;
    out->state = (parked_state)p->state;
    out->music_on_hold = p->music_on_hold;
    out->transport = (call_transport)p->transport;
}

static void parked_set_scalars(client_parked *p, const parked_call *c)
{
    p->parked_ms = c->parked_ms;
    p->deadline_ms = c->deadline_ms;
    p->attempt = (uint8_t)(c->attempt < 0 ? 0 : c->attempt > UINT8_MAX ? UINT8_MAX : c->attempt);
    p->state = (uint8_t)c->state;
    p->music_on_hold = c->music_on_hold;
    p->transport = (uint8_t)c->transport;
}

/* One allocation: the call, then its strings. Both maps key on strings
 * held in it (call_id in text, the orbit in orbit_key). */
static client_parked *parked_make(const parked_call *c)
{
    size_t id = strnlen(c->call_id, sizeof c->call_id - 1);
    size_t parker = strnlen(c->parker, sizeof c->parker - 1);
    size_t parkee = strnlen(c->parkee, sizeof c->parkee - 1);
    client_parked *p = malloc(offsetof(client_parked, text) + id + parker + parkee + 3);
    if (!p)
        return NULL;
    p->orbit = c->orbit;
    number_key(&c->orbit, p->orbit_key);
    p->parker_at = (uint16_t)(id + 1);
    p->parkee_at = (uint16_t)(id + 1 + parker + 1);
    memcpy(p->text, c->call_id, id);
    p->text[id] = '\0';
    memcpy(p->text + p->parker_at, c->parker, parker);
    p->text[p->parker_at + parker] = '\0';
    memcpy(p->text + p->parkee_at, c->parkee, parkee);
    p->text[p->parkee_at + parkee] = '\0';
    parked_set_scalars(p, c);
    return p;
}

static bool same_parties(const client_parked *p, const parked_call *c)
{
    return strcmp(client_parked_parker(p), c->parker) == 0 &&
           strcmp(client_parked_parkee(p), c->parkee) == 0;
}

static bool parked_remove(client_mirror *m, const char *call_id)
{
    client_parked *p = orbit_map_remove(m->parked_by_id, call_id);
    if (!p)
        return false;
    orbit_map_remove(m->parked_by_orbit, p->orbit_key);
    bump_in_use(m, &p->orbit, -1);
    free(p);
    return true;
}

static bool parked_insert(client_mirror *m, const parked_call *c)
{
    client_parked *p = parked_make(c);
    if (!p)
        return false;
    if (!orbit_map_put(m->parked_by_id, client_parked_call_id(p), p)) {
        free(p);
        return false;
    }
    /* Another call on the same orbit cannot be: the orbit has one call. */
    client_parked *before = orbit_map_get(m->parked_by_orbit, p->orbit_key);
    if (before)
        parked_remove(m, client_parked_call_id(before));
    if (!orbit_map_put(m->parked_by_orbit, p->orbit_key, p)) {
        orbit_map_remove(m->parked_by_id, client_parked_call_id(p));
        free(p);
        return false;
    }
    bump_in_use(m, &p->orbit, +1);
    return true;
}

static bool parked_upsert(client_mirror *m, const parked_call *c)
{
    client_parked *have = orbit_map_get(m->parked_by_id, c->call_id);
    if (!have)
        return parked_insert(m, c);
    if (!same_parties(have, c)) {
        parked_remove(m, c->call_id);
        return parked_insert(m, c);
    }
    if (orbit_number_compare(&have->orbit, &c->orbit) != 0) {
        /* Moved to another orbit: its key is its orbit's text. */
        char key[ORBIT_NUMBER_BUF];
        client_parked *there = orbit_map_get(m->parked_by_orbit, number_key(&c->orbit, key));
        if (there && there != have)
            parked_remove(m, client_parked_call_id(there));
        orbit_map_remove(m->parked_by_orbit, have->orbit_key);
        bump_in_use(m, &have->orbit, -1);
        have->orbit = c->orbit;
        number_key(&c->orbit, have->orbit_key);
        if (!orbit_map_put(m->parked_by_orbit, have->orbit_key, have)) {
            orbit_map_remove(m->parked_by_id, c->call_id);
            free(have);
            return false;
        }
        bump_in_use(m, &have->orbit, +1);
    }
    parked_set_scalars(have, c);
    return true;
}

/* ---- queues ---- */

static bool queued_add(client_mirror *m, const pickup_call *c)
{
    if (orbit_map_get(m->queued_by_id, c->call_id))
        return true;
    char key[ORBIT_NUMBER_BUF];
    number_key(&c->group, key);
    client_queue *q = orbit_map_get(m->queues, key);
    if (!q) {
        q = calloc(1, sizeof *q);
        if (!q || !orbit_map_put(m->queues, key, q)) {
            free(q);
            return false;
        }
        q->group = c->group;
    }
    if (q->ncalls == q->cap) {
        size_t ncap = q->cap ? q->cap * 2 : 8;
        pickup_call *nc = realloc(q->calls, ncap * sizeof *nc);
        if (!nc)
            return false;
        q->calls = nc;
        q->cap = ncap;
    }
    /* Keep ringing order even if events were not in time order. */
    size_t at = q->ncalls;
    while (at > 0 && q->calls[at - 1].ringing_since_ms > c->ringing_since_ms)
        at--;
    memmove(&q->calls[at + 1], &q->calls[at], (q->ncalls - at) * sizeof *q->calls);
    q->calls[at] = *c;
    q->ncalls++;
    if (!orbit_map_put(m->queued_by_id, c->call_id, q)) {
        memmove(&q->calls[at], &q->calls[at + 1], (q->ncalls - at - 1) * sizeof *q->calls);
        q->ncalls--;
        return false;
    }
    m->nqueued++;
    return true;
}

static pickup_call *queued_find(const client_mirror *m, const char *call_id, client_queue **qout)
{
    client_queue *q = orbit_map_get(m->queued_by_id, call_id);
    if (!q)
        return NULL;
    for (size_t i = 0; i < q->ncalls; i++) {
        if (strcmp(q->calls[i].call_id, call_id) == 0) {
            if (qout)
                *qout = q;
            return &q->calls[i];
        }
    }
    return NULL;
}

static bool queued_remove(client_mirror *m, const char *call_id)
{
    client_queue *q = NULL;
    pickup_call *c = queued_find(m, call_id, &q);
    if (!c)
        return false;
    size_t i = (size_t)(c - q->calls);
    memmove(&q->calls[i], &q->calls[i + 1], (q->ncalls - i - 1) * sizeof *q->calls);
    q->ncalls--;
    m->nqueued--;
    orbit_map_remove(m->queued_by_id, call_id);
    if (q->ncalls == 0) {
        char key[ORBIT_NUMBER_BUF];
        orbit_map_remove(m->queues, number_key(&q->group, key));
        free(q->calls);
        free(q);
    }
    return true;
}

/* ---- loading ---- */

static int cmp_pool(const void *a, const void *b)
{
    return strcmp(((const pool_info *)a)->fqdn, ((const pool_info *)b)->fqdn);
}

static int cmp_dr(const void *a, const void *b)
{
    return strcmp(((const dr_state *)a)->home, ((const dr_state *)b)->home);
}

static const char *text_of(const json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? v : "";
}

static void load_self(client_pool_self *s, const json_t *o)
{
    memset(s, 0, sizeof *s);
    snprintf(s->fqdn, sizeof s->fqdn, "%s", text_of(o, "fqdn"));
    snprintf(s->site, sizeof s->site, "%s", text_of(o, "site"));
    snprintf(s->backup, sizeof s->backup, "%s", text_of(o, "backup"));
    snprintf(s->status, sizeof s->status, "%s", text_of(o, "status"));
    json_t *cap = json_object_get(o, "capacity");
    s->callpark_orbits = (uint32_t)json_integer_value(json_object_get(cap, "callpark_orbits"));
    s->grouppickup_numbers =
        (uint32_t)json_integer_value(json_object_get(cap, "grouppickup_numbers"));
    s->users_homed = (uint32_t)json_integer_value(json_object_get(cap, "users_homed"));
    s->users_served = (uint32_t)json_integer_value(json_object_get(cap, "users_served"));
    s->free_orbits = (uint32_t)json_integer_value(json_object_get(cap, "free_orbits"));
    s->pickup_groups = (uint32_t)json_integer_value(json_object_get(cap, "pickup_groups"));
    json_t *counters = json_object_get(o, "counters");
    s->parked_peak = (uint32_t)json_integer_value(json_object_get(counters, "parked_peak"));
    s->queued_peak = (uint32_t)json_integer_value(json_object_get(counters, "queued_peak"));
    s->started_ms = json_integer_value(json_object_get(counters, "started_ms"));
}

/* The members a state must have, as bits of client_mirror.members. */
enum {
    MEMBER_POOLS = 1u << 0,
    MEMBER_DR = 1u << 1,
    MEMBER_ORBITS = 1u << 2,
    MEMBER_PARKED = 1u << 3,
    MEMBER_QUEUES = 1u << 4,
};

static const struct {
    const char *name;
    unsigned bit;
} REQUIRED[] = {{"pools", MEMBER_POOLS},
                {"dr", MEMBER_DR},
                {"orbits", MEMBER_ORBITS},
                {"parked", MEMBER_PARKED},
                {"queues", MEMBER_QUEUES}};

static orbit_err oom(orbit_status *st)
{
    return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
}

static void clear_parked(client_mirror *m)
{
    free_values(m->parked_by_id);
    orbit_map_clear(m->parked_by_id);
    orbit_map_clear(m->parked_by_orbit);
}

static void clear_queues(client_mirror *m)
{
    free_queues(m->queues);
    orbit_map_clear(m->queues);
    orbit_map_clear(m->queued_by_id);
    m->nqueued = 0;
}

static orbit_err load_pools(client_mirror *f, const json_t *pools, orbit_status *st)
{
    size_t n = json_array_size(pools);
    pool_info *p = calloc(n ? n : 1, sizeof *p);
    if (!p)
        return oom(st);
    for (size_t i = 0; i < n; i++) {
        orbit_err e = orbit_json_to_pool(json_array_get(pools, i), ORBIT_JSON_LENIENT, &p[i], st);
        if (e) {
            free(p);
            return e;
        }
    }
    qsort(p, n, sizeof *p, cmp_pool);
    free(f->pools);
    f->pools = p;
    f->npools = n;
    return ORBIT_OK;
}

static orbit_err load_dr(client_mirror *f, const json_t *dr, orbit_status *st)
{
    size_t n = json_array_size(dr);
    dr_state *d = calloc(n ? n : 1, sizeof *d);
    if (!d)
        return oom(st);
    for (size_t i = 0; i < n; i++) {
        orbit_err e = orbit_json_to_dr(json_array_get(dr, i), ORBIT_JSON_LENIENT, &d[i], st);
        if (e) {
            free(d);
            return e;
        }
    }
    qsort(d, n, sizeof *d, cmp_dr);
    free(f->dr);
    f->dr = d;
    f->ndr = n;
    return ORBIT_OK;
}

static orbit_err load_orbits(client_mirror *f, const json_t *orbits, orbit_status *st)
{
    size_t n = json_array_size(orbits);
    orbit_range *ranges = calloc(n ? n : 1, sizeof *ranges);
    if (!ranges)
        return oom(st);
    orbit_map_clear(f->in_use);
    orbit_err e = ORBIT_OK;
    for (size_t i = 0; !e && i < n; i++) {
        int64_t used = -1;
        e = orbit_json_to_range(json_array_get(orbits, i), ORBIT_JSON_LENIENT, &ranges[i], &used,
                                st);
        if (!e && used >= 0 &&
            !orbit_map_put(f->in_use, ranges[i].identity, count_pack((uint32_t)used)))
            e = oom(st);
    }
    if (!e)
        e = orbit_table_load(f->orbits, ranges, n, st);
    free(ranges);
    return e;
}

static orbit_err load_parked_array(client_mirror *f, const json_t *parked, orbit_status *st)
{
    clear_parked(f);
    for (size_t i = 0; i < json_array_size(parked); i++) {
        parked_call c;
        orbit_err e = orbit_json_to_parked(json_array_get(parked, i), ORBIT_JSON_LENIENT, &c, st);
        if (!e)
            e = client_mirror_load_parked(f, &c, st);
        if (e)
            return e;
    }
    return ORBIT_OK;
}

static orbit_err load_queues(client_mirror *f, const json_t *queues, orbit_status *st)
{
    clear_queues(f);
    for (size_t i = 0; i < json_array_size(queues); i++) {
        json_t *calls = json_object_get(json_array_get(queues, i), "calls");
        for (size_t k = 0; k < json_array_size(calls); k++) {
            pickup_call c;
            orbit_err e =
                orbit_json_to_pickup(json_array_get(calls, k), ORBIT_JSON_LENIENT, &c, st);
            if (e)
                return e;
            if (!queued_add(f, &c))
                return oom(st);
        }
    }
    return ORBIT_OK;
}

/* Runbooks are not required: a pool from before them sends none, and one
 * this client cannot read is left out rather than refusing the state. */
static orbit_err load_runbooks(client_mirror *f, const json_t *runbooks, orbit_status *st)
{
    size_t n = json_array_size(runbooks);
    dr_runbook *fresh = n ? calloc(n, sizeof *fresh) : NULL;
    if (n && !fresh)
        return oom(st);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        orbit_status ignored;
        if (dr_runbook_from_json(json_array_get(runbooks, i), &fresh[kept], &ignored) == ORBIT_OK)
            kept++;
    }
    free(f->runbooks);
    f->runbooks = fresh;
    f->nrunbooks = kept;
    return ORBIT_OK;
}

/* The pool's count of parked calls comes before the calls themselves:
 * sizing the maps for them once saves rehashing every call about twice
 * on the way to 50,000 (a sixth of a big snapshot's load). A pool owns
 * fewer than 50,000 numbers, so a larger count (a hostile one) is only
 * reserved up to that; the maps still grow past it if they must. */
#define RESERVE_PARKED_MAX 65536

static void reserve_parked(client_mirror *fresh, const json_t *count)
{
    json_int_t n = json_is_integer(count) ? json_integer_value(count) : 0;
    if (n <= 0)
        return;
    size_t want = n > RESERVE_PARKED_MAX ? RESERVE_PARKED_MAX : (size_t)n;
    /* Out of memory here only means growing on the way, as before. */
    (void)(orbit_map_reserve(fresh->parked_by_id, want) &&
           orbit_map_reserve(fresh->parked_by_orbit, want));
}

orbit_err client_mirror_load_member(client_mirror *fresh, const char *name, const json_t *value,
                                    orbit_status *st)
{
    for (size_t i = 0; i < sizeof REQUIRED / sizeof REQUIRED[0]; i++) {
        if (strcmp(name, REQUIRED[i].name) != 0)
            continue;
        if (!json_is_array(value))
            return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, name, "state.%s is not an array",
                                    name);
        fresh->members |= REQUIRED[i].bit;
    }
    if (strcmp(name, "pool") == 0) {
        load_self(&fresh->self, value);
        reserve_parked(fresh, json_object_get(json_object_get(value, "counters"), "parked"));
        return ORBIT_OK;
    }
    if (strcmp(name, "pools") == 0)
        return load_pools(fresh, value, st);
    if (strcmp(name, "dr") == 0)
        return load_dr(fresh, value, st);
    if (strcmp(name, "orbits") == 0)
        return load_orbits(fresh, value, st);
    if (strcmp(name, "parked") == 0)
        return load_parked_array(fresh, value, st);
    if (strcmp(name, "queues") == 0)
        return load_queues(fresh, value, st);
    if (strcmp(name, "config") == 0) {
        cps_settings_default(&fresh->config);
        return orbit_json_to_settings(value, ORBIT_JSON_LENIENT, false, &fresh->config, st);
    }
    if (strcmp(name, "moh") == 0)
        return orbit_json_to_moh(value, ORBIT_JSON_LENIENT, &fresh->moh, st);
    if (strcmp(name, "runbooks") == 0)
        return load_runbooks(fresh, value, st);
    return ORBIT_OK;
}

orbit_err client_mirror_load_parked(client_mirror *fresh, const parked_call *c, orbit_status *st)
{
    fresh->members |= MEMBER_PARKED;
    return parked_upsert(fresh, c) ? ORBIT_OK : oom(st);
}

orbit_err client_mirror_load_finish(client_mirror *m, client_mirror *fresh, orbit_status *st)
{
    for (size_t i = 0; i < sizeof REQUIRED / sizeof REQUIRED[0]; i++) {
        if (!(fresh->members & REQUIRED[i].bit)) {
            client_mirror_free(fresh);
            return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, REQUIRED[i].name,
                                    "state.%s is not an array", REQUIRED[i].name);
        }
    }
    fresh->loaded = true;
    /* Swap contents so callers keep their pointer. */
    client_mirror tmp = *m;
    *m = *fresh;
    *fresh = tmp;
    client_mirror_free(fresh);
    return ORBIT_OK;
}

orbit_err client_mirror_load(client_mirror *m, const json_t *state, orbit_status *st)
{
    if (orbit_json_need_object(state, "state", st))
        return ORBIT_ERR_BAD_REQUEST;
    /* Every required member is checked before any is read, so the error
     * names the first one missing whatever else is wrong. */
    for (size_t i = 0; i < sizeof REQUIRED / sizeof REQUIRED[0]; i++) {
        if (!json_is_array(json_object_get(state, REQUIRED[i].name)))
            return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, REQUIRED[i].name,
                                    "state.%s is not an array", REQUIRED[i].name);
    }
    client_mirror *fresh = client_mirror_new();
    if (!fresh)
        return oom(st);
    const char *name;
    json_t *value;
    json_object_foreach((json_t *)state, name, value)
    {
        orbit_err e = client_mirror_load_member(fresh, name, value, st);
        if (e) {
            client_mirror_free(fresh);
            return e;
        }
    }
    return client_mirror_load_finish(m, fresh, st);
}

/* ---- events ---- */

static unsigned apply_range_event(client_mirror *m, orbit_event_kind kind, const json_t *data)
{
    orbit_status st;
    if (orbit_event_effect_of(kind) == ORBIT_EVEFFECT_BULK) {
        json_t *ranges = json_object_get(data, "ranges"), *r;
        size_t i;
        json_array_foreach(ranges, i, r)
        {
            orbit_range range;
            if (orbit_json_to_range(r, ORBIT_JSON_LENIENT, &range, NULL, &st) != ORBIT_OK)
                continue;
            orbit_range_patch patch = {.pool = range.pool, .force = true};
            orbit_table_update(m->orbits, range.identity, &patch, NULL, NULL, NULL, &st);
        }
        return CLIENT_CHANGED_ORBITS;
    }
    orbit_range range;
    int64_t used = -1;
    if (orbit_json_to_range(data, ORBIT_JSON_LENIENT, &range, &used, &st) != ORBIT_OK)
        return 0;
    if (orbit_event_effect_of(kind) == ORBIT_EVEFFECT_REMOVE) {
        orbit_table_delete(m->orbits, range.identity, true, NULL, NULL, &st);
        orbit_map_remove(m->in_use, range.identity);
        return CLIENT_CHANGED_ORBITS;
    }
    if (!orbit_table_find(m->orbits, range.identity)) {
        orbit_table_create(m->orbits, &range, &st);
    } else {
        char s[ORBIT_NUMBER_BUF], e[ORBIT_NUMBER_BUF];
        orbit_range_patch patch = {.start = number_key(&range.start, s),
                                   .end = number_key(&range.end, e),
                                   .pool = range.pool,
                                   .has_type = true,
                                   .type = range.type,
                                   .force = true};
        orbit_table_update(m->orbits, range.identity, &patch, NULL, NULL, NULL, &st);
    }
    if (used >= 0)
        orbit_map_put(m->in_use, range.identity, count_pack((uint32_t)used));
    return CLIENT_CHANGED_ORBITS;
}

static unsigned apply_pool_status(client_mirror *m, const json_t *data)
{
    pool_info p;
    orbit_status st;
    if (orbit_json_to_pool(data, ORBIT_JSON_LENIENT, &p, &st) != ORBIT_OK)
        return 0;
    for (size_t i = 0; i < m->npools; i++) {
        if (strcmp(m->pools[i].fqdn, p.fqdn) == 0) {
            m->pools[i].status = p.status;
            m->pools[i].last_seen_ms = p.last_seen_ms;
            return CLIENT_CHANGED_POOLS;
        }
    }
    return 0;
}

/* Replaces a home pool's DR state, or adds it (a pool just added). */
static unsigned apply_dr(client_mirror *m, const json_t *data)
{
    dr_state d;
    orbit_status st;
    if (orbit_json_to_dr(data, ORBIT_JSON_LENIENT, &d, &st) != ORBIT_OK)
        return 0;
    for (size_t i = 0; i < m->ndr; i++) {
        if (strcmp(m->dr[i].home, d.home) == 0) {
            m->dr[i] = d;
            return CLIENT_CHANGED_DR;
        }
    }
    if (!client_mirror_pool(m, d.home))
        return 0;
    dr_state *grown = realloc(m->dr, (m->ndr + 1) * sizeof *grown);
    if (!grown)
        return 0;
    m->dr = grown;
    m->dr[m->ndr++] = d;
    qsort(m->dr, m->ndr, sizeof *m->dr, cmp_dr);
    return CLIENT_CHANGED_DR;
}

static unsigned apply_dr_list(client_mirror *m, const json_t *list)
{
    unsigned changed = 0;
    size_t i;
    const json_t *d;
    json_array_foreach(list, i, d) changed |= apply_dr(m, d);
    return changed;
}

/* pool.added: the pool joins, takes the lost pool's pairing (its partner
 * now names the new pool, the lost one none), with its DR states. */
static unsigned apply_pool_added(client_mirror *m, const json_t *data)
{
    pool_info p;
    orbit_status st;
    if (orbit_json_to_pool(json_object_get(data, "pool"), ORBIT_JSON_LENIENT, &p, &st) != ORBIT_OK)
        return 0;
    const char *old = json_string_value(json_object_get(data, "replaces"));
    for (size_t i = 0; i < m->npools; i++) {
        if (old && strcmp(m->pools[i].fqdn, old) == 0)
            m->pools[i].backup[0] = '\0';
        else if (p.backup[0] && strcmp(m->pools[i].fqdn, p.backup) == 0)
            snprintf(m->pools[i].backup, sizeof m->pools[i].backup, "%s", p.fqdn);
    }
    if (strcmp(m->self.fqdn, p.backup) == 0)
        snprintf(m->self.backup, sizeof m->self.backup, "%s", p.fqdn);
    if (!client_mirror_pool(m, p.fqdn)) {
        pool_info *grown = realloc(m->pools, (m->npools + 1) * sizeof *grown);
        if (!grown)
            return 0;
        m->pools = grown;
        m->pools[m->npools++] = p;
        qsort(m->pools, m->npools, sizeof *m->pools, cmp_pool);
    }
    return CLIENT_CHANGED_POOLS | apply_dr_list(m, json_object_get(data, "dr"));
}

static unsigned apply_pool_retired(client_mirror *m, const json_t *data)
{
    const char *gone = json_string_value(json_object_get(json_object_get(data, "pool"), "fqdn"));
    unsigned changed = 0;
    for (size_t i = 0; gone && i < m->npools; i++) {
        if (strcmp(m->pools[i].fqdn, gone) == 0) {
            memmove(&m->pools[i], &m->pools[i + 1], (m->npools - i - 1) * sizeof *m->pools);
            m->npools--;
            changed |= CLIENT_CHANGED_POOLS;
            break;
        }
    }
    for (size_t i = 0; gone && i < m->ndr; i++) {
        if (strcmp(m->dr[i].home, gone) == 0) {
            memmove(&m->dr[i], &m->dr[i + 1], (m->ndr - i - 1) * sizeof *m->dr);
            m->ndr--;
            changed |= CLIENT_CHANGED_DR;
            break;
        }
    }
    return changed;
}

static unsigned apply_users_rehomed(client_mirror *m, const json_t *data)
{
    const char *from = json_string_value(json_object_get(data, "from_pool"));
    const char *to = json_string_value(json_object_get(data, "to_pool"));
    uint32_t count = (uint32_t)json_integer_value(json_object_get(data, "count"));
    unsigned changed = apply_dr_list(m, json_object_get(data, "dr"));
    if (from && strcmp(from, m->self.fqdn) == 0) {
        m->self.users_homed = m->self.users_homed > count ? m->self.users_homed - count : 0;
        changed |= CLIENT_CHANGED_SELF;
    } else if (to && strcmp(to, m->self.fqdn) == 0) {
        m->self.users_homed += count;
        changed |= CLIENT_CHANGED_SELF;
    }
    return changed;
}

static unsigned apply_runbook(client_mirror *m, const json_t *data)
{
    dr_runbook r;
    orbit_status st;
    if (dr_runbook_from_json(data, &r, &st) != ORBIT_OK)
        return 0;
    for (size_t i = 0; i < m->nrunbooks; i++) {
        if (strcmp(m->runbooks[i].home, r.home) == 0) {
            m->runbooks[i] = r;
            return CLIENT_CHANGED_RUNBOOKS;
        }
    }
    dr_runbook *grown = realloc(m->runbooks, (m->nrunbooks + 1) * sizeof *grown);
    if (!grown)
        return 0;
    m->runbooks = grown;
    m->runbooks[m->nrunbooks++] = r;
    return CLIENT_CHANGED_RUNBOOKS;
}

static unsigned apply_parked(client_mirror *m, orbit_event_kind kind, const json_t *data)
{
    orbit_status st;
    if (orbit_event_effect_of(kind) == ORBIT_EVEFFECT_REMOVE) {
        const char *call_id = json_string_value(json_object_get(data, "call_id"));
        return call_id && parked_remove(m, call_id) ? CLIENT_CHANGED_PARKED | CLIENT_CHANGED_ORBITS
                                                    : 0;
    }
    parked_call c;
    if (orbit_json_to_parked(data, ORBIT_JSON_LENIENT, &c, &st) != ORBIT_OK ||
        !parked_upsert(m, &c))
        return 0;
    return CLIENT_CHANGED_PARKED | CLIENT_CHANGED_ORBITS;
}

static unsigned apply_queue(client_mirror *m, orbit_event_kind kind, const json_t *data)
{
    orbit_status st;
    const char *call_id = json_string_value(json_object_get(data, "call_id"));
    switch (orbit_event_effect_of(kind)) {
    case ORBIT_EVEFFECT_UPSERT: {
        pickup_call c;
        if (orbit_json_to_pickup(data, ORBIT_JSON_LENIENT, &c, &st) != ORBIT_OK ||
            !queued_add(m, &c))
            return 0;
        return CLIENT_CHANGED_QUEUES;
    }
    case ORBIT_EVEFFECT_MARK: {
        pickup_call *c = call_id ? queued_find(m, call_id, NULL) : NULL;
        if (!c)
            return 0;
        c->pickable = false;
        return CLIENT_CHANGED_QUEUES;
    }
    case ORBIT_EVEFFECT_REMOVE:
        return call_id && queued_remove(m, call_id) ? CLIENT_CHANGED_QUEUES : 0;
    default:
        return 0;
    }
}

unsigned client_mirror_apply(client_mirror *m, const char *name, const json_t *data)
{
    orbit_status st;
    orbit_event_kind kind;
    if (!orbit_event_from_name(name, &kind) || !json_is_object(data))
        return 0;
    switch (orbit_event_class_of(kind)) {
    case ORBIT_EVCLASS_ORBITS:
        return apply_range_event(m, kind, data);
    case ORBIT_EVCLASS_POOLS:
        return kind == ORBIT_EV_POOL_STATUS  ? apply_pool_status(m, data)
               : kind == ORBIT_EV_POOL_ADDED ? apply_pool_added(m, data)
                                             : apply_pool_retired(m, data);
    case ORBIT_EVCLASS_USERS:
        return apply_users_rehomed(m, data);
    case ORBIT_EVCLASS_RUNBOOK:
        return apply_runbook(m, data);
    case ORBIT_EVCLASS_DR:
        return apply_dr(m, data);
    case ORBIT_EVCLASS_CONFIG:
        return orbit_json_to_settings(data, ORBIT_JSON_LENIENT, false, &m->config, &st) == ORBIT_OK
                   ? CLIENT_CHANGED_CONFIG
                   : 0;
    case ORBIT_EVCLASS_MOH:
        return orbit_json_to_moh(data, ORBIT_JSON_LENIENT, &m->moh, &st) == ORBIT_OK
                   ? CLIENT_CHANGED_MOH
                   : 0;
    case ORBIT_EVCLASS_PARKED:
        return apply_parked(m, kind, data);
    case ORBIT_EVCLASS_QUEUE:
        return apply_queue(m, kind, data);
    default:
        return 0;
    }
}

/* ---- accessors ---- */

bool client_mirror_loaded(const client_mirror *m)
{
    return m->loaded;
}

const client_pool_self *client_mirror_self(const client_mirror *m)
{
    return &m->self;
}

size_t client_mirror_pool_count(const client_mirror *m)
{
    return m->npools;
}

const pool_info *client_mirror_pool_at(const client_mirror *m, size_t i)
{
    return i < m->npools ? &m->pools[i] : NULL;
}

const pool_info *client_mirror_pool(const client_mirror *m, const char *fqdn)
{
    for (size_t i = 0; fqdn && i < m->npools; i++) {
        if (strcmp(m->pools[i].fqdn, fqdn) == 0)
            return &m->pools[i];
    }
    return NULL;
}

size_t client_mirror_dr_count(const client_mirror *m)
{
    return m->ndr;
}

const dr_state *client_mirror_dr_at(const client_mirror *m, size_t i)
{
    return i < m->ndr ? &m->dr[i] : NULL;
}

const dr_state *client_mirror_dr(const client_mirror *m, const char *home)
{
    for (size_t i = 0; home && i < m->ndr; i++) {
        if (strcmp(m->dr[i].home, home) == 0)
            return &m->dr[i];
    }
    return NULL;
}

const orbit_table *client_mirror_orbits(const client_mirror *m)
{
    return m->orbits;
}

uint32_t client_mirror_in_use(const client_mirror *m, const char *identity)
{
    return count_unpack(orbit_map_get(m->in_use, identity));
}

const cps_settings *client_mirror_config(const client_mirror *m)
{
    return &m->config;
}

const moh_info *client_mirror_moh(const client_mirror *m)
{
    return &m->moh;
}

size_t client_mirror_parked_count(const client_mirror *m)
{
    return orbit_map_count(m->parked_by_id);
}

const client_parked *client_mirror_parked(const client_mirror *m, const char *call_id)
{
    return orbit_map_get(m->parked_by_id, call_id);
}

const client_parked *client_mirror_parked_on(const client_mirror *m, const orbit_number *orbit)
{
    char key[ORBIT_NUMBER_BUF];
    return orbit_map_get(m->parked_by_orbit, number_key(orbit, key));
}

const client_parked *client_mirror_parked_next(const client_mirror *m, size_t *pos)
{
    void *v;
    return orbit_map_next(m->parked_by_id, pos, NULL, &v) ? v : NULL;
}

size_t client_mirror_queue_count(const client_mirror *m)
{
    return orbit_map_count(m->queues);
}

size_t client_mirror_queued_calls(const client_mirror *m)
{
    return m->nqueued;
}

const client_queue *client_mirror_queue(const client_mirror *m, const orbit_number *group)
{
    char key[ORBIT_NUMBER_BUF];
    return orbit_map_get(m->queues, number_key(group, key));
}

const client_queue *client_mirror_queue_next(const client_mirror *m, size_t *pos)
{
    void *v;
    return orbit_map_next(m->queues, pos, NULL, &v) ? v : NULL;
}

const pickup_call *client_mirror_queued(const client_mirror *m, const char *call_id)
{
    return queued_find(m, call_id, NULL);
}

size_t client_mirror_runbook_count(const client_mirror *m)
{
    return m->nrunbooks;
}

const dr_runbook *client_mirror_runbook_at(const client_mirror *m, size_t i)
{
    return i < m->nrunbooks ? &m->runbooks[i] : NULL;
}

const dr_runbook *client_mirror_runbook(const client_mirror *m, const char *home)
{
    for (size_t i = 0; home && i < m->nrunbooks; i++) {
        if (strcmp(m->runbooks[i].home, home) == 0)
            return &m->runbooks[i];
    }
    return NULL;
}

const dr_runbook *client_mirror_runbook_on(const client_mirror *m, const char *fqdn)
{
    for (size_t i = 0; fqdn && i < m->nrunbooks; i++) {
        if (dr_runbook_active(&m->runbooks[i]) && dr_runbook_touches(&m->runbooks[i], fqdn))
            return &m->runbooks[i];
    }
    return NULL;
}

/* ---- canonical JSON ---- */

static int cmp_json_key(const void *a, const void *b, const char *key)
{
    const char *x = json_string_value(json_object_get(*(json_t *const *)a, key));
    const char *y = json_string_value(json_object_get(*(json_t *const *)b, key));
    return strcmp(x ? x : "", y ? y : "");
}

static int cmp_call_id(const void *a, const void *b)
{
    return cmp_json_key(a, b, "call_id");
}

static int cmp_group(const void *a, const void *b)
{
    return cmp_json_key(a, b, "group");
}

static int cmp_home(const void *a, const void *b)
{
    return cmp_json_key(a, b, "home");
}

/* Sorts a JSON array in place by a comparator over its elements. */
static json_t *sorted(json_t *arr, int (*cmp)(const void *, const void *))
{
    size_t n = json_array_size(arr);
    if (!arr || n < 2)
        return arr;
    json_t **items = malloc(n * sizeof *items);
    if (!items)
        return arr;
    for (size_t i = 0; i < n; i++)
        items[i] = json_incref(json_array_get(arr, i));
    qsort(items, n, sizeof *items, cmp);
    json_array_clear(arr);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, items[i]);
    free(items);
    return arr;
}

json_t *client_mirror_to_json(const client_mirror *m)
{
    json_t *pools = json_array(), *dr = json_array(), *orbits = json_array(),
           *parked = json_array(), *queues = json_array();
    for (size_t i = 0; pools && i < m->npools; i++)
        json_array_append_new(pools, orbit_json_from_pool(&m->pools[i]));
    for (size_t i = 0; dr && i < m->ndr; i++)
        json_array_append_new(dr, orbit_json_from_dr(&m->dr[i]));
    for (size_t i = 0; orbits && i < orbit_table_count(m->orbits); i++) {
        const orbit_range *r = orbit_table_at(m->orbits, i);
        json_array_append_new(orbits,
                              orbit_json_from_range(r, client_mirror_in_use(m, r->identity)));
    }
    size_t pos = 0;
    const client_parked *p;
    while (parked && (p = client_mirror_parked_next(m, &pos))) {
        parked_call c;
        client_parked_to_call(p, &c);
        json_array_append_new(parked, orbit_json_from_parked(&c));
    }
    pos = 0;
    const client_queue *q;
    while (queues && (q = client_mirror_queue_next(m, &pos))) {
        json_t *calls = json_array();
        for (size_t i = 0; calls && i < q->ncalls; i++)
            json_array_append_new(calls, orbit_json_from_pickup(&q->calls[i]));
        json_array_append_new(
            queues, json_pack("{s:o, s:o}", "group", orbit_json_number(&q->group), "calls", calls));
    }
    json_t *runbooks = json_array();
    for (size_t i = 0; runbooks && i < m->nrunbooks; i++)
        json_array_append_new(runbooks, dr_runbook_to_json(&m->runbooks[i]));
    return json_pack("{s:{s:s, s:s, s:s?, s:s}, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "pool",
                     "fqdn", m->self.fqdn, "site", m->self.site, "backup",
                     m->self.backup[0] ? m->self.backup : NULL, "status", m->self.status, "pools",
                     pools, "dr", dr, "orbits", orbits, "config",
                     orbit_json_from_settings(&m->config), "moh", orbit_json_from_moh(&m->moh),
                     "parked", sorted(parked, cmp_call_id), "queues", sorted(queues, cmp_group),
                     "runbooks", sorted(runbooks, cmp_home));
}
