/* client_text: the visible form of untrusted strings. The UTF-8 decoding
 * is done here rather than with mbrtowc so the result does not depend on
 * the locale: a C-locale orbitctl must not pass a C1 control through
 * because it cannot decode it. */
#include "client_text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decodes one UTF-8 character at s; returns its byte length and the code
 * point in *cp, or 0 when the bytes there are not UTF-8 (overlong forms,
 * surrogates and values past U+10FFFF included). */
static size_t decode(const unsigned char *s, uint32_t *cp)
{
    unsigned char b = s[0];
    size_t n;
    uint32_t v, min;
    if (b < 0x80) {
        *cp = b;
        return 1;
    } else if ((b & 0xe0) == 0xc0) {
        n = 2, v = b & 0x1f, min = 0x80;
    } else if ((b & 0xf0) == 0xe0) {
        n = 3, v = b & 0x0f, min = 0x800;
    } else if ((b & 0xf8) == 0xf0) {
        n = 4, v = b & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0; /* also stops at the terminating NUL */
        v = v << 6 | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return n;
}

/* Code points a terminal acts on instead of showing. */
static bool is_hidden_control(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
}

/* Appends token (n bytes) when it fits whole; counts it either way. */
static void emit(char *out, size_t len, size_t *used, const char *token, size_t n, bool *full)
{
    if (!*full && len && *used + n < len) {
        memcpy(out + *used, token, n);
    } else {
        *full = true; /* later, shorter tokens must not fill the gap */
    }
    *used += n;
}

size_t client_text_visible(const char *s, char *out, size_t len, unsigned flags)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t used = 0, written = 0;
    bool full = false;
    while (*p) {
        char token[16];
        size_t tn;
        uint32_t cp;
        size_t n = decode(p, &cp);
        if (n == 0) {
            tn = (size_t)snprintf(token, sizeof token, "\\x%02X", *p);
            n = 1;
        } else if (cp < 0x20 || cp == 0x7f) {
            token[0] = '^';
            token[1] = cp == 0x7f ? '?' : (char)(cp + 0x40);
            tn = 2;
        } else if (is_hidden_control(cp) || (cp >= 0x80 && (flags & CLIENT_TEXT_ASCII))) {
            tn = (size_t)snprintf(token, sizeof token, "<U+%04X>", (unsigned)cp);
        } else {
            memcpy(token, p, n);
            tn = n;
        }
        emit(out, len, &used, token, tn, &full);
        if (!full)
            written = used;
        p += n;
    }
    if (len)
        out[written] = '\0';
    return used;
}

char *client_text_visible_dup(const char *s, unsigned flags)
{
    size_t need = client_text_visible(s, NULL, 0, flags);
    char *out = malloc(need + 1);
    if (out)
        client_text_visible(s, out, need + 1, flags);
    return out;
}

bool client_text_is_plain(const char *s, unsigned flags)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        if (*p >= 0x20 && *p < 0x7f) {
            p++;
            continue;
        }
        uint32_t cp;
        size_t n = decode(p, &cp);
        if (n == 0 || cp < 0x20 || cp == 0x7f || is_hidden_control(cp) ||
            (flags & CLIENT_TEXT_ASCII))
            return false;
        p += n;
    }
    return true;
}
