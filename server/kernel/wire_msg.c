/* wire_msg: shared serialised frames. */
#include "wire_msg.h"

#include "orbit_json_dump.h"

#include <stdlib.h>
#include <string.h>

/* The bytes in front of the payload in a message being built. */
enum { WIRE_MSG_PREFIX = sizeof(wire_msg) + WIRE_MSG_HEADROOM };

bool wire_msg_begin(orbit_buf *b)
{
    static const unsigned char zeros[WIRE_MSG_PREFIX];
    return orbit_buf_append(b, zeros, sizeof zeros);
}

wire_msg *wire_msg_finish(orbit_buf *b)
{
    if (b->failed || b->len < WIRE_MSG_PREFIX) {
        orbit_buf_free(b);
        return NULL;
    }
    size_t total;
    char *data = orbit_buf_take(b, &total);
    if (!data)
        return NULL;
    /* Give back the spare capacity: events live on in the replay ring. */
    wire_msg *m = realloc(data, total);
    if (!m)
        m = (wire_msg *)(void *)data;
    m->refs = 1;
    m->len = total - WIRE_MSG_PREFIX;
    return m;
}

wire_msg *wire_msg_from_json(const json_t *frame)
{
    orbit_buf b;
    orbit_buf_init(&b);
    if (!wire_msg_begin(&b) || !orbit_json_dump(&b, frame)) {
        orbit_buf_free(&b);
        return NULL;
    }
    return wire_msg_finish(&b);
}

wire_msg *wire_msg_from_text(const char *text, size_t len)
{
    wire_msg *m = malloc(sizeof *m + WIRE_MSG_HEADROOM + len);
    if (!m)
        return NULL;
    m->refs = 1;
    m->len = len;
    memcpy(m->buf + WIRE_MSG_HEADROOM, text, len);
    return m;
}

wire_msg *wire_msg_ref(wire_msg *m)
{
    m->refs++;
    return m;
}

void wire_msg_unref(wire_msg *m)
{
    if (m && --m->refs == 0)
        free(m);
}
