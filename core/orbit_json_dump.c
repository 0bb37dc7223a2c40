/* orbit_json_dump: jansson values to compact JSON text, fast. */
#include "orbit_json_dump.h"

#include <stdio.h>
#include <string.h>

static const char hex_digits[] = "0123456789ABCDEF";

/* Which bytes a JSON string cannot carry as they are (jansson escapes the
 * same set: quote, backslash and C0 controls; '/' and DEL pass). */
static inline bool needs_escape(unsigned char c)
{
    return c < 0x20 || c == '"' || c == '\\';
}

bool orbit_json_dump_string(orbit_buf *b, const char *s, size_t len)
{
    if (!orbit_buf_append(b, "\"", 1))
        return false;
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!needs_escape(c))
            continue;
        if (i > run && !orbit_buf_append(b, s + run, i - run))
            return false;
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t n = 2;
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex_digits[c >> 4];
            esc[5] = hex_digits[c & 0xF];
            n = 6;
        }
        if (!orbit_buf_append(b, esc, n))
            return false;
        run = i + 1;
    }
    if (len > run && !orbit_buf_append(b, s + run, len - run))
        return false;
    return orbit_buf_append(b, "\"", 1);
}

bool orbit_json_dump_int(orbit_buf *b, long long v)
{
    char digits[24];
    size_t at = sizeof digits;
    /* Negate in unsigned arithmetic: -LLONG_MIN does not fit. */
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        digits[--at] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        digits[--at] = '-';
    return orbit_buf_append(b, digits + at, sizeof digits - at);
}

/* As jansson: 17 significant digits, and a decimal point or an exponent
 * so the text reads back as a real. */
static bool dump_real(orbit_buf *b, double v)
{
    char text[40];
    int n = snprintf(text, sizeof text, "%.17g", v);
    if (n < 0 || (size_t)n >= sizeof text - 2)
        return false;
    if (!strpbrk(text, ".eE")) {
        text[n++] = '.';
        text[n++] = '0';
        text[n] = '\0';
    }
    /* 1e+20 reads 1e20 and 1e-05 reads 1e-5, as jansson writes them. */
    char *exp = strchr(text, 'e');
    if (exp) {
        char *start = exp + 1;
        char *end = start + 1;
        if (*start == '-')
            start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, (size_t)(text + n - end) + 1);
            n -= (int)(end - start);
        }
    }
    return orbit_buf_append(b, text, (size_t)n);
}

static bool dump_value(orbit_buf *b, const json_t *v, int depth)
{
    if (depth > ORBIT_JSON_DUMP_MAX_DEPTH)
        return false;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        if (!orbit_buf_append(b, "{", 1))
            return false;
        bool first = true;
        /* Iteration follows insertion order, as json_dumps does. */
        for (void *it = json_object_iter((json_t *)v); it;
             it = json_object_iter_next((json_t *)v, it)) {
            if (!first && !orbit_buf_append(b, ",", 1))
                return false;
            first = false;
            const char *key = json_object_iter_key(it);
            if (!orbit_json_dump_string(b, key, json_object_iter_key_len(it)) ||
                !orbit_buf_append(b, ":", 1) ||
                !dump_value(b, json_object_iter_value(it), depth + 1))
                return false;
        }
        return orbit_buf_append(b, "}", 1);
    }
    case JSON_ARRAY: {
        if (!orbit_buf_append(b, "[", 1))
            return false;
        size_t n = json_array_size(v);
        for (size_t i = 0; i < n; i++) {
            if ((i > 0 && !orbit_buf_append(b, ",", 1)) ||
                !dump_value(b, json_array_get(v, i), depth + 1))
                return false;
        }
        return orbit_buf_append(b, "]", 1);
    }
    case JSON_STRING:
        return orbit_json_dump_string(b, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        return orbit_json_dump_int(b, (long long)json_integer_value(v));
    case JSON_REAL:
        return dump_real(b, json_real_value(v));
    case JSON_TRUE:
        return orbit_buf_append(b, "true", 4);
    case JSON_FALSE:
        return orbit_buf_append(b, "false", 5);
    case JSON_NULL:
        return orbit_buf_append(b, "null", 4);
    }
    return false;
}

bool orbit_json_dump(orbit_buf *b, const json_t *v)
{
    return v && dump_value(b, v, 0) && !b->failed;
}
