/* call_engine: the calls a pool holds: calls parked on its orbits with
 * their ring-back timers, and the Group Call Pickup queues of the groups
 * whose numbers lie in its GroupPickup ranges. Calls live in memory only:
 * like a real Call Park service, a pool that goes down loses them and they
 * never come back. Every transition is an event. */
#ifndef CALL_ENGINE_H
#define CALL_ENGINE_H

#include "dr_policy.h"
#include "orbit_ops.h"

#include <jansson.h>
#include <stdint.h>

typedef struct orbit_server orbit_server;
typedef struct call_engine call_engine;

/* Ring duration of one ring-back attempt, and of a pickup call before it
 * goes to voicemail, in the domain's seconds (scaled like every timer). */
#define CALL_RINGBACK_RING_S 20.0
#define CALL_PICKUP_RING_S   30.0

call_engine *call_engine_new(orbit_server *srv);
void call_engine_free(call_engine *ce);

/* Rebuilds the free-orbit allocator after this pool's ranges changed. */
bool call_engine_ranges_changed(call_engine *ce);

/* Runs an endpoint op (call.* and pickup.*); args already decoded. */
orbit_err call_engine_run(call_engine *ce, const orbit_cmd_args *args, json_t **data,
                          orbit_status *st);

/* Fires due timers: ring-backs, forwards, disconnects, voicemail. */
void call_engine_tick(call_engine *ce, int64_t now_ms);

/* Applies a DR event to the calls this pool holds for users homed on
 * `home`, following the fate table of core/dr_policy.c. */
void call_engine_apply_dr(call_engine *ce, dr_event ev, const char *home);

/* Parked calls on orbits of r held here. */
uint32_t call_engine_parked_in(const call_engine *ce, const orbit_range *r);

size_t call_engine_parked_count(const call_engine *ce);
size_t call_engine_queued_count(const call_engine *ce);

/* Snapshot arrays: "parked" and "queues" of the protocol's state. */
json_t *call_engine_parked_json(const call_engine *ce);
json_t *call_engine_queues_json(const call_engine *ce);

/* Depth of every queue, for metrics: calls fn(group text, depth). */
void call_engine_each_queue(const call_engine *ce,
                            void (*fn)(void *ctx, const char *group, size_t depth), void *ctx);

#endif
