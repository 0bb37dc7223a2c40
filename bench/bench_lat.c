/* bench_lat: latency samples. */
#include "bench_lat.h"

#include <stdlib.h>

void bench_lat_add(bench_lat *l, int64_t us)
{
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 4096;
        uint32_t *nv = realloc(l->v, ncap * sizeof *nv);
        if (!nv) {
            l->oom = true;
            return;
        }
        l->v = nv;
        l->cap = ncap;
    }
    if (us < 0)
        us = 0;
    if (us > UINT32_MAX)
        us = UINT32_MAX;
    l->v[l->n++] = (uint32_t)us;
    l->sorted = false;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

double bench_lat_pct(bench_lat *l, double p)
{
    if (!l->n)
        return 0.0;
    if (!l->sorted) {
        qsort(l->v, l->n, sizeof *l->v, cmp_u32);
        l->sorted = true;
    }
    /* Nearest rank: the smallest sample with at least p% at or below. */
    double rank = p / 100.0 * (double)l->n;
    size_t i = rank <= 1.0 ? 0 : (size_t)(rank + 0.999999) - 1;
    if (i >= l->n)
        i = l->n - 1;
    return l->v[i] / 1000.0;
}

json_t *bench_lat_json(bench_lat *l)
{
    return json_pack("{s:I, s:f, s:f, s:f, s:b}", "n", (json_int_t)l->n, "p50_ms",
                     bench_lat_pct(l, 50), "p99_ms", bench_lat_pct(l, 99), "max_ms",
                     bench_lat_pct(l, 100), "samples_lost", l->oom);
}

void bench_lat_free(bench_lat *l)
{
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}
