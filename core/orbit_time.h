/* orbit_time: wall-clock and monotonic milliseconds, and RFC 3339 text. */
#ifndef ORBIT_TIME_H
#define ORBIT_TIME_H

#include <stddef.h>
#include <stdint.h>

/* Unix time in milliseconds (CLOCK_REALTIME). */
int64_t orbit_time_now_ms(void);

/* Milliseconds from an arbitrary origin that never goes back. */
int64_t orbit_time_mono_ms(void);

/* "2026-11-22T01:09:44.123Z" into buf (at least 32 bytes). Returns buf. */
char *orbit_time_rfc3339(int64_t unix_ms, char *buf, size_t len);

#endif
