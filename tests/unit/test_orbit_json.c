/* JSON codecs: round trips and strict rejection. */
#include "test_main.h"

#include "orbit_json.h"
#include "orbit_ops.h"

static json_t *load(const char *text)
{
    json_error_t err;
    json_t *v = json_loads(text, 0, &err);
    assert_non_null(v);
    return v;
}

static void range_round_trips(void **state)
{
    (void)state;
    orbit_range r;
    memset(&r, 0, sizeof r);
    snprintf(r.identity, sizeof r.identity, "North CPO 1");
    snprintf(r.pool, sizeof r.pool, "pool1.north.example.net");
    r.type = ORBIT_TYPE_GROUPPICKUP;
    assert_int_equal(orbit_range_set_numbers(&r, "*1000", "*1999", NULL), ORBIT_OK);
    json_t *j = orbit_json_from_range(&r, 12);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "start")), "*1000");
    assert_string_equal(json_string_value(json_object_get(j, "type")), "GroupPickup");
    assert_int_equal(json_integer_value(json_object_get(j, "in_use")), 12);
    orbit_range back;
    int64_t in_use = -1;
    orbit_status st;
    assert_int_equal(orbit_json_to_range(j, ORBIT_JSON_LENIENT, &back, &in_use, &st), ORBIT_OK);
    assert_int_equal(in_use, 12);
    assert_string_equal(back.identity, r.identity);
    assert_string_equal(back.pool, r.pool);
    assert_int_equal(back.type, r.type);
    assert_int_equal(orbit_number_compare(&back.start, &r.start), 0);
    assert_int_equal(orbit_number_compare(&back.end, &r.end), 0);
    json_decref(j);
}

static void range_rejects_wrong_types_and_values(void **state)
{
    (void)state;
    orbit_status st;
    orbit_range r;
    struct {
        const char *json;
        orbit_err code;
        const char *field;
    } cases[] = {
        {"{\"identity\":\"a\",\"start\":100,\"end\":\"199\",\"pool\":\"p.example.net\"}",
         ORBIT_ERR_BAD_REQUEST, "start"},
        {"{\"identity\":\"a\",\"start\":\"100\",\"end\":\"199\"}", ORBIT_ERR_BAD_REQUEST, "pool"},
        {"{\"identity\":\"a\",\"start\":\"*100\",\"end\":\"*199\",\"pool\":\"p.example.net\"}",
         ORBIT_ERR_INVALID_RANGE, "start"},
        {"{\"identity\":\"a\",\"start\":\"100\",\"end\":\"1001\",\"pool\":\"p.example.net\"}",
         ORBIT_ERR_INVALID_RANGE, "end"},
        {"{\"identity\":\"a\",\"start\":\"100\",\"end\":\"199\",\"pool\":\"p.example.net\","
         "\"type\":\"Park\"}",
         ORBIT_ERR_BAD_REQUEST, "type"},
        {"{\"identity\":\"a\",\"start\":\"100\",\"end\":\"199\",\"pool\":\"p.example.net\","
         "\"color\":\"red\"}",
         ORBIT_ERR_BAD_REQUEST, "color"},
        {"{\"identity\":\"\",\"start\":\"100\",\"end\":\"199\",\"pool\":\"p.example.net\"}",
         ORBIT_ERR_BAD_REQUEST, "identity"},
        {"{\"identity\":\"a\",\"start\":\"100\",\"end\":\"199\",\"pool\":\"bad pool\"}",
         ORBIT_ERR_BAD_REQUEST, "pool"},
        {"[1,2]", ORBIT_ERR_BAD_REQUEST, "range"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *j = load(cases[i].json);
        assert_int_equal(orbit_json_to_range(j, ORBIT_JSON_STRICT, &r, NULL, &st), cases[i].code);
        assert_string_equal(st.field, cases[i].field);
        json_decref(j);
    }
}

static void settings_round_trip_and_patch(void **state)
{
    (void)state;
    cps_settings s;
    cps_settings_default(&s);
    s.call_pickup_timeout_threshold = 45;
    snprintf(s.on_timeout_uri, sizeof s.on_timeout_uri, "sip:attendant@example.net");
    json_t *j = orbit_json_from_settings(&s);
    assert_non_null(j);
    cps_settings back;
    cps_settings_default(&back);
    orbit_status st;
    assert_int_equal(orbit_json_to_settings(j, ORBIT_JSON_STRICT, true, &back, &st), ORBIT_OK);
    assert_true(cps_settings_equal(&s, &back));
    json_decref(j);

    json_t *patch = load("{\"max_call_pickup_attempts\":3}");
    assert_int_equal(orbit_json_to_settings(patch, ORBIT_JSON_STRICT, false, &back, &st), ORBIT_OK);
    assert_int_equal(back.max_call_pickup_attempts, 3);
    assert_int_equal(back.call_pickup_timeout_threshold, 45);
    json_decref(patch);
}

static void settings_reject_bad_values_without_change(void **state)
{
    (void)state;
    cps_settings s;
    cps_settings_default(&s);
    orbit_status st;
    const char *bad[] = {
        "{\"call_pickup_timeout_threshold\":\"90\"}",
        "{\"call_pickup_timeout_threshold\":5}",
        "{\"call_pickup_timeout_threshold\":90.5}",
        "{\"enable_music_on_hold\":1}",
        "{\"max_call_pickup_attempts\":11}",
        "{\"on_timeout_uri\":\"mailto:x\"}",
        "{\"on_timeout_uri\":null}",
        "{\"timeout\":60}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        json_t *j = load(bad[i]);
        assert_int_equal(orbit_json_to_settings(j, ORBIT_JSON_STRICT, false, &s, &st),
                         ORBIT_ERR_BAD_REQUEST);
        json_decref(j);
    }
    cps_settings d;
    cps_settings_default(&d);
    assert_true(cps_settings_equal(&s, &d));
}

static void pool_dr_moh_round_trip(void **state)
{
    (void)state;
    orbit_status st;
    pool_info p = {.fqdn = "pool1.north.example.net",
                   .site = "north",
                   .backup = "pool2.south.example.net",
                   .url = "ws://127.0.0.1:7081/v1/stream",
                   .status = POOL_STATUS_UP,
                   .last_seen_ms = 1700000000123};
    json_t *j = orbit_json_from_pool(&p);
    pool_info pb;
    assert_int_equal(orbit_json_to_pool(j, ORBIT_JSON_STRICT, &pb, &st), ORBIT_OK);
    assert_memory_equal(&p, &pb, sizeof p);
    json_decref(j);

    dr_state d = {.home = "pool1.north.example.net",
                  .phase = DR_PHASE_FAILING_OVER,
                  .serving = "pool2.south.example.net",
                  .since_ms = 5,
                  .ends_ms = 65,
                  .disaster_mode = true,
                  .pickup_ranges_redirected = false};
    j = orbit_json_from_dr(&d);
    dr_state db;
    assert_int_equal(orbit_json_to_dr(j, ORBIT_JSON_STRICT, &db, &st), ORBIT_OK);
    assert_memory_equal(&d, &db, sizeof d);
    json_decref(j);

    moh_info m = {.name = "hold.wav", .size = 1234, .uploaded_ms = 99, .is_default = false};
    memset(m.sha256, 'a', 64);
    j = orbit_json_from_moh(&m);
    moh_info mb;
    assert_int_equal(orbit_json_to_moh(j, ORBIT_JSON_STRICT, &mb, &st), ORBIT_OK);
    assert_memory_equal(&m, &mb, sizeof m);
    json_decref(j);
}

static void calls_and_users_round_trip(void **state)
{
    (void)state;
    orbit_status st;
    parked_call c;
    memset(&c, 0, sizeof c);
    snprintf(c.call_id, sizeof c.call_id, "c-1");
    orbit_number_parse("*1234", &c.orbit);
    snprintf(c.parker, sizeof c.parker, "sip:alice@example.net");
    snprintf(c.parkee, sizeof c.parkee, "tel:+15551212");
    c.parked_ms = 10;
    c.deadline_ms = 100;
    c.attempt = 1;
    c.state = PARKED_STATE_RINGING_BACK;
    c.music_on_hold = true;
    c.transport = CALL_TRANSPORT_SIP;
    json_t *j = orbit_json_from_parked(&c);
    parked_call cb;
    assert_int_equal(orbit_json_to_parked(j, ORBIT_JSON_STRICT, &cb, &st), ORBIT_OK);
    assert_memory_equal(&c, &cb, sizeof c);
    json_decref(j);

    pickup_call q;
    memset(&q, 0, sizeof q);
    snprintf(q.call_id, sizeof q.call_id, "q-1");
    snprintf(q.caller, sizeof q.caller, "sip:bob@example.net");
    snprintf(q.callee, sizeof q.callee, "sip:carol@example.net");
    orbit_number_parse("#7001", &q.group);
    q.ringing_since_ms = 42;
    q.pickable = false;
    q.transport = CALL_TRANSPORT_SIP;
    j = orbit_json_from_pickup(&q);
    pickup_call qb;
    assert_int_equal(orbit_json_to_pickup(j, ORBIT_JSON_STRICT, &qb, &st), ORBIT_OK);
    assert_memory_equal(&q, &qb, sizeof q);
    json_decref(j);

    orbit_user u;
    memset(&u, 0, sizeof u);
    snprintf(u.uri, sizeof u.uri, "sip:dave@example.net");
    snprintf(u.home, sizeof u.home, "pool1.north.example.net");
    snprintf(u.serving, sizeof u.serving, "pool2.south.example.net");
    u.has_group = true;
    orbit_number_parse("7001", &u.pickup_group);
    j = orbit_json_from_user(&u);
    orbit_user ub;
    assert_int_equal(orbit_json_to_user(j, ORBIT_JSON_STRICT, &ub, &st), ORBIT_OK);
    assert_memory_equal(&u, &ub, sizeof u);
    json_decref(j);
}

static void entities_reject_bad_enums(void **state)
{
    (void)state;
    orbit_status st;
    json_t *j =
        load("{\"home\":\"a.example.net\",\"phase\":\"failed\",\"serving\":\"a.example.net\"}");
    dr_state d;
    assert_int_equal(orbit_json_to_dr(j, ORBIT_JSON_STRICT, &d, &st), ORBIT_ERR_BAD_REQUEST);
    assert_string_equal(st.field, "phase");
    json_decref(j);
    j = load("{\"fqdn\":\"a.example.net\",\"site\":\"x\",\"status\":\"sideways\"}");
    pool_info p;
    assert_int_equal(orbit_json_to_pool(j, ORBIT_JSON_STRICT, &p, &st), ORBIT_ERR_BAD_REQUEST);
    assert_string_equal(st.field, "status");
    json_decref(j);
    j = load("{\"name\":\"x\",\"size\":1,\"sha256\":\"ABC\"}");
    moh_info m;
    assert_int_equal(orbit_json_to_moh(j, ORBIT_JSON_STRICT, &m, &st), ORBIT_ERR_BAD_REQUEST);
    assert_string_equal(st.field, "sha256");
    json_decref(j);
}

static void lenient_mode_ignores_unknown_fields(void **state)
{
    (void)state;
    orbit_status st;
    json_t *j = load("{\"fqdn\":\"a.example.net\",\"site\":\"x\",\"status\":\"up\","
                     "\"future_field\":{\"x\":1}}");
    pool_info p;
    assert_int_equal(orbit_json_to_pool(j, ORBIT_JSON_LENIENT, &p, &st), ORBIT_OK);
    assert_int_equal(orbit_json_to_pool(j, ORBIT_JSON_STRICT, &p, &st), ORBIT_ERR_BAD_REQUEST);
    json_decref(j);
}

static void op_args_decode_strictly(void **state)
{
    (void)state;
    orbit_status st;
    orbit_cmd_args a;
    json_t *j = load("{\"call_id\":\"c1\",\"parker\":\"sip:a@example.net\",\"parkee\":\"x\"}");
    assert_int_equal(orbit_args_decode(ORBIT_OP_CALL_PARK, j, NULL, &a, &st), ORBIT_OK);
    assert_string_equal(a.u.park.parker, "sip:a@example.net");
    assert_int_equal(a.u.park.transport, CALL_TRANSPORT_API); /* absent: api */
    json_decref(j);

    j = load("{\"call_id\":\"c1\",\"parker\":\"sip:a@example.net\",\"parkee\":\"x\","
             "\"transport\":\"sip\"}");
    assert_int_equal(orbit_args_decode(ORBIT_OP_CALL_PARK, j, NULL, &a, &st), ORBIT_OK);
    assert_int_equal(a.u.park.transport, CALL_TRANSPORT_SIP);
    json_decref(j);

    j = load("{\"call_id\":\"c1\",\"caller\":\"x\",\"callee\":\"sip:a@example.net\","
             "\"transport\":\"xmpp\"}");
    assert_int_equal(orbit_args_decode(ORBIT_OP_PICKUP_RING, j, NULL, &a, &st),
                     ORBIT_ERR_BAD_REQUEST);
    assert_string_equal(st.field, "transport");
    json_decref(j);

    j = load("{\"call_id\":\"c1\"}");
    orbit_op hangup;
    assert_true(orbit_op_from_name("call.hangup", &hangup));
    assert_int_equal(orbit_op_role(hangup), ORBIT_ROLE_ENDPOINT);
    assert_int_equal(orbit_args_decode(hangup, j, NULL, &a, &st), ORBIT_OK);
    assert_string_equal(a.u.call.call_id, "c1");
    json_decref(j);

    j = load("{\"call_id\":\"c 1\",\"parker\":\"sip:a@example.net\",\"parkee\":\"x\"}");
    assert_int_equal(orbit_args_decode(ORBIT_OP_CALL_PARK, j, NULL, &a, &st),
                     ORBIT_ERR_BAD_REQUEST);
    assert_string_equal(st.field, "call_id");
    json_decref(j);

    j = load("{\"orbit\":\"*100\",\"by\":\"sip:b@example.net\"}");
    assert_int_equal(orbit_args_decode(ORBIT_OP_CALL_RETRIEVE, j, NULL, &a, &st),
                     ORBIT_ERR_INVALID_RANGE);
    json_decref(j);

    j = load("{\"identity\":\"a\"}");
    assert_int_equal(orbit_args_decode(ORBIT_OP_ORBIT_UPDATE, j, NULL, &a, &st),
                     ORBIT_ERR_BAD_REQUEST);
    json_decref(j);

    j = load("{\"from_pool\":\"A.Example.NET\",\"to_pool\":\"b.example.net\",\"type\":"
             "\"GroupPickup\"}");
    assert_int_equal(orbit_args_decode(ORBIT_OP_ORBIT_REASSIGN, j, NULL, &a, &st), ORBIT_OK);
    assert_string_equal(a.u.reassign.from_pool, "a.example.net");
    assert_true(a.u.reassign.has_type);
    json_decref(j);

    cps_settings cur;
    cps_settings_default(&cur);
    j = load("{\"call_pickup_timeout_threshold\":30}");
    assert_int_equal(orbit_args_decode(ORBIT_OP_CONFIG_SET, j, &cur, &a, &st), ORBIT_OK);
    assert_int_equal(a.u.config.call_pickup_timeout_threshold, 30);
    assert_true(a.u.config.enable_music_on_hold);
    json_decref(j);

    assert_int_equal(orbit_args_decode(ORBIT_OP_POOL_FAILBACK, NULL, NULL, &a, &st),
                     ORBIT_ERR_BAD_REQUEST);
    assert_string_equal(st.field, "pool");
}

static void roles_gate_ops(void **state)
{
    (void)state;
    for (int op = 0; op < ORBIT_OP_COUNT; op++) {
        assert_false(orbit_role_may(ORBIT_ROLE_VIEWER, (orbit_op)op));
        assert_false(orbit_role_may(ORBIT_ROLE_NONE, (orbit_op)op));
    }
    assert_true(orbit_role_may(ORBIT_ROLE_OPERATOR, ORBIT_OP_POOL_FAILOVER));
    assert_false(orbit_role_may(ORBIT_ROLE_ENDPOINT, ORBIT_OP_POOL_FAILOVER));
    assert_true(orbit_role_may(ORBIT_ROLE_ENDPOINT, ORBIT_OP_CALL_PARK));
    assert_false(orbit_role_may(ORBIT_ROLE_OPERATOR, ORBIT_OP_CALL_PARK));
}

static void moh_upload_is_an_op_but_not_a_command(void **state)
{
    (void)state;
    orbit_op op;
    assert_true(orbit_op_from_name("moh.upload", &op));
    assert_int_equal(op, ORBIT_OP_MOH_UPLOAD);
    assert_int_equal(orbit_op_role(op), ORBIT_ROLE_OPERATOR);
    assert_false(orbit_op_via_cmd(op));
    assert_true(orbit_op_via_cmd(ORBIT_OP_ORBIT_CREATE));
    orbit_cmd_args a;
    orbit_status st;
    json_t *args = json_pack("{s:s, s:i, s:s}", "name", "hold.wav", "size", 1000, "sha256",
                             "ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789");
    assert_int_equal(orbit_args_decode(op, args, NULL, &a, &st), ORBIT_OK);
    assert_string_equal(a.u.moh.name, "hold.wav");
    assert_int_equal(a.u.moh.size, 1000);
    json_object_set_new(args, "name", json_string("../etc/passwd"));
    assert_int_equal(orbit_args_decode(op, args, NULL, &a, &st), ORBIT_ERR_BAD_REQUEST);
    assert_string_equal(st.field, "name");
    json_object_set_new(args, "name", json_string("hold.wav"));
    json_object_set_new(args, "sha256", json_string("xyz"));
    assert_int_equal(orbit_args_decode(op, args, NULL, &a, &st), ORBIT_ERR_BAD_REQUEST);
    assert_string_equal(st.field, "sha256");
    json_object_set_new(
        args, "sha256",
        json_string("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"));
    json_object_set_new(args, "size", json_integer(0));
    assert_int_equal(orbit_args_decode(op, args, NULL, &a, &st), ORBIT_ERR_BAD_REQUEST);
    assert_string_equal(st.field, "size");
    json_decref(args);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(range_round_trips),
    cmocka_unit_test(range_rejects_wrong_types_and_values),
    cmocka_unit_test(settings_round_trip_and_patch),
    cmocka_unit_test(settings_reject_bad_values_without_change),
    cmocka_unit_test(pool_dr_moh_round_trip),
    cmocka_unit_test(calls_and_users_round_trip),
    cmocka_unit_test(entities_reject_bad_enums),
    cmocka_unit_test(lenient_mode_ignores_unknown_fields),
    cmocka_unit_test(op_args_decode_strictly),
    cmocka_unit_test(roles_gate_ops),
    cmocka_unit_test(moh_upload_is_an_op_but_not_a_command),
};

ORBIT_TEST_MAIN(tests)
