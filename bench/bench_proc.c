/* bench_proc: /proc readers and clocks for the benchmarks. */
#include "bench_proc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

bool bench_proc_cpu_us(pid_t pid, int64_t *out)
{
    /* The process's CPU clock counts every thread to the nanosecond;
     * /proc's utime and stime tick at 100 Hz, too coarse for a peer that
     * spends a few milliseconds on a whole run. */
    clockid_t clock;
    struct timespec ts;
    if (clock_getcpuclockid(pid, &clock) == 0 && clock_gettime(clock, &ts) == 0) {
        *out = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
        return true;
    }
    char path[64], line[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    bool ok = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    /* The command name may hold spaces and parentheses: fields are
     * counted from the last ')'. utime and stime are fields 14 and 15. */
    char *p = ok ? strrchr(line, ')') : NULL;
    unsigned long long utime, stime;
    if (!p ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
        return false;
    long hz = sysconf(_SC_CLK_TCK);
    if (hz <= 0)
        return false;
    *out = (int64_t)((utime + stime) * 1000000ULL / (unsigned long long)hz);
    return true;
}

int64_t bench_self_cpu_us(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec +
           ru.ru_stime.tv_usec;
}

bool bench_proc_rss(pid_t pid, int64_t *out)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    bool found = false;
    long long kb = 0;
    while (!found && fgets(line, sizeof line, f))
        found = sscanf(line, "VmRSS: %lld kB", &kb) == 1;
    fclose(f);
    if (found)
        *out = (int64_t)kb * 1024;
    return found;
}

static int64_t clock_us(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t bench_mono_us(void)
{
    return clock_us(CLOCK_MONOTONIC);
}

int64_t bench_wall_us(void)
{
    return clock_us(CLOCK_REALTIME);
}

void bench_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}
