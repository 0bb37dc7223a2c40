/* sim_stats: counting and summarising the simulation. */
#include "sim_stats.h"

#include <string.h>

static const char *const OUTCOME_NAMES[SIM_OUT_COUNT] = {
    [SIM_OUT_RETRIEVED] = "retrieved",
    [SIM_OUT_RINGBACK_ANSWERED] = "ringback_answered",
    [SIM_OUT_FORWARDED] = "forwarded_on_timeout",
    [SIM_OUT_DISCONNECTED_TIMEOUT] = "disconnected_on_timeout",
    [SIM_OUT_DISCONNECTED_DR] = "disconnected_by_dr",
    [SIM_OUT_PICKED_UP] = "picked_up",
    [SIM_OUT_ANSWERED] = "answered_by_callee",
    [SIM_OUT_CANCELLED] = "cancelled_by_caller",
    [SIM_OUT_VOICEMAIL] = "voicemail",
    [SIM_OUT_DROPPED_DR] = "dropped_by_dr",
    [SIM_OUT_LOST_WITH_POOL] = "lost_with_pool",
};

void sim_stats_ok(sim_stats *s, orbit_op op)
{
    if ((unsigned)op < ORBIT_OP_COUNT)
        s->ok[op]++;
}

void sim_stats_refused(sim_stats *s, orbit_op op, const orbit_status *err, bool expected)
{
    if ((unsigned)op >= ORBIT_OP_COUNT || (unsigned)err->code >= ORBIT_ERR_COUNT)
        return;
    if (expected) {
        s->expected[op][err->code]++;
    } else {
        s->unexpected[op][err->code]++;
        snprintf(s->last_unexpected, sizeof s->last_unexpected, "%s: %s: %s", orbit_op_name(op),
                 orbit_err_name(err->code), err->message);
    }
}

void sim_stats_outcome(sim_stats *s, sim_outcome o)
{
    if ((unsigned)o < SIM_OUT_COUNT)
        s->outcomes[o]++;
}

uint64_t sim_stats_total_ok(const sim_stats *s)
{
    uint64_t n = 0;
    for (int op = 0; op < ORBIT_OP_COUNT; op++)
        n += s->ok[op];
    return n;
}

static uint64_t sum(const uint64_t t[ORBIT_OP_COUNT][ORBIT_ERR_COUNT])
{
    uint64_t n = 0;
    for (int op = 0; op < ORBIT_OP_COUNT; op++) {
        for (int e = 0; e < ORBIT_ERR_COUNT; e++)
            n += t[op][e];
    }
    return n;
}

uint64_t sim_stats_total_expected(const sim_stats *s)
{
    return sum(s->expected);
}

uint64_t sim_stats_total_unexpected(const sim_stats *s)
{
    return sum(s->unexpected);
}

static json_t *codes(const uint64_t row[ORBIT_ERR_COUNT])
{
    json_t *o = json_object();
    for (int e = 0; o && e < ORBIT_ERR_COUNT; e++) {
        if (row[e])
            json_object_set_new(o, orbit_err_name((orbit_err)e), json_integer((json_int_t)row[e]));
    }
    return o;
}

json_t *sim_stats_json(const sim_stats *s, const char *profile, double seconds, size_t pools)
{
    json_t *ops = json_object(), *outcomes = json_object();
    for (int op = ORBIT_OP_CALL_PARK; ops && op < ORBIT_OP_COUNT; op++) {
        json_object_set_new(ops, orbit_op_name((orbit_op)op),
                            json_pack("{s:I, s:o, s:o}", "ok", (json_int_t)s->ok[op], "expected",
                                      codes(s->expected[op]), "unexpected",
                                      codes(s->unexpected[op])));
    }
    for (int o = 0; outcomes && o < SIM_OUT_COUNT; o++)
        json_object_set_new(outcomes, OUTCOME_NAMES[o], json_integer((json_int_t)s->outcomes[o]));
    uint64_t unexpected = sim_stats_total_unexpected(s);
    return json_pack("{s:s, s:f, s:I, s:I, s:I, s:I, s:o, s:o, s:s, s:s?}", "profile", profile,
                     "seconds", seconds, "pools", (json_int_t)pools, "ok",
                     (json_int_t)sim_stats_total_ok(s), "expected_refusals",
                     (json_int_t)sim_stats_total_expected(s), "unexpected_errors",
                     (json_int_t)unexpected, "ops", ops, "outcomes", outcomes, "verdict",
                     unexpected ? "unexpected errors" : "no unexpected errors", "last_unexpected",
                     unexpected ? s->last_unexpected : NULL);
}

void sim_stats_print(const sim_stats *s, FILE *out, const char *profile, double seconds,
                     size_t pools)
{
    fprintf(out, "orbit-sim summary: profile %s, %.0f s, %zu pools\n", profile, seconds, pools);
    fprintf(out, "%-22s %8s  %s\n", "op", "ok", "refusals (expected / UNEXPECTED)");
    for (int op = ORBIT_OP_CALL_PARK; op < ORBIT_OP_COUNT; op++) {
        fprintf(out, "%-22s %8llu ", orbit_op_name((orbit_op)op), (unsigned long long)s->ok[op]);
        for (int e = 0; e < ORBIT_ERR_COUNT; e++) {
            if (s->expected[op][e])
                fprintf(out, " %s %llu", orbit_err_name((orbit_err)e),
                        (unsigned long long)s->expected[op][e]);
            if (s->unexpected[op][e])
                fprintf(out, " UNEXPECTED %s %llu", orbit_err_name((orbit_err)e),
                        (unsigned long long)s->unexpected[op][e]);
        }
        fputc('\n', out);
    }
    fprintf(out, "outcomes:");
    for (int o = 0; o < SIM_OUT_COUNT; o++)
        fprintf(out, " %s %llu", OUTCOME_NAMES[o], (unsigned long long)s->outcomes[o]);
    uint64_t unexpected = sim_stats_total_unexpected(s);
    fprintf(out, "\nok %llu, expected refusals %llu, unexpected errors %llu: %s\n",
            (unsigned long long)sim_stats_total_ok(s),
            (unsigned long long)sim_stats_total_expected(s), (unsigned long long)unexpected,
            unexpected ? "UNEXPECTED ERRORS" : "no unexpected errors");
    if (unexpected)
        fprintf(out, "last unexpected: %s\n", s->last_unexpected);
}
