/* wire_msg: a serialised outbound frame with libwebsockets' headroom,
 * reference-counted so one event is serialised once and shared by every
 * session's queue and by the replay ring. */
#ifndef WIRE_MSG_H
#define WIRE_MSG_H

#include <jansson.h>
#include <libwebsockets.h>
#include <stddef.h>

typedef struct {
    int refs;
    size_t len;
    unsigned char buf[]; /* LWS_PRE bytes of headroom, then len bytes */
} wire_msg;

/* Serialises a frame (compact JSON). NULL on OOM. refs starts at 1. */
wire_msg *wire_msg_from_json(const json_t *frame);

/* The payload, after the headroom. */
static inline unsigned char *wire_msg_payload(wire_msg *m)
{
    return m->buf + LWS_PRE;
}

wire_msg *wire_msg_ref(wire_msg *m);
void wire_msg_unref(wire_msg *m);

#endif
