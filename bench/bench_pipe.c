/* bench_pipe: pipelined command slots over several sessions. */
#include "bench_pipe.h"

#include "bench_proc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THROTTLE_BURST 8.0

typedef struct {
    char op[48];
    char args[BENCH_PIPE_ARGS_MAX];
    uint64_t seq;
    int64_t sent_us;
    bool busy;     /* in flight */
    bool finished; /* nothing more to send */
} cmd_slot;

typedef struct {
    bool ready;
    bool throttled;
    /* Once throttled: a token bucket at the throttle rate, like orbitd's
     * own, with a small burst so a 1 ms tick does not cap the pace. */
    double tokens;
    int64_t refill_us;
    size_t *queue; /* ring of slot indices ready to send */
    size_t qhead, qcount, qcap;
    /* Paced runs: the session's slots between commands, taken last-in
     * first-out so a park's retrieve follows it closely instead of
     * queueing behind every other slot's park. */
    size_t *idle;
    size_t nidle;
} cmd_session;

struct bench_pipe {
    bench_pipe_transport t;
    void *tctx;
    bench_pipe_workload wl;
    void *ctx;
    cmd_session *sessions;
    int nsessions, nready;
    bool failed;
    cmd_slot *slots;
    size_t nslots;
    double rate, throttle;
    bool started;
    int64_t start_us, stop_us, last_result_us;
    uint64_t sent, ok, failed_ops, rate_limited, inflight;
    bench_pipe_code codes[BENCH_PIPE_CODES];
    size_t ncodes;
    bench_lat lat;
    size_t rr; /* next session to send from when pacing */
    size_t nidle;
};

bench_pipe *bench_pipe_new(int sessions, int depth, double rate, double throttle,
                           const bench_pipe_transport *t, void *tctx, const bench_pipe_workload *wl,
                           void *wctx)
{
    if (sessions < 1 || depth < 1)
        return NULL;
    bench_pipe *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->t = *t;
    d->tctx = tctx;
    d->wl = *wl;
    d->ctx = wctx;
    d->rate = rate;
    d->throttle = throttle > 0 ? throttle : 2000.0;
    d->nsessions = sessions;
    d->nslots = (size_t)sessions * (size_t)depth;
    d->sessions = calloc((size_t)sessions, sizeof *d->sessions);
    d->slots = calloc(d->nslots, sizeof *d->slots);
    if (!d->sessions || !d->slots) {
        bench_pipe_free(d);
        return NULL;
    }
    for (int i = 0; i < sessions; i++) {
        cmd_session *s = &d->sessions[i];
        s->qcap = (size_t)depth;
        s->queue = calloc(s->qcap, sizeof *s->queue);
        s->idle = calloc(s->qcap, sizeof *s->idle);
        if (!s->queue || !s->idle) {
            bench_pipe_free(d);
            return NULL;
        }
    }
    return d;
}

void bench_pipe_free(bench_pipe *d)
{
    if (!d)
        return;
    for (int i = 0; d->sessions && i < d->nsessions; i++) {
        free(d->sessions[i].queue);
        free(d->sessions[i].idle);
    }
    free(d->sessions);
    free(d->slots);
    bench_lat_free(&d->lat);
    free(d);
}

/* Slot i is carried by session i % sessions. */
static cmd_session *session_for(bench_pipe *d, size_t slot)
{
    return &d->sessions[slot % (size_t)d->nsessions];
}

static void enqueue(bench_pipe *d, size_t slot)
{
    cmd_session *s = session_for(d, slot);
    s->queue[(s->qhead + s->qcount) % s->qcap] = slot;
    s->qcount++;
}

/* Asks the workload for the slot's next command and queues it. */
static void prepare(bench_pipe *d, size_t i)
{
    cmd_slot *sl = &d->slots[i];
    bool stopping = d->stop_us && bench_mono_us() >= d->stop_us;
    if (!d->wl.next(d->ctx, i, stopping, sl->op, sizeof sl->op, sl->args, sizeof sl->args)) {
        sl->finished = true;
        return;
    }
    enqueue(d, i);
}

static bool send_slot(bench_pipe *d, size_t i, int64_t now)
{
    cmd_slot *sl = &d->slots[i];
    cmd_session *s = session_for(d, i);
    sl->seq++;
    if (!d->t.send(d->tctx, (int)(i % (size_t)d->nsessions), i, sl->seq, sl->op, sl->args)) {
        d->failed = true;
        return false;
    }
    sl->busy = true;
    sl->sent_us = now;
    d->sent++;
    d->inflight++;
    if (s->throttled)
        s->tokens -= 1.0;
    return true;
}

/* May session s send now (its own throttle)? */
static bool session_may_send(const bench_pipe *d, cmd_session *s, int64_t now)
{
    if (s->throttled) {
        s->tokens += (double)(now - s->refill_us) * d->throttle / 1e6;
        s->refill_us = now;
        if (s->tokens > THROTTLE_BURST)
            s->tokens = THROTTLE_BURST;
    }
    return s->ready && s->qcount && (!s->throttled || s->tokens >= 1.0);
}

static size_t dequeue(cmd_session *s)
{
    size_t i = s->queue[s->qhead];
    s->qhead = (s->qhead + 1) % s->qcap;
    s->qcount--;
    return i;
}

/* Sends what the schedule and the sessions' throttles allow. */
static void pump(bench_pipe *d)
{
    if (!d->started || d->failed)
        return;
    int64_t now = bench_mono_us();
    if (d->rate <= 0) {
        for (int k = 0; k < d->nsessions; k++) {
            cmd_session *s = &d->sessions[k];
            while (session_may_send(d, s, now) && send_slot(d, dequeue(s), now)) {
            }
        }
        return;
    }
    bool stopping = d->stop_us && now >= d->stop_us;
    double budget = d->rate * (double)(now - d->start_us) / 1e6 - (double)d->sent;
    /* Round robin, one command per session per turn, so the paced load
     * spreads evenly; after the stop only what is half done remains, and
     * it goes unpaced. */
    int idle_turns = 0;
    while ((stopping || budget >= 1.0) && idle_turns < d->nsessions) {
        cmd_session *s = &d->sessions[d->rr];
        d->rr = (d->rr + 1) % (size_t)d->nsessions;
        while (!s->qcount && s->nidle) {
            size_t i = s->idle[--s->nidle];
            d->nidle--;
            prepare(d, i);
        }
        if (!session_may_send(d, s, now)) {
            idle_turns++;
            continue;
        }
        idle_turns = 0;
        if (!send_slot(d, dequeue(s), now))
            return;
        budget -= 1.0;
    }
}

/* After a result: the slot's next command at once (closed loop), or the
 * slot waits for the schedule (paced). */
static void next_or_idle(bench_pipe *d, size_t i)
{
    if (d->rate > 0) {
        cmd_session *s = session_for(d, i);
        s->idle[s->nidle++] = i;
        d->nidle++;
    } else {
        prepare(d, i);
    }
}

static void count_code(bench_pipe *d, const char *code)
{
    for (size_t i = 0; i < d->ncodes; i++) {
        if (strcmp(d->codes[i].code, code) == 0) {
            d->codes[i].count++;
            return;
        }
    }
    if (d->ncodes < BENCH_PIPE_CODES) {
        snprintf(d->codes[d->ncodes].code, sizeof d->codes[d->ncodes].code, "%s", code);
        d->codes[d->ncodes++].count = 1;
    }
}

void bench_pipe_result(bench_pipe *d, size_t i, uint64_t seq, bool ok, const char *code,
                       const char *text, size_t len)
{
    if (i >= d->nslots || !d->slots[i].busy || seq != d->slots[i].seq)
        return;
    cmd_slot *sl = &d->slots[i];
    int64_t now = bench_mono_us();
    sl->busy = false;
    d->inflight--;
    d->last_result_us = now;
    bench_lat_add(&d->lat, now - sl->sent_us);
    if (ok) {
        d->ok++;
        d->wl.result(d->ctx, i, true, NULL, text, len);
        next_or_idle(d, i);
    } else {
        if (!code)
            code = "unknown";
        if (strcmp(code, "rate_limited") == 0) {
            d->rate_limited++;
            cmd_session *own = session_for(d, i);
            if (!own->throttled) {
                own->throttled = true;
                own->tokens = 0;
                own->refill_us = now;
            }
            enqueue(d, i); /* the same command again */
        } else {
            d->failed_ops++;
            count_code(d, code);
            d->wl.result(d->ctx, i, false, code, text, len);
            next_or_idle(d, i);
        }
    }
    pump(d);
}

void bench_pipe_session_ready(bench_pipe *d, int k)
{
    if (k < 0 || k >= d->nsessions)
        return;
    cmd_session *s = &d->sessions[k];
    if (!s->ready) {
        s->ready = true;
        d->nready++;
    }
    pump(d);
}

void bench_pipe_fail(bench_pipe *d)
{
    d->failed = true;
}

bool bench_pipe_ready(const bench_pipe *d)
{
    return d->nready == d->nsessions;
}

bool bench_pipe_failed(const bench_pipe *d)
{
    return d->failed;
}

void bench_pipe_start(bench_pipe *d, int64_t stop_us)
{
    d->started = true;
    d->start_us = bench_mono_us();
    d->last_result_us = d->start_us;
    d->stop_us = stop_us;
    for (size_t i = 0; i < d->nslots; i++)
        next_or_idle(d, d->nslots - 1 - i);
    pump(d);
}

bool bench_pipe_finished(const bench_pipe *d)
{
    if (!d->started || d->inflight || d->nidle)
        return false;
    for (int k = 0; k < d->nsessions; k++) {
        if (d->sessions[k].qcount)
            return false;
    }
    return true;
}

void bench_pipe_tick(bench_pipe *d)
{
    pump(d);
}

uint64_t bench_pipe_ok(const bench_pipe *d)
{
    return d->ok;
}

uint64_t bench_pipe_failed_ops(const bench_pipe *d)
{
    return d->failed_ops;
}

uint64_t bench_pipe_rate_limited(const bench_pipe *d)
{
    return d->rate_limited;
}

int bench_pipe_throttled_sessions(const bench_pipe *d)
{
    int n = 0;
    for (int k = 0; k < d->nsessions; k++)
        n += d->sessions[k].throttled;
    return n;
}

double bench_pipe_elapsed_s(const bench_pipe *d)
{
    return (double)(d->last_result_us - d->start_us) / 1e6;
}

bench_lat *bench_pipe_latency(bench_pipe *d)
{
    return &d->lat;
}

json_t *bench_pipe_report(bench_pipe *d)
{
    json_t *errors = json_object();
    for (size_t i = 0; errors && i < d->ncodes; i++)
        json_object_set_new(errors, d->codes[i].code, json_integer((json_int_t)d->codes[i].count));
    double elapsed = bench_pipe_elapsed_s(d);
    return json_pack("{s:I, s:I, s:I, s:i, s:o, s:f, s:f, s:o}", "ok", (json_int_t)d->ok, "failed",
                     (json_int_t)d->failed_ops, "rate_limited", (json_int_t)d->rate_limited,
                     "throttled_sessions", bench_pipe_throttled_sessions(d), "errors",
                     errors ? errors : json_object(), "elapsed_s", elapsed, "ops_per_s",
                     elapsed > 0 ? (double)d->ok / elapsed : 0.0, "rtt", bench_lat_json(&d->lat));
}
