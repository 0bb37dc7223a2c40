/* call_engine: the calls a pool holds: calls parked on its orbits with
 * their ring-back timers, and the Group Call Pickup queues of the groups
 * whose numbers lie in its GroupPickup ranges. Calls live in memory only:
 * like a real Call Park service, a pool that goes down loses them and they
 * never come back. Every transition is an event.
 *
 * The engine knows only core/: it reads the deployment it is given and
 * talks back through a narrow environment (its FQDN, settings, MOH, rng,
 * clock, and hooks for events, liveness and usage), so it runs the same
 * under orbitd's kernel and under a unit test with a fake clock. */
#ifndef CALL_ENGINE_H
#define CALL_ENGINE_H

#include "cps_settings.h"
#include "dr_policy.h"
#include "orbit_buf.h"
#include "orbit_deployment.h"
#include "orbit_event.h"
#include "orbit_ops.h"
#include "orbit_rng.h"

#include <jansson.h>
#include <stdint.h>

typedef struct call_engine call_engine;

/* Ring duration of one ring-back attempt, and of a pickup call before it
 * goes to voicemail, in the domain's seconds (scaled like every timer). */
#define CALL_RINGBACK_RING_S 20.0
#define CALL_PICKUP_RING_S   30.0

/* How the engine talks back to whoever runs it. */
typedef struct {
    void *ctx;
    /* An event for every subscriber; data is stolen. */
    void (*emit)(void *ctx, orbit_event_kind kind, json_t *data);
    /* A pool's liveness as the pool running the engine sees it. */
    pool_status (*pool_status)(void *ctx, const char *fqdn);
    /* The parked count of this pool's ranges changed (heartbeat usage). */
    void (*usage_changed)(void *ctx);
    /* Wall-clock milliseconds (tests pass a fake clock). */
    int64_t (*now_ms)(void *ctx);
} call_engine_hooks;

typedef struct {
    const char *fqdn;             /* this pool; borrowed for the engine's life */
    const cps_settings *settings; /* borrowed; read at each decision */
    const moh_info *moh;          /* borrowed */
    orbit_rng *rng;               /* borrowed */
    double clock_scale;           /* domain timers run this many times faster */
    call_engine_hooks hooks;
} call_engine_env;

/* A new engine over dep (borrowed until replaced with
 * call_engine_set_deployment). NULL on OOM. */
call_engine *call_engine_new(const call_engine_env *env, const orbit_deployment *dep);
void call_engine_free(call_engine *ce);

/* Replaces the deployment (a full reload) and rebuilds the free-orbit
 * index from this pool's CallPark ranges. False on OOM. */
bool call_engine_set_deployment(call_engine *ce, const orbit_deployment *dep);

/* One range joined or left the table (or changed owner or type): the
 * free-orbit index follows in O(size of the range), and only when the
 * range is one of this pool's CallPark ranges. False on OOM. */
bool call_engine_range_added(call_engine *ce, const orbit_range *r);
void call_engine_range_removed(call_engine *ce, const orbit_range *r);

/* The endpoint ops, args decoded (one handler per catalogue row). *data
 * receives the result (new reference) on success. */
orbit_err call_engine_park(call_engine *ce, const orbit_cmd_args *a, json_t **data,
                           orbit_status *st);
orbit_err call_engine_retrieve(call_engine *ce, const orbit_cmd_args *a, json_t **data,
                               orbit_status *st);
orbit_err call_engine_ringback_answer(call_engine *ce, const orbit_cmd_args *a, json_t **data,
                                      orbit_status *st);
/* The caller of a parked call hung up (call.disconnected, reason
 * "hangup"), or of a queued call (pickup.cancelled): it is ended. */
orbit_err call_engine_hangup(call_engine *ce, const orbit_cmd_args *a, json_t **data,
                             orbit_status *st);
orbit_err call_engine_pickup_ring(call_engine *ce, const orbit_cmd_args *a, json_t **data,
                                  orbit_status *st);
orbit_err call_engine_pickup_take(call_engine *ce, const orbit_cmd_args *a, json_t **data,
                                  orbit_status *st);
orbit_err call_engine_pickup_answer(call_engine *ce, const orbit_cmd_args *a, json_t **data,
                                    orbit_status *st);
orbit_err call_engine_pickup_cancel(call_engine *ce, const orbit_cmd_args *a, json_t **data,
                                    orbit_status *st);

/* Fires due timers: ring-backs, forwards, disconnects, voicemail. */
void call_engine_tick(call_engine *ce, int64_t now_ms);

/* Applies a DR event to the calls this pool holds for users homed on
 * `home`, following the fate table of core/dr_policy.c. */
void call_engine_apply_dr(call_engine *ce, dr_event ev, const char *home);

/* Parked calls on orbits of r held here: O(size of r). */
uint32_t call_engine_parked_in(const call_engine *ce, const orbit_range *r);

size_t call_engine_parked_count(const call_engine *ce);
size_t call_engine_queued_count(const call_engine *ce);

/* Free orbits left in this pool's CallPark ranges, and their capacity. */
uint32_t call_engine_free_orbits(const call_engine *ce);
uint32_t call_engine_orbit_capacity(const call_engine *ce);

/* Snapshot arrays: "parked" and "queues" of the protocol's state (new
 * references; NULL on OOM). */
json_t *call_engine_parked_json(const call_engine *ce);
/* Appends the same array as text to b, in the order of
 * call_engine_parked_json, without building objects (a snapshot of tens
 * of thousands of calls). false on OOM. */
bool call_engine_parked_write(const call_engine *ce, orbit_buf *b);
json_t *call_engine_queues_json(const call_engine *ce);

/* Depth of every queue, for metrics: calls fn(group text, depth). */
void call_engine_each_queue(const call_engine *ce,
                            void (*fn)(void *ctx, const char *group, size_t depth), void *ctx);

#endif
