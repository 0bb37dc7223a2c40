/* state_json: building the snapshot from the kernel's model. Each part is
 * one pass over what it shows: in-use counts come from running counters
 * (the free-orbit index, the group index), never from walking the calls
 * once per range. */
#include "state_json.h"

#include "orbit_json.h"
#include "orbit_json_dump.h"
#include "orbit_time.h"
#include "wire_msg.h"

#include <string.h>

json_t *state_json_pool(pool *p, const char *fqdn)
{
    const pool_info *info = orbit_deployment_pool(p->dep, fqdn);
    if (!info)
        return NULL;
    pool_info copy = *info;
    copy.status = pool_status_of(p, fqdn);
    if (strcmp(fqdn, pool_fqdn(p)) == 0 && !p->store_ok)
        copy.status = POOL_STATUS_DEGRADED;
    return orbit_json_from_pool(&copy);
}

json_t *state_json_self(pool *p)
{
    const pool_info *info = orbit_deployment_pool(p->dep, pool_fqdn(p));
    const orbit_table *t = orbit_deployment_table_const(p->dep);
    orbit_type cp = ORBIT_TYPE_CALLPARK, gp = ORBIT_TYPE_GROUPPICKUP;
    json_t *capacity =
        json_pack("{s:I, s:I, s:I, s:I, s:I}", "callpark_orbits",
                  (json_int_t)orbit_table_pool_total(t, pool_fqdn(p), &cp), "grouppickup_numbers",
                  (json_int_t)orbit_table_pool_total(t, pool_fqdn(p), &gp), "users_homed",
                  (json_int_t)orbit_deployment_users_homed(p->dep, pool_fqdn(p)), "users_served",
                  (json_int_t)orbit_deployment_users_served(p->dep, pool_fqdn(p)), "free_orbits",
                  (json_int_t)call_engine_free_orbits(p->engine));
    orbit_json_put(capacity, "pickup_groups",
                   json_integer(orbit_deployment_home_group_count(p->dep, pool_fqdn(p))));
    json_t *counters =
        json_pack("{s:I, s:I, s:I, s:I}", "parked", (json_int_t)call_engine_parked_count(p->engine),
                  "queued", (json_int_t)call_engine_queued_count(p->engine), "events",
                  (json_int_t)p->events.total, "started_ms", (json_int_t)p->started_ms);
    orbit_json_put(counters, "parked_peak", json_integer(p->parked_peak));
    orbit_json_put(counters, "queued_peak", json_integer(p->queued_peak));
    return json_pack("{s:s, s:s, s:s?, s:s, s:o, s:o}", "fqdn", pool_fqdn(p), "site",
                     info ? info->site : "", "backup",
                     info && info->backup[0] ? info->backup : NULL, "status",
                     p->store_ok ? "up" : "degraded", "capacity", capacity, "counters", counters);
}

static json_t *pools_json(pool *p)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < orbit_deployment_pool_count(p->dep); i++) {
        if (json_array_append_new(arr,
                                  state_json_pool(p, orbit_deployment_pool_at(p->dep, i)->fqdn))) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *dr_json(pool *p)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < orbit_deployment_pool_count(p->dep); i++) {
        const dr_state *d = orbit_deployment_dr(p->dep, orbit_deployment_pool_at(p->dep, i)->fqdn);
        if (json_array_append_new(arr, orbit_json_from_dr(d))) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *orbits_json(pool *p)
{
    const orbit_table *t = orbit_deployment_table_const(p->dep);
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < orbit_table_count(t); i++) {
        const orbit_range *r = orbit_table_at(t, i);
        if (json_array_append_new(arr, orbit_json_from_range(r, pool_range_in_use(p, r)))) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

/* The state; without "parked" when parked is false (the snapshot writes
 * them as text itself). */
static json_t *build(pool *p, bool parked)
{
    json_t *calls = parked ? call_engine_parked_json(p->engine) : NULL;
    if (parked && !calls)
        return NULL;
    /* o* leaves "parked" out when calls is NULL. */
    json_t *state = json_pack(
        "{s:o, s:o, s:o, s:o, s:o, s:o, s:o*, s:o}", "pool", state_json_self(p), "pools",
        pools_json(p), "dr", dr_json(p), "orbits", orbits_json(p), "config",
        orbit_json_from_settings(&p->local.settings), "moh", orbit_json_from_moh(&p->local.moh),
        "parked", calls, "queues", call_engine_queues_json(p->engine));
    if (state && !orbit_json_put(state, "runbooks", ops_dr_runbooks_json(p))) {
        json_decref(state);
        return NULL;
    }
    return state;
}

json_t *state_json_build(pool *p)
{
    return build(p, true);
}

/* The state as one message: the object without its parked calls, then
 * the calls written straight to text (at 49,400 calls, building an
 * object per call and dumping the tree took 326 ms of the loop). The
 * members are those of state_json_build, "parked" last. */
static wire_msg *snapshot_message(pool *p)
{
    json_t *state = build(p, false);
    orbit_buf b;
    orbit_buf_init(&b);
    bool ok = state && wire_msg_begin(&b) && orbit_json_dump(&b, state) && b.len > 0 &&
              b.data[b.len - 1] == '}';
    json_decref(state);
    if (ok) {
        b.len--; /* reopen the object: it has members, so a comma follows */
        ok = orbit_buf_append(&b, ",\"parked\":", 10) && call_engine_parked_write(p->engine, &b) &&
             orbit_buf_append(&b, "}", 1);
    }
    if (!ok) {
        orbit_buf_free(&b);
        return NULL;
    }
    return wire_msg_finish(&b);
}

json_t *state_json_users(pool *p, const char *home)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < orbit_deployment_user_count(p->dep); i++) {
        const orbit_user *u = orbit_deployment_user_at(p->dep, i);
        if (home && strcmp(u->home, home) != 0)
            continue;
        if (json_array_append_new(arr, orbit_json_from_user(u))) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

/* ---- the kernel's read API ---- */

json_t *pool_state_json(pool *p)
{
    json_t *state = state_json_build(p);
    if (state && (!orbit_json_put(state, "epoch", json_string(p->events.epoch)) ||
                  !orbit_json_put(state, "rev", json_integer(p->events.rev)))) {
        json_decref(state);
        return NULL;
    }
    return state;
}

json_t *pool_users_json(pool *p, const char *home)
{
    return state_json_users(p, home);
}

json_t *pool_audit_tail(pool *p, size_t limit, bool requests, orbit_status *st)
{
    return audit_tail(p->audit, limit, requests, st);
}

wire_msg *pool_snapshot_state(pool *p, int64_t *rev, orbit_status *st)
{
    /* Built once per revision and shared by every subscriber that asks
     * before the next event changes it. */
    if (!p->snapshot_state || p->snapshot_rev != p->events.rev) {
        wire_msg_unref(p->snapshot_state);
        p->snapshot_state = snapshot_message(p);
        p->snapshot_rev = p->events.rev;
    }
    if (!p->snapshot_state) {
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "could not build the snapshot");
        return NULL;
    }
    *rev = p->snapshot_rev;
    return wire_msg_ref(p->snapshot_state);
}
