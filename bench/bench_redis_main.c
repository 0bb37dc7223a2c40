/* bench_redis: the Redis reference for the orbit benchmarks, written the
 * same way as bench_orbit (bench_net's epoll loop, bench_pipe's slots,
 * the same pipelining, connection counts, pacing and latency recording),
 * speaking raw RESP. What it runs is the nearest Redis analogue of each
 * orbit op:
 *   park + retrieve  setget: SET call / GETDEL call;
 *                    lua: SPOP a free orbit, SET it, PUBLISH the event
 *                    (stamped with the server's TIME) / GETDEL, SADD it
 *                    back, PUBLISH;
 *   range            create: HSETNX the range, SADD its numbers, PUBLISH
 *                    / delete: HDEL, SREM its numbers, PUBLISH;
 *   fanout           SUBSCRIBE; the lua park/retrieve as event source.
 *   bench_redis MODE --port P [options]   prints one JSON report. */
#include "bench_lat.h"
#include "bench_net.h"
#include "bench_pipe.h"
#include "bench_proc.h"
#include "bench_resp.h"
#include "bench_scan.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHANNEL "orbit.events"
#define FREE    "orbits:free"

/* The event text around the server's time, shaped like an orbit event. */
#define EVENT_HEAD                                                                                 \
    "{\"t\":\"event\",\"epoch\":\"0123456789abcdef\",\"rev\":0,\"kind\":\"call.parked\",\"time_"   \
    "ms\":"
#define EVENT_TAIL                                                                                 \
    ",\"data\":{\"call_id\":\"bench\",\"orbit\":\"11000\",\"parker\":\"sip:user1-001@example."     \
    "net\","                                                                                       \
    "\"parkee\":\"sip:caller@bench.example.net\",\"parked_ms\":0,\"deadline_ms\":0,\"attempt\":0," \
    "\"state\":\"parked\",\"music_on_hold\":true,\"pool\":\"pool1.north.example.net\"}}"
#define CALL_JSON                                                                                  \
    "{\"call_id\":\"bench\",\"orbit\":\"11000\",\"parker\":\"sip:user1-001@example.net\","         \
    "\"parkee\":\"sip:caller@bench.example.net\",\"parked_ms\":0,\"deadline_ms\":0,\"attempt\":0," \
    "\"state\":\"parked\",\"music_on_hold\":true}"

#define STAMP "string.format('%.0f', t[1] * 1000 + math.floor(t[2] / 1000))"
static const char LUA_PARK[] =
    "local o = redis.call('SPOP', KEYS[1]) "
    "if not o then return redis.error_reply('no_free_orbit') end "
    "redis.call('SET', 'orbit:' .. o, ARGV[1]) "
    "local t = redis.call('TIME') "
    "redis.call('PUBLISH', '" CHANNEL "', ARGV[2] .. " STAMP " .. ARGV[3]) "
    "return o";
static const char LUA_RETRIEVE[] =
    "local c = redis.call('GETDEL', 'orbit:' .. ARGV[1]) "
    "if not c then return redis.error_reply('not_found') end "
    "redis.call('SADD', KEYS[1], ARGV[1]) "
    "local t = redis.call('TIME') "
    "redis.call('PUBLISH', '" CHANNEL "', ARGV[2] .. " STAMP " .. ARGV[3]) "
    "return c";
static const char LUA_CREATE[] =
    "if redis.call('HSETNX', 'ranges', ARGV[1], ARGV[2]) == 0 then "
    "return redis.error_reply('conflict') end "
    "for n = tonumber(ARGV[3]), tonumber(ARGV[4]) do redis.call('SADD', KEYS[1], n) end "
    "local t = redis.call('TIME') "
    "redis.call('PUBLISH', '" CHANNEL "', ARGV[5] .. " STAMP " .. ARGV[6]) "
    "return 1";
static const char LUA_DELETE[] =
    "if redis.call('HDEL', 'ranges', ARGV[1]) == 0 then "
    "return redis.error_reply('not_found') end "
    "for n = tonumber(ARGV[3]), tonumber(ARGV[4]) do redis.call('SREM', KEYS[1], n) end "
    "local t = redis.call('TIME') "
    "redis.call('PUBLISH', '" CHANNEL "', ARGV[5] .. " STAMP " .. ARGV[6]) "
    "return 1";

enum { SCRIPT_PARK, SCRIPT_RETRIEVE, SCRIPT_CREATE, SCRIPT_DELETE, SCRIPT_COUNT };

typedef struct {
    const char *host;
    int port;
    pid_t pid;
    int conns, depth, subs;
    long count, range_size, orbits;
    double duration_s, rate;
    const char *variant;
    const char *id_prefix;
} opts;

/* ---- sessions carrying pipelined commands ---- */

typedef struct {
    size_t slot;
    uint64_t seq;
} pending;

typedef struct {
    bench_sock *sock;
    int index;
    pending *fifo; /* replies come back in order */
    size_t head, count, cap;
} rsession;

typedef struct {
    const opts *o;
    bench_net *net;
    bench_pipe *pipe;
    rsession *sessions;
    int nsessions;
    char sha[SCRIPT_COUNT][128];
    /* subscribers */
    int nsubs, nlive, nclosed;
    bool measuring;
    int64_t last_msg_us;
    uint64_t messages;
    bench_lat lat;
    /* setup: one reply at a time */
    bool got;
    char reply[128];
    bool reply_err;
} rctx;

static bool send_cmd(void *ctx, int k, size_t slot, uint64_t seq, const char *op, const char *args)
{
    (void)op;
    rctx *x = ctx;
    rsession *s = &x->sessions[k];
    if (s->count == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 64;
        pending *nf = malloc(ncap * sizeof *nf);
        if (!nf)
            return false;
        for (size_t i = 0; i < s->count; i++)
            nf[i] = s->fifo[(s->head + i) % s->cap];
        free(s->fifo);
        s->fifo = nf;
        s->head = 0;
        s->cap = ncap;
    }
    s->fifo[(s->head + s->count) % s->cap] = (pending){slot, seq};
    s->count++;
    return bench_sock_write(s->sock, args, strlen(args));
}

static size_t session_data(void *ctx, bench_sock *sock, const char *buf, size_t len)
{
    rctx *x = ctx;
    rsession *s = bench_sock_user(sock);
    size_t pos = 0;
    while (pos < len) {
        bench_resp r;
        size_t used = bench_resp_parse(buf + pos, len - pos, &r);
        if (used == SIZE_MAX) {
            bench_sock_close(sock, "not RESP");
            return pos;
        }
        if (!used)
            break;
        pos += used;
        if (!s->count)
            continue;
        pending p = s->fifo[s->head];
        s->head = (s->head + 1) % s->cap;
        s->count--;
        char code[32] = "";
        bool ok = r.top.type != '-';
        if (!ok) {
            size_t n = r.top.len < sizeof code - 1 ? r.top.len : sizeof code - 1;
            memcpy(code, r.top.str, n);
            code[n] = '\0';
            code[strcspn(code, " ")] = '\0';
        }
        const char *text = r.top.str ? r.top.str : "";
        bench_pipe_result(x->pipe, p.slot, p.seq, ok, ok ? NULL : code, text,
                          r.top.str ? r.top.len : 0);
    }
    return pos;
}

static void session_connected(void *ctx, bench_sock *sock)
{
    rctx *x = ctx;
    bench_pipe_session_ready(x->pipe, ((rsession *)bench_sock_user(sock))->index);
}

static void session_closed(void *ctx, bench_sock *sock, const char *why)
{
    rctx *x = ctx;
    (void)sock;
    fprintf(stderr, "bench_redis: a command connection closed: %s\n", why);
    bench_pipe_fail(x->pipe);
}

static bool open_sessions(rctx *x, int n)
{
    x->sessions = calloc((size_t)n, sizeof *x->sessions);
    if (!x->sessions)
        return false;
    x->nsessions = n;
    bench_net_hooks h = {session_connected, session_data, session_closed};
    for (int k = 0; k < n; k++) {
        x->sessions[k].index = k;
        x->sessions[k].sock =
            bench_net_connect(x->net, x->o->host, x->o->port, &h, x, &x->sessions[k]);
        if (!x->sessions[k].sock)
            return false;
    }
    return true;
}

static void free_sessions(rctx *x)
{
    for (int k = 0; k < x->nsessions; k++)
        free(x->sessions[k].fifo);
    free(x->sessions);
    x->sessions = NULL;
    x->nsessions = 0;
}

/* ---- setup: one command at a time on its own connection ---- */

static size_t setup_data(void *ctx, bench_sock *sock, const char *buf, size_t len)
{
    (void)sock;
    rctx *x = ctx;
    bench_resp r;
    size_t used = bench_resp_parse(buf, len, &r);
    if (!used || used == SIZE_MAX)
        return used == SIZE_MAX ? len : 0;
    x->got = true;
    x->reply_err = r.top.type == '-';
    size_t n = r.top.len < sizeof x->reply - 1 ? r.top.len : sizeof x->reply - 1;
    memcpy(x->reply, r.top.str ? r.top.str : "", r.top.str ? n : 0);
    x->reply[r.top.str ? n : 0] = '\0';
    return used;
}

static void setup_closed(void *ctx, bench_sock *sock, const char *why)
{
    (void)sock;
    rctx *x = ctx;
    snprintf(x->reply, sizeof x->reply, "%s", why);
    x->reply_err = true;
    x->got = true;
}

static bool got_reply(void *ctx)
{
    return ((rctx *)ctx)->got;
}

/* Sends argv and waits for its reply (into x->reply); false on error. */
static bool call(rctx *x, bench_sock *sock, int argc, const char *const *argv)
{
    enum { CALL_MAX = 1 << 16 };
    char *buf = malloc(CALL_MAX);
    size_t n = buf ? bench_resp_encode(buf, CALL_MAX, argc, argv) : 0;
    x->got = false;
    bool ok = n && bench_sock_write(sock, buf, n) && bench_net_run(x->net, got_reply, x, 30) &&
              !x->reply_err;
    free(buf);
    if (!ok)
        fprintf(stderr, "bench_redis: %s: %s\n", argv[0], x->got ? x->reply : "no reply");
    return ok;
}

static bench_sock *setup_open(rctx *x)
{
    bench_net_hooks h = {NULL, setup_data, setup_closed};
    return bench_net_connect(x->net, x->o->host, x->o->port, &h, x, NULL);
}

/* Loads the scripts (idempotent) and, for setup, fills the free set. */
static bool prepare(rctx *x, bool fill)
{
    bench_sock *s = setup_open(x);
    if (!s)
        return false;
    static const char *const bodies[SCRIPT_COUNT] = {LUA_PARK, LUA_RETRIEVE, LUA_CREATE,
                                                     LUA_DELETE};
    for (int i = 0; i < SCRIPT_COUNT; i++) {
        const char *argv[] = {"SCRIPT", "LOAD", bodies[i]};
        if (!call(x, s, 3, argv))
            return false;
        snprintf(x->sha[i], sizeof x->sha[i], "%s", x->reply);
    }
    if (fill) {
        const char *flush[] = {"FLUSHALL"};
        if (!call(x, s, 1, flush))
            return false;
        char nums[200][24];
        const char *argv[202] = {"SADD", FREE};
        for (long base = 0; base < x->o->orbits; base += 200) {
            int n = 0;
            for (long v = base; v < x->o->orbits && n < 200; v++, n++) {
                snprintf(nums[n], sizeof nums[n], "%ld", 10000000 + v);
                argv[2 + n] = nums[n];
            }
            if (!call(x, s, 2 + n, argv))
                return false;
        }
    }
    bench_sock_close(s, "done");
    return true;
}

/* ---- workloads ---- */

typedef struct {
    rctx *x;
    char orbit[32];
    bool held;      /* parked (or created) and to be undone */
    bool undo_sent; /* the command in flight undoes */
    long block;     /* range: the slot's numbers */
} wslot;

typedef struct {
    rctx *x;
    wslot *slots;
    uint64_t seq;
    bool keep;
    long remaining;
    uint64_t held_ok;
} wctx;

static bool encode(char *args, size_t argslen, int argc, const char *const *argv)
{
    return bench_resp_encode(args, argslen, argc, argv) > 0;
}

static bool park_next(void *ctx, size_t slot, bool stopping, char *op, size_t oplen, char *args,
                      size_t argslen)
{
    wctx *w = ctx;
    wslot *s = &w->slots[slot];
    const opts *o = w->x->o;
    bool lua = strcmp(o->variant, "lua") == 0;
    if (s->held) {
        s->undo_sent = true;
        snprintf(op, oplen, "retrieve");
        if (lua) {
            const char *argv[] = {
                "EVALSHA", w->x->sha[SCRIPT_RETRIEVE], "1", FREE, s->orbit, EVENT_HEAD, EVENT_TAIL};
            return encode(args, argslen, 7, argv);
        }
        const char *argv[] = {"GETDEL", s->orbit};
        return encode(args, argslen, 2, argv);
    }
    if (stopping || (w->keep && w->remaining <= 0))
        return false;
    w->remaining--;
    s->undo_sent = false;
    w->seq++;
    snprintf(op, oplen, "park");
    if (lua) {
        const char *argv[] = {"EVALSHA", w->x->sha[SCRIPT_PARK], "1", FREE, CALL_JSON, EVENT_HEAD,
                              EVENT_TAIL};
        return encode(args, argslen, 7, argv);
    }
    snprintf(s->orbit, sizeof s->orbit, "call:%s-%d-%llu", o->id_prefix, (int)getpid(),
             (unsigned long long)w->seq);
    const char *argv[] = {"SET", s->orbit, CALL_JSON};
    return encode(args, argslen, 3, argv);
}

static void park_result(void *ctx, size_t slot, bool ok, const char *code, const char *text,
                        size_t len)
{
    (void)code;
    wctx *w = ctx;
    wslot *s = &w->slots[slot];
    if (s->undo_sent) {
        s->held = false;
        return;
    }
    if (!ok)
        return;
    if (strcmp(w->x->o->variant, "lua") == 0) {
        size_t n = len < sizeof s->orbit - 1 ? len : sizeof s->orbit - 1;
        memcpy(s->orbit, text, n);
        s->orbit[n] = '\0';
    }
    w->held_ok++;
    s->held = !w->keep;
}

static bool range_next(void *ctx, size_t slot, bool stopping, char *op, size_t oplen, char *args,
                       size_t argslen)
{
    wctx *w = ctx;
    wslot *s = &w->slots[slot];
    const opts *o = w->x->o;
    char id[64], first[24], last[24];
    long start = 80000000 + (long)slot * o->range_size;
    snprintf(id, sizeof id, "%s %zu", o->id_prefix, slot);
    snprintf(first, sizeof first, "%ld", start);
    snprintf(last, sizeof last, "%ld", start + o->range_size - 1);
    if (s->held) {
        s->undo_sent = true;
        snprintf(op, oplen, "delete");
        const char *argv[] = {
            "EVALSHA", w->x->sha[SCRIPT_DELETE], "1", FREE, id, "", first, last, EVENT_HEAD,
            EVENT_TAIL};
        return encode(args, argslen, 10, argv);
    }
    if (stopping || w->remaining <= 0)
        return false;
    w->remaining--;
    s->undo_sent = false;
    snprintf(op, oplen, "create");
    char json[256];
    snprintf(json, sizeof json,
             "{\"identity\":\"%s\",\"start\":\"%s\",\"end\":\"%s\",\"pool\":\"pool1\","
             "\"type\":\"CallPark\"}",
             id, first, last);
    const char *argv[] = {
        "EVALSHA", w->x->sha[SCRIPT_CREATE], "1", FREE, id, json, first, last, EVENT_HEAD,
        EVENT_TAIL};
    return encode(args, argslen, 10, argv);
}

static void range_result(void *ctx, size_t slot, bool ok, const char *code, const char *text,
                         size_t len)
{
    (void)code;
    (void)text;
    (void)len;
    wslot *s = &((wctx *)ctx)->slots[slot];
    s->held = !s->undo_sent && ok;
}

/* ---- subscribers ---- */

static void sub_connected(void *ctx, bench_sock *sock)
{
    (void)ctx;
    static const char sub[] = "*2\r\n$9\r\nSUBSCRIBE\r\n$12\r\n" CHANNEL "\r\n";
    bench_sock_write(sock, sub, sizeof sub - 1);
}

static size_t sub_data(void *ctx, bench_sock *sock, const char *buf, size_t len)
{
    rctx *x = ctx;
    size_t pos = 0;
    int64_t now = bench_wall_us();
    while (pos < len) {
        bench_resp r;
        size_t used = bench_resp_parse(buf + pos, len - pos, &r);
        if (used == SIZE_MAX) {
            bench_sock_close(sock, "not RESP");
            return pos;
        }
        if (!used)
            break;
        pos += used;
        if (r.top.type != '*' || r.top.num < 3 || !r.elem[0].str)
            continue;
        if (r.elem[0].len == 9 && memcmp(r.elem[0].str, "subscribe", 9) == 0) {
            x->nlive++;
        } else if (r.elem[0].len == 7 && memcmp(r.elem[0].str, "message", 7) == 0) {
            int64_t t = 0;
            x->messages++;
            x->last_msg_us = bench_mono_us();
            if (x->measuring && r.elem[2].str &&
                bench_scan_int(r.elem[2].str, r.elem[2].len < 256 ? r.elem[2].len : 256, "time_ms",
                               &t))
                bench_lat_add(&x->lat, now - t * 1000);
        }
    }
    return pos;
}

static void sub_closed(void *ctx, bench_sock *sock, const char *why)
{
    (void)sock;
    (void)why;
    ((rctx *)ctx)->nclosed++;
}

/* ---- running ---- */

static bool pipe_ready(void *ctx)
{
    rctx *x = ctx;
    return bench_pipe_ready(x->pipe) || bench_pipe_failed(x->pipe);
}

static bool pipe_done(void *ctx)
{
    rctx *x = ctx;
    return bench_pipe_finished(x->pipe) || bench_pipe_failed(x->pipe);
}

static bool subs_live(void *ctx)
{
    rctx *x = ctx;
    return x->nlive + x->nclosed >= x->nsubs;
}

static bool drained(void *ctx)
{
    rctx *x = ctx;
    return x->nsubs == 0 || bench_mono_us() - x->last_msg_us > 1000000;
}

static bool tick(void *ctx)
{
    bench_pipe_tick(((rctx *)ctx)->pipe);
    return true;
}

static int64_t server_cpu(const opts *o)
{
    int64_t us = 0;
    if (o->pid > 0 && !bench_proc_cpu_us(o->pid, &us))
        fprintf(stderr, "bench_redis: cannot read /proc/%d/stat\n", (int)o->pid);
    return us;
}

static json_t *run(const opts *o, const char *mode)
{
    bool is_park = strcmp(mode, "park") == 0 || strcmp(mode, "fill") == 0;
    bool is_fanout = strcmp(mode, "fanout") == 0;
    rctx x = {.o = o};
    wctx w = {.x = &x, .keep = strcmp(mode, "fill") == 0};
    w.remaining = w.keep || strcmp(mode, "range") == 0 ? o->count : -1;
    int depth = is_fanout ? 256 : o->depth;
    w.slots = calloc((size_t)o->conns * (size_t)depth, sizeof *w.slots);
    x.net = bench_net_new();
    json_t *report = NULL;
    if (!w.slots || !x.net || !prepare(&x, strcmp(mode, "setup") == 0))
        goto out;
    if (strcmp(mode, "setup") == 0) {
        report = json_pack("{s:s, s:I}", "mode", "setup", "orbits", (json_int_t)o->orbits);
        goto out;
    }
    bench_pipe_workload wl = is_park || is_fanout ? (bench_pipe_workload){park_next, park_result}
                                                  : (bench_pipe_workload){range_next, range_result};
    bench_pipe_transport t = {send_cmd};
    x.pipe = bench_pipe_new(o->conns, depth, is_fanout ? o->rate : 0, 0, &t, &x, &wl, &w);
    if (!x.pipe || !open_sessions(&x, o->conns) || !bench_net_every(x.net, 1000, tick, &x))
        goto out;
    if (is_fanout) {
        bench_net_hooks sh = {sub_connected, sub_data, sub_closed};
        x.nsubs = o->subs;
        for (int i = 0; i < o->subs; i++) {
            if (!bench_net_connect(x.net, o->host, o->port, &sh, &x, NULL))
                goto out;
        }
        if (!bench_net_run(x.net, subs_live, &x, 60))
            goto out;
    }
    if (!bench_net_run(x.net, pipe_ready, &x, 15) || bench_pipe_failed(x.pipe))
        goto out;
    int64_t rss0 = 0, rss1 = 0;
    if (o->pid > 0)
        bench_proc_rss(o->pid, &rss0);
    int64_t cpu0 = server_cpu(o), self0 = bench_self_cpu_us(), t0 = bench_mono_us();
    x.measuring = true;
    bool timed = strcmp(mode, "park") == 0 || is_fanout;
    bench_pipe_start(x.pipe, timed ? t0 + (int64_t)(o->duration_s * 1e6) : 0);
    if (!bench_net_run(x.net, pipe_done, &x, timed ? o->duration_s + 120 : 3600) ||
        bench_pipe_failed(x.pipe))
        goto out;
    if (is_fanout) {
        x.last_msg_us = bench_mono_us();
        bench_net_run(x.net, drained, &x, 60);
    }
    int64_t cpu1 = server_cpu(o), self1 = bench_self_cpu_us();
    double window = (double)(bench_mono_us() - t0) / 1e6;
    if (o->pid > 0)
        bench_proc_rss(o->pid, &rss1);
    uint64_t ok = bench_pipe_ok(x.pipe);
    double elapsed = bench_pipe_elapsed_s(x.pipe), cpu = (double)(cpu1 - cpu0);
    report = bench_pipe_report(x.pipe);
    json_object_set_new(report, "mode", json_string(mode));
    json_object_set_new(report, "variant", json_string(is_park || is_fanout ? o->variant : "lua"));
    json_object_set_new(report, "conns", json_integer(o->conns));
    json_object_set_new(report, "depth", json_integer(depth));
    json_object_set_new(report, "server_cpu_us", json_real(cpu));
    json_object_set_new(report, "server_cpu_us_per_op", json_real(ok ? cpu / (double)ok : 0));
    json_object_set_new(report, "server_cpu_share",
                        json_real(elapsed > 0 ? cpu / 1e6 / elapsed : 0));
    json_object_set_new(report, "client_cpu_share",
                        json_real(window > 0 ? (double)(self1 - self0) / 1e6 / window : 0));
    if (w.keep) {
        json_object_set_new(report, "parked", json_integer((json_int_t)w.held_ok));
        json_object_set_new(report, "rss_bytes_per_call",
                            json_real(w.held_ok ? (double)(rss1 - rss0) / (double)w.held_ok : 0));
    }
    if (is_fanout) {
        double expected = (double)ok * (double)x.nsubs;
        json_t *fan = json_pack(
            "{s:s, s:i, s:f, s:i, s:f, s:f, s:I, s:I, s:f, s:i, s:o, s:f}", "mode", "fanout",
            "subs", x.nsubs, "rate", o->rate, "cmd_conns", o->conns, "duration_s", o->duration_s,
            "cmd_rate_done", elapsed > 0 ? (double)ok / elapsed : 0.0, "events_emitted",
            (json_int_t)ok, "events_delivered", (json_int_t)x.messages, "delivery_ratio",
            expected > 0 ? (double)x.messages / expected : 1.0, "closed", x.nclosed, "latency",
            bench_lat_json(&x.lat), "server_cpu_share", window > 0 ? cpu / 1e6 / window : 0.0);
        if (fan) {
            json_object_set_new(fan, "driver", report);
            json_object_set_new(fan, "client_cpu_share",
                                json_real((double)(self1 - self0) / 1e6 / window));
            report = fan;
        }
    }
out:
    bench_pipe_free(x.pipe);
    free_sessions(&x);
    bench_net_free(x.net);
    bench_lat_free(&x.lat);
    free(w.slots);
    return report;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: bench_redis MODE --port P [options]\n"
            "modes: setup (FLUSHALL; --orbits free numbers), park, fill, range, fanout\n"
            "options: --host H --pid PID --conns N --depth D --duration S --variant setget|lua\n"
            "         --subs S --rate R --count N --range-size N --id-prefix P\n");
}

static bool number(const char *s, double min, double max, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= min && v <= max))
        return false;
    *out = v;
    return true;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argv[1][0] == '-') {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    opts o = {.host = "127.0.0.1",
              .conns = 1,
              .depth = 1,
              .duration_s = 5,
              .variant = "lua",
              .id_prefix = "bench",
              .range_size = 100,
              .orbits = 10000};
    static const struct option lo[] = {
        {"host", required_argument, NULL, 'H'},       {"port", required_argument, NULL, 'p'},
        {"pid", required_argument, NULL, 'P'},        {"conns", required_argument, NULL, 'c'},
        {"depth", required_argument, NULL, 'd'},      {"duration", required_argument, NULL, 'D'},
        {"variant", required_argument, NULL, 'v'},    {"subs", required_argument, NULL, 's'},
        {"rate", required_argument, NULL, 'r'},       {"count", required_argument, NULL, 'n'},
        {"range-size", required_argument, NULL, 'z'}, {"orbits", required_argument, NULL, 'o'},
        {"id-prefix", required_argument, NULL, 'i'},  {NULL, 0, NULL, 0},
    };
    int c;
    double v;
    optind = 2;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        bool ok = true;
        switch (c) {
        case 'H':
            o.host = optarg;
            break;
        case 'p':
            ok = number(optarg, 1, 65535, &v);
            o.port = (int)v;
            break;
        case 'P':
            ok = number(optarg, 1, 4194304, &v);
            o.pid = (pid_t)v;
            break;
        case 'c':
            ok = number(optarg, 1, 4096, &v);
            o.conns = (int)v;
            break;
        case 'd':
            ok = number(optarg, 1, 4096, &v);
            o.depth = (int)v;
            break;
        case 'D':
            ok = number(optarg, 0.1, 86400, &o.duration_s);
            break;
        case 'v':
            o.variant = optarg;
            ok = !strcmp(optarg, "lua") || !strcmp(optarg, "setget");
            break;
        case 's':
            ok = number(optarg, 0, 10000, &v);
            o.subs = (int)v;
            break;
        case 'r':
            ok = number(optarg, 0, 1e7, &o.rate);
            break;
        case 'n':
            ok = number(optarg, 0, 1e9, &v);
            o.count = (long)v;
            break;
        case 'z':
            ok = number(optarg, 1, 1e6, &v);
            o.range_size = (long)v;
            break;
        case 'o':
            ok = number(optarg, 0, 1e8, &v);
            o.orbits = (long)v;
            break;
        case 'i':
            o.id_prefix = optarg;
            break;
        default:
            usage(stderr);
            return 2;
        }
        if (!ok) {
            fprintf(stderr, "bench_redis: bad value '%s'\n", optarg);
            return 2;
        }
    }
    const char *mode = argv[1];
    static const char *const modes[] = {"setup", "park", "fill", "range", "fanout"};
    bool known = false;
    for (size_t i = 0; i < sizeof modes / sizeof *modes; i++)
        known = known || strcmp(mode, modes[i]) == 0;
    if (!known || !o.port) {
        usage(stderr);
        return 2;
    }
    json_t *report = run(&o, mode);
    if (!report)
        return 1;
    json_dumpf(report, stdout, JSON_COMPACT);
    fputc('\n', stdout);
    json_decref(report);
    return 0;
}
