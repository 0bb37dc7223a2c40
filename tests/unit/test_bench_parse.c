/* The load generators' own logic, on which every benchmark figure rests:
 * reading RESP replies and orbit.v1 frame fields, exact percentiles, and
 * a rate_limited refusal being counted and its command sent again. */
#include "test_main.h"

#include "bench_lat.h"
#include "bench_pipe.h"
#include "bench_proc.h"
#include "bench_resp.h"
#include "bench_scan.h"

#include <string.h>
#include <unistd.h>

static void resp_encodes_bulk_strings(void **state)
{
    (void)state;
    char out[128];
    const char *argv[] = {"SET", "k", "two words"};
    size_t n = bench_resp_encode(out, sizeof out, 3, argv);
    assert_string_equal(out, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$9\r\ntwo words\r\n");
    assert_int_equal(n, strlen(out));
    assert_int_equal(bench_resp_encode(out, 8, 3, argv), 0);
}

static void resp_reads_whole_replies_only(void **state)
{
    (void)state;
    bench_resp r;
    const char *bulk = "$5\r\nhello\r\n+OK\r\n";
    assert_int_equal(bench_resp_parse(bulk, strlen(bulk), &r), 11);
    assert_int_equal(r.top.type, '$');
    assert_int_equal(r.top.len, 5);
    assert_memory_equal(r.top.str, "hello", 5);
    assert_int_equal(bench_resp_parse(bulk, 8, &r), 0); /* cut in the middle */
    const char *err = "-no_free_orbit out of orbits\r\n";
    assert_int_equal(bench_resp_parse(err, strlen(err), &r), strlen(err));
    assert_int_equal(r.top.type, '-');
    const char *nil = "$-1\r\n";
    assert_int_equal(bench_resp_parse(nil, strlen(nil), &r), 5);
    assert_null(r.top.str);
    assert_int_equal(bench_resp_parse("?x\r\n", 4, &r), SIZE_MAX);
}

static void resp_reads_a_pubsub_message(void **state)
{
    (void)state;
    bench_resp r;
    const char *msg = "*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$14\r\n{\"time_ms\":42}\r\n";
    assert_int_equal(bench_resp_parse(msg, strlen(msg), &r), strlen(msg));
    assert_int_equal(r.top.type, '*');
    assert_int_equal(r.top.num, 3);
    assert_memory_equal(r.elem[0].str, "message", 7);
    int64_t t = 0;
    assert_true(bench_scan_int(r.elem[2].str, r.elem[2].len, "time_ms", &t));
    assert_int_equal(t, 42);
    assert_int_equal(bench_resp_parse(msg, strlen(msg) - 3, &r), 0);
}

static void scan_reads_frame_fields(void **state)
{
    (void)state;
    const char *ev = "{\"t\":\"event\",\"epoch\":\"ab\",\"rev\":17,\"kind\":\"call.parked\","
                     "\"time_ms\":1764460000123,\"data\":{\"parked_ms\":5,\"orbit\":\"11000\"}}";
    size_t len = strlen(ev);
    char type[16], orbit[16];
    int64_t rev = 0, t = 0;
    assert_true(bench_scan_type(ev, len, type, sizeof type));
    assert_string_equal(type, "event");
    assert_true(bench_scan_int(ev, len, "rev", &rev));
    assert_int_equal(rev, 17);
    assert_true(bench_scan_int(ev, len, "time_ms", &t));
    assert_int_equal(t, 1764460000123);
    assert_true(bench_scan_str(ev, len, "orbit", orbit, sizeof orbit));
    assert_string_equal(orbit, "11000");
    assert_false(bench_scan_str(ev, len, "orbit", orbit, 3)); /* too long for out */
    assert_false(bench_scan_int(ev, len, "absent", &t));
    const char *res = "{\"t\":\"result\",\"id\":\"3.9\",\"ok\":false,\"error\":{\"code\":\"x\"}}";
    assert_false(bench_scan_true(res, strlen(res), "ok"));
    assert_int_equal(bench_scan_count(ev, len, "\"orbit\":"), 1);
}

static void percentiles_are_nearest_rank(void **state)
{
    (void)state;
    bench_lat l = {0};
    for (int i = 100; i >= 1; i--)
        bench_lat_add(&l, i * 1000); /* 1..100 ms, out of order */
    assert_true(bench_lat_pct(&l, 50) == 50.0);
    assert_true(bench_lat_pct(&l, 99) == 99.0);
    assert_true(bench_lat_pct(&l, 100) == 100.0);
    bench_lat_add(&l, -5); /* a clock step cannot make a negative latency */
    assert_true(bench_lat_pct(&l, 0) == 0.0);
    bench_lat_free(&l);
}

/* A fake transport and workload: three commands on one slot. */
typedef struct {
    int sent;
    uint64_t last_seq;
    char last_args[64];
    int left;
} fake;

static bool fake_send(void *ctx, int session, size_t slot, uint64_t seq, const char *op,
                      const char *args)
{
    (void)session;
    (void)slot;
    (void)op;
    fake *f = ctx;
    f->sent++;
    f->last_seq = seq;
    snprintf(f->last_args, sizeof f->last_args, "%s", args);
    return true;
}

static bool fake_next(void *ctx, size_t slot, bool stopping, char *op, size_t oplen, char *args,
                      size_t argslen)
{
    (void)slot;
    (void)stopping;
    fake *f = ctx;
    if (f->left == 0)
        return false;
    snprintf(op, oplen, "call.park");
    snprintf(args, argslen, "{\"n\":%d}", f->left--);
    return true;
}

static void fake_result(void *ctx, size_t slot, bool ok, const char *code, const char *text,
                        size_t len)
{
    (void)ctx, (void)slot, (void)ok, (void)code, (void)text, (void)len;
}

static void a_rate_limited_command_is_counted_and_sent_again(void **state)
{
    (void)state;
    fake f = {.left = 3};
    bench_pipe_transport t = {fake_send};
    bench_pipe_workload w = {fake_next, fake_result};
    bench_pipe *p = bench_pipe_new(1, 1, 0, 1e6, &t, &f, &w, &f);
    assert_non_null(p);
    bench_pipe_session_ready(p, 0);
    bench_pipe_start(p, 0);
    assert_int_equal(f.sent, 1);
    assert_string_equal(f.last_args, "{\"n\":3}");
    bench_pipe_result(p, 0, f.last_seq, false, "rate_limited", "", 0);
    bench_sleep_ms(2); /* the session's throttle lets it send again */
    bench_pipe_tick(p);
    assert_int_equal(f.sent, 2);
    assert_string_equal(f.last_args, "{\"n\":3}");              /* the same command */
    bench_pipe_result(p, 0, f.last_seq - 1, true, NULL, "", 0); /* stale: ignored */
    assert_int_equal(bench_pipe_ok(p), 0);
    for (int i = 0; i < 3; i++) {
        bench_pipe_result(p, 0, f.last_seq, true, NULL, "", 0);
        bench_sleep_ms(1);
        bench_pipe_tick(p);
    }
    assert_true(bench_pipe_finished(p));
    assert_int_equal(bench_pipe_ok(p), 3);
    assert_int_equal(bench_pipe_rate_limited(p), 1);
    assert_int_equal(bench_pipe_throttled_sessions(p), 1);
    assert_int_equal(bench_pipe_failed_ops(p), 0);
    bench_pipe_free(p);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(resp_encodes_bulk_strings),
    cmocka_unit_test(resp_reads_whole_replies_only),
    cmocka_unit_test(resp_reads_a_pubsub_message),
    cmocka_unit_test(scan_reads_frame_fields),
    cmocka_unit_test(percentiles_are_nearest_rank),
    cmocka_unit_test(a_rate_limited_command_is_counted_and_sent_again),
};

ORBIT_TEST_MAIN(tests)
