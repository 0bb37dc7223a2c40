/* wire_msg: shared serialised frames. */
#include "wire_msg.h"

#include <stdlib.h>
#include <string.h>

wire_msg *wire_msg_from_json(const json_t *frame)
{
    char *text = json_dumps(frame, JSON_COMPACT);
    if (!text)
        return NULL;
    size_t len = strlen(text);
    wire_msg *m = malloc(sizeof *m + WIRE_MSG_HEADROOM + len);
    if (m) {
        m->refs = 1;
        m->len = len;
        memcpy(m->buf + WIRE_MSG_HEADROOM, text, len);
    }
    free(text);
    return m;
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
