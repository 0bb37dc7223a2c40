/* Call Park settings: defaults and per-field validation. */
#include "test_main.h"

#include "cps_settings.h"

static void defaults_match_the_domain(void **state)
{
    (void)state;
    cps_settings s;
    cps_settings_default(&s);
    assert_int_equal(s.call_pickup_timeout_threshold, 90);
    assert_true(s.enable_music_on_hold);
    assert_int_equal(s.max_call_pickup_attempts, 1);
    assert_string_equal(s.on_timeout_uri, "");
    assert_int_equal(cps_settings_validate(&s, NULL, 0), 0);
}

static void timeout_bounds_10_to_600(void **state)
{
    (void)state;
    cps_settings s;
    cps_settings_default(&s);
    cps_field_error errs[CPS_FIELD_COUNT];
    s.call_pickup_timeout_threshold = 10;
    assert_int_equal(cps_settings_validate(&s, errs, CPS_FIELD_COUNT), 0);
    s.call_pickup_timeout_threshold = 600;
    assert_int_equal(cps_settings_validate(&s, errs, CPS_FIELD_COUNT), 0);
    s.call_pickup_timeout_threshold = 9;
    assert_int_equal(cps_settings_validate(&s, errs, CPS_FIELD_COUNT), 1);
    assert_string_equal(errs[0].field, "call_pickup_timeout_threshold");
    s.call_pickup_timeout_threshold = 601;
    assert_int_equal(cps_settings_validate(&s, errs, CPS_FIELD_COUNT), 1);
    assert_non_null(strstr(errs[0].reason, "601"));
}

static void attempts_bounds_1_to_10(void **state)
{
    (void)state;
    cps_settings s;
    cps_settings_default(&s);
    cps_field_error errs[CPS_FIELD_COUNT];
    s.max_call_pickup_attempts = 10;
    assert_int_equal(cps_settings_validate(&s, errs, CPS_FIELD_COUNT), 0);
    s.max_call_pickup_attempts = 0;
    assert_int_equal(cps_settings_validate(&s, errs, CPS_FIELD_COUNT), 1);
    assert_string_equal(errs[0].field, "max_call_pickup_attempts");
    s.max_call_pickup_attempts = 11;
    assert_int_equal(cps_settings_validate(&s, errs, CPS_FIELD_COUNT), 1);
}

static void timeout_uri_empty_or_sip(void **state)
{
    (void)state;
    cps_settings s;
    cps_settings_default(&s);
    cps_field_error errs[CPS_FIELD_COUNT];
    snprintf(s.on_timeout_uri, sizeof s.on_timeout_uri, "sip:operator@example.net");
    assert_int_equal(cps_settings_validate(&s, errs, CPS_FIELD_COUNT), 0);
    snprintf(s.on_timeout_uri, sizeof s.on_timeout_uri, "tel:+15551212");
    assert_int_equal(cps_settings_validate(&s, errs, CPS_FIELD_COUNT), 1);
    assert_string_equal(errs[0].field, "on_timeout_uri");
    snprintf(s.on_timeout_uri, sizeof s.on_timeout_uri, "sip:");
    assert_int_equal(cps_settings_validate(&s, errs, CPS_FIELD_COUNT), 1);
    snprintf(s.on_timeout_uri, sizeof s.on_timeout_uri, "sip:a b@example.net");
    assert_int_equal(cps_settings_validate(&s, errs, CPS_FIELD_COUNT), 1);
}

static void every_bad_field_gets_a_reason(void **state)
{
    (void)state;
    cps_settings s = {.call_pickup_timeout_threshold = 5,
                      .enable_music_on_hold = false,
                      .max_call_pickup_attempts = 20,
                      .on_timeout_uri = "http://x"};
    cps_field_error errs[CPS_FIELD_COUNT];
    assert_int_equal(cps_settings_validate(&s, errs, CPS_FIELD_COUNT), 3);
    assert_string_equal(errs[0].field, "call_pickup_timeout_threshold");
    assert_string_equal(errs[1].field, "max_call_pickup_attempts");
    assert_string_equal(errs[2].field, "on_timeout_uri");
    orbit_status st;
    assert_int_equal(cps_settings_check(&s, &st), ORBIT_ERR_BAD_REQUEST);
    assert_string_equal(st.field, "call_pickup_timeout_threshold");
    assert_non_null(strstr(st.message, "max_call_pickup_attempts"));
    assert_non_null(strstr(st.message, "on_timeout_uri"));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(defaults_match_the_domain),     cmocka_unit_test(timeout_bounds_10_to_600),
    cmocka_unit_test(attempts_bounds_1_to_10),       cmocka_unit_test(timeout_uri_empty_or_sip),
    cmocka_unit_test(every_bad_field_gets_a_reason),
};

ORBIT_TEST_MAIN(tests)
