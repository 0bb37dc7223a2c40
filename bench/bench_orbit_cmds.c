/* bench_orbit_cmds: the command workloads of the orbit load generator:
 * park + retrieve, filling a pool with parked calls, orbit.create +
 * orbit.delete, and adding orbits to a pool. Each reports the server's
 * CPU per op from /proc, so the figure does not depend on the client. */
#include "bench_orbit.h"

#include "bench_proc.h"
#include "bench_scan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- running a workload ---- */

typedef struct {
    bench_cmd *d;
} cmd_route;

static void route_ready(void *ctx, bench_conn *c)
{
    bench_cmd_on_ready(((cmd_route *)ctx)->d, c);
}

static void route_frame(void *ctx, bench_conn *c, const char *text, size_t kept, size_t len)
{
    (void)len;
    bench_cmd_on_frame(((cmd_route *)ctx)->d, c, text, kept);
}

static void route_closed(void *ctx, bench_conn *c, const char *why)
{
    cmd_route *r = ctx;
    if (r->d && bench_cmd_on_closed(r->d, c))
        fprintf(stderr, "bench_orbit: a command session closed: %s\n", why);
}

static bool tick(void *ctx)
{
    bench_pipe_tick(bench_cmd_pipe(((cmd_route *)ctx)->d));
    return true;
}

static bool cmd_ready_or_failed(void *ctx)
{
    bench_pipe *d = bench_cmd_pipe(((cmd_route *)ctx)->d);
    return bench_pipe_ready(d) || bench_pipe_failed(d);
}

static bool cmd_done_or_failed(void *ctx)
{
    bench_pipe *d = bench_cmd_pipe(((cmd_route *)ctx)->d);
    return bench_pipe_finished(d) || bench_pipe_failed(d);
}

static int64_t cpu_of(pid_t pid)
{
    int64_t us = 0;
    if (pid > 0 && !bench_proc_cpu_us(pid, &us))
        fprintf(stderr, "bench_orbit: cannot read /proc/%d/stat\n", (int)pid);
    return us;
}

static int64_t peers_cpu(const bench_orbit_opts *o)
{
    int64_t sum = 0;
    for (int i = 0; i < o->npeers; i++)
        sum += cpu_of(o->peers[i]);
    return sum;
}

typedef struct {
    const char *token;
    int conns, depth;
    double duration_s; /* 0: until every slot is finished */
    double settle_s;   /* after the last result, before reading peers' CPU */
} run_plan;

/* Runs a workload and returns bench_cmd's report with the server's CPU
 * added (new reference), or NULL. */
static json_t *run_workload(const bench_orbit_opts *o, const run_plan *p,
                            const bench_pipe_workload *wl, void *ctx)
{
    cmd_route route = {NULL};
    bench_ws_hooks hooks = {route_ready, route_frame, route_closed};
    bench_ws *w = bench_ws_new(&hooks, &route);
    if (!w)
        return NULL;
    route.d = bench_cmd_new(w, o->url, p->token, p->conns, p->depth, 0, o->throttle, wl, ctx);
    json_t *report = NULL;
    if (!route.d || !bench_ws_every(w, 1000, tick, &route)) {
        fprintf(stderr, "bench_orbit: cannot open sessions to %s\n", o->url);
        goto out;
    }
    if (!bench_ws_run(w, cmd_ready_or_failed, &route, 15) ||
        bench_pipe_failed(bench_cmd_pipe(route.d))) {
        fprintf(stderr, "bench_orbit: the sessions to %s were not welcomed\n", o->url);
        goto out;
    }
    /* Other pools' idle CPU, to tell their share of the work from it. */
    int64_t idle_us = 0;
    double idle_s = 0;
    if (o->npeers) {
        /* Two seconds: a pool's timers wake it a few times a second, and
         * a shorter sample moves the subtracted share by more than the
         * work it is subtracted from. */
        int64_t a = peers_cpu(o), t0 = bench_mono_us();
        bench_sleep_ms(2000);
        idle_us = peers_cpu(o) - a;
        idle_s = (double)(bench_mono_us() - t0) / 1e6;
    }
    int64_t cpu0 = cpu_of(o->pid), peers0 = peers_cpu(o), t0 = bench_mono_us();
    int64_t self0 = bench_self_cpu_us();
    bench_pipe_start(bench_cmd_pipe(route.d),
                     p->duration_s > 0 ? t0 + (int64_t)(p->duration_s * 1e6) : 0);
    double limit = p->duration_s > 0 ? p->duration_s + 60 : 3600;
    if (!bench_ws_run(w, cmd_done_or_failed, &route, limit) ||
        bench_pipe_failed(bench_cmd_pipe(route.d))) {
        fprintf(stderr, "bench_orbit: the run did not finish (session lost or no answers)\n");
        goto out;
    }
    int64_t cpu1 = cpu_of(o->pid), self1 = bench_self_cpu_us();
    if (p->settle_s > 0)
        bench_sleep_ms((int)(p->settle_s * 1000));
    int64_t peers1 = peers_cpu(o);
    double window_s = (double)(bench_mono_us() - t0) / 1e6;
    report = bench_pipe_report(bench_cmd_pipe(route.d));
    uint64_t ok = bench_pipe_ok(bench_cmd_pipe(route.d));
    double cpu_us = (double)(cpu1 - cpu0);
    json_object_set_new(report, "server_cpu_us", json_real(cpu_us));
    json_object_set_new(report, "server_cpu_us_per_op", json_real(ok ? cpu_us / (double)ok : 0));
    json_object_set_new(report, "server_cpu_share",
                        json_real(bench_pipe_elapsed_s(bench_cmd_pipe(route.d)) > 0
                                      ? cpu_us / 1e6 / bench_pipe_elapsed_s(bench_cmd_pipe(route.d))
                                      : 0));
    json_object_set_new(report, "client_cpu_share",
                        json_real(bench_pipe_elapsed_s(bench_cmd_pipe(route.d)) > 0
                                      ? (double)(self1 - self0) / 1e6 /
                                            bench_pipe_elapsed_s(bench_cmd_pipe(route.d))
                                      : 0));
    if (o->npeers) {
        double busy = (double)(peers1 - peers0) - (idle_s > 0 ? idle_us * window_s / idle_s : 0);
        json_object_set_new(report, "peers", json_integer(o->npeers));
        json_object_set_new(report, "peers_cpu_us_per_op",
                            json_real(ok ? fmax(busy, 0) / (double)ok : 0));
    }
out:
    bench_ws_free(w);
    bench_cmd_free(route.d);
    return report;
}

/* ---- park + retrieve, and fill ---- */

static bool park_next(void *ctx, size_t slot, bool stopping, char *op, size_t oplen, char *args,
                      size_t argslen)
{
    bench_park *p = ctx;
    bench_park_slot *s = &p->slots[slot];
    const bench_orbit_opts *o = p->o;
    if (s->parked) {
        s->retrieve_sent = true;
        snprintf(op, oplen, "call.retrieve");
        return snprintf(args, argslen, "{\"orbit\":\"%s\",\"by\":\"%s\"}", s->orbit,
                        o->parkers[s->parker]) < (int)argslen;
    }
    if (stopping || (p->keep && p->remaining <= 0))
        return false;
    p->remaining--;
    s->retrieve_sent = false;
    s->parker = (size_t)(p->seq % o->nparkers);
    p->seq++;
    snprintf(op, oplen, "call.park");
    return snprintf(args, argslen,
                    "{\"call_id\":\"%s-%d-%llu\",\"parker\":\"%s\","
                    "\"parkee\":\"sip:caller-%llu@bench.example.net\"}",
                    o->id_prefix, (int)getpid(), (unsigned long long)p->seq, o->parkers[s->parker],
                    (unsigned long long)p->seq) < (int)argslen;
}

static void park_result(void *ctx, size_t slot, bool ok, const char *code, const char *text,
                        size_t len)
{
    (void)code;
    bench_park *p = ctx;
    bench_park_slot *s = &p->slots[slot];
    if (s->retrieve_sent) {
        s->parked = false;
        return;
    }
    if (ok && bench_scan_str(text, len, "orbit", s->orbit, sizeof s->orbit)) {
        p->parked_ok++;
        s->parked = !p->keep;
    }
}

bool bench_park_init(bench_park *p, const bench_orbit_opts *o, size_t slots, bool keep, long count)
{
    memset(p, 0, sizeof *p);
    p->o = o;
    p->keep = keep;
    p->remaining = keep ? count : -1;
    p->slots = calloc(slots ? slots : 1, sizeof *p->slots);
    return p->slots != NULL;
}

void bench_park_free(bench_park *p)
{
    free(p->slots);
    p->slots = NULL;
}

bench_pipe_workload bench_park_workload(void)
{
    return (bench_pipe_workload){park_next, park_result};
}

static json_t *park_run(const bench_orbit_opts *o, bool keep)
{
    if (!o->nparkers) {
        fprintf(stderr, "bench_orbit: --parkers FILE is required (users served by the pool)\n");
        return NULL;
    }
    bench_park p;
    if (!bench_park_init(&p, o, (size_t)o->conns * (size_t)o->depth, keep, o->count))
        return NULL;
    bench_pipe_workload wl = bench_park_workload();
    run_plan plan = {o->token, o->conns, o->depth, keep ? 0 : o->duration_s, 0};
    int64_t rss0 = 0, rss1 = 0;
    if (keep && o->pid > 0)
        bench_proc_rss(o->pid, &rss0);
    json_t *r = run_workload(o, &plan, &wl, &p);
    if (r && keep && o->pid > 0) {
        /* Let the pool settle (nothing is queued: no subscribers). */
        bench_sleep_ms(1000);
        bench_proc_rss(o->pid, &rss1);
        json_object_set_new(r, "parked", json_integer((json_int_t)p.parked_ok));
        json_object_set_new(r, "rss_before", json_integer((json_int_t)rss0));
        json_object_set_new(r, "rss_after", json_integer((json_int_t)rss1));
        json_object_set_new(
            r, "rss_bytes_per_call",
            json_real(p.parked_ok ? (double)(rss1 - rss0) / (double)p.parked_ok : 0));
    }
    if (r) {
        json_object_set_new(r, "mode", json_string(keep ? "fill" : "park"));
        json_object_set_new(r, "conns", json_integer(o->conns));
        json_object_set_new(r, "depth", json_integer(o->depth));
    }
    bench_park_free(&p);
    return r;
}

json_t *bench_orbit_park(const bench_orbit_opts *o)
{
    return park_run(o, false);
}

json_t *bench_orbit_fill(const bench_orbit_opts *o)
{
    return park_run(o, true);
}

/* ---- orbit.create + orbit.delete, and adding orbits ---- */

typedef struct {
    bool created;
    bool delete_sent;
    long block; /* orbits mode: the block this slot made */
} range_slot;

typedef struct {
    const bench_orbit_opts *o;
    range_slot *slots;
    bool keep;      /* orbits: ranges stay */
    long remaining; /* creates still to send */
    long next_block;
} range_ctx;

static bool range_next(void *ctx, size_t slot, bool stopping, char *op, size_t oplen, char *args,
                       size_t argslen)
{
    range_ctx *r = ctx;
    range_slot *s = &r->slots[slot];
    const bench_orbit_opts *o = r->o;
    /* range: slot k cycles over its own block; orbits: blocks in order. */
    long block = r->keep ? r->next_block : (long)slot;
    if (s->created && !r->keep) {
        s->delete_sent = true;
        snprintf(op, oplen, "orbit.delete");
        return snprintf(args, argslen, "{\"identity\":\"%s %ld\"}", o->id_prefix, s->block) <
               (int)argslen;
    }
    if (stopping || r->remaining <= 0)
        return false;
    r->remaining--;
    if (r->keep)
        r->next_block++;
    s->block = block;
    s->delete_sent = false;
    long size = o->range_size;
    if (r->keep && r->remaining == 0 && o->count % size)
        size = o->count % size; /* the last, partial range */
    long start = o->start_number + block * o->range_size;
    snprintf(op, oplen, "orbit.create");
    return snprintf(args, argslen,
                    "{\"identity\":\"%s %ld\",\"start\":\"%ld\",\"end\":\"%ld\",\"pool\":\"%s\","
                    "\"type\":\"CallPark\"}",
                    o->id_prefix, block, start, start + size - 1, o->pool) < (int)argslen;
}

static void range_result(void *ctx, size_t slot, bool ok, const char *code, const char *text,
                         size_t len)
{
    (void)code;
    (void)text;
    (void)len;
    range_slot *s = &((range_ctx *)ctx)->slots[slot];
    s->created = !s->delete_sent && ok;
}

static json_t *range_run(const bench_orbit_opts *o, bool keep)
{
    if (!o->pool || o->range_size < 1 || o->start_number < 1) {
        fprintf(stderr, "bench_orbit: --pool, --range-size and --start are required\n");
        return NULL;
    }
    range_ctx r = {.o = o, .keep = keep};
    r.remaining = keep ? (o->count + o->range_size - 1) / o->range_size : o->count;
    r.slots = calloc((size_t)o->conns * (size_t)o->depth, sizeof *r.slots);
    if (!r.slots)
        return NULL;
    bench_pipe_workload wl = {range_next, range_result};
    /* Other pools learn of a change at their next store poll (200 ms). */
    run_plan plan = {o->token, o->conns, o->depth, 0, keep ? 0 : 1.0};
    json_t *rep = run_workload(o, &plan, &wl, &r);
    if (rep) {
        json_object_set_new(rep, "mode", json_string(keep ? "orbits" : "range"));
        json_object_set_new(rep, "range_size", json_integer(o->range_size));
    }
    free(r.slots);
    return rep;
}

json_t *bench_orbit_range(const bench_orbit_opts *o)
{
    return range_run(o, false);
}

json_t *bench_orbit_orbits(const bench_orbit_opts *o)
{
    return range_run(o, true);
}
