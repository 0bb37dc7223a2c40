/* One test per cell of the Group Call Pickup table of
 * 002_74bfdaef69ee923d.txt, checked against core/dr_policy.c. Rows: new
 * calls, calls in the pickup queue, established calls. Columns: failover
 * to backup pool, failback to primary pool. */
#include "test_main.h"

#include "dr_policy.h"

/* Row "New calls", column "Failover": not available in resiliency mode;
 * after failover, available once users are out of resiliency AND their
 * GroupPickup ranges are redirected to the backup pool. */
static void pickup_new_calls__failover(void **state)
{
    (void)state;
    orbit_status st;
    dr_phase during = dr_phase_after(DR_EVENT_FAILOVER_BEGIN, DR_PHASE_NORMAL);
    /* Whoever owns the range, resiliency mode forbids pickup. */
    assert_int_equal(dr_pickup_check(during, true, &st), ORBIT_ERR_PICKUP_UNAVAILABLE);
    assert_int_equal(dr_pickup_check(during, false, &st), ORBIT_ERR_PICKUP_UNAVAILABLE);

    dr_phase after = dr_phase_after(DR_EVENT_FAILOVER_COMPLETE, during);
    assert_true(dr_phase_served_by_backup(after));
    /* Ranges still owned by the home pool: not redirected yet. */
    assert_int_equal(dr_pickup_check(after, false, &st), ORBIT_ERR_PICKUP_UNAVAILABLE);
    assert_non_null(strstr(st.message, "redirected"));
    /* Ranges owned by the backup, which serves them now. */
    assert_int_equal(dr_pickup_check(after, true, &st), ORBIT_OK);
}

/* Row "New calls", column "Failback": not available in resiliency mode;
 * after failback, available once the ranges are redirected back. */
static void pickup_new_calls__failback(void **state)
{
    (void)state;
    orbit_status st;
    dr_phase during = dr_phase_after(DR_EVENT_FAILBACK_BEGIN, DR_PHASE_FAILED_OVER);
    assert_int_equal(dr_pickup_check(during, true, &st), ORBIT_ERR_PICKUP_UNAVAILABLE);
    assert_int_equal(dr_pickup_check(during, false, &st), ORBIT_ERR_PICKUP_UNAVAILABLE);

    dr_phase after = dr_phase_after(DR_EVENT_FAILBACK_COMPLETE, during);
    assert_int_equal(after, DR_PHASE_NORMAL);
    assert_false(dr_phase_served_by_backup(after));
    /* Ranges still at the backup: not redirected back yet. */
    assert_int_equal(dr_pickup_check(after, false, &st), ORBIT_ERR_PICKUP_UNAVAILABLE);
    assert_int_equal(dr_pickup_check(after, true, &st), ORBIT_OK);
}

/* Row "Calls in Group Call Pickup queue", column "Failover": cannot be
 * answered through pickup during failover; no calls in this state after. */
static void pickup_queued_calls__failover(void **state)
{
    (void)state;
    assert_int_equal(dr_fate_of(DR_EVENT_FAILOVER_BEGIN, DR_CALL_PICKUP_QUEUED),
                     DR_FATE_UNPICKABLE);
    assert_int_equal(dr_fate_of(DR_EVENT_FAILOVER_COMPLETE, DR_CALL_PICKUP_QUEUED),
                     DR_FATE_NONE_LEFT);
}

/* Row "Calls in Group Call Pickup queue", column "Failback": cannot be
 * answered through pickup during failback, nor after it. */
static void pickup_queued_calls__failback(void **state)
{
    (void)state;
    assert_int_equal(dr_fate_of(DR_EVENT_FAILBACK_BEGIN, DR_CALL_PICKUP_QUEUED),
                     DR_FATE_UNPICKABLE);
    assert_int_equal(dr_fate_of(DR_EVENT_FAILBACK_COMPLETE, DR_CALL_PICKUP_QUEUED),
                     DR_FATE_UNPICKABLE);
}

/* Row "Established call", column "Failover": calls stay connected. */
static void pickup_established_calls__failover(void **state)
{
    (void)state;
    assert_int_equal(dr_fate_of(DR_EVENT_FAILOVER_BEGIN, DR_CALL_ESTABLISHED),
                     DR_FATE_STAYS_CONNECTED);
    assert_int_equal(dr_fate_of(DR_EVENT_FAILOVER_COMPLETE, DR_CALL_ESTABLISHED),
                     DR_FATE_STAYS_CONNECTED);
}

/* Row "Established call", column "Failback": calls stay connected. */
static void pickup_established_calls__failback(void **state)
{
    (void)state;
    assert_int_equal(dr_fate_of(DR_EVENT_FAILBACK_BEGIN, DR_CALL_ESTABLISHED),
                     DR_FATE_STAYS_CONNECTED);
    assert_int_equal(dr_fate_of(DR_EVENT_FAILBACK_COMPLETE, DR_CALL_ESTABLISHED),
                     DR_FATE_STAYS_CONNECTED);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(pickup_new_calls__failover),
    cmocka_unit_test(pickup_new_calls__failback),
    cmocka_unit_test(pickup_queued_calls__failover),
    cmocka_unit_test(pickup_queued_calls__failback),
    cmocka_unit_test(pickup_established_calls__failover),
    cmocka_unit_test(pickup_established_calls__failback),
};

ORBIT_TEST_MAIN(tests)
