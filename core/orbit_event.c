/* orbit_event: one row per event kind; lookups by name are a linear scan
 * of a few dozen short strings, cheaper than hashing at this size. */
#include "orbit_event.h"

#include <string.h>

typedef struct {
    const char *name;
    orbit_event_class cls;
    orbit_event_effect effect;
} event_row;

static const event_row EVENTS[ORBIT_EV_COUNT] = {
    [ORBIT_EV_CALL_PARKED] = {"call.parked", ORBIT_EVCLASS_PARKED, ORBIT_EVEFFECT_UPSERT},
    [ORBIT_EV_CALL_RINGBACK] = {"call.ringback", ORBIT_EVCLASS_PARKED, ORBIT_EVEFFECT_UPSERT},
    [ORBIT_EV_CALL_REPARKED] = {"call.reparked", ORBIT_EVCLASS_PARKED, ORBIT_EVEFFECT_UPSERT},
    [ORBIT_EV_CALL_RETRIEVED] = {"call.retrieved", ORBIT_EVCLASS_PARKED, ORBIT_EVEFFECT_REMOVE},
    [ORBIT_EV_CALL_RINGBACK_ANSWERED] = {"call.ringback_answered", ORBIT_EVCLASS_PARKED,
                                         ORBIT_EVEFFECT_REMOVE},
    [ORBIT_EV_CALL_FORWARDED] = {"call.forwarded", ORBIT_EVCLASS_PARKED, ORBIT_EVEFFECT_REMOVE},
    [ORBIT_EV_CALL_DISCONNECTED] = {"call.disconnected", ORBIT_EVCLASS_PARKED,
                                    ORBIT_EVEFFECT_REMOVE},
    [ORBIT_EV_PICKUP_QUEUED] = {"pickup.queued", ORBIT_EVCLASS_QUEUE, ORBIT_EVEFFECT_UPSERT},
    [ORBIT_EV_PICKUP_UNPICKABLE] = {"pickup.unpickable", ORBIT_EVCLASS_QUEUE, ORBIT_EVEFFECT_MARK},
    [ORBIT_EV_PICKUP_TAKEN] = {"pickup.taken", ORBIT_EVCLASS_QUEUE, ORBIT_EVEFFECT_REMOVE},
    [ORBIT_EV_PICKUP_ANSWERED] = {"pickup.answered", ORBIT_EVCLASS_QUEUE, ORBIT_EVEFFECT_REMOVE},
    [ORBIT_EV_PICKUP_CANCELLED] = {"pickup.cancelled", ORBIT_EVCLASS_QUEUE, ORBIT_EVEFFECT_REMOVE},
    [ORBIT_EV_PICKUP_VOICEMAIL] = {"pickup.voicemail", ORBIT_EVCLASS_QUEUE, ORBIT_EVEFFECT_REMOVE},
    [ORBIT_EV_PICKUP_DROPPED] = {"pickup.dropped", ORBIT_EVCLASS_QUEUE, ORBIT_EVEFFECT_REMOVE},
    [ORBIT_EV_ORBIT_CREATED] = {"orbit.created", ORBIT_EVCLASS_ORBITS, ORBIT_EVEFFECT_UPSERT},
    [ORBIT_EV_ORBIT_UPDATED] = {"orbit.updated", ORBIT_EVCLASS_ORBITS, ORBIT_EVEFFECT_UPSERT},
    [ORBIT_EV_ORBIT_DELETED] = {"orbit.deleted", ORBIT_EVCLASS_ORBITS, ORBIT_EVEFFECT_REMOVE},
    [ORBIT_EV_ORBIT_REASSIGNED] = {"orbit.reassigned", ORBIT_EVCLASS_ORBITS, ORBIT_EVEFFECT_BULK},
    [ORBIT_EV_DR_CHANGED] = {"dr.changed", ORBIT_EVCLASS_DR, ORBIT_EVEFFECT_UPSERT},
    [ORBIT_EV_POOL_STATUS] = {"pool.status", ORBIT_EVCLASS_POOLS, ORBIT_EVEFFECT_MARK},
    [ORBIT_EV_POOL_ADDED] = {"pool.added", ORBIT_EVCLASS_POOLS, ORBIT_EVEFFECT_UPSERT},
    [ORBIT_EV_POOL_RETIRED] = {"pool.retired", ORBIT_EVCLASS_POOLS, ORBIT_EVEFFECT_REMOVE},
    [ORBIT_EV_USERS_REHOMED] = {"users.rehomed", ORBIT_EVCLASS_USERS, ORBIT_EVEFFECT_BULK},
    [ORBIT_EV_CONFIG_CHANGED] = {"config.changed", ORBIT_EVCLASS_CONFIG, ORBIT_EVEFFECT_UPSERT},
    [ORBIT_EV_MOH_CHANGED] = {"moh.changed", ORBIT_EVCLASS_MOH, ORBIT_EVEFFECT_UPSERT},
    [ORBIT_EV_TOPOLOGY_IMPORTED] = {"topology.imported", ORBIT_EVCLASS_TOPOLOGY,
                                    ORBIT_EVEFFECT_BULK},
    [ORBIT_EV_RUNBOOK_STEP] = {"runbook.step", ORBIT_EVCLASS_RUNBOOK, ORBIT_EVEFFECT_UPSERT},
};

static const char *const CLASS_NAMES[ORBIT_EVCLASS_COUNT] = {
    [ORBIT_EVCLASS_PARKED] = "parked",     [ORBIT_EVCLASS_QUEUE] = "queue",
    [ORBIT_EVCLASS_ORBITS] = "orbits",     [ORBIT_EVCLASS_DR] = "dr",
    [ORBIT_EVCLASS_POOLS] = "pools",       [ORBIT_EVCLASS_USERS] = "users",
    [ORBIT_EVCLASS_CONFIG] = "config",     [ORBIT_EVCLASS_MOH] = "moh",
    [ORBIT_EVCLASS_TOPOLOGY] = "topology", [ORBIT_EVCLASS_RUNBOOK] = "runbook",
};

const char *orbit_event_name(orbit_event_kind k)
{
    return (unsigned)k < ORBIT_EV_COUNT ? EVENTS[k].name : "?";
}

bool orbit_event_from_name(const char *name, orbit_event_kind *out)
{
    if (!name)
        return false;
    for (int i = 0; i < ORBIT_EV_COUNT; i++) {
        if (strcmp(EVENTS[i].name, name) == 0) {
            *out = (orbit_event_kind)i;
            return true;
        }
    }
    return false;
}

orbit_event_class orbit_event_class_of(orbit_event_kind k)
{
    return (unsigned)k < ORBIT_EV_COUNT ? EVENTS[k].cls : ORBIT_EVCLASS_COUNT;
}

orbit_event_effect orbit_event_effect_of(orbit_event_kind k)
{
    return (unsigned)k < ORBIT_EV_COUNT ? EVENTS[k].effect : ORBIT_EVEFFECT_COUNT;
}

const char *orbit_event_class_name(orbit_event_class c)
{
    return (unsigned)c < ORBIT_EVCLASS_COUNT ? CLASS_NAMES[c] : "?";
}

bool orbit_event_class_from_name(const char *name, orbit_event_class *out)
{
    if (!name)
        return false;
    for (int i = 0; i < ORBIT_EVCLASS_COUNT; i++) {
        if (strcmp(CLASS_NAMES[i], name) == 0) {
            *out = (orbit_event_class)i;
            return true;
        }
    }
    return false;
}
