/* orbit_buf: a growable byte buffer with printf-style appends, for text
 * built piece by piece (metrics, tables, escaped output). */
#ifndef ORBIT_BUF_H
#define ORBIT_BUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *data; /* NUL-terminated when len > 0 */
    size_t len;
    size_t cap;
    bool failed; /* an allocation failed; the content is incomplete */
} orbit_buf;

void orbit_buf_init(orbit_buf *b);
void orbit_buf_free(orbit_buf *b);
void orbit_buf_reset(orbit_buf *b);
bool orbit_buf_append(orbit_buf *b, const void *data, size_t len);
bool orbit_buf_printf(orbit_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Takes ownership of the data (caller frees); the buffer is emptied. */
char *orbit_buf_take(orbit_buf *b, size_t *len);

#endif
