/* bench_orbit_subs: the subscriber workloads of the orbit load generator.
 * fanout: S subscribers receive the events of park/retrieve traffic
 * driven at R commands (events) a second; each event's delivery latency
 * is its receive time minus its time_ms. snapshot: how long a new
 * subscriber waits for its snapshot, and what 50 simultaneous subscribes
 * do to the pool's memory. */
#include "bench_orbit.h"

#include "bench_lat.h"
#include "bench_proc.h"
#include "bench_scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Frame heads the subscribers read fields from; events are short. */
#define SUB_KEEP  4096
#define HEAD_SCAN 256

typedef struct {
    bench_conn *conn;
    int index;
    bool ready, live, closed;
    int64_t rev;
    int64_t sent_us; /* snapshot mode: when subscribe was sent */
    int64_t got_us;  /* snapshot mode: when the snapshot ended */
    size_t snapshot_len;
} sub_state;

typedef struct {
    const bench_orbit_opts *o;
    bench_cmd *driver; /* NULL in snapshot mode */
    sub_state *subs;
    int nsubs, nready, nlive, ngot;
    bool measuring;
    int64_t last_frame_us;
    uint64_t events, resyncs, snapshots, gaps, closed;
    bench_lat lat;
    /* snapshot mode */
    char *first_snapshot; /* the first snapshot received whole */
    size_t first_len;
    int64_t rss_peak;
} sub_ctx;

static void subscribe(sub_state *s)
{
    char frame[64];
    int n = snprintf(frame, sizeof frame, "{\"t\":\"subscribe\",\"id\":\"s%d\"}", s->index);
    s->live = false;
    s->sent_us = bench_mono_us();
    bench_conn_send(s->conn, frame, (size_t)n);
}

static void on_ready(void *ctx, bench_conn *c)
{
    sub_ctx *x = ctx;
    if (x->driver && bench_cmd_on_ready(x->driver, c))
        return;
    sub_state *s = bench_conn_user(c);
    if (!s->ready) {
        s->ready = true;
        x->nready++;
    }
}

static void on_event(sub_ctx *x, sub_state *s, const char *text, size_t len)
{
    int64_t now = bench_wall_us();
    int64_t rev = 0, time_ms = 0;
    size_t head = len < HEAD_SCAN ? len : HEAD_SCAN;
    if (!s->live || !bench_scan_int(text, head, "rev", &rev))
        return;
    if (rev != s->rev + 1)
        x->gaps++;
    s->rev = rev;
    x->events++;
    if (x->measuring && bench_scan_int(text, head, "time_ms", &time_ms))
        bench_lat_add(&x->lat, now - time_ms * 1000);
}

static void on_snapshot(sub_ctx *x, sub_state *s, const char *text, size_t kept, size_t len)
{
    int64_t rev = 0;
    bench_scan_int(text, kept < HEAD_SCAN ? kept : HEAD_SCAN, "rev", &rev);
    s->rev = rev;
    if (!s->live) {
        s->live = true;
        x->nlive++;
    }
    x->snapshots++;
    s->got_us = bench_mono_us();
    s->snapshot_len = len;
    x->ngot++;
    if (!x->first_snapshot && kept == len && len > 0) {
        x->first_snapshot = malloc(len);
        if (x->first_snapshot) {
            memcpy(x->first_snapshot, text, len);
            x->first_len = len;
        }
    }
}

static void on_frame(void *ctx, bench_conn *c, const char *text, size_t kept, size_t len)
{
    sub_ctx *x = ctx;
    if (x->driver && bench_cmd_on_frame(x->driver, c, text, kept))
        return;
    sub_state *s = bench_conn_user(c);
    char type[16];
    if (!bench_scan_type(text, kept, type, sizeof type))
        return;
    if (strcmp(type, "tick") != 0)
        x->last_frame_us = bench_mono_us();
    if (strcmp(type, "event") == 0) {
        on_event(x, s, text, kept);
    } else if (strcmp(type, "snapshot") == 0) {
        on_snapshot(x, s, text, kept, len);
    } else if (strcmp(type, "resync") == 0) {
        /* What a real client does: start over with a snapshot. */
        x->resyncs++;
        if (s->live)
            x->nlive--;
        if (x->driver)
            subscribe(s);
        else
            s->live = false;
    }
}

static void on_closed(void *ctx, bench_conn *c, const char *why)
{
    sub_ctx *x = ctx;
    if (x->driver && bench_cmd_on_closed(x->driver, c)) {
        fprintf(stderr, "bench_orbit: a command session closed: %s\n", why);
        return;
    }
    sub_state *s = bench_conn_user(c);
    if (!s->closed) {
        s->closed = true;
        x->closed++;
    }
}

static bool open_subs(sub_ctx *x, bench_ws *w, size_t keep)
{
    const bench_orbit_opts *o = x->o;
    x->subs = calloc((size_t)(x->nsubs ? x->nsubs : 1), sizeof *x->subs);
    if (!x->subs)
        return false;
    for (int i = 0; i < x->nsubs; i++) {
        x->subs[i].index = i;
        x->subs[i].conn =
            bench_ws_open(w, o->url, o->sub_token ? o->sub_token : o->token, &x->subs[i], keep);
        if (!x->subs[i].conn)
            return false;
    }
    return true;
}

static bool subs_ready(void *ctx)
{
    sub_ctx *x = ctx;
    return x->nready + (int)x->closed >= x->nsubs &&
           (!x->driver || bench_pipe_ready(bench_cmd_pipe(x->driver)) ||
            bench_pipe_failed(bench_cmd_pipe(x->driver)));
}

static bool subs_live(void *ctx)
{
    sub_ctx *x = ctx;
    return x->nlive + (int)x->closed >= x->nsubs;
}

static bool driver_done(void *ctx)
{
    sub_ctx *x = ctx;
    return bench_pipe_finished(bench_cmd_pipe(x->driver)) ||
           bench_pipe_failed(bench_cmd_pipe(x->driver));
}

/* Delivery is over when no subscriber got anything but ticks for 1 s. */
static bool drained(void *ctx)
{
    sub_ctx *x = ctx;
    return x->nsubs == 0 || bench_mono_us() - x->last_frame_us > 1000000;
}

static bool drive_tick(void *ctx)
{
    bench_pipe_tick(bench_cmd_pipe(((sub_ctx *)ctx)->driver));
    return true;
}

static bool never(void *ctx)
{
    (void)ctx;
    return false;
}

static void sub_ctx_free(sub_ctx *x)
{
    free(x->subs);
    free(x->first_snapshot);
    bench_lat_free(&x->lat);
}

json_t *bench_orbit_fanout(const bench_orbit_opts *o)
{
    if (!o->nparkers || o->rate <= 0) {
        fprintf(stderr, "bench_orbit: fanout needs --parkers FILE and --rate R\n");
        return NULL;
    }
    sub_ctx x = {.o = o, .nsubs = o->subs};
    bench_park park;
    /* Enough slots that the schedule, not the round trip, sets the pace. */
    int depth = 256;
    if (!bench_park_init(&park, o, (size_t)o->conns * (size_t)depth, false, 0))
        return NULL;
    bench_pipe_workload wl = bench_park_workload();
    bench_ws_hooks hooks = {on_ready, on_frame, on_closed};
    bench_ws *w = bench_ws_new(&hooks, &x);
    json_t *report = NULL;
    if (!w)
        goto out;
    x.driver =
        bench_cmd_new(w, o->url, o->token, o->conns, depth, o->rate, o->throttle, &wl, &park);
    if (!x.driver || !open_subs(&x, w, SUB_KEEP) || !bench_ws_every(w, 1000, drive_tick, &x)) {
        fprintf(stderr, "bench_orbit: cannot open sessions to %s\n", o->url);
        goto out;
    }
    if (!bench_ws_run(w, subs_ready, &x, 60) || bench_pipe_failed(bench_cmd_pipe(x.driver))) {
        fprintf(stderr, "bench_orbit: sessions were not welcomed\n");
        goto out;
    }
    for (int i = 0; i < x.nsubs; i++)
        subscribe(&x.subs[i]);
    if (!bench_ws_run(w, subs_live, &x, 120)) {
        fprintf(stderr, "bench_orbit: %d of %d subscribers got no snapshot\n", x.nsubs - x.nlive,
                x.nsubs);
        goto out;
    }
    bench_pipe *pipe = bench_cmd_pipe(x.driver);
    uint64_t snapshots0 = x.snapshots;
    x.events = 0;
    x.gaps = 0;
    x.measuring = true;
    int64_t cpu0 = 0, cpu1 = 0, t0 = bench_mono_us(), self0 = bench_self_cpu_us();
    if (o->pid > 0)
        bench_proc_cpu_us(o->pid, &cpu0);
    bench_pipe_start(pipe, t0 + (int64_t)(o->duration_s * 1e6));
    if (!bench_ws_run(w, driver_done, &x, o->duration_s + 120) || bench_pipe_failed(pipe)) {
        fprintf(stderr, "bench_orbit: the event source did not finish\n");
        goto out;
    }
    x.last_frame_us = bench_mono_us();
    bench_ws_run(w, drained, &x, 60);
    if (o->pid > 0)
        bench_proc_cpu_us(o->pid, &cpu1);
    double window_s = (double)(bench_mono_us() - t0) / 1e6;
    double self_share = window_s > 0 ? (double)(bench_self_cpu_us() - self0) / 1e6 / window_s : 0;
    uint64_t emitted = bench_pipe_ok(pipe);
    double expected = (double)emitted * (double)x.nsubs;
    report = json_pack(
        "{s:s, s:i, s:f, s:i, s:f, s:o, s:f, s:I, s:I, s:f, s:I, s:I, s:I, s:I, s:o, s:f, s:f}",
        "mode", "fanout", "subs", x.nsubs, "rate", o->rate, "cmd_conns", o->conns, "duration_s",
        o->duration_s, "driver", bench_pipe_report(pipe), "cmd_rate_done",
        bench_pipe_elapsed_s(pipe) > 0 ? (double)emitted / bench_pipe_elapsed_s(pipe) : 0.0,
        "events_emitted", (json_int_t)emitted, "events_delivered", (json_int_t)x.events,
        "delivery_ratio", expected > 0 ? (double)x.events / expected : 1.0, "resyncs",
        (json_int_t)x.resyncs, "resnapshots", (json_int_t)(x.snapshots - snapshots0), "gaps",
        (json_int_t)x.gaps, "closed", (json_int_t)x.closed, "latency", bench_lat_json(&x.lat),
        "server_cpu_us", (double)(cpu1 - cpu0), "server_cpu_share",
        window_s > 0 ? (double)(cpu1 - cpu0) / 1e6 / window_s : 0.0);
    if (report)
        json_object_set_new(report, "client_cpu_share", json_real(self_share));
out:
    bench_ws_free(w);
    bench_cmd_free(x.driver);
    bench_park_free(&park);
    sub_ctx_free(&x);
    return report;
}

/* ---- snapshots ---- */

static bool all_got(void *ctx)
{
    sub_ctx *x = ctx;
    return x->ngot + (int)x->closed >= x->nsubs;
}

static bool sample_rss(void *ctx)
{
    sub_ctx *x = ctx;
    int64_t rss;
    if (x->o->pid > 0 && bench_proc_rss(x->o->pid, &rss) && rss > x->rss_peak)
        x->rss_peak = rss;
    return true;
}

static int64_t rss_now(const bench_orbit_opts *o)
{
    int64_t rss = 0;
    if (o->pid > 0)
        bench_proc_rss(o->pid, &rss);
    return rss;
}

/* One subscriber subscribing `repeat` times in a row. */
static json_t *snapshot_single(const bench_orbit_opts *o)
{
    sub_ctx x = {.o = o, .nsubs = 1};
    bench_ws_hooks hooks = {on_ready, on_frame, on_closed};
    bench_ws *w = bench_ws_new(&hooks, &x);
    json_t *report = NULL, *times = json_array();
    bench_lat lat = {0};
    if (!w || !times || !open_subs(&x, w, 64u << 20) || !bench_ws_run(w, subs_ready, &x, 30))
        goto out;
    size_t size = 0;
    for (int k = 0; k < (o->repeat > 0 ? o->repeat : 5); k++) {
        x.ngot = 0;
        subscribe(&x.subs[0]);
        if (!bench_ws_run(w, all_got, &x, 120) || x.closed)
            goto out;
        int64_t us = x.subs[0].got_us - x.subs[0].sent_us;
        bench_lat_add(&lat, us);
        json_array_append_new(times, json_real((double)us / 1000.0));
        size = x.subs[0].snapshot_len;
    }
    size_t parked =
        x.first_snapshot ? bench_scan_count(x.first_snapshot, x.first_len, "\"parkee\":") : 0;
    report = json_pack("{s:O, s:f, s:f, s:I, s:I}", "times_ms", times, "median_ms",
                       bench_lat_pct(&lat, 50), "max_ms", bench_lat_pct(&lat, 100), "bytes",
                       (json_int_t)size, "parked_in_snapshot", (json_int_t)parked);
out:
    json_decref(times);
    bench_lat_free(&lat);
    bench_ws_free(w);
    sub_ctx_free(&x);
    return report;
}

/* `subs` sessions subscribing at the same moment. */
static json_t *snapshot_burst(const bench_orbit_opts *o)
{
    sub_ctx x = {.o = o, .nsubs = o->subs};
    bench_ws_hooks hooks = {on_ready, on_frame, on_closed};
    bench_ws *w = bench_ws_new(&hooks, &x);
    json_t *report = NULL;
    if (!w || !open_subs(&x, w, SUB_KEEP) || !bench_ws_run(w, subs_ready, &x, 60))
        goto out;
    bench_ws_run(w, never, &x, 1.0);
    int64_t rss0 = rss_now(o), cpu0 = 0, cpu1 = 0;
    if (o->pid > 0)
        bench_proc_cpu_us(o->pid, &cpu0);
    x.rss_peak = rss0;
    if (!bench_ws_every(w, 5000, sample_rss, &x))
        goto out;
    int64_t t0 = bench_mono_us();
    for (int i = 0; i < x.nsubs; i++)
        subscribe(&x.subs[i]);
    if (!bench_ws_run(w, all_got, &x, 300)) {
        fprintf(stderr, "bench_orbit: %d of %d snapshots arrived\n", x.ngot, x.nsubs);
        goto out;
    }
    int64_t t_all = bench_mono_us() - t0;
    if (o->pid > 0)
        bench_proc_cpu_us(o->pid, &cpu1);
    int64_t rss_delivered = rss_now(o);
    bench_ws_run(w, never, &x, 2.0);
    int64_t rss_settled = rss_now(o);
    uint64_t lost = x.closed;
    for (int i = 0; i < x.nsubs; i++)
        bench_conn_close(x.subs[i].conn);
    bench_ws_run(w, never, &x, 2.0);
    int64_t rss_closed = rss_now(o);
    report = json_pack(
        "{s:i, s:f, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:I}", "subs", x.nsubs, "all_delivered_ms",
        (double)t_all / 1000.0, "rss_before", (json_int_t)rss0, "rss_peak", (json_int_t)x.rss_peak,
        "rss_delivered", (json_int_t)rss_delivered, "rss_settled_2s", (json_int_t)rss_settled,
        "rss_closed_2s", (json_int_t)rss_closed, "rss_return_ratio",
        rss0 > 0 ? (double)rss_closed / (double)rss0 : 0.0, "server_cpu_ms_per_snapshot",
        x.nsubs ? (double)(cpu1 - cpu0) / 1000.0 / x.nsubs : 0.0, "closed", (json_int_t)lost);
out:
    bench_ws_free(w);
    sub_ctx_free(&x);
    return report;
}

json_t *bench_orbit_snapshot(const bench_orbit_opts *o)
{
    json_t *single = snapshot_single(o);
    if (!single) {
        fprintf(stderr, "bench_orbit: the single subscriber got no snapshot\n");
        return NULL;
    }
    json_t *burst = o->subs > 0 ? snapshot_burst(o) : json_null();
    if (!burst) {
        json_decref(single);
        return NULL;
    }
    return json_pack("{s:s, s:o, s:o}", "mode", "snapshot", "single", single, "burst", burst);
}
