/* ops_admin: orbit.*, config.set, pool.failover, pool.failback. */
#include "ops_admin.h"

#include "orbit_json.h"
#include "orbit_time.h"
#include "server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    orbit_server *srv;
    const char *who;
    const orbit_cmd_args *args;
    json_t *data; /* result data, set by the transaction */
} admin_txn;

static orbit_err need_pool(orbit_server *srv, const char *fqdn, const char *field, orbit_status *st)
{
    if (!orbit_deployment_pool(srv->dep, fqdn))
        return orbit_status_set(st, ORBIT_ERR_NOT_FOUND, field, "unknown pool %s", fqdn);
    return ORBIT_OK;
}

static uint32_t in_use_cb(void *ctx, const orbit_range *r)
{
    return server_range_in_use(ctx, r);
}

/* Writes the row and the change that tells every pool about it. */
static orbit_err log_change(admin_txn *t, orbit_store *s, const char *kind, json_t *data,
                            orbit_status *st)
{
    if (!data)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    orbit_err e = store_append_change(s, server_fqdn(t->srv), t->who, kind, data, NULL, st);
    if (e == ORBIT_OK)
        t->data = data;
    else
        json_decref(data);
    return e;
}

static orbit_err create_txn(void *ctx, orbit_store *s, orbit_status *st)
{
    admin_txn *t = ctx;
    server_sync_store(t->srv); /* rules are checked against the newest table */
    const orbit_range *r = &t->args->u.create;
    orbit_err e = need_pool(t->srv, r->pool, "pool", st);
    if (e)
        return e;
    orbit_table *trial = orbit_table_clone(orbit_deployment_table(t->srv->dep));
    if (!trial)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    e = orbit_table_create(trial, r, st);
    orbit_table_free(trial);
    if (!e)
        e = store_put_range(s, r, st);
    if (!e)
        e = log_change(t, s, "orbit.created", orbit_json_from_range(r, 0), st);
    return e;
}

static orbit_err update_txn(void *ctx, orbit_store *s, orbit_status *st)
{
    admin_txn *t = ctx;
    server_sync_store(t->srv);
    const orbit_cmd_args *a = t->args;
    if (a->u.update.has_pool) {
        orbit_err e = need_pool(t->srv, a->u.update.pool, "pool", st);
        if (e)
            return e;
    }
    orbit_table *table = orbit_deployment_table(t->srv->dep);
    const orbit_range *old = orbit_table_find(table, a->u.update.identity);
    if (!old)
        return orbit_status_set(st, ORBIT_ERR_NOT_FOUND, "identity", "no range named '%s'",
                                a->u.update.identity);
    uint32_t used = server_range_in_use(t->srv, old);
    json_t *previous = orbit_json_from_range(old, used);
    orbit_table *trial = orbit_table_clone(table);
    if (!trial || !previous) {
        orbit_table_free(trial);
        json_decref(previous);
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    }
    orbit_range_patch patch = {
        .start = a->u.update.has_start ? a->u.update.start : NULL,
        .end = a->u.update.has_end ? a->u.update.end : NULL,
        .pool = a->u.update.has_pool ? a->u.update.pool : NULL,
        .has_type = a->u.update.has_type,
        .type = a->u.update.type,
        .force = a->u.update.force,
    };
    orbit_range updated;
    orbit_err e =
        orbit_table_update(trial, a->u.update.identity, &patch, in_use_cb, t->srv, &updated, st);
    orbit_table_free(trial);
    if (!e)
        e = store_put_range(s, &updated, st);
    if (!e) {
        json_t *data = orbit_json_from_range(&updated, used);
        if (data && !orbit_json_put(data, "previous", json_incref(previous))) {
            json_decref(data);
            data = NULL;
        }
        e = log_change(t, s, "orbit.updated", data, st);
    }
    json_decref(previous);
    return e;
}

static orbit_err delete_txn(void *ctx, orbit_store *s, orbit_status *st)
{
    admin_txn *t = ctx;
    server_sync_store(t->srv);
    const char *id = t->args->u.del.identity;
    orbit_table *table = orbit_deployment_table(t->srv->dep);
    const orbit_range *old = orbit_table_find(table, id);
    if (!old)
        return orbit_status_set(st, ORBIT_ERR_NOT_FOUND, "identity", "no range named '%s'", id);
    json_t *data = orbit_json_from_range(old, -1);
    orbit_table *trial = orbit_table_clone(table);
    if (!trial || !data) {
        orbit_table_free(trial);
        json_decref(data);
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    }
    char canonical[ORBIT_IDENTITY_MAX + 1];
    snprintf(canonical, sizeof canonical, "%s", old->identity);
    orbit_err e = orbit_table_delete(trial, id, t->args->u.del.force, in_use_cb, t->srv, st);
    orbit_table_free(trial);
    if (!e)
        e = store_delete_range(s, canonical, st);
    if (!e)
        return log_change(t, s, "orbit.deleted", data, st);
    json_decref(data);
    return e;
}

static orbit_err reassign_txn(void *ctx, orbit_store *s, orbit_status *st)
{
    admin_txn *t = ctx;
    server_sync_store(t->srv);
    const orbit_cmd_args *a = t->args;
    orbit_err e = need_pool(t->srv, a->u.reassign.from_pool, "from_pool", st);
    if (!e)
        e = need_pool(t->srv, a->u.reassign.to_pool, "to_pool", st);
    if (e)
        return e;
    orbit_table *trial = orbit_table_clone(orbit_deployment_table(t->srv->dep));
    if (!trial)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    const orbit_type *only = a->u.reassign.has_type ? &a->u.reassign.type : NULL;
    size_t moved = 0;
    e = orbit_table_reassign(trial, a->u.reassign.from_pool, a->u.reassign.to_pool, only, &moved,
                             st);
    json_t *ranges = json_array();
    for (size_t i = 0; !e && ranges && i < orbit_table_count(trial); i++) {
        const orbit_range *r = orbit_table_at(trial, i);
        const orbit_range *before =
            orbit_table_find(orbit_deployment_table(t->srv->dep), r->identity);
        if (!before || strcmp(before->pool, r->pool) == 0)
            continue;
        e = store_put_range(s, r, st);
        if (!e && json_array_append_new(ranges, orbit_json_from_range(r, -1)) != 0)
            e = orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    }
    orbit_table_free(trial);
    if (e || !ranges) {
        json_decref(ranges);
        return e ? e : orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    }
    json_t *data =
        json_pack("{s:s, s:s, s:s?, s:I, s:o}", "from_pool", a->u.reassign.from_pool, "to_pool",
                  a->u.reassign.to_pool, "type", only ? orbit_type_name(*only) : NULL, "moved",
                  (json_int_t)moved, "ranges", ranges);
    return log_change(t, s, "orbit.reassigned", data, st);
}

/* ---- DR ---- */

static dr_request dr_facts(orbit_server *srv, const char *home, bool disaster_mode)
{
    const pool_info *hp = orbit_deployment_pool(srv->dep, home);
    const dr_state *hd = orbit_deployment_dr(srv->dep, home);
    const dr_state *mine = orbit_deployment_dr(srv->dep, server_fqdn(srv));
    orbit_type cp = ORBIT_TYPE_CALLPARK;
    dr_request r = {
        .phase = hd ? hd->phase : DR_PHASE_NORMAL,
        .home_has_backup = hp && hp->backup[0],
        .asked_at_backup = hp && strcmp(hp->backup, server_fqdn(srv)) == 0,
        .home_up = server_pool_status(srv, home) == POOL_STATUS_UP,
        .backup_up = true, /* this pool answers, and only the backup may run it */
        .disaster_mode = disaster_mode,
        .backup_callpark_numbers =
            orbit_table_pool_total(orbit_deployment_table(srv->dep), server_fqdn(srv), &cp),
        .backup_phase = mine ? mine->phase : DR_PHASE_NORMAL,
    };
    return r;
}

static json_t *dr_change_data(const store_dr_row *row, dr_event ev)
{
    json_t *data = orbit_json_from_dr(&row->state);
    if (data && (!orbit_json_put(data, "event", json_string(dr_event_name(ev))) ||
                 !orbit_json_put(data, "run_by", json_string(row->run_by)))) {
        json_decref(data);
        return NULL;
    }
    return data;
}

typedef struct {
    admin_txn base;
    dr_event event;
} dr_txn;

static orbit_err dr_begin_txn(void *ctx, orbit_store *s, orbit_status *st)
{
    dr_txn *t = ctx;
    orbit_server *srv = t->base.srv;
    server_sync_store(srv);
    server_refresh_liveness(srv); /* "is the home pool up?" on fresh heartbeats */
    const char *home = t->base.args->u.dr.pool;
    orbit_err e = need_pool(srv, home, "pool", st);
    if (e)
        return e;
    if (strcmp(home, server_fqdn(srv)) == 0)
        return orbit_status_set(st, ORBIT_ERR_WRONG_POOL, "pool",
                                "%s names this pool: send it to the home pool's backup",
                                dr_event_name(t->event));
    dr_request req = dr_facts(srv, home, t->base.args->u.dr.disaster_mode);
    dr_phase next;
    e = dr_transition_check(t->event, &req, &next, st);
    if (e)
        return e;
    int64_t now = orbit_time_now_ms();
    store_dr_row row;
    memset(&row, 0, sizeof row);
    row.state = *orbit_deployment_dr(srv->dep, home);
    row.state.phase = next;
    row.state.since_ms = now;
    row.state.ends_ms = now + server_scaled_ms(srv, srv->cfg.phase_seconds);
    if (t->event == DR_EVENT_FAILOVER_BEGIN)
        row.state.disaster_mode = t->base.args->u.dr.disaster_mode;
    snprintf(row.run_by, sizeof row.run_by, "%s", server_fqdn(srv));
    e = store_put_dr(s, &row, st);
    if (!e)
        e = log_change(&t->base, s, "dr.changed", dr_change_data(&row, t->event), st);
    return e;
}

typedef struct {
    orbit_server *srv;
    const char *home;
    int64_t now;
    bool done;
} complete_txn;

static orbit_err dr_complete_txn(void *ctx, orbit_store *s, orbit_status *st)
{
    complete_txn *t = ctx;
    server_sync_store(t->srv);
    server_refresh_liveness(t->srv);
    const dr_state *d = orbit_deployment_dr(t->srv->dep, t->home);
    if (!d || !dr_phase_resiliency(d->phase) || d->ends_ms > t->now)
        return ORBIT_OK; /* someone else finished it, or it is not due */
    dr_event ev =
        d->phase == DR_PHASE_FAILING_OVER ? DR_EVENT_FAILOVER_COMPLETE : DR_EVENT_FAILBACK_COMPLETE;
    dr_request req = dr_facts(t->srv, t->home, d->disaster_mode);
    dr_phase next;
    orbit_err e = dr_transition_check(ev, &req, &next, st);
    if (e)
        return e;
    store_dr_row row;
    memset(&row, 0, sizeof row);
    row.state = *d;
    row.state.phase = next;
    row.state.since_ms = t->now;
    row.state.ends_ms = 0;
    if (next == DR_PHASE_NORMAL)
        row.state.disaster_mode = false;
    e = store_put_dr(s, &row, st);
    json_t *data = e ? NULL : dr_change_data(&row, ev);
    if (!e && !data)
        e = orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    if (!e)
        e = store_append_change(s, server_fqdn(t->srv), "phase-timer", "dr.changed", data, NULL,
                                st);
    json_decref(data);
    t->done = e == ORBIT_OK;
    return e;
}

void ops_admin_complete_phases(orbit_server *srv, int64_t now)
{
    for (size_t i = 0; i < orbit_deployment_pool_count(srv->dep); i++) {
        const pool_info *p = orbit_deployment_pool_at(srv->dep, i);
        const dr_state *d = orbit_deployment_dr(srv->dep, p->fqdn);
        /* The backup pool runs its partner's phases. */
        if (!d || !dr_phase_resiliency(d->phase) || d->ends_ms > now ||
            strcmp(p->backup, server_fqdn(srv)) != 0)
            continue;
        char home[ORBIT_FQDN_MAX + 1];
        snprintf(home, sizeof home, "%s", p->fqdn);
        complete_txn t = {srv, home, now, false};
        orbit_status st;
        orbit_status_clear(&st);
        if (store_transact(srv->store, dr_complete_txn, &t, &st) != ORBIT_OK)
            ORBIT_LOG_W(&srv->log, "completing the phase of %s: %s", home, st.message);
        else if (t.done)
            server_sync_store(srv);
        return; /* the registry may have changed: one at a time */
    }
}

/* ---- config ---- */

static orbit_err config_set(orbit_server *srv, const orbit_cmd_args *a, json_t **data,
                            orbit_status *st)
{
    if (cps_settings_equal(&a->u.config, &srv->local.settings)) {
        *data = orbit_json_from_settings(&srv->local.settings);
        return ORBIT_OK;
    }
    orbit_err e = pool_local_save_settings(&srv->local, &a->u.config, st);
    if (e)
        return e;
    json_t *ev = orbit_json_from_settings(&srv->local.settings);
    if (ev)
        server_emit(srv, "config.changed", ev);
    *data = orbit_json_from_settings(&srv->local.settings);
    return ORBIT_OK;
}

orbit_err ops_admin_run(orbit_server *srv, const char *who, const orbit_cmd_args *args,
                        json_t **data, orbit_status *st)
{
    *data = NULL;
    if (args->op == ORBIT_OP_CONFIG_SET)
        return config_set(srv, args, data, st);
    dr_txn t = {.base = {.srv = srv, .who = who, .args = args, .data = NULL}};
    store_txn_fn fn = NULL;
    switch (args->op) {
    case ORBIT_OP_ORBIT_CREATE:
        fn = create_txn;
        break;
    case ORBIT_OP_ORBIT_UPDATE:
        fn = update_txn;
        break;
    case ORBIT_OP_ORBIT_DELETE:
        fn = delete_txn;
        break;
    case ORBIT_OP_ORBIT_REASSIGN:
        fn = reassign_txn;
        break;
    case ORBIT_OP_POOL_FAILOVER:
        t.event = DR_EVENT_FAILOVER_BEGIN;
        fn = dr_begin_txn;
        break;
    case ORBIT_OP_POOL_FAILBACK:
        t.event = DR_EVENT_FAILBACK_BEGIN;
        fn = dr_begin_txn;
        break;
    default:
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "op", "%s is not an operator op",
                                orbit_op_name(args->op));
    }
    orbit_err e = store_transact(srv->store, fn, &t, st);
    if (e) {
        json_decref(t.base.data);
        return e;
    }
    /* Apply our own change now, so its event goes out before the result. */
    server_sync_store(srv);
    *data = t.base.data;
    if (fn == dr_begin_txn) {
        /* Answer with the derived state (serving pool, redirect flag). */
        const dr_state *d = orbit_deployment_dr(srv->dep, args->u.dr.pool);
        json_t *now = d ? orbit_json_from_dr(d) : NULL;
        if (now)
            json_object_update(*data, now);
        json_decref(now);
    }
    return ORBIT_OK;
}
