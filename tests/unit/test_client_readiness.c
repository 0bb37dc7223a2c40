/* client_readiness: each DR readiness check failing, with what is wrong
 * and how to fix it, and passing; and a pair is ready only when every
 * check passes for both of its pools. */
#include "test_main.h"

#include "client_readiness.h"

#include <stdio.h>

#define P1 "pool1.north.example.net"
#define P2 "pool2.south.example.net"

/* A healthy pool: up, seen, ranges with room, backed up, redirected. */
static client_ready_pool healthy(const char *fqdn, const char *backup)
{
    client_ready_pool p;
    memset(&p, 0, sizeof p);
    snprintf(p.fqdn, sizeof p.fqdn, "%s", fqdn);
    snprintf(p.backup, sizeof p.backup, "%s", backup);
    snprintf(p.serving, sizeof p.serving, "%s", fqdn);
    p.status = POOL_STATUS_UP;
    p.seen = true;
    p.callpark_ranges = 1;
    p.callpark_orbits = 200;
    p.free_orbits = 195;
    p.parked = 5;
    p.parked_peak = 12;
    p.users_homed = 40;
    p.pickup_groups = 4;
    p.vault = true;
    p.moh_known = true;
    p.moh_in_vault = true;
    snprintf(p.moh_name, sizeof p.moh_name, "lobby.wav");
    snprintf(p.moh_sha256, sizeof p.moh_sha256, "%064d", 7);
    p.settings_known = true;
    p.settings_in_vault = true;
    p.phase = DR_PHASE_NORMAL;
    p.pickup_redirected = true;
    return p;
}

static client_ready_verdict run(client_ready_check c, const client_ready_pool *p,
                                const client_ready_pool *partner, client_ready_problem *pr)
{
    return client_readiness_check(c, p, partner, pr);
}

/* ---- Call Park up and enabled ---- */

static void callpark_up_fails_for_a_down_pool(void **state)
{
    (void)state;
    client_ready_pool a = healthy(P1, P2), b = healthy(P2, P1);
    a.status = POOL_STATUS_DOWN;
    client_ready_problem pr;
    assert_int_equal(run(CLIENT_READY_CALLPARK_UP, &a, &b, &pr), CLIENT_READY_FAIL);
    assert_string_equal(pr.pool, P1);
    assert_non_null(strstr(pr.what, "is down"));
    assert_non_null(strstr(pr.fix, "fail its users over to " P2));
    a.status = POOL_STATUS_UP;
    a.degraded = true;
    assert_int_equal(run(CLIENT_READY_CALLPARK_UP, &a, &b, &pr), CLIENT_READY_FAIL);
    assert_non_null(strstr(pr.what, "deployment store"));
}

static void callpark_up_passes_for_a_live_pool(void **state)
{
    (void)state;
    client_ready_pool a = healthy(P1, P2), b = healthy(P2, P1);
    client_ready_problem pr;
    assert_int_equal(run(CLIENT_READY_CALLPARK_UP, &a, &b, &pr), CLIENT_READY_OK);
    a.seen = false; /* up, but this client never had its state */
    assert_int_equal(run(CLIENT_READY_CALLPARK_UP, &a, &b, &pr), CLIENT_READY_UNKNOWN);
}

/* ---- a CallPark range with free orbits ---- */

static void callpark_ranges_fails_without_a_range_or_a_free_orbit(void **state)
{
    (void)state;
    client_ready_pool a = healthy(P1, P2), b = healthy(P2, P1);
    a.callpark_ranges = 0;
    a.callpark_orbits = a.free_orbits = 0;
    client_ready_problem pr;
    assert_int_equal(run(CLIENT_READY_CALLPARK_RANGES, &a, &b, &pr), CLIENT_READY_FAIL);
    assert_non_null(strstr(pr.what, "owns no CallPark range"));
    assert_non_null(strstr(pr.fix, "orbit create"));
    a = healthy(P1, P2);
    a.free_orbits = 0;
    assert_int_equal(run(CLIENT_READY_CALLPARK_RANGES, &a, &b, &pr), CLIENT_READY_FAIL);
    assert_non_null(strstr(pr.what, "is taken"));
}

static void callpark_ranges_passes_with_free_orbits(void **state)
{
    (void)state;
    client_ready_pool a = healthy(P1, P2), b = healthy(P2, P1);
    client_ready_problem pr;
    a.free_orbits = 1;
    assert_int_equal(run(CLIENT_READY_CALLPARK_RANGES, &a, &b, &pr), CLIENT_READY_OK);
}

/* ---- capacity for both pools' load ---- */

static void capacity_fails_for_an_overloaded_pair(void **state)
{
    (void)state;
    client_ready_pool a = healthy(P1, P2), b = healthy(P2, P1);
    client_ready_problem pr;
    /* Orbits: P2 has 10, its own peak is 4 and P1's 7. */
    b.callpark_orbits = 10;
    a.parked = b.parked = 0;
    a.parked_peak = 7;
    b.parked_peak = 4;
    assert_int_equal(run(CLIENT_READY_CAPACITY, &b, &a, &pr), CLIENT_READY_FAIL);
    assert_string_equal(pr.pool, P2);
    assert_non_null(strstr(pr.what, "up to 11 parked calls"));
    assert_non_null(strstr(pr.fix, "at least 11 CallPark orbits"));
    /* Current load counts when above the peak seen. */
    b = healthy(P2, P1);
    b.callpark_orbits = 10;
    a.parked = 9;
    a.parked_peak = 0;
    b.parked = 2;
    b.parked_peak = 0;
    assert_int_equal(run(CLIENT_READY_CAPACITY, &b, &a, &pr), CLIENT_READY_FAIL);
    /* Users: more than an 8-server pool carries. */
    a = healthy(P1, P2);
    b = healthy(P2, P1);
    a.users_homed = 20000;
    b.users_homed = 6000;
    assert_int_equal(run(CLIENT_READY_CAPACITY, &a, &b, &pr), CLIENT_READY_FAIL);
    assert_non_null(strstr(pr.what, "26000 users"));
    /* Pickup groups. */
    a = healthy(P1, P2);
    a.pickup_groups = 300;
    b.users_homed = 40;
    b.pickup_groups = 201;
    assert_int_equal(run(CLIENT_READY_CAPACITY, &a, &b, &pr), CLIENT_READY_FAIL);
    assert_non_null(strstr(pr.what, "501 pickup groups"));
}

static void capacity_passes_when_each_pool_carries_both(void **state)
{
    (void)state;
    client_ready_pool a = healthy(P1, P2), b = healthy(P2, P1);
    client_ready_problem pr;
    b.callpark_orbits = 24; /* exactly both peaks (12 + 12) */
    assert_int_equal(run(CLIENT_READY_CAPACITY, &b, &a, &pr), CLIENT_READY_OK);
    a.users_homed = 12500;
    b.users_homed = 12500;
    assert_int_equal(run(CLIENT_READY_CAPACITY, &a, &b, &pr), CLIENT_READY_OK);
    assert_int_equal(run(CLIENT_READY_CAPACITY, &a, NULL, &pr), CLIENT_READY_OK);
}

/* ---- the music on hold in the vault ---- */

static void moh_backup_fails_when_the_vault_lacks_the_file(void **state)
{
    (void)state;
    client_ready_pool a = healthy(P1, P2), b = healthy(P2, P1);
    client_ready_problem pr;
    a.moh_in_vault = false;
    assert_int_equal(run(CLIENT_READY_MOH_BACKUP, &a, &b, &pr), CLIENT_READY_FAIL);
    assert_non_null(strstr(pr.what, "lobby.wav"));
    assert_non_null(strstr(pr.what, "not in the backup vault"));
    assert_non_null(strstr(pr.fix, "moh backup"));
    a.vault = false;
    assert_int_equal(run(CLIENT_READY_MOH_BACKUP, &a, &b, &pr), CLIENT_READY_FAIL);
    assert_non_null(strstr(pr.fix, "--vault"));
}

static void moh_backup_passes_when_kept_or_default(void **state)
{
    (void)state;
    client_ready_pool a = healthy(P1, P2), b = healthy(P2, P1);
    client_ready_problem pr;
    assert_int_equal(run(CLIENT_READY_MOH_BACKUP, &a, &b, &pr), CLIENT_READY_OK);
    a.moh_in_vault = false;
    a.moh_default = true; /* it ships with orbit */
    assert_int_equal(run(CLIENT_READY_MOH_BACKUP, &a, &b, &pr), CLIENT_READY_OK);
}

/* ---- the settings in the vault ---- */

static void settings_backup_fails_when_the_vault_lacks_them(void **state)
{
    (void)state;
    client_ready_pool a = healthy(P1, P2), b = healthy(P2, P1);
    client_ready_problem pr;
    a.settings_in_vault = false;
    assert_int_equal(run(CLIENT_READY_SETTINGS_BACKUP, &a, &b, &pr), CLIENT_READY_FAIL);
    assert_non_null(strstr(pr.what, "settings are not in the backup vault"));
    assert_non_null(strstr(pr.fix, "cps get"));
    a.settings_known = false;
    assert_int_equal(run(CLIENT_READY_SETTINGS_BACKUP, &a, &b, &pr), CLIENT_READY_UNKNOWN);
}

static void settings_backup_passes_when_kept(void **state)
{
    (void)state;
    client_ready_pool a = healthy(P1, P2), b = healthy(P2, P1);
    client_ready_problem pr;
    assert_int_equal(run(CLIENT_READY_SETTINGS_BACKUP, &a, &b, &pr), CLIENT_READY_OK);
}

/* ---- GroupPickup ranges with the pool serving their users ---- */

static void pickup_ranges_fails_for_a_range_left_on_the_wrong_pool(void **state)
{
    (void)state;
    client_ready_pool a = healthy(P1, P2), b = healthy(P2, P1);
    client_ready_problem pr;
    a.pickup_redirected = false;
    assert_int_equal(run(CLIENT_READY_PICKUP_RANGES, &a, &b, &pr), CLIENT_READY_FAIL);
    assert_non_null(strstr(pr.what, "not on " P1));
    assert_non_null(strstr(pr.fix, "pool redirect " P1));
    /* During a phase, the fix says to wait for it. */
    a.phase = DR_PHASE_FAILING_OVER;
    snprintf(a.serving, sizeof a.serving, "%s", P2);
    assert_int_equal(run(CLIENT_READY_PICKUP_RANGES, &a, &b, &pr), CLIENT_READY_FAIL);
    assert_non_null(strstr(pr.fix, "once the failing_over phase completes"));
}

static void pickup_ranges_passes_when_redirected(void **state)
{
    (void)state;
    client_ready_pool a = healthy(P1, P2), b = healthy(P2, P1);
    client_ready_problem pr;
    a.phase = DR_PHASE_FAILED_OVER;
    snprintf(a.serving, sizeof a.serving, "%s", P2);
    assert_int_equal(run(CLIENT_READY_PICKUP_RANGES, &a, &b, &pr), CLIENT_READY_OK);
}

/* ---- pairs ---- */

static void a_pair_is_ready_only_when_every_check_passes_for_both(void **state)
{
    (void)state;
    client_ready_pool a = healthy(P1, P2), b = healthy(P2, P1);
    client_ready_pair pair;
    client_readiness_pair(&a, &b, &pair);
    assert_true(pair.ready);
    assert_int_equal(pair.nproblems, 0);
    b.settings_in_vault = false;
    a.pickup_redirected = false;
    client_readiness_pair(&a, &b, &pair);
    assert_false(pair.ready);
    assert_int_equal(pair.nproblems, 2);
    assert_int_equal(pair.verdict[CLIENT_READY_SETTINGS_BACKUP], CLIENT_READY_FAIL);
    assert_int_equal(pair.verdict[CLIENT_READY_PICKUP_RANGES], CLIENT_READY_FAIL);
    assert_int_equal(pair.verdict[CLIENT_READY_MOH_BACKUP], CLIENT_READY_OK);
    json_t *j = client_readiness_json(&pair, 1);
    assert_false(json_is_true(json_object_get(j, "ready")));
    json_t *checks = json_object_get(json_array_get(json_object_get(j, "pairs"), 0), "checks");
    assert_int_equal(json_array_size(checks), CLIENT_READY_CHECK_COUNT);
    json_decref(j);
    /* An unpaired pool has no backup: not ready. */
    client_readiness_pair(&a, NULL, &pair);
    assert_false(pair.ready);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(callpark_up_fails_for_a_down_pool),
        cmocka_unit_test(callpark_up_passes_for_a_live_pool),
        cmocka_unit_test(callpark_ranges_fails_without_a_range_or_a_free_orbit),
        cmocka_unit_test(callpark_ranges_passes_with_free_orbits),
        cmocka_unit_test(capacity_fails_for_an_overloaded_pair),
        cmocka_unit_test(capacity_passes_when_each_pool_carries_both),
        cmocka_unit_test(moh_backup_fails_when_the_vault_lacks_the_file),
        cmocka_unit_test(moh_backup_passes_when_kept_or_default),
        cmocka_unit_test(settings_backup_fails_when_the_vault_lacks_them),
        cmocka_unit_test(settings_backup_passes_when_kept),
        cmocka_unit_test(pickup_ranges_fails_for_a_range_left_on_the_wrong_pool),
        cmocka_unit_test(pickup_ranges_passes_when_redirected),
        cmocka_unit_test(a_pair_is_ready_only_when_every_check_passes_for_both),
    };
    return orbit_test_run(argc, argv, "unit_client_readiness", tests,
                          sizeof tests / sizeof tests[0]);
}
