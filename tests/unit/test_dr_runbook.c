/* dr_runbook: the runbook record every pool and client agree on: its
 * JSON form round-trips and refuses what a terminal must not show, its
 * state follows its steps, and it holds the pools it works on. */
#include "test_main.h"

#include "dr_runbook.h"

#include <stdio.h>

static dr_runbook sample(void)
{
    dr_runbook r;
    memset(&r, 0, sizeof r);
    snprintf(r.home, sizeof r.home, "pool1.north.example.net");
    snprintf(r.backup, sizeof r.backup, "pool2.south.example.net");
    snprintf(r.run_id, sizeof r.run_id, "0123456789abcdef");
    snprintf(r.holder, sizeof r.holder, "noc (orbitop/0.1 from 10.0.0.7)");
    r.kind = DR_RUNBOOK_FAILOVER;
    r.rto_s = 1800;
    r.started_ms = 1000;
    const char *names[] = {"preflight", "confirm", "failover", "redirect", "verify", "done"};
    for (size_t i = 0; i < 6; i++)
        snprintf(r.steps[r.nsteps++].name, DR_RUNBOOK_STEP_MAX + 1, "%s", names[i]);
    return r;
}

static void json_round_trips(void **state)
{
    (void)state;
    dr_runbook r = sample(), back;
    r.steps[0].state = DR_STEP_DONE;
    r.steps[0].started_ms = 1500;
    r.steps[0].ended_ms = 1600;
    snprintf(r.steps[0].detail, sizeof r.steps[0].detail, "ready; disaster_mode proposed");
    json_t *j = dr_runbook_to_json(&r);
    orbit_status st;
    assert_int_equal(dr_runbook_from_json(j, &back, &st), ORBIT_OK);
    json_decref(j);
    assert_memory_equal(&r.steps[0], &back.steps[0], sizeof r.steps[0]);
    assert_string_equal(back.holder, r.holder);
    assert_int_equal(back.nsteps, 6);
    assert_int_equal(back.kind, DR_RUNBOOK_FAILOVER);
}

/* A runbook without a backup (an event that named none) is written with
 * a null backup and reads back: the fuzzer found "backup": "" refused on
 * the way back. */
static void a_runbook_without_a_backup_round_trips(void **state)
{
    (void)state;
    dr_runbook r = sample(), back;
    r.backup[0] = '\0';
    json_t *j = dr_runbook_to_json(&r);
    assert_non_null(j);
    assert_true(json_is_null(json_object_get(j, "backup")));
    orbit_status st;
    assert_int_equal(dr_runbook_from_json(j, &back, &st), ORBIT_OK);
    assert_string_equal(back.backup, "");
    assert_string_equal(back.home, r.home);
    json_decref(j);
}

static void unsafe_text_is_refused(void **state)
{
    (void)state;
    dr_runbook r = sample(), back;
    json_t *j = dr_runbook_to_json(&r);
    json_t *steps = json_object_get(j, "steps");
    json_object_set_new(json_array_get(steps, 0), "detail", json_string("bad\x1b[2J"));
    orbit_status st;
    assert_int_equal(dr_runbook_from_json(j, &back, &st), ORBIT_ERR_BAD_REQUEST);
    json_object_set_new(json_array_get(steps, 0), "detail", json_string("fine"));
    json_object_set_new(j, "holder",
                        json_string("x\xe2\x80\xae"
                                    "evil"));
    assert_int_equal(dr_runbook_from_json(j, &back, &st), ORBIT_ERR_BAD_REQUEST);
    json_decref(j);
    assert_non_null(dr_runbook_step_name_check("Preflight"));
    assert_null(dr_runbook_step_name_check("new_pool_up"));
    assert_non_null(dr_runbook_run_id_check("0123"));
    assert_non_null(dr_runbook_run_id_check("0123456789ABCDEF"));
}

static void the_state_follows_the_steps(void **state)
{
    (void)state;
    dr_runbook r = sample();
    assert_int_equal(dr_runbook_state_of(&r), DR_RUNBOOK_RUNNING);
    r.steps[2].state = DR_STEP_FAILED;
    assert_int_equal(dr_runbook_state_of(&r), DR_RUNBOOK_FAILED);
    for (size_t i = 0; i < r.nsteps; i++)
        r.steps[i].state = i == 3 ? DR_STEP_SKIPPED : DR_STEP_DONE;
    assert_int_equal(dr_runbook_state_of(&r), DR_RUNBOOK_DONE);
    r.state = DR_RUNBOOK_ABANDONED;
    assert_int_equal(dr_runbook_state_of(&r), DR_RUNBOOK_ABANDONED);
}

static void an_active_runbook_holds_its_pools(void **state)
{
    (void)state;
    dr_runbook r = sample();
    snprintf(r.replacement, sizeof r.replacement, "pool5.north.example.net");
    r.state = DR_RUNBOOK_FAILED;
    assert_true(dr_runbook_active(&r));
    assert_true(dr_runbook_touches(&r, "pool2.south.example.net"));
    assert_true(dr_runbook_touches(&r, "pool5.north.example.net"));
    assert_false(dr_runbook_touches(&r, "pool3.north.example.net"));
    assert_false(dr_runbook_touches(&r, ""));
    r.state = DR_RUNBOOK_DONE;
    assert_false(dr_runbook_active(&r));
    assert_int_equal(dr_runbook_step_index(&r, "redirect"), 3);
    assert_int_equal(dr_runbook_step_index(&r, "nope"), -1);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_round_trips),
        cmocka_unit_test(a_runbook_without_a_backup_round_trips),
        cmocka_unit_test(unsafe_text_is_refused),
        cmocka_unit_test(the_state_follows_the_steps),
        cmocka_unit_test(an_active_runbook_holds_its_pools),
    };
    return orbit_test_run(argc, argv, "unit_dr_runbook", tests, sizeof tests / sizeof tests[0]);
}
