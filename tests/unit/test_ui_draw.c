/* widgets/ui_draw: how durations read. A coarse duration changes once a
 * minute past its first minute, so a column of them costs a terminal
 * nothing between minutes. */
#include "test_main.h"

#include "ui_draw.h"

static void durations_read_as_a_person_says_them(void **state)
{
    (void)state;
    char b[32];
    ui_duration(42000, b, sizeof b);
    assert_string_equal(b, "42s");
    ui_duration(185000, b, sizeof b);
    assert_string_equal(b, "3m05s");
    ui_duration(2 * 3600000 + 7 * 60000 + 5000, b, sizeof b);
    assert_string_equal(b, "2h07m");
    ui_duration(-5, b, sizeof b);
    assert_string_equal(b, "0s");
}

static void coarse_durations_keep_to_the_minute_past_the_first(void **state)
{
    (void)state;
    char b[32];
    ui_duration_coarse(42000, b, sizeof b);
    assert_string_equal(b, "42s");
    /* Every second of the fourth minute reads the same. */
    for (int s = 180; s < 240; s++) {
        ui_duration_coarse(s * 1000, b, sizeof b);
        assert_string_equal(b, "3m");
    }
    ui_duration_coarse(59 * 60000 + 59000, b, sizeof b);
    assert_string_equal(b, "59m");
    ui_duration_coarse(2 * 3600000 + 7 * 60000 + 5000, b, sizeof b);
    assert_string_equal(b, "2h07m");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(durations_read_as_a_person_says_them),
    cmocka_unit_test(coarse_durations_keep_to_the_minute_past_the_first),
};

ORBIT_TEST_MAIN(tests)
