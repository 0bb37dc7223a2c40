/* bench_cmd: pipelined orbit.v1 commands over N sessions. A workload
 * (park + retrieve, range create + delete, ...) is a set of slots, each
 * with at most one command in flight; N sessions x depth slots give the
 * pipelining. The driver sends each slot's next command when its result
 * arrives (closed loop) or, with a rate, when the schedule allows (open
 * loop). A `rate_limited` refusal is counted, the same command is sent
 * again, and that session is paced from then on to the throttle rate
 * (orbitd's per-session limit), so throttling shows in the report instead
 * of hiding as lost work or as a storm of refusals that costs the server
 * CPU. */
#ifndef BENCH_CMD_H
#define BENCH_CMD_H

#include "bench_lat.h"
#include "bench_ws.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BENCH_CMD_ARGS_MAX 1024
#define BENCH_CMD_CODES    24

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
} bench_cmd_workload;

typedef struct {
    char code[32];
    uint64_t count;
} bench_cmd_code;

typedef struct bench_cmd bench_cmd;

/* Sessions are opened on w to url with token; sessions x depth slots.
 * rate > 0 paces sends to rate commands per second in all; throttle is
 * the per-session rate used once a session was refused with
 * rate_limited. wl is copied, ctx borrowed. */
bench_cmd *bench_cmd_new(bench_ws *w, const char *url, const char *token, int sessions, int depth,
                         double rate, double throttle, const bench_cmd_workload *wl, void *ctx);
void bench_cmd_free(bench_cmd *d);

/* Routes a frame of one of its sessions; false when the session is not
 * the driver's. */
bool bench_cmd_on_frame(bench_cmd *d, bench_conn *c, const char *text, size_t len);
/* Marks one of its sessions ready; false when it is not the driver's. */
bool bench_cmd_on_ready(bench_cmd *d, bench_conn *c);
/* A session of the driver closed; false when it is not the driver's. */
bool bench_cmd_on_closed(bench_cmd *d, bench_conn *c);

/* Every session welcomed. */
bool bench_cmd_ready(const bench_cmd *d);
/* A session failed: the run cannot be trusted. */
bool bench_cmd_failed(const bench_cmd *d);
/* Starts sending; stops issuing new commands at stop_us (monotonic, 0:
 * only when every slot is finished). */
void bench_cmd_start(bench_cmd *d, int64_t stop_us);
/* No more commands to send and none in flight. */
bool bench_cmd_finished(const bench_cmd *d);
/* Runs from the loop every millisecond: paces sends and resumes slots
 * after a rate_limited pause. */
void bench_cmd_tick(bench_cmd *d);

/* Counters. */
uint64_t bench_cmd_ok(const bench_cmd *d);
uint64_t bench_cmd_failed_ops(const bench_cmd *d);
uint64_t bench_cmd_rate_limited(const bench_cmd *d);
/* Sessions that were refused with rate_limited at least once. */
int bench_cmd_throttled_sessions(const bench_cmd *d);
/* Seconds from start to the last result. */
double bench_cmd_elapsed_s(const bench_cmd *d);
/* Command round trips (send to result). */
bench_lat *bench_cmd_latency(bench_cmd *d);
/* {"ok", "failed", "rate_limited", "throttled_sessions", "errors":
 * {code: n}, "elapsed_s", "ops_per_s", "rtt": {...}}: a new reference. */
json_t *bench_cmd_report(bench_cmd *d);

#endif
