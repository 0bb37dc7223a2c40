/* bench_orbit: the orbit.v1 load generator's modes and what they share.
 * Every mode prints one JSON object on stdout (the runner collects them)
 * and exits non-zero when it could not measure. */
#ifndef BENCH_ORBIT_H
#define BENCH_ORBIT_H

#include "bench_cmd.h"
#include "bench_ws.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define BENCH_ORBIT_PEERS_MAX 16

typedef struct {
    const char *url;       /* the pool's stream URL */
    const char *token;     /* commands: endpoint (calls) or operator (ranges) */
    const char *sub_token; /* subscribers: viewer */
    const char *id_prefix; /* makes call ids and range names unique per run */
    const char *pool;      /* owner of the ranges made (range, orbits) */
    pid_t pid;             /* the pool's orbitd: CPU and RSS */
    pid_t peers[BENCH_ORBIT_PEERS_MAX];
    int npeers;
    int conns, depth, subs, repeat;
    long count;        /* fill: calls; range: create+delete pairs; orbits: numbers */
    long range_size;   /* numbers per range made */
    long start_number; /* first number of the ranges made */
    double duration_s;
    double rate;     /* fanout/drive: events (commands) per second */
    double throttle; /* per-session pace once rate limited */
    char **parkers;  /* users served by the pool */
    size_t nparkers;
} bench_orbit_opts;

/* The park + retrieve workload (also the event source of fan-out runs):
 * each slot parks a call for a user of opts->parkers and, unless keep,
 * retrieves it at once. */
typedef struct {
    char orbit[16];
    size_t parker;
    bool parked;        /* parked and to be retrieved */
    bool retrieve_sent; /* the command in flight is a retrieve */
} bench_park_slot;

typedef struct {
    const bench_orbit_opts *o; /* borrowed */
    bench_park_slot *slots;    /* owned */
    uint64_t seq;
    bool keep;      /* fill: leave the calls parked */
    long remaining; /* fill: parks still to send */
    uint64_t parked_ok;
} bench_park;

bool bench_park_init(bench_park *p, const bench_orbit_opts *o, size_t slots, bool keep, long count);
void bench_park_free(bench_park *p);
bench_pipe_workload bench_park_workload(void);

/* The modes: each returns its report (new reference), NULL on failure
 * with the reason on stderr. */
json_t *bench_orbit_park(const bench_orbit_opts *o);
json_t *bench_orbit_fill(const bench_orbit_opts *o);
json_t *bench_orbit_range(const bench_orbit_opts *o);
json_t *bench_orbit_orbits(const bench_orbit_opts *o);
json_t *bench_orbit_fanout(const bench_orbit_opts *o);
json_t *bench_orbit_snapshot(const bench_orbit_opts *o);

#endif
