/* sip_call_filter: which pool events the SIP edge needs, decided on the
 * loop before anything is copied for the edge's thread. The edge acts
 * only on the later events of calls it carries (sip_calls_on_event):
 * those whose call.parked or pickup.queued said transport "sip", from
 * then to their last event. A pool whose calls come over orbit.v1 thus
 * copies nothing for the edge. */
#include "sip_call_filter.h"

#include "orbit_map.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct sip_call_filter {
    orbit_map *calls; /* call_id -> SIP_CALL_* bits, never 0 */
    bool lost;        /* an insert failed: every call's events pass */
};

sip_call_filter *sip_call_filter_new(void)
{
    sip_call_filter *f = calloc(1, sizeof *f);
    if (f && !(f->calls = orbit_map_new())) {
        free(f);
        return NULL;
    }
    return f;
}

void sip_call_filter_free(sip_call_filter *f)
{
    if (!f)
        return;
    orbit_map_free(f->calls);
    free(f);
}

size_t sip_call_filter_count(const sip_call_filter *f)
{
    return orbit_map_count(f->calls);
}

/* What a carried call is in this pool, as bits of its sip_calls value:
 * one SIP call can be queued in a pickup group and parked under the same
 * call_id (a callee answers, then parks it), and the end of one must not
 * end the other. */
enum { SIP_CALL_PARKED = 1u << 0, SIP_CALL_QUEUED = 1u << 1 };

static unsigned call_roles(const sip_call_filter *f, const char *call_id)
{
    return (unsigned)(uintptr_t)orbit_map_get(f->calls, call_id);
}

/* Sets or clears role bits; the entry goes with its last role. */
static void set_call_roles(sip_call_filter *f, const char *call_id, unsigned roles)
{
    if (!roles)
        orbit_map_remove(f->calls, call_id);
    else if (!orbit_map_put(f->calls, call_id, (void *)(uintptr_t)roles))
        f->lost = true;
}

bool sip_call_filter_wants(sip_call_filter *f, orbit_event_kind kind, const json_t *data)
{
    const char *call_id = json_string_value(json_object_get(data, "call_id"));
    if (!call_id)
        return false;
    unsigned roles = call_roles(f, call_id);
    switch (kind) {
    case ORBIT_EV_CALL_PARKED:
    case ORBIT_EV_PICKUP_QUEUED: {
        const char *transport = json_string_value(json_object_get(data, "transport"));
        if (transport && strcmp(transport, "sip") == 0)
            set_call_roles(f, call_id,
                           roles |
                               (kind == ORBIT_EV_CALL_PARKED ? SIP_CALL_PARKED : SIP_CALL_QUEUED));
        return false;
    }
    case ORBIT_EV_CALL_RINGBACK:
    case ORBIT_EV_CALL_REPARKED:
        return f->lost || (roles & SIP_CALL_PARKED);
    case ORBIT_EV_CALL_RETRIEVED:
    case ORBIT_EV_CALL_RINGBACK_ANSWERED:
    case ORBIT_EV_CALL_FORWARDED:
    case ORBIT_EV_CALL_DISCONNECTED:
        /* The parked call's last event. */
        if (roles & SIP_CALL_PARKED)
            set_call_roles(f, call_id, roles & ~SIP_CALL_PARKED);
        return f->lost || (roles & SIP_CALL_PARKED);
    case ORBIT_EV_PICKUP_VOICEMAIL:
    case ORBIT_EV_PICKUP_DROPPED:
        /* The queued call's last event. */
        if (roles & SIP_CALL_QUEUED)
            set_call_roles(f, call_id, roles & ~SIP_CALL_QUEUED);
        return f->lost || (roles & SIP_CALL_QUEUED);
    case ORBIT_EV_PICKUP_TAKEN:
    case ORBIT_EV_PICKUP_ANSWERED:
    case ORBIT_EV_PICKUP_CANCELLED:
        /* Last too, but the edge caused them or they need nothing of it. */
        if (roles & SIP_CALL_QUEUED)
            set_call_roles(f, call_id, roles & ~SIP_CALL_QUEUED);
        return false;
    default:
        return false;
    }
}
