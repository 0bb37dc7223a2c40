/* bench_core: cost of the core's hot paths: a random free orbit at rising
 * occupancy, and the owner of a number in a large orbit table. Prints one
 * line per case: nanoseconds per operation (median of 5 runs). */
#include "orbit_alloc.h"
#include "orbit_table.h"
#include "orbit_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct {
    uint32_t taken_below; /* slot values below this are taken */
} occupancy;

static bool taken(void *ctx, const orbit_number *n)
{
    const occupancy *o = ctx;
    return n->value - 100000u < o->taken_below;
}

static int bench_alloc(uint32_t taken_count)
{
    orbit_range rs[5];
    for (int i = 0; i < 5; i++) {
        memset(&rs[i], 0, sizeof rs[i]);
        snprintf(rs[i].identity, sizeof rs[i].identity, "r%d", i);
        snprintf(rs[i].pool, sizeof rs[i].pool, "pool1.example.net");
        char s[16], e[16];
        snprintf(s, sizeof s, "%d", 100000 + i * 10000);
        snprintf(e, sizeof e, "%d", 100000 + i * 10000 + 9999);
        if (orbit_range_set_numbers(&rs[i], s, e, NULL) != ORBIT_OK)
            return 1;
    }
    orbit_alloc *a = orbit_alloc_new();
    if (!a)
        return 1;
    occupancy occ = {taken_count};
    if (!orbit_alloc_build(a, rs, 5, taken, &occ)) {
        orbit_alloc_free(a);
        return 1;
    }
    orbit_rng rng;
    orbit_rng_seed(&rng, 99);
    const int ops = 1000000;
    double runs[5];
    for (int r = 0; r < 5; r++) {
        double t0 = now_ns();
        for (int i = 0; i < ops; i++) {
            orbit_number n;
            if (!orbit_alloc_take_random(a, &rng, &n) || !orbit_alloc_release(a, &n)) {
                orbit_alloc_free(a);
                return 1;
            }
        }
        runs[r] = (now_ns() - t0) / ops;
    }
    qsort(runs, 5, sizeof runs[0], cmp_double);
    printf("alloc take+release  capacity 50000  taken %5u  %8.1f ns/op\n", taken_count,
           runs[2]);
    orbit_alloc_free(a);
    return 0;
}

static int bench_owner(int nranges)
{
    orbit_table *t = orbit_table_new();
    if (!t)
        return 1;
    for (int i = 0; i < nranges; i++) {
        orbit_range r;
        memset(&r, 0, sizeof r);
        snprintf(r.identity, sizeof r.identity, "r%d", i);
        snprintf(r.pool, sizeof r.pool, "pool%d.example.net", i % 40);
        char s[16], e[16];
        snprintf(s, sizeof s, "%d", 1000000 + i * 100);
        snprintf(e, sizeof e, "%d", 1000000 + i * 100 + 49);
        if (orbit_range_set_numbers(&r, s, e, NULL) != ORBIT_OK ||
            orbit_table_create(t, &r, NULL) != ORBIT_OK) {
            orbit_table_free(t);
            return 1;
        }
    }
    orbit_rng rng;
    orbit_rng_seed(&rng, 5);
    const int ops = 1000000;
    double runs[5];
    volatile int found = 0;
    for (int r = 0; r < 5; r++) {
        double t0 = now_ns();
        for (int i = 0; i < ops; i++) {
            orbit_number n = {.prefix = 0,
                              .digits = 7,
                              .value = 1000000u +
                                       (uint32_t)orbit_rng_below(&rng, (uint64_t)nranges * 100)};
            if (orbit_table_owner_of(t, &n))
                found++;
        }
        runs[r] = (now_ns() - t0) / ops;
    }
    qsort(runs, 5, sizeof runs[0], cmp_double);
    printf("table owner_of      ranges %6d              %8.1f ns/op\n", nranges, runs[2]);
    orbit_table_free(t);
    return 0;
}

int main(void)
{
    uint32_t occupancies[] = {0, 25000, 45000, 49000, 49990, 49999};
    for (size_t i = 0; i < sizeof occupancies / sizeof occupancies[0]; i++) {
        if (bench_alloc(occupancies[i]) != 0) {
            fprintf(stderr, "bench_core: allocator benchmark failed\n");
            return 1;
        }
    }
    int sizes[] = {10, 100, 1000, 5000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        if (bench_owner(sizes[i]) != 0) {
            fprintf(stderr, "bench_core: owner benchmark failed\n");
            return 1;
        }
    }
    return 0;
}
