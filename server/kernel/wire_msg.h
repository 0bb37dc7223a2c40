/* wire_msg: a serialised outbound frame with libwebsockets' headroom,
 * reference-counted so one event is serialised once and shared by every
 * session's queue and by the replay ring. */
#ifndef WIRE_MSG_H
#define WIRE_MSG_H

#include "orbit_buf.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Room in front of every payload for a transport's own framing, so a
 * frame goes to the socket without a copy. libwebsockets needs LWS_PRE
 * (16 bytes in 4.x); the WebSocket transport checks it fits. */
#define WIRE_MSG_HEADROOM 32

typedef struct {
    int refs;
    size_t len;
    unsigned char buf[]; /* WIRE_MSG_HEADROOM bytes of headroom, then len bytes */
} wire_msg;

/* Serialises a frame (compact JSON). NULL on OOM. refs starts at 1. */
wire_msg *wire_msg_from_json(const json_t *frame);

/* Building a message in place: wire_msg_begin readies b (initialised or
 * reset by the caller) so the payload appended next lands behind the
 * header and the headroom; wire_msg_finish takes b's bytes as the message
 * (refs 1) and leaves b empty. NULL, with b freed, when an append failed. */
bool wire_msg_begin(orbit_buf *b);
wire_msg *wire_msg_finish(orbit_buf *b);

/* The most a reused scratch buffer keeps between frames. */
#define WIRE_MSG_SCRATCH_KEEP (64 * 1024)

/* A message holding len bytes of text (copied). NULL on OOM. */
wire_msg *wire_msg_from_text(const char *text, size_t len);

/* The payload, after the headroom. */
static inline unsigned char *wire_msg_payload(wire_msg *m)
{
    return m->buf + WIRE_MSG_HEADROOM;
}

wire_msg *wire_msg_ref(wire_msg *m);
void wire_msg_unref(wire_msg *m);

#endif
