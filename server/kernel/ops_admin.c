/* ops_admin: the operator ops. Each judges a request against the state
 * this pool has applied (core's check-only table rules, the DR table) and
 * answers it, or builds the batch that carries the change for the store
 * to commit; the kernel applies the change once committed (pool.c). A
 * change's data holds everything a pool needs to apply it, so no pool
 * ever re-reads a table to follow another. This pool's Call Park
 * settings are its own (not in the store) and change here directly. */
#include "pool_internal.h"

#include "orbit_json.h"
#include "orbit_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

orbit_err ops_admin_need_pool(const pool *p, const char *fqdn, const char *field, orbit_status *st)
{
    if (!orbit_deployment_pool(p->dep, fqdn))
        return orbit_status_set(st, ORBIT_ERR_NOT_FOUND, field, "unknown pool %s", fqdn);
    return ORBIT_OK;
}

static uint32_t in_use_cb(void *ctx, const orbit_range *r)
{
    return pool_range_in_use(ctx, r);
}

static pool_op_outcome refuse(orbit_err e)
{
    (void)e; /* the status is already filled */
    return POOL_OP_DONE;
}

pool_op_outcome ops_admin_out_of_memory(orbit_status *st)
{
    orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    return POOL_OP_DONE;
}

pool_op_outcome ops_admin_commit(store_batch *b, orbit_event_kind kind, json_t *data,
                                 const store_write *writes, size_t n, orbit_status *st)
{
    if (!data)
        return ops_admin_out_of_memory(st);
    store_batch_init(b, "", "", orbit_event_name(kind), data);
    for (size_t i = 0; i < n; i++) {
        if (!store_batch_add(b, &writes[i]))
            return ops_admin_out_of_memory(st);
    }
    return POOL_OP_COMMIT;
}

/* ---- orbit table ---- */

pool_op_outcome ops_admin_orbit_create(const pool_op_call *c, store_batch *batch, json_t **data,
                                       orbit_status *st)
{
    (void)data;
    const orbit_range *r = &c->args->u.create;
    orbit_err e = ops_admin_need_pool(c->p, r->pool, "pool", st);
    if (!e)
        e = orbit_table_check_create(orbit_deployment_table_const(c->p->dep), r, st);
    if (e)
        return refuse(e);
    store_write w = {.kind = STORE_WRITE_RANGE_PUT, .u.range = *r};
    return ops_admin_commit(batch, ORBIT_EV_ORBIT_CREATED, store_range_to_json(r), &w, 1, st);
}

pool_op_outcome ops_admin_orbit_update(const pool_op_call *c, store_batch *batch, json_t **data,
                                       orbit_status *st)
{
    (void)data;
    const orbit_cmd_args *a = c->args;
    if (a->u.update.has_pool) {
        orbit_err e = ops_admin_need_pool(c->p, a->u.update.pool, "pool", st);
        if (e)
            return refuse(e);
    }
    const orbit_table *t = orbit_deployment_table_const(c->p->dep);
    const orbit_range *old = orbit_table_find(t, a->u.update.identity);
    if (!old) {
        orbit_status_set(st, ORBIT_ERR_NOT_FOUND, "identity", "no range named '%s'",
                         a->u.update.identity);
        return POOL_OP_DONE;
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
        orbit_table_check_update(t, a->u.update.identity, &patch, in_use_cb, c->p, &updated, st);
    if (e)
        return refuse(e);
    json_t *change = store_range_to_json(&updated);
    json_t *previous = orbit_json_from_range(old, pool_range_in_use(c->p, old));
    if (!change || !previous || !orbit_json_put(change, "previous", previous)) {
        json_decref(change);
        return ops_admin_out_of_memory(st);
    }
    store_write w = {.kind = STORE_WRITE_RANGE_PUT, .u.range = updated};
    return ops_admin_commit(batch, ORBIT_EV_ORBIT_UPDATED, change, &w, 1, st);
}

pool_op_outcome ops_admin_orbit_delete(const pool_op_call *c, store_batch *batch, json_t **data,
                                       orbit_status *st)
{
    (void)data;
    const char *id = c->args->u.del.identity;
    const orbit_table *t = orbit_deployment_table_const(c->p->dep);
    orbit_err e = orbit_table_check_delete(t, id, c->args->u.del.force, in_use_cb, c->p, st);
    if (e)
        return refuse(e);
    const orbit_range *old = orbit_table_find(t, id);
    store_write w = {.kind = STORE_WRITE_RANGE_DELETE};
    snprintf(w.u.identity, sizeof w.u.identity, "%s", old->identity);
    return ops_admin_commit(batch, ORBIT_EV_ORBIT_DELETED, store_range_to_json(old), &w, 1, st);
}

pool_op_outcome ops_admin_orbit_reassign(const pool_op_call *c, store_batch *batch, json_t **data,
                                         orbit_status *st)
{
    (void)data;
    const orbit_cmd_args *a = c->args;
    orbit_err e = ops_admin_need_pool(c->p, a->u.reassign.from_pool, "from_pool", st);
    if (!e)
        e = ops_admin_need_pool(c->p, a->u.reassign.to_pool, "to_pool", st);
    const orbit_table *t = orbit_deployment_table_const(c->p->dep);
    const orbit_type *only = a->u.reassign.has_type ? &a->u.reassign.type : NULL;
    size_t moving = 0;
    if (!e)
        e = orbit_table_check_reassign(t, a->u.reassign.from_pool, a->u.reassign.to_pool, only,
                                       &moving, st);
    if (e)
        return refuse(e);
    json_t *ranges = json_array();
    store_write *writes = calloc(moving ? moving : 1, sizeof *writes);
    size_t n = 0;
    for (size_t i = 0; ranges && writes && i < orbit_table_count(t); i++) {
        const orbit_range *r = orbit_table_at(t, i);
        if (strcmp(r->pool, a->u.reassign.from_pool) != 0 || (only && r->type != *only))
            continue;
        orbit_range moved = *r;
        snprintf(moved.pool, sizeof moved.pool, "%s", a->u.reassign.to_pool);
        writes[n].kind = STORE_WRITE_RANGE_PUT;
        writes[n++].u.range = moved;
        if (json_array_append_new(ranges, store_range_to_json(&moved)) != 0) {
            json_decref(ranges);
            ranges = NULL;
        }
    }
    json_t *change = ranges ? json_pack("{s:s, s:s, s:s?, s:I, s:o}", "from_pool",
                                        a->u.reassign.from_pool, "to_pool", a->u.reassign.to_pool,
                                        "type", only ? orbit_type_name(*only) : NULL, "moved",
                                        (json_int_t)n, "ranges", ranges)
                            : NULL;
    pool_op_outcome out =
        writes ? ops_admin_commit(batch, ORBIT_EV_ORBIT_REASSIGNED, change, writes, n, st)
               : (json_decref(change), ops_admin_out_of_memory(st));
    free(writes);
    return out;
}

/* ---- DR ---- */

static dr_request dr_facts(const pool *p, const char *home, bool disaster_mode)
{
    const pool_info *hp = orbit_deployment_pool(p->dep, home);
    const dr_state *hd = orbit_deployment_dr(p->dep, home);
    const dr_state *mine = orbit_deployment_dr(p->dep, pool_fqdn(p));
    orbit_type cp = ORBIT_TYPE_CALLPARK;
    dr_request r = {
        .phase = hd ? hd->phase : DR_PHASE_NORMAL,
        .home_has_backup = hp && hp->backup[0],
        .asked_at_backup = hp && strcmp(hp->backup, pool_fqdn(p)) == 0,
        .home_up = pool_status_of(p, home) == POOL_STATUS_UP,
        .backup_up = true, /* this pool answers, and only the backup may run it */
        .disaster_mode = disaster_mode,
        .backup_callpark_numbers =
            orbit_table_pool_total(orbit_deployment_table_const(p->dep), pool_fqdn(p), &cp),
        .backup_phase = mine ? mine->phase : DR_PHASE_NORMAL,
    };
    return r;
}

static json_t *dr_change_data(const store_dr_row *row, dr_event ev)
{
    json_t *data = store_dr_to_json(row);
    if (data && !orbit_json_put(data, "event", json_string(dr_event_name(ev)))) {
        json_decref(data);
        return NULL;
    }
    return data;
}

static pool_op_outcome dr_begin(const pool_op_call *c, dr_event event, store_batch *batch,
                                orbit_status *st)
{
    pool *p = c->p;
    const char *home = c->args->u.dr.pool;
    orbit_err e = ops_admin_need_pool(p, home, "pool", st);
    if (e)
        return refuse(e);
    if (strcmp(home, pool_fqdn(p)) == 0) {
        orbit_status_set(st, ORBIT_ERR_WRONG_POOL, "pool",
                         "%s names this pool: send it to the home pool's backup",
                         dr_event_name(event));
        return POOL_OP_DONE;
    }
    bool disaster = event == DR_EVENT_FAILOVER_BEGIN && c->args->u.dr.disaster_mode;
    dr_request req = dr_facts(p, home, disaster);
    dr_phase next;
    if ((e = dr_transition_check(event, &req, &next, st)))
        return refuse(e);
    int64_t now = orbit_time_now_ms();
    store_write w = {.kind = STORE_WRITE_DR_PUT};
    w.u.dr.state = *orbit_deployment_dr(p->dep, home);
    w.u.dr.state.phase = next;
    w.u.dr.state.since_ms = now;
    w.u.dr.state.ends_ms = now + pool_scaled_ms(p, p->cfg->phase_seconds);
    if (event == DR_EVENT_FAILOVER_BEGIN)
        w.u.dr.state.disaster_mode = disaster;
    snprintf(w.u.dr.run_by, sizeof w.u.dr.run_by, "%s", pool_fqdn(p));
    return ops_admin_commit(batch, ORBIT_EV_DR_CHANGED, dr_change_data(&w.u.dr, event), &w, 1, st);
}

pool_op_outcome ops_admin_failover(const pool_op_call *c, store_batch *batch, json_t **data,
                                   orbit_status *st)
{
    (void)data;
    return dr_begin(c, DR_EVENT_FAILOVER_BEGIN, batch, st);
}

pool_op_outcome ops_admin_failback(const pool_op_call *c, store_batch *batch, json_t **data,
                                   orbit_status *st)
{
    (void)data;
    return dr_begin(c, DR_EVENT_FAILBACK_BEGIN, batch, st);
}

void ops_admin_complete_phases(pool *p, int64_t now)
{
    if (p->completing_phase || !p->store_ok)
        return;
    for (size_t i = 0; i < orbit_deployment_pool_count(p->dep); i++) {
        const pool_info *home = orbit_deployment_pool_at(p->dep, i);
        const dr_state *d = orbit_deployment_dr(p->dep, home->fqdn);
        /* The backup pool runs its partner's phases. */
        if (!d || !dr_phase_resiliency(d->phase) || d->ends_ms > now ||
            strcmp(home->backup, pool_fqdn(p)) != 0)
            continue;
        dr_event ev = d->phase == DR_PHASE_FAILING_OVER ? DR_EVENT_FAILOVER_COMPLETE
                                                        : DR_EVENT_FAILBACK_COMPLETE;
        dr_request req = dr_facts(p, home->fqdn, d->disaster_mode);
        dr_phase next;
        orbit_status st;
        if (dr_transition_check(ev, &req, &next, &st) != ORBIT_OK) {
            ORBIT_LOG_W(p->log, "completing the phase of %s: %s", home->fqdn, st.message);
            continue;
        }
        store_write w = {.kind = STORE_WRITE_DR_PUT};
        w.u.dr.state = *d;
        w.u.dr.state.phase = next;
        w.u.dr.state.since_ms = now;
        w.u.dr.state.ends_ms = 0;
        if (next == DR_PHASE_NORMAL)
            w.u.dr.state.disaster_mode = false;
        snprintf(w.u.dr.run_by, sizeof w.u.dr.run_by, "%s", pool_fqdn(p));
        store_batch batch;
        json_t *data = dr_change_data(&w.u.dr, ev);
        if (!data)
            return;
        store_batch_init(&batch, pool_fqdn(p), "phase-timer", orbit_event_name(ORBIT_EV_DR_CHANGED),
                         data);
        if (!store_batch_add(&batch, &w)) {
            store_batch_free(&batch);
            return;
        }
        pool_ops_commit_internal(p, &batch);
        return; /* one at a time: the next waits for this one */
    }
}

/* ---- this pool's settings ---- */

pool_op_outcome ops_admin_config_set(const pool_op_call *c, store_batch *batch, json_t **data,
                                     orbit_status *st)
{
    (void)batch;
    pool *p = c->p;
    if (!cps_settings_equal(&c->args->u.config, &p->local.settings)) {
        if (pool_local_save_settings(&p->local, &c->args->u.config, st) != ORBIT_OK)
            return POOL_OP_DONE;
        pool_emit(p, ORBIT_EV_CONFIG_CHANGED, orbit_json_from_settings(&p->local.settings));
    }
    *data = orbit_json_from_settings(&p->local.settings);
    if (!*data)
        return ops_admin_out_of_memory(st);
    return POOL_OP_DONE;
}
