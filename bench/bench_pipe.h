/* bench_pipe: pipelined commands over N sessions, whatever the protocol
 * (orbit.v1 in bench_cmd, RESP in bench_redis). A workload (park +
 * retrieve, range create + delete, ...) is a set of slots, each with at
 * most one command in flight; N sessions x depth slots give the
 * pipelining; the transport sends a slot's command and reports its
 * answer. The driver sends each slot's next command when its result
 * arrives (closed loop) or, with a rate, when the schedule allows (open
 * loop). A `rate_limited` refusal is counted, the same command is sent
 * again, and that session is paced from then on to the throttle rate
 * (orbitd's per-session limit), so throttling shows in the report instead
 * of hiding as lost work or as a storm of refusals that costs the server
 * CPU. */
#ifndef BENCH_PIPE_H
#define BENCH_PIPE_H

#include "bench_lat.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BENCH_PIPE_ARGS_MAX 1024
#define BENCH_PIPE_CODES    24

typedef struct {
    /* Writes the next command of slot into op and args (a JSON object's
     * text); false when the slot has nothing more to do. stopping: the run
     * is over, so only finish what is half done (retrieve what was parked,
     * delete what was created). */
    bool (*next)(void *ctx, size_t slot, bool stopping, char *op, size_t oplen, char *args,
                 size_t argslen);
    /* The answer to the slot's command: ok, or the error code; text is the
     * result frame (borrowed). */
    void (*result)(void *ctx, size_t slot, bool ok, const char *code, const char *text, size_t len);
} bench_pipe_workload;

typedef struct {
    char code[32];
    uint64_t count;
} bench_pipe_code;

typedef struct {
    /* Sends slot's command on session k, tagged with seq (which the
     * answer must come back with); false when it cannot be sent. */
    bool (*send)(void *ctx, int session, size_t slot, uint64_t seq, const char *op,
                 const char *args);
} bench_pipe_transport;

typedef struct bench_pipe bench_pipe;

/* sessions x depth slots; slot i is carried by session i % sessions.
 * rate > 0 paces sends to rate commands per second in all; throttle is
 * the per-session rate used once a session was refused with
 * rate_limited. t and wl are copied; tctx and wctx borrowed. */
bench_pipe *bench_pipe_new(int sessions, int depth, double rate, double throttle,
                           const bench_pipe_transport *t, void *tctx, const bench_pipe_workload *wl,
                           void *wctx);
void bench_pipe_free(bench_pipe *d);

/* The transport: session k may carry commands. */
void bench_pipe_session_ready(bench_pipe *d, int k);
/* The transport: a session was lost; the run cannot be trusted. */
void bench_pipe_fail(bench_pipe *d);
/* The transport: the answer to slot's command seq (stale ones are
 * ignored); code is the error's code when !ok; text is the answer. */
void bench_pipe_result(bench_pipe *d, size_t slot, uint64_t seq, bool ok, const char *code,
                       const char *text, size_t len);

/* Every session welcomed. */
bool bench_pipe_ready(const bench_pipe *d);
/* A session failed: the run cannot be trusted. */
bool bench_pipe_failed(const bench_pipe *d);
/* Starts sending; stops issuing new commands at stop_us (monotonic, 0:
 * only when every slot is finished). */
void bench_pipe_start(bench_pipe *d, int64_t stop_us);
/* No more commands to send and none in flight. */
bool bench_pipe_finished(const bench_pipe *d);
/* Runs from the loop every millisecond: paces sends and resumes slots
 * after a rate_limited pause. */
void bench_pipe_tick(bench_pipe *d);

/* Counters. */
uint64_t bench_pipe_ok(const bench_pipe *d);
uint64_t bench_pipe_failed_ops(const bench_pipe *d);
uint64_t bench_pipe_rate_limited(const bench_pipe *d);
/* Sessions that were refused with rate_limited at least once. */
int bench_pipe_throttled_sessions(const bench_pipe *d);
/* Seconds from start to the last result. */
double bench_pipe_elapsed_s(const bench_pipe *d);
/* Command round trips (send to result). */
bench_lat *bench_pipe_latency(bench_pipe *d);
/* {"ok", "failed", "rate_limited", "throttled_sessions", "errors":
 * {code: n}, "elapsed_s", "ops_per_s", "rtt": {...}}: a new reference. */
json_t *bench_pipe_report(bench_pipe *d);

#endif
