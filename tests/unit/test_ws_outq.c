/* test_ws_outq: the WebSocket framing of the outbound queue, decoded back
 * by a minimal RFC 6455 reader: lengths at each header size, a burst of
 * messages in one buffer, a message larger than the buffer split into
 * fragments of one message, and a message sent in parts. */
#include "test_main.h"

#include "ws_outq.h"

#include <stdlib.h>

typedef struct {
    char text[200000];
    size_t len;
    int messages;
    bool in_message;
} reader;

/* Reads frames from buf, appending payloads; checks the opcode rules. */
static void read_frames(reader *r, const unsigned char *buf, size_t n)
{
    size_t i = 0;
    while (i < n) {
        assert_true(n - i >= 2);
        int fin = buf[i] & 0x80, op = buf[i] & 0x0f;
        assert_int_equal(buf[i] & 0x70, 0);
        assert_int_equal(buf[i + 1] & 0x80, 0); /* server frames are not masked */
        size_t len = buf[i + 1] & 0x7f, h = 2;
        if (len == 126) {
            len = (size_t)buf[i + 2] << 8 | buf[i + 3];
            h = 4;
            assert_true(len >= 126);
        } else if (len == 127) {
            len = 0;
            for (int k = 0; k < 8; k++)
                len = len << 8 | buf[i + 2 + k];
            h = 10;
            assert_true(len >= 65536);
        }
        assert_int_equal(op, r->in_message ? 0 : 1);
        memcpy(r->text + r->len, buf + i + h, len);
        r->len += len;
        r->in_message = !fin;
        if (fin) {
            r->text[r->len++] = '|';
            r->messages++;
        }
        i += h + len;
    }
    assert_int_equal(i, n);
}

static wire_msg *msg(char fill, size_t len)
{
    char *text = malloc(len + 1);
    memset(text, fill, len);
    wire_msg *m = wire_msg_from_text(text, len);
    free(text);
    return m;
}

static void drain(ws_outq *q, reader *r, size_t cap, int *writes)
{
    unsigned char *buf = malloc(cap);
    size_t frames, n;
    while ((n = ws_outq_fill(q, buf, cap, &frames)) > 0) {
        read_frames(r, buf, n);
        (*writes)++;
    }
    free(buf);
}

static void lengths_at_each_header_size(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 125, 126, 127, 65535, 65536, 70000};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        ws_outq q;
        ws_outq_init(&q);
        wire_msg *m = msg('a', sizes[k]);
        assert_true(ws_outq_push(&q, m, 0, m->len, WS_OUTQ_WHOLE, false));
        wire_msg_unref(m);
        reader *r = calloc(1, sizeof *r);
        int writes = 0;
        drain(&q, r, 200000, &writes);
        assert_int_equal(r->messages, 1);
        assert_int_equal(r->len, sizes[k] + 1);
        assert_int_equal(writes, 1);
        assert_int_equal(q.bytes, 0);
        ws_outq_free(&q);
        free(r);
    }
}

static void a_burst_leaves_in_one_write(void **state)
{
    (void)state;
    ws_outq q;
    ws_outq_init(&q);
    for (int i = 0; i < 100; i++) {
        wire_msg *m = msg((char)('a' + i % 26), 200);
        assert_true(ws_outq_push(&q, m, 0, m->len, WS_OUTQ_WHOLE, false));
        wire_msg_unref(m);
    }
    assert_int_equal(q.bytes, 100 * 200);
    reader *r = calloc(1, sizeof *r);
    int writes = 0;
    drain(&q, r, 65536, &writes);
    assert_int_equal(r->messages, 100);
    assert_int_equal(writes, 1);
    free(r);
    ws_outq_free(&q);
}

static void a_large_message_goes_in_fragments(void **state)
{
    (void)state;
    ws_outq q;
    ws_outq_init(&q);
    wire_msg *small = msg('s', 10), *big = msg('b', 150000);
    assert_true(ws_outq_push(&q, small, 0, small->len, WS_OUTQ_WHOLE, false));
    assert_true(ws_outq_push(&q, big, 0, big->len, WS_OUTQ_WHOLE, false));
    assert_true(ws_outq_push(&q, small, 0, small->len, WS_OUTQ_WHOLE, false));
    wire_msg_unref(small);
    wire_msg_unref(big);
    reader *r = calloc(1, sizeof *r);
    int writes = 0;
    drain(&q, r, 65536, &writes);
    assert_int_equal(r->messages, 3);
    assert_int_equal(r->len, 10 + 150000 + 10 + 3);
    assert_true(writes >= 3);
    assert_int_equal(r->text[10], '|');
    assert_int_equal(r->text[10 + 1 + 150000], '|');
    free(r);
    ws_outq_free(&q);
}

static void a_message_in_parts_is_one_message(void **state)
{
    (void)state;
    ws_outq q;
    ws_outq_init(&q);
    wire_msg *head = wire_msg_from_text("{\"state\":", 9);
    wire_msg *body = msg('x', 100000), *tail = wire_msg_from_text("}", 1);
    assert_true(ws_outq_push(&q, head, 0, head->len, WS_OUTQ_FIRST, false));
    assert_true(ws_outq_push(&q, body, 0, body->len, WS_OUTQ_MIDDLE, true));
    assert_true(ws_outq_push(&q, tail, 0, tail->len, WS_OUTQ_LAST, false));
    /* The shared body does not count against this session's limits. */
    assert_int_equal(q.bytes, 10);
    wire_msg *ev = msg('e', 50);
    assert_true(ws_outq_push(&q, ev, 0, ev->len, WS_OUTQ_WHOLE, false));
    reader *r = calloc(1, sizeof *r);
    int writes = 0;
    drain(&q, r, 32768, &writes);
    assert_int_equal(r->messages, 2);
    assert_int_equal(r->len, 9 + 100000 + 1 + 1 + 50 + 1);
    assert_memory_equal(r->text, "{\"state\":", 9);
    assert_int_equal(r->text[9 + 100000], '}');
    wire_msg_unref(head);
    wire_msg_unref(body);
    wire_msg_unref(tail);
    wire_msg_unref(ev);
    free(r);
    ws_outq_free(&q);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(lengths_at_each_header_size),
    cmocka_unit_test(a_burst_leaves_in_one_write),
    cmocka_unit_test(a_large_message_goes_in_fragments),
    cmocka_unit_test(a_message_in_parts_is_one_message),
};

ORBIT_TEST_MAIN(tests)
