/* orbit_event: the catalogue of event kinds of orbit.v1, one row per kind
 * with its wire name, the part of the state it touches (class) and what it
 * does there (effect). The server emits kinds by enum and every client
 * (mirror, orbitctl, orbit-sim) dispatches on the enum and the row, so a
 * kind is named in one place rather than in strcmp chains at both ends. */
#ifndef ORBIT_EVENT_H
#define ORBIT_EVENT_H

#include <stdbool.h>

typedef enum {
    ORBIT_EV_CALL_PARKED = 0,
    ORBIT_EV_CALL_RINGBACK,
    ORBIT_EV_CALL_REPARKED,
    ORBIT_EV_CALL_RETRIEVED,
    ORBIT_EV_CALL_RINGBACK_ANSWERED,
    ORBIT_EV_CALL_FORWARDED,
    ORBIT_EV_CALL_DISCONNECTED,
    ORBIT_EV_PICKUP_QUEUED,
    ORBIT_EV_PICKUP_UNPICKABLE,
    ORBIT_EV_PICKUP_TAKEN,
    ORBIT_EV_PICKUP_ANSWERED,
    ORBIT_EV_PICKUP_CANCELLED,
    ORBIT_EV_PICKUP_VOICEMAIL,
    ORBIT_EV_PICKUP_DROPPED,
    ORBIT_EV_ORBIT_CREATED,
    ORBIT_EV_ORBIT_UPDATED,
    ORBIT_EV_ORBIT_DELETED,
    ORBIT_EV_ORBIT_REASSIGNED,
    ORBIT_EV_DR_CHANGED,
    ORBIT_EV_POOL_STATUS,
    ORBIT_EV_POOL_ADDED,
    ORBIT_EV_POOL_RETIRED,
    ORBIT_EV_USERS_REHOMED,
    ORBIT_EV_CONFIG_CHANGED,
    ORBIT_EV_MOH_CHANGED,
    ORBIT_EV_TOPOLOGY_IMPORTED,
    ORBIT_EV_RUNBOOK_STEP,
    ORBIT_EV_COUNT
} orbit_event_kind;

/* The part of a pool's state an event changes. */
typedef enum {
    ORBIT_EVCLASS_PARKED = 0, /* calls parked on this pool's orbits */
    ORBIT_EVCLASS_QUEUE,      /* Group Call Pickup queues held here */
    ORBIT_EVCLASS_ORBITS,     /* the global orbit table */
    ORBIT_EVCLASS_DR,         /* a home pool's DR state */
    ORBIT_EVCLASS_POOLS,      /* the pools registry and liveness */
    ORBIT_EVCLASS_USERS,      /* users and their home pools */
    ORBIT_EVCLASS_CONFIG,     /* this pool's Call Park settings */
    ORBIT_EVCLASS_MOH,        /* this pool's music on hold */
    ORBIT_EVCLASS_TOPOLOGY,   /* everything: take a snapshot */
    ORBIT_EVCLASS_RUNBOOK,    /* a pair's DR runbook (the state's runbooks) */
    ORBIT_EVCLASS_COUNT
} orbit_event_class;

/* What the event does to the entity its class names. */
typedef enum {
    ORBIT_EVEFFECT_UPSERT = 0, /* the entity, whole, as it is now */
    ORBIT_EVEFFECT_MARK,       /* a flag of an existing entity changed */
    ORBIT_EVEFFECT_REMOVE,     /* the entity is gone */
    ORBIT_EVEFFECT_BULK,       /* several entities, listed in the data */
    ORBIT_EVEFFECT_COUNT
} orbit_event_effect;

/* The wire name ("call.parked"); "?" out of range. Borrowed, static. */
const char *orbit_event_name(orbit_event_kind k);
/* Looks a wire name up; false (and *out untouched) when unknown. */
bool orbit_event_from_name(const char *name, orbit_event_kind *out);
orbit_event_class orbit_event_class_of(orbit_event_kind k);
orbit_event_effect orbit_event_effect_of(orbit_event_kind k);
/* The class's name ("parked", "orbits", ...), for filters and logs. */
const char *orbit_event_class_name(orbit_event_class c);
bool orbit_event_class_from_name(const char *name, orbit_event_class *out);

#endif
