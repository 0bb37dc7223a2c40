/* Random free orbit allocation. */
#include "test_main.h"

#include "orbit_alloc.h"

#include <stdlib.h>

static orbit_range range(const char *start, const char *end)
{
    orbit_range r;
    memset(&r, 0, sizeof r);
    snprintf(r.identity, sizeof r.identity, "r-%s", start);
    snprintf(r.pool, sizeof r.pool, "pool1.example.net");
    assert_int_equal(orbit_range_set_numbers(&r, start, end, NULL), ORBIT_OK);
    return r;
}

/* Five ranges of 10,000: 50,000 numbers, the most a pool can approach. */
static void five_full_ranges(orbit_range out[5])
{
    out[0] = range("100000", "109999");
    out[1] = range("*20000", "*29999");
    out[2] = range("120000", "129999");
    out[3] = range("#30000", "#39999");
    out[4] = range("140000", "149999");
}

typedef struct {
    orbit_number except;
} all_but_one;

static bool used_all_but_one(void *ctx, const orbit_number *n)
{
    all_but_one *a = ctx;
    return orbit_number_compare(n, &a->except) != 0;
}

static void last_free_orbit_is_found_when_49999_of_50000_taken(void **state)
{
    (void)state;
    orbit_range rs[5];
    five_full_ranges(rs);
    all_but_one ctx;
    assert_int_equal(orbit_number_parse("#34567", &ctx.except), ORBIT_NUMBER_OK);
    orbit_alloc *a = orbit_alloc_new();
    assert_non_null(a);
    assert_true(orbit_alloc_build(a, rs, 5, used_all_but_one, &ctx));
    assert_int_equal(orbit_alloc_capacity(a), 50000);
    assert_int_equal(orbit_alloc_free_count(a), 1);
    orbit_rng rng;
    orbit_rng_seed(&rng, 42);
    /* Take and give back many times: every pick must be the one free
     * number, found directly rather than by probing taken ones. */
    for (int i = 0; i < 1000; i++) {
        orbit_number got;
        assert_true(orbit_alloc_take_random(a, &rng, &got));
        assert_int_equal(orbit_number_compare(&got, &ctx.except), 0);
        assert_int_equal(orbit_alloc_free_count(a), 0);
        orbit_number none;
        assert_false(orbit_alloc_take_random(a, &rng, &none));
        assert_true(orbit_alloc_release(a, &got));
    }
    orbit_alloc_free(a);
}

static void every_orbit_is_handed_out_once(void **state)
{
    (void)state;
    orbit_range rs[2] = {range("100", "199"), range("*1000", "*1049")};
    orbit_alloc *a = orbit_alloc_new();
    assert_non_null(a);
    assert_true(orbit_alloc_build(a, rs, 2, NULL, NULL));
    assert_int_equal(orbit_alloc_capacity(a), 150);
    orbit_rng rng;
    orbit_rng_seed(&rng, 7);
    unsigned char seen_plain[100] = {0}, seen_star[50] = {0};
    for (int i = 0; i < 150; i++) {
        orbit_number n;
        assert_true(orbit_alloc_take_random(a, &rng, &n));
        if (n.prefix == '*') {
            assert_in_range(n.value, 1000, 1049);
            assert_int_equal(seen_star[n.value - 1000]++, 0);
            assert_int_equal(n.digits, 4);
        } else {
            assert_in_range(n.value, 100, 199);
            assert_int_equal(seen_plain[n.value - 100]++, 0);
            assert_int_equal(n.digits, 3);
        }
    }
    orbit_number n;
    assert_false(orbit_alloc_take_random(a, &rng, &n));
    orbit_alloc_free(a);
}

static void picks_are_spread_over_the_ranges(void **state)
{
    (void)state;
    orbit_range rs[1] = {range("1000", "1009")};
    orbit_alloc *a = orbit_alloc_new();
    assert_non_null(a);
    assert_true(orbit_alloc_build(a, rs, 1, NULL, NULL));
    orbit_rng rng;
    orbit_rng_seed(&rng, 1234);
    int counts[10] = {0};
    for (int i = 0; i < 10000; i++) {
        orbit_number n;
        assert_true(orbit_alloc_take_random(a, &rng, &n));
        counts[n.value - 1000]++;
        assert_true(orbit_alloc_release(a, &n));
    }
    /* Uniform: each of 10 numbers expected 1000 times; 800..1200 is more
     * than 6 standard deviations wide. */
    for (int i = 0; i < 10; i++)
        assert_in_range(counts[i], 800, 1200);
    orbit_alloc_free(a);
}

static void take_and_release_specific_numbers(void **state)
{
    (void)state;
    orbit_range rs[1] = {range("500", "502")};
    orbit_alloc *a = orbit_alloc_new();
    assert_non_null(a);
    assert_true(orbit_alloc_build(a, rs, 1, NULL, NULL));
    orbit_number n501, n600;
    orbit_number_parse("501", &n501);
    orbit_number_parse("600", &n600);
    assert_true(orbit_alloc_take(a, &n501));
    assert_false(orbit_alloc_take(a, &n501));
    assert_false(orbit_alloc_take(a, &n600));
    assert_false(orbit_alloc_covers(a, &n600));
    assert_true(orbit_alloc_covers(a, &n501));
    assert_int_equal(orbit_alloc_free_count(a), 2);
    orbit_rng rng;
    orbit_rng_seed(&rng, 3);
    for (int i = 0; i < 2; i++) {
        orbit_number n;
        assert_true(orbit_alloc_take_random(a, &rng, &n));
        assert_int_not_equal(n.value, 501);
    }
    assert_true(orbit_alloc_release(a, &n501));
    assert_false(orbit_alloc_release(a, &n501));
    assert_false(orbit_alloc_release(a, &n600));
    orbit_alloc_free(a);
}

static void empty_pool_has_nothing_to_give(void **state)
{
    (void)state;
    orbit_alloc *a = orbit_alloc_new();
    assert_non_null(a);
    assert_true(orbit_alloc_build(a, NULL, 0, NULL, NULL));
    orbit_rng rng;
    orbit_rng_seed(&rng, 3);
    orbit_number n;
    assert_false(orbit_alloc_take_random(a, &rng, &n));
    assert_int_equal(orbit_alloc_capacity(a), 0);
    orbit_alloc_free(a);
}

/* Ranges join and leave one at a time while numbers are taken and
 * released; a plain array of flags per number is the model. Enough
 * churn passes through to force the hole compaction several times. */
static void ranges_join_and_leave_without_a_rebuild(void **state)
{
    (void)state;
    enum { SLOTS = 20, WIDTH = 700 };
    static bool live[SLOTS], taken[SLOTS][WIDTH];
    memset(live, 0, sizeof live);
    memset(taken, 0, sizeof taken);
    orbit_range ranges[SLOTS];
    for (int k = 0; k < SLOTS; k++) {
        char a[16], b[16];
        snprintf(a, sizeof a, "%d", 10000 + k * 1000);
        snprintf(b, sizeof b, "%d", 10000 + k * 1000 + WIDTH - 1);
        ranges[k] = range(a, b);
    }
    orbit_alloc *al = orbit_alloc_new();
    assert_non_null(al);
    orbit_rng rng;
    orbit_rng_seed(&rng, 7);
    uint32_t seed = 99;
    for (int step = 0; step < 6000; step++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t x = seed >> 8;
        int k = (int)(x % SLOTS);
        switch ((x / SLOTS) % 4) {
        case 0:
            assert_int_equal(orbit_alloc_add_range(al, &ranges[k], NULL, NULL), !live[k]);
            if (!live[k])
                memset(taken[k], 0, sizeof taken[k]);
            live[k] = true;
            break;
        case 1:
            assert_int_equal(orbit_alloc_remove_range(al, &ranges[k]), live[k]);
            live[k] = false;
            break;
        case 2: {
            orbit_number n;
            bool any = false;
            for (int i = 0; i < SLOTS; i++)
                for (int j = 0; live[i] && j < WIDTH; j++)
                    any = any || !taken[i][j];
            assert_int_equal(orbit_alloc_take_random(al, &rng, &n), any);
            if (any) {
                int i = (int)((n.value - 10000) / 1000), j = (int)((n.value - 10000) % 1000);
                assert_true(live[i]);
                assert_false(taken[i][j]);
                taken[i][j] = true;
            }
            break;
        }
        default: {
            int j = (int)((x / 97) % WIDTH);
            orbit_number n =
                orbit_number_with_value(&ranges[k].start, ranges[k].start.value + (uint32_t)j);
            assert_int_equal(orbit_alloc_release(al, &n), live[k] && taken[k][j]);
            taken[k][j] = false;
            break;
        }
        }
        uint32_t cap = 0, nfree = 0;
        for (int i = 0; i < SLOTS; i++) {
            uint32_t in_range = 0;
            for (int j = 0; live[i] && j < WIDTH; j++) {
                cap++;
                nfree += !taken[i][j];
                in_range += taken[i][j];
            }
            assert_int_equal(orbit_alloc_taken_in(al, &ranges[i]), in_range);
        }
        assert_int_equal(orbit_alloc_capacity(al), cap);
        assert_int_equal(orbit_alloc_free_count(al), nfree);
    }
    orbit_alloc_free(al);
}

static void overlapping_range_is_refused(void **state)
{
    (void)state;
    orbit_alloc *al = orbit_alloc_new();
    orbit_range a = range("1000", "1999"), b = range("1500", "2500"), c = range("2000", "2999");
    assert_true(orbit_alloc_add_range(al, &a, NULL, NULL));
    assert_false(orbit_alloc_add_range(al, &b, NULL, NULL));
    assert_true(orbit_alloc_add_range(al, &c, NULL, NULL));
    assert_false(orbit_alloc_remove_range(al, &b));
    assert_int_equal(orbit_alloc_capacity(al), 2000);
    orbit_alloc_free(al);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(last_free_orbit_is_found_when_49999_of_50000_taken),
    cmocka_unit_test(every_orbit_is_handed_out_once),
    cmocka_unit_test(picks_are_spread_over_the_ranges),
    cmocka_unit_test(take_and_release_specific_numbers),
    cmocka_unit_test(empty_pool_has_nothing_to_give),
    cmocka_unit_test(ranges_join_and_leave_without_a_rebuild),
    cmocka_unit_test(overlapping_range_is_refused),
};

ORBIT_TEST_MAIN(tests)
