/* store_sqlite: the deployment store in one SQLite file in WAL mode, for a
 * deployment on one host. A commit is one IMMEDIATE transaction that
 * first checks the change log's head against the caller's cursor, so the
 * judgement and the write of different pools are serialised without any
 * pool holding the lock while it judges.
 *
 * Liveness lives in a second file beside the first (PATH-live): every pool
 * writes its heartbeat there, so a heartbeat never waits behind another
 * pool's commit and a busy store never makes a healthy pool look dead. A
 * pool is alive while its last heartbeat is younger than the TTL it gave.
 * Both files are created readable by their owner only. */
#include "store.h"

#include "orbit_time.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STORE_SCHEMA_VERSION "3"
/* Changes kept in the log; a pool further behind reloads everything. */
#define STORE_CHANGES_KEPT 20000
/* A commit waits this long for another pool's commit to finish. */
#define STORE_BUSY_TIMEOUT_MS 5000
/* Heartbeats contend only with heartbeats: a short wait is plenty. */
#define STORE_LIVE_BUSY_TIMEOUT_MS 500
/* How often changes() looks for news while it waits. */
#define STORE_POLL_STEP_MS 10
/* changes() hands over at most 1000 changes per call (the LIMIT below). */

typedef struct {
    orbit_store base;
    sqlite3 *db;
    sqlite3 *live;
    char path[STORE_LOCATION_MAX];
    sqlite3_stmt *head;    /* SELECT max(seq) */
    sqlite3_stmt *after;   /* SELECT changes after a seq */
    sqlite3_stmt *oldest;  /* SELECT min(seq) */
    sqlite3_stmt *version; /* PRAGMA data_version */
    sqlite3_stmt *beat;    /* INSERT OR REPLACE INTO live */
} sqlite_store;

static const char *const SCHEMA[] = {
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS pools(fqdn TEXT PRIMARY KEY, site TEXT NOT NULL,"
    " backup TEXT NOT NULL DEFAULT '', url TEXT NOT NULL DEFAULT '',"
    " sip TEXT NOT NULL DEFAULT '')",
    "CREATE TABLE IF NOT EXISTS ranges(identity TEXT PRIMARY KEY COLLATE NOCASE,"
    " start TEXT NOT NULL, \"end\" TEXT NOT NULL, pool TEXT NOT NULL, type TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS users(uri TEXT PRIMARY KEY, home TEXT NOT NULL,"
    " pickup_group TEXT, sip_ha1_md5 TEXT NOT NULL DEFAULT '',"
    " sip_ha1_sha256 TEXT NOT NULL DEFAULT '')",
    "CREATE TABLE IF NOT EXISTS dr(home TEXT PRIMARY KEY, phase TEXT NOT NULL,"
    " since_ms INTEGER NOT NULL, ends_ms INTEGER NOT NULL, disaster_mode INTEGER NOT NULL,"
    " run_by TEXT NOT NULL DEFAULT '')",
    "CREATE TABLE IF NOT EXISTS runbooks(home TEXT PRIMARY KEY, data TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS changes(seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    " time_ms INTEGER NOT NULL, origin TEXT NOT NULL, who TEXT NOT NULL, kind TEXT NOT NULL,"
    " data TEXT NOT NULL)",
};

/* Columns added since schema 2 (pools' SIP URIs, users' SIP digest
 * HA1s): a file made by an older orbitd gets them on open, empty. */
static const struct {
    const char *table, *column, *ddl;
} ADDED_COLUMNS[] = {
    {"pools", "sip", "ALTER TABLE pools ADD COLUMN sip TEXT NOT NULL DEFAULT ''"},
    {"users", "sip_ha1_md5", "ALTER TABLE users ADD COLUMN sip_ha1_md5 TEXT NOT NULL DEFAULT ''"},
    {"users", "sip_ha1_sha256",
     "ALTER TABLE users ADD COLUMN sip_ha1_sha256 TEXT NOT NULL DEFAULT ''"},
};

static const char *const LIVE_SCHEMA[] = {
    "CREATE TABLE IF NOT EXISTS live(fqdn TEXT PRIMARY KEY, heartbeat_ms INTEGER NOT NULL,"
    " ttl_ms INTEGER NOT NULL, epoch TEXT NOT NULL, holder TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS usage(identity TEXT NOT NULL COLLATE NOCASE, pool TEXT NOT NULL,"
    " in_use INTEGER NOT NULL, PRIMARY KEY(identity, pool))",
};

static orbit_err db_error(sqlite3 *db, orbit_status *st, const char *what)
{
    int code = sqlite3_errcode(db);
    orbit_err e = code == SQLITE_BUSY || code == SQLITE_LOCKED || code == SQLITE_FULL ||
                          code == SQLITE_IOERR || code == SQLITE_READONLY || code == SQLITE_CANTOPEN
                      ? ORBIT_ERR_UNAVAILABLE
                      : ORBIT_ERR_INTERNAL;
    return orbit_status_set(st, e, "", "store: %s: %s", what, sqlite3_errmsg(db));
}

static orbit_err exec(sqlite3 *db, const char *sql, orbit_status *st)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_error(db, st, sql);
    return ORBIT_OK;
}

static void rollback(sqlite3 *db)
{
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

static orbit_err prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt, orbit_status *st)
{
    if (sqlite3_prepare_v2(db, sql, -1, stmt, NULL) != SQLITE_OK)
        return db_error(db, st, "prepare");
    return ORBIT_OK;
}

/* Steps a statement that returns no rows and finalises it. */
static orbit_err run(sqlite3 *db, sqlite3_stmt *stmt, orbit_status *st, const char *what)
{
    int rc = sqlite3_step(stmt);
    orbit_err e = rc == SQLITE_DONE ? ORBIT_OK : db_error(db, st, what);
    sqlite3_finalize(stmt);
    return e;
}

static const char *col_text(sqlite3_stmt *stmt, int i)
{
    const unsigned char *t = sqlite3_column_text(stmt, i);
    return t ? (const char *)t : "";
}

static void bind_text(sqlite3_stmt *stmt, int i, const char *v)
{
    sqlite3_bind_text(stmt, i, v ? v : "", -1, SQLITE_TRANSIENT);
}

/* ---- opening ---- */

static bool sqlite_claims(const char *location)
{
    return strstr(location, "://") == NULL;
}

/* Creates a missing file owner-only before SQLite opens it; SQLite gives
 * its -wal and -shm files the same mode as the database. An existing file
 * is never opened here: closing a second descriptor of a file SQLite has
 * open would drop every POSIX lock this process holds on it. */
static orbit_err create_private(const char *path, orbit_status *st)
{
    struct stat sb;
    if (stat(path, &sb) == 0)
        return ORBIT_OK;
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST)
        return orbit_status_set(st, ORBIT_ERR_UNAVAILABLE, "store", "store %s: %s", path,
                                strerror(errno));
    if (fd >= 0)
        close(fd);
    return ORBIT_OK;
}

static bool has_column(sqlite3 *db, const char *table, const char *column)
{
    sqlite3_stmt *stmt = NULL;
    bool found = false;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info(?) WHERE name = ?", -1, &stmt,
                           NULL) == SQLITE_OK) {
        bind_text(stmt, 1, table);
        bind_text(stmt, 2, column);
        found = sqlite3_step(stmt) == SQLITE_ROW;
    }
    sqlite3_finalize(stmt);
    return found;
}

/* Brings a file of an older schema up to this one, inside open_db's
 * transaction (so pools opening it at once upgrade it once). */
static orbit_err upgrade_schema(sqlite3 *db, orbit_status *st)
{
    orbit_err e = ORBIT_OK;
    for (size_t i = 0; !e && i < sizeof ADDED_COLUMNS / sizeof *ADDED_COLUMNS; i++) {
        if (!has_column(db, ADDED_COLUMNS[i].table, ADDED_COLUMNS[i].column))
            e = exec(db, ADDED_COLUMNS[i].ddl, st);
    }
    if (!e)
        e = exec(db,
                 "INSERT OR REPLACE INTO meta(key, value) VALUES('schema', '" STORE_SCHEMA_VERSION
                 "')",
                 st);
    return e;
}

/* Opens one database file; synchronous is FULL for what must survive a
 * power cut, NORMAL for heartbeats (a lost one is only an older time). */
static orbit_err open_db(const char *path, int busy_ms, const char *synchronous,
                         const char *const *schema, size_t nschema,
                         orbit_err (*upgrade)(sqlite3 *db, orbit_status *st), sqlite3 **out,
                         orbit_status *st)
{
    *out = NULL;
    orbit_err e = create_private(path, st);
    if (e)
        return e;
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        orbit_status_set(st, ORBIT_ERR_UNAVAILABLE, "store", "store %s: %s", path,
                         db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return ORBIT_ERR_UNAVAILABLE;
    }
    sqlite3_busy_timeout(db, busy_ms);
    e = exec(db, "PRAGMA journal_mode=WAL", st);
    if (!e)
        e = exec(db, synchronous, st);
    if (!e)
        e = exec(db, "BEGIN IMMEDIATE", st);
    for (size_t i = 0; !e && i < nschema; i++)
        e = exec(db, schema[i], st);
    if (!e && upgrade)
        e = upgrade(db, st);
    if (!e)
        e = exec(db, "COMMIT", st);
    if (e) {
        rollback(db);
        sqlite3_close(db);
        return e;
    }
    *out = db;
    return ORBIT_OK;
}

static void sqlite_close(orbit_store *base)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3_finalize(s->head);
    sqlite3_finalize(s->after);
    sqlite3_finalize(s->oldest);
    sqlite3_finalize(s->version);
    sqlite3_finalize(s->beat);
    sqlite3_close(s->db);
    sqlite3_close(s->live);
    free(s);
}

static orbit_err sqlite_open(const store_options *opt, orbit_store **out, orbit_status *st)
{
    sqlite_store *s = calloc(1, sizeof *s);
    if (!s)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    s->base.backend = &store_backend_sqlite;
    snprintf(s->path, sizeof s->path, "%s", opt->location);
    char live_path[STORE_LOCATION_MAX + 8];
    snprintf(live_path, sizeof live_path, "%s-live", opt->location);
    orbit_err e = open_db(s->path, STORE_BUSY_TIMEOUT_MS, "PRAGMA synchronous=FULL", SCHEMA,
                          sizeof SCHEMA / sizeof *SCHEMA, upgrade_schema, &s->db, st);
    /* Heartbeats are not fsync'd one by one: under a busy disk an fsync
     * held the file's lock for long enough to keep other pools from
     * beating. WAL with NORMAL still never corrupts the file. */
    if (!e)
        e = open_db(live_path, STORE_LIVE_BUSY_TIMEOUT_MS, "PRAGMA synchronous=NORMAL", LIVE_SCHEMA,
                    sizeof LIVE_SCHEMA / sizeof *LIVE_SCHEMA, NULL, &s->live, st);
    if (!e)
        e = prepare(s->db, "SELECT coalesce(max(seq), 0) FROM changes", &s->head, st);
    if (!e)
        e = prepare(s->db,
                    "SELECT seq, time_ms, origin, who, kind, data FROM changes"
                    " WHERE seq > ? ORDER BY seq LIMIT 1000",
                    &s->after, st);
    if (!e)
        e = prepare(s->db, "SELECT coalesce(min(seq), 0) FROM changes", &s->oldest, st);
    if (!e)
        e = prepare(s->db, "PRAGMA data_version", &s->version, st);
    if (!e)
        e = prepare(s->live,
                    "INSERT OR REPLACE INTO live(fqdn, heartbeat_ms, ttl_ms, epoch, holder)"
                    " VALUES(?,?,?,?,?)",
                    &s->beat, st);
    if (e) {
        sqlite_close(&s->base);
        return e;
    }
    *out = &s->base;
    return ORBIT_OK;
}

static orbit_err sqlite_is_initialised(orbit_store *base, bool *yes, orbit_status *st)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3_stmt *stmt;
    orbit_err e = prepare(s->db, "SELECT value FROM meta WHERE key='initialised'", &stmt, st);
    if (e)
        return e;
    int rc = sqlite3_step(stmt);
    *yes = rc == SQLITE_ROW;
    sqlite3_finalize(stmt);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? ORBIT_OK : db_error(s->db, st, "read meta");
}

/* ---- reading ---- */

/* Fills one zeroed record from the current row. */
typedef orbit_err (*row_reader)(sqlite3_stmt *stmt, void *record, orbit_status *st);

/* Reads every row of a query into a new array of records; on any failure
 * the array is freed and *out is NULL. */
static orbit_err read_rows(sqlite3 *db, const char *sql, const char *what, size_t size,
                           row_reader fn, void **out, size_t *n, orbit_status *st)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *stmt;
    orbit_err e = prepare(db, sql, &stmt, st);
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
        e = db_error(db, st, what);
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
    snprintf(p->sip, sizeof p->sip, "%s", col_text(stmt, 4));
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
    if (*g) {
        if (orbit_number_parse(g, &u->pickup_group) != ORBIT_NUMBER_OK)
            return orbit_status_set(st, ORBIT_ERR_INTERNAL, "",
                                    "store: user %s has a corrupt group", u->uri);
        u->has_group = true;
    }
    return store_user_ha1s(u, col_text(stmt, 3), col_text(stmt, 4), st);
}

static orbit_err dr_row(sqlite3_stmt *stmt, void *record, orbit_status *st)
{
    store_dr_row *row = record;
    snprintf(row->state.home, sizeof row->state.home, "%s", col_text(stmt, 0));
    if (!dr_phase_from_name(col_text(stmt, 1), &row->state.phase))
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "",
                                "store: the DR row of %s has an unknown phase '%s'",
                                row->state.home, col_text(stmt, 1));
    row->state.since_ms = sqlite3_column_int64(stmt, 2);
    row->state.ends_ms = sqlite3_column_int64(stmt, 3);
    row->state.disaster_mode = sqlite3_column_int(stmt, 4) != 0;
    snprintf(row->run_by, sizeof row->run_by, "%s", col_text(stmt, 5));
    return ORBIT_OK;
}

static orbit_err runbook_row(sqlite3_stmt *stmt, void *record, orbit_status *st)
{
    json_error_t jerr;
    json_t *v = json_loads(col_text(stmt, 0), JSON_REJECT_DUPLICATES, &jerr);
    orbit_err e = v ? store_runbook_from_json(v, record, st)
                    : orbit_status_set(st, ORBIT_ERR_INTERNAL, "",
                                       "store: a runbook row is unreadable: %s", jerr.text);
    json_decref(v);
    return e;
}

static int64_t step_int(sqlite3_stmt *stmt, bool *ok)
{
    sqlite3_reset(stmt);
    int64_t v = 0;
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        v = sqlite3_column_int64(stmt, 0);
    *ok = rc == SQLITE_ROW;
    sqlite3_reset(stmt);
    return v;
}

static orbit_err sqlite_load(orbit_store *base, store_image *out, orbit_status *st)
{
    sqlite_store *s = (sqlite_store *)base;
    /* One read transaction gives a consistent image and its cursor. */
    orbit_err e = exec(s->db, "BEGIN", st);
    if (e)
        return e;
    e = read_rows(s->db, "SELECT fqdn, site, backup, url, sip FROM pools", "load pools",
                  sizeof *out->pools, pool_row, (void **)&out->pools, &out->npools, st);
    if (!e)
        e = read_rows(s->db, "SELECT identity, start, \"end\", pool, type FROM ranges",
                      "load ranges", sizeof *out->ranges, range_row, (void **)&out->ranges,
                      &out->nranges, st);
    if (!e)
        e = read_rows(
            s->db, "SELECT uri, home, pickup_group, sip_ha1_md5, sip_ha1_sha256 FROM users",
            "load users", sizeof *out->users, user_row, (void **)&out->users, &out->nusers, st);
    if (!e)
        e = read_rows(s->db, "SELECT home, phase, since_ms, ends_ms, disaster_mode, run_by FROM dr",
                      "load dr", sizeof *out->dr, dr_row, (void **)&out->dr, &out->ndr, st);
    if (!e)
        e = read_rows(s->db, "SELECT data FROM runbooks", "load runbooks", sizeof *out->runbooks,
                      runbook_row, (void **)&out->runbooks, &out->nrunbooks, st);
    if (!e) {
        bool ok;
        out->cursor = step_int(s->head, &ok);
        if (!ok)
            e = db_error(s->db, st, "read the change log");
    }
    sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    if (e)
        store_image_free(out);
    return e;
}

/* ---- changes ---- */

static orbit_err deliver_after(sqlite_store *s, store_cursor after, store_change_fn fn, void *ctx,
                               size_t *count, orbit_status *st)
{
    *count = 0;
    sqlite3_stmt *q = s->after;
    sqlite3_reset(q);
    sqlite3_bind_int64(q, 1, after);
    int rc;
    orbit_err e = ORBIT_OK;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        json_error_t jerr;
        json_t *data = json_loads(col_text(q, 5), JSON_REJECT_DUPLICATES, &jerr);
        if (!data) {
            /* Never a silent default: the caller logs it and retries, and a
             * pool that cannot read a change reloads rather than skip it. */
            e = orbit_status_set(st, ORBIT_ERR_INTERNAL, "",
                                 "store: change %lld (%s) is unreadable: %s",
                                 (long long)sqlite3_column_int64(q, 0), col_text(q, 4), jerr.text);
            break;
        }
        store_change c = {
            .cursor = sqlite3_column_int64(q, 0),
            .time_ms = sqlite3_column_int64(q, 1),
            .origin = col_text(q, 2),
            .who = col_text(q, 3),
            .kind = col_text(q, 4),
            .data = data,
        };
        fn(ctx, &c);
        json_decref(data);
        (*count)++;
    }
    if (!e && rc != SQLITE_DONE)
        e = db_error(s->db, st, "read changes");
    sqlite3_reset(q);
    return e;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static orbit_err sqlite_changes(orbit_store *base, store_cursor after, int wait_ms,
                                store_change_fn fn, void *ctx, bool *trimmed, orbit_status *st)
{
    sqlite_store *s = (sqlite_store *)base;
    int64_t deadline = orbit_time_mono_ms() + (wait_ms > 0 ? wait_ms : 0);
    bool ok;
    int64_t seen_version = step_int(s->version, &ok);
    for (;;) {
        int64_t oldest = step_int(s->oldest, &ok);
        if (!ok)
            return db_error(s->db, st, "read the change log");
        if (oldest > after + 1) {
            *trimmed = true;
            return ORBIT_OK;
        }
        size_t count;
        orbit_err e = deliver_after(s, after, fn, ctx, &count, st);
        if (e || count > 0 || orbit_time_mono_ms() >= deadline)
            return e;
        /* data_version moves when another connection commits: a cheap
         * way to wait without re-running the query every step. */
        while (orbit_time_mono_ms() < deadline) {
            sleep_ms(STORE_POLL_STEP_MS);
            int64_t v = step_int(s->version, &ok);
            if (!ok || v != seen_version) {
                seen_version = v;
                break;
            }
        }
    }
}

/* ---- writing ---- */

static orbit_err put_range(sqlite3 *db, const orbit_range *r, orbit_status *st)
{
    sqlite3_stmt *stmt;
    orbit_err e = prepare(db,
                          "INSERT OR REPLACE INTO ranges(identity, start, \"end\", pool, type)"
                          " VALUES(?,?,?,?,?)",
                          &stmt, st);
    if (e)
        return e;
    char a[ORBIT_NUMBER_BUF], b[ORBIT_NUMBER_BUF];
    bind_text(stmt, 1, r->identity);
    bind_text(stmt, 2, orbit_number_format(&r->start, a, sizeof a));
    bind_text(stmt, 3, orbit_number_format(&r->end, b, sizeof b));
    bind_text(stmt, 4, r->pool);
    bind_text(stmt, 5, orbit_type_name(r->type));
    return run(db, stmt, st, "write range");
}

static orbit_err put_dr(sqlite3 *db, const store_dr_row *row, orbit_status *st)
{
    sqlite3_stmt *stmt;
    orbit_err e = prepare(db,
                          "INSERT OR REPLACE INTO dr(home, phase, since_ms, ends_ms,"
                          " disaster_mode, run_by) VALUES(?,?,?,?,?,?)",
                          &stmt, st);
    if (e)
        return e;
    bind_text(stmt, 1, row->state.home);
    bind_text(stmt, 2, dr_phase_name(row->state.phase));
    sqlite3_bind_int64(stmt, 3, row->state.since_ms);
    sqlite3_bind_int64(stmt, 4, row->state.ends_ms);
    sqlite3_bind_int(stmt, 5, row->state.disaster_mode ? 1 : 0);
    bind_text(stmt, 6, row->run_by);
    return run(db, stmt, st, "write dr");
}

static orbit_err put_pool(sqlite3 *db, const pool_info *p, orbit_status *st)
{
    sqlite3_stmt *stmt;
    orbit_err e =
        prepare(db, "INSERT OR REPLACE INTO pools(fqdn, site, backup, url, sip) VALUES(?,?,?,?,?)",
                &stmt, st);
    if (e)
        return e;
    bind_text(stmt, 1, p->fqdn);
    bind_text(stmt, 2, p->site);
    bind_text(stmt, 3, p->backup);
    bind_text(stmt, 4, p->url);
    bind_text(stmt, 5, p->sip);
    return run(db, stmt, st, "write pool");
}

static orbit_err put_user(sqlite3 *db, const orbit_user *u, orbit_status *st)
{
    sqlite3_stmt *stmt;
    orbit_err e = prepare(db,
                          "INSERT OR REPLACE INTO users(uri, home, pickup_group, sip_ha1_md5,"
                          " sip_ha1_sha256) VALUES(?,?,?,?,?)",
                          &stmt, st);
    if (e)
        return e;
    char g[ORBIT_NUMBER_BUF];
    bind_text(stmt, 1, u->uri);
    bind_text(stmt, 2, u->home);
    if (u->has_group)
        bind_text(stmt, 3, orbit_number_format(&u->pickup_group, g, sizeof g));
    else
        sqlite3_bind_null(stmt, 3);
    bind_text(stmt, 4, u->sip_ha1_md5);
    bind_text(stmt, 5, u->sip_ha1_sha256);
    return run(db, stmt, st, "write user");
}

static orbit_err delete_by_key(sqlite3 *db, const char *sql, const char *key, orbit_status *st)
{
    sqlite3_stmt *stmt;
    orbit_err e = prepare(db, sql, &stmt, st);
    if (e)
        return e;
    bind_text(stmt, 1, key);
    return run(db, stmt, st, "delete");
}

static orbit_err put_runbook(sqlite3 *db, const char *home, const json_t *row, orbit_status *st)
{
    char *text = json_dumps(row, JSON_COMPACT);
    if (!text)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    sqlite3_stmt *stmt;
    orbit_err e = prepare(db, "INSERT OR REPLACE INTO runbooks(home, data) VALUES(?,?)", &stmt, st);
    if (!e) {
        bind_text(stmt, 1, home);
        bind_text(stmt, 2, text);
        e = run(db, stmt, st, "write runbook");
    }
    free(text);
    return e;
}

static orbit_err apply_write(sqlite3 *db, const store_batch *b, const store_write *w,
                             orbit_status *st)
{
    switch (w->kind) {
    case STORE_WRITE_RANGE_PUT:
        return put_range(db, &w->u.range, st);
    case STORE_WRITE_RANGE_DELETE:
        return delete_by_key(db, "DELETE FROM ranges WHERE identity = ?", w->u.identity, st);
    case STORE_WRITE_DR_PUT:
        return put_dr(db, &w->u.dr, st);
    case STORE_WRITE_POOL_PUT:
        return put_pool(db, &w->u.pool, st);
    case STORE_WRITE_POOL_DELETE: {
        orbit_err e = delete_by_key(db, "DELETE FROM pools WHERE fqdn = ?", w->u.fqdn, st);
        return e ? e : delete_by_key(db, "DELETE FROM dr WHERE home = ?", w->u.fqdn, st);
    }
    case STORE_WRITE_USER_PUT:
        return put_user(db, &w->u.user, st);
    case STORE_WRITE_USER_DELETE:
        return delete_by_key(db, "DELETE FROM users WHERE uri = ?", w->u.uri, st);
    case STORE_WRITE_DR_DELETE:
        return delete_by_key(db, "DELETE FROM dr WHERE home = ?", w->u.fqdn, st);
    case STORE_WRITE_RUNBOOK_PUT:
        return put_runbook(db, w->u.fqdn, b->data, st);
    default:
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "store: unknown write %d", w->kind);
    }
}

static orbit_err append_change(sqlite3 *db, const char *origin, const char *who, const char *kind,
                               const json_t *data, int64_t *seq, orbit_status *st)
{
    char *text = json_dumps(data, JSON_COMPACT);
    if (!text)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    sqlite3_stmt *stmt;
    orbit_err e = prepare(db,
                          "INSERT INTO changes(time_ms, origin, who, kind, data)"
                          " VALUES(?,?,?,?,?)",
                          &stmt, st);
    if (e) {
        free(text);
        return e;
    }
    sqlite3_bind_int64(stmt, 1, orbit_time_now_ms());
    bind_text(stmt, 2, origin);
    bind_text(stmt, 3, who);
    bind_text(stmt, 4, kind);
    bind_text(stmt, 5, text);
    e = run(db, stmt, st, "append change");
    free(text);
    if (e)
        return e;
    *seq = sqlite3_last_insert_rowid(db);
    /* Keep the log bounded; pools further behind reload from scratch. */
    if (*seq % 512 == 0) {
        char sql[128];
        snprintf(sql, sizeof sql, "DELETE FROM changes WHERE seq <= %lld",
                 (long long)(*seq - STORE_CHANGES_KEPT));
        e = exec(db, sql, st);
    }
    return e;
}

static orbit_err sqlite_commit(orbit_store *base, store_cursor expect, const store_batch *b,
                               store_cursor *committed, orbit_status *st)
{
    sqlite_store *s = (sqlite_store *)base;
    /* Waits up to the busy timeout for another writer (a pool, or any
     * process holding the file's write lock) to finish. */
    orbit_err e = exec(s->db, "BEGIN IMMEDIATE", st);
    bool began = e == ORBIT_OK;
    if (began) {
        bool ok;
        int64_t head = step_int(s->head, &ok);
        if (!ok)
            e = db_error(s->db, st, "read the change log");
        else if (head != expect)
            e = orbit_status_set(st, ORBIT_ERR_CONFLICT, "",
                                 "the deployment changed meanwhile (change %lld, judged at %lld)",
                                 (long long)head, (long long)expect);
    }
    for (size_t i = 0; !e && i < b->nwrites; i++)
        e = apply_write(s->db, b, &b->writes[i], st);
    int64_t seq = 0;
    if (!e)
        e = append_change(s->db, b->origin, b->who, b->kind, b->data, &seq, st);
    if (!e && sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        e = db_error(s->db, st, "commit");
    if (!e) {
        *committed = seq;
        return ORBIT_OK;
    }
    if (began)
        rollback(s->db);
    if (e != ORBIT_ERR_CONFLICT) {
        /* One SQLite transaction: whatever failed, none of it landed. */
        char why[sizeof st->message];
        snprintf(why, sizeof why, "%s", st->message);
        orbit_status_set(st, e, "", "%s; nothing was changed", why);
    }
    return e;
}

/* ---- liveness ---- */

static orbit_err sqlite_heartbeat(orbit_store *base, const store_beat *beat, orbit_status *st)
{
    sqlite_store *s = (sqlite_store *)base;
    orbit_err e = exec(s->live, "BEGIN IMMEDIATE", st);
    if (e)
        return e;
    sqlite3_stmt *q = s->beat;
    sqlite3_reset(q);
    bind_text(q, 1, beat->fqdn);
    sqlite3_bind_int64(q, 2, orbit_time_now_ms());
    sqlite3_bind_int64(q, 3, beat->ttl_ms);
    bind_text(q, 4, beat->epoch);
    bind_text(q, 5, beat->holder);
    if (sqlite3_step(q) != SQLITE_DONE)
        e = db_error(s->live, st, "heartbeat");
    sqlite3_reset(q);
    if (!e && beat->usage) {
        e = delete_by_key(s->live, "DELETE FROM usage WHERE pool = ?", beat->fqdn, st);
        for (size_t i = 0; !e && i < beat->nusage; i++) {
            sqlite3_stmt *stmt;
            if ((e = prepare(s->live,
                             "INSERT OR REPLACE INTO usage(identity, pool, in_use) VALUES(?,?,?)",
                             &stmt, st)))
                break;
            bind_text(stmt, 1, beat->usage[i].identity);
            bind_text(stmt, 2, beat->fqdn);
            sqlite3_bind_int64(stmt, 3, beat->usage[i].in_use);
            e = run(s->live, stmt, st, "usage");
        }
    }
    if (!e && sqlite3_exec(s->live, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        e = db_error(s->live, st, "heartbeat commit");
    if (e)
        rollback(s->live);
    return e;
}

typedef struct {
    int64_t now;
} live_ctx;

static orbit_err live_row(sqlite3_stmt *stmt, void *record, orbit_status *st)
{
    (void)st;
    store_pool_liveness *p = record;
    snprintf(p->fqdn, sizeof p->fqdn, "%s", col_text(stmt, 0));
    p->last_seen_ms = sqlite3_column_int64(stmt, 1);
    int64_t ttl = sqlite3_column_int64(stmt, 2);
    snprintf(p->epoch, sizeof p->epoch, "%s", col_text(stmt, 3));
    snprintf(p->holder, sizeof p->holder, "%s", col_text(stmt, 4));
    p->alive = orbit_time_now_ms() - p->last_seen_ms <= ttl;
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

static orbit_err sqlite_liveness(orbit_store *base, store_liveness *out, orbit_status *st)
{
    sqlite_store *s = (sqlite_store *)base;
    orbit_err e = read_rows(s->live, "SELECT fqdn, heartbeat_ms, ttl_ms, epoch, holder FROM live",
                            "read liveness", sizeof *out->pools, live_row, (void **)&out->pools,
                            &out->npools, st);
    if (!e)
        e = read_rows(s->live, "SELECT identity, pool, in_use FROM usage", "read usage",
                      sizeof *out->usage, usage_row, (void **)&out->usage, &out->nusage, st);
    if (e)
        store_liveness_free(out);
    return e;
}

/* ---- import ---- */

static orbit_err sqlite_import(orbit_store *base, const store_image *img, bool replace,
                               orbit_status *st)
{
    sqlite_store *s = (sqlite_store *)base;
    orbit_err e = exec(s->db, "BEGIN IMMEDIATE", st);
    if (e)
        return e;
    bool initialised = false;
    e = sqlite_is_initialised(base, &initialised, st);
    if (!e && initialised && !replace)
        e = orbit_status_set(st, ORBIT_ERR_CONFLICT, "store",
                             "the store already holds a deployment (use --replace)");
    static const char *const wipe[] = {"DELETE FROM pools", "DELETE FROM ranges",
                                       "DELETE FROM users", "DELETE FROM dr",
                                       "DELETE FROM runbooks"};
    for (size_t i = 0; !e && i < sizeof wipe / sizeof wipe[0]; i++)
        e = exec(s->db, wipe[i], st);
    int64_t now = orbit_time_now_ms();
    for (size_t i = 0; !e && i < img->npools; i++) {
        e = put_pool(s->db, &img->pools[i], st);
        store_dr_row row;
        memset(&row, 0, sizeof row);
        snprintf(row.state.home, sizeof row.state.home, "%s", img->pools[i].fqdn);
        row.state.phase = DR_PHASE_NORMAL;
        row.state.since_ms = now;
        if (!e)
            e = put_dr(s->db, &row, st);
    }
    for (size_t i = 0; !e && i < img->nranges; i++)
        e = put_range(s->db, &img->ranges[i], st);
    for (size_t i = 0; !e && i < img->nusers; i++)
        e = put_user(s->db, &img->users[i], st);
    if (!e)
        e = exec(s->db, "INSERT OR REPLACE INTO meta(key, value) VALUES('initialised', '1')", st);
    if (!e) {
        json_t *data = json_pack("{s:I, s:I, s:I}", "pools", (json_int_t)img->npools, "ranges",
                                 (json_int_t)img->nranges, "users", (json_int_t)img->nusers);
        int64_t seq;
        e = data ? append_change(s->db, "", "import", "topology.imported", data, &seq, st)
                 : orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
        json_decref(data);
    }
    if (!e && sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        e = db_error(s->db, st, "commit");
    if (e)
        rollback(s->db);
    return e;
}

const store_backend store_backend_sqlite = {
    .name = "sqlite",
    .claims = sqlite_claims,
    .open = sqlite_open,
    .close = sqlite_close,
    .is_initialised = sqlite_is_initialised,
    .load = sqlite_load,
    .changes = sqlite_changes,
    .commit = sqlite_commit,
    .heartbeat = sqlite_heartbeat,
    .liveness = sqlite_liveness,
    .import = sqlite_import,
};
