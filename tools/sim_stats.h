/* sim_stats: what orbit-sim counts: per op, successes and each error code,
 * split into expected refusals (resiliency mode, pickup unavailable, a
 * pool that is down, calls that ended first) and unexpected errors; and
 * the outcomes of the calls it placed. */
#ifndef SIM_STATS_H
#define SIM_STATS_H

#include "orbit_error.h"
#include "orbit_ops.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef enum {
    SIM_OUT_RETRIEVED = 0,
    SIM_OUT_RINGBACK_ANSWERED,
    SIM_OUT_FORWARDED,
    SIM_OUT_DISCONNECTED_TIMEOUT,
    SIM_OUT_DISCONNECTED_DR,
    SIM_OUT_PICKED_UP,
    SIM_OUT_ANSWERED,
    SIM_OUT_CANCELLED,
    SIM_OUT_VOICEMAIL,
    SIM_OUT_DROPPED_DR,
    SIM_OUT_LOST_WITH_POOL,
    SIM_OUT_COUNT
} sim_outcome;

typedef struct {
    uint64_t ok[ORBIT_OP_COUNT];
    uint64_t expected[ORBIT_OP_COUNT][ORBIT_ERR_COUNT];
    uint64_t unexpected[ORBIT_OP_COUNT][ORBIT_ERR_COUNT];
    uint64_t outcomes[SIM_OUT_COUNT];
    char last_unexpected[256];
} sim_stats;

void sim_stats_ok(sim_stats *s, orbit_op op);
void sim_stats_refused(sim_stats *s, orbit_op op, const orbit_status *err, bool expected);
void sim_stats_outcome(sim_stats *s, sim_outcome o);

uint64_t sim_stats_total_ok(const sim_stats *s);
uint64_t sim_stats_total_expected(const sim_stats *s);
uint64_t sim_stats_total_unexpected(const sim_stats *s);

/* The summary as JSON (new reference) or as text. */
json_t *sim_stats_json(const sim_stats *s, const char *profile, double seconds, size_t pools);
void sim_stats_print(const sim_stats *s, FILE *out, const char *profile, double seconds,
                     size_t pools);

#endif
