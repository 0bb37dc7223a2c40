/* bench_resp: RESP2 encoding and parsing. */
#include "bench_resp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t bench_resp_encode(char *out, size_t cap, int argc, const char *const *argv)
{
    int n = snprintf(out, cap, "*%d\r\n", argc);
    if (n < 0 || (size_t)n >= cap)
        return 0;
    size_t pos = (size_t)n;
    for (int i = 0; i < argc; i++) {
        size_t len = strlen(argv[i]);
        n = snprintf(out + pos, cap - pos, "$%zu\r\n", len);
        if (n < 0 || pos + (size_t)n + len + 2 >= cap)
            return 0;
        pos += (size_t)n;
        memcpy(out + pos, argv[i], len);
        pos += len;
        out[pos++] = '\r';
        out[pos++] = '\n';
    }
    out[pos] = '\0';
    return pos;
}

/* The line at buf (up to CRLF): its length, or SIZE_MAX if incomplete. */
static size_t line_len(const char *buf, size_t len)
{
    const char *cr = memchr(buf, '\r', len);
    if (!cr || (size_t)(cr - buf) + 1 >= len)
        return SIZE_MAX;
    return (size_t)(cr - buf);
}

/* One item; sets *used. Returns false when incomplete (*used = 0) or bad
 * (*used = SIZE_MAX). Arrays are skipped over element by element. */
static bool item(const char *buf, size_t len, bench_resp_item *it, bench_resp_item *elems,
                 size_t *used, int depth)
{
    *used = 0;
    if (len < 3)
        return false;
    size_t ll = line_len(buf, len);
    if (ll == SIZE_MAX)
        return false;
    char type = buf[0];
    size_t pos = ll + 2;
    it->type = type;
    it->str = NULL;
    it->len = 0;
    it->num = 0;
    switch (type) {
    case '+':
    case '-':
        it->str = buf + 1;
        it->len = ll - 1;
        *used = pos;
        return true;
    case ':':
        it->num = strtoll(buf + 1, NULL, 10);
        *used = pos;
        return true;
    case '$': {
        long long blen = strtoll(buf + 1, NULL, 10);
        if (blen < 0) {
            *used = pos;
            return true;
        }
        if (len < pos + (size_t)blen + 2)
            return false;
        it->str = buf + pos;
        it->len = (size_t)blen;
        *used = pos + (size_t)blen + 2;
        return true;
    }
    case '*': {
        long long n = strtoll(buf + 1, NULL, 10);
        it->num = n;
        if (depth > 8) {
            *used = SIZE_MAX;
            return false;
        }
        for (long long i = 0; i < n; i++) {
            bench_resp_item sub;
            size_t u;
            if (!item(buf + pos, len - pos, &sub, NULL, &u, depth + 1)) {
                *used = u == SIZE_MAX ? SIZE_MAX : 0;
                return false;
            }
            if (elems && i < BENCH_RESP_ELEMS)
                elems[i] = sub;
            pos += u;
        }
        *used = pos;
        return true;
    }
    default:
        *used = SIZE_MAX;
        return false;
    }
}

size_t bench_resp_parse(const char *buf, size_t len, bench_resp *out)
{
    size_t used;
    memset(out, 0, sizeof *out);
    if (!item(buf, len, &out->top, out->elem, &used, 0))
        return used;
    return used;
}
