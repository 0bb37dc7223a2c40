/* bench_net: the socket layer both load generators share (orbit.v1 over
 * WebSocket, Redis over RESP): non-blocking TCP connections on one epoll
 * loop, periodic timers, and output batched per loop turn, so both
 * servers are driven by clients written exactly the same way.
 * epoll rather than poll: with 500 subscribers a poll loop scans every
 * socket on every wake-up and the client, not the server, becomes the
 * limit (measured with libwebsockets' poll loop: 75% of a core for
 * 100,000 frames a second). */
#ifndef BENCH_NET_H
#define BENCH_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct bench_net bench_net;
typedef struct bench_sock bench_sock;

typedef struct {
    /* Connected: the protocol may write its greeting. */
    void (*on_connected)(void *ctx, bench_sock *s);
    /* Bytes arrived (borrowed): returns how many it consumed; the rest is
     * offered again with what arrives next. */
    size_t (*on_data)(void *ctx, bench_sock *s, const char *buf, size_t len);
    /* The connection failed or closed (why is borrowed); s stays valid
     * until bench_net_free. */
    void (*on_closed)(void *ctx, bench_sock *s, const char *why);
} bench_net_hooks;

bench_net *bench_net_new(void);
/* Closes and frees every connection and timer. */
void bench_net_free(bench_net *n);

/* Starts a connection to host:port (numeric IPv4 or a name). hooks are
 * copied; ctx and user are borrowed. NULL when it cannot even start. */
bench_sock *bench_net_connect(bench_net *n, const char *host, int port,
                              const bench_net_hooks *hooks, void *ctx, void *user);

/* Queues bytes (copied); they go out at the end of this loop turn. */
bool bench_sock_write(bench_sock *s, const void *buf, size_t len);
/* Bytes queued and not yet written. */
size_t bench_sock_pending(const bench_sock *s);
void *bench_sock_user(const bench_sock *s);
void bench_sock_set_user(bench_sock *s, void *user);
bool bench_sock_connected(const bench_sock *s);
/* Closes at once (on_closed follows). */
void bench_sock_close(bench_sock *s, const char *why);

/* Runs fn(ctx) every period_us until it returns false. */
bool bench_net_every(bench_net *n, int64_t period_us, bool (*fn)(void *ctx), void *ctx);

/* Services the loop until done(ctx) or timeout_s passes; false on
 * timeout. */
bool bench_net_run(bench_net *n, bool (*done)(void *ctx), void *ctx, double timeout_s);

/* Waits (at most until the next timer) for network activity, handles it,
 * runs due timers and flushes output. */
void bench_net_service(bench_net *n);

#endif
