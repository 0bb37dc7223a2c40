/* bench_cmd: pipelined orbit.v1 commands. */
#include "bench_cmd.h"

#include "bench_scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bench_cmd {
    bench_pipe *pipe;
    bench_conn **conns;
    int nconns;
};

static int session_of(const bench_cmd *c, const bench_conn *conn)
{
    for (int k = 0; k < c->nconns; k++) {
        if (c->conns[k] == conn)
            return k;
    }
    return -1;
}

static bool send_cmd(void *ctx, int session, size_t slot, uint64_t seq, const char *op,
                     const char *args)
{
    bench_cmd *c = ctx;
    char frame[BENCH_PIPE_ARGS_MAX + 160];
    int n = snprintf(frame, sizeof frame,
                     "{\"t\":\"cmd\",\"id\":\"%zu.%llu\",\"op\":\"%s\",\"args\":%s}", slot,
                     (unsigned long long)seq, op, args);
    return n > 0 && n < (int)sizeof frame && bench_conn_send(c->conns[session], frame, (size_t)n);
}

bench_cmd *bench_cmd_new(bench_ws *w, const char *url, const char *token, int sessions, int depth,
                         double rate, double throttle, const bench_pipe_workload *wl, void *ctx)
{
    bench_cmd *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    bench_pipe_transport t = {send_cmd};
    c->pipe = bench_pipe_new(sessions, depth, rate, throttle, &t, c, wl, ctx);
    c->conns = calloc((size_t)(sessions > 0 ? sessions : 1), sizeof *c->conns);
    if (!c->pipe || !c->conns) {
        bench_cmd_free(c);
        return NULL;
    }
    for (int k = 0; k < sessions; k++) {
        c->conns[k] = bench_ws_open(w, url, token, c, 4096);
        if (!c->conns[k]) {
            bench_cmd_free(c);
            return NULL;
        }
        c->nconns++;
    }
    return c;
}

void bench_cmd_free(bench_cmd *c)
{
    if (!c)
        return;
    bench_pipe_free(c->pipe);
    free(c->conns);
    free(c);
}

bench_pipe *bench_cmd_pipe(bench_cmd *c)
{
    return c->pipe;
}

bool bench_cmd_on_frame(bench_cmd *c, bench_conn *conn, const char *text, size_t len)
{
    if (session_of(c, conn) < 0)
        return false;
    char type[16], id[48];
    if (!bench_scan_type(text, len, type, sizeof type) || strcmp(type, "result") != 0 ||
        !bench_scan_str(text, len, "id", id, sizeof id))
        return true;
    char *dot;
    size_t slot = (size_t)strtoull(id, &dot, 10);
    if (*dot != '.')
        return true;
    uint64_t seq = strtoull(dot + 1, NULL, 10);
    bool ok = bench_scan_true(text, len, "ok");
    char code[32] = "unknown";
    if (!ok)
        bench_scan_str(text, len, "code", code, sizeof code);
    bench_pipe_result(c->pipe, slot, seq, ok, ok ? NULL : code, text, len);
    return true;
}

bool bench_cmd_on_ready(bench_cmd *c, bench_conn *conn)
{
    int k = session_of(c, conn);
    if (k < 0)
        return false;
    bench_pipe_session_ready(c->pipe, k);
    return true;
}

bool bench_cmd_on_closed(bench_cmd *c, bench_conn *conn)
{
    if (session_of(c, conn) < 0)
        return false;
    bench_pipe_fail(c->pipe);
    return true;
}
