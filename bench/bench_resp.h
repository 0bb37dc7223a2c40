/* bench_resp: the Redis protocol (RESP2) for the reference load
 * generator: encoding a command, and reading one reply from a buffer
 * without copying (replies point into the buffer). */
#ifndef BENCH_RESP_H
#define BENCH_RESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BENCH_RESP_ELEMS 4

typedef struct {
    char type;       /* '+', '-', ':', '$', '*' */
    const char *str; /* simple, error or bulk text (borrowed); NULL for a nil */
    size_t len;
    int64_t num; /* integer, or the element count of an array */
} bench_resp_item;

typedef struct {
    bench_resp_item top;
    bench_resp_item elem[BENCH_RESP_ELEMS]; /* an array's first elements */
} bench_resp;

/* Encodes argv as a RESP array of bulk strings into out (cap bytes),
 * NUL-terminated; returns its length, 0 when it does not fit. */
size_t bench_resp_encode(char *out, size_t cap, int argc, const char *const *argv);

/* Reads one whole reply from buf: returns the bytes it takes, 0 when it
 * is not all there yet, or SIZE_MAX when buf does not hold RESP. */
size_t bench_resp_parse(const char *buf, size_t len, bench_resp *out);

#endif
