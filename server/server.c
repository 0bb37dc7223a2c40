/* server: lifecycle, the periodic tick, and keeping the pool's view of
 * the deployment in step with the shared store. */
#include "server.h"

#include "call_engine.h"
#include "http_api.h"
#include "ops_admin.h"
#include "orbit_json.h"
#include "orbit_time.h"
#include "state_json.h"
#include "ws_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SERVER_TICK_US   (100 * LWS_US_PER_MS)
#define SERVER_POLL_MS   200
#define SERVER_RX_BUFFER 65536

static const struct lws_protocols SERVER_PROTOCOLS[] = {
    {"http", http_api_callback, 0, 0, 0, NULL, 0},
    {WS_PROTOCOL_NAME, ws_session_callback, 0, SERVER_RX_BUFFER, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

int64_t server_scaled_ms(const orbit_server *srv, double seconds)
{
    double ms = seconds * 1000.0 / srv->cfg.clock_scale;
    return ms < 1.0 ? (seconds > 0 ? 1 : 0) : (int64_t)ms;
}

void server_count_op(orbit_server *srv, int op, orbit_err result)
{
    if (op >= 0 && op <= ORBIT_OP_COUNT && (unsigned)result < ORBIT_ERR_COUNT)
        srv->metrics.ops[op][result]++;
}

void server_emit(orbit_server *srv, const char *kind, json_t *data)
{
    wire_msg *m = event_ring_append(&srv->events, kind, data, orbit_time_now_ms());
    if (!m) {
        ORBIT_LOG_E(&srv->log, "could not record event %s (out of memory)", kind);
        return;
    }
    ws_session_broadcast(srv, m);
    wire_msg_unref(m);
}

pool_status server_pool_status(const orbit_server *srv, const char *fqdn)
{
    if (strcmp(fqdn, server_fqdn(srv)) == 0)
        return POOL_STATUS_UP;
    const pool_info *p = orbit_deployment_pool(srv->dep, fqdn);
    return p ? p->status : POOL_STATUS_UNKNOWN;
}

uint32_t server_range_in_use(const orbit_server *srv, const orbit_range *r)
{
    uint32_t used = orbit_deployment_groups_in_range(srv->dep, r);
    if (strcmp(r->pool, server_fqdn(srv)) == 0)
        return used + call_engine_parked_in(srv->engine, r);
    for (size_t i = 0; i < srv->nusage; i++) {
        if (strcasecmp(srv->usage[i].identity, r->identity) == 0 &&
            strcmp(srv->usage[i].pool, r->pool) == 0)
            return used + srv->usage[i].in_use;
    }
    return used;
}

/* ---- applying the store's changes ---- */

static bool reload_ranges(orbit_server *srv)
{
    orbit_range *ranges;
    size_t n;
    orbit_status st;
    if (store_load_ranges(srv->store, &ranges, &n, &st) != ORBIT_OK) {
        ORBIT_LOG_E(&srv->log, "reloading ranges: %s", st.message);
        return false;
    }
    orbit_err e = orbit_table_load(orbit_deployment_table(srv->dep), ranges, n, &st);
    free(ranges);
    if (e != ORBIT_OK) {
        ORBIT_LOG_E(&srv->log, "the store's ranges break a rule: %s", st.message);
        return false;
    }
    orbit_deployment_refresh(srv->dep);
    if (!call_engine_ranges_changed(srv->engine))
        ORBIT_LOG_E(&srv->log, "rebuilding the free-orbit index: out of memory");
    srv->usage_dirty = true;
    return true;
}

static void reload_dr(orbit_server *srv)
{
    store_dr_row *rows;
    size_t n;
    orbit_status st;
    if (store_load_dr(srv->store, &rows, &n, &st) != ORBIT_OK) {
        ORBIT_LOG_E(&srv->log, "reloading DR state: %s", st.message);
        return;
    }
    for (size_t i = 0; i < n; i++)
        orbit_deployment_set_dr(srv->dep, &rows[i].state);
    free(rows);
}

/* Loads everything (start, import, or a change log gap). */
static bool load_image(orbit_server *srv, orbit_status *st)
{
    store_image img;
    if (store_load(srv->store, &img, st) != ORBIT_OK)
        return false;
    orbit_deployment *dep = orbit_deployment_new();
    bool ok = dep != NULL;
    if (!ok)
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    if (ok)
        ok = orbit_deployment_set_pools(dep, img.pools, img.npools, st) == ORBIT_OK;
    if (ok)
        ok = orbit_table_load(orbit_deployment_table(dep), img.ranges, img.nranges, st) == ORBIT_OK;
    if (ok)
        ok = orbit_deployment_set_users(dep, img.users, img.nusers, st) == ORBIT_OK;
    for (size_t i = 0; ok && i < img.ndr; i++)
        orbit_deployment_set_dr(dep, &img.dr[i].state);
    if (ok && srv->dep) {
        /* Keep liveness already learnt. */
        for (size_t i = 0; i < orbit_deployment_pool_count(srv->dep); i++) {
            const pool_info *p = orbit_deployment_pool_at(srv->dep, i);
            orbit_deployment_set_pool_status(dep, p->fqdn, p->status, p->last_seen_ms);
        }
    }
    if (ok) {
        orbit_deployment_free(srv->dep);
        srv->dep = dep;
        srv->store_seq = img.last_seq;
    } else {
        orbit_deployment_free(dep);
    }
    store_image_free(&img);
    return ok;
}

typedef struct {
    orbit_server *srv;
    bool gap;
    bool reload_all;
} sync_ctx;

static dr_event dr_event_from(const char *name)
{
    for (int e = 0; e < DR_EVENT_COUNT; e++) {
        if (name && strcmp(dr_event_name((dr_event)e), name) == 0)
            return (dr_event)e;
    }
    return DR_EVENT_COUNT;
}

static void apply_change(void *ctx, const store_change *c)
{
    sync_ctx *sc = ctx;
    orbit_server *srv = sc->srv;
    if (sc->gap || sc->reload_all)
        return;
    if (c->seq != srv->store_seq + 1) {
        /* Trimmed history: events cannot be rebuilt one by one. */
        sc->gap = true;
        return;
    }
    srv->store_seq = c->seq;
    json_t *data = json_deep_copy(c->data);
    if (!data) {
        sc->reload_all = true;
        return;
    }
    orbit_json_put(data, "origin", json_string(c->origin));
    orbit_json_put(data, "who", json_string(c->who));
    if (strncmp(c->kind, "orbit.", 6) == 0) {
        size_t npools = orbit_deployment_pool_count(srv->dep);
        bool *before = calloc(npools ? npools : 1, sizeof *before);
        for (size_t i = 0; before && i < npools; i++)
            before[i] = orbit_deployment_dr(srv->dep, orbit_deployment_pool_at(srv->dep, i)->fqdn)
                            ->pickup_ranges_redirected;
        reload_ranges(srv);
        server_emit(srv, c->kind, data);
        /* A range move can redirect (or un-redirect) a home pool's pickup
         * ranges: that is a DR state change clients must see. */
        for (size_t i = 0; before && i < npools && i < orbit_deployment_pool_count(srv->dep); i++) {
            const dr_state *d =
                orbit_deployment_dr(srv->dep, orbit_deployment_pool_at(srv->dep, i)->fqdn);
            if (d->pickup_ranges_redirected == before[i])
                continue;
            json_t *ev = orbit_json_from_dr(d);
            if (ev && orbit_json_put(ev, "event", json_string("pickup_ranges_moved")))
                server_emit(srv, "dr.changed", ev);
            else
                json_decref(ev);
        }
        free(before);
    } else if (strcmp(c->kind, "dr.changed") == 0) {
        reload_dr(srv);
        const char *home = json_string_value(json_object_get(c->data, "home"));
        dr_event ev = dr_event_from(json_string_value(json_object_get(c->data, "event")));
        /* Send the current derived state (serving, redirect flag). */
        const dr_state *d = home ? orbit_deployment_dr(srv->dep, home) : NULL;
        if (d) {
            json_t *now = orbit_json_from_dr(d);
            if (now)
                json_object_update(data, now);
            json_decref(now);
        }
        server_emit(srv, "dr.changed", data);
        if (home && ev < DR_EVENT_COUNT) {
            ORBIT_LOG_I(&srv->log, "DR %s for %s (by %s)", dr_event_name(ev), home, c->origin);
            call_engine_apply_dr(srv->engine, ev, home);
        }
    } else if (strcmp(c->kind, "topology.imported") == 0) {
        json_decref(data);
        sc->reload_all = true;
    } else {
        server_emit(srv, c->kind, data);
    }
}

void server_sync_store(orbit_server *srv)
{
    sync_ctx sc = {srv, false, false};
    orbit_status st;
    if (store_changes_after(srv->store, srv->store_seq, apply_change, &sc, &st) != ORBIT_OK) {
        if (srv->store_ok)
            ORBIT_LOG_E(&srv->log, "store: %s", st.message);
        srv->store_ok = false;
        return;
    }
    srv->store_ok = true;
    if (!sc.gap && !sc.reload_all)
        return;
    ORBIT_LOG_I(&srv->log, "reloading the deployment from the store (%s)",
                sc.gap ? "change log gap" : "topology imported");
    if (!load_image(srv, &st)) {
        ORBIT_LOG_E(&srv->log, "reload failed: %s", st.message);
        return;
    }
    if (!call_engine_ranges_changed(srv->engine))
        ORBIT_LOG_E(&srv->log, "rebuilding the free-orbit index: out of memory");
    /* Events cannot describe a wholesale change: clients take a snapshot. */
    ws_session_resync_all(srv);
}

/* ---- liveness ---- */

static void read_liveness(orbit_server *srv, int64_t now);

void server_refresh_liveness(orbit_server *srv)
{
    read_liveness(srv, orbit_time_now_ms());
}

static void read_liveness(orbit_server *srv, int64_t now)
{
    store_heartbeat *beats;
    store_usage *usage;
    size_t nbeats, nusage;
    orbit_status st;
    if (store_liveness_read(srv->store, &beats, &nbeats, &usage, &nusage, &st) != ORBIT_OK) {
        if (srv->store_ok)
            ORBIT_LOG_E(&srv->log, "store: %s", st.message);
        srv->store_ok = false;
        return;
    }
    free(srv->usage);
    srv->usage = usage;
    srv->nusage = nusage;
    for (size_t i = 0; i < nbeats; i++) {
        const store_heartbeat *b = &beats[i];
        const pool_info *p = orbit_deployment_pool(srv->dep, b->fqdn);
        if (!p)
            continue;
        pool_status status;
        if (strcmp(b->fqdn, server_fqdn(srv)) == 0)
            status = POOL_STATUS_UP;
        else if (b->heartbeat_ms == 0)
            status = POOL_STATUS_UNKNOWN;
        else
            status =
                now - b->heartbeat_ms > srv->cfg.down_after_ms ? POOL_STATUS_DOWN : POOL_STATUS_UP;
        pool_status before = p->status;
        orbit_deployment_set_pool_status(srv->dep, b->fqdn, status, b->heartbeat_ms);
        if (status != before) {
            if (before != POOL_STATUS_UNKNOWN || status == POOL_STATUS_DOWN)
                ORBIT_LOG_I(&srv->log, "pool %s is %s", b->fqdn, pool_status_name(status));
            server_emit(srv, "pool.status", state_json_pool(srv, b->fqdn));
        }
    }
    free(beats);
}

static void write_heartbeat(orbit_server *srv, int64_t now)
{
    store_usage *usage = NULL;
    size_t n = 0;
    if (srv->usage_dirty) {
        const orbit_table *t = orbit_deployment_table_const(srv->dep);
        orbit_type cp = ORBIT_TYPE_CALLPARK;
        size_t count = orbit_table_select(t, server_fqdn(srv), &cp, NULL, 0);
        orbit_range *mine = malloc((count ? count : 1) * sizeof *mine);
        usage = calloc(count ? count : 1, sizeof *usage);
        if (mine && usage) {
            orbit_table_select(t, server_fqdn(srv), &cp, mine, count);
            for (size_t i = 0; i < count; i++) {
                snprintf(usage[i].identity, sizeof usage[i].identity, "%s", mine[i].identity);
                snprintf(usage[i].pool, sizeof usage[i].pool, "%s", server_fqdn(srv));
                usage[i].in_use = call_engine_parked_in(srv->engine, &mine[i]);
            }
            n = count;
        } else {
            free(usage);
            usage = NULL;
        }
        free(mine);
    }
    orbit_status st;
    if (store_heartbeat_write(srv->store, server_fqdn(srv), now, srv->events.epoch, usage, n,
                              &st) != ORBIT_OK) {
        if (srv->store_ok)
            ORBIT_LOG_E(&srv->log, "heartbeat: %s", st.message);
        srv->store_ok = false;
    } else if (usage) {
        srv->usage_dirty = false;
    }
    free(usage);
}

/* ---- tick ---- */

static void on_tick(lws_sorted_usec_list_t *sul)
{
    orbit_server *srv = lws_container_of(sul, orbit_server, tick);
    int64_t now = orbit_time_now_ms();
    if (now - srv->last_beat_ms >= srv->cfg.heartbeat_ms / 2) {
        srv->last_beat_ms = now;
        write_heartbeat(srv, now);
    }
    if (now - srv->last_poll_ms >= SERVER_POLL_MS) {
        srv->last_poll_ms = now;
        server_sync_store(srv);
        read_liveness(srv, now);
        ops_admin_complete_phases(srv, now);
    }
    call_engine_tick(srv->engine, now);
    ws_session_tick(srv, now);
    if (!srv->stopping)
        lws_sul_schedule(srv->lws, 0, &srv->tick, on_tick, SERVER_TICK_US);
}

/* ---- ops ---- */

orbit_err server_run_op(orbit_server *srv, const char *who, orbit_role role, orbit_op op,
                        const json_t *args, json_t **data, orbit_status *st)
{
    *data = NULL;
    orbit_status_clear(st);
    orbit_err e;
    orbit_cmd_args decoded;
    if (!orbit_role_may(role, op)) {
        e = orbit_status_set(st, ORBIT_ERR_FORBIDDEN, "op",
                             "%s needs the %s role; this token is %s", orbit_op_name(op),
                             orbit_role_name(orbit_op_role(op)), orbit_role_name(role));
    } else if ((e = orbit_args_decode(op, args, &srv->local.settings, &decoded, st)) == ORBIT_OK) {
        if (orbit_op_role(op) == ORBIT_ROLE_OPERATOR) {
            e = ops_admin_run(srv, who, &decoded, data, st);
        } else {
            /* Decide on the newest DR state and orbit table, not on what
             * the last poll saw: a failover started a moment ago at the
             * backup already puts these users in resiliency mode. */
            server_sync_store(srv);
            e = call_engine_run(srv->engine, &decoded, data, st);
        }
    }
    server_count_op(srv, op, e);
    if (role == ORBIT_ROLE_OPERATOR) {
        orbit_status ast;
        if (audit_append(srv->audit, orbit_time_now_ms(), who, orbit_role_name(role),
                         orbit_op_name(op), args, st, &ast) != ORBIT_OK) {
            ORBIT_LOG_E(&srv->log, "audit: %s", ast.message);
            if (e == ORBIT_OK) {
                /* Done but not recorded: say so rather than pretend. */
                json_decref(*data);
                *data = NULL;
                *st = ast;
                return ast.code;
            }
        }
    }
    if (e == ORBIT_OK && !*data)
        *data = json_object();
    if (e != ORBIT_OK)
        ORBIT_LOG_D(&srv->log, "%s by %s refused: %s %s", orbit_op_name(op), who, orbit_err_name(e),
                    st->message);
    return e;
}

/* ---- lifecycle ---- */

static void lws_log_to_ours(int level, const char *line)
{
    /* libwebsockets' own errors only; its lines end with a newline. */
    (void)level;
    fprintf(stderr, "lws: %s", line);
}

bool server_start(orbit_server *srv, char *err, size_t errlen)
{
    orbit_status st;
    orbit_status_clear(&st);
    srv->log.level = srv->cfg.log_level;
    srv->log.program = "orbitd";
    srv->log.name = srv->cfg.fqdn;
    srv->started_ms = orbit_time_now_ms();
    orbit_rng_seed_os(&srv->rng);
    if (store_open(srv->cfg.store, &srv->store, &st) != ORBIT_OK) {
        snprintf(err, errlen, "%s", st.message);
        return false;
    }
    if (!store_is_initialised(srv->store)) {
        snprintf(err, errlen,
                 "the store %s holds no deployment: import a topology first "
                 "(orbitd import --store %s FILE)",
                 srv->cfg.store, srv->cfg.store);
        return false;
    }
    if (!load_image(srv, &st)) {
        snprintf(err, errlen, "loading the deployment: %s", st.message);
        return false;
    }
    if (!orbit_deployment_pool(srv->dep, srv->cfg.fqdn)) {
        snprintf(err, errlen, "pool %s is not in the deployment's registry", srv->cfg.fqdn);
        return false;
    }
    srv->store_ok = true;
    if (pool_local_open(&srv->local, srv->cfg.data_dir, &st) != ORBIT_OK ||
        audit_open(srv->cfg.data_dir, &srv->audit, &st) != ORBIT_OK) {
        snprintf(err, errlen, "%s", st.message);
        return false;
    }
    if (!event_ring_init(&srv->events, (size_t)srv->cfg.replay_events)) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    srv->engine = call_engine_new(srv);
    if (!srv->engine) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    srv->usage_dirty = true;

    lws_set_log_level(LLL_ERR, lws_log_to_ours);
    struct lws_protocols *protocols = malloc(sizeof SERVER_PROTOCOLS);
    if (!protocols) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    memcpy(protocols, SERVER_PROTOCOLS, sizeof SERVER_PROTOCOLS);
    protocols[0].per_session_data_size = http_api_session_size();
    protocols[1].per_session_data_size = ws_session_size();
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = srv->cfg.port;
    info.iface = srv->cfg.listen;
    info.protocols = protocols;
    info.user = srv;
    info.options = LWS_SERVER_OPTION_VALIDATE_UTF8 | LWS_SERVER_OPTION_DISABLE_IPV6;
    info.vhost_name = srv->cfg.fqdn;
    info.server_string = "orbitd/" ORBIT_VERSION;
    info.timeout_secs = 30;
    info.max_http_header_data2 = HTTP_HEADER_BUFFER_BYTES;
    info.ka_time = 60;
    info.ka_probes = 3;
    info.ka_interval = 10;
    if (srv->cfg.tls_cert[0]) {
        info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
        info.ssl_cert_filepath = srv->cfg.tls_cert;
        info.ssl_private_key_filepath = srv->cfg.tls_key;
    }
    srv->lws = lws_create_context(&info);
    /* lws keeps the pointer: the table lives until server_destroy(). */
    srv->lws_protocols = protocols;
    if (!srv->lws) {
        snprintf(err, errlen, "cannot listen on %s:%d (in use, or TLS files unreadable)",
                 srv->cfg.listen, srv->cfg.port);
        return false;
    }
    write_heartbeat(srv, orbit_time_now_ms());
    read_liveness(srv, orbit_time_now_ms());
    lws_sul_schedule(srv->lws, 0, &srv->tick, on_tick, SERVER_TICK_US);
    ORBIT_LOG_I(&srv->log, "serving %s on %s:%d%s (store %s, epoch %s)", srv->cfg.fqdn,
                srv->cfg.listen, srv->cfg.port, srv->cfg.tls_cert[0] ? " with TLS" : "",
                srv->cfg.store, srv->events.epoch);
    return true;
}

void server_run(orbit_server *srv, volatile sig_atomic_t *stop)
{
    while (!srv->stopping && !(stop && *stop)) {
        if (lws_service(srv->lws, 0) < 0)
            break;
    }
}

void server_stop(orbit_server *srv)
{
    srv->stopping = true;
    if (srv->lws)
        lws_cancel_service(srv->lws);
}

void server_destroy(orbit_server *srv)
{
    if (srv->lws) {
        lws_sul_cancel(&srv->tick);
        lws_context_destroy(srv->lws);
        srv->lws = NULL;
    }
    free(srv->lws_protocols);
    call_engine_free(srv->engine);
    event_ring_free(&srv->events);
    audit_close(srv->audit);
    orbit_deployment_free(srv->dep);
    free(srv->usage);
    store_close(srv->store);
    server_config_free(&srv->cfg);
}
