/* Frame envelope parsing and building. */
#include "test_main.h"

#include "orbit_frame.h"
#include "orbit_sha256.h"

#include <stdlib.h>

static orbit_err parse(const char *text, orbit_frame *f, orbit_status *st)
{
    return orbit_frame_parse(text, strlen(text), f, st);
}

static void hello_parses(void **state)
{
    (void)state;
    orbit_frame f;
    orbit_status st;
    assert_int_equal(
        parse("{\"t\":\"hello\",\"token\":\"abc\",\"client\":\"orbitop/0.1\"}", &f, &st), ORBIT_OK);
    assert_int_equal(f.type, ORBIT_FRAME_HELLO);
    orbit_hello h;
    assert_int_equal(orbit_frame_hello(&f, &h, &st), ORBIT_OK);
    assert_string_equal(h.token, "abc");
    assert_string_equal(h.client, "orbitop/0.1");
    orbit_frame_release(&f);
}

static void hello_without_token_is_unauthorized(void **state)
{
    (void)state;
    orbit_frame f;
    orbit_status st;
    assert_int_equal(parse("{\"t\":\"hello\"}", &f, &st), ORBIT_OK);
    orbit_hello h;
    assert_int_equal(orbit_frame_hello(&f, &h, &st), ORBIT_ERR_UNAUTHORIZED);
    orbit_frame_release(&f);
}

static void bad_json_and_unknown_type_are_bad_request(void **state)
{
    (void)state;
    orbit_frame f;
    orbit_status st;
    assert_int_equal(parse("{\"t\":", &f, &st), ORBIT_ERR_BAD_REQUEST);
    assert_non_null(strstr(st.message, "invalid JSON"));
    assert_int_equal(parse("[]", &f, &st), ORBIT_ERR_BAD_REQUEST);
    assert_int_equal(parse("{\"x\":1}", &f, &st), ORBIT_ERR_BAD_REQUEST);
    assert_int_equal(parse("{\"t\":\"dance\"}", &f, &st), ORBIT_ERR_BAD_REQUEST);
    assert_non_null(strstr(st.message, "dance"));
    assert_int_equal(parse("{\"t\":\"cmd\",\"id\":7}", &f, &st), ORBIT_ERR_BAD_REQUEST);
    assert_int_equal(parse("{\"t\":\"cmd\",\"t\":\"hello\"}", &f, &st), ORBIT_ERR_BAD_REQUEST);
}

static void oversized_frame_is_too_large(void **state)
{
    (void)state;
    size_t n = ORBIT_FRAME_MAX_BYTES + 1;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, ' ', n);
    orbit_frame f;
    orbit_status st;
    assert_int_equal(orbit_frame_parse(big, n, &f, &st), ORBIT_ERR_TOO_LARGE);
    free(big);
}

static void subscribe_with_and_without_since(void **state)
{
    (void)state;
    orbit_frame f;
    orbit_status st;
    orbit_subscribe s;
    assert_int_equal(parse("{\"t\":\"subscribe\",\"id\":\"s1\"}", &f, &st), ORBIT_OK);
    assert_int_equal(orbit_frame_subscribe(&f, &s, &st), ORBIT_OK);
    assert_false(s.has_since);
    assert_string_equal(s.id, "s1");
    orbit_frame_release(&f);
    assert_int_equal(
        parse("{\"t\":\"subscribe\",\"id\":\"s2\",\"since\":{\"epoch\":\"e1\",\"rev\":41}}", &f,
              &st),
        ORBIT_OK);
    assert_int_equal(orbit_frame_subscribe(&f, &s, &st), ORBIT_OK);
    assert_true(s.has_since);
    assert_string_equal(s.epoch, "e1");
    assert_int_equal(s.rev, 41);
    orbit_frame_release(&f);
    assert_int_equal(
        parse("{\"t\":\"subscribe\",\"since\":{\"epoch\":\"e1\",\"rev\":-1}}", &f, &st), ORBIT_OK);
    assert_int_equal(orbit_frame_subscribe(&f, &s, &st), ORBIT_ERR_BAD_REQUEST);
    orbit_frame_release(&f);
}

static void cmd_with_unknown_op_is_bad_request(void **state)
{
    (void)state;
    orbit_frame f;
    orbit_status st;
    orbit_cmd c;
    assert_int_equal(parse("{\"t\":\"cmd\",\"id\":\"c7\",\"op\":\"orbit.explode\"}", &f, &st),
                     ORBIT_OK);
    assert_int_equal(orbit_frame_cmd(&f, &c, &st), ORBIT_ERR_BAD_REQUEST);
    orbit_frame_release(&f);
    assert_int_equal(parse("{\"t\":\"cmd\",\"id\":\"c8\",\"op\":\"pool.failover\",\"args\":{"
                           "\"pool\":\"a.example.net\"}}",
                           &f, &st),
                     ORBIT_OK);
    assert_int_equal(orbit_frame_cmd(&f, &c, &st), ORBIT_OK);
    assert_int_equal(c.op, ORBIT_OP_POOL_FAILOVER);
    assert_string_equal(c.id, "c8");
    assert_non_null(c.args);
    orbit_frame_release(&f);
}

static void result_frames_carry_code_and_id(void **state)
{
    (void)state;
    orbit_status st;
    orbit_status_set(&st, ORBIT_ERR_OVERLAP, "start", "overlaps range '%s'", "a");
    json_t *r = orbit_frame_make_result_error("c7", &st);
    assert_non_null(r);
    char *text = orbit_frame_dump(r, NULL);
    assert_non_null(text);
    assert_non_null(strstr(text, "\"ok\":false"));
    assert_non_null(strstr(text, "\"code\":\"overlap\""));
    assert_non_null(strstr(text, "\"id\":\"c7\""));
    free(text);
    json_decref(r);
    r = orbit_frame_make_result_ok("c9", json_pack("{s:s}", "orbit", "*1234"));
    text = orbit_frame_dump(r, NULL);
    assert_non_null(strstr(text, "\"ok\":true"));
    assert_non_null(strstr(text, "\"orbit\":\"*1234\""));
    free(text);
    json_decref(r);
}

static void error_names_round_trip(void **state)
{
    (void)state;
    for (int i = 0; i < ORBIT_ERR_COUNT; i++) {
        orbit_err back;
        assert_true(orbit_err_from_name(orbit_err_name((orbit_err)i), &back));
        assert_int_equal(back, i);
    }
    orbit_err e;
    assert_false(orbit_err_from_name("oops", &e));
}

static void sha256_of_known_input(void **state)
{
    (void)state;
    char hex[ORBIT_SHA256_HEX_BUF];
    assert_true(orbit_sha256_buffer("abc", 3, hex));
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* The writers send what the builders give, so a client cannot tell. */
static void assert_written_as_built(orbit_buf *b, json_t *built)
{
    char *want = json_dumps(built, JSON_COMPACT);
    assert_non_null(want);
    assert_string_equal(b->data, want);
    free(want);
    json_decref(built);
    orbit_buf_reset(b);
}

static void written_frames_match_the_built_ones(void **state)
{
    (void)state;
    orbit_buf b;
    orbit_buf_init(&b);
    json_t *data =
        json_pack("{s:s, s:I, s:s}", "call_id", "c\"1", "cursor", (json_int_t)7, "orbit", "11000");
    assert_true(orbit_frame_write_result_ok(&b, "id-\n1", data));
    assert_written_as_built(&b, orbit_frame_make_result_ok("id-\n1", json_incref(data)));
    assert_true(orbit_frame_write_result_ok(&b, NULL, NULL));
    assert_written_as_built(&b, orbit_frame_make_result_ok(NULL, NULL));
    assert_true(orbit_frame_write_event(&b, "0123abcd", 99, "call.parked", data, 1764500000123));
    assert_written_as_built(&b, orbit_frame_make_event("0123abcd", 99, "call.parked",
                                                       json_incref(data), 1764500000123));
    assert_true(orbit_frame_write_event(&b, "e", -1, "tick", NULL, 0));
    assert_written_as_built(&b, orbit_frame_make_event("e", -1, "tick", NULL, 0));
    json_decref(data);
    orbit_buf_free(&b);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(written_frames_match_the_built_ones),
    cmocka_unit_test(hello_parses),
    cmocka_unit_test(hello_without_token_is_unauthorized),
    cmocka_unit_test(bad_json_and_unknown_type_are_bad_request),
    cmocka_unit_test(oversized_frame_is_too_large),
    cmocka_unit_test(subscribe_with_and_without_since),
    cmocka_unit_test(cmd_with_unknown_op_is_bad_request),
    cmocka_unit_test(result_frames_carry_code_and_id),
    cmocka_unit_test(error_names_round_trip),
    cmocka_unit_test(sha256_of_known_input),
};

ORBIT_TEST_MAIN(tests)
