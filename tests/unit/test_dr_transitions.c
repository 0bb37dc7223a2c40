/* The DR state machine: transitions and their preconditions. */
#include "test_main.h"

#include "dr_policy.h"

static dr_request ready_for_failover(void)
{
    dr_request r = {
        .phase = DR_PHASE_NORMAL,
        .home_has_backup = true,
        .asked_at_backup = true,
        .home_up = true,
        .backup_up = true,
        .disaster_mode = false,
        .backup_callpark_numbers = 100,
        .backup_phase = DR_PHASE_NORMAL,
    };
    return r;
}

static void full_cycle_normal_to_normal(void **state)
{
    (void)state;
    dr_request r = ready_for_failover();
    dr_phase next;
    orbit_status st;
    assert_int_equal(dr_transition_check(DR_EVENT_FAILOVER_BEGIN, &r, &next, &st), ORBIT_OK);
    assert_int_equal(next, DR_PHASE_FAILING_OVER);
    r.phase = next;
    assert_int_equal(dr_transition_check(DR_EVENT_FAILOVER_COMPLETE, &r, &next, &st), ORBIT_OK);
    assert_int_equal(next, DR_PHASE_FAILED_OVER);
    r.phase = next;
    assert_int_equal(dr_transition_check(DR_EVENT_FAILBACK_BEGIN, &r, &next, &st), ORBIT_OK);
    assert_int_equal(next, DR_PHASE_FAILING_BACK);
    r.phase = next;
    assert_int_equal(dr_transition_check(DR_EVENT_FAILBACK_COMPLETE, &r, &next, &st), ORBIT_OK);
    assert_int_equal(next, DR_PHASE_NORMAL);
}

static void failover_needs_a_backup(void **state)
{
    (void)state;
    dr_request r = ready_for_failover();
    r.home_has_backup = false;
    orbit_status st;
    assert_int_equal(dr_transition_check(DR_EVENT_FAILOVER_BEGIN, &r, NULL, &st),
                     ORBIT_ERR_CONFLICT);
    assert_non_null(strstr(st.message, "no backup"));
}

static void failover_runs_on_the_backup_pool(void **state)
{
    (void)state;
    dr_request r = ready_for_failover();
    r.asked_at_backup = false;
    orbit_status st;
    assert_int_equal(dr_transition_check(DR_EVENT_FAILOVER_BEGIN, &r, NULL, &st),
                     ORBIT_ERR_WRONG_POOL);
}

static void failover_of_down_home_needs_disaster_mode(void **state)
{
    (void)state;
    dr_request r = ready_for_failover();
    r.home_up = false;
    orbit_status st;
    assert_int_equal(dr_transition_check(DR_EVENT_FAILOVER_BEGIN, &r, NULL, &st),
                     ORBIT_ERR_POOL_UNREACHABLE);
    assert_non_null(strstr(st.message, "disaster_mode"));
    r.disaster_mode = true;
    assert_int_equal(dr_transition_check(DR_EVENT_FAILOVER_BEGIN, &r, NULL, &st), ORBIT_OK);
}

static void failover_needs_backup_up(void **state)
{
    (void)state;
    dr_request r = ready_for_failover();
    r.backup_up = false;
    orbit_status st;
    assert_int_equal(dr_transition_check(DR_EVENT_FAILOVER_BEGIN, &r, NULL, &st),
                     ORBIT_ERR_POOL_UNREACHABLE);
}

static void failover_needs_backup_callpark_range(void **state)
{
    (void)state;
    dr_request r = ready_for_failover();
    r.backup_callpark_numbers = 0;
    orbit_status st;
    assert_int_equal(dr_transition_check(DR_EVENT_FAILOVER_BEGIN, &r, NULL, &st),
                     ORBIT_ERR_CONFLICT);
    assert_non_null(strstr(st.message, "CallPark"));
}

static void failover_refused_when_backup_itself_failed_over(void **state)
{
    (void)state;
    dr_request r = ready_for_failover();
    r.backup_phase = DR_PHASE_FAILED_OVER;
    orbit_status st;
    assert_int_equal(dr_transition_check(DR_EVENT_FAILOVER_BEGIN, &r, NULL, &st),
                     ORBIT_ERR_CONFLICT);
}

static void failover_only_from_normal(void **state)
{
    (void)state;
    dr_request r = ready_for_failover();
    orbit_status st;
    for (int p = DR_PHASE_FAILING_OVER; p < DR_PHASE_COUNT; p++) {
        r.phase = (dr_phase)p;
        assert_int_equal(dr_transition_check(DR_EVENT_FAILOVER_BEGIN, &r, NULL, &st),
                         ORBIT_ERR_CONFLICT);
    }
}

static void failback_only_from_failed_over(void **state)
{
    (void)state;
    dr_request r = ready_for_failover();
    orbit_status st;
    dr_phase phases[] = {DR_PHASE_NORMAL, DR_PHASE_FAILING_OVER, DR_PHASE_FAILING_BACK};
    for (size_t i = 0; i < 3; i++) {
        r.phase = phases[i];
        assert_int_equal(dr_transition_check(DR_EVENT_FAILBACK_BEGIN, &r, NULL, &st),
                         ORBIT_ERR_CONFLICT);
        assert_non_null(strstr(st.message, "failed_over"));
    }
    r.phase = DR_PHASE_FAILED_OVER;
    assert_int_equal(dr_transition_check(DR_EVENT_FAILBACK_BEGIN, &r, NULL, &st), ORBIT_OK);
}

static void failback_needs_home_pool_up(void **state)
{
    (void)state;
    dr_request r = ready_for_failover();
    r.phase = DR_PHASE_FAILED_OVER;
    r.home_up = false;
    r.disaster_mode = true;
    orbit_status st;
    assert_int_equal(dr_transition_check(DR_EVENT_FAILBACK_BEGIN, &r, NULL, &st),
                     ORBIT_ERR_POOL_UNREACHABLE);
}

static void completion_only_from_running_phase(void **state)
{
    (void)state;
    dr_request r = ready_for_failover();
    orbit_status st;
    assert_int_equal(dr_transition_check(DR_EVENT_FAILOVER_COMPLETE, &r, NULL, &st),
                     ORBIT_ERR_CONFLICT);
    r.phase = DR_PHASE_FAILED_OVER;
    assert_int_equal(dr_transition_check(DR_EVENT_FAILBACK_COMPLETE, &r, NULL, &st),
                     ORBIT_ERR_CONFLICT);
}

static void outage_is_not_a_transition(void **state)
{
    (void)state;
    dr_request r = ready_for_failover();
    orbit_status st;
    assert_int_equal(dr_transition_check(DR_EVENT_OUTAGE, &r, NULL, &st), ORBIT_ERR_BAD_REQUEST);
    for (int p = 0; p < DR_PHASE_COUNT; p++)
        assert_int_equal(dr_phase_after(DR_EVENT_OUTAGE, (dr_phase)p), p);
}

static void resiliency_and_serving_per_phase(void **state)
{
    (void)state;
    assert_false(dr_phase_resiliency(DR_PHASE_NORMAL));
    assert_true(dr_phase_resiliency(DR_PHASE_FAILING_OVER));
    assert_false(dr_phase_resiliency(DR_PHASE_FAILED_OVER));
    assert_true(dr_phase_resiliency(DR_PHASE_FAILING_BACK));
    assert_false(dr_phase_served_by_backup(DR_PHASE_NORMAL));
    assert_true(dr_phase_served_by_backup(DR_PHASE_FAILING_OVER));
    assert_true(dr_phase_served_by_backup(DR_PHASE_FAILED_OVER));
    assert_false(dr_phase_served_by_backup(DR_PHASE_FAILING_BACK));
}

static void phase_names_round_trip(void **state)
{
    (void)state;
    for (int p = 0; p < DR_PHASE_COUNT; p++) {
        dr_phase back;
        assert_true(dr_phase_from_name(dr_phase_name((dr_phase)p), &back));
        assert_int_equal(back, p);
    }
    dr_phase x;
    assert_false(dr_phase_from_name("failed", &x));
    assert_string_equal(dr_phase_name(DR_PHASE_FAILING_BACK), "failing_back");
}

static void park_refused_at_wrong_pool(void **state)
{
    (void)state;
    orbit_status st;
    assert_int_equal(dr_park_check(DR_PHASE_NORMAL, true, false, &st), ORBIT_ERR_NOT_SERVED_HERE);
    assert_int_equal(dr_park_check(DR_PHASE_NORMAL, true, true, &st), ORBIT_OK);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(full_cycle_normal_to_normal),
    cmocka_unit_test(failover_needs_a_backup),
    cmocka_unit_test(failover_runs_on_the_backup_pool),
    cmocka_unit_test(failover_of_down_home_needs_disaster_mode),
    cmocka_unit_test(failover_needs_backup_up),
    cmocka_unit_test(failover_needs_backup_callpark_range),
    cmocka_unit_test(failover_refused_when_backup_itself_failed_over),
    cmocka_unit_test(failover_only_from_normal),
    cmocka_unit_test(failback_only_from_failed_over),
    cmocka_unit_test(failback_needs_home_pool_up),
    cmocka_unit_test(completion_only_from_running_phase),
    cmocka_unit_test(outage_is_not_a_transition),
    cmocka_unit_test(resiliency_and_serving_per_phase),
    cmocka_unit_test(phase_names_round_trip),
    cmocka_unit_test(park_refused_at_wrong_pool),
};

ORBIT_TEST_MAIN(tests)
