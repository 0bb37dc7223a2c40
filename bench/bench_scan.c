/* bench_scan: field scanning in compact JSON frames. */
#include "bench_scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where the value of "key" starts, or NULL. */
static const char *value_of(const char *text, size_t len, const char *key)
{
    char pat[64];
    int n = snprintf(pat, sizeof pat, "\"%s\":", key);
    if (n < 0 || n >= (int)sizeof pat)
        return NULL;
    const char *p = memmem(text, len, pat, (size_t)n);
    return p ? p + n : NULL;
}

bool bench_scan_str(const char *text, size_t len, const char *key, char *out, size_t outlen)
{
    const char *v = value_of(text, len, key);
    const char *end = text + len;
    if (!v || v >= end || *v != '"')
        return false;
    v++;
    const char *q = memchr(v, '"', (size_t)(end - v));
    if (!q || (size_t)(q - v) >= outlen)
        return false;
    memcpy(out, v, (size_t)(q - v));
    out[q - v] = '\0';
    return true;
}

bool bench_scan_type(const char *text, size_t len, char *out, size_t outlen)
{
    /* "t" is the first key orbitd writes; look only there. */
    return bench_scan_str(text, len < 32 ? len : 32, "t", out, outlen);
}

bool bench_scan_int(const char *text, size_t len, const char *key, int64_t *out)
{
    const char *v = value_of(text, len, key);
    const char *end = text + len;
    if (!v || v >= end)
        return false;
    char digits[24];
    size_t n = 0;
    while (v + n < end && n < sizeof digits - 1 && (v[n] == '-' || (v[n] >= '0' && v[n] <= '9')))
        n++;
    if (!n)
        return false;
    memcpy(digits, v, n);
    digits[n] = '\0';
    *out = strtoll(digits, NULL, 10);
    return true;
}

bool bench_scan_true(const char *text, size_t len, const char *key)
{
    const char *v = value_of(text, len, key);
    return v && (size_t)(text + len - v) >= 4 && strncmp(v, "true", 4) == 0;
}

size_t bench_scan_count(const char *text, size_t len, const char *needle)
{
    size_t n = 0, nl = strlen(needle);
    const char *p = text, *end = text + len;
    while (p < end && (p = memmem(p, (size_t)(end - p), needle, nl)) != NULL) {
        n++;
        p += nl;
    }
    return n;
}
