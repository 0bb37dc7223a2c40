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

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(pairs_must_be_symmetric),
    cmocka_unit_test(users_need_known_home_and_pickup_range),
    cmocka_unit_test(groups_count_members),
    cmocka_unit_test(serving_follows_the_phase),
    cmocka_unit_test(pickup_redirect_flag_follows_range_owner),
};

ORBIT_TEST_MAIN(tests)
