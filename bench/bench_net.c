/* bench_net: non-blocking sockets on epoll for the load generators. */
#include "bench_net.h"

#include "bench_proc.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define NET_READ_CHUNK 65536
#define NET_EVENTS     256

struct bench_sock {
    bench_net *n;
    int fd;
    bench_net_hooks hooks;
    void *ctx, *user;
    bool connected, closed, want_out, dirty;
    char *in;
    size_t in_len, in_cap;
    char *out;
    size_t out_off, out_len, out_cap;
    struct bench_sock *next, *next_dirty;
};

typedef struct net_timer {
    int64_t period_us, due_us;
    bool (*fn)(void *ctx);
    void *ctx;
    bool done;
    struct net_timer *next;
} net_timer;

struct bench_net {
    int ep;
    bench_sock *socks;
    bench_sock *dirty;
    net_timer *timers;
};

bench_net *bench_net_new(void)
{
    bench_net *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->ep = epoll_create1(EPOLL_CLOEXEC);
    if (n->ep < 0) {
        free(n);
        return NULL;
    }
    return n;
}

void bench_net_free(bench_net *n)
{
    if (!n)
        return;
    while (n->socks) {
        bench_sock *s = n->socks;
        n->socks = s->next;
        if (s->fd >= 0)
            close(s->fd);
        free(s->in);
        free(s->out);
        free(s);
    }
    while (n->timers) {
        net_timer *t = n->timers;
        n->timers = t->next;
        free(t);
    }
    close(n->ep);
    free(n);
}

static void set_events(bench_sock *s)
{
    struct epoll_event ev = {.events = EPOLLIN | (s->want_out ? EPOLLOUT : 0u), .data.ptr = s};
    epoll_ctl(s->n->ep, EPOLL_CTL_MOD, s->fd, &ev);
}

void bench_sock_close(bench_sock *s, const char *why)
{
    if (s->closed)
        return;
    s->closed = true;
    s->connected = false;
    epoll_ctl(s->n->ep, EPOLL_CTL_DEL, s->fd, NULL);
    close(s->fd);
    s->fd = -1;
    s->out_len = s->out_off = 0;
    if (s->hooks.on_closed)
        s->hooks.on_closed(s->ctx, s, why);
}

static bool resolve(const char *host, int port, struct sockaddr_storage *addr, socklen_t *len)
{
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res = NULL;
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    if (getaddrinfo(host, service, &hints, &res) != 0 || !res)
        return false;
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return true;
}

bench_sock *bench_net_connect(bench_net *n, const char *host, int port,
                              const bench_net_hooks *hooks, void *ctx, void *user)
{
    struct sockaddr_storage addr;
    socklen_t alen;
    if (!resolve(host, port, &addr, &alen))
        return NULL;
    bench_sock *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->n = n;
    s->hooks = *hooks;
    s->ctx = ctx;
    s->user = user;
    s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd < 0) {
        free(s);
        return NULL;
    }
    int one = 1;
    setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(s->fd, (struct sockaddr *)&addr, alen) != 0 && errno != EINPROGRESS) {
        close(s->fd);
        free(s);
        return NULL;
    }
    s->want_out = true; /* writable = connected */
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = s};
    if (epoll_ctl(n->ep, EPOLL_CTL_ADD, s->fd, &ev) != 0) {
        close(s->fd);
        free(s);
        return NULL;
    }
    s->next = n->socks;
    n->socks = s;
    return s;
}

bool bench_sock_write(bench_sock *s, const void *buf, size_t len)
{
    if (s->closed)
        return false;
    if (s->out_len + len > s->out_cap) {
        if (s->out_off) {
            memmove(s->out, s->out + s->out_off, s->out_len - s->out_off);
            s->out_len -= s->out_off;
            s->out_off = 0;
        }
        size_t cap = s->out_cap ? s->out_cap : 16384;
        while (cap < s->out_len + len)
            cap *= 2;
        if (cap != s->out_cap) {
            char *grown = realloc(s->out, cap);
            if (!grown)
                return false;
            s->out = grown;
            s->out_cap = cap;
        }
    }
    memcpy(s->out + s->out_len, buf, len);
    s->out_len += len;
    if (!s->dirty) {
        s->dirty = true;
        s->next_dirty = s->n->dirty;
        s->n->dirty = s;
    }
    return true;
}

size_t bench_sock_pending(const bench_sock *s)
{
    return s->out_len - s->out_off;
}

void *bench_sock_user(const bench_sock *s)
{
    return s->user;
}

void bench_sock_set_user(bench_sock *s, void *user)
{
    s->user = user;
}

bool bench_sock_connected(const bench_sock *s)
{
    return s->connected && !s->closed;
}

static void flush(bench_sock *s)
{
    if (s->closed || !s->connected)
        return;
    while (s->out_off < s->out_len) {
        ssize_t w = send(s->fd, s->out + s->out_off, s->out_len - s->out_off, MSG_NOSIGNAL);
        if (w > 0) {
            s->out_off += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!s->want_out) {
                s->want_out = true;
                set_events(s);
            }
            return;
        }
        bench_sock_close(s, strerror(errno));
        return;
    }
    s->out_off = s->out_len = 0;
    if (s->want_out) {
        s->want_out = false;
        set_events(s);
    }
}

static void on_readable(bench_sock *s)
{
    for (;;) {
        if (s->in_cap - s->in_len < NET_READ_CHUNK) {
            size_t cap = s->in_cap ? s->in_cap * 2 : 2 * NET_READ_CHUNK;
            char *grown = realloc(s->in, cap);
            if (!grown) {
                bench_sock_close(s, "out of memory");
                return;
            }
            s->in = grown;
            s->in_cap = cap;
        }
        ssize_t r = recv(s->fd, s->in + s->in_len, s->in_cap - s->in_len, 0);
        if (r == 0) {
            bench_sock_close(s, "closed by the server");
            return;
        }
        if (r < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                bench_sock_close(s, strerror(errno));
            return;
        }
        s->in_len += (size_t)r;
        size_t used = s->hooks.on_data(s->ctx, s, s->in, s->in_len);
        if (s->closed)
            return;
        if (used) {
            memmove(s->in, s->in + used, s->in_len - used);
            s->in_len -= used;
        }
        if ((size_t)r < NET_READ_CHUNK)
            return; /* drained; epoll is level-triggered anyway */
    }
}

static void on_writable(bench_sock *s)
{
    if (!s->connected) {
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err) {
            bench_sock_close(s, strerror(err ? err : errno));
            return;
        }
        s->connected = true;
        s->want_out = false;
        set_events(s);
        if (s->hooks.on_connected)
            s->hooks.on_connected(s->ctx, s);
        /* Output queued before the connection was up goes now. */
        if (!s->closed && s->out_len > s->out_off)
            flush(s);
        return;
    }
    flush(s);
}

bool bench_net_every(bench_net *n, int64_t period_us, bool (*fn)(void *ctx), void *ctx)
{
    net_timer *t = calloc(1, sizeof *t);
    if (!t)
        return false;
    t->period_us = period_us > 0 ? period_us : 1;
    t->due_us = bench_mono_us() + t->period_us;
    t->fn = fn;
    t->ctx = ctx;
    t->next = n->timers;
    n->timers = t;
    return true;
}

static int run_timers(bench_net *n)
{
    int64_t now = bench_mono_us(), next = now + 100000;
    for (net_timer *t = n->timers; t; t = t->next) {
        if (t->done)
            continue;
        if (now >= t->due_us) {
            t->due_us += t->period_us;
            if (t->due_us < now)
                t->due_us = now + t->period_us;
            if (!t->fn(t->ctx)) {
                t->done = true;
                continue;
            }
        }
        if (t->due_us < next)
            next = t->due_us;
    }
    int64_t wait = (next - bench_mono_us() + 999) / 1000;
    return wait < 0 ? 0 : (int)wait;
}

static void flush_dirty(bench_net *n)
{
    while (n->dirty) {
        bench_sock *s = n->dirty;
        n->dirty = s->next_dirty;
        s->dirty = false;
        flush(s);
    }
}

void bench_net_service(bench_net *n)
{
    int wait_ms = run_timers(n);
    flush_dirty(n);
    struct epoll_event evs[NET_EVENTS];
    int k = epoll_wait(n->ep, evs, NET_EVENTS, wait_ms);
    for (int i = 0; i < k; i++) {
        bench_sock *s = evs[i].data.ptr;
        if (s->closed)
            continue;
        if (evs[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
            on_writable(s);
        if (!s->closed && s->connected && (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
            on_readable(s);
    }
    run_timers(n);
    flush_dirty(n);
}

bool bench_net_run(bench_net *n, bool (*done)(void *ctx), void *ctx, double timeout_s)
{
    int64_t end = bench_mono_us() + (int64_t)(timeout_s * 1e6);
    while (!done(ctx)) {
        if (bench_mono_us() >= end)
            return false;
        bench_net_service(n);
    }
    return true;
}
