/* state_json: building the snapshot from the server's model. */
#include "state_json.h"

#include "call_engine.h"
#include "orbit_json.h"
#include "server.h"

#include <string.h>

json_t *state_json_pool(orbit_server *srv, const char *fqdn)
{
    const pool_info *p = orbit_deployment_pool(srv->dep, fqdn);
    if (!p)
        return NULL;
    pool_info copy = *p;
    copy.status = server_pool_status(srv, fqdn);
    return orbit_json_from_pool(&copy);
}

json_t *state_json_self(orbit_server *srv)
{
    const pool_info *p = orbit_deployment_pool(srv->dep, server_fqdn(srv));
    const orbit_table *t = orbit_deployment_table_const(srv->dep);
    orbit_type cp = ORBIT_TYPE_CALLPARK, gp = ORBIT_TYPE_GROUPPICKUP;
    json_t *capacity = json_pack(
        "{s:I, s:I, s:I, s:I}", "callpark_orbits",
        (json_int_t)orbit_table_pool_total(t, server_fqdn(srv), &cp), "grouppickup_numbers",
        (json_int_t)orbit_table_pool_total(t, server_fqdn(srv), &gp), "users_homed",
        (json_int_t)orbit_deployment_users_homed(srv->dep, server_fqdn(srv)), "users_served",
        (json_int_t)orbit_deployment_users_served(srv->dep, server_fqdn(srv)));
    json_t *counters = json_pack(
        "{s:I, s:I, s:I, s:I, s:I}", "parked", (json_int_t)call_engine_parked_count(srv->engine),
        "queued", (json_int_t)call_engine_queued_count(srv->engine), "events",
        (json_int_t)srv->events.total, "connections", (json_int_t)srv->nsessions, "started_ms",
        (json_int_t)srv->started_ms);
    return json_pack("{s:s, s:s, s:s?, s:s, s:o, s:o}", "fqdn", server_fqdn(srv), "site",
                     p ? p->site : "", "backup", p && p->backup[0] ? p->backup : NULL, "status",
                     srv->store_ok ? "up" : "degraded", "capacity", capacity, "counters", counters);
}

static json_t *pools_json(orbit_server *srv)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < orbit_deployment_pool_count(srv->dep); i++) {
        if (json_array_append_new(
                arr, state_json_pool(srv, orbit_deployment_pool_at(srv->dep, i)->fqdn))) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *dr_json(orbit_server *srv)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < orbit_deployment_pool_count(srv->dep); i++) {
        const dr_state *d =
            orbit_deployment_dr(srv->dep, orbit_deployment_pool_at(srv->dep, i)->fqdn);
        if (json_array_append_new(arr, orbit_json_from_dr(d))) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *orbits_json(orbit_server *srv)
{
    const orbit_table *t = orbit_deployment_table_const(srv->dep);
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < orbit_table_count(t); i++) {
        const orbit_range *r = orbit_table_at(t, i);
        if (json_array_append_new(arr, orbit_json_from_range(r, server_range_in_use(srv, r)))) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

json_t *state_json_build(orbit_server *srv)
{
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "pool", state_json_self(srv),
                     "pools", pools_json(srv), "dr", dr_json(srv), "orbits", orbits_json(srv),
                     "config", orbit_json_from_settings(&srv->local.settings), "moh",
                     orbit_json_from_moh(&srv->local.moh), "parked",
                     call_engine_parked_json(srv->engine), "queues",
                     call_engine_queues_json(srv->engine));
}

json_t *state_json_users(orbit_server *srv, const char *home)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < orbit_deployment_user_count(srv->dep); i++) {
        const orbit_user *u = orbit_deployment_user_at(srv->dep, i);
        if (home && strcmp(u->home, home) != 0)
            continue;
        if (json_array_append_new(arr, orbit_json_from_user(u))) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}
