/* Unit tests for orbit_json_dump: the text it writes is the text
 * json_dumps(JSON_COMPACT) writes, so clients see no difference, and what
 * it cannot write it refuses. */
#include "test_main.h"

#include "orbit_json.h"
#include "orbit_json_dump.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Asserts orbit_json_dump(v) == json_dumps(v, JSON_COMPACT); takes v. */
static void assert_same_as_jansson(json_t *v)
{
    assert_non_null(v);
    char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    assert_non_null(want);
    orbit_buf b;
    orbit_buf_init(&b);
    assert_true(orbit_json_dump(&b, v));
    assert_string_equal(b.data, want);
    orbit_buf_free(&b);
    free(want);
    json_decref(v);
}

static void scalars_read_as_jansson_writes_them(void **state)
{
    (void)state;
    assert_same_as_jansson(json_integer(0));
    assert_same_as_jansson(json_integer(-7));
    assert_same_as_jansson(json_integer(LLONG_MAX));
    assert_same_as_jansson(json_integer(LLONG_MIN));
    assert_same_as_jansson(json_true());
    assert_same_as_jansson(json_false());
    assert_same_as_jansson(json_null());
    const double reals[] = {0.0, 1.0, -2.5, 0.1, 1e20, 1e-5, 123456789.125, -1e300, 5e-324};
    for (size_t i = 0; i < sizeof reals / sizeof reals[0]; i++)
        assert_same_as_jansson(json_real(reals[i]));
}

static void strings_escape_what_json_requires_and_keep_utf8(void **state)
{
    (void)state;
    assert_same_as_jansson(json_string(""));
    assert_same_as_jansson(json_string("plain sip:alice@example.net/x"));
    assert_same_as_jansson(json_string("quote \" backslash \\ end"));
    assert_same_as_jansson(json_string("\b\f\n\r\t\x01\x1f\x7f"));
    assert_same_as_jansson(json_string("caf\xc3\xa9 \xe2\x80\xae \xf0\x9f\x93\x9e"));
    /* Every byte below 0x20 in one string. */
    char all[33];
    for (int c = 1; c < 32; c++)
        all[c - 1] = (char)c;
    all[31] = 'x';
    all[32] = '\0';
    assert_same_as_jansson(json_string(all));
    /* An embedded NUL (jansson keeps a length) is escaped, not cut. */
    assert_same_as_jansson(json_stringn("a\0b", 3));
}

static void containers_keep_insertion_order_and_nest(void **state)
{
    (void)state;
    assert_same_as_jansson(json_object());
    assert_same_as_jansson(json_array());
    json_t *o = json_pack("{s:s, s:I, s:b, s:[i, s, {s:n}], s:{s:{s:f}}}", "zeta", "first", "alpha",
                          (json_int_t)42, "mid", 1, "list", 1, "two", "k", "deep", "x", "y", 0.5);
    assert_same_as_jansson(o);
    /* Keys in an order that sorting would change. */
    json_t *k = json_object();
    const char *keys[] = {"t", "id", "ok", "data", "a\"b", "\n"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        json_object_set_new(k, keys[i], json_integer((json_int_t)i));
    assert_same_as_jansson(k);
}

static void a_frame_of_every_shape_round_trips(void **state)
{
    (void)state;
    json_t *frame = json_pack(
        "{s:s, s:s, s:I, s:s, s:I, s:{s:s, s:s, s:I, s:b, s:s, s:[]}}", "t", "event", "epoch",
        "0123456789abcdef", "rev", (json_int_t)123456789, "kind", "call.parked", "time_ms",
        (json_int_t)1764500000000, "data", "call_id", "c-1", "orbit", "11000", "deadline_ms",
        (json_int_t)1764500090000, "music_on_hold", 1, "parker", "sip:a@b", "path");
    orbit_buf b;
    orbit_buf_init(&b);
    assert_true(orbit_json_dump(&b, frame));
    json_error_t err;
    json_t *back = json_loadb(b.data, b.len, 0, &err);
    assert_non_null(back);
    assert_true(json_equal(back, frame));
    json_decref(back);
    orbit_buf_free(&b);
    json_decref(frame);
}

static void nesting_beyond_the_limit_is_refused(void **state)
{
    (void)state;
    json_t *root = json_array();
    json_t *at = root;
    for (int i = 0; i < ORBIT_JSON_DUMP_MAX_DEPTH + 1; i++) {
        json_t *inner = json_array();
        json_array_append_new(at, inner);
        at = inner;
    }
    orbit_buf b;
    orbit_buf_init(&b);
    assert_false(orbit_json_dump(&b, root));
    orbit_buf_free(&b);
    assert_false(orbit_json_dump(&b, NULL));
    orbit_buf_free(&b);
    json_decref(root);
}

/* A parked call written straight to text reads as the object would. */
static void a_parked_call_is_written_as_its_object_dumps(void **state)
{
    (void)state;
    parked_call c;
    memset(&c, 0, sizeof c);
    snprintf(c.call_id, sizeof c.call_id, "a\"b\\c\x01-\xc3\xa9");
    assert_int_equal(orbit_number_parse("10042", &c.orbit), ORBIT_NUMBER_OK);
    snprintf(c.parker, sizeof c.parker, "sip:user1-001@example.net");
    snprintf(c.parkee, sizeof c.parkee, "tel:+15550100");
    c.parked_ms = 1796045058742;
    c.deadline_ms = -1;
    c.attempt = 2;
    for (int variant = 0; variant < 4; variant++) {
        c.state = variant % 2 ? PARKED_STATE_RINGING_BACK : PARKED_STATE_PARKED;
        c.music_on_hold = variant < 2;
        c.transport = variant % 3 ? CALL_TRANSPORT_SIP : CALL_TRANSPORT_API;
        json_t *o = orbit_json_from_parked(&c);
        assert_non_null(o);
        orbit_buf want, got;
        orbit_buf_init(&want);
        orbit_buf_init(&got);
        assert_true(orbit_json_dump(&want, o));
        assert_true(orbit_json_write_parked(&got, &c));
        assert_int_equal(got.len, want.len);
        assert_memory_equal(got.data, want.data, want.len);
        json_decref(o);
        orbit_buf_free(&want);
        orbit_buf_free(&got);
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(scalars_read_as_jansson_writes_them),
    cmocka_unit_test(strings_escape_what_json_requires_and_keep_utf8),
    cmocka_unit_test(containers_keep_insertion_order_and_nest),
    cmocka_unit_test(a_frame_of_every_shape_round_trips),
    cmocka_unit_test(nesting_beyond_the_limit_is_refused),
    cmocka_unit_test(a_parked_call_is_written_as_its_object_dumps),
};

ORBIT_TEST_MAIN(tests)
