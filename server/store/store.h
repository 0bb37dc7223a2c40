/* store: the deployment store shared by every orbitd of a deployment: the
 * pools registry and liveness, the orbit table, the users, the DR state,
 * and a change history that lets every pool learn what the others changed.
 *
 * It is an interface (a table of operations, as redis's ConnectionType)
 * with two backends chosen at run time by the location's form: a file path
 * is SQLite (one host, store_sqlite.c), etcd://host:port[,host:port...] is
 * an etcd v3 cluster (many hosts, store_etcd.c).
 *
 * Writes are batches committed conditionally on a cursor: a pool judges an
 * operator's request against the state it has applied up to cursor C, and
 * the batch lands only if nobody committed anything after C, else it fails
 * with `conflict` and the pool catches up and judges again. Each batch
 * carries the change record every pool applies, so pools follow each other
 * by reading changes after their cursor, never by re-reading tables.
 *
 * A handle is used by one thread at a time; a pool opens one per thread
 * (see kernel/store_link.c). Every call may block on I/O. */
#ifndef STORE_H
#define STORE_H

#include "dr_runbook.h"
#include "orbit_error.h"
#include "orbit_model.h"
#include "orbit_range.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct orbit_store orbit_store;

/* A position in the change history; 0 is before the first change. The
 * backend defines the unit (SQLite: a sequence; etcd: a revision), so the
 * only arithmetic a caller may do is compare. */
typedef int64_t store_cursor;

#define STORE_EPOCH_MAX    40
#define STORE_WHO_MAX      192
#define STORE_HOLDER_MAX   96
#define STORE_LOCATION_MAX 1024

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
    dr_runbook *runbooks; /* DR runbooks, one per home pool that had one */
    size_t nrunbooks;
    store_cursor cursor; /* the newest change this image includes */
} store_image;

/* One entry of the change history, as the store hands it back. Strings
 * and data are borrowed for the callback's duration. */
typedef struct {
    store_cursor cursor;
    int64_t time_ms;
    const char *origin; /* FQDN of the pool that made it, "" for imports */
    const char *who;    /* the operator (token name and where from) */
    const char *kind;   /* an orbit_event name: "orbit.created", "dr.changed"... */
    json_t *data;
} store_change;

/* One write of a batch. */
typedef enum {
    STORE_WRITE_RANGE_PUT = 0,
    STORE_WRITE_RANGE_DELETE,
    STORE_WRITE_DR_PUT,
    STORE_WRITE_POOL_PUT,
    STORE_WRITE_POOL_DELETE,
    STORE_WRITE_USER_PUT,
    STORE_WRITE_USER_DELETE,
    STORE_WRITE_DR_DELETE,   /* a retired pool's DR row */
    STORE_WRITE_RUNBOOK_PUT, /* the runbook of u.fqdn (its home): the row is the batch's data */
    STORE_WRITE_KIND_COUNT
} store_write_kind;

typedef struct {
    store_write_kind kind;
    union {
        orbit_range range;                     /* RANGE_PUT */
        char identity[ORBIT_IDENTITY_MAX + 1]; /* RANGE_DELETE */
        store_dr_row dr;                       /* DR_PUT */
        pool_info pool;                        /* POOL_PUT (liveness fields ignored) */
        char fqdn[ORBIT_FQDN_MAX + 1];         /* POOL_DELETE, DR_DELETE, RUNBOOK_PUT */
        orbit_user user;                       /* USER_PUT (serving ignored) */
        char uri[ORBIT_URI_MAX + 1];           /* USER_DELETE */
    } u;
} store_write;

/* The writes of one change and its record, committed all or nothing. */
typedef struct {
    store_write *writes;
    size_t nwrites, cap;
    char origin[ORBIT_FQDN_MAX + 1];
    char who[STORE_WHO_MAX + 1];
    char kind[48];
    json_t *data; /* owned */
} store_batch;

/* In-use count of one range, published by the pool that owns it. */
typedef struct {
    char identity[ORBIT_IDENTITY_MAX + 1];
    char pool[ORBIT_FQDN_MAX + 1];
    uint32_t in_use;
} store_usage;

/* A heartbeat: this pool is alive for ttl_ms more, run by holder
 * ("host:pid") under epoch; usage may be NULL when unchanged. */
typedef struct {
    const char *fqdn;
    const char *epoch;
    const char *holder;
    int64_t ttl_ms;
    const store_usage *usage;
    size_t nusage;
} store_beat;

/* A pool's liveness as the backend decides it. */
typedef struct {
    char fqdn[ORBIT_FQDN_MAX + 1];
    bool alive;
    int64_t last_seen_ms; /* 0 when never seen */
    char epoch[STORE_EPOCH_MAX + 1];
    char holder[STORE_HOLDER_MAX + 1];
} store_pool_liveness;

typedef struct {
    store_pool_liveness *pools;
    size_t npools;
    store_usage *usage;
    size_t nusage;
} store_liveness;

/* Connection options beyond the location (etcd TLS and credentials). */
typedef struct store_options {
    char location[STORE_LOCATION_MAX];
    char ca[STORE_LOCATION_MAX];   /* CA bundle for https members ("" = system) */
    char cert[STORE_LOCATION_MAX]; /* client certificate ("" = none) */
    char key[STORE_LOCATION_MAX];
    char user[128]; /* etcd user ("" = no authentication) */
    char password[128];
    int timeout_ms; /* per request (0 = the backend's default) */
} store_options;

/* Called for each change, in cursor order. */
typedef void (*store_change_fn)(void *ctx, const store_change *change);

/* The operations a backend provides. */
typedef struct store_backend {
    const char *name;
    /* Does this backend handle the location's form? */
    bool (*claims)(const char *location);
    orbit_err (*open)(const store_options *opt, orbit_store **out, orbit_status *st);
    void (*close)(orbit_store *s);
    orbit_err (*is_initialised)(orbit_store *s, bool *yes, orbit_status *st);
    orbit_err (*load)(orbit_store *s, store_image *out, orbit_status *st);
    /* Changes after `after`, waiting up to wait_ms for the first one when
     * there are none yet. *trimmed is set (and nothing delivered) when the
     * history after `after` is no longer complete: the caller reloads. */
    orbit_err (*changes)(orbit_store *s, store_cursor after, int wait_ms, store_change_fn fn,
                         void *ctx, bool *trimmed, orbit_status *st);
    orbit_err (*commit)(orbit_store *s, store_cursor expect, const store_batch *b,
                        store_cursor *committed, orbit_status *st);
    orbit_err (*heartbeat)(orbit_store *s, const store_beat *beat, orbit_status *st);
    orbit_err (*liveness)(orbit_store *s, store_liveness *out, orbit_status *st);
    orbit_err (*import)(orbit_store *s, const store_image *img, bool replace, orbit_status *st);
} store_backend;

/* Every backend handle starts with this. */
struct orbit_store {
    const store_backend *backend;
};

/* ---- opening ---- */

/* Fills opt with a location and defaults for the rest. */
void store_options_init(store_options *opt, const char *location);

/* Opens the store opt->location names with the backend that claims it.
 * An unknown form is bad_request naming the forms accepted. */
orbit_err store_open(const store_options *opt, orbit_store **out, orbit_status *st);
void store_close(orbit_store *s);
const char *store_backend_name(const orbit_store *s);

/* ---- the operations (thin dispatch to the backend) ---- */

orbit_err store_is_initialised(orbit_store *s, bool *yes, orbit_status *st);
orbit_err store_load(orbit_store *s, store_image *out, orbit_status *st);
orbit_err store_changes(orbit_store *s, store_cursor after, int wait_ms, store_change_fn fn,
                        void *ctx, bool *trimmed, orbit_status *st);
/* conflict when the history moved past expect; unavailable when the
 * store cannot be reached (nothing was committed, or it is unknown
 * whether it was: the message says which). */
orbit_err store_commit(orbit_store *s, store_cursor expect, const store_batch *b,
                       store_cursor *committed, orbit_status *st);
orbit_err store_heartbeat(orbit_store *s, const store_beat *beat, orbit_status *st);
orbit_err store_liveness_read(orbit_store *s, store_liveness *out, orbit_status *st);
/* Replaces the whole deployment with img (already validated) and records
 * a topology.imported change. Refused with conflict when the store is
 * initialised and replace is false. */
orbit_err store_import(orbit_store *s, const store_image *img, bool replace, orbit_status *st);

/* ---- values ---- */

void store_image_free(store_image *img);
void store_liveness_free(store_liveness *l);

/* A batch for a change of `kind` by `who` at `origin`; data is stolen. */
void store_batch_init(store_batch *b, const char *origin, const char *who, const char *kind,
                      json_t *data);
void store_batch_free(store_batch *b);
/* Appends a write (copied); false on OOM. */
bool store_batch_add(store_batch *b, const store_write *w);

/* Row codecs shared by the backends, so both store the same JSON values. */
json_t *store_range_to_json(const orbit_range *r);
orbit_err store_range_from_json(const json_t *v, orbit_range *out, orbit_status *st);
json_t *store_dr_to_json(const store_dr_row *row);
/* An unknown phase name is an error, never read as normal. */
orbit_err store_dr_from_json(const json_t *v, store_dr_row *out, orbit_status *st);
json_t *store_pool_to_json(const pool_info *p);
orbit_err store_pool_from_json(const json_t *v, pool_info *out, orbit_status *st);
/* A user's row carries its SIP digest HA1s (never shown to clients: see
 * orbit_json_from_user). */
json_t *store_user_to_json(const orbit_user *u);
orbit_err store_user_from_json(const json_t *v, orbit_user *out, orbit_status *st);
/* Sets u's HA1s from stored text (NULL or "" for none); internal when one
 * is not lower-case hex of its digest's length. */
orbit_err store_user_ha1s(orbit_user *u, const char *md5, const char *sha256, orbit_status *st);
/* A runbook row is the runbook's JSON form (dr_runbook.h); an unreadable
 * one is an error naming the store. */
orbit_err store_runbook_from_json(const json_t *v, dr_runbook *out, orbit_status *st);

/* The backends, for tests and for `orbitd --help`. */
extern const store_backend store_backend_sqlite;
extern const store_backend store_backend_etcd;

#endif
