/* ws_outq: queued message parts and their WebSocket framing (RFC 6455:
 * server frames are not masked). */
#include "ws_outq.h"

#include <stdlib.h>
#include <string.h>

#define WS_OP_CONTINUATION 0x0
#define WS_OP_TEXT         0x1
#define WS_FIN             0x80

void ws_outq_init(ws_outq *q)
{
    memset(q, 0, sizeof *q);
}

void ws_outq_clear(ws_outq *q)
{
    while (q->count) {
        wire_msg_unref(q->items[q->head].m);
        q->head = (q->head + 1) % q->cap;
        q->count--;
    }
    q->head = 0;
    q->bytes = 0;
    q->sent = 0;
    q->in_message = false;
}

void ws_outq_free(ws_outq *q)
{
    ws_outq_clear(q);
    free(q->items);
    ws_outq_init(q);
}

bool ws_outq_push(ws_outq *q, wire_msg *m, size_t off, size_t len, ws_outq_part part, bool exempt)
{
    if (q->count == q->cap) {
        size_t ncap = q->cap ? q->cap * 2 : 64;
        ws_outq_item *grown = malloc(ncap * sizeof *grown);
        if (!grown)
            return false;
        for (size_t i = 0; i < q->count; i++)
            grown[i] = q->items[(q->head + i) % q->cap];
        free(q->items);
        q->items = grown;
        q->head = 0;
        q->cap = ncap;
    }
    q->items[(q->head + q->count) % q->cap] =
        (ws_outq_item){wire_msg_ref(m), off, len, (uint8_t)part, exempt};
    q->count++;
    if (!exempt)
        q->bytes += len;
    return true;
}

size_t ws_outq_header_len(size_t len)
{
    return len < 126 ? 2 : len < 65536 ? 4 : 10;
}

static size_t put_header(unsigned char *p, int opcode, bool fin, size_t len)
{
    p[0] = (unsigned char)((fin ? WS_FIN : 0) | opcode);
    if (len < 126) {
        p[1] = (unsigned char)len;
        return 2;
    }
    if (len < 65536) {
        p[1] = 126;
        p[2] = (unsigned char)(len >> 8);
        p[3] = (unsigned char)len;
        return 4;
    }
    p[1] = 127;
    for (int i = 0; i < 8; i++)
        p[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
    return 10;
}

size_t ws_outq_fill(ws_outq *q, unsigned char *buf, size_t cap, size_t *frames)
{
    size_t used = 0;
    *frames = 0;
    while (q->count) {
        ws_outq_item *it = &q->items[q->head];
        size_t left = it->len - q->sent;
        size_t room = cap - used;
        if (room <= 10)
            break;
        /* A message that does not fit goes out in fragments; one that fits
         * in an empty buffer never gets split. */
        size_t take = left;
        if (ws_outq_header_len(take) + take > room) {
            if (used > 0 && ws_outq_header_len(left) + left <= cap)
                break; /* whole in the next buffer */
            take = room - 10;
        }
        bool starts = q->sent == 0 && (it->part == WS_OUTQ_WHOLE || it->part == WS_OUTQ_FIRST);
        bool ends = take == left && (it->part == WS_OUTQ_WHOLE || it->part == WS_OUTQ_LAST);
        int opcode = starts && !q->in_message ? WS_OP_TEXT : WS_OP_CONTINUATION;
        if (take > 0 || starts || ends) {
            used += put_header(buf + used, opcode, ends, take);
            memcpy(buf + used, it->m->buf + WIRE_MSG_HEADROOM + it->off + q->sent, take);
            used += take;
            q->in_message = !ends;
        }
        q->sent += take;
        if (q->sent < it->len)
            break; /* the buffer is full */
        if (!it->exempt)
            q->bytes -= it->len;
        if (ends)
            (*frames)++;
        wire_msg_unref(it->m);
        q->head = (q->head + 1) % q->cap;
        q->count--;
        q->sent = 0;
    }
    return used;
}
