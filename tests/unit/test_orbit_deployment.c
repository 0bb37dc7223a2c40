/* The deployment registry: pairing, users, groups, derived DR facts. */
#include "test_main.h"

#include "orbit_deployment.h"

#define P1 "pool1.north.example.net"
#define P2 "pool2.south.example.net"
#define P3 "pool3.north.example.net"

static pool_info pool(const char *fqdn, const char *site, const char *backup)
{
    pool_info p;
    memset(&p, 0, sizeof p);
    snprintf(p.fqdn, sizeof p.fqdn, "%s", fqdn);
    snprintf(p.site, sizeof p.site, "%s", site);
    snprintf(p.backup, sizeof p.backup, "%s", backup);
    return p;
}

static void add_range(orbit_deployment *d, const char *id, const char *s, const char *e,
                      const char *owner, orbit_type type)
{
    orbit_range r;
    memset(&r, 0, sizeof r);
    snprintf(r.identity, sizeof r.identity, "%s", id);
    snprintf(r.pool, sizeof r.pool, "%s", owner);
    r.type = type;
    assert_int_equal(orbit_range_set_numbers(&r, s, e, NULL), ORBIT_OK);
    assert_int_equal(orbit_table_create(orbit_deployment_table(d), &r, NULL), ORBIT_OK);
}

static orbit_user user(const char *uri, const char *home, const char *group)
{
    orbit_user u;
    memset(&u, 0, sizeof u);
    snprintf(u.uri, sizeof u.uri, "%s", uri);
    snprintf(u.home, sizeof u.home, "%s", home);
    if (group) {
        u.has_group = true;
        assert_int_equal(orbit_number_parse(group, &u.pickup_group), ORBIT_NUMBER_OK);
    }
    return u;
}

static orbit_deployment *paired(void)
{
    orbit_deployment *d = orbit_deployment_new();
    assert_non_null(d);
    pool_info pools[2] = {pool(P1, "north", P2), pool(P2, "south", P1)};
    assert_int_equal(orbit_deployment_set_pools(d, pools, 2, NULL), ORBIT_OK);
    add_range(d, "p1-park", "1000", "1099", P1, ORBIT_TYPE_CALLPARK);
    add_range(d, "p1-groups", "7000", "7099", P1, ORBIT_TYPE_GROUPPICKUP);
    add_range(d, "p2-park", "2000", "2099", P2, ORBIT_TYPE_CALLPARK);
    orbit_user users[3] = {user("sip:a@example.net", P1, "7001"),
                           user("sip:b@example.net", P1, "7001"),
                           user("sip:c@example.net", P2, NULL)};
    assert_int_equal(orbit_deployment_set_users(d, users, 3, NULL), ORBIT_OK);
    return d;
}

static void pairs_must_be_symmetric(void **state)
{
    (void)state;
    orbit_deployment *d = orbit_deployment_new();
    assert_non_null(d);
    orbit_status st;
    pool_info lopsided[3] = {pool(P1, "north", P2), pool(P2, "south", P3), pool(P3, "north", P2)};
    assert_int_equal(orbit_deployment_set_pools(d, lopsided, 3, &st), ORBIT_ERR_BAD_REQUEST);
    assert_non_null(strstr(st.message, "symmetric"));
    pool_info self[1] = {pool(P1, "north", P1)};
    assert_int_equal(orbit_deployment_set_pools(d, self, 1, &st), ORBIT_ERR_BAD_REQUEST);
    pool_info unknown[1] = {pool(P1, "north", P2)};
    assert_int_equal(orbit_deployment_set_pools(d, unknown, 1, &st), ORBIT_ERR_BAD_REQUEST);
    pool_info twice[2] = {pool(P1, "north", ""), pool(P1, "south", "")};
    assert_int_equal(orbit_deployment_set_pools(d, twice, 2, &st), ORBIT_ERR_CONFLICT);
    assert_int_equal(orbit_deployment_pool_count(d), 0);
    orbit_deployment_free(d);
}

static void users_need_known_home_and_pickup_range(void **state)
{
    (void)state;
    orbit_deployment *d = paired();
    orbit_status st;
    orbit_user bad_home[1] = {user("sip:x@example.net", "pool9.example.net", NULL)};
    assert_int_equal(orbit_deployment_set_users(d, bad_home, 1, &st), ORBIT_ERR_BAD_REQUEST);
    orbit_user bad_group[1] = {user("sip:x@example.net", P1, "1001")};
    assert_int_equal(orbit_deployment_set_users(d, bad_group, 1, &st), ORBIT_ERR_BAD_REQUEST);
    assert_string_equal(st.field, "pickup_group");
    orbit_user dup[2] = {user("sip:x@example.net", P1, NULL), user("sip:x@example.net", P2, NULL)};
    assert_int_equal(orbit_deployment_set_users(d, dup, 2, &st), ORBIT_ERR_CONFLICT);
    /* The earlier users are untouched. */
    assert_int_equal(orbit_deployment_user_count(d), 3);
    orbit_deployment_free(d);
}

static void groups_count_members(void **state)
{
    (void)state;
    orbit_deployment *d = paired();
    orbit_number g;
    orbit_number_parse("7001", &g);
    assert_int_equal(orbit_deployment_group_members(d, &g), 2);
    orbit_number_parse("7002", &g);
    assert_int_equal(orbit_deployment_group_members(d, &g), 0);
    const orbit_range *r = orbit_table_find(orbit_deployment_table(d), "p1-groups");
    assert_int_equal(orbit_deployment_groups_in_range(d, r), 1);
    orbit_deployment_free(d);
}

static void serving_follows_the_phase(void **state)
{
    (void)state;
    orbit_deployment *d = paired();
    assert_string_equal(orbit_deployment_serving(d, P1), P1);
    assert_int_equal(orbit_deployment_users_served(d, P1), 2);
    dr_state s = *orbit_deployment_dr(d, P1);
    s.phase = DR_PHASE_FAILING_OVER;
    assert_true(orbit_deployment_set_dr(d, &s));
    assert_string_equal(orbit_deployment_serving(d, P1), P2);
    assert_string_equal(orbit_deployment_user(d, "sip:a@example.net")->serving, P2);
    assert_int_equal(orbit_deployment_users_served(d, P2), 3);
    assert_int_equal(orbit_deployment_users_served(d, P1), 0);
    assert_int_equal(orbit_deployment_users_homed(d, P1), 2);
    s.phase = DR_PHASE_FAILING_BACK;
    assert_true(orbit_deployment_set_dr(d, &s));
    assert_string_equal(orbit_deployment_serving(d, P1), P1);
    orbit_deployment_free(d);
}

static void pickup_redirect_flag_follows_range_owner(void **state)
{
    (void)state;
    orbit_deployment *d = paired();
    assert_true(orbit_deployment_dr(d, P1)->pickup_ranges_redirected);
    dr_state s = *orbit_deployment_dr(d, P1);
    s.phase = DR_PHASE_FAILED_OVER;
    assert_true(orbit_deployment_set_dr(d, &s));
    /* Failed over, GroupPickup range still owned by the home pool. */
    assert_false(orbit_deployment_dr(d, P1)->pickup_ranges_redirected);
    orbit_type gp = ORBIT_TYPE_GROUPPICKUP;
    assert_int_equal(orbit_table_reassign(orbit_deployment_table(d), P1, P2, &gp, NULL, NULL),
                     ORBIT_OK);
    orbit_deployment_refresh(d);
    assert_true(orbit_deployment_dr(d, P1)->pickup_ranges_redirected);
    /* Failback complete: the range must come back to the home pool. */
    s.phase = DR_PHASE_NORMAL;
    assert_true(orbit_deployment_set_dr(d, &s));
    assert_false(orbit_deployment_dr(d, P1)->pickup_ranges_redirected);
    assert_int_equal(orbit_table_reassign(orbit_deployment_table(d), P2, P1, &gp, NULL, NULL),
                     ORBIT_OK);
    orbit_deployment_refresh(d);
    assert_true(orbit_deployment_dr(d, P1)->pickup_ranges_redirected);
    /* A pool with no grouped users is trivially redirected. */
    assert_true(orbit_deployment_dr(d, P2)->pickup_ranges_redirected);
    orbit_deployment_free(d);
}

/* Phases and range moves applied one at a time must leave the same
 * derived facts (serving pools, served counts, redirect flags) as a whole
 * refresh computes: the incremental updates touch only what changed. */
static void incremental_updates_agree_with_a_full_refresh(void **state)
{
    (void)state;
    orbit_deployment *d = orbit_deployment_new();
    pool_info pools[4] = {pool(P1, "north", P2), pool(P2, "south", P1),
                          pool(P3, "north", "pool4.south.example.net"),
                          pool("pool4.south.example.net", "south", P3)};
    assert_int_equal(orbit_deployment_set_pools(d, pools, 4, NULL), ORBIT_OK);
    const char *owners[4] = {P1, P2, P3, "pool4.south.example.net"};
    for (int k = 0; k < 4; k++) {
        char id[32], a[16], b[16];
        for (int g = 0; g < 3; g++) {
            snprintf(id, sizeof id, "gp-%d-%d", k, g);
            snprintf(a, sizeof a, "%d%d000", k + 1, g);
            snprintf(b, sizeof b, "%d%d099", k + 1, g);
            add_range(d, id, a, b, owners[k], ORBIT_TYPE_GROUPPICKUP);
        }
    }
    orbit_user users[40];
    char uris[40][32], groups[40][16];
    for (int u = 0; u < 40; u++) {
        snprintf(uris[u], sizeof uris[u], "sip:u%d@example.net", u);
        snprintf(groups[u], sizeof groups[u], "%d%d0%02d", u % 4 + 1, u % 3, u % 7);
        users[u] = user(uris[u], owners[u % 4], groups[u]);
    }
    assert_int_equal(orbit_deployment_set_users(d, users, 40, NULL), ORBIT_OK);
    orbit_table *t = orbit_deployment_table(d);
    uint32_t seed = 7;
    for (int step = 0; step < 2000; step++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t x = seed >> 8;
        const char *home = owners[x % 4];
        if (x % 2) {
            dr_state s = *orbit_deployment_dr(d, home);
            s.phase = (dr_phase)((x / 4) % DR_PHASE_COUNT);
            assert_true(orbit_deployment_set_dr(d, &s));
        } else {
            char id[32];
            snprintf(id, sizeof id, "gp-%u-%u", (x / 4) % 4, (x / 16) % 3);
            orbit_range before = *orbit_table_find(t, id);
            orbit_range after = before;
            snprintf(after.pool, sizeof after.pool, "%s", owners[(x / 64) % 4]);
            assert_int_equal(orbit_table_put(t, &after, NULL), ORBIT_OK);
            orbit_deployment_range_changed(d, &before, orbit_table_find(t, id));
        }
        dr_state incremental[4];
        uint32_t served[4];
        for (int k = 0; k < 4; k++) {
            incremental[k] = *orbit_deployment_dr(d, owners[k]);
            served[k] = orbit_deployment_users_served(d, owners[k]);
        }
        char serving[40][ORBIT_FQDN_MAX + 1];
        for (size_t u = 0; u < orbit_deployment_user_count(d); u++)
            snprintf(serving[u], sizeof serving[u], "%s", orbit_deployment_user_at(d, u)->serving);
        orbit_deployment_refresh(d);
        for (int k = 0; k < 4; k++) {
            const dr_state *full = orbit_deployment_dr(d, owners[k]);
            assert_string_equal(incremental[k].serving, full->serving);
            assert_int_equal(incremental[k].pickup_ranges_redirected,
                             full->pickup_ranges_redirected);
            assert_int_equal(served[k], orbit_deployment_users_served(d, owners[k]));
        }
        for (size_t u = 0; u < orbit_deployment_user_count(d); u++)
            assert_string_equal(serving[u], orbit_deployment_user_at(d, u)->serving);
    }
    orbit_deployment_free(d);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(pairs_must_be_symmetric),
    cmocka_unit_test(users_need_known_home_and_pickup_range),
    cmocka_unit_test(groups_count_members),
    cmocka_unit_test(serving_follows_the_phase),
    cmocka_unit_test(pickup_redirect_flag_follows_range_owner),
    cmocka_unit_test(incremental_updates_agree_with_a_full_refresh),
};

ORBIT_TEST_MAIN(tests)
