/* client_mirror: one pool's state as a client sees it: loaded from a
 * snapshot, then kept current by applying events one by one, each in O(1)
 * or O(log n) (hash maps by call id, orbit and group; the orbit table's
 * sorted index). A console holds tens of thousands of parked calls, so a
 * call is kept small (client_parked: its strings in one allocation with
 * it) rather than as the protocol's fixed-size record. */
#ifndef CLIENT_MIRROR_H
#define CLIENT_MIRROR_H

#include "cps_settings.h"
#include "dr_runbook.h"
#include "orbit_error.h"
#include "orbit_model.h"
#include "orbit_table.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct client_mirror client_mirror;

/* What an applied event changed, so views redraw only that. */
enum {
    CLIENT_CHANGED_POOLS = 1u << 0,
    CLIENT_CHANGED_DR = 1u << 1,
    CLIENT_CHANGED_ORBITS = 1u << 2,
    CLIENT_CHANGED_CONFIG = 1u << 3,
    CLIENT_CHANGED_MOH = 1u << 4,
    CLIENT_CHANGED_PARKED = 1u << 5,
    CLIENT_CHANGED_QUEUES = 1u << 6,
    CLIENT_CHANGED_SELF = 1u << 7,
    CLIENT_CHANGED_RUNBOOKS = 1u << 8,
};

/* This pool's own entry with its capacity and counters. */
typedef struct {
    char fqdn[ORBIT_FQDN_MAX + 1];
    char site[ORBIT_SITE_MAX + 1];
    char backup[ORBIT_FQDN_MAX + 1];
    char status[16];
    uint32_t callpark_orbits;
    uint32_t grouppickup_numbers;
    uint32_t users_homed;
    uint32_t users_served;
    uint32_t free_orbits;   /* CallPark orbits free now */
    uint32_t pickup_groups; /* distinct pickup groups of the users homed here */
    uint32_t parked_peak;   /* the most calls parked here at once since it started */
    uint32_t queued_peak;
    int64_t started_ms;
} client_pool_self;

/* One pickup group's queue, oldest call first. */
typedef struct {
    orbit_number group;
    pickup_call *calls;
    size_t ncalls, cap;
} client_queue;

/* A parked call as the mirror keeps it, with its three strings after it
 * (call_id, parker, parkee, each NUL-terminated; read them with the
 * functions below). Borrowed from the mirror: valid until the next load
 * or the next event applied. */
typedef struct {
    orbit_number orbit;
    int64_t parked_ms;
    int64_t deadline_ms; /* next ring-back or give-up time */
    uint16_t parker_at;  /* offsets into text */
    uint16_t parkee_at;
    uint8_t attempt;   /* ring-backs made so far */
    uint8_t state;     /* parked_state */
    uint8_t transport; /* call_transport: who carries the call */
    bool music_on_hold;
    char orbit_key[ORBIT_NUMBER_BUF]; /* the orbit's text: a map key */
    char text[];
} client_parked;

static inline const char *client_parked_call_id(const client_parked *p)
{
    return p->text;
}

static inline const char *client_parked_parker(const client_parked *p)
{
    return p->text + p->parker_at;
}

static inline const char *client_parked_parkee(const client_parked *p)
{
    return p->text + p->parkee_at;
}

/* The protocol's record of a parked call (the strings are copied). */
void client_parked_to_call(const client_parked *p, parked_call *out);

client_mirror *client_mirror_new(void);
void client_mirror_free(client_mirror *m);

/* Replaces everything with a snapshot's `state`. On failure the mirror
 * keeps its previous content. */
orbit_err client_mirror_load(client_mirror *m, const json_t *state, orbit_status *st);

/* Loading piece by piece, as a snapshot streams in (client_snapstream.h):
 * a fresh mirror from client_mirror_new() receives the members of a
 * state in any order, then client_mirror_load_finish() checks that every
 * member a state must have came and moves fresh's content into m (fresh
 * is freed either way). The same rules as client_mirror_load(), which is
 * built on them.
 *   client_mirror_load_member: one member of the state by its name
 *     ("pool", "pools", "dr", "orbits", "config", "moh", "parked",
 *     "queues"; others are ignored), value borrowed;
 *   client_mirror_load_parked: one parked call of "parked" (the member
 *     then counts as present). */
orbit_err client_mirror_load_member(client_mirror *fresh, const char *name, const json_t *value,
                                    orbit_status *st);
orbit_err client_mirror_load_parked(client_mirror *fresh, const parked_call *c, orbit_status *st);
orbit_err client_mirror_load_finish(client_mirror *m, client_mirror *fresh, orbit_status *st);

/* Applies one event; returns CLIENT_CHANGED_* flags (0 when the kind is
 * unknown or changes nothing this mirror keeps). */
unsigned client_mirror_apply(client_mirror *m, const char *kind, const json_t *data);

bool client_mirror_loaded(const client_mirror *m);
const client_pool_self *client_mirror_self(const client_mirror *m);

size_t client_mirror_pool_count(const client_mirror *m);
const pool_info *client_mirror_pool_at(const client_mirror *m, size_t i);
const pool_info *client_mirror_pool(const client_mirror *m, const char *fqdn);

size_t client_mirror_dr_count(const client_mirror *m);
const dr_state *client_mirror_dr_at(const client_mirror *m, size_t i);
const dr_state *client_mirror_dr(const client_mirror *m, const char *home);

const orbit_table *client_mirror_orbits(const client_mirror *m);
/* in_use of a range as last reported (snapshot, then kept for this pool's
 * own ranges from call and queue events). */
uint32_t client_mirror_in_use(const client_mirror *m, const char *identity);

const cps_settings *client_mirror_config(const client_mirror *m);
const moh_info *client_mirror_moh(const client_mirror *m);

size_t client_mirror_parked_count(const client_mirror *m);
const client_parked *client_mirror_parked(const client_mirror *m, const char *call_id);
const client_parked *client_mirror_parked_on(const client_mirror *m, const orbit_number *orbit);
/* Iterates parked calls: *pos starts at 0; NULL at the end. */
const client_parked *client_mirror_parked_next(const client_mirror *m, size_t *pos);

size_t client_mirror_queue_count(const client_mirror *m);
size_t client_mirror_queued_calls(const client_mirror *m);
const client_queue *client_mirror_queue(const client_mirror *m, const orbit_number *group);
const client_queue *client_mirror_queue_next(const client_mirror *m, size_t *pos);
const pickup_call *client_mirror_queued(const client_mirror *m, const char *call_id);

/* The DR runbooks the deployment records (every pool reports them all). */
size_t client_mirror_runbook_count(const client_mirror *m);
const dr_runbook *client_mirror_runbook_at(const client_mirror *m, size_t i);
/* The runbook of a home pool, or NULL. */
const dr_runbook *client_mirror_runbook(const client_mirror *m, const char *home);
/* The active runbook that works on a pool (home, backup or replacement),
 * or NULL: the one holding its pair. */
const dr_runbook *client_mirror_runbook_on(const client_mirror *m, const char *fqdn);

/* The mirror as the protocol's state object (orbits, parked, queues, dr,
 * pools, config, moh), for comparison with GET /v1/state and for
 * `orbitctl state`. Arrays are sorted by key so two equal states encode
 * identically. */
json_t *client_mirror_to_json(const client_mirror *m);

#endif
