/* The SIP edge's event filter: it passes the later events of the calls
 * the edge carries and nothing of calls carried over orbit.v1, and a call
 * queued and parked at once under one call_id is followed as both. */
#include "test_main.h"

#include "sip_call_filter.h"

static json_t *call(const char *call_id, const char *transport)
{
    json_t *o = json_pack("{s:s}", "call_id", call_id);
    if (transport)
        json_object_set_new(o, "transport", json_string(transport));
    return o;
}

static bool wants(sip_call_filter *f, orbit_event_kind kind, const char *call_id,
                  const char *transport)
{
    json_t *data = call(call_id, transport);
    bool w = sip_call_filter_wants(f, kind, data);
    json_decref(data);
    return w;
}

static void a_sip_parked_call_is_followed_to_its_end(void **state)
{
    (void)state;
    sip_call_filter *f = sip_call_filter_new();
    assert_non_null(f);
    assert_false(wants(f, ORBIT_EV_CALL_PARKED, "c1", "sip")); /* the edge made it */
    assert_int_equal(sip_call_filter_count(f), 1);
    assert_true(wants(f, ORBIT_EV_CALL_RINGBACK, "c1", NULL));
    assert_true(wants(f, ORBIT_EV_CALL_REPARKED, "c1", NULL));
    assert_true(wants(f, ORBIT_EV_CALL_RETRIEVED, "c1", NULL));
    assert_int_equal(sip_call_filter_count(f), 0);
    /* Ended: later events of the same id are not its. */
    assert_false(wants(f, ORBIT_EV_CALL_RINGBACK, "c1", NULL));
    sip_call_filter_free(f);
}

static void calls_over_orbit_v1_pass_nothing(void **state)
{
    (void)state;
    sip_call_filter *f = sip_call_filter_new();
    assert_false(wants(f, ORBIT_EV_CALL_PARKED, "a1", "api"));
    assert_false(wants(f, ORBIT_EV_CALL_PARKED, "a2", NULL)); /* api by default */
    assert_false(wants(f, ORBIT_EV_PICKUP_QUEUED, "a3", "api"));
    assert_false(wants(f, ORBIT_EV_CALL_RINGBACK, "a1", NULL));
    assert_false(wants(f, ORBIT_EV_CALL_DISCONNECTED, "a2", NULL));
    assert_false(wants(f, ORBIT_EV_PICKUP_VOICEMAIL, "a3", NULL));
    assert_false(wants(f, ORBIT_EV_ORBIT_CREATED, "a1", NULL));
    assert_int_equal(sip_call_filter_count(f), 0);
    sip_call_filter_free(f);
}

static void a_queued_sip_call_passes_voicemail_and_drop_only(void **state)
{
    (void)state;
    sip_call_filter *f = sip_call_filter_new();
    assert_false(wants(f, ORBIT_EV_PICKUP_QUEUED, "q1", "sip"));
    assert_false(wants(f, ORBIT_EV_PICKUP_UNPICKABLE, "q1", NULL));
    assert_true(wants(f, ORBIT_EV_PICKUP_VOICEMAIL, "q1", NULL));
    assert_int_equal(sip_call_filter_count(f), 0);
    assert_false(wants(f, ORBIT_EV_PICKUP_QUEUED, "q2", "sip"));
    assert_false(wants(f, ORBIT_EV_PICKUP_TAKEN, "q2", NULL)); /* the edge took it */
    assert_int_equal(sip_call_filter_count(f), 0);
    assert_false(wants(f, ORBIT_EV_PICKUP_DROPPED, "q2", NULL));
    sip_call_filter_free(f);
}

static void queued_and_parked_under_one_id_end_apart(void **state)
{
    (void)state;
    sip_call_filter *f = sip_call_filter_new();
    /* The callee answers a ringing SIP call, then parks it before the
     * queue entry is answered: one call_id, both roles. */
    assert_false(wants(f, ORBIT_EV_PICKUP_QUEUED, "x1", "sip"));
    assert_false(wants(f, ORBIT_EV_CALL_PARKED, "x1", "sip"));
    assert_false(wants(f, ORBIT_EV_PICKUP_ANSWERED, "x1", NULL));
    /* The queue entry ended; the parked call is still followed. */
    assert_int_equal(sip_call_filter_count(f), 1);
    assert_true(wants(f, ORBIT_EV_CALL_RINGBACK, "x1", NULL));
    assert_true(wants(f, ORBIT_EV_CALL_DISCONNECTED, "x1", NULL));
    assert_int_equal(sip_call_filter_count(f), 0);
    /* And the other way round: parked ends first, then the queue. */
    assert_false(wants(f, ORBIT_EV_PICKUP_QUEUED, "x2", "sip"));
    assert_false(wants(f, ORBIT_EV_CALL_PARKED, "x2", "sip"));
    assert_true(wants(f, ORBIT_EV_CALL_FORWARDED, "x2", NULL));
    assert_true(wants(f, ORBIT_EV_PICKUP_DROPPED, "x2", NULL));
    assert_int_equal(sip_call_filter_count(f), 0);
    sip_call_filter_free(f);
}

static void events_without_a_call_id_pass_nothing(void **state)
{
    (void)state;
    sip_call_filter *f = sip_call_filter_new();
    json_t *data = json_pack("{s:s}", "transport", "sip");
    assert_false(sip_call_filter_wants(f, ORBIT_EV_CALL_PARKED, data));
    assert_false(sip_call_filter_wants(f, ORBIT_EV_CALL_RINGBACK, data));
    json_decref(data);
    assert_int_equal(sip_call_filter_count(f), 0);
    sip_call_filter_free(f);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(a_sip_parked_call_is_followed_to_its_end),
    cmocka_unit_test(calls_over_orbit_v1_pass_nothing),
    cmocka_unit_test(a_queued_sip_call_passes_voicemail_and_drop_only),
    cmocka_unit_test(queued_and_parked_under_one_id_end_apart),
    cmocka_unit_test(events_without_a_call_id_pass_nothing),
};

ORBIT_TEST_MAIN(tests)
