/* The edge's inbox: what other threads post arrives in order with its
 * eventfd signalled, completions come back with their leg and call_id,
 * and posts after the edge closed it are freed, never delivered. */
#include "test_main.h"

#include "sip_inbox.h"

#include <poll.h>
#include <pthread.h>
#include <unistd.h>

static bool readable(const sip_inbox *in)
{
    struct pollfd p = {.fd = sip_inbox_fd(in), .events = POLLIN};
    return poll(&p, 1, 0) == 1;
}

static void *poster(void *arg)
{
    sip_inbox *in = arg;
    for (int i = 0; i < 1000; i++)
        sip_inbox_post_event(in, "call.ringback", json_pack("{s:i}", "n", i));
    return NULL;
}

static void events_arrive_in_order_from_another_thread(void **state)
{
    (void)state;
    sip_inbox *in = sip_inbox_new();
    assert_non_null(in);
    assert_false(readable(in));
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, poster, in), 0);
    pthread_join(t, NULL);
    assert_true(readable(in));
    int expect = 0;
    for (sip_inbox_item *it = sip_inbox_take(in); it;) {
        sip_inbox_item *next = it->next;
        assert_int_equal(it->kind, SIP_INBOX_EVENT);
        assert_string_equal(it->event_kind, "call.ringback");
        assert_int_equal(json_integer_value(json_object_get(it->data, "n")), expect++);
        sip_inbox_item_free(it);
        it = next;
    }
    assert_int_equal(expect, 1000);
    assert_false(readable(in)); /* taking clears the signal */
    sip_inbox_unref(in);
}

/* One wake-up per batch: the eventfd is written only by the post that
 * makes the list non-empty, and again by the first post after a take. */
static void only_the_first_post_of_a_batch_signals(void **state)
{
    (void)state;
    sip_inbox *in = sip_inbox_new();
    assert_non_null(in);
    sip_inbox_post_event(in, "call.ringback", json_object());
    sip_inbox_post_event(in, "call.reparked", json_object());
    sip_inbox_post_event(in, "call.retrieved", json_object());
    uint64_t count = 0;
    assert_int_equal(read(sip_inbox_fd(in), &count, sizeof count), (ssize_t)sizeof count);
    assert_int_equal(count, 1);
    sip_inbox_item *batch = sip_inbox_take(in);
    int n = 0;
    while (batch) {
        sip_inbox_item *next = batch->next;
        sip_inbox_item_free(batch);
        batch = next;
        n++;
    }
    assert_int_equal(n, 3);
    assert_false(readable(in));
    /* The list is empty again: the next post signals. */
    sip_inbox_post_event(in, "call.disconnected", json_object());
    assert_true(readable(in));
    sip_inbox_item *last = sip_inbox_take(in);
    assert_non_null(last);
    assert_null(last->next);
    sip_inbox_item_free(last);
    assert_false(readable(in));
    sip_inbox_unref(in);
}

static void completions_carry_leg_op_and_call_id(void **state)
{
    (void)state;
    sip_inbox *in = sip_inbox_new();
    sip_port_call *call = sip_port_call_new(in, 42, 3, "abc@host", "127.0.0.1:5070");
    assert_non_null(call);
    assert_string_equal(sip_port_call_peer(call), "127.0.0.1:5070");
    sip_port_call_complete(call, json_pack("{s:b}", "ok", 1));
    sip_inbox_item *it = sip_inbox_take(in);
    assert_non_null(it);
    assert_int_equal(it->kind, SIP_INBOX_COMPLETION);
    assert_int_equal(it->leg_id, 42);
    assert_int_equal(it->op, 3);
    assert_string_equal(it->call_id, "abc@host");
    assert_true(json_is_true(json_object_get(it->data, "ok")));
    assert_null(it->next);
    sip_inbox_item_free(it);
    sip_inbox_unref(in);
}

static void posts_after_close_are_dropped(void **state)
{
    (void)state;
    sip_inbox *in = sip_inbox_new();
    sip_inbox *port_ref = sip_inbox_ref(in); /* what a port keeps */
    sip_port_call *late = sip_port_call_new(in, 7, 0, NULL, NULL);
    sip_inbox_post_event(in, "call.parked", json_object());
    sip_inbox_close(in); /* the edge stops: queued items are freed */
    sip_inbox_unref(in);
    sip_inbox_post_event(port_ref, "call.retrieved", json_object());
    sip_directory_builder *b = sip_directory_builder_new("p");
    sip_inbox_set_directory(port_ref, sip_directory_build(b));
    sip_port_call_complete(late, json_object());
    assert_null(sip_inbox_take(port_ref));
    sip_inbox_unref(port_ref); /* last reference: all freed (valgrind/ASan check) */
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(events_arrive_in_order_from_another_thread),
    cmocka_unit_test(only_the_first_post_of_a_batch_signals),
    cmocka_unit_test(completions_carry_leg_op_and_call_id),
    cmocka_unit_test(posts_after_close_are_dropped),
};

ORBIT_TEST_MAIN(tests)
