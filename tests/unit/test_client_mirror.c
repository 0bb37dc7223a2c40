/* The client mirror: snapshot loading and event application. */
#include "test_main.h"

#include "client_mirror.h"
#include "client_vault.h"
#include "orbit_json.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *SNAPSHOT =
    "{\"pool\":{\"fqdn\":\"p1.example.net\",\"site\":\"n\",\"backup\":\"p2.example.net\","
    "\"status\":\"up\"},"
    "\"pools\":[{\"fqdn\":\"p1.example.net\",\"site\":\"n\",\"backup\":\"p2.example.net\","
    "\"url\":\"ws://h:1/v1/stream\",\"status\":\"up\",\"last_seen_ms\":1},"
    "{\"fqdn\":\"p2.example.net\",\"site\":\"s\",\"backup\":\"p1.example.net\","
    "\"url\":\"ws://h:2/v1/stream\",\"status\":\"up\",\"last_seen_ms\":1}],"
    "\"dr\":[{\"home\":\"p1.example.net\",\"phase\":\"normal\",\"serving\":\"p1.example.net\"},"
    "{\"home\":\"p2.example.net\",\"phase\":\"normal\",\"serving\":\"p2.example.net\"}],"
    "\"orbits\":[{\"identity\":\"park\",\"start\":\"100\",\"end\":\"199\",\"type\":\"CallPark\","
    "\"pool\":\"p1.example.net\",\"in_use\":1},"
    "{\"identity\":\"other\",\"start\":\"200\",\"end\":\"299\",\"type\":\"CallPark\","
    "\"pool\":\"p2.example.net\",\"in_use\":7}],"
    "\"config\":{\"call_pickup_timeout_threshold\":90,\"enable_music_on_hold\":true,"
    "\"max_call_pickup_attempts\":1,\"on_timeout_uri\":\"\"},"
    "\"moh\":{\"name\":\"d.wav\",\"size\":1,\"sha256\":"
    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"},"
    "\"parked\":[{\"call_id\":\"c1\",\"orbit\":\"150\",\"parker\":\"sip:a@x.y\","
    "\"parkee\":\"x\",\"parked_ms\":1,\"deadline_ms\":2,\"attempt\":0,\"state\":\"parked\"}],"
    "\"queues\":[]}";

static client_mirror *loaded(void)
{
    client_mirror *m = client_mirror_new();
    assert_non_null(m);
    json_t *s = json_loads(SNAPSHOT, 0, NULL);
    assert_non_null(s);
    orbit_status st;
    assert_int_equal(client_mirror_load(m, s, &st), ORBIT_OK);
    json_decref(s);
    return m;
}

static unsigned apply(client_mirror *m, const char *kind, const char *data)
{
    json_t *d = json_loads(data, 0, NULL);
    assert_non_null(d);
    unsigned changed = client_mirror_apply(m, kind, d);
    json_decref(d);
    return changed;
}

static void snapshot_counts_are_not_doubled(void **state)
{
    (void)state;
    client_mirror *m = loaded();
    assert_int_equal(client_mirror_in_use(m, "park"), 1);
    assert_int_equal(client_mirror_parked_count(m), 1);
    assert_string_equal(client_mirror_self(m)->fqdn, "p1.example.net");
    client_mirror_free(m);
}

static void parking_events_keep_calls_and_own_counts(void **state)
{
    (void)state;
    client_mirror *m = loaded();
    unsigned c = apply(m, "call.parked",
                       "{\"call_id\":\"c2\",\"orbit\":\"160\",\"parker\":\"sip:a@x.y\","
                       "\"parkee\":\"x\",\"parked_ms\":3,\"deadline_ms\":4,\"pool\":\"p1\"}");
    assert_true(c & CLIENT_CHANGED_PARKED);
    assert_int_equal(client_mirror_in_use(m, "park"), 2);
    apply(m, "call.ringback",
          "{\"call_id\":\"c2\",\"orbit\":\"160\",\"parker\":\"sip:a@x.y\",\"parkee\":\"x\","
          "\"parked_ms\":3,\"deadline_ms\":9,\"attempt\":1,\"state\":\"ringing_back\"}");
    assert_int_equal(client_mirror_in_use(m, "park"), 2);
    assert_int_equal(client_mirror_parked(m, "c2")->state, PARKED_STATE_RINGING_BACK);
    orbit_number n;
    orbit_number_parse("160", &n);
    assert_non_null(client_mirror_parked_on(m, &n));
    apply(m, "call.retrieved", "{\"call_id\":\"c1\",\"orbit\":\"150\",\"by\":\"x\"}");
    apply(m, "call.forwarded", "{\"call_id\":\"c2\",\"orbit\":\"160\",\"uri\":\"sip:o@x\"}");
    assert_int_equal(client_mirror_parked_count(m), 0);
    assert_int_equal(client_mirror_in_use(m, "park"), 0);
    /* Another pool's range count is left as its owner reported it. */
    assert_int_equal(client_mirror_in_use(m, "other"), 7);
    /* An unknown call's end changes nothing. */
    assert_int_equal(apply(m, "call.retrieved", "{\"call_id\":\"zz\",\"orbit\":\"1\"}"), 0);
    client_mirror_free(m);
}

static void queues_stay_fifo_and_unpickable_sticks(void **state)
{
    (void)state;
    client_mirror *m = loaded();
    apply(m, "pickup.queued",
          "{\"call_id\":\"q2\",\"caller\":\"x\",\"callee\":\"sip:a@x.y\","
          "\"group\":\"700\",\"ringing_since_ms\":20}");
    apply(m, "pickup.queued",
          "{\"call_id\":\"q1\",\"caller\":\"x\",\"callee\":\"sip:a@x.y\","
          "\"group\":\"700\",\"ringing_since_ms\":10}");
    orbit_number g;
    orbit_number_parse("700", &g);
    const client_queue *q = client_mirror_queue(m, &g);
    assert_non_null(q);
    assert_int_equal(q->ncalls, 2);
    assert_string_equal(q->calls[0].call_id, "q1");
    apply(m, "pickup.unpickable", "{\"call_id\":\"q2\",\"group\":\"700\"}");
    assert_false(client_mirror_queued(m, "q2")->pickable);
    apply(m, "pickup.taken", "{\"call_id\":\"q1\",\"group\":\"700\",\"by\":\"x\"}");
    apply(m, "pickup.dropped", "{\"call_id\":\"q2\",\"group\":\"700\"}");
    assert_null(client_mirror_queue(m, &g));
    assert_int_equal(client_mirror_queued_calls(m), 0);
    client_mirror_free(m);
}

static void range_dr_and_settings_events(void **state)
{
    (void)state;
    client_mirror *m = loaded();
    apply(m, "orbit.created",
          "{\"identity\":\"new\",\"start\":\"300\",\"end\":\"309\","
          "\"type\":\"GroupPickup\",\"pool\":\"p2.example.net\"}");
    assert_int_equal(orbit_table_count(client_mirror_orbits(m)), 3);
    apply(m, "orbit.reassigned",
          "{\"from_pool\":\"p2.example.net\",\"to_pool\":\"p1.example.net\",\"ranges\":["
          "{\"identity\":\"new\",\"start\":\"300\",\"end\":\"309\",\"type\":\"GroupPickup\","
          "\"pool\":\"p1.example.net\"}]}");
    assert_string_equal(orbit_table_find(client_mirror_orbits(m), "new")->pool, "p1.example.net");
    apply(m, "orbit.deleted",
          "{\"identity\":\"new\",\"start\":\"300\",\"end\":\"309\","
          "\"type\":\"GroupPickup\",\"pool\":\"p1.example.net\"}");
    assert_null(orbit_table_find(client_mirror_orbits(m), "new"));
    apply(m, "dr.changed",
          "{\"home\":\"p1.example.net\",\"phase\":\"failing_over\","
          "\"serving\":\"p2.example.net\",\"event\":\"failover_begin\"}");
    assert_int_equal(client_mirror_dr(m, "p1.example.net")->phase, DR_PHASE_FAILING_OVER);
    apply(m, "config.changed",
          "{\"call_pickup_timeout_threshold\":30,"
          "\"enable_music_on_hold\":false,\"max_call_pickup_attempts\":2,"
          "\"on_timeout_uri\":\"\"}");
    assert_int_equal(client_mirror_config(m)->call_pickup_timeout_threshold, 30);
    apply(m, "pool.status", "{\"fqdn\":\"p2.example.net\",\"site\":\"s\",\"status\":\"down\"}");
    assert_int_equal(client_mirror_pool(m, "p2.example.net")->status, POOL_STATUS_DOWN);
    client_mirror_free(m);
}

static void bad_snapshot_keeps_the_old_mirror(void **state)
{
    (void)state;
    client_mirror *m = loaded();
    json_t *bad = json_loads("{\"pools\":[],\"dr\":[],\"orbits\":[{\"identity\":\"x\"}],"
                             "\"parked\":[],\"queues\":[]}",
                             0, NULL);
    orbit_status st;
    assert_int_not_equal(client_mirror_load(m, bad, &st), ORBIT_OK);
    assert_int_equal(client_mirror_parked_count(m), 1);
    json_decref(bad);
    client_mirror_free(m);
}

static void a_parked_call_keeps_its_strings_compactly(void **state)
{
    (void)state;
    client_mirror *m = loaded();
    const client_parked *p = client_mirror_parked(m, "c1");
    assert_non_null(p);
    assert_string_equal(client_parked_call_id(p), "c1");
    assert_string_equal(client_parked_parker(p), "sip:a@x.y");
    assert_string_equal(client_parked_parkee(p), "x");
    assert_string_equal(p->orbit_key, "150");
    parked_call c;
    client_parked_to_call(p, &c);
    assert_string_equal(c.call_id, "c1");
    assert_string_equal(c.parker, "sip:a@x.y");
    assert_int_equal(c.deadline_ms, 2);
    assert_int_equal(c.state, PARKED_STATE_PARKED);
    client_mirror_free(m);
}

static void a_call_that_moves_orbit_is_found_on_the_new_one(void **state)
{
    (void)state;
    client_mirror *m = loaded();
    apply(m, "call.reparked",
          "{\"call_id\":\"c1\",\"orbit\":\"160\",\"parker\":\"sip:a@x.y\","
          "\"parkee\":\"x\",\"parked_ms\":1,\"deadline_ms\":5}");
    orbit_number old, now;
    orbit_number_parse("150", &old);
    orbit_number_parse("160", &now);
    assert_null(client_mirror_parked_on(m, &old));
    assert_ptr_equal(client_mirror_parked_on(m, &now), client_mirror_parked(m, "c1"));
    assert_int_equal(client_mirror_in_use(m, "park"), 1);
    /* Moved into another pool's range: this pool's range frees a number. */
    apply(m, "call.reparked",
          "{\"call_id\":\"c1\",\"orbit\":\"250\",\"parker\":\"sip:a@x.y\","
          "\"parkee\":\"x\",\"parked_ms\":1,\"deadline_ms\":5}");
    assert_int_equal(client_mirror_in_use(m, "park"), 0);
    /* A new parker means a new record, still under the same call id. */
    apply(m, "call.parked",
          "{\"call_id\":\"c1\",\"orbit\":\"250\",\"parker\":\"sip:longer-parker@x.y\","
          "\"parkee\":\"x\",\"parked_ms\":1,\"deadline_ms\":5}");
    assert_string_equal(client_parked_parker(client_mirror_parked(m, "c1")),
                        "sip:longer-parker@x.y");
    assert_int_equal(client_mirror_parked_count(m), 1);
    client_mirror_free(m);
}

static void an_orbit_holds_one_call(void **state)
{
    (void)state;
    client_mirror *m = loaded();
    apply(m, "call.parked",
          "{\"call_id\":\"c9\",\"orbit\":\"150\",\"parker\":\"sip:a@x.y\","
          "\"parkee\":\"y\",\"parked_ms\":1,\"deadline_ms\":5}");
    assert_int_equal(client_mirror_parked_count(m), 1);
    assert_null(client_mirror_parked(m, "c1"));
    assert_int_equal(client_mirror_in_use(m, "park"), 1);
    client_mirror_free(m);
}

/* Member by member, in another order, gives what the whole state gives. */
static void loading_piece_by_piece_equals_loading_whole(void **state)
{
    (void)state;
    client_mirror *whole = loaded();
    json_t *s = json_loads(SNAPSHOT, 0, NULL);
    assert_non_null(s);
    client_mirror *m = client_mirror_new(), *fresh = client_mirror_new();
    assert_non_null(m);
    assert_non_null(fresh);
    orbit_status st;
    static const char *const ORDER[] = {"queues", "parked", "orbits", "moh",
                                        "config", "dr",     "pools",  "pool"};
    for (size_t i = 0; i < sizeof ORDER / sizeof ORDER[0]; i++) {
        if (strcmp(ORDER[i], "parked") == 0) {
            json_t *one = json_array_get(json_object_get(s, "parked"), 0);
            parked_call c;
            assert_int_equal(orbit_json_to_parked(one, ORBIT_JSON_LENIENT, &c, &st), ORBIT_OK);
            assert_int_equal(client_mirror_load_parked(fresh, &c, &st), ORBIT_OK);
            continue;
        }
        assert_int_equal(
            client_mirror_load_member(fresh, ORDER[i], json_object_get(s, ORDER[i]), &st),
            ORBIT_OK);
    }
    assert_int_equal(client_mirror_load_finish(m, fresh, &st), ORBIT_OK);
    json_t *a = client_mirror_to_json(whole), *b = client_mirror_to_json(m);
    assert_true(json_equal(a, b));
    assert_int_equal(client_mirror_in_use(m, "park"), 1);
    json_decref(a);
    json_decref(b);
    /* A state without its parked calls is refused, and m is kept. */
    fresh = client_mirror_new();
    assert_int_equal(client_mirror_load_member(fresh, "pools", json_object_get(s, "pools"), &st),
                     ORBIT_OK);
    assert_int_not_equal(client_mirror_load_finish(m, fresh, &st), ORBIT_OK);
    assert_string_equal(st.field, "dr");
    assert_int_equal(client_mirror_parked_count(m), 1);
    json_decref(s);
    client_mirror_free(m);
    client_mirror_free(whole);
}

static void vault_records_settings_only_when_they_change(void **state)
{
    (void)state;
    char dir[] = "/tmp/orbit-vault-XXXXXX";
    assert_non_null(mkdtemp(dir));
    client_vault *v;
    orbit_status st;
    assert_int_equal(client_vault_open(dir, "d-test", &v, &st), ORBIT_OK);
    cps_settings s;
    cps_settings_default(&s);
    assert_int_equal(client_vault_store_settings(v, "p1.example.net", &s, "me", &st), ORBIT_OK);
    assert_int_equal(client_vault_store_settings(v, "p1.example.net", &s, "me", &st), ORBIT_OK);
    s.max_call_pickup_attempts = 5;
    assert_int_equal(client_vault_store_settings(v, "p1.example.net", &s, "me", &st), ORBIT_OK);
    json_t *list = client_vault_list(v, "p1.example.net", &st);
    assert_int_equal(json_array_size(list), 2);
    json_decref(list);
    char path[1024];
    json_t *e = client_vault_find(v, "p1.example.net", "settings", NULL, path, sizeof path, &st);
    assert_non_null(e);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(e, "settings"),
                                                        "max_call_pickup_attempts")),
                     5);
    json_decref(e);
    assert_null(client_vault_find(v, "p1.example.net", "moh", NULL, path, sizeof path, &st));
    assert_int_equal(st.code, ORBIT_ERR_NOT_FOUND);
    assert_int_equal(client_vault_store_settings(v, "not a pool", &s, "me", &st),
                     ORBIT_ERR_BAD_REQUEST);
    client_vault_close(v);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(snapshot_counts_are_not_doubled),
    cmocka_unit_test(parking_events_keep_calls_and_own_counts),
    cmocka_unit_test(queues_stay_fifo_and_unpickable_sticks),
    cmocka_unit_test(range_dr_and_settings_events),
    cmocka_unit_test(bad_snapshot_keeps_the_old_mirror),
    cmocka_unit_test(a_parked_call_keeps_its_strings_compactly),
    cmocka_unit_test(a_call_that_moves_orbit_is_found_on_the_new_one),
    cmocka_unit_test(an_orbit_holds_one_call),
    cmocka_unit_test(loading_piece_by_piece_equals_loading_whole),
    cmocka_unit_test(vault_records_settings_only_when_they_change),
};

ORBIT_TEST_MAIN(tests)
