/* server: lifecycle and the periodic tick. */
#include "server.h"

#include "http_api.h"
#include "orbit_time.h"
#include "sip_transport.h"
#include "ws_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SERVER_TICK_US   (100 * LWS_US_PER_MS)
#define SERVER_RX_BUFFER 65536

_Static_assert(LWS_PRE <= WIRE_MSG_HEADROOM, "wire_msg leaves room for libwebsockets' framing");

static const struct lws_protocols SERVER_PROTOCOLS[] = {
    {"http", http_api_callback, 0, 0, 0, NULL, 0},
    {WS_PROTOCOL_NAME, ws_session_callback, 0, SERVER_RX_BUFFER, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

void server_caller_init(pool_caller *c, const server_token *t, const char *client, const char *peer)
{
    memset(c, 0, sizeof *c);
    snprintf(c->token, sizeof c->token, "%s", t ? t->name : "");
    c->role = t ? t->role : ORBIT_ROLE_NONE;
    snprintf(c->client, sizeof c->client, "%s", client ? client : "");
    snprintf(c->peer, sizeof c->peer, "%s", peer ? peer : "");
}

static void on_tick(lws_sorted_usec_list_t *sul)
{
    orbit_server *srv = lws_container_of(sul, orbit_server, tick);
    int64_t now = orbit_time_now_ms();
    pool_tick(srv->pool, now);
    sip_transport_drain(srv->sip);
    ws_session_tick(srv, now);
    heap_trim_tick(&srv->heap, orbit_time_mono_ms());
    if (!srv->stopping)
        lws_sul_schedule(srv->lws, 0, &srv->tick, on_tick, SERVER_TICK_US);
}

/* Store threads and the SIP edge call this when they have news; lws
 * delivers LWS_CALLBACK_EVENT_WAIT_CANCELLED on the loop, where http_api
 * calls server_on_wake. */
static void wake_loop(void *ctx)
{
    orbit_server *srv = ctx;
    lws_cancel_service(srv->lws);
}

void server_on_wake(orbit_server *srv)
{
    if (srv->pool)
        pool_drain(srv->pool);
    sip_transport_drain(srv->sip);
}

static void on_event(void *ctx, wire_msg *m, orbit_event_kind kind, const json_t *data)
{
    (void)kind;
    (void)data;
    ws_session_broadcast(ctx, m);
}

static void on_resync(void *ctx)
{
    ws_session_resync_all(ctx);
}

static void lws_log_to_ours(int level, const char *line)
{
    /* libwebsockets' own errors only; its lines end with a newline. */
    (void)level;
    fprintf(stderr, "lws: %s", line);
}

bool server_start(orbit_server *srv, char *err, size_t errlen)
{
    srv->log.level = srv->cfg.log_level;
    srv->log.program = "orbitd";
    srv->log.name = srv->cfg.fqdn;

    lws_set_log_level(LLL_ERR, lws_log_to_ours);
    srv->ws_scratch = malloc(LWS_PRE + SERVER_WS_SCRATCH);
    if (!srv->ws_scratch) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
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
    /* Room to read a too-long request's headers, so it gets 431 rather
     * than a closed connection (see http_api.h). */
    info.max_http_header_data2 = HTTP_HEADER_BUFFER_BYTES;
    info.timeout_secs = 30;
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
    pool_wake wake = {wake_loop, srv};
    srv->pool = pool_new(&srv->cfg, &srv->log, &wake, err, errlen);
    if (!srv->pool)
        return false;
    pool_sink sink = {on_event, on_resync, srv};
    if (!pool_add_sink(srv->pool, &sink)) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    if (!sip_transport_start(srv->pool, &srv->cfg, &srv->log, &wake, &srv->sip, err, errlen))
        return false;
    lws_sul_schedule(srv->lws, 0, &srv->tick, on_tick, SERVER_TICK_US);
    ORBIT_LOG_I(&srv->log, "serving %s on %s:%d%s (store %s, epoch %s)", srv->cfg.fqdn,
                srv->cfg.listen, srv->cfg.port, srv->cfg.tls_cert[0] ? " with TLS" : "",
                srv->cfg.store, pool_events(srv->pool)->epoch);
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
    /* The SIP edge first: its last BYEs go out while the pool still runs. */
    sip_transport_stop(srv->sip);
    srv->sip = NULL;
    pool_stop(srv->pool); /* no store thread wakes the loop from here on */
    if (srv->lws) {
        lws_sul_cancel(&srv->tick);
        /* Sessions close here and detach their ops from the pool. */
        lws_context_destroy(srv->lws);
        srv->lws = NULL;
    }
    pool_free(srv->pool);
    srv->pool = NULL;
    free(srv->lws_protocols);
    free(srv->ws_scratch);
    srv->ws_scratch = NULL;
    orbit_buf_free(&srv->result_scratch);
    server_config_free(&srv->cfg);
}
