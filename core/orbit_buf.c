/* orbit_buf: growable text buffer. */
#include "orbit_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void orbit_buf_init(orbit_buf *b)
{
    memset(b, 0, sizeof *b);
}

void orbit_buf_free(orbit_buf *b)
{
    free(b->data);
    orbit_buf_init(b);
}

void orbit_buf_reset(orbit_buf *b)
{
    b->len = 0;
    b->failed = false;
    if (b->data)
        b->data[0] = '\0';
}

bool orbit_buf_grow(orbit_buf *b, size_t extra)
{
    if (b->failed)
        return false;
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) {
        b->failed = true;
        return false;
    }
    b->data = d;
    b->cap = cap;
    return true;
}

bool orbit_buf_printf(orbit_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0 || !orbit_buf_grow(b, (size_t)n)) {
        va_end(ap);
        b->failed = true;
        return false;
    }
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return true;
}

char *orbit_buf_take(orbit_buf *b, size_t *len)
{
    if (b->failed) {
        orbit_buf_free(b);
        return NULL;
    }
    if (!b->data && !orbit_buf_grow(b, 0))
        return NULL;
    b->data[b->len] = '\0';
    char *d = b->data;
    if (len)
        *len = b->len;
    orbit_buf_init(b);
    return d;
}
