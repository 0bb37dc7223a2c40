/* Orbit table rules across ranges. */
#include "test_main.h"

#include "orbit_table.h"

#include <strings.h>

#define P1 "pool1.north.example.net"
#define P2 "pool2.south.example.net"

static orbit_range range(const char *id, const char *start, const char *end, const char *pool,
                         orbit_type type)
{
    orbit_range r;
    memset(&r, 0, sizeof r);
    snprintf(r.identity, sizeof r.identity, "%s", id);
    snprintf(r.pool, sizeof r.pool, "%s", pool);
    r.type = type;
    assert_int_equal(orbit_range_set_numbers(&r, start, end, NULL), ORBIT_OK);
    return r;
}

static orbit_err create(orbit_table *t, const char *id, const char *start, const char *end,
                        const char *pool, orbit_type type, orbit_status *st)
{
    orbit_range r = range(id, start, end, pool, type);
    return orbit_table_create(t, &r, st);
}

static int setup(void **state)
{
    *state = orbit_table_new();
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    orbit_table_free(*state);
    return 0;
}

static void identity_must_be_unique(void **state)
{
    orbit_table *t = *state;
    orbit_status st;
    assert_int_equal(create(t, "CPO 1", "100", "199", P1, ORBIT_TYPE_CALLPARK, &st), ORBIT_OK);
    assert_int_equal(create(t, "cpo 1", "300", "399", P2, ORBIT_TYPE_CALLPARK, &st),
                     ORBIT_ERR_CONFLICT);
    assert_string_equal(st.field, "identity");
    assert_int_equal(orbit_table_count(t), 1);
}

static void touching_ranges_are_accepted(void **state)
{
    orbit_table *t = *state;
    orbit_status st;
    assert_int_equal(create(t, "a", "100", "199", P1, ORBIT_TYPE_CALLPARK, &st), ORBIT_OK);
    assert_int_equal(create(t, "b", "200", "299", P1, ORBIT_TYPE_CALLPARK, &st), ORBIT_OK);
    assert_int_equal(create(t, "c", "99", "99", P1, ORBIT_TYPE_CALLPARK, &st), ORBIT_OK);
}

static void overlapping_ranges_are_refused_across_types_and_pools(void **state)
{
    orbit_table *t = *state;
    orbit_status st;
    assert_int_equal(create(t, "a", "100", "199", P1, ORBIT_TYPE_CALLPARK, &st), ORBIT_OK);
    /* same pool, same type */
    assert_int_equal(create(t, "b", "199", "250", P1, ORBIT_TYPE_CALLPARK, &st), ORBIT_ERR_OVERLAP);
    /* other type */
    assert_int_equal(create(t, "c", "150", "160", P1, ORBIT_TYPE_GROUPPICKUP, &st),
                     ORBIT_ERR_OVERLAP);
    /* other pool */
    assert_int_equal(create(t, "d", "100", "110", P2, ORBIT_TYPE_CALLPARK, &st), ORBIT_ERR_OVERLAP);
    assert_non_null(strstr(st.message, "'a'"));
    /* wider, across the end */
    assert_int_equal(create(t, "e", "101", "990", P2, ORBIT_TYPE_GROUPPICKUP, &st),
                     ORBIT_ERR_OVERLAP);
    assert_int_equal(orbit_table_count(t), 1);
}

static void pool_may_own_49999_numbers(void **state)
{
    orbit_table *t = *state;
    orbit_status st;
    assert_int_equal(create(t, "r1", "100000", "109999", P1, ORBIT_TYPE_CALLPARK, &st), ORBIT_OK);
    assert_int_equal(create(t, "r2", "110000", "119999", P1, ORBIT_TYPE_CALLPARK, &st), ORBIT_OK);
    assert_int_equal(create(t, "r3", "120000", "129999", P1, ORBIT_TYPE_GROUPPICKUP, &st),
                     ORBIT_OK);
    assert_int_equal(create(t, "r4", "130000", "139999", P1, ORBIT_TYPE_CALLPARK, &st), ORBIT_OK);
    assert_int_equal(create(t, "r5", "140000", "149998", P1, ORBIT_TYPE_CALLPARK, &st), ORBIT_OK);
    assert_int_equal(orbit_table_pool_total(t, P1, NULL), 49999);
}

static void pool_may_not_own_50000_numbers(void **state)
{
    orbit_table *t = *state;
    orbit_status st;
    assert_int_equal(create(t, "r1", "100000", "109999", P1, ORBIT_TYPE_CALLPARK, &st), ORBIT_OK);
    assert_int_equal(create(t, "r2", "110000", "119999", P1, ORBIT_TYPE_CALLPARK, &st), ORBIT_OK);
    assert_int_equal(create(t, "r3", "120000", "129999", P1, ORBIT_TYPE_GROUPPICKUP, &st),
                     ORBIT_OK);
    assert_int_equal(create(t, "r4", "130000", "139999", P1, ORBIT_TYPE_CALLPARK, &st), ORBIT_OK);
    assert_int_equal(create(t, "r5", "140000", "149999", P1, ORBIT_TYPE_CALLPARK, &st),
                     ORBIT_ERR_LIMIT_EXCEEDED);
    assert_string_equal(st.field, "pool");
    /* Another pool is not affected by P1's total. */
    assert_int_equal(create(t, "r6", "140000", "149999", P2, ORBIT_TYPE_CALLPARK, &st), ORBIT_OK);
}

static uint32_t two_in_use(void *ctx, const orbit_range *r)
{
    (void)r;
    (void)ctx;
    return 2;
}

static void type_change_in_use_is_refused_unless_forced(void **state)
{
    orbit_table *t = *state;
    orbit_status st;
    assert_int_equal(create(t, "gp", "500", "599", P1, ORBIT_TYPE_CALLPARK, &st), ORBIT_OK);
    orbit_range_patch patch = {.has_type = true, .type = ORBIT_TYPE_GROUPPICKUP};
    assert_int_equal(orbit_table_update(t, "gp", &patch, two_in_use, NULL, NULL, &st),
                     ORBIT_ERR_IN_USE);
    assert_int_equal(orbit_table_find(t, "gp")->type, ORBIT_TYPE_CALLPARK);
    patch.force = true;
    assert_int_equal(orbit_table_update(t, "gp", &patch, two_in_use, NULL, NULL, &st), ORBIT_OK);
    assert_int_equal(orbit_table_find(t, "gp")->type, ORBIT_TYPE_GROUPPICKUP);
}

static void type_change_not_in_use_is_accepted(void **state)
{
    orbit_table *t = *state;
    orbit_status st;
    assert_int_equal(create(t, "gp", "500", "599", P1, ORBIT_TYPE_CALLPARK, &st), ORBIT_OK);
    orbit_range_patch patch = {.has_type = true, .type = ORBIT_TYPE_GROUPPICKUP};
    assert_int_equal(orbit_table_update(t, "gp", &patch, NULL, NULL, NULL, &st), ORBIT_OK);
    assert_int_equal(orbit_table_find(t, "gp")->type, ORBIT_TYPE_GROUPPICKUP);
}

static void update_revalidates_against_other_ranges(void **state)
{
    orbit_table *t = *state;
    orbit_status st;
    assert_int_equal(create(t, "a", "100", "199", P1, ORBIT_TYPE_CALLPARK, &st), ORBIT_OK);
    assert_int_equal(create(t, "b", "300", "399", P2, ORBIT_TYPE_CALLPARK, &st), ORBIT_OK);
    orbit_range_patch grow = {.end = "349"};
    /* Growing within itself is fine; into b is not. */
    orbit_range_patch self = {.start = "150"};
    assert_int_equal(orbit_table_update(t, "a", &self, NULL, NULL, NULL, &st), ORBIT_OK);
    orbit_range_patch into_b = {.end = "300"};
    assert_int_equal(orbit_table_update(t, "a", &into_b, NULL, NULL, NULL, &st), ORBIT_ERR_OVERLAP);
    assert_int_equal(orbit_table_update(t, "b", &grow, NULL, NULL, NULL, &st), ORBIT_OK);
    orbit_range_patch bad_len = {.end = "1000"};
    assert_int_equal(orbit_table_update(t, "a", &bad_len, NULL, NULL, NULL, &st),
                     ORBIT_ERR_INVALID_RANGE);
    assert_int_equal(orbit_table_find(t, "a")->start.value, 150);
    assert_int_equal(orbit_table_find(t, "a")->end.value, 199);
    orbit_range_patch missing = {.pool = P2};
    assert_int_equal(orbit_table_update(t, "zz", &missing, NULL, NULL, NULL, &st),
                     ORBIT_ERR_NOT_FOUND);
}

static void delete_in_use_is_refused_unless_forced(void **state)
{
    orbit_table *t = *state;
    orbit_status st;
    assert_int_equal(create(t, "a", "100", "199", P1, ORBIT_TYPE_CALLPARK, &st), ORBIT_OK);
    assert_int_equal(orbit_table_delete(t, "a", false, two_in_use, NULL, &st), ORBIT_ERR_IN_USE);
    assert_int_equal(orbit_table_delete(t, "a", true, two_in_use, NULL, &st), ORBIT_OK);
    assert_int_equal(orbit_table_count(t), 0);
    assert_int_equal(orbit_table_delete(t, "a", false, NULL, NULL, &st), ORBIT_ERR_NOT_FOUND);
}

static void owner_of_number_found_by_binary_search(void **state)
{
    orbit_table *t = *state;
    orbit_status st;
    char id[32], s[16], e[16];
    /* 300 ranges of 10, with gaps, across three prefixes. */
    const char *prefixes[] = {"", "*", "#"};
    for (int p = 0; p < 3; p++) {
        for (int i = 0; i < 100; i++) {
            snprintf(id, sizeof id, "r%d-%d", p, i);
            snprintf(s, sizeof s, "%s%d", prefixes[p], 1000 + i * 20);
            snprintf(e, sizeof e, "%s%d", prefixes[p], 1000 + i * 20 + 9);
            assert_int_equal(create(t, id, s, e, i % 2 ? P1 : P2, ORBIT_TYPE_CALLPARK, &st),
                             ORBIT_OK);
        }
    }
    for (int p = 0; p < 3; p++) {
        for (int v = 990; v < 3010; v++) {
            char buf[16];
            orbit_number n;
            snprintf(buf, sizeof buf, "%s%d", prefixes[p], v);
            assert_int_equal(orbit_number_parse(buf, &n), ORBIT_NUMBER_OK);
            const orbit_range *owner = orbit_table_owner_of(t, &n);
            int offset = v - 1000;
            bool inside = v >= 1000 && v < 3000 && offset % 20 < 10;
            if (!inside) {
                assert_null(owner);
                continue;
            }
            assert_non_null(owner);
            snprintf(id, sizeof id, "r%d-%d", p, offset / 20);
            assert_string_equal(owner->identity, id);
        }
    }
}

static void reassign_moves_one_type_or_all(void **state)
{
    orbit_table *t = *state;
    orbit_status st;
    size_t moved = 0;
    assert_int_equal(create(t, "cp", "100", "199", P1, ORBIT_TYPE_CALLPARK, &st), ORBIT_OK);
    assert_int_equal(create(t, "gp", "200", "299", P1, ORBIT_TYPE_GROUPPICKUP, &st), ORBIT_OK);
    assert_int_equal(create(t, "other", "300", "399", P2, ORBIT_TYPE_GROUPPICKUP, &st), ORBIT_OK);
    orbit_type gp = ORBIT_TYPE_GROUPPICKUP;
    assert_int_equal(orbit_table_reassign(t, P1, P2, &gp, &moved, &st), ORBIT_OK);
    assert_int_equal(moved, 1);
    assert_string_equal(orbit_table_find(t, "gp")->pool, P2);
    assert_string_equal(orbit_table_find(t, "cp")->pool, P1);
    assert_int_equal(orbit_table_reassign(t, P2, P1, NULL, &moved, &st), ORBIT_OK);
    assert_int_equal(moved, 2);
    assert_string_equal(orbit_table_find(t, "other")->pool, P1);
    assert_int_equal(orbit_table_reassign(t, P1, P1, NULL, &moved, &st), ORBIT_ERR_BAD_REQUEST);
}

static void reassign_respects_pool_limit_all_or_nothing(void **state)
{
    orbit_table *t = *state;
    orbit_status st;
    size_t moved = 99;
    assert_int_equal(create(t, "a1", "100000", "109999", P1, ORBIT_TYPE_CALLPARK, &st), ORBIT_OK);
    assert_int_equal(create(t, "a2", "110000", "119999", P1, ORBIT_TYPE_CALLPARK, &st), ORBIT_OK);
    assert_int_equal(create(t, "a3", "120000", "129999", P1, ORBIT_TYPE_CALLPARK, &st), ORBIT_OK);
    assert_int_equal(create(t, "b1", "200000", "209999", P2, ORBIT_TYPE_CALLPARK, &st), ORBIT_OK);
    assert_int_equal(create(t, "b2", "210000", "219999", P2, ORBIT_TYPE_GROUPPICKUP, &st),
                     ORBIT_OK);
    assert_int_equal(orbit_table_reassign(t, P2, P1, NULL, &moved, &st), ORBIT_ERR_LIMIT_EXCEEDED);
    assert_int_equal(moved, 99);
    assert_string_equal(orbit_table_find(t, "b1")->pool, P2);
    assert_string_equal(orbit_table_find(t, "b2")->pool, P2);
    orbit_type cp = ORBIT_TYPE_CALLPARK;
    assert_int_equal(orbit_table_reassign(t, P2, P1, &cp, &moved, &st), ORBIT_OK);
    assert_int_equal(moved, 1);
}

static void load_refuses_a_bad_set_whole(void **state)
{
    orbit_table *t = *state;
    orbit_status st;
    assert_int_equal(create(t, "keep", "100", "199", P1, ORBIT_TYPE_CALLPARK, &st), ORBIT_OK);
    orbit_range rows[2] = {range("x", "500", "599", P1, ORBIT_TYPE_CALLPARK),
                           range("y", "550", "650", P2, ORBIT_TYPE_CALLPARK)};
    assert_int_equal(orbit_table_load(t, rows, 2, &st), ORBIT_ERR_OVERLAP);
    assert_int_equal(orbit_table_count(t), 1);
    assert_non_null(orbit_table_find(t, "keep"));
    rows[1] = range("y", "600", "650", P2, ORBIT_TYPE_CALLPARK);
    assert_int_equal(orbit_table_load(t, rows, 2, &st), ORBIT_OK);
    assert_int_equal(orbit_table_count(t), 2);
    assert_null(orbit_table_find(t, "keep"));
}

static void clone_is_independent(void **state)
{
    orbit_table *t = *state;
    orbit_status st;
    assert_int_equal(create(t, "a", "100", "199", P1, ORBIT_TYPE_CALLPARK, &st), ORBIT_OK);
    orbit_table *c = orbit_table_clone(t);
    assert_non_null(c);
    assert_int_equal(create(c, "b", "200", "299", P1, ORBIT_TYPE_CALLPARK, &st), ORBIT_OK);
    assert_int_equal(orbit_table_count(t), 1);
    assert_int_equal(orbit_table_count(c), 2);
    orbit_number n;
    orbit_number_parse("250", &n);
    assert_non_null(orbit_table_owner_of(c, &n));
    assert_null(orbit_table_owner_of(t, &n));
    orbit_table_free(c);
}

/* A naive model of the table: an array checked pair by pair, the way the
 * rules read. Random changes applied to both must agree on every answer,
 * which pins the incremental indexes (neighbour overlap checks, running
 * pool totals, pointer arrays) to the rules themselves. */
typedef struct {
    orbit_range rows[64];
    size_t n;
} model;

static bool model_accepts(const model *m, const orbit_range *r, const char *replacing)
{
    uint32_t total = orbit_range_size(r);
    for (size_t i = 0; i < m->n; i++) {
        const orbit_range *o = &m->rows[i];
        if (replacing && strcasecmp(o->identity, replacing) == 0)
            continue;
        if (strcasecmp(o->identity, r->identity) == 0 || orbit_range_overlaps(o, r))
            return false;
        if (strcmp(o->pool, r->pool) == 0)
            total += orbit_range_size(o);
    }
    return total < ORBIT_POOL_NUMBER_LIMIT;
}

static void random_changes_agree_with_a_naive_model(void **state)
{
    orbit_table *t = *state;
    model m = {.n = 0};
    static const char *const pools[] = {P1, P2};
    static const char *const prefixes[] = {"", "*", "#"};
    uint32_t seed = 12345;
    for (int step = 0; step < 20000; step++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t x = seed >> 8;
        char id[16], start[16], end[16];
        snprintf(id, sizeof id, "r%u", x % 40);
        uint32_t lo = 1000 + (x / 40) % 8000, len = 1 + (x / 7) % 900;
        const char *prefix = prefixes[(x / 3) % 3];
        snprintf(start, sizeof start, "%s%u", prefix, lo);
        snprintf(end, sizeof end, "%s%u", prefix, lo + len > 9999 ? 9999 : lo + len);
        orbit_range r = range(id, start, end, pools[(x / 11) % 2],
                              (orbit_type)((x / 13) % ORBIT_TYPE_COUNT));
        orbit_status st;
        ptrdiff_t at = -1;
        for (size_t i = 0; i < m.n; i++)
            if (strcasecmp(m.rows[i].identity, id) == 0)
                at = (ptrdiff_t)i;
        switch (x % 3) {
        case 0: { /* create */
            bool ok = at < 0 && model_accepts(&m, &r, NULL);
            assert_int_equal(orbit_table_check_create(t, &r, &st) == ORBIT_OK, ok);
            assert_int_equal(orbit_table_create(t, &r, &st) == ORBIT_OK, ok);
            if (ok)
                m.rows[m.n++] = r;
            break;
        }
        case 1: { /* put: replace numbers, pool and type, or create when absent */
            bool ok = model_accepts(&m, &r, at >= 0 ? id : NULL);
            assert_int_equal(orbit_table_put(t, &r, &st) == ORBIT_OK, ok);
            if (ok && at >= 0)
                m.rows[at] = r;
            else if (ok)
                m.rows[m.n++] = r;
            break;
        }
        default: /* delete */
            assert_int_equal(orbit_table_delete(t, id, true, NULL, NULL, &st) == ORBIT_OK, at >= 0);
            if (at >= 0)
                m.rows[at] = m.rows[--m.n];
            break;
        }
        assert_int_equal(orbit_table_count(t), m.n);
        uint32_t totals[2] = {0, 0};
        for (size_t i = 0; i < m.n; i++) {
            const orbit_range *row = orbit_table_find(t, m.rows[i].identity);
            assert_non_null(row);
            assert_int_equal(orbit_number_compare(&row->start, &m.rows[i].start), 0);
            assert_ptr_equal(orbit_table_owner_of(t, &m.rows[i].end), row);
            totals[strcmp(m.rows[i].pool, P1) == 0 ? 0 : 1] += orbit_range_size(&m.rows[i]);
        }
        assert_int_equal(orbit_table_pool_total(t, P1, NULL), totals[0]);
        assert_int_equal(orbit_table_pool_total(t, P2, NULL), totals[1]);
        for (size_t i = 1; i < orbit_table_count(t); i++)
            assert_true(strcasecmp(orbit_table_at(t, i - 1)->identity,
                                   orbit_table_at(t, i)->identity) < 0);
    }
}

static void checks_do_not_change_the_table(void **state)
{
    orbit_table *t = *state;
    orbit_status st;
    assert_int_equal(create(t, "a", "100", "199", P1, ORBIT_TYPE_CALLPARK, &st), ORBIT_OK);
    orbit_range b = range("b", "200", "299", P1, ORBIT_TYPE_CALLPARK);
    assert_int_equal(orbit_table_check_create(t, &b, &st), ORBIT_OK);
    orbit_range_patch patch = {.pool = P2};
    orbit_range out;
    assert_int_equal(orbit_table_check_update(t, "a", &patch, NULL, NULL, &out, &st), ORBIT_OK);
    assert_string_equal(out.pool, P2);
    assert_int_equal(orbit_table_check_delete(t, "a", false, NULL, NULL, &st), ORBIT_OK);
    size_t moving = 0;
    assert_int_equal(orbit_table_check_reassign(t, P1, P2, NULL, &moving, &st), ORBIT_OK);
    assert_int_equal(moving, 1);
    assert_int_equal(orbit_table_count(t), 1);
    assert_string_equal(orbit_table_find(t, "a")->pool, P1);
    assert_int_equal(orbit_table_pool_total(t, P2, NULL), 0);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(identity_must_be_unique, setup, teardown),
    cmocka_unit_test_setup_teardown(touching_ranges_are_accepted, setup, teardown),
    cmocka_unit_test_setup_teardown(overlapping_ranges_are_refused_across_types_and_pools, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(pool_may_own_49999_numbers, setup, teardown),
    cmocka_unit_test_setup_teardown(pool_may_not_own_50000_numbers, setup, teardown),
    cmocka_unit_test_setup_teardown(type_change_in_use_is_refused_unless_forced, setup, teardown),
    cmocka_unit_test_setup_teardown(type_change_not_in_use_is_accepted, setup, teardown),
    cmocka_unit_test_setup_teardown(update_revalidates_against_other_ranges, setup, teardown),
    cmocka_unit_test_setup_teardown(delete_in_use_is_refused_unless_forced, setup, teardown),
    cmocka_unit_test_setup_teardown(owner_of_number_found_by_binary_search, setup, teardown),
    cmocka_unit_test_setup_teardown(reassign_moves_one_type_or_all, setup, teardown),
    cmocka_unit_test_setup_teardown(reassign_respects_pool_limit_all_or_nothing, setup, teardown),
    cmocka_unit_test_setup_teardown(load_refuses_a_bad_set_whole, setup, teardown),
    cmocka_unit_test_setup_teardown(clone_is_independent, setup, teardown),
    cmocka_unit_test_setup_teardown(random_changes_agree_with_a_naive_model, setup, teardown),
    cmocka_unit_test_setup_teardown(checks_do_not_change_the_table, setup, teardown),
};

ORBIT_TEST_MAIN(tests)
