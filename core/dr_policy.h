/* dr_policy: disaster-recovery phases of a home pool's users, the
 * transitions between them with their preconditions, and what each event
 * does to calls; all read from one table (dr_policy.c) rather than spread
 * over conditionals, so the seed documents' tables can be checked row by
 * row against it. */
#ifndef DR_POLICY_H
#define DR_POLICY_H

#include "orbit_error.h"

#include <stdbool.h>
#include <stdint.h>

typedef enum {
    DR_PHASE_NORMAL = 0,
    DR_PHASE_FAILING_OVER,
    DR_PHASE_FAILED_OVER,
    DR_PHASE_FAILING_BACK,
    DR_PHASE_COUNT
} dr_phase;

typedef enum {
    DR_EVENT_OUTAGE = 0,     /* the home pool stopped answering */
    DR_EVENT_FAILOVER_BEGIN, /* operator started pool.failover */
    DR_EVENT_FAILOVER_COMPLETE,
    DR_EVENT_FAILBACK_BEGIN, /* operator started pool.failback */
    DR_EVENT_FAILBACK_COMPLETE,
    DR_EVENT_COUNT
} dr_event;

/* Calls as the seed tables classify them. */
typedef enum {
    DR_CALL_NOT_PARKED = 0, /* connected, not parked yet */
    DR_CALL_PARKED,         /* parked, not retrieved */
    DR_CALL_RETRIEVED,      /* parked call already retrieved */
    DR_CALL_PICKUP_QUEUED,  /* ringing, waiting in a pickup queue */
    DR_CALL_ESTABLISHED,    /* answered (by callee or by pickup) */
    DR_CALL_STATE_COUNT
} dr_call_state;

/* What happens to an existing call when an event hits. */
typedef enum {
    DR_FATE_STAYS_CONNECTED = 0, /* untouched */
    DR_FATE_DISCONNECTED,        /* ended with the pool that held it */
    DR_FATE_REMAINS_PARKED,      /* still parked, retrievable, timers run */
    DR_FATE_NONE_LEFT,           /* none may remain in this state: any is ended */
    DR_FATE_UNPICKABLE,          /* stays queued but pickup can never answer it */
    DR_FATE_COUNT
} dr_fate;

/* The facts a transition request is checked against. */
typedef struct {
    dr_phase phase;                   /* current phase of the home pool's users */
    bool home_has_backup;             /* the home pool is paired */
    bool asked_at_backup;             /* the request reached the home pool's backup */
    bool home_up;                     /* the home pool heart-beats */
    bool backup_up;                   /* the backup pool heart-beats */
    bool disaster_mode;               /* operator asked for disaster_mode */
    uint32_t backup_callpark_numbers; /* CallPark numbers the backup owns */
    dr_phase backup_phase;            /* phase of the backup pool's own users */
} dr_request;

const char *dr_phase_name(dr_phase p);
bool dr_phase_from_name(const char *name, dr_phase *out);
const char *dr_event_name(dr_event e);
const char *dr_fate_name(dr_fate f);
const char *dr_call_state_name(dr_call_state s);

/* Users are in resiliency mode (failing_over, failing_back). */
bool dr_phase_resiliency(dr_phase p);

/* The users are served by the backup pool in this phase. */
bool dr_phase_served_by_backup(dr_phase p);

/* The phase an event leads to from phase p (p itself for an outage). */
dr_phase dr_phase_after(dr_event e, dr_phase p);

/* Checks an operator's (or the phase timer's) request; on success *next
 * is the phase entered. Refusals: conflict (wrong phase, not paired),
 * wrong_pool (not sent to the backup), pool_unreachable (a pool that must
 * be up is down, or disaster_mode missing), limit_exceeded... */
orbit_err dr_transition_check(dr_event e, const dr_request *req, dr_phase *next, orbit_status *st);

/* What an event does to a call in state s (of the affected users). */
dr_fate dr_fate_of(dr_event e, dr_call_state s);

/* May a user whose home pool's users are in phase p park at a pool now?
 * serving_up: the pool serving the user heart-beats; at_serving: the
 * request reached that pool. Refusals: resiliency_mode, pool_unreachable,
 * not_served_here. */
orbit_err dr_park_check(dr_phase p, bool serving_up, bool at_serving, orbit_status *st);

/* Is Group Call Pickup available for a user in phase p whose group number
 * lies in a range owned by range_at_serving (true when the owner is the
 * pool now serving the user)? Refusal: pickup_unavailable. */
orbit_err dr_pickup_check(dr_phase p, bool range_at_serving, orbit_status *st);

#endif
