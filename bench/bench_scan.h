/* bench_scan: reading the few fields a load generator needs (t, id, ok,
 * rev, time_ms, orbit, error code) straight from an orbit.v1 frame's
 * compact JSON text, without building a tree. Frames are orbitd's own
 * output, so a key is found by its quoted name followed by a colon. */
#ifndef BENCH_SCAN_H
#define BENCH_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The frame's type ("event", "result", ...) into out; false if none. */
bool bench_scan_type(const char *text, size_t len, char *out, size_t outlen);

/* The first string value of "key" into out; false if none or too long. */
bool bench_scan_str(const char *text, size_t len, const char *key, char *out, size_t outlen);

/* The first integer value of "key"; false if none. */
bool bench_scan_int(const char *text, size_t len, const char *key, int64_t *out);

/* True when "key" is followed by true. */
bool bench_scan_true(const char *text, size_t len, const char *key);

/* Occurrences of needle in text (counting parked calls in a snapshot). */
size_t bench_scan_count(const char *text, size_t len, const char *needle);

#endif
