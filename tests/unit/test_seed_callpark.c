/* One test per cell of the Call Park table of 001_6dac52b255cf5a43.txt
 * ("Call Park experience during pool failure"), checked against the DR
 * table in core/dr_policy.c. Rows: not yet parked, parked not retrieved,
 * already retrieved. Columns: when outage occurs, during failover, during
 * failback. */
#include "test_main.h"

#include "dr_policy.h"

/* Row "Call not yet parked", column "When outage occurs":
 * "Call remains connected, but cannot be parked." */
static void callpark_not_parked__when_outage_occurs(void **state)
{
    (void)state;
    assert_int_equal(dr_fate_of(DR_EVENT_OUTAGE, DR_CALL_NOT_PARKED), DR_FATE_STAYS_CONNECTED);
    /* The users are still normal, served by the home pool, which is down. */
    assert_int_equal(dr_phase_after(DR_EVENT_OUTAGE, DR_PHASE_NORMAL), DR_PHASE_NORMAL);
    orbit_status st;
    assert_int_equal(dr_park_check(DR_PHASE_NORMAL, false, true, &st), ORBIT_ERR_POOL_UNREACHABLE);
    /* Nor can they park at the backup, which does not serve them yet. */
    assert_int_equal(dr_park_check(DR_PHASE_NORMAL, false, false, &st), ORBIT_ERR_POOL_UNREACHABLE);
}

/* Row "Call not yet parked", column "During failover": cannot be parked
 * while users are in resiliency mode (hold and transfer work); when
 * failover completes, can be parked and retrieved. */
static void callpark_not_parked__during_failover(void **state)
{
    (void)state;
    orbit_status st;
    assert_int_equal(dr_fate_of(DR_EVENT_FAILOVER_BEGIN, DR_CALL_NOT_PARKED),
                     DR_FATE_STAYS_CONNECTED);
    dr_phase during = dr_phase_after(DR_EVENT_FAILOVER_BEGIN, DR_PHASE_NORMAL);
    assert_int_equal(during, DR_PHASE_FAILING_OVER);
    assert_true(dr_phase_resiliency(during));
    assert_int_equal(dr_park_check(during, true, true, &st), ORBIT_ERR_RESILIENCY_MODE);
    assert_non_null(strstr(st.message, "hold and transfer"));

    dr_phase after = dr_phase_after(DR_EVENT_FAILOVER_COMPLETE, during);
    assert_int_equal(after, DR_PHASE_FAILED_OVER);
    assert_false(dr_phase_resiliency(after));
    /* Parked at the backup pool, which now serves them. */
    assert_true(dr_phase_served_by_backup(after));
    assert_int_equal(dr_park_check(after, true, true, &st), ORBIT_OK);
}

/* Row "Call not yet parked", column "During failback": cannot be parked
 * while users are in resiliency mode; when failback completes, can be. */
static void callpark_not_parked__during_failback(void **state)
{
    (void)state;
    orbit_status st;
    assert_int_equal(dr_fate_of(DR_EVENT_FAILBACK_BEGIN, DR_CALL_NOT_PARKED),
                     DR_FATE_STAYS_CONNECTED);
    dr_phase during = dr_phase_after(DR_EVENT_FAILBACK_BEGIN, DR_PHASE_FAILED_OVER);
    assert_int_equal(during, DR_PHASE_FAILING_BACK);
    assert_int_equal(dr_park_check(during, true, true, &st), ORBIT_ERR_RESILIENCY_MODE);

    dr_phase after = dr_phase_after(DR_EVENT_FAILBACK_COMPLETE, during);
    assert_int_equal(after, DR_PHASE_NORMAL);
    assert_false(dr_phase_served_by_backup(after));
    assert_int_equal(dr_park_check(after, true, true, &st), ORBIT_OK);
}

/* Row "Call parked, but not yet retrieved", column "When outage occurs":
 * "Call is disconnected." */
static void callpark_parked__when_outage_occurs(void **state)
{
    (void)state;
    assert_int_equal(dr_fate_of(DR_EVENT_OUTAGE, DR_CALL_PARKED), DR_FATE_DISCONNECTED);
}

/* Row "Call parked, but not yet retrieved", column "During failover":
 * "No calls in this state." None survive the start, and none can be
 * parked while it runs. */
static void callpark_parked__during_failover(void **state)
{
    (void)state;
    assert_int_equal(dr_fate_of(DR_EVENT_FAILOVER_BEGIN, DR_CALL_PARKED), DR_FATE_NONE_LEFT);
    assert_int_equal(dr_fate_of(DR_EVENT_FAILOVER_COMPLETE, DR_CALL_PARKED), DR_FATE_NONE_LEFT);
    orbit_status st;
    assert_int_not_equal(dr_park_check(DR_PHASE_FAILING_OVER, true, true, &st), ORBIT_OK);
}

/* Row "Call parked, but not yet retrieved", column "During failback":
 * "Call remains parked." (through the failback and after it) */
static void callpark_parked__during_failback(void **state)
{
    (void)state;
    assert_int_equal(dr_fate_of(DR_EVENT_FAILBACK_BEGIN, DR_CALL_PARKED), DR_FATE_REMAINS_PARKED);
    assert_int_equal(dr_fate_of(DR_EVENT_FAILBACK_COMPLETE, DR_CALL_PARKED),
                     DR_FATE_REMAINS_PARKED);
}

/* Row "Parked call already retrieved", column "When outage occurs":
 * "Call remains connected." */
static void callpark_retrieved__when_outage_occurs(void **state)
{
    (void)state;
    assert_int_equal(dr_fate_of(DR_EVENT_OUTAGE, DR_CALL_RETRIEVED), DR_FATE_STAYS_CONNECTED);
}

/* Row "Parked call already retrieved", column "During failover". */
static void callpark_retrieved__during_failover(void **state)
{
    (void)state;
    assert_int_equal(dr_fate_of(DR_EVENT_FAILOVER_BEGIN, DR_CALL_RETRIEVED),
                     DR_FATE_STAYS_CONNECTED);
    assert_int_equal(dr_fate_of(DR_EVENT_FAILOVER_COMPLETE, DR_CALL_RETRIEVED),
                     DR_FATE_STAYS_CONNECTED);
}

/* Row "Parked call already retrieved", column "During failback". */
static void callpark_retrieved__during_failback(void **state)
{
    (void)state;
    assert_int_equal(dr_fate_of(DR_EVENT_FAILBACK_BEGIN, DR_CALL_RETRIEVED),
                     DR_FATE_STAYS_CONNECTED);
    assert_int_equal(dr_fate_of(DR_EVENT_FAILBACK_COMPLETE, DR_CALL_RETRIEVED),
                     DR_FATE_STAYS_CONNECTED);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(callpark_not_parked__when_outage_occurs),
    cmocka_unit_test(callpark_not_parked__during_failover),
    cmocka_unit_test(callpark_not_parked__during_failback),
    cmocka_unit_test(callpark_parked__when_outage_occurs),
    cmocka_unit_test(callpark_parked__during_failover),
    cmocka_unit_test(callpark_parked__during_failback),
    cmocka_unit_test(callpark_retrieved__when_outage_occurs),
    cmocka_unit_test(callpark_retrieved__during_failover),
    cmocka_unit_test(callpark_retrieved__during_failback),
};

ORBIT_TEST_MAIN(tests)
