/* pool: the kernel's lifecycle, its view of the deployment kept in step
 * with the store's history one change at a time, liveness, and emit. */
#include "pool_internal.h"

#include "orbit_json.h"
#include "orbit_map.h"
#include "orbit_time.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

/* How long one wait of the watcher for news lasts (it also bounds how
 * long stopping the pool takes). */
#define POOL_WATCH_WAIT_MS 300
/* The usage the heartbeat publishes is refreshed at most this often. */
#define POOL_USAGE_EVERY_MS 500
#define POOL_LOCK_FILE      "orbitd.lock"

/* ---- small queries ---- */

const char *pool_fqdn(const pool *p)
{
    return p->cfg->fqdn;
}

const server_config *pool_config(const pool *p)
{
    return p->cfg;
}

const orbit_deployment *pool_deployment(const pool *p)
{
    return p->dep;
}

const pool_local *pool_local_state(const pool *p)
{
    return &p->local;
}

event_ring *pool_events(pool *p)
{
    return &p->events;
}

const pool_metrics *pool_metrics_get(const pool *p)
{
    return &p->metrics;
}

bool pool_store_ok(const pool *p)
{
    return p->store_ok;
}

size_t pool_count_up(const pool *p)
{
    size_t up = 0;
    for (size_t i = 0; i < orbit_deployment_pool_count(p->dep); i++)
        up += pool_status_of(p, orbit_deployment_pool_at(p->dep, i)->fqdn) == POOL_STATUS_UP;
    return up;
}

int64_t pool_cursor(const pool *p)
{
    return p->cursor == INT64_MAX ? 0 : p->cursor;
}

int64_t pool_scaled_ms(const pool *p, double seconds)
{
    double ms = seconds * 1000.0 / p->cfg->clock_scale;
    return ms < 1.0 ? (seconds > 0 ? 1 : 0) : (int64_t)ms;
}

pool_status pool_status_of(const pool *p, const char *fqdn)
{
    if (strcmp(fqdn, pool_fqdn(p)) == 0)
        return POOL_STATUS_UP;
    const pool_info *info = orbit_deployment_pool(p->dep, fqdn);
    return info ? info->status : POOL_STATUS_UNKNOWN;
}

uint32_t pool_range_in_use(const pool *p, const orbit_range *r)
{
    uint32_t used = orbit_deployment_groups_in_range(p->dep, r);
    if (strcmp(r->pool, pool_fqdn(p)) == 0)
        return used + call_engine_parked_in(p->engine, r);
    for (size_t i = 0; i < p->nusage; i++) {
        if (strcasecmp(p->usage[i].identity, r->identity) == 0 &&
            strcmp(p->usage[i].pool, r->pool) == 0)
            return used + p->usage[i].in_use;
    }
    return used;
}

/* ---- emit ---- */

bool pool_add_sink(pool *p, const pool_sink *sink)
{
    pool_sink *grown = realloc(p->sinks, (p->nsinks + 1) * sizeof *grown);
    if (!grown)
        return false;
    p->sinks = grown;
    p->sinks[p->nsinks++] = *sink;
    return true;
}

void pool_remove_sink(pool *p, void *ctx)
{
    size_t kept = 0;
    for (size_t i = 0; i < p->nsinks; i++) {
        if (p->sinks[i].ctx != ctx)
            p->sinks[kept++] = p->sinks[i];
    }
    p->nsinks = kept;
}

void pool_emit(pool *p, orbit_event_kind kind, json_t *data)
{
    if (!data) {
        ORBIT_LOG_E(p->log, "could not build event %s (out of memory)", orbit_event_name(kind));
        return;
    }
    wire_msg *m = event_ring_append(&p->events, orbit_event_name(kind), json_incref(data),
                                    orbit_time_now_ms());
    if (!m) {
        ORBIT_LOG_E(p->log, "could not record event %s (out of memory)", orbit_event_name(kind));
        json_decref(data);
        return;
    }
    wire_msg_unref(p->snapshot_state);
    p->snapshot_state = NULL;
    for (size_t i = 0; i < p->nsinks; i++)
        p->sinks[i].event(p->sinks[i].ctx, m, kind, data);
    wire_msg_unref(m);
    json_decref(data);
}

static void resync_sinks(pool *p)
{
    wire_msg_unref(p->snapshot_state);
    p->snapshot_state = NULL;
    for (size_t i = 0; i < p->nsinks; i++)
        p->sinks[i].resync(p->sinks[i].ctx);
}

/* ---- the engine's environment ---- */

static void engine_emit(void *ctx, orbit_event_kind kind, json_t *data)
{
    pool *p = ctx;
    if (p->muted) { /* a test call (dr.test_call): no trace */
        json_decref(data);
        return;
    }
    pool_emit(p, kind, data);
}

static pool_status engine_pool_status(void *ctx, const char *fqdn)
{
    return pool_status_of(ctx, fqdn);
}

static void engine_usage_changed(void *ctx)
{
    pool *p = ctx;
    p->usage_dirty = true;
    uint32_t parked = (uint32_t)call_engine_parked_count(p->engine);
    if (!p->muted && parked > p->parked_peak)
        p->parked_peak = parked;
}

static int64_t engine_now(void *ctx)
{
    (void)ctx;
    return orbit_time_now_ms();
}

/* ---- loading ---- */

/* A deployment built from a store image, keeping what this pool already
 * learnt of liveness. NULL with st on failure. */
static orbit_deployment *deployment_from(const store_image *img, const orbit_deployment *before,
                                         orbit_status *st)
{
    orbit_deployment *dep = orbit_deployment_new();
    if (!dep) {
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
        return NULL;
    }
    orbit_err e = orbit_deployment_set_pools(dep, img->pools, img->npools, st);
    if (!e)
        e = orbit_table_load(orbit_deployment_table(dep), img->ranges, img->nranges, st);
    if (!e)
        e = orbit_deployment_set_users(dep, img->users, img->nusers, st);
    for (size_t i = 0; !e && i < img->ndr; i++)
        orbit_deployment_set_dr(dep, &img->dr[i].state);
    if (e) {
        orbit_deployment_free(dep);
        return NULL;
    }
    for (size_t i = 0; before && i < orbit_deployment_pool_count(before); i++) {
        const pool_info *old = orbit_deployment_pool_at(before, i);
        orbit_deployment_set_pool_status(dep, old->fqdn, old->status, old->last_seen_ms);
    }
    orbit_deployment_refresh(dep);
    return dep;
}

/* Replaces the deployment by an image (an import, a trimmed history, or a
 * change that could not be applied) and tells every sink to resync. */
static bool install_image(pool *p, const store_image *img)
{
    orbit_status st;
    orbit_deployment *dep = deployment_from(img, p->dep, &st);
    if (!dep) {
        ORBIT_LOG_E(p->log, "the store's deployment breaks a rule: %s", st.message);
        return false;
    }
    if (!call_engine_set_deployment(p->engine, dep)) {
        ORBIT_LOG_E(p->log, "rebuilding the free-orbit index: out of memory");
        orbit_deployment_free(dep);
        return false;
    }
    if (!ops_dr_set_runbooks(p, img->runbooks, img->nrunbooks)) {
        ORBIT_LOG_E(p->log, "loading the runbooks: out of memory");
        return false;
    }
    orbit_deployment_free(p->dep);
    p->dep = dep;
    p->cursor = img->cursor;
    p->usage_dirty = true;
    p->metrics.reloads++;
    ORBIT_LOG_I(p->log, "deployment reloaded from the store (%zu pools, %zu ranges, %zu users)",
                img->npools, img->nranges, img->nusers);
    resync_sinks(p);
    pool_ops_retry(p);
    return true;
}

/* ---- applying changes ---- */

/* The redirect flags of every home pool, to notice a range move that
 * redirects (or un-redirects) a home pool's pickup ranges. */
bool *pool_redirect_flags(const pool *p)
{
    size_t n = orbit_deployment_pool_count(p->dep);
    bool *flags = calloc(n ? n : 1, sizeof *flags);
    for (size_t i = 0; flags && i < n; i++)
        flags[i] = orbit_deployment_dr(p->dep, orbit_deployment_pool_at(p->dep, i)->fqdn)
                       ->pickup_ranges_redirected;
    return flags;
}

void pool_emit_redirect_changes(pool *p, const bool *before, const store_change *cause)
{
    for (size_t i = 0; before && i < orbit_deployment_pool_count(p->dep); i++) {
        const dr_state *d = orbit_deployment_dr(p->dep, orbit_deployment_pool_at(p->dep, i)->fqdn);
        if (d->pickup_ranges_redirected == before[i])
            continue;
        json_t *ev = orbit_json_from_dr(d);
        /* Who moved the ranges, as every change says. */
        if (ev && cause &&
            (!orbit_json_put(ev, "origin", json_string(cause->origin)) ||
             !orbit_json_put(ev, "who", json_string(cause->who)))) {
            json_decref(ev);
            continue;
        }
        if (ev && orbit_json_put(ev, "event", json_string("pickup_ranges_moved")))
            pool_emit(p, ORBIT_EV_DR_CHANGED, ev);
        else
            json_decref(ev);
    }
}

/* Puts one range row (create or replace) into the table and the engine. */
static bool put_range(pool *p, const orbit_range *r, orbit_status *st)
{
    orbit_table *t = orbit_deployment_table(p->dep);
    const orbit_range *old = orbit_table_find(t, r->identity);
    orbit_range before;
    bool had = old != NULL;
    if (had)
        before = *old;
    if (orbit_table_put(t, r, st) != ORBIT_OK)
        return false;
    const orbit_range *after = orbit_table_find(t, r->identity);
    orbit_deployment_range_changed(p->dep, had ? &before : NULL, after);
    if (had)
        call_engine_range_removed(p->engine, &before);
    if (!call_engine_range_added(p->engine, after))
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory") == ORBIT_OK;
    return true;
}

static bool apply_orbits(pool *p, orbit_event_kind kind, const json_t *data, orbit_status *st)
{
    orbit_table *t = orbit_deployment_table(p->dep);
    if (kind == ORBIT_EV_ORBIT_REASSIGNED) {
        const json_t *ranges = json_object_get(data, "ranges");
        if (!json_is_array(ranges))
            return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "no ranges in the change") ==
                   ORBIT_OK;
        size_t i;
        const json_t *v;
        json_array_foreach(ranges, i, v)
        {
            orbit_range r;
            if (store_range_from_json(v, &r, st) != ORBIT_OK || !put_range(p, &r, st))
                return false;
        }
        return true;
    }
    orbit_range r;
    if (store_range_from_json(data, &r, st) != ORBIT_OK)
        return false;
    if (kind == ORBIT_EV_ORBIT_DELETED) {
        const orbit_range *old = orbit_table_find(t, r.identity);
        if (!old)
            return true; /* already gone: nothing to do */
        orbit_range before = *old;
        if (orbit_table_delete(t, r.identity, true, NULL, NULL, st) != ORBIT_OK)
            return false;
        orbit_deployment_range_changed(p->dep, &before, NULL);
        call_engine_range_removed(p->engine, &before);
        return true;
    }
    return put_range(p, &r, st);
}

/* Fills the event of an orbit change with the in-use counts it shows. */
static void add_in_use(pool *p, json_t *ev)
{
    const char *id = json_string_value(json_object_get(ev, "identity"));
    const orbit_range *r = id ? orbit_table_find(orbit_deployment_table(p->dep), id) : NULL;
    if (r)
        orbit_json_put(ev, "in_use", json_integer(pool_range_in_use(p, r)));
}

static bool apply_dr(pool *p, json_t *ev, const json_t *data, orbit_status *st)
{
    store_dr_row row;
    if (store_dr_from_json(data, &row, st) != ORBIT_OK)
        return false;
    if (!orbit_deployment_set_dr(p->dep, &row.state))
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "DR change for unknown pool %s",
                                row.state.home) == ORBIT_OK;
    /* Send the derived state (serving pool, redirect flag) too. */
    const dr_state *d = orbit_deployment_dr(p->dep, row.state.home);
    json_t *now = orbit_json_from_dr(d);
    if (now)
        json_object_update(ev, now);
    json_decref(now);
    return true;
}

static dr_event dr_event_from(const char *name)
{
    for (int e = 0; e < DR_EVENT_COUNT; e++) {
        if (name && strcmp(dr_event_name((dr_event)e), name) == 0)
            return (dr_event)e;
    }
    return DR_EVENT_COUNT;
}

bool pool_apply_change(pool *p, const store_change *c)
{
    orbit_status st;
    orbit_status_clear(&st);
    orbit_event_kind kind;
    if (!orbit_event_from_name(c->kind, &kind)) {
        ORBIT_LOG_E(p->log, "change %lld has an unknown kind '%s'", (long long)c->cursor, c->kind);
        return false;
    }
    if (kind == ORBIT_EV_TOPOLOGY_IMPORTED)
        return false; /* wholesale: the caller reloads */
    json_t *ev = json_deep_copy(c->data);
    if (!ev || !orbit_json_put(ev, "origin", json_string(c->origin)) ||
        !orbit_json_put(ev, "who", json_string(c->who))) {
        json_decref(ev);
        ORBIT_LOG_E(p->log, "applying change %lld: out of memory", (long long)c->cursor);
        return false;
    }
    bool ok = false;
    switch (orbit_event_class_of(kind)) {
    case ORBIT_EVCLASS_ORBITS: {
        bool *before = pool_redirect_flags(p);
        ok = apply_orbits(p, kind, c->data, &st);
        if (ok) {
            p->usage_dirty = true;
            if (kind != ORBIT_EV_ORBIT_REASSIGNED && kind != ORBIT_EV_ORBIT_DELETED)
                add_in_use(p, ev);
            p->cursor = c->cursor;
            pool_emit(p, kind, json_incref(ev));
            pool_emit_redirect_changes(p, before, c);
        }
        free(before);
        break;
    }
    case ORBIT_EVCLASS_DR: {
        ok = apply_dr(p, ev, c->data, &st);
        if (ok) {
            p->cursor = c->cursor;
            const char *home = json_string_value(json_object_get(c->data, "home"));
            dr_event dev = dr_event_from(json_string_value(json_object_get(c->data, "event")));
            pool_emit(p, kind, json_incref(ev));
            if (home && dev < DR_EVENT_COUNT) {
                ORBIT_LOG_I(p->log, "DR %s for %s (by %s)", dr_event_name(dev), home, c->origin);
                call_engine_apply_dr(p->engine, dev, home);
            }
        }
        break;
    }
    case ORBIT_EVCLASS_POOLS:
    case ORBIT_EVCLASS_USERS:
    case ORBIT_EVCLASS_RUNBOOK:
        ok = ops_dr_apply(p, kind, ev, c->data, &st);
        if (ok)
            p->cursor = c->cursor;
        break;
    default:
        ORBIT_LOG_E(p->log, "change %lld: a %s change is not kept in the store",
                    (long long)c->cursor, c->kind);
        break;
    }
    if (!ok && st.code != ORBIT_OK)
        ORBIT_LOG_E(p->log, "change %lld (%s) cannot be applied: %s", (long long)c->cursor, c->kind,
                    st.message);
    json_decref(ev);
    if (ok)
        p->metrics.changes_applied++;
    return ok;
}

/* ---- liveness ---- */

/* "identity<US>pool": a usage row's key. */
static void usage_key(const store_usage *u, char *key, size_t cap)
{
    snprintf(key, cap, "%s\x1f%s", u->identity, u->pool);
}

/* Sends a peer's range with the in-use count the state now shows. */
static void emit_peer_range(pool *p, const store_usage *u)
{
    const orbit_range *r = orbit_table_find(orbit_deployment_table(p->dep), u->identity);
    if (!r || strcmp(r->pool, u->pool) != 0 || strcmp(r->pool, pool_fqdn(p)) == 0)
        return;
    json_t *ev = orbit_json_from_range(r, pool_range_in_use(p, r));
    /* The owner told it; nobody asked for it, so there is no who. */
    if (ev && orbit_json_put(ev, "origin", json_string(r->pool)))
        pool_emit(p, ORBIT_EV_ORBIT_UPDATED, ev);
    else
        json_decref(ev);
}

/* Peers publish their ranges' in-use counts with their heartbeats, and
 * the state shows them. A count that changed is sent as orbit.updated:
 * a subscriber's mirror (its snapshot, then the events) must keep
 * showing what the state shows, and without an event one that
 * subscribed before a heartbeat kept the older count until its next
 * snapshot. old (borrowed) is the list the new one replaced. */
static void emit_usage_changes(pool *p, const store_usage *old, size_t nold)
{
    orbit_map *before = orbit_map_new();
    orbit_map *now = orbit_map_new();
    char key[ORBIT_IDENTITY_MAX + ORBIT_FQDN_MAX + 4];
    bool ok = before && now;
    /* Counts are stored plus one, so that a count of 0 is not NULL. */
    for (size_t i = 0; ok && i < nold; i++) {
        usage_key(&old[i], key, sizeof key);
        ok = orbit_map_put(before, key, (void *)(uintptr_t)(old[i].in_use + 1u));
    }
    for (size_t i = 0; ok && i < p->nusage; i++) {
        usage_key(&p->usage[i], key, sizeof key);
        ok = orbit_map_put(now, key, (void *)(uintptr_t)1);
        uintptr_t was = (uintptr_t)orbit_map_get(before, key);
        if (ok && (was == 0 || was - 1 != p->usage[i].in_use))
            emit_peer_range(p, &p->usage[i]);
    }
    for (size_t i = 0; ok && i < nold; i++) {
        usage_key(&old[i], key, sizeof key);
        if (old[i].in_use != 0 && !orbit_map_get(now, key))
            emit_peer_range(p, &old[i]); /* no longer listed: none in use */
    }
    if (!ok)
        ORBIT_LOG_E(p->log, "out of memory comparing in-use counts; subscribers may show old "
                            "counts of other pools' ranges until they resubscribe");
    orbit_map_free(before);
    orbit_map_free(now);
}

static void apply_liveness(pool *p, store_liveness *live)
{
    store_usage *old = p->usage;
    size_t nold = p->nusage;
    p->usage = live->usage;
    p->nusage = live->nusage;
    live->usage = NULL;
    live->nusage = 0;
    emit_usage_changes(p, old, nold);
    free(old);
    for (size_t i = 0; i < orbit_deployment_pool_count(p->dep); i++) {
        const pool_info *info = orbit_deployment_pool_at(p->dep, i);
        pool_status status = POOL_STATUS_UNKNOWN;
        int64_t seen = 0;
        for (size_t k = 0; k < live->npools; k++) {
            if (strcmp(live->pools[k].fqdn, info->fqdn) != 0)
                continue;
            status = live->pools[k].alive ? POOL_STATUS_UP : POOL_STATUS_DOWN;
            seen = live->pools[k].last_seen_ms;
        }
        if (strcmp(info->fqdn, pool_fqdn(p)) == 0)
            status = POOL_STATUS_UP;
        else if (status == POOL_STATUS_UNKNOWN && info->status != POOL_STATUS_UNKNOWN)
            status = POOL_STATUS_DOWN; /* its liveness vanished (an expired lease) */
        pool_status before = info->status;
        if (seen == 0)
            seen = info->last_seen_ms;
        orbit_deployment_set_pool_status(p->dep, info->fqdn, status, seen);
        if (status != before) {
            if (before != POOL_STATUS_UNKNOWN || status == POOL_STATUS_DOWN)
                ORBIT_LOG_I(p->log, "pool %s is %s", info->fqdn, pool_status_name(status));
            pool_emit(p, ORBIT_EV_POOL_STATUS, state_json_pool(p, info->fqdn));
        }
    }
}

static void set_store_health(pool *p, link_thread t, bool ok, const orbit_status *st)
{
    static const char *const NAMES[LINK_THREADS] = {"watching changes", "committing", "heartbeats"};
    p->link_ok[t] = ok;
    bool all = true;
    for (int i = 0; i < LINK_THREADS; i++)
        all = all && p->link_ok[i];
    if (!ok)
        ORBIT_LOG_E(p->log, "store (%s): %s", NAMES[t], st->message);
    if (all == p->store_ok)
        return;
    p->store_ok = all;
    if (all)
        ORBIT_LOG_I(p->log, "the store is reachable again; catching up");
    else
        ORBIT_LOG_W(p->log, "degraded: serving calls from local state, refusing operator writes");
    pool_emit(p, ORBIT_EV_POOL_STATUS, state_json_pool(p, pool_fqdn(p)));
}

/* ---- the loop ---- */

void pool_drain(pool *p)
{
    if (!p->link)
        return; /* stopped */
    link_msg *m = store_link_take(p->link);
    bool moved = false;
    while (m) {
        link_msg *next = m->next;
        switch (m->kind) {
        case LINK_MSG_CHANGE:
            if (m->cursor > p->cursor) {
                store_change c = {m->cursor, m->time_ms,     m->origin,
                                  m->who,    m->change_kind, m->data};
                if (pool_apply_change(p, &c)) {
                    moved = true;
                } else {
                    /* Never leave a stale table: reload, and drop what
                     * follows until the image arrives. */
                    store_link_reload(p->link);
                    p->cursor = INT64_MAX;
                }
            }
            break;
        case LINK_MSG_IMAGE:
            if (install_image(p, &m->image)) {
                moved = true;
            } else {
                store_link_reload(p->link); /* try again with a fresh image */
                p->cursor = INT64_MAX;
            }
            break;
        case LINK_MSG_LIVENESS:
            apply_liveness(p, &m->live);
            pool_ops_liveness_read(p);
            break;
        case LINK_MSG_COMMITTED:
            pool_ops_committed(p, m->job, &m->st, m->committed);
            break;
        case LINK_MSG_HEALTH:
            if (!m->ok)
                p->metrics.store_errors++;
            set_store_health(p, m->thread, m->ok, &m->st);
            break;
        }
        store_link_msg_free(m);
        m = next;
    }
    if (moved)
        pool_ops_retry(p);
}

/* Publishes the in-use counts of this pool's CallPark ranges with the
 * next heartbeat, when they changed. Only ranges with calls parked are
 * listed (a range not listed has none): a heartbeat of a pool with
 * thousands of ranges stays a few rows, and so does the time it holds
 * the heartbeat file's lock, which every pool's liveness needs. */
static void publish_usage(pool *p, int64_t now)
{
    if (!p->usage_dirty || now - p->usage_sent_ms < POOL_USAGE_EVERY_MS)
        return;
    const orbit_table *t = orbit_deployment_table_const(p->dep);
    orbit_type cp = ORBIT_TYPE_CALLPARK;
    size_t count = orbit_table_select(t, pool_fqdn(p), &cp, NULL, 0);
    orbit_range *mine = malloc((count ? count : 1) * sizeof *mine);
    store_usage *usage = calloc(count ? count : 1, sizeof *usage);
    if (!mine || !usage) {
        free(mine);
        free(usage);
        return;
    }
    orbit_table_select(t, pool_fqdn(p), &cp, mine, count);
    size_t used = 0;
    for (size_t i = 0; i < count; i++) {
        uint32_t in_use = call_engine_parked_in(p->engine, &mine[i]);
        if (!in_use)
            continue;
        snprintf(usage[used].identity, sizeof usage[used].identity, "%s", mine[i].identity);
        snprintf(usage[used].pool, sizeof usage[used].pool, "%s", pool_fqdn(p));
        usage[used++].in_use = in_use;
    }
    free(mine);
    store_link_set_usage(p->link, usage, used);
    p->usage_dirty = false;
    p->usage_sent_ms = now;
}

void pool_tick(pool *p, int64_t now)
{
    if (!p->link)
        return; /* stopped */
    pool_drain(p);
    call_engine_tick(p->engine, now);
    uint32_t queued = (uint32_t)call_engine_queued_count(p->engine);
    if (queued > p->queued_peak)
        p->queued_peak = queued;
    ops_admin_complete_phases(p, now);
    pool_ops_tick(p, now);
    publish_usage(p, now);
}

/* ---- lifecycle ---- */

/* Takes an exclusive lock on the data directory for the process's life:
 * a second orbitd on the same data stops here, whatever the store says. */
static bool lock_data_dir(pool *p, char *err, size_t errlen)
{
    char path[SERVER_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/" POOL_LOCK_FILE, p->cfg->data_dir);
    p->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (p->lock_fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return false;
    }
    if (flock(p->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        snprintf(err, errlen,
                 "another orbitd already runs on %s (it holds %s): stop it before starting "
                 "this one",
                 p->cfg->data_dir, path);
        return false;
    }
    return true;
}

/* Is the holder ("host:pid") a process of this host that has ended? */
static bool holder_is_gone(const char *holder, const char *mine)
{
    const char *colon = strrchr(holder, ':');
    const char *my_colon = strrchr(mine, ':');
    if (!colon || !my_colon || colon - holder != my_colon - mine ||
        strncmp(holder, mine, (size_t)(colon - holder)) != 0)
        return false; /* another host: only its liveness can tell */
    long pid = strtol(colon + 1, NULL, 10);
    return pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* Refuses to start while another live instance serves this pool: its
 * heartbeat must lapse first (a pool killed a moment ago lapses within
 * its TTL; one on this host that has ended is known gone at once). */
static bool no_other_instance(pool *p, orbit_store *s, char *err, size_t errlen)
{
    int64_t give_up = orbit_time_mono_ms() + p->cfg->down_after_ms + 500;
    for (;;) {
        store_liveness live;
        orbit_status st;
        if (store_liveness_read(s, &live, &st) != ORBIT_OK) {
            snprintf(err, errlen, "reading liveness: %s", st.message);
            return false;
        }
        const store_pool_liveness *mine = NULL;
        for (size_t i = 0; i < live.npools; i++) {
            if (strcmp(live.pools[i].fqdn, pool_fqdn(p)) == 0)
                mine = &live.pools[i];
        }
        bool other = mine && mine->alive && strcmp(mine->holder, p->holder) != 0 &&
                     !holder_is_gone(mine->holder, p->holder);
        char holder[STORE_HOLDER_MAX + 1] = "";
        if (other)
            snprintf(holder, sizeof holder, "%s", mine->holder);
        store_liveness_free(&live);
        if (!other)
            return true;
        if (orbit_time_mono_ms() >= give_up) {
            snprintf(err, errlen,
                     "pool %s is already served by a live orbitd (%s): stop it before starting "
                     "another",
                     pool_fqdn(p), holder[0] ? holder : "unknown holder");
            return false;
        }
        struct timespec ts = {0, 200 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

static void wake_noop(void *ctx)
{
    (void)ctx;
}

pool *pool_new(const server_config *cfg, orbit_log *log, const pool_wake *wake, char *err,
               size_t errlen)
{
    pool *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    p->cfg = cfg;
    p->log = log;
    p->wake = wake ? *wake : (pool_wake){wake_noop, NULL};
    p->lock_fd = -1;
    p->started_ms = orbit_time_now_ms();
    p->store_ok = true;
    for (int t = 0; t < LINK_THREADS; t++)
        p->link_ok[t] = true;
    char host[128] = "localhost";
    gethostname(host, sizeof host - 1);
    snprintf(p->holder, sizeof p->holder, "%.80s:%ld", host, (long)getpid());
    orbit_rng_seed_os(&p->rng);
    orbit_status st;
    orbit_store *s = NULL;
    store_image img;
    memset(&img, 0, sizeof img);
    bool initialised = false;
    bool ok = false;
    if (!server_config_store_options(cfg, &p->store_opt, err, errlen)) {
        /* err says why */
    } else if (store_open(&p->store_opt, &s, &st) != ORBIT_OK) {
        snprintf(err, errlen, "%s", st.message);
    } else if (store_is_initialised(s, &initialised, &st) != ORBIT_OK) {
        snprintf(err, errlen, "%s", st.message);
    } else if (!initialised) {
        snprintf(err, errlen,
                 "the store %s holds no deployment: import a topology first "
                 "(orbitd import --store %s FILE)",
                 cfg->store, cfg->store);
    } else if (store_load(s, &img, &st) != ORBIT_OK) {
        snprintf(err, errlen, "loading the deployment: %s", st.message);
    } else if (!(p->dep = deployment_from(&img, NULL, &st))) {
        snprintf(err, errlen, "loading the deployment: %s", st.message);
    } else if (!ops_dr_set_runbooks(p, img.runbooks, img.nrunbooks)) {
        snprintf(err, errlen, "out of memory");
    } else if (!orbit_deployment_pool(p->dep, cfg->fqdn)) {
        snprintf(err, errlen, "pool %s is not in the deployment's registry", cfg->fqdn);
    } else if (pool_local_open(&p->local, cfg->data_dir, &st) != ORBIT_OK) {
        snprintf(err, errlen, "%s", st.message);
    } else if (!lock_data_dir(p, err, errlen) || !no_other_instance(p, s, err, errlen)) {
        /* err says which */
    } else if (audit_open(cfg->data_dir, cfg->audit_max_bytes, &p->audit, &st) != ORBIT_OK) {
        snprintf(err, errlen, "%s", st.message);
    } else if (!event_ring_init(&p->events, (size_t)cfg->replay_events)) {
        snprintf(err, errlen, "out of memory");
    } else {
        ok = true;
    }
    store_close(s);
    if (ok) {
        p->cursor = img.cursor;
        call_engine_env env = {
            .fqdn = cfg->fqdn,
            .settings = &p->local.settings,
            .moh = &p->local.moh,
            .rng = &p->rng,
            .clock_scale = cfg->clock_scale,
            .hooks = {p, engine_emit, engine_pool_status, engine_usage_changed, engine_now},
        };
        p->engine = call_engine_new(&env, p->dep);
        if (!p->engine) {
            snprintf(err, errlen, "out of memory");
            ok = false;
        }
    }
    if (ok) {
        store_link_config lc = {
            .fqdn = cfg->fqdn,
            .epoch = p->events.epoch,
            .holder = p->holder,
            .ttl_ms = cfg->down_after_ms,
            .beat_ms = cfg->heartbeat_ms / 2 > 0 ? cfg->heartbeat_ms / 2 : 1,
            .watch_wait_ms = POOL_WATCH_WAIT_MS,
            .wake = p->wake.fn,
            .wake_ctx = p->wake.ctx,
        };
        p->link = store_link_start(&p->store_opt, &lc, p->cursor, &st);
        if (!p->link) {
            snprintf(err, errlen, "%s", st.message);
            ok = false;
        }
    }
    store_image_free(&img);
    if (!ok) {
        pool_free(p);
        return NULL;
    }
    p->usage_dirty = true;
    return p;
}

void pool_stop(pool *p)
{
    if (!p)
        return;
    store_link_stop(p->link);
    p->link = NULL;
    pool_ops_cancel_all(p);
}

void pool_free(pool *p)
{
    if (!p)
        return;
    pool_stop(p);
    call_engine_free(p->engine);
    event_ring_free(&p->events);
    audit_close(p->audit);
    orbit_deployment_free(p->dep);
    wire_msg_unref(p->snapshot_state);
    free(p->usage);
    free(p->runbooks);
    free(p->sinks);
    if (p->lock_fd >= 0)
        close(p->lock_fd);
    free(p);
}
