/* bench_cmd: bench_pipe over orbit.v1 sessions: each command goes out as
 * a cmd frame whose id names its slot and sequence, and each result
 * frame is matched back by that id. */
#ifndef BENCH_CMD_H
#define BENCH_CMD_H

#include "bench_pipe.h"
#include "bench_ws.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct bench_cmd bench_cmd;

/* Opens `sessions` sessions on w to url with token (copied) and the
 * pipeline over them (see bench_pipe_new). NULL on failure. */
bench_cmd *bench_cmd_new(bench_ws *w, const char *url, const char *token, int sessions, int depth,
                         double rate, double throttle, const bench_pipe_workload *wl, void *ctx);
void bench_cmd_free(bench_cmd *c);

/* The pipeline: start it, tick it, read its counters (borrowed). */
bench_pipe *bench_cmd_pipe(bench_cmd *c);

/* The bench_ws hooks route here first: false when the session is not
 * one of this driver's. */
bool bench_cmd_on_frame(bench_cmd *c, bench_conn *conn, const char *text, size_t len);
bool bench_cmd_on_ready(bench_cmd *c, bench_conn *conn);
bool bench_cmd_on_closed(bench_cmd *c, bench_conn *conn);

#endif
