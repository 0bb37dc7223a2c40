/* sim_profile: the traffic orbit-sim generates per pool, in the domain's
 * minutes and seconds (the deployment's clock scale speeds them up):
 * a lively demo, the capacity-planning figures of the domain, and a
 * stress load. */
#ifndef SIM_PROFILE_H
#define SIM_PROFILE_H

#include <stdbool.h>

typedef struct {
    const char *name;
    double parks_per_min;     /* per pool, by users homed there */
    double park_mean_s;       /* mean time before the call is retrieved */
    double ringback_answer_p; /* chance the parker takes a ring-back */
    double rings_per_min;     /* pickup-group calls per pool */
    double take_p;            /* answered by Group Call Pickup */
    double answer_p;          /* answered by the callee */
    double cancel_p;          /* the caller gives up (the rest: voicemail) */
} sim_profile;

/* NULL when the name is unknown. */
const sim_profile *sim_profile_find(const char *name);

/* "demo, capacity, stress" for messages. */
const char *sim_profile_names(void);

#endif
