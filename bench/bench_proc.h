/* bench_proc: what the benchmarks read about a process from /proc (CPU
 * time as utime + stime, resident memory) and the clocks they time with.
 * Server CPU per op is measured from the server's own accounting, so it
 * does not depend on how fast the client is. */
#ifndef BENCH_PROC_H
#define BENCH_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* utime + stime of pid in microseconds (clock-tick resolution); false
 * when the process cannot be read. */
bool bench_proc_cpu_us(pid_t pid, int64_t *out);

/* This process's own user + system CPU time in microseconds (to show
 * when the load generator, not the server, was the limit). */
int64_t bench_self_cpu_us(void);

/* VmRSS of pid in bytes; false when it cannot be read. */
bool bench_proc_rss(pid_t pid, int64_t *out);

/* Monotonic and wall-clock time in microseconds. */
int64_t bench_mono_us(void);
int64_t bench_wall_us(void);

/* Sleeps for ms milliseconds (restarting after signals). */
void bench_sleep_ms(int ms);

#endif
