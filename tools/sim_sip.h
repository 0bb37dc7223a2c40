/* sim_sip: orbit-sim --sip, phones that speak real SIP and RTP to the
 * pools' SIP edges (libre as the user agent, the same stack as the
 * edge): they register (following 301s to the serving pool, answering
 * digest challenges), call each other through the pool, park by blind
 * transfer to sip:park@, retrieve by dialling the orbit the pool tells
 * them by MESSAGE, pick up ringing calls by dialling the group, and hang
 * up, sending RTP all along. */
#ifndef SIM_SIP_H
#define SIM_SIP_H

#include <signal.h>
#include <stdbool.h>

typedef struct {
    const char *deployment; /* deployment.json: pools' "sip", "sip_passwords" */
    const char *topology;   /* users' homes and groups; NULL: topology.json beside it */
    double duration_s;      /* 0: until *stop */
    unsigned long long seed;
    unsigned concurrency; /* scenarios at once; 0: one per pool */
    double hold_s;        /* how long a call stays parked or ringing before the next step */
    bool json;
} sim_sip_options;

/* Runs until the duration passes or *stop is set; prints the summary on
 * stdout. Returns the exit status: 0 all went as expected, 1 some
 * scenarios failed, 2 bad input, 3 no phone could register. */
int sim_sip_run(const sim_sip_options *o, volatile sig_atomic_t *stop);

#endif
