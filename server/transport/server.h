/* server: one orbitd's wiring: the libwebsockets context that carries the
 * WebSocket and HTTP transports, the periodic tick, and the pool kernel
 * they serve. Everything here runs on the one thread of lws's loop. */
#ifndef SERVER_H
#define SERVER_H

#include "heap_trim.h"
#include "orbit_log.h"
#include "pool.h"
#include "server_config.h"

#include <libwebsockets.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct ws_session ws_session;
typedef struct sip_transport sip_transport;

/* The transports' own counters for /metrics. */
typedef struct {
    uint64_t http_requests;
    uint64_t resyncs;
    uint64_t frames_in;
    uint64_t frames_out;
    uint64_t bad_frames;
    uint64_t rate_limited;
} server_metrics;

/* Bytes framed and sent per writable callback of a session. */
#define SERVER_WS_SCRATCH (64u * 1024u)

typedef struct orbit_server {
    server_config cfg;
    orbit_log log;
    pool *pool;
    struct lws_context *lws;
    struct lws_protocols *lws_protocols; /* per-session sizes filled at start */
    lws_sorted_usec_list_t tick;
    ws_session *sessions; /* doubly linked */
    size_t nsessions;
    server_metrics metrics;
    /* One buffer every session frames its sends in: the loop writes to
     * one session at a time. LWS_PRE + SERVER_WS_SCRATCH bytes. */
    unsigned char *ws_scratch;
    /* Where each command's answer is written before it is copied into a
     * message of its exact size; reused, on the loop's thread only. */
    orbit_buf result_scratch;
    sip_transport *sip; /* the SIP edge, NULL when sip_port is 0 */
    heap_trim heap; /* hands a burst's freed memory back (the tick runs it) */
    bool stopping;
} orbit_server;

/* Listens, then starts the pool kernel. On failure writes a reason into
 * err. */
bool server_start(orbit_server *srv, char *err, size_t errlen);

/* Runs the event loop until server_stop() or until *stop turns non-zero
 * (set by a signal handler; checked at least every tick). */
void server_run(orbit_server *srv, volatile sig_atomic_t *stop);

/* The loop was woken (LWS_CALLBACK_EVENT_WAIT_CANCELLED): a store thread
 * or the SIP edge has news for the kernel. */
void server_on_wake(orbit_server *srv);

/* Asks the loop to finish (safe from a signal-driven path). */
void server_stop(orbit_server *srv);

/* Releases everything server_start() made. */
void server_destroy(orbit_server *srv);

/* The caller an authenticated token makes, for the kernel's gate. */
void server_caller_init(pool_caller *c, const server_token *t, const char *client,
                        const char *peer);

#endif
