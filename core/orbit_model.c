/* orbit_model: names of the model's enumerations. */
#include "orbit_model.h"

#include <string.h>

static const char *const POOL_STATUS_NAMES[POOL_STATUS_COUNT] = {
    [POOL_STATUS_UNKNOWN] = "unknown",
    [POOL_STATUS_UP] = "up",
    [POOL_STATUS_DEGRADED] = "degraded",
    [POOL_STATUS_DOWN] = "down",
};

static const char *const PARKED_STATE_NAMES[PARKED_STATE_COUNT] = {
    [PARKED_STATE_PARKED] = "parked",
    [PARKED_STATE_RINGING_BACK] = "ringing_back",
};

static const char *const CALL_TRANSPORT_NAMES[CALL_TRANSPORT_COUNT] = {
    [CALL_TRANSPORT_API] = "api",
    [CALL_TRANSPORT_SIP] = "sip",
};

static bool name_lookup(const char *const *names, int count, const char *name, int *out)
{
    if (!name)
        return false;
    for (int i = 0; i < count; i++) {
        if (strcmp(names[i], name) == 0) {
            *out = i;
            return true;
        }
    }
    return false;
}

const char *pool_status_name(pool_status s)
{
    return (unsigned)s < POOL_STATUS_COUNT ? POOL_STATUS_NAMES[s] : "unknown";
}

bool pool_status_from_name(const char *name, pool_status *out)
{
    int i;
    if (!name_lookup(POOL_STATUS_NAMES, POOL_STATUS_COUNT, name, &i))
        return false;
    *out = (pool_status)i;
    return true;
}

const char *parked_state_name(parked_state s)
{
    return (unsigned)s < PARKED_STATE_COUNT ? PARKED_STATE_NAMES[s] : "parked";
}

bool parked_state_from_name(const char *name, parked_state *out)
{
    int i;
    if (!name_lookup(PARKED_STATE_NAMES, PARKED_STATE_COUNT, name, &i))
        return false;
    *out = (parked_state)i;
    return true;
}

const char *call_transport_name(call_transport t)
{
    return (unsigned)t < CALL_TRANSPORT_COUNT ? CALL_TRANSPORT_NAMES[t] : "api";
}

bool call_transport_from_name(const char *name, call_transport *out)
{
    int i;
    if (!name_lookup(CALL_TRANSPORT_NAMES, CALL_TRANSPORT_COUNT, name, &i))
        return false;
    *out = (call_transport)i;
    return true;
}
