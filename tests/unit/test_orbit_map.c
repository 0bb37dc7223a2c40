/* The hash map: insert, replace, remove with probing clusters, iterate,
 * reserve room ahead. */
#include "test_main.h"

#include "orbit_map.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static void put_get_replace_remove(void **state)
{
    (void)state;
    orbit_map *m = orbit_map_new();
    assert_non_null(m);
    int a = 1, b = 2;
    assert_true(orbit_map_put(m, "a", &a));
    assert_ptr_equal(orbit_map_get(m, "a"), &a);
    assert_true(orbit_map_put(m, "a", &b));
    assert_ptr_equal(orbit_map_get(m, "a"), &b);
    assert_int_equal(orbit_map_count(m), 1);
    assert_ptr_equal(orbit_map_remove(m, "a"), &b);
    assert_null(orbit_map_get(m, "a"));
    assert_null(orbit_map_remove(m, "a"));
    orbit_map_free(m);
}

static void many_keys_survive_growth_and_removal(void **state)
{
    (void)state;
    orbit_map *m = orbit_map_new();
    assert_non_null(m);
    enum { N = 20000 };
    static int values[N];
    char key[32];
    for (int i = 0; i < N; i++) {
        values[i] = i;
        snprintf(key, sizeof key, "call-%d", i);
        assert_true(orbit_map_put(m, key, &values[i]));
    }
    /* Remove every third key, then check all. */
    for (int i = 0; i < N; i += 3) {
        snprintf(key, sizeof key, "call-%d", i);
        assert_ptr_equal(orbit_map_remove(m, key), &values[i]);
    }
    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof key, "call-%d", i);
        if (i % 3 == 0)
            assert_null(orbit_map_get(m, key));
        else
            assert_ptr_equal(orbit_map_get(m, key), &values[i]);
    }
    size_t pos = 0, seen = 0;
    const char *k;
    void *v;
    while (orbit_map_next(m, &pos, &k, &v)) {
        assert_int_equal(atoi(k + 5), *(int *)v);
        seen++;
    }
    assert_int_equal(seen, orbit_map_count(m));
    assert_int_equal(seen, N - (N + 2) / 3);
    orbit_map_free(m);
}

/* A borrowing map keeps the caller's key pointers: no copy per entry. */
static void borrowed_keys_are_not_copied(void **state)
{
    (void)state;
    orbit_map *m = orbit_map_new_borrowed();
    assert_non_null(m);
    char keys[100][16];
    for (int i = 0; i < 100; i++) {
        snprintf(keys[i], sizeof keys[i], "k%d", i);
        assert_true(orbit_map_put(m, keys[i], keys[i]));
    }
    size_t pos = 0;
    const char *key;
    void *value;
    size_t seen = 0;
    while (orbit_map_next(m, &pos, &key, &value)) {
        assert_ptr_equal(key, value);
        seen++;
    }
    assert_int_equal(seen, 100);
    assert_ptr_equal(orbit_map_remove(m, "k42"), keys[42]);
    assert_null(orbit_map_get(m, "k42"));
    assert_ptr_equal(orbit_map_get(m, "k43"), keys[43]);
    orbit_map_free(m);
}

/* A map reserved for n entries keeps every entry through n puts and
 * after, and a reserve smaller than the map changes nothing. */
static void reserved_room_holds_the_entries(void **state)
{
    (void)state;
    orbit_map *m = orbit_map_new();
    assert_non_null(m);
    assert_true(orbit_map_put(m, "before", (void *)1));
    assert_true(orbit_map_reserve(m, 5000));
    assert_true(orbit_map_reserve(m, 10)); /* smaller: nothing to do */
    char key[32];
    for (int i = 0; i < 6000; i++) {
        snprintf(key, sizeof key, "k%d", i);
        assert_true(orbit_map_put(m, key, (void *)(intptr_t)(i + 2)));
    }
    assert_int_equal(orbit_map_count(m), 6001);
    assert_ptr_equal(orbit_map_get(m, "before"), (void *)1);
    for (int i = 0; i < 6000; i++) {
        snprintf(key, sizeof key, "k%d", i);
        assert_ptr_equal(orbit_map_get(m, key), (void *)(intptr_t)(i + 2));
    }
    assert_false(orbit_map_reserve(m, SIZE_MAX / 2));
    assert_ptr_equal(orbit_map_get(m, "k5999"), (void *)(intptr_t)6001);
    orbit_map_free(m);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(borrowed_keys_are_not_copied),
    cmocka_unit_test(put_get_replace_remove),
    cmocka_unit_test(many_keys_survive_growth_and_removal),
    cmocka_unit_test(reserved_room_holds_the_entries),
};

ORBIT_TEST_MAIN(tests)
