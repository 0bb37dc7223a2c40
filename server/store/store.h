/* store: the deployment store shared by every orbitd of a deployment: the
 * pools registry with heartbeats, the orbit table, the users, the DR state
 * and a change log that lets every pool notice what the others changed.
 * This header is the interface; store_sqlite.c is the one backend today
 * (one SQLite file in WAL mode); a distributed backend plugs in behind
 * the same functions. */
#ifndef STORE_H
#define STORE_H

#include "orbit_error.h"
#include "orbit_model.h"
#include "orbit_range.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct orbit_store orbit_store;

#define STORE_EPOCH_MAX 40
#define STORE_WHO_MAX   64

/* A DR row: the state and the pool that runs its phase timer. */
typedef struct {
    dr_state state;
    char run_by[ORBIT_FQDN_MAX + 1];
} store_dr_row;

/* Everything a pool needs to start, or to reload after an import. */
typedef struct {
    pool_info *pools;
    size_t npools;
    orbit_range *ranges;
    size_t nranges;
    orbit_user *users;
    size_t nusers;
    store_dr_row *dr;
    size_t ndr;
    int64_t last_seq; /* the newest change this image includes */
} store_image;

/* One entry of the change log. */
typedef struct {
    int64_t seq;
    int64_t time_ms;
    const char *origin; /* FQDN of the pool that made it, "" for imports */
    const char *who;    /* token name of the operator */
    const char *kind;   /* "orbit.created", "dr.changed", ... */
    json_t *data;       /* borrowed for the callback's duration */
} store_change;

/* A pool's liveness as last written. */
typedef struct {
    char fqdn[ORBIT_FQDN_MAX + 1];
    int64_t heartbeat_ms;
    char epoch[STORE_EPOCH_MAX + 1];
} store_heartbeat;

/* In-use count of one range, published by the pool that owns it. */
typedef struct {
    char identity[ORBIT_IDENTITY_MAX + 1];
    char pool[ORBIT_FQDN_MAX + 1];
    uint32_t in_use;
} store_usage;

typedef void (*store_change_fn)(void *ctx, const store_change *change);
typedef orbit_err (*store_txn_fn)(void *ctx, orbit_store *s, orbit_status *st);

/* Opens (creating if needed) the store at location: a file path for the
 * SQLite backend. */
orbit_err store_open(const char *location, orbit_store **out, orbit_status *st);
void store_close(orbit_store *s);

/* Name of the backend ("sqlite"). */
const char *store_backend_name(const orbit_store *s);

/* True when the store holds an imported topology. */
bool store_is_initialised(orbit_store *s);

orbit_err store_load(orbit_store *s, store_image *out, orbit_status *st);
void store_image_free(store_image *img);

/* Loads only the ranges (after an orbit.* change). */
orbit_err store_load_ranges(orbit_store *s, orbit_range **out, size_t *n, orbit_status *st);
/* Loads only the DR rows (after a dr.changed change). */
orbit_err store_load_dr(orbit_store *s, store_dr_row **out, size_t *n, orbit_status *st);

/* Calls fn for every change with seq > after, in order. */
orbit_err store_changes_after(orbit_store *s, int64_t after, store_change_fn fn, void *ctx,
                              orbit_status *st);

/* Records this pool's heartbeat and epoch, and the in-use counts of the
 * ranges it owns (usage may be NULL when unchanged). */
orbit_err store_heartbeat_write(orbit_store *s, const char *fqdn, int64_t now_ms, const char *epoch,
                                const store_usage *usage, size_t nusage, orbit_status *st);

/* Reads every pool's heartbeat and every published usage count. */
orbit_err store_liveness_read(orbit_store *s, store_heartbeat **beats, size_t *nbeats,
                              store_usage **usage, size_t *nusage, orbit_status *st);

/* Runs fn inside one write transaction: committed when fn returns
 * ORBIT_OK, rolled back otherwise. Serialises writers across processes. */
orbit_err store_transact(orbit_store *s, store_txn_fn fn, void *ctx, orbit_status *st);

/* Writes inside store_transact. */
orbit_err store_put_range(orbit_store *s, const orbit_range *r, orbit_status *st);
orbit_err store_delete_range(orbit_store *s, const char *identity, orbit_status *st);
orbit_err store_put_dr(orbit_store *s, const store_dr_row *row, orbit_status *st);
orbit_err store_append_change(orbit_store *s, const char *origin, const char *who, const char *kind,
                              const json_t *data, int64_t *seq, orbit_status *st);

/* Replaces the whole deployment with img (already validated) in one
 * transaction and logs a "topology.imported" change. Refused with
 * conflict when the store is initialised and replace is false. */
orbit_err store_import(orbit_store *s, const store_image *img, bool replace, orbit_status *st);

#endif
