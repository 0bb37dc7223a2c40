/* orbit_buf: a growable byte buffer with printf-style appends, for text
 * built piece by piece (metrics, tables, escaped output). */
#ifndef ORBIT_BUF_H
#define ORBIT_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef struct {
    char *data; /* NUL-terminated when len > 0 */
    size_t len;
    size_t cap;
    bool failed; /* an allocation failed; the content is incomplete */
} orbit_buf;

void orbit_buf_init(orbit_buf *b);
void orbit_buf_free(orbit_buf *b);
void orbit_buf_reset(orbit_buf *b);
/* Makes room for extra more bytes (and the NUL); false on OOM, when
 * failed is set. */
bool orbit_buf_grow(orbit_buf *b, size_t extra);

/* Inline: JSON writers append a few bytes at a time on every command. */
static inline bool orbit_buf_append(orbit_buf *b, const void *data, size_t len)
{
    if (b->len + len + 1 > b->cap && !orbit_buf_grow(b, len))
        return false;
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return true;
}
bool orbit_buf_printf(orbit_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Takes ownership of the data (caller frees); the buffer is emptied. */
char *orbit_buf_take(orbit_buf *b, size_t *len);

#endif
