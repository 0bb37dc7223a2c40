/* bench_lat: latency samples and their percentiles. Every sample is kept
 * (4 bytes each) and sorted once, so percentiles are exact rather than
 * read from histogram buckets. */
#ifndef BENCH_LAT_H
#define BENCH_LAT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t *v; /* microseconds */
    size_t n, cap;
    bool sorted;
    bool oom; /* a sample could not be kept */
} bench_lat;

/* Adds one sample (negative values count as 0, huge ones saturate). */
void bench_lat_add(bench_lat *l, int64_t us);

/* The p-th percentile (0..100) in milliseconds; 0 without samples. */
double bench_lat_pct(bench_lat *l, double p);

/* {"n", "p50_ms", "p99_ms", "max_ms"}: a new reference, NULL on OOM. */
json_t *bench_lat_json(bench_lat *l);

void bench_lat_free(bench_lat *l);

#endif
