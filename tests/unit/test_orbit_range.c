/* Per-range rules: same length and prefix, order, size limit. */
#include "test_main.h"

#include "orbit_range.h"

static orbit_range make(const char *id, const char *pool, orbit_type type)
{
    orbit_range r;
    memset(&r, 0, sizeof r);
    snprintf(r.identity, sizeof r.identity, "%s", id);
    snprintf(r.pool, sizeof r.pool, "%s", pool);
    r.type = type;
    return r;
}

static orbit_err set(const char *start, const char *end, orbit_status *st)
{
    orbit_range r = make("r", "pool1.example.net", ORBIT_TYPE_CALLPARK);
    return orbit_range_set_numbers(&r, start, end, st);
}

static void range_of_10000_numbers_is_accepted(void **state)
{
    (void)state;
    orbit_status st;
    assert_int_equal(set("10000", "19999", &st), ORBIT_OK);
}

static void range_of_10001_numbers_is_refused(void **state)
{
    (void)state;
    orbit_status st;
    assert_int_equal(set("10000", "20000", &st), ORBIT_ERR_LIMIT_EXCEEDED);
    assert_string_equal(st.field, "end");
}

static void mismatched_lengths_are_refused(void **state)
{
    (void)state;
    orbit_status st;
    assert_int_equal(set("100", "1001", &st), ORBIT_ERR_INVALID_RANGE);
    assert_non_null(strstr(st.message, "length"));
}

static void mismatched_prefixes_are_refused(void **state)
{
    (void)state;
    orbit_status st;
    assert_int_equal(set("*1000", "#1999", &st), ORBIT_ERR_INVALID_RANGE);
    assert_non_null(strstr(st.message, "prefix"));
    assert_int_equal(set("*1000", "11999", &st), ORBIT_ERR_INVALID_RANGE);
}

static void start_after_end_is_refused(void **state)
{
    (void)state;
    orbit_status st;
    assert_int_equal(set("500", "499", &st), ORBIT_ERR_INVALID_RANGE);
    assert_int_equal(set("500", "500", &st), ORBIT_OK);
}

static void invalid_numbers_name_their_field(void **state)
{
    (void)state;
    orbit_status st;
    assert_int_equal(set("*100", "*199", &st), ORBIT_ERR_INVALID_RANGE);
    assert_string_equal(st.field, "start");
    assert_int_equal(set("*101", "1234567890", &st), ORBIT_ERR_INVALID_RANGE);
    assert_string_equal(st.field, "end");
    assert_int_equal(set("0100", "0199", &st), ORBIT_ERR_INVALID_RANGE);
}

static void touching_ranges_do_not_overlap(void **state)
{
    (void)state;
    orbit_range a = make("a", "p1.example.net", ORBIT_TYPE_CALLPARK);
    orbit_range b = make("b", "p2.example.net", ORBIT_TYPE_GROUPPICKUP);
    assert_int_equal(orbit_range_set_numbers(&a, "100", "199", NULL), ORBIT_OK);
    assert_int_equal(orbit_range_set_numbers(&b, "200", "299", NULL), ORBIT_OK);
    assert_false(orbit_range_overlaps(&a, &b));
    assert_int_equal(orbit_range_set_numbers(&b, "199", "299", NULL), ORBIT_OK);
    assert_true(orbit_range_overlaps(&a, &b));
}

static void different_prefixes_never_overlap(void **state)
{
    (void)state;
    orbit_range a = make("a", "p1.example.net", ORBIT_TYPE_CALLPARK);
    orbit_range b = make("b", "p1.example.net", ORBIT_TYPE_CALLPARK);
    assert_int_equal(orbit_range_set_numbers(&a, "*1000", "*1999", NULL), ORBIT_OK);
    assert_int_equal(orbit_range_set_numbers(&b, "#1000", "#1999", NULL), ORBIT_OK);
    assert_false(orbit_range_overlaps(&a, &b));
    orbit_range c = make("c", "p1.example.net", ORBIT_TYPE_CALLPARK);
    assert_int_equal(orbit_range_set_numbers(&c, "1000", "1999", NULL), ORBIT_OK);
    assert_false(orbit_range_overlaps(&a, &c));
}

static void check_validates_identity_pool_and_type(void **state)
{
    (void)state;
    orbit_status st;
    orbit_range r = make("CPO 1", "pool1.example.net", ORBIT_TYPE_CALLPARK);
    assert_int_equal(orbit_range_set_numbers(&r, "100", "199", NULL), ORBIT_OK);
    assert_int_equal(orbit_range_check(&r, &st), ORBIT_OK);
    orbit_range bad = r;
    bad.identity[0] = '\0';
    assert_int_equal(orbit_range_check(&bad, &st), ORBIT_ERR_BAD_REQUEST);
    assert_string_equal(st.field, "identity");
    bad = r;
    snprintf(bad.pool, sizeof bad.pool, "not a host");
    assert_int_equal(orbit_range_check(&bad, &st), ORBIT_ERR_BAD_REQUEST);
    assert_string_equal(st.field, "pool");
    bad = r;
    bad.type = (orbit_type)7;
    assert_int_equal(orbit_range_check(&bad, &st), ORBIT_ERR_BAD_REQUEST);
    assert_string_equal(st.field, "type");
}

static void type_names_round_trip(void **state)
{
    (void)state;
    orbit_type t;
    assert_true(orbit_type_from_name("CallPark", &t));
    assert_int_equal(t, ORBIT_TYPE_CALLPARK);
    assert_true(orbit_type_from_name("GroupPickup", &t));
    assert_int_equal(t, ORBIT_TYPE_GROUPPICKUP);
    assert_false(orbit_type_from_name("callpark", &t));
    assert_string_equal(orbit_type_name(ORBIT_TYPE_GROUPPICKUP), "GroupPickup");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(range_of_10000_numbers_is_accepted),
    cmocka_unit_test(range_of_10001_numbers_is_refused),
    cmocka_unit_test(mismatched_lengths_are_refused),
    cmocka_unit_test(mismatched_prefixes_are_refused),
    cmocka_unit_test(start_after_end_is_refused),
    cmocka_unit_test(invalid_numbers_name_their_field),
    cmocka_unit_test(touching_ranges_do_not_overlap),
    cmocka_unit_test(different_prefixes_never_overlap),
    cmocka_unit_test(check_validates_identity_pool_and_type),
    cmocka_unit_test(type_names_round_trip),
};

ORBIT_TEST_MAIN(tests)
