/* client_snapstream: a snapshot frame fed in pieces of any size loads
 * the state client_mirror_load would, frames that are not snapshots are
 * left to the whole-text path, and a bad state is refused with a reason.
 * client_snapworker: the same stream fed through its worker thread loads
 * the same state, past its queue's bound, and a cancelled worker frees
 * everything. */
#include "test_main.h"

#include "client_snapstream.h"
#include "client_snapworker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A state with n parked calls on p1's range 1000-1999. */
static char *state_text(int n)
{
    size_t cap = 4096 + (size_t)n * 256;
    char *s = malloc(cap);
    assert_non_null(s);
    size_t at = (size_t)snprintf(
        s, cap,
        "{\"pool\":{\"fqdn\":\"p1.example.net\",\"site\":\"n\",\"status\":\"up\","
        "\"counters\":{\"parked\":%d,\"started_ms\":5}},\"unknown\":{\"a\":[1,{\"b\":null}]},"
        "\"pools\":[{\"fqdn\":\"p1.example.net\",\"site\":\"n\",\"url\":\"ws://h:1/v1/stream\","
        "\"status\":\"up\",\"last_seen_ms\":1}],"
        "\"dr\":[{\"home\":\"p1.example.net\",\"phase\":\"normal\",\"serving\":\"p1.example.net\"}]"
        ","
        "\"orbits\":[{\"identity\":\"park\",\"start\":\"1000\",\"end\":\"1999\",\"type\":"
        "\"CallPark\","
        "\"pool\":\"p1.example.net\",\"in_use\":%d}],"
        "\"config\":{\"call_pickup_timeout_threshold\":90},"
        "\"moh\":{\"name\":\"d.wav\",\"size\":1,\"sha256\":"
        "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"},"
        "\"parked\":[",
        n, n);
    for (int i = 0; i < n; i++)
        at += (size_t)snprintf(s + at, cap - at,
                               "%s{\"call_id\":\"call-%d\",\"orbit\":\"%d\",\"parker\":"
                               "\"sip:u%d@x.y\",\"parkee\":\"sip:c%d@x.y\",\"parked_ms\":%d,"
                               "\"deadline_ms\":%d,\"attempt\":%d,\"state\":\"%s\","
                               "\"music_on_hold\":true,\"pool\":\"p1.example.net\",\"x\":[{}]%s}",
                               i ? "," : "", i, 1000 + i, i, i, i, i + 90, i % 2,
                               i % 2 ? "ringing_back" : "parked",
                               /* SIP, api by default, api said */
                               i % 3 == 0   ? ",\"transport\":\"sip\""
                               : i % 3 == 1 ? ""
                                            : ",\"transport\":\"api\"");
    snprintf(s + at, cap - at,
             "],\"queues\":[{\"group\":\"700\",\"calls\":[{\"call_id\":\"q1\",\"caller\":\"x\","
             "\"callee\":\"sip:a@x.y\",\"group\":\"700\",\"ringing_since_ms\":10}]}]}");
    return s;
}

static char *frame_text(const char *state, bool state_first)
{
    size_t cap = strlen(state) + 256;
    char *f = malloc(cap);
    assert_non_null(f);
    if (state_first)
        snprintf(f, cap,
                 "{\"state\":%s,\"rev\":42,\"epoch\":\"e1\",\"id\":\"s7\",\"t\":\"snapshot\"}",
                 state);
    else
        snprintf(f, cap,
                 "{\"t\":\"snapshot\",\"id\":\"s7\",\"epoch\":\"e1\",\"rev\":42,\"state\":%s}",
                 state);
    return f;
}

static client_snapstream_kind feed(client_snapstream *s, const char *text, size_t piece)
{
    size_t len = strlen(text);
    for (size_t at = 0; at < len; at += piece)
        client_snapstream_feed(s, text + at, len - at < piece ? len - at : piece);
    return client_snapstream_end(s);
}

static void streamed_in_pieces_loads_what_the_whole_state_loads(void **state)
{
    (void)state;
    char *st_text = state_text(300);
    json_t *whole_state = json_loads(st_text, 0, NULL);
    assert_non_null(whole_state);
    client_mirror *whole = client_mirror_new();
    orbit_status st;
    assert_int_equal(client_mirror_load(whole, whole_state, &st), ORBIT_OK);
    json_t *want = client_mirror_to_json(whole);
    static const size_t PIECES[] = {1, 7, 4096, 1 << 20};
    for (int order = 0; order < 2; order++) {
        char *frame = frame_text(st_text, order == 1);
        for (size_t p = 0; p < sizeof PIECES / sizeof PIECES[0]; p++) {
            client_snapstream *s = client_snapstream_new();
            assert_non_null(s);
            assert_int_equal(feed(s, frame, PIECES[p]), CLIENT_SNAPSTREAM_SNAPSHOT);
            assert_string_equal(client_snapstream_id(s), "s7");
            assert_string_equal(client_snapstream_epoch(s), "e1");
            assert_int_equal(client_snapstream_rev(s), 42);
            assert_int_equal(client_snapstream_parked(s), 300);
            client_mirror *m = client_mirror_new();
            assert_int_equal(client_snapstream_apply(s, m, &st), ORBIT_OK);
            assert_int_not_equal(client_snapstream_apply(s, m, &st), ORBIT_OK); /* once */
            json_t *got = client_mirror_to_json(m);
            assert_true(json_equal(want, got));
            /* Who carries each call survives the streaming. */
            const client_parked *first = client_mirror_parked(m, "call-0");
            const client_parked *second = client_mirror_parked(m, "call-1");
            assert_non_null(first);
            assert_non_null(second);
            assert_int_equal(first->transport, CALL_TRANSPORT_SIP);
            assert_int_equal(second->transport, CALL_TRANSPORT_API);
            assert_int_equal(client_mirror_in_use(m, "park"), 300);
            assert_int_equal(client_mirror_config(m)->call_pickup_timeout_threshold, 90);
            json_decref(got);
            client_mirror_free(m);
            client_snapstream_free(s);
        }
        free(frame);
    }
    json_decref(want);
    json_decref(whole_state);
    client_mirror_free(whole);
    free(st_text);
}

static void other_frames_are_left_to_the_whole_text(void **state)
{
    (void)state;
    static const char *const OTHERS[] = {
        "{\"t\":\"event\",\"epoch\":\"e\",\"rev\":1,\"kind\":\"call.parked\",\"data\":{}}",
        "{\"id\":\"c1\",\"t\":\"result\",\"ok\":true,\"data\":{\"parked\":[]}}",
        "[1,2,3]",
        "{\"no\":\"type\"}",
    };
    for (size_t i = 0; i < sizeof OTHERS / sizeof OTHERS[0]; i++) {
        client_snapstream *s = client_snapstream_new();
        assert_int_equal(feed(s, OTHERS[i], 3), CLIENT_SNAPSTREAM_OTHER);
        client_snapstream_free(s);
    }
}

static void a_bad_snapshot_is_refused_with_its_reason(void **state)
{
    (void)state;
    static const struct {
        const char *frame, *why;
    } BAD[] = {
        {"{\"t\":\"snapshot\",\"id\":\"s1\",\"state\":{\"pools\":[],\"dr\":[],\"orbits\":[],"
         "\"parked\":[{\"call_id\":\"c\",\"orbit\":\"12\",\"parker\":\"sip:a@b.c\","
         "\"parkee\":\"x\",\"parked_ms\":1}],\"queues\":[]}}",
         "deadline_ms is required"},
        {"{\"t\":\"snapshot\",\"id\":\"s1\",\"state\":{\"pools\":[],\"dr\":[],\"orbits\":[],"
         "\"parked\":[{\"call_id\":\"c\",\"orbit\":\"012\",\"parker\":\"sip:a@b.c\","
         "\"parkee\":\"x\",\"parked_ms\":1,\"deadline_ms\":2}],\"queues\":[]}}",
         "orbit"},
        {"{\"t\":\"snapshot\",\"id\":\"s1\",\"state\":{\"pools\":[],\"dr\":[],\"orbits\":[],"
         "\"parked\":[],\"queues\":[]", /* cut short */
         "bad JSON"},
        {"{\"t\":\"snapshot\",\"id\":\"s1\",\"state\":{\"pools\":{},\"dr\":[]}}", "pools"},
        {"{\"t\":\"snapshot\",\"id\":\"s1\",\"state\":{\"pools\":[],\"dr\":[],\"orbits\":[],"
         "\"queues\":[]}}",
         "parked"},
        {"{\"t\":\"snapshot\",\"id\":\"s1\",\"state\":{\"pools\":[],\"dr\":[],\"orbits\":[],"
         "\"parked\":[{\"call_id\":\"c\",\"orbit\":\"12\",\"parker\":\"sip:a@b.c\","
         "\"parkee\":\"x\",\"parked_ms\":1,\"deadline_ms\":2,\"transport\":\"xmpp\"}],"
         "\"queues\":[]}}",
         "transport is sip or api"},
        {"{\"t\":\"snapshot\",\"id\":\"s1\",\"state\":null}", "state"},
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        client_snapstream *s = client_snapstream_new();
        client_snapstream_kind k = feed(s, BAD[i].frame, 5);
        if (k == CLIENT_SNAPSTREAM_SNAPSHOT) {
            /* The members were well formed: the mirror refuses the whole. */
            client_mirror *m = client_mirror_new();
            orbit_status st;
            assert_int_not_equal(client_snapstream_apply(s, m, &st), ORBIT_OK);
            assert_non_null(strstr(st.message, BAD[i].why));
            assert_false(client_mirror_loaded(m));
            client_mirror_free(m);
        } else {
            assert_int_equal(k, CLIENT_SNAPSTREAM_BROKEN);
            assert_non_null(strstr(client_snapstream_error(s), BAD[i].why));
        }
        client_snapstream_free(s);
    }
}

/* More than the worker's 4 MB queue, in the network's 64 KiB pieces: the
 * feeder waits for room and the state is whole at the end. */
static void a_worker_loads_what_the_stream_loads(void **state)
{
    (void)state;
    char *st_text = state_text(25000);
    char *frame = frame_text(st_text, false);
    size_t len = strlen(frame);
    assert_true(len > 5u * 1024u * 1024u);
    client_snapstream *direct = client_snapstream_new();
    assert_non_null(direct);
    assert_int_equal(feed(direct, frame, 65536), CLIENT_SNAPSTREAM_SNAPSHOT);
    client_mirror *want_m = client_mirror_new();
    orbit_status st;
    assert_int_equal(client_snapstream_apply(direct, want_m, &st), ORBIT_OK);
    json_t *want = client_mirror_to_json(want_m);

    client_snapstream *s = client_snapstream_new();
    assert_non_null(s);
    /* The hub starts the worker once the first piece says "snapshot". */
    assert_int_equal(client_snapstream_feed(s, frame, 65536), CLIENT_SNAPSTREAM_SNAPSHOT);
    client_snapworker *w = client_snapworker_start(s);
    assert_non_null(w);
    for (size_t at = 65536; at < len; at += 65536)
        assert_true(client_snapworker_feed(w, frame + at, len - at < 65536 ? len - at : 65536));
    s = client_snapworker_finish(w);
    assert_int_equal(client_snapstream_end(s), CLIENT_SNAPSTREAM_SNAPSHOT);
    assert_int_equal(client_snapstream_parked(s), 25000);
    client_mirror *m = client_mirror_new();
    assert_int_equal(client_snapstream_apply(s, m, &st), ORBIT_OK);
    json_t *got = client_mirror_to_json(m);
    assert_true(json_equal(want, got));

    json_decref(got);
    json_decref(want);
    client_mirror_free(m);
    client_mirror_free(want_m);
    client_snapstream_free(s);
    client_snapstream_free(direct);
    free(frame);
    free(st_text);
}

/* A connection lost half-way: the worker stops with pieces still queued
 * and the stream and its fresh mirror are freed (ASan and valgrind see
 * any leak). A broken stream fed through the worker stays broken. */
static void a_cancelled_or_broken_worker_leaves_nothing(void **state)
{
    (void)state;
    char *st_text = state_text(5000);
    char *frame = frame_text(st_text, false);
    size_t len = strlen(frame);
    client_snapstream *s = client_snapstream_new();
    assert_non_null(s);
    client_snapworker *w = client_snapworker_start(s);
    assert_non_null(w);
    for (size_t at = 0; at < len / 2; at += 4096)
        assert_true(client_snapworker_feed(w, frame + at, 4096));
    client_snapworker_cancel(w);
    client_snapworker_cancel(NULL);

    s = client_snapstream_new();
    assert_non_null(s);
    w = client_snapworker_start(s);
    assert_non_null(w);
    assert_true(client_snapworker_feed(w, frame, len / 2));
    assert_true(client_snapworker_feed(w, "]]]", 3));
    s = client_snapworker_finish(w);
    assert_int_equal(client_snapstream_end(s), CLIENT_SNAPSTREAM_BROKEN);
    assert_non_null(strstr(client_snapstream_error(s), "JSON"));
    client_snapstream_free(s);
    free(frame);
    free(st_text);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(streamed_in_pieces_loads_what_the_whole_state_loads),
    cmocka_unit_test(other_frames_are_left_to_the_whole_text),
    cmocka_unit_test(a_bad_snapshot_is_refused_with_its_reason),
    cmocka_unit_test(a_worker_loads_what_the_stream_loads),
    cmocka_unit_test(a_cancelled_or_broken_worker_leaves_nothing),
};

ORBIT_TEST_MAIN(tests)
