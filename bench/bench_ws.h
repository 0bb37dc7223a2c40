/* bench_ws: many orbit.v1 WebSocket sessions on one epoll loop
 * (bench_net, shared with the Redis client), for the load generators. It
 * upgrades each connection (RFC 6455, subprotocol orbit.v1), greets with
 * hello, and hands every later frame to the caller as text, without
 * parsing: a generator driving 500 subscribers must spend its time on
 * the wire, not in a JSON parser. Frames longer than a session's keep
 * limit (a 10 MB snapshot) are counted, not stored.
 * Not libwebsockets' client, which the project's own clients use: its
 * poll loop and byte-at-a-time frame parser made the generator the limit
 * at 100 subscribers x 1,000 events/s (see docs/performance.md). */
#ifndef BENCH_WS_H
#define BENCH_WS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct bench_ws bench_ws;
typedef struct bench_conn bench_conn;

typedef struct {
    /* The pool welcomed the session: it may subscribe and send commands. */
    void (*on_ready)(void *ctx, bench_conn *c);
    /* One whole text frame. text (borrowed, valid during the call) holds
     * the first `kept` bytes; len is the frame's full length. */
    void (*on_frame)(void *ctx, bench_conn *c, const char *text, size_t kept, size_t len);
    /* The session failed or closed; why is borrowed. */
    void (*on_closed)(void *ctx, bench_conn *c, const char *why);
} bench_ws_hooks;

/* hooks are copied; ctx is borrowed and passed to every hook. */
bench_ws *bench_ws_new(const bench_ws_hooks *hooks, void *ctx);
/* Closes every session and frees them. */
void bench_ws_free(bench_ws *w);

/* Opens a session to url (ws://host:port/v1/stream) and says hello with
 * token (copied). user is borrowed and returned by bench_conn_user; keep
 * is the longest frame stored whole. The connection belongs to w. NULL
 * when the URL is bad or memory runs out; on_closed may run before this
 * returns when the connection cannot even start. */
bench_conn *bench_ws_open(bench_ws *w, const char *url, const char *token, void *user, size_t keep);

/* Queues one text frame (copied). */
bool bench_conn_send(bench_conn *c, const char *text, size_t len);
/* Bytes queued and not yet written. */
size_t bench_conn_queued(const bench_conn *c);
/* Bytes of frames received so far, including the one being received. */
uint64_t bench_conn_rx_bytes(const bench_conn *c);
void *bench_conn_user(const bench_conn *c);
bool bench_conn_open(const bench_conn *c);
/* Closes the session (on_closed follows). */
void bench_conn_close(bench_conn *c);

/* Runs fn(ctx) every period_us on the loop until it returns false. */
bool bench_ws_every(bench_ws *w, int64_t period_us, bool (*fn)(void *ctx), void *ctx);

/* Services the loop until done(ctx) or timeout_s passes; false on
 * timeout. */
bool bench_ws_run(bench_ws *w, bool (*done)(void *ctx), void *ctx, double timeout_s);

#endif
