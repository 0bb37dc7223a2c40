/* bench_ws: raw orbit.v1 WebSocket client sessions on bench_net. */
#include "bench_ws.h"

#include "bench_net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

typedef enum { WS_HANDSHAKE, WS_HEAD, WS_PAYLOAD } ws_state;

struct bench_conn {
    bench_ws *w;
    bench_sock *sock;
    void *user;
    char host[256], path[256], token[300];
    int port;
    bool upgraded, welcomed, ended;
    unsigned char mask[4];
    ws_state state;
    /* the frame being read */
    int opcode; /* of the message (continuations keep the first's) */
    bool fin;
    uint64_t remaining;
    /* the message being assembled */
    char *rx;
    size_t rx_kept, rx_len, keep;
    uint64_t rx_bytes;
    struct bench_conn *next;
};

struct bench_ws {
    bench_net *net;
    bench_ws_hooks hooks;
    void *ctx;
    bench_conn *conns;
};

/* ---- sending ---- */

static bool send_frame(bench_conn *c, int opcode, const char *payload, size_t len)
{
    unsigned char head[14];
    size_t h = 0;
    head[h++] = (unsigned char)(0x80 | opcode);
    if (len < 126) {
        head[h++] = (unsigned char)(0x80 | len);
    } else if (len < 65536) {
        head[h++] = 0x80 | 126;
        head[h++] = (unsigned char)(len >> 8);
        head[h++] = (unsigned char)len;
    } else {
        head[h++] = 0x80 | 127;
        for (int i = 7; i >= 0; i--)
            head[h++] = (unsigned char)((uint64_t)len >> (8 * i));
    }
    memcpy(head + h, c->mask, 4);
    h += 4;
    char stack[2048];
    char *masked = len <= sizeof stack ? stack : malloc(len);
    if (!masked)
        return false;
    for (size_t i = 0; i < len; i++)
        masked[i] = (char)(payload[i] ^ c->mask[i & 3]);
    bool ok = bench_sock_write(c->sock, head, h) && bench_sock_write(c->sock, masked, len);
    if (masked != stack)
        free(masked);
    return ok;
}

bool bench_conn_send(bench_conn *c, const char *text, size_t len)
{
    if (!c->sock || !c->upgraded || c->ended)
        return false;
    return send_frame(c, 1, text, len);
}

/* ---- receiving ---- */

static void ended(bench_conn *c, const char *why)
{
    if (c->ended)
        return;
    c->ended = true;
    if (c->w->hooks.on_closed)
        c->w->hooks.on_closed(c->w->ctx, c, why);
}

static void message_done(bench_conn *c)
{
    bench_ws *w = c->w;
    size_t kept = c->rx_kept, len = c->rx_len;
    c->rx_kept = c->rx_len = 0;
    if (!c->welcomed && kept > 13 && strncmp(c->rx, "{\"t\":\"welcome\"", 14) == 0) {
        c->welcomed = true;
        if (w->hooks.on_ready)
            w->hooks.on_ready(w->ctx, c);
        return;
    }
    if (w->hooks.on_frame)
        w->hooks.on_frame(w->ctx, c, c->rx, kept, len);
}

static void base64(const unsigned char *in, size_t n, char *out)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) |
                     (i + 2 < n ? in[i + 2] : 0);
        out[o++] = abc[v >> 18 & 63];
        out[o++] = abc[v >> 12 & 63];
        out[o++] = i + 1 < n ? abc[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? abc[v & 63] : '=';
    }
    out[o] = '\0';
}

static void on_connected(void *ctx, bench_sock *s)
{
    (void)ctx;
    bench_conn *c = bench_sock_user(s);
    unsigned char nonce[16];
    char key[32], req[1024];
    if (getrandom(nonce, sizeof nonce, 0) != (ssize_t)sizeof nonce ||
        getrandom(c->mask, sizeof c->mask, 0) != (ssize_t)sizeof c->mask) {
        bench_sock_close(s, "no randomness");
        return;
    }
    base64(nonce, sizeof nonce, key);
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                     "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: orbit.v1\r\n\r\n",
                     c->path, c->host, c->port, key);
    if (n < 0 || n >= (int)sizeof req || !bench_sock_write(s, req, (size_t)n))
        bench_sock_close(s, "cannot send the upgrade");
}

/* The upgrade's answer; returns bytes consumed (0: incomplete). */
static size_t read_handshake(bench_conn *c, const char *buf, size_t len)
{
    const char *end = memmem(buf, len, "\r\n\r\n", 4);
    if (!end)
        return 0;
    if (len < 12 || strncmp(buf + 9, "101", 3) != 0) {
        bench_sock_close(c->sock, "the upgrade to orbit.v1 was refused");
        return 0;
    }
    c->upgraded = true;
    c->state = WS_HEAD;
    char hello[400];
    int n = snprintf(hello, sizeof hello,
                     "{\"t\":\"hello\",\"token\":\"%s\",\"client\":\"orbit-bench/0.1\"}", c->token);
    if (n < 0 || n >= (int)sizeof hello || !bench_conn_send(c, hello, (size_t)n))
        bench_sock_close(c->sock, "cannot send hello");
    return (size_t)(end - buf) + 4;
}

/* A frame header; returns bytes consumed (0: incomplete). */
static size_t read_head(bench_conn *c, const unsigned char *b, size_t len)
{
    if (len < 2)
        return 0;
    size_t need = 2;
    uint64_t plen = b[1] & 0x7f;
    if (plen == 126)
        need = 4;
    else if (plen == 127)
        need = 10;
    if (b[1] & 0x80)
        need += 4; /* a server never masks; skip the key if it does */
    if (len < need)
        return 0;
    if (plen == 126) {
        plen = (uint64_t)b[2] << 8 | b[3];
    } else if (plen == 127) {
        plen = 0;
        for (int i = 0; i < 8; i++)
            plen = plen << 8 | b[2 + i];
    }
    int opcode = b[0] & 0x0f;
    bool control = opcode & 0x8;
    if (control && (plen > 125 || len < need + plen))
        return plen > 125 ? (bench_sock_close(c->sock, "bad control frame"), 0) : 0;
    if (control) {
        if (opcode == 0x9) {
            send_frame(c, 0xA, (const char *)b + need, (size_t)plen);
        } else if (opcode == 0x8) {
            send_frame(c, 0x8, (const char *)b + need, plen >= 2 ? 2 : 0);
            ended(c, "closed by the pool");
        }
        return need + (size_t)plen;
    }
    if (opcode != 0)
        c->opcode = opcode;
    c->fin = b[0] & 0x80;
    c->remaining = plen;
    c->state = WS_PAYLOAD;
    return need;
}

static size_t read_payload(bench_conn *c, const char *buf, size_t len)
{
    size_t take = c->remaining < len ? (size_t)c->remaining : len;
    if (c->rx_kept < c->keep) {
        size_t room = c->keep - c->rx_kept, n = take < room ? take : room;
        memcpy(c->rx + c->rx_kept, buf, n);
        c->rx_kept += n;
        c->rx[c->rx_kept] = '\0';
    }
    c->rx_len += take;
    c->rx_bytes += take;
    c->remaining -= take;
    if (!c->remaining) {
        c->state = WS_HEAD;
        if (c->fin) {
            if (c->opcode == 1)
                message_done(c);
            else
                c->rx_kept = c->rx_len = 0;
        }
    }
    return take;
}

static size_t on_data(void *ctx, bench_sock *s, const char *buf, size_t len)
{
    (void)ctx;
    bench_conn *c = bench_sock_user(s);
    size_t pos = 0;
    while (pos < len && !c->ended && bench_sock_connected(s)) {
        size_t used;
        if (c->state == WS_HANDSHAKE)
            used = read_handshake(c, buf + pos, len - pos);
        else if (c->state == WS_HEAD)
            used = read_head(c, (const unsigned char *)buf + pos, len - pos);
        else
            used = read_payload(c, buf + pos, len - pos);
        if (!used)
            break;
        pos += used;
    }
    return pos;
}

static void on_closed(void *ctx, bench_sock *s, const char *why)
{
    (void)ctx;
    ended(bench_sock_user(s), why);
}

/* ---- sessions ---- */

bench_ws *bench_ws_new(const bench_ws_hooks *hooks, void *ctx)
{
    bench_ws *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->hooks = *hooks;
    w->ctx = ctx;
    w->net = bench_net_new();
    if (!w->net) {
        free(w);
        return NULL;
    }
    return w;
}

void bench_ws_free(bench_ws *w)
{
    if (!w)
        return;
    /* No hooks while tearing down. */
    w->hooks = (bench_ws_hooks){NULL, NULL, NULL};
    bench_net_free(w->net);
    while (w->conns) {
        bench_conn *c = w->conns;
        w->conns = c->next;
        free(c->rx);
        free(c);
    }
    free(w);
}

/* ws://host:port/path */
static bool parse_url(bench_conn *c, const char *url)
{
    if (strncmp(url, "ws://", 5) != 0)
        return false;
    const char *host = url + 5, *colon = strchr(host, ':'), *slash = strchr(host, '/');
    if (!colon || (slash && slash < colon) || (size_t)(colon - host) >= sizeof c->host)
        return false;
    memcpy(c->host, host, (size_t)(colon - host));
    c->host[colon - host] = '\0';
    c->port = atoi(colon + 1);
    snprintf(c->path, sizeof c->path, "%s", slash ? slash : "/v1/stream");
    return c->port > 0 && c->port < 65536;
}

bench_conn *bench_ws_open(bench_ws *w, const char *url, const char *token, void *user, size_t keep)
{
    bench_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->w = w;
    c->user = user;
    c->keep = keep;
    c->rx = malloc(keep + 1);
    if (!c->rx || !parse_url(c, url) ||
        snprintf(c->token, sizeof c->token, "%s", token) >= (int)sizeof c->token) {
        free(c->rx);
        free(c);
        return NULL;
    }
    bench_net_hooks hooks = {on_connected, on_data, on_closed};
    c->sock = bench_net_connect(w->net, c->host, c->port, &hooks, w, c);
    if (!c->sock) {
        free(c->rx);
        free(c);
        return NULL;
    }
    c->next = w->conns;
    w->conns = c;
    return c;
}

size_t bench_conn_queued(const bench_conn *c)
{
    return bench_sock_pending(c->sock);
}

uint64_t bench_conn_rx_bytes(const bench_conn *c)
{
    return c->rx_bytes;
}

void *bench_conn_user(const bench_conn *c)
{
    return c->user;
}

bool bench_conn_open(const bench_conn *c)
{
    return c->upgraded && !c->ended && bench_sock_connected(c->sock);
}

void bench_conn_close(bench_conn *c)
{
    if (c->ended)
        return;
    send_frame(c, 0x8, "\x03\xe8", 2);
    /* The close frame goes out with this turn's output; then the socket. */
    ended(c, "closed by the client");
}

bool bench_ws_every(bench_ws *w, int64_t period_us, bool (*fn)(void *ctx), void *ctx)
{
    return bench_net_every(w->net, period_us, fn, ctx);
}

bool bench_ws_run(bench_ws *w, bool (*done)(void *ctx), void *ctx, double timeout_s)
{
    return bench_net_run(w->net, done, ctx, timeout_s);
}
