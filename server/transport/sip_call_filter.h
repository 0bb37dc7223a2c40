/* sip_call_filter: which pool events the SIP edge needs (the later
 * events of the calls it carries), so that the kernel's loop copies
 * nothing for the edge's thread otherwise. Loop thread only. */
#ifndef SIP_CALL_FILTER_H
#define SIP_CALL_FILTER_H

#include "orbit_event.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct sip_call_filter sip_call_filter;

/* A new filter; NULL when out of memory. */
sip_call_filter *sip_call_filter_new(void);
void sip_call_filter_free(sip_call_filter *f);

/* Whether the edge acts on this event (data borrowed): a ring-back,
 * re-park or end of a parked call, or the voicemail or drop of a queued
 * one, of a call the edge carries. Follows the calls as a side effect:
 * call.parked and pickup.queued with transport "sip" start one, its last
 * event ends it. A call queued and parked at once under one call_id (a
 * callee answered, then parked it) is followed as both until each ends.
 * After an insert failed for want of memory, every call's events pass:
 * slower, never wrong. */
bool sip_call_filter_wants(sip_call_filter *f, orbit_event_kind kind, const json_t *data);

/* Calls followed now. */
size_t sip_call_filter_count(const sip_call_filter *f);

#endif
