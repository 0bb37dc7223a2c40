/* ws_outq: a WebSocket session's outbound queue, and the framing that
 * turns it into as few writes as the socket allows.
 *
 * Frames are shared (wire_msg, serialised once for every session), so the
 * queue holds references to byte ranges of them: a whole message, or one
 * part of a message streamed in pieces (a snapshot: this session's own
 * header, then the state shared by every subscriber, then the end). On
 * each writable callback ws_outq_fill() frames as many queued messages as
 * fit into one buffer, so a burst of events leaves in one send instead of
 * one send each; a message larger than the buffer leaves as fragments of
 * one WebSocket message across several sends. */
#ifndef WS_OUTQ_H
#define WS_OUTQ_H

#include "wire_msg.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where a queued range sits in its WebSocket message. */
typedef enum {
    WS_OUTQ_WHOLE = 0, /* the whole message */
    WS_OUTQ_FIRST,     /* its first part: more follows */
    WS_OUTQ_MIDDLE,
    WS_OUTQ_LAST,
} ws_outq_part;

typedef struct {
    wire_msg *m; /* a reference */
    size_t off, len;
    uint8_t part;
    bool exempt; /* not counted in bytes (a shared snapshot body) */
} ws_outq_item;

typedef struct {
    ws_outq_item *items; /* a ring */
    size_t head, count, cap;
    uint64_t bytes;  /* bytes queued and counted */
    size_t sent;     /* bytes of the head item already framed */
    bool in_message; /* a fragmented message has begun: only its parts may follow */
} ws_outq;

void ws_outq_init(ws_outq *q);
/* Drops everything queued (a resync) and the ring itself. */
void ws_outq_free(ws_outq *q);
void ws_outq_clear(ws_outq *q);

/* Queues bytes [off, off + len) of m (a reference is taken) as `part` of a
 * message. False on OOM. */
bool ws_outq_push(ws_outq *q, wire_msg *m, size_t off, size_t len, ws_outq_part part, bool exempt);

/* Frames queued messages into buf[0..cap) (the caller keeps room before
 * buf for its transport's own use) and returns the bytes written; *frames
 * receives how many whole messages were completed. 0 when empty. */
size_t ws_outq_fill(ws_outq *q, unsigned char *buf, size_t cap, size_t *frames);

/* Bytes of the WebSocket header of a server frame of len payload bytes. */
size_t ws_outq_header_len(size_t len);

#endif
