/* store_sqlite: the deployment store in one SQLite file in WAL mode,
 * shared by every orbitd of a deployment on one host. Writers take an
 * IMMEDIATE transaction, so rule checks and writes of different pools are
 * serialised; readers never block writers. */
#include "store.h"

#include "orbit_time.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STORE_SCHEMA_VERSION "1"
/* Changes kept in the log; a pool further behind reloads everything. */
#define STORE_CHANGES_KEPT    20000
#define STORE_BUSY_TIMEOUT_MS 5000

struct orbit_store {
    sqlite3 *db;
    bool in_txn;
};

static const char *const SCHEMA[] = {
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS pools(fqdn TEXT PRIMARY KEY, site TEXT NOT NULL,"
    " backup TEXT NOT NULL DEFAULT '', url TEXT NOT NULL DEFAULT '',"
    " heartbeat_ms INTEGER NOT NULL DEFAULT 0, epoch TEXT NOT NULL DEFAULT '')",
    "CREATE TABLE IF NOT EXISTS ranges(identity TEXT PRIMARY KEY COLLATE NOCASE,"
    " start TEXT NOT NULL, \"end\" TEXT NOT NULL, pool TEXT NOT NULL, type TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS users(uri TEXT PRIMARY KEY, home TEXT NOT NULL,"
    " pickup_group TEXT)",
    "CREATE TABLE IF NOT EXISTS dr(home TEXT PRIMARY KEY, phase TEXT NOT NULL,"
    " since_ms INTEGER NOT NULL, ends_ms INTEGER NOT NULL, disaster_mode INTEGER NOT NULL,"
    " run_by TEXT NOT NULL DEFAULT '')",
    "CREATE TABLE IF NOT EXISTS usage(identity TEXT PRIMARY KEY, pool TEXT NOT NULL,"
    " in_use INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS changes(seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    " time_ms INTEGER NOT NULL, origin TEXT NOT NULL, who TEXT NOT NULL, kind TEXT NOT NULL,"
    " data TEXT NOT NULL)",
};

static orbit_err db_error(orbit_store *s, orbit_status *st, const char *what)
{
    int code = sqlite3_errcode(s->db);
    orbit_err e = code == SQLITE_BUSY || code == SQLITE_LOCKED ? ORBIT_ERR_POOL_UNREACHABLE
                                                               : ORBIT_ERR_INTERNAL;
    return orbit_status_set(st, e, "", "store: %s: %s", what, sqlite3_errmsg(s->db));
}

static orbit_err exec(orbit_store *s, const char *sql, orbit_status *st)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "store: %s", msg ? msg : "error");
        sqlite3_free(msg);
        return ORBIT_ERR_INTERNAL;
    }
    return ORBIT_OK;
}

static orbit_err prepare(orbit_store *s, const char *sql, sqlite3_stmt **stmt, orbit_status *st)
{
    if (sqlite3_prepare_v2(s->db, sql, -1, stmt, NULL) != SQLITE_OK)
        return db_error(s, st, "prepare");
    return ORBIT_OK;
}

/* Steps a statement that returns no rows and finalises it. */
static orbit_err run(orbit_store *s, sqlite3_stmt *stmt, orbit_status *st, const char *what)
{
    int rc = sqlite3_step(stmt);
    orbit_err e = rc == SQLITE_DONE ? ORBIT_OK : db_error(s, st, what);
    sqlite3_finalize(stmt);
    return e;
}

static const char *col_text(sqlite3_stmt *stmt, int i)
{
    const unsigned char *t = sqlite3_column_text(stmt, i);
    return t ? (const char *)t : "";
}

orbit_err store_open(const char *location, orbit_store **out, orbit_status *st)
{
    *out = NULL;
    if (!location || !*location)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "store", "no store location given");
    if (strstr(location, "://"))
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "store",
                                "store backend for '%s' is not available: give a file path",
                                location);
    orbit_store *s = calloc(1, sizeof *s);
    if (!s)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    int rc = sqlite3_open_v2(
        location, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "store", "store %s: %s", location,
                         s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        sqlite3_close(s->db);
        free(s);
        return ORBIT_ERR_INTERNAL;
    }
    sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
    orbit_err e = exec(s, "PRAGMA journal_mode=WAL", st);
    if (e == ORBIT_OK)
        e = exec(s, "PRAGMA synchronous=FULL", st);
    if (e == ORBIT_OK)
        e = exec(s, "BEGIN IMMEDIATE", st);
    for (size_t i = 0; e == ORBIT_OK && i < sizeof SCHEMA / sizeof SCHEMA[0]; i++)
        e = exec(s, SCHEMA[i], st);
    if (e == ORBIT_OK)
        e = exec(s,
                 "INSERT OR IGNORE INTO meta(key, value) VALUES('schema', '" STORE_SCHEMA_VERSION
                 "')",
                 st);
    if (e == ORBIT_OK)
        e = exec(s, "COMMIT", st);
    if (e != ORBIT_OK) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_close(s->db);
        free(s);
        return e;
    }
    *out = s;
    return ORBIT_OK;
}

void store_close(orbit_store *s)
{
    if (!s)
        return;
    sqlite3_close(s->db);
    free(s);
}

const char *store_backend_name(const orbit_store *s)
{
    (void)s;
    return "sqlite";
}

bool store_is_initialised(orbit_store *s)
{
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key='initialised'", -1, &stmt,
                           NULL) != SQLITE_OK)
        return false;
    bool yes = sqlite3_step(stmt) == SQLITE_ROW;
    sqlite3_finalize(stmt);
    return yes;
}

void store_image_free(store_image *img)
{
    free(img->pools);
    free(img->ranges);
    free(img->users);
    free(img->dr);
    memset(img, 0, sizeof *img);
}

/* Fills one zeroed record from the current row. */
typedef orbit_err (*row_reader)(sqlite3_stmt *stmt, void *record, orbit_status *st);

/* Reads every row of a query into a new array of records; on any failure
 * the array is freed and *out is NULL. */
static orbit_err read_rows(orbit_store *s, const char *sql, const char *what, size_t size,
                           row_reader fn, void **out, size_t *n, orbit_status *st)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *stmt;
    orbit_err e = prepare(s, sql, &stmt, st);
    if (e)
        return e;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            void *grown = realloc(*out, ncap * size);
            if (!grown) {
                e = orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
                break;
            }
            *out = grown;
            cap = ncap;
        }
        void *record = (char *)*out + *n * size;
        memset(record, 0, size);
        if ((e = fn(stmt, record, st)) != ORBIT_OK)
            break;
        (*n)++;
    }
    sqlite3_finalize(stmt);
    if (!e && rc != SQLITE_DONE)
        e = db_error(s, st, what);
    if (e) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return e;
}

static orbit_err pool_row(sqlite3_stmt *stmt, void *record, orbit_status *st)
{
    (void)st;
    pool_info *p = record;
    snprintf(p->fqdn, sizeof p->fqdn, "%s", col_text(stmt, 0));
    snprintf(p->site, sizeof p->site, "%s", col_text(stmt, 1));
    snprintf(p->backup, sizeof p->backup, "%s", col_text(stmt, 2));
    snprintf(p->url, sizeof p->url, "%s", col_text(stmt, 3));
    p->last_seen_ms = sqlite3_column_int64(stmt, 4);
    p->status = POOL_STATUS_UNKNOWN;
    return ORBIT_OK;
}

static orbit_err range_row(sqlite3_stmt *stmt, void *record, orbit_status *st)
{
    orbit_range *r = record;
    snprintf(r->identity, sizeof r->identity, "%s", col_text(stmt, 0));
    snprintf(r->pool, sizeof r->pool, "%s", col_text(stmt, 3));
    if (!orbit_type_from_name(col_text(stmt, 4), &r->type) ||
        orbit_range_set_numbers(r, col_text(stmt, 1), col_text(stmt, 2), st) != ORBIT_OK)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "store: range '%s' is corrupt",
                                r->identity);
    return ORBIT_OK;
}

static orbit_err user_row(sqlite3_stmt *stmt, void *record, orbit_status *st)
{
    orbit_user *u = record;
    snprintf(u->uri, sizeof u->uri, "%s", col_text(stmt, 0));
    snprintf(u->home, sizeof u->home, "%s", col_text(stmt, 1));
    const char *g = col_text(stmt, 2);
    if (!*g)
        return ORBIT_OK;
    if (orbit_number_parse(g, &u->pickup_group) != ORBIT_NUMBER_OK)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "store: user %s has a corrupt group",
                                u->uri);
    u->has_group = true;
    return ORBIT_OK;
}

static orbit_err dr_row(sqlite3_stmt *stmt, void *record, orbit_status *st)
{
    (void)st;
    store_dr_row *row = record;
    snprintf(row->state.home, sizeof row->state.home, "%s", col_text(stmt, 0));
    if (!dr_phase_from_name(col_text(stmt, 1), &row->state.phase))
        row->state.phase = DR_PHASE_NORMAL;
    row->state.since_ms = sqlite3_column_int64(stmt, 2);
    row->state.ends_ms = sqlite3_column_int64(stmt, 3);
    row->state.disaster_mode = sqlite3_column_int(stmt, 4) != 0;
    snprintf(row->run_by, sizeof row->run_by, "%s", col_text(stmt, 5));
    return ORBIT_OK;
}

static orbit_err heartbeat_row(sqlite3_stmt *stmt, void *record, orbit_status *st)
{
    (void)st;
    store_heartbeat *b = record;
    snprintf(b->fqdn, sizeof b->fqdn, "%s", col_text(stmt, 0));
    b->heartbeat_ms = sqlite3_column_int64(stmt, 1);
    snprintf(b->epoch, sizeof b->epoch, "%s", col_text(stmt, 2));
    return ORBIT_OK;
}

static orbit_err usage_row(sqlite3_stmt *stmt, void *record, orbit_status *st)
{
    (void)st;
    store_usage *u = record;
    snprintf(u->identity, sizeof u->identity, "%s", col_text(stmt, 0));
    snprintf(u->pool, sizeof u->pool, "%s", col_text(stmt, 1));
    u->in_use = (uint32_t)sqlite3_column_int64(stmt, 2);
    return ORBIT_OK;
}

orbit_err store_load_ranges(orbit_store *s, orbit_range **out, size_t *n, orbit_status *st)
{
    return read_rows(s, "SELECT identity, start, \"end\", pool, type FROM ranges", "load ranges",
                     sizeof **out, range_row, (void **)out, n, st);
}

orbit_err store_load_dr(orbit_store *s, store_dr_row **out, size_t *n, orbit_status *st)
{
    return read_rows(s, "SELECT home, phase, since_ms, ends_ms, disaster_mode, run_by FROM dr",
                     "load dr", sizeof **out, dr_row, (void **)out, n, st);
}

static int64_t last_seq(orbit_store *s)
{
    sqlite3_stmt *stmt;
    int64_t seq = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT coalesce(max(seq), 0) FROM changes", -1, &stmt, NULL) ==
        SQLITE_OK) {
        if (sqlite3_step(stmt) == SQLITE_ROW)
            seq = sqlite3_column_int64(stmt, 0);
        sqlite3_finalize(stmt);
    }
    return seq;
}

orbit_err store_load(orbit_store *s, store_image *out, orbit_status *st)
{
    memset(out, 0, sizeof *out);
    /* One read transaction gives a consistent image and its change seq
     * (inside a write transaction that one already does). */
    bool own_txn = !s->in_txn;
    orbit_err e = own_txn ? exec(s, "BEGIN", st) : ORBIT_OK;
    if (e)
        return e;
    e = read_rows(s, "SELECT fqdn, site, backup, url, heartbeat_ms FROM pools", "load pools",
                  sizeof *out->pools, pool_row, (void **)&out->pools, &out->npools, st);
    if (!e)
        e = store_load_ranges(s, &out->ranges, &out->nranges, st);
    if (!e)
        e = read_rows(s, "SELECT uri, home, pickup_group FROM users", "load users",
                      sizeof *out->users, user_row, (void **)&out->users, &out->nusers, st);
    if (!e)
        e = store_load_dr(s, &out->dr, &out->ndr, st);
    if (!e)
        out->last_seq = last_seq(s);
    if (own_txn)
        sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    if (e)
        store_image_free(out);
    return e;
}

orbit_err store_changes_after(orbit_store *s, int64_t after, store_change_fn fn, void *ctx,
                              orbit_status *st)
{
    sqlite3_stmt *stmt;
    orbit_err e = prepare(s,
                          "SELECT seq, time_ms, origin, who, kind, data FROM changes"
                          " WHERE seq > ? ORDER BY seq",
                          &stmt, st);
    if (e)
        return e;
    sqlite3_bind_int64(stmt, 1, after);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        json_error_t jerr;
        json_t *data = json_loads(col_text(stmt, 5), 0, &jerr);
        store_change c = {
            .seq = sqlite3_column_int64(stmt, 0),
            .time_ms = sqlite3_column_int64(stmt, 1),
            .origin = col_text(stmt, 2),
            .who = col_text(stmt, 3),
            .kind = col_text(stmt, 4),
            .data = data ? data : json_object(),
        };
        fn(ctx, &c);
        json_decref(c.data);
    }
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? ORBIT_OK : db_error(s, st, "read changes");
}

orbit_err store_heartbeat_write(orbit_store *s, const char *fqdn, int64_t now_ms, const char *epoch,
                                const store_usage *usage, size_t nusage, orbit_status *st)
{
    orbit_err e = exec(s, "BEGIN IMMEDIATE", st);
    if (e)
        return e;
    sqlite3_stmt *stmt;
    e = prepare(s, "UPDATE pools SET heartbeat_ms = ?, epoch = ? WHERE fqdn = ?", &stmt, st);
    if (!e) {
        sqlite3_bind_int64(stmt, 1, now_ms);
        sqlite3_bind_text(stmt, 2, epoch, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(stmt, 3, fqdn, -1, SQLITE_TRANSIENT);
        e = run(s, stmt, st, "heartbeat");
    }
    if (!e && usage) {
        e = prepare(s, "DELETE FROM usage WHERE pool = ?", &stmt, st);
        if (!e) {
            sqlite3_bind_text(stmt, 1, fqdn, -1, SQLITE_TRANSIENT);
            e = run(s, stmt, st, "usage");
        }
        for (size_t i = 0; !e && i < nusage; i++) {
            e = prepare(s, "INSERT OR REPLACE INTO usage(identity, pool, in_use) VALUES(?,?,?)",
                        &stmt, st);
            if (e)
                break;
            sqlite3_bind_text(stmt, 1, usage[i].identity, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(stmt, 2, fqdn, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(stmt, 3, usage[i].in_use);
            e = run(s, stmt, st, "usage");
        }
    }
    if (e) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return e;
    }
    return exec(s, "COMMIT", st);
}

orbit_err store_liveness_read(orbit_store *s, store_heartbeat **beats, size_t *nbeats,
                              store_usage **usage, size_t *nusage, orbit_status *st)
{
    *usage = NULL;
    *nusage = 0;
    orbit_err e = read_rows(s, "SELECT fqdn, heartbeat_ms, epoch FROM pools", "read liveness",
                            sizeof **beats, heartbeat_row, (void **)beats, nbeats, st);
    if (!e)
        e = read_rows(s, "SELECT identity, pool, in_use FROM usage", "read usage", sizeof **usage,
                      usage_row, (void **)usage, nusage, st);
    if (e) {
        free(*beats);
        *beats = NULL;
        *nbeats = 0;
    }
    return e;
}

orbit_err store_transact(orbit_store *s, store_txn_fn fn, void *ctx, orbit_status *st)
{
    if (s->in_txn)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "store: nested transaction");
    orbit_err e = exec(s, "BEGIN IMMEDIATE", st);
    if (e)
        return db_error(s, st, "begin");
    s->in_txn = true;
    e = fn(ctx, s, st);
    s->in_txn = false;
    if (e != ORBIT_OK) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return e;
    }
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        e = db_error(s, st, "commit");
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    }
    return e;
}

static orbit_err bind_range(orbit_store *s, const orbit_range *r, orbit_status *st)
{
    sqlite3_stmt *stmt;
    orbit_err e = prepare(s,
                          "INSERT OR REPLACE INTO ranges(identity, start, \"end\", pool, type)"
                          " VALUES(?,?,?,?,?)",
                          &stmt, st);
    if (e)
        return e;
    char a[ORBIT_NUMBER_BUF], b[ORBIT_NUMBER_BUF];
    sqlite3_bind_text(stmt, 1, r->identity, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 2, orbit_number_format(&r->start, a, sizeof a), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 3, orbit_number_format(&r->end, b, sizeof b), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 4, r->pool, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 5, orbit_type_name(r->type), -1, SQLITE_STATIC);
    return run(s, stmt, st, "write range");
}

orbit_err store_put_range(orbit_store *s, const orbit_range *r, orbit_status *st)
{
    return bind_range(s, r, st);
}

orbit_err store_delete_range(orbit_store *s, const char *identity, orbit_status *st)
{
    sqlite3_stmt *stmt;
    orbit_err e = prepare(s, "DELETE FROM ranges WHERE identity = ?", &stmt, st);
    if (e)
        return e;
    sqlite3_bind_text(stmt, 1, identity, -1, SQLITE_TRANSIENT);
    e = run(s, stmt, st, "delete range");
    if (e)
        return e;
    if ((e = prepare(s, "DELETE FROM usage WHERE identity = ?", &stmt, st)))
        return e;
    sqlite3_bind_text(stmt, 1, identity, -1, SQLITE_TRANSIENT);
    return run(s, stmt, st, "delete usage");
}

orbit_err store_put_dr(orbit_store *s, const store_dr_row *row, orbit_status *st)
{
    sqlite3_stmt *stmt;
    orbit_err e = prepare(s,
                          "INSERT OR REPLACE INTO dr(home, phase, since_ms, ends_ms,"
                          " disaster_mode, run_by) VALUES(?,?,?,?,?,?)",
                          &stmt, st);
    if (e)
        return e;
    sqlite3_bind_text(stmt, 1, row->state.home, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 2, dr_phase_name(row->state.phase), -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 3, row->state.since_ms);
    sqlite3_bind_int64(stmt, 4, row->state.ends_ms);
    sqlite3_bind_int(stmt, 5, row->state.disaster_mode ? 1 : 0);
    sqlite3_bind_text(stmt, 6, row->run_by, -1, SQLITE_TRANSIENT);
    return run(s, stmt, st, "write dr");
}

orbit_err store_append_change(orbit_store *s, const char *origin, const char *who, const char *kind,
                              const json_t *data, int64_t *seq, orbit_status *st)
{
    char *text = json_dumps(data, JSON_COMPACT);
    if (!text)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    sqlite3_stmt *stmt;
    orbit_err e = prepare(s,
                          "INSERT INTO changes(time_ms, origin, who, kind, data)"
                          " VALUES(?,?,?,?,?)",
                          &stmt, st);
    if (e) {
        free(text);
        return e;
    }
    sqlite3_bind_int64(stmt, 1, orbit_time_now_ms());
    sqlite3_bind_text(stmt, 2, origin ? origin : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 3, who ? who : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 4, kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 5, text, -1, SQLITE_TRANSIENT);
    e = run(s, stmt, st, "append change");
    free(text);
    if (e)
        return e;
    int64_t id = sqlite3_last_insert_rowid(s->db);
    if (seq)
        *seq = id;
    /* Keep the log bounded; pools further behind reload from scratch. */
    if (id % 512 == 0) {
        char sql[128];
        snprintf(sql, sizeof sql, "DELETE FROM changes WHERE seq <= %lld",
                 (long long)(id - STORE_CHANGES_KEPT));
        e = exec(s, sql, st);
    }
    return e;
}

typedef struct {
    const store_image *img;
    bool replace;
} import_ctx;

static orbit_err import_txn(void *ctx, orbit_store *s, orbit_status *st)
{
    import_ctx *ic = ctx;
    const store_image *img = ic->img;
    if (!ic->replace && store_is_initialised(s))
        return orbit_status_set(st, ORBIT_ERR_CONFLICT, "store",
                                "the store already holds a deployment (use --replace)");
    static const char *const wipe[] = {"DELETE FROM pools", "DELETE FROM ranges",
                                       "DELETE FROM users", "DELETE FROM dr", "DELETE FROM usage"};
    orbit_err e = ORBIT_OK;
    for (size_t i = 0; !e && i < sizeof wipe / sizeof wipe[0]; i++)
        e = exec(s, wipe[i], st);
    sqlite3_stmt *stmt;
    for (size_t i = 0; !e && i < img->npools; i++) {
        const pool_info *p = &img->pools[i];
        if ((e = prepare(s, "INSERT INTO pools(fqdn, site, backup, url) VALUES(?,?,?,?)", &stmt,
                         st)))
            break;
        sqlite3_bind_text(stmt, 1, p->fqdn, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(stmt, 2, p->site, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(stmt, 3, p->backup, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(stmt, 4, p->url, -1, SQLITE_TRANSIENT);
        e = run(s, stmt, st, "import pool");
        if (e)
            break;
        store_dr_row row;
        memset(&row, 0, sizeof row);
        snprintf(row.state.home, sizeof row.state.home, "%s", p->fqdn);
        row.state.phase = DR_PHASE_NORMAL;
        row.state.since_ms = orbit_time_now_ms();
        e = store_put_dr(s, &row, st);
    }
    for (size_t i = 0; !e && i < img->nranges; i++)
        e = bind_range(s, &img->ranges[i], st);
    for (size_t i = 0; !e && i < img->nusers; i++) {
        const orbit_user *u = &img->users[i];
        if ((e = prepare(s, "INSERT INTO users(uri, home, pickup_group) VALUES(?,?,?)", &stmt, st)))
            break;
        char g[ORBIT_NUMBER_BUF];
        sqlite3_bind_text(stmt, 1, u->uri, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(stmt, 2, u->home, -1, SQLITE_TRANSIENT);
        if (u->has_group)
            sqlite3_bind_text(stmt, 3, orbit_number_format(&u->pickup_group, g, sizeof g), -1,
                              SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(stmt, 3);
        e = run(s, stmt, st, "import user");
    }
    if (!e)
        e = exec(s, "INSERT OR REPLACE INTO meta(key, value) VALUES('initialised', '1')", st);
    if (!e) {
        json_t *data = json_pack("{s:I, s:I, s:I}", "pools", (json_int_t)img->npools, "ranges",
                                 (json_int_t)img->nranges, "users", (json_int_t)img->nusers);
        if (!data)
            return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
        e = store_append_change(s, "", "import", "topology.imported", data, NULL, st);
        json_decref(data);
    }
    return e;
}

orbit_err store_import(orbit_store *s, const store_image *img, bool replace, orbit_status *st)
{
    import_ctx ctx = {img, replace};
    return store_transact(s, import_txn, &ctx, st);
}
