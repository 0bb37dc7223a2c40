/* Orbit number format rules at their edges. */
#include "test_main.h"

#include "orbit_number.h"

static orbit_number_status parse(const char *s)
{
    orbit_number n;
    return orbit_number_parse(s, &n);
}

static void prefixed_101_is_valid(void **state)
{
    (void)state;
    orbit_number n;
    assert_int_equal(orbit_number_parse("*101", &n), ORBIT_NUMBER_OK);
    assert_int_equal(n.prefix, '*');
    assert_int_equal(n.value, 101);
    assert_int_equal(n.digits, 3);
    assert_int_equal(parse("#101"), ORBIT_NUMBER_OK);
}

static void prefixed_100_is_invalid(void **state)
{
    (void)state;
    assert_int_equal(parse("*100"), ORBIT_NUMBER_PREFIX_TOO_SMALL);
    assert_int_equal(parse("#100"), ORBIT_NUMBER_PREFIX_TOO_SMALL);
    assert_int_equal(parse("*99"), ORBIT_NUMBER_PREFIX_TOO_SMALL);
    assert_int_equal(parse("*1"), ORBIT_NUMBER_PREFIX_TOO_SMALL);
}

static void nine_characters_valid_ten_invalid(void **state)
{
    (void)state;
    assert_int_equal(parse("123456789"), ORBIT_NUMBER_OK);
    assert_int_equal(parse("1234567890"), ORBIT_NUMBER_TOO_LONG);
    assert_int_equal(parse("*12345678"), ORBIT_NUMBER_OK);
    assert_int_equal(parse("*123456789"), ORBIT_NUMBER_TOO_LONG);
    assert_int_equal(parse("#99999999"), ORBIT_NUMBER_OK);
}

static void leading_zero_is_invalid(void **state)
{
    (void)state;
    assert_int_equal(parse("0123"), ORBIT_NUMBER_LEADING_ZERO);
    assert_int_equal(parse("0"), ORBIT_NUMBER_LEADING_ZERO);
    assert_int_equal(parse("*0123"), ORBIT_NUMBER_LEADING_ZERO);
    assert_int_equal(parse("#0500"), ORBIT_NUMBER_LEADING_ZERO);
}

static void unprefixed_single_digit_is_valid(void **state)
{
    (void)state;
    /* Lync allows 1 to 9 digits without a prefix; only prefixed numbers
     * have the "greater than 100" rule. */
    assert_int_equal(parse("7"), ORBIT_NUMBER_OK);
    assert_int_equal(parse("100"), ORBIT_NUMBER_OK);
}

static void bad_characters_are_invalid(void **state)
{
    (void)state;
    assert_int_equal(parse(""), ORBIT_NUMBER_EMPTY);
    assert_int_equal(parse(NULL), ORBIT_NUMBER_EMPTY);
    assert_int_equal(parse("*"), ORBIT_NUMBER_NO_DIGITS);
    assert_int_equal(parse("**101"), ORBIT_NUMBER_BAD_CHAR);
    assert_int_equal(parse("12a4"), ORBIT_NUMBER_BAD_CHAR);
    assert_int_equal(parse(" 123"), ORBIT_NUMBER_BAD_CHAR);
    assert_int_equal(parse("123 "), ORBIT_NUMBER_BAD_CHAR);
    assert_int_equal(parse("1*23"), ORBIT_NUMBER_BAD_CHAR);
    assert_int_equal(parse("+123"), ORBIT_NUMBER_BAD_CHAR);
    assert_int_equal(parse("-123"), ORBIT_NUMBER_BAD_CHAR);
}

static void format_round_trips(void **state)
{
    (void)state;
    const char *samples[] = {"*1000", "#6000", "41212", "915551212", "*95551212", "7"};
    for (size_t i = 0; i < sizeof samples / sizeof *samples; i++) {
        orbit_number n;
        char buf[ORBIT_NUMBER_BUF];
        assert_int_equal(orbit_number_parse(samples[i], &n), ORBIT_NUMBER_OK);
        assert_string_equal(orbit_number_format(&n, buf, sizeof buf), samples[i]);
        assert_true(orbit_number_is_valid(&n));
    }
}

static void compare_orders_by_prefix_then_value(void **state)
{
    (void)state;
    orbit_number a, b, c, d;
    orbit_number_parse("999", &a);
    orbit_number_parse("1000", &b);
    orbit_number_parse("#101", &c);
    orbit_number_parse("*101", &d);
    assert_true(orbit_number_compare(&a, &b) < 0);
    assert_true(orbit_number_compare(&b, &c) < 0);
    assert_true(orbit_number_compare(&c, &d) < 0);
    assert_int_equal(orbit_number_compare(&d, &d), 0);
    assert_true(orbit_number_compare(&d, &a) > 0);
}

static void same_shape_needs_same_prefix_and_length(void **state)
{
    (void)state;
    orbit_number a, b, c, d;
    orbit_number_parse("100", &a);
    orbit_number_parse("1001", &b);
    orbit_number_parse("*100"
                       "0",
                       &c);
    orbit_number_parse("#1000", &d);
    assert_false(orbit_number_same_shape(&a, &b));
    assert_false(orbit_number_same_shape(&c, &d));
    orbit_number e;
    orbit_number_parse("*9999", &e);
    assert_true(orbit_number_same_shape(&c, &e));
}

static void invalid_struct_is_detected(void **state)
{
    (void)state;
    orbit_number n = {.prefix = '*', .digits = 3, .value = 100};
    assert_false(orbit_number_is_valid(&n));
    orbit_number m = {.prefix = 0, .digits = 4, .value = 123}; /* would need a leading zero */
    assert_false(orbit_number_is_valid(&m));
    orbit_number p = {.prefix = '+', .digits = 3, .value = 123};
    assert_false(orbit_number_is_valid(&p));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(prefixed_101_is_valid),
    cmocka_unit_test(prefixed_100_is_invalid),
    cmocka_unit_test(nine_characters_valid_ten_invalid),
    cmocka_unit_test(leading_zero_is_invalid),
    cmocka_unit_test(unprefixed_single_digit_is_valid),
    cmocka_unit_test(bad_characters_are_invalid),
    cmocka_unit_test(format_round_trips),
    cmocka_unit_test(compare_orders_by_prefix_then_value),
    cmocka_unit_test(same_shape_needs_same_prefix_and_length),
    cmocka_unit_test(invalid_struct_is_detected),
};

ORBIT_TEST_MAIN(tests)
