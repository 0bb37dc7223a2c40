/* test_orbit_event: the event catalogue: every kind has a unique wire name
 * that round-trips, and its class and effect are what clients rely on to
 * apply it. */
#include "test_main.h"

#include "orbit_event.h"

static void every_kind_round_trips_by_name(void **state)
{
    (void)state;
    for (int k = 0; k < ORBIT_EV_COUNT; k++) {
        const char *name = orbit_event_name((orbit_event_kind)k);
        assert_non_null(strchr(name, '.'));
        orbit_event_kind back = ORBIT_EV_COUNT;
        assert_true(orbit_event_from_name(name, &back));
        assert_int_equal(back, k);
        assert_true(orbit_event_class_of((orbit_event_kind)k) < ORBIT_EVCLASS_COUNT);
        assert_true(orbit_event_effect_of((orbit_event_kind)k) < ORBIT_EVEFFECT_COUNT);
        for (int j = 0; j < k; j++)
            assert_string_not_equal(name, orbit_event_name((orbit_event_kind)j));
    }
    orbit_event_kind k = ORBIT_EV_CALL_PARKED;
    assert_false(orbit_event_from_name("call.teleported", &k));
    assert_false(orbit_event_from_name(NULL, &k));
    assert_int_equal(k, ORBIT_EV_CALL_PARKED);
    assert_string_equal(orbit_event_name(ORBIT_EV_COUNT), "?");
}

static void parked_call_kinds_upsert_or_end_the_call(void **state)
{
    (void)state;
    static const orbit_event_kind upserts[] = {ORBIT_EV_CALL_PARKED, ORBIT_EV_CALL_RINGBACK,
                                               ORBIT_EV_CALL_REPARKED};
    static const orbit_event_kind ends[] = {ORBIT_EV_CALL_RETRIEVED,
                                            ORBIT_EV_CALL_RINGBACK_ANSWERED,
                                            ORBIT_EV_CALL_FORWARDED, ORBIT_EV_CALL_DISCONNECTED};
    for (size_t i = 0; i < sizeof upserts / sizeof *upserts; i++) {
        assert_int_equal(orbit_event_class_of(upserts[i]), ORBIT_EVCLASS_PARKED);
        assert_int_equal(orbit_event_effect_of(upserts[i]), ORBIT_EVEFFECT_UPSERT);
    }
    for (size_t i = 0; i < sizeof ends / sizeof *ends; i++) {
        assert_int_equal(orbit_event_class_of(ends[i]), ORBIT_EVCLASS_PARKED);
        assert_int_equal(orbit_event_effect_of(ends[i]), ORBIT_EVEFFECT_REMOVE);
    }
}

static void queue_kinds_add_mark_or_end_the_call(void **state)
{
    (void)state;
    assert_int_equal(orbit_event_effect_of(ORBIT_EV_PICKUP_QUEUED), ORBIT_EVEFFECT_UPSERT);
    assert_int_equal(orbit_event_effect_of(ORBIT_EV_PICKUP_UNPICKABLE), ORBIT_EVEFFECT_MARK);
    static const orbit_event_kind ends[] = {ORBIT_EV_PICKUP_TAKEN, ORBIT_EV_PICKUP_ANSWERED,
                                            ORBIT_EV_PICKUP_CANCELLED, ORBIT_EV_PICKUP_VOICEMAIL,
                                            ORBIT_EV_PICKUP_DROPPED};
    for (size_t i = 0; i < sizeof ends / sizeof *ends; i++) {
        assert_int_equal(orbit_event_class_of(ends[i]), ORBIT_EVCLASS_QUEUE);
        assert_int_equal(orbit_event_effect_of(ends[i]), ORBIT_EVEFFECT_REMOVE);
    }
}

static void class_names_round_trip(void **state)
{
    (void)state;
    for (int c = 0; c < ORBIT_EVCLASS_COUNT; c++) {
        orbit_event_class back = ORBIT_EVCLASS_COUNT;
        assert_true(
            orbit_event_class_from_name(orbit_event_class_name((orbit_event_class)c), &back));
        assert_int_equal(back, c);
    }
    orbit_event_class c;
    assert_false(orbit_event_class_from_name("weather", &c));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(every_kind_round_trips_by_name),
    cmocka_unit_test(parked_call_kinds_upsert_or_end_the_call),
    cmocka_unit_test(queue_kinds_add_mark_or_end_the_call),
    cmocka_unit_test(class_names_round_trip),
};

ORBIT_TEST_MAIN(tests)
