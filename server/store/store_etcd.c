/* store_etcd: the deployment store in an etcd v3 cluster, for pools on
 * many hosts and sites. Every key lives under one prefix per deployment:
 *
 *   P/meta/initialised       "1" once a topology is imported
 *   P/pools/FQDN             the pool's row (JSON)
 *   P/ranges/identity        a range (identity lower-cased: names are
 *                            unique whatever their case)
 *   P/users/URI              a user
 *   P/dr/HOME                a home pool's DR row
 *   P/runbooks/HOME          the DR runbook of a home pool (its JSON form)
 *   P/head                   written by every change: the commit guard
 *   P/log/ID                 one change record per change
 *   P/live/FQDN              a pool's liveness, on its lease
 *   P/usage/FQDN             its published in-use counts, on the same lease
 *
 * A cursor is an etcd revision. A change is one transaction that puts its
 * rows, its record and P/head, guarded by "P/head was last written at or
 * before the caller's cursor", so a change judged on stale state fails
 * with conflict and nothing is half-applied. Pools follow the history with
 * a watch on P/log/ from their cursor; a compacted revision means the
 * history is gone, and the pool reloads. A pool's liveness key sits on a
 * lease whose TTL is the down-after time, so a dead pool's liveness
 * vanishes by itself, without anyone judging clocks. */
#include "etcd_gateway.h"
#include "store.h"

#include "orbit_rng.h"
#include "orbit_time.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ETCD_SCHEME         "etcd://"
#define ETCD_DEFAULT_PREFIX "/orbit/default"
/* Change records kept; older ones are deleted (watchers read history). */
#define ETCD_LOG_KEPT 20000
/* An ambiguous commit (the member went away mid-request) is resolved for
 * at most this long, across a leader election. */
#define ETCD_RESOLVE_MS 8000

/* The liveness key is rewritten at most this often (a keep-alive is
 * what keeps a pool alive; the rewrite only refreshes last_seen_ms). */
#define ETCD_LIVE_REFRESH_MS 10000

typedef struct {
    orbit_store base;
    etcd_gateway *g;
    char prefix[256]; /* ends with '/' */
    int64_t lease;    /* the heart's lease, 0 before the first beat */
    int64_t live_written_ms;
    orbit_rng rng;
    uint32_t commits;
} etcd_store;

/* ---- keys ---- */

static char *key(const etcd_store *s, const char *sub, const char *name)
{
    size_t n = strlen(s->prefix) + strlen(sub) + (name ? strlen(name) : 0) + 1;
    char *k = malloc(n);
    if (k)
        snprintf(k, n, "%s%s%s", s->prefix, sub, name ? name : "");
    return k;
}

/* The base64 of a key, and of the end of the range of keys it prefixes. */
static json_t *b64_json(const char *text, size_t len)
{
    char *b = etcd_b64_encode(text, len);
    json_t *v = b ? json_string(b) : NULL;
    free(b);
    return v;
}

static json_t *key_json(const char *k)
{
    return b64_json(k, strlen(k));
}

static json_t *range_end_json(const char *prefix)
{
    size_t n = strlen(prefix);
    char *end = malloc(n + 1);
    if (!end)
        return NULL;
    memcpy(end, prefix, n + 1);
    end[n - 1]++; /* every key that starts with prefix sorts below this */
    json_t *v = b64_json(end, n);
    free(end);
    return v;
}

/* ---- small requests ---- */

static orbit_err call(etcd_store *s, const char *path, json_t *body, json_t **reply,
                      orbit_status *st)
{
    if (reply)
        *reply = NULL;
    if (!body)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    json_t *r = NULL;
    orbit_err e = etcd_gateway_call(s->g, path, body, &r, st);
    json_decref(body);
    if (reply)
        *reply = r;
    else
        json_decref(r);
    return e;
}

/* Every key under P/sub (at revision rev when non-zero): the answer's kvs
 * and the revision it was read at. */
static orbit_err range_of(etcd_store *s, const char *sub, int64_t rev, json_t **kvs, int64_t *at,
                          orbit_status *st)
{
    *kvs = NULL;
    char *k = key(s, sub, NULL);
    if (!k)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    json_t *body = json_pack("{s:o, s:o}", "key", key_json(k), "range_end", range_end_json(k));
    free(k);
    if (body && rev)
        json_object_set_new(body, "revision", json_integer(rev));
    json_t *reply = NULL;
    orbit_err e = call(s, "/v3/kv/range", body, &reply, st);
    if (e)
        return e;
    if (at)
        *at = etcd_int(json_object_get(json_object_get(reply, "header"), "revision"));
    json_t *list = json_object_get(reply, "kvs");
    *kvs = list ? json_incref(list) : json_array(); /* etcd leaves an empty list out */
    json_decref(reply);
    return *kvs ? ORBIT_OK : orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
}

/* A kv's value as JSON (new reference), or NULL with st. */
static json_t *value_json(const json_t *kv, orbit_status *st)
{
    const char *b = json_string_value(json_object_get(kv, "value"));
    size_t len = 0;
    char *text = b ? etcd_b64_decode(b, &len) : NULL;
    json_error_t jerr;
    json_t *v = text ? json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    free(text);
    if (!v)
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "store: a value in etcd is not JSON");
    return v;
}

/* ---- opening ---- */

static bool etcd_claims(const char *location)
{
    return strncmp(location, ETCD_SCHEME, strlen(ETCD_SCHEME)) == 0;
}

static void etcd_close(orbit_store *base)
{
    etcd_store *s = (etcd_store *)base;
    etcd_gateway_close(s->g);
    free(s);
}

static orbit_err etcd_open(const store_options *opt, orbit_store **out, orbit_status *st)
{
    const char *rest = opt->location + strlen(ETCD_SCHEME);
    const char *slash = strchr(rest, '/');
    char members[STORE_LOCATION_MAX];
    size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
    if (n == 0 || n >= sizeof members)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "store",
                                "etcd://host:port[,host:port...][/prefix], not '%s'",
                                opt->location);
    memcpy(members, rest, n);
    members[n] = '\0';
    etcd_store *s = calloc(1, sizeof *s);
    if (!s)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    s->base.backend = &store_backend_etcd;
    const char *prefix = slash && slash[1] ? slash : ETCD_DEFAULT_PREFIX;
    size_t plen = strlen(prefix);
    if (plen + 2 > sizeof s->prefix) {
        free(s);
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "store", "etcd prefix too long");
    }
    snprintf(s->prefix, sizeof s->prefix, "%s%s", prefix, prefix[plen - 1] == '/' ? "" : "/");
    orbit_rng_seed_os(&s->rng);
    orbit_err e = etcd_gateway_open(members, opt, &s->g, st);
    if (e) {
        free(s);
        return e;
    }
    *out = &s->base;
    return ORBIT_OK;
}

static orbit_err etcd_is_initialised(orbit_store *base, bool *yes, orbit_status *st)
{
    etcd_store *s = (etcd_store *)base;
    char *k = key(s, "meta/initialised", NULL);
    json_t *reply = NULL;
    orbit_err e =
        call(s, "/v3/kv/range", k ? json_pack("{s:o}", "key", key_json(k)) : NULL, &reply, st);
    free(k);
    if (e)
        return e;
    *yes = etcd_int(json_object_get(reply, "count")) > 0;
    json_decref(reply);
    return ORBIT_OK;
}

/* ---- loading ---- */

typedef orbit_err (*row_decoder)(const json_t *v, void *out, orbit_status *st);

static orbit_err decode_pool(const json_t *v, void *out, orbit_status *st)
{
    return store_pool_from_json(v, out, st);
}
static orbit_err decode_range(const json_t *v, void *out, orbit_status *st)
{
    return store_range_from_json(v, out, st);
}
static orbit_err decode_user(const json_t *v, void *out, orbit_status *st)
{
    return store_user_from_json(v, out, st);
}
static orbit_err decode_dr(const json_t *v, void *out, orbit_status *st)
{
    return store_dr_from_json(v, out, st);
}
static orbit_err decode_runbook(const json_t *v, void *out, orbit_status *st)
{
    return store_runbook_from_json(v, out, st);
}

/* Reads P/sub at revision rev into a new array of records. */
static orbit_err load_rows(etcd_store *s, const char *sub, int64_t rev, size_t size, row_decoder fn,
                           void **out, size_t *n, int64_t *at, orbit_status *st)
{
    *out = NULL;
    *n = 0;
    json_t *kvs;
    orbit_err e = range_of(s, sub, rev, &kvs, at, st);
    if (e)
        return e;
    size_t count = json_array_size(kvs);
    char *rows = calloc(count ? count : 1, size);
    if (!rows) {
        json_decref(kvs);
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    }
    for (size_t i = 0; !e && i < count; i++) {
        json_t *v = value_json(json_array_get(kvs, i), st);
        e = v ? fn(v, rows + i * size, st) : ORBIT_ERR_INTERNAL;
        json_decref(v);
    }
    json_decref(kvs);
    if (e) {
        free(rows);
        return e;
    }
    *out = rows;
    *n = count;
    return ORBIT_OK;
}

static orbit_err etcd_load(orbit_store *base, store_image *out, orbit_status *st)
{
    etcd_store *s = (etcd_store *)base;
    int64_t rev = 0;
    /* The first read fixes the revision; the others read at it, so the
     * image is one consistent moment of the store. */
    orbit_err e = load_rows(s, "pools/", 0, sizeof *out->pools, decode_pool, (void **)&out->pools,
                            &out->npools, &rev, st);
    if (!e)
        e = load_rows(s, "ranges/", rev, sizeof *out->ranges, decode_range, (void **)&out->ranges,
                      &out->nranges, NULL, st);
    if (!e)
        e = load_rows(s, "users/", rev, sizeof *out->users, decode_user, (void **)&out->users,
                      &out->nusers, NULL, st);
    if (!e)
        e = load_rows(s, "dr/", rev, sizeof *out->dr, decode_dr, (void **)&out->dr, &out->ndr, NULL,
                      st);
    if (!e)
        e = load_rows(s, "runbooks/", rev, sizeof *out->runbooks, decode_runbook,
                      (void **)&out->runbooks, &out->nrunbooks, NULL, st);
    if (e) {
        store_image_free(out);
        return e;
    }
    out->cursor = rev;
    return ORBIT_OK;
}

/* ---- changes ---- */

typedef struct {
    store_change_fn fn;
    void *ctx;
    bool *trimmed;
    bool created;
    bool delivered;
    orbit_err e;
    orbit_status *st;
} watch_ctx;

static bool on_watch(void *ctx, const json_t *msg)
{
    watch_ctx *w = ctx;
    const json_t *result = json_object_get(msg, "result");
    if (!result) {
        const char *why =
            json_string_value(json_object_get(json_object_get(msg, "error"), "message"));
        w->e = orbit_status_set(w->st, ORBIT_ERR_UNAVAILABLE, "store", "etcd watch: %s",
                                why ? why : "an error");
        return false;
    }
    if (etcd_int(json_object_get(result, "compact_revision")) > 0) {
        *w->trimmed = true; /* the history we asked for was compacted away */
        return false;
    }
    if (json_is_true(json_object_get(result, "created")))
        w->created = true;
    const json_t *events = json_object_get(result, "events");
    size_t i;
    const json_t *ev;
    json_array_foreach(events, i, ev)
    {
        if (json_object_get(ev, "type")) /* only PUT is the default; DELETE trims the log */
            continue;
        const json_t *kv = json_object_get(ev, "kv");
        json_t *rec = value_json(kv, w->st);
        if (!rec) {
            w->e = ORBIT_ERR_INTERNAL;
            return false;
        }
        store_change c = {
            .cursor = etcd_int(json_object_get(kv, "mod_revision")),
            .time_ms = json_integer_value(json_object_get(rec, "time_ms")),
            .origin = json_string_value(json_object_get(rec, "origin")),
            .who = json_string_value(json_object_get(rec, "who")),
            .kind = json_string_value(json_object_get(rec, "kind")),
            .data = json_object_get(rec, "data"),
        };
        if (!c.origin || !c.who || !c.kind || !json_is_object(c.data)) {
            json_decref(rec);
            w->e = orbit_status_set(w->st, ORBIT_ERR_INTERNAL, "",
                                    "store: change at revision %lld is unreadable",
                                    (long long)c.cursor);
            return false;
        }
        w->fn(w->ctx, &c);
        json_decref(rec);
        w->delivered = true;
    }
    return !w->delivered; /* hand what came over; the caller asks again */
}

static orbit_err etcd_changes(orbit_store *base, store_cursor after, int wait_ms,
                              store_change_fn fn, void *ctx, bool *trimmed, orbit_status *st)
{
    etcd_store *s = (etcd_store *)base;
    char *k = key(s, "log/", NULL);
    json_t *body =
        k ? json_pack("{s:{s:o, s:o, s:I}}", "create_request", "key", key_json(k), "range_end",
                      range_end_json(k), "start_revision", (json_int_t)(after + 1))
          : NULL;
    free(k);
    if (!body)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    orbit_status_clear(st);
    watch_ctx w = {fn, ctx, trimmed, false, false, ORBIT_OK, st};
    orbit_err e = etcd_gateway_stream(s->g, "/v3/watch", body, wait_ms, on_watch, &w, st);
    json_decref(body);
    if (e)
        return e;
    if (w.e)
        return w.e;
    if (!w.created && !w.delivered && !*trimmed)
        return orbit_status_set(st, ORBIT_ERR_UNAVAILABLE, "store",
                                "etcd did not start the watch within %d ms", wait_ms);
    return ORBIT_OK;
}

/* ---- writing ---- */

static json_t *put_op(const char *k, json_t *value /* stolen */, int64_t lease)
{
    char *text = value ? json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    json_decref(value);
    json_t *op = text ? json_pack("{s:{s:o, s:o}}", "request_put", "key", key_json(k), "value",
                                  b64_json(text, strlen(text)))
                      : NULL;
    free(text);
    if (op && lease)
        json_object_set_new(json_object_get(op, "request_put"), "lease", json_integer(lease));
    return op;
}

static json_t *delete_op(const char *k, bool prefix)
{
    json_t *op = json_pack("{s:{s:o}}", "request_delete_range", "key", key_json(k));
    if (op && prefix)
        json_object_set_new(json_object_get(op, "request_delete_range"), "range_end",
                            range_end_json(k));
    return op;
}

static void lower(char *text)
{
    for (; *text; text++)
        *text = (char)tolower((unsigned char)*text);
}

/* The key and value of one write of a batch (a runbook's value is the
 * batch's data). */
static json_t *write_op(etcd_store *s, const store_batch *b, const store_write *w)
{
    char name[ORBIT_FQDN_MAX + ORBIT_URI_MAX + 2];
    const char *sub;
    json_t *value = NULL;
    switch (w->kind) {
    case STORE_WRITE_RANGE_PUT:
    case STORE_WRITE_RANGE_DELETE:
        sub = "ranges/";
        snprintf(name, sizeof name, "%s",
                 w->kind == STORE_WRITE_RANGE_PUT ? w->u.range.identity : w->u.identity);
        lower(name);
        if (w->kind == STORE_WRITE_RANGE_PUT)
            value = store_range_to_json(&w->u.range);
        break;
    case STORE_WRITE_DR_PUT:
        sub = "dr/";
        snprintf(name, sizeof name, "%s", w->u.dr.state.home);
        value = store_dr_to_json(&w->u.dr);
        break;
    case STORE_WRITE_POOL_PUT:
    case STORE_WRITE_POOL_DELETE:
        sub = "pools/";
        snprintf(name, sizeof name, "%s",
                 w->kind == STORE_WRITE_POOL_PUT ? w->u.pool.fqdn : w->u.fqdn);
        if (w->kind == STORE_WRITE_POOL_PUT)
            value = store_pool_to_json(&w->u.pool);
        break;
    case STORE_WRITE_USER_PUT:
    case STORE_WRITE_USER_DELETE:
        sub = "users/";
        snprintf(name, sizeof name, "%s",
                 w->kind == STORE_WRITE_USER_PUT ? w->u.user.uri : w->u.uri);
        if (w->kind == STORE_WRITE_USER_PUT)
            value = store_user_to_json(&w->u.user);
        break;
    case STORE_WRITE_DR_DELETE:
        sub = "dr/";
        snprintf(name, sizeof name, "%s", w->u.fqdn);
        break;
    case STORE_WRITE_RUNBOOK_PUT:
        if (!b || !b->data)
            return NULL;
        sub = "runbooks/";
        snprintf(name, sizeof name, "%s", w->u.fqdn);
        value = json_incref(b->data);
        break;
    default:
        return NULL;
    }
    char *k = key(s, sub, name);
    json_t *op = NULL;
    if (k && value)
        op = put_op(k, value, 0);
    else if (k)
        op = delete_op(k, false);
    else
        json_decref(value);
    free(k);
    return op;
}

/* The change record every pool applies. */
static json_t *record_of(const char *origin, const char *who, const char *kind, const json_t *data)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:O}", "time_ms", (json_int_t)orbit_time_now_ms(),
                     "origin", origin, "who", who, "kind", kind, "data", data);
}

/* Adds the record and the guard to a transaction's success list. */
static bool add_record(etcd_store *s, json_t *ops, const char *log_key, json_t *record)
{
    char *head = key(s, "head", NULL);
    bool ok = head && record && json_array_append_new(ops, put_op(log_key, record, 0)) == 0 &&
              json_array_append_new(ops, put_op(head, json_string(log_key), 0)) == 0;
    if (!ok && !head)
        json_decref(record);
    free(head);
    return ok;
}

static char *new_log_key(etcd_store *s)
{
    char id[40];
    snprintf(id, sizeof id, "%016llx%08x", (unsigned long long)orbit_time_now_ms(),
             (unsigned)orbit_rng_below(&s->rng, UINT32_MAX));
    return key(s, "log/", id);
}

/* Does the change record with this key exist (and at which revision)? */
static orbit_err find_record(etcd_store *s, const char *log_key, int64_t *rev, orbit_status *st)
{
    json_t *reply = NULL;
    *rev = 0;
    orbit_err e = call(s, "/v3/kv/range", json_pack("{s:o}", "key", key_json(log_key)), &reply, st);
    if (e)
        return e;
    json_t *kv = json_array_get(json_object_get(reply, "kvs"), 0);
    if (kv)
        *rev = etcd_int(json_object_get(kv, "create_revision"));
    json_decref(reply);
    return ORBIT_OK;
}

/* Deletes the oldest change records beyond the kept number. Watchers read
 * the history (MVCC), so a deleted record is still seen by a watcher that
 * is behind; only compaction ends that, and then the watcher reloads. */
static void trim_log(etcd_store *s)
{
    char *k = key(s, "log/", NULL);
    json_t *reply = NULL;
    orbit_status st;
    if (!k || call(s, "/v3/kv/range",
                   json_pack("{s:o, s:o, s:b}", "key", key_json(k), "range_end", range_end_json(k),
                             "count_only", 1),
                   &reply, &st) != ORBIT_OK) {
        free(k);
        return;
    }
    int64_t count = etcd_int(json_object_get(reply, "count"));
    json_decref(reply);
    if (count <= ETCD_LOG_KEPT) {
        free(k);
        return;
    }
    int64_t extra = count - ETCD_LOG_KEPT;
    if (extra > 100)
        extra = 100; /* a few at a time, within etcd's txn limit */
    json_t *oldest = NULL;
    if (call(s, "/v3/kv/range",
             json_pack("{s:o, s:o, s:b, s:s, s:s, s:I}", "key", key_json(k), "range_end",
                       range_end_json(k), "keys_only", 1, "sort_order", "ASCEND", "sort_target",
                       "CREATE", "limit", (json_int_t)extra),
             &oldest, &st) == ORBIT_OK) {
        json_t *ops = json_array();
        size_t i;
        json_t *kv;
        json_array_foreach(json_object_get(oldest, "kvs"), i, kv)
        {
            json_t *op =
                json_pack("{s:{s:O}}", "request_delete_range", "key", json_object_get(kv, "key"));
            if (ops && op)
                json_array_append_new(ops, op);
            else
                json_decref(op);
        }
        if (ops)
            call(s, "/v3/kv/txn", json_pack("{s:o}", "success", ops), NULL, &st);
        json_decref(oldest);
    }
    free(k);
}

static orbit_err etcd_commit(orbit_store *base, store_cursor expect, const store_batch *b,
                             store_cursor *committed, orbit_status *st)
{
    etcd_store *s = (etcd_store *)base;
    char *log_key = new_log_key(s);
    char *head = key(s, "head", NULL);
    json_t *ops = json_array();
    bool ok = log_key && head && ops;
    for (size_t i = 0; ok && i < b->nwrites; i++)
        ok = json_array_append_new(ops, write_op(s, b, &b->writes[i])) == 0;
    if (ok)
        ok = add_record(s, ops, log_key, record_of(b->origin, b->who, b->kind, b->data));
    /* The guard: nothing was committed after the state the change was
     * judged on (P/head's last write is at or before expect). */
    json_t *txn = ok ? json_pack("{s:[{s:o, s:s, s:s, s:I}], s:o}", "compare", "key",
                                 key_json(head), "target", "MOD", "result", "LESS", "mod_revision",
                                 (json_int_t)(expect + 1), "success", ops)
                     : NULL;
    if (!txn)
        json_decref(ops);
    free(head);
    if (!txn) {
        free(log_key);
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    }
    int64_t deadline = orbit_time_mono_ms() + ETCD_RESOLVE_MS;
    orbit_err e;
    for (;;) {
        json_t *reply = NULL;
        e = etcd_gateway_call(s->g, "/v3/kv/txn", txn, &reply, st);
        if (e == ORBIT_OK) {
            bool succeeded = json_is_true(json_object_get(reply, "succeeded"));
            int64_t rev = etcd_int(json_object_get(json_object_get(reply, "header"), "revision"));
            json_decref(reply);
            if (succeeded) {
                *committed = rev;
                break;
            }
            /* Refused: either someone else changed the deployment, or an
             * earlier try of this very transaction landed before the
             * member went away. The record says which. */
            e = find_record(s, log_key, &rev, st);
            if (e == ORBIT_OK && rev > 0) {
                *committed = rev;
                break;
            }
            if (e == ORBIT_OK) {
                e = orbit_status_set(st, ORBIT_ERR_CONFLICT, "",
                                     "the deployment changed meanwhile (judged at revision %lld)",
                                     (long long)expect);
                break;
            }
        }
        if (e != ORBIT_ERR_UNAVAILABLE || orbit_time_mono_ms() >= deadline)
            break;
        /* No leader, or the member went away: try again (the guard makes a
         * second landing impossible). */
        struct timespec ts = {0, 200 * 1000000L};
        nanosleep(&ts, NULL);
    }
    json_decref(txn);
    free(log_key);
    if (e == ORBIT_ERR_UNAVAILABLE)
        orbit_status_set(st, ORBIT_ERR_UNAVAILABLE, "",
                         "the etcd cluster did not answer for %d s; the change was not made "
                         "(%s)",
                         ETCD_RESOLVE_MS / 1000, st->message);
    if (e == ORBIT_OK && ++s->commits % 128 == 0)
        trim_log(s);
    return e;
}

/* ---- liveness ---- */

static orbit_err grant_lease(etcd_store *s, int64_t ttl_ms, orbit_status *st)
{
    json_t *reply = NULL;
    int64_t ttl = (ttl_ms + 999) / 1000;
    orbit_err e = call(s, "/v3/lease/grant",
                       json_pack("{s:I}", "TTL", (json_int_t)(ttl < 1 ? 1 : ttl)), &reply, st);
    if (e)
        return e;
    s->lease = etcd_int(json_object_get(reply, "ID"));
    json_decref(reply);
    return s->lease ? ORBIT_OK
                    : orbit_status_set(st, ORBIT_ERR_UNAVAILABLE, "store", "etcd granted no lease");
}

/* Keeps the lease alive; false when it is gone (expired while this pool
 * was cut off or stopped). */
static orbit_err keep_alive(etcd_store *s, bool *alive, orbit_status *st)
{
    json_t *reply = NULL;
    orbit_err e =
        call(s, "/v3/lease/keepalive", json_pack("{s:I}", "ID", (json_int_t)s->lease), &reply, st);
    if (e)
        return e;
    *alive = etcd_int(json_object_get(json_object_get(reply, "result"), "TTL")) > 0;
    json_decref(reply);
    return ORBIT_OK;
}

static orbit_err etcd_heartbeat(orbit_store *base, const store_beat *beat, orbit_status *st)
{
    etcd_store *s = (etcd_store *)base;
    bool alive = false;
    orbit_err e = s->lease ? keep_alive(s, &alive, st) : ORBIT_OK;
    if (!e && !alive) {
        e = grant_lease(s, beat->ttl_ms, st);
        s->live_written_ms = 0; /* a new lease needs the key written again */
    }
    if (e)
        return e;
    int64_t now = orbit_time_mono_ms();
    if (!beat->usage && s->live_written_ms && now - s->live_written_ms < ETCD_LIVE_REFRESH_MS)
        return ORBIT_OK; /* the keep-alive was the heartbeat */
    char *live = key(s, "live/", beat->fqdn);
    char *usage_key = key(s, "usage/", beat->fqdn);
    json_t *ops = json_array();
    json_t *value = json_pack("{s:s, s:s, s:I, s:I}", "epoch", beat->epoch, "holder", beat->holder,
                              "heartbeat_ms", (json_int_t)orbit_time_now_ms(), "ttl_ms",
                              (json_int_t)beat->ttl_ms);
    bool ok = live && usage_key && ops && value &&
              json_array_append_new(ops, put_op(live, value, s->lease)) == 0;
    if (!ok && value && !(live && usage_key && ops))
        json_decref(value);
    if (ok && beat->usage) {
        json_t *counts = json_array();
        for (size_t i = 0; counts && i < beat->nusage; i++)
            json_array_append_new(counts,
                                  json_pack("{s:s, s:I}", "identity", beat->usage[i].identity,
                                            "in_use", (json_int_t)beat->usage[i].in_use));
        ok = counts && json_array_append_new(ops, put_op(usage_key, counts, s->lease)) == 0;
    }
    free(live);
    free(usage_key);
    if (!ok) {
        json_decref(ops);
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    }
    e = call(s, "/v3/kv/txn", json_pack("{s:o}", "success", ops), NULL, st);
    if (e == ORBIT_OK)
        s->live_written_ms = now;
    return e;
}

static orbit_err etcd_liveness(orbit_store *base, store_liveness *out, orbit_status *st)
{
    etcd_store *s = (etcd_store *)base;
    json_t *kvs = NULL, *counts = NULL;
    int64_t rev = 0;
    orbit_err e = range_of(s, "live/", 0, &kvs, &rev, st);
    if (!e)
        e = range_of(s, "usage/", rev, &counts, NULL, st);
    if (e) {
        json_decref(kvs);
        return e;
    }
    size_t n = json_array_size(kvs);
    out->pools = calloc(n ? n : 1, sizeof *out->pools);
    size_t nusage = 0;
    for (size_t i = 0; i < json_array_size(counts); i++) {
        json_t *v = value_json(json_array_get(counts, i), st);
        nusage += json_array_size(v);
        json_decref(v);
    }
    out->usage = calloc(nusage ? nusage : 1, sizeof *out->usage);
    if (!out->pools || !out->usage) {
        json_decref(kvs);
        json_decref(counts);
        store_liveness_free(out);
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    }
    size_t live_prefix = strlen(s->prefix) + strlen("live/");
    for (size_t i = 0; i < n; i++) {
        const json_t *kv = json_array_get(kvs, i);
        size_t klen = 0;
        const char *kb = json_string_value(json_object_get(kv, "key"));
        char *k = kb ? etcd_b64_decode(kb, &klen) : NULL;
        json_t *v = value_json(kv, st);
        store_pool_liveness *p = &out->pools[out->npools];
        if (k && v && klen > live_prefix) {
            snprintf(p->fqdn, sizeof p->fqdn, "%s", k + live_prefix);
            const char *epoch = json_string_value(json_object_get(v, "epoch"));
            const char *holder = json_string_value(json_object_get(v, "holder"));
            snprintf(p->epoch, sizeof p->epoch, "%s", epoch ? epoch : "");
            snprintf(p->holder, sizeof p->holder, "%s", holder ? holder : "");
            p->last_seen_ms = json_integer_value(json_object_get(v, "heartbeat_ms"));
            p->alive = true; /* the key exists only while its lease lives */
            out->npools++;
        }
        free(k);
        json_decref(v);
    }
    size_t usage_prefix = strlen(s->prefix) + strlen("usage/");
    for (size_t i = 0; i < json_array_size(counts); i++) {
        const json_t *kv = json_array_get(counts, i);
        const char *kb = json_string_value(json_object_get(kv, "key"));
        size_t klen = 0;
        char *k = kb ? etcd_b64_decode(kb, &klen) : NULL;
        json_t *v = value_json(kv, st);
        size_t j;
        json_t *c;
        json_array_foreach(v, j, c)
        {
            if (!k || klen <= usage_prefix)
                break;
            store_usage *u = &out->usage[out->nusage++];
            const char *id = json_string_value(json_object_get(c, "identity"));
            snprintf(u->identity, sizeof u->identity, "%s", id ? id : "");
            snprintf(u->pool, sizeof u->pool, "%s", k + usage_prefix);
            u->in_use = (uint32_t)json_integer_value(json_object_get(c, "in_use"));
        }
        free(k);
        json_decref(v);
    }
    json_decref(kvs);
    json_decref(counts);
    return ORBIT_OK;
}

/* ---- import ---- */

/* Appends a delete for every key under P/sub that the new image does not
 * put (etcd refuses a transaction that deletes and puts the same key). */
static orbit_err delete_stale(etcd_store *s, const char *sub, int64_t rev, const json_t *puts,
                              json_t *ops, int64_t *at, orbit_status *st)
{
    json_t *kvs;
    orbit_err e = range_of(s, sub, rev, &kvs, at, st);
    if (e)
        return e;
    size_t i;
    json_t *kv;
    json_array_foreach(kvs, i, kv)
    {
        const char *k = json_string_value(json_object_get(kv, "key"));
        if (!k || json_object_get(puts, k))
            continue;
        json_t *op = json_pack("{s:{s:s}}", "request_delete_range", "key", k);
        if (!op || json_array_append_new(ops, op) != 0) {
            json_decref(kvs);
            return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
        }
    }
    json_decref(kvs);
    return ORBIT_OK;
}

static orbit_err etcd_import(orbit_store *base, const store_image *img, bool replace,
                             orbit_status *st)
{
    etcd_store *s = (etcd_store *)base;
    json_t *ops = json_array();
    bool ok = ops != NULL;
    int64_t now = orbit_time_now_ms();
    for (size_t i = 0; ok && i < img->npools; i++) {
        store_write w = {.kind = STORE_WRITE_POOL_PUT, .u.pool = img->pools[i]};
        ok = json_array_append_new(ops, write_op(s, NULL, &w)) == 0;
        store_write d = {.kind = STORE_WRITE_DR_PUT};
        snprintf(d.u.dr.state.home, sizeof d.u.dr.state.home, "%s", img->pools[i].fqdn);
        d.u.dr.state.phase = DR_PHASE_NORMAL;
        d.u.dr.state.since_ms = now;
        ok = ok && json_array_append_new(ops, write_op(s, NULL, &d)) == 0;
    }
    for (size_t i = 0; ok && i < img->nranges; i++) {
        store_write w = {.kind = STORE_WRITE_RANGE_PUT, .u.range = img->ranges[i]};
        ok = json_array_append_new(ops, write_op(s, NULL, &w)) == 0;
    }
    for (size_t i = 0; ok && i < img->nusers; i++) {
        store_write w = {.kind = STORE_WRITE_USER_PUT, .u.user = img->users[i]};
        ok = json_array_append_new(ops, write_op(s, NULL, &w)) == 0;
    }
    /* The keys put, to delete every other row of the old deployment. */
    json_t *puts = json_object();
    size_t i;
    json_t *op;
    json_array_foreach(ops, i, op)
    {
        const char *k =
            json_string_value(json_object_get(json_object_get(op, "request_put"), "key"));
        if (ok && (!puts || !k || json_object_set_new(puts, k, json_true()) != 0))
            ok = false;
    }
    static const char *const WIPE[] = {"pools/", "ranges/", "users/", "dr/", "runbooks/"};
    int64_t rev = 0;
    orbit_err e = ok ? ORBIT_OK : orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    for (size_t w = 0; !e && w < sizeof WIPE / sizeof WIPE[0]; w++)
        e = delete_stale(s, WIPE[w], rev, puts, ops, w == 0 ? &rev : NULL, st);
    json_decref(puts);
    char *meta = key(s, "meta/initialised", NULL);
    char *head = key(s, "head", NULL);
    char *log_key = new_log_key(s);
    json_t *data = json_pack("{s:I, s:I, s:I}", "pools", (json_int_t)img->npools, "ranges",
                             (json_int_t)img->nranges, "users", (json_int_t)img->nusers);
    ok = !e && meta && head && log_key && data &&
         json_array_append_new(ops, put_op(meta, json_string("1"), 0)) == 0 &&
         add_record(s, ops, log_key, record_of("", "import", "topology.imported", data));
    json_decref(data);
    /* Nothing changed since the old rows were read; and without replace,
     * only into an empty store. */
    json_t *compare = ok ? json_pack("[{s:o, s:s, s:s, s:I}]", "key", key_json(head), "target",
                                     "MOD", "result", "LESS", "mod_revision", (json_int_t)(rev + 1))
                         : NULL;
    if (compare && !replace)
        json_array_append_new(compare,
                              json_pack("{s:o, s:s, s:s, s:I}", "key", key_json(meta), "target",
                                        "VERSION", "result", "EQUAL", "version", (json_int_t)0));
    json_t *txn = compare ? json_pack("{s:o, s:o}", "compare", compare, "success", ops) : NULL;
    if (!txn)
        json_decref(ops);
    free(meta);
    free(head);
    free(log_key);
    if (e)
        return e;
    if (!txn)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    json_t *reply = NULL;
    e = call(s, "/v3/kv/txn", txn, &reply, st);
    if (e == ORBIT_ERR_INTERNAL && strstr(st->message, "too many operations"))
        return orbit_status_set(st, ORBIT_ERR_LIMIT_EXCEEDED, "store",
                                "etcd refused a transaction of %zu writes: start it with "
                                "--max-txn-ops of at least that (docs/deployment.md)",
                                img->npools * 2 + img->nranges + img->nusers + 8);
    if (e)
        return e;
    bool succeeded = json_is_true(json_object_get(reply, "succeeded"));
    json_decref(reply);
    if (!succeeded)
        return orbit_status_set(st, ORBIT_ERR_CONFLICT, "store",
                                replace ? "the store changed while importing: try again"
                                        : "the store already holds a deployment (use --replace)");
    return ORBIT_OK;
}

const store_backend store_backend_etcd = {
    .name = "etcd",
    .claims = etcd_claims,
    .open = etcd_open,
    .close = etcd_close,
    .is_initialised = etcd_is_initialised,
    .load = etcd_load,
    .changes = etcd_changes,
    .commit = etcd_commit,
    .heartbeat = etcd_heartbeat,
    .liveness = etcd_liveness,
    .import = etcd_import,
};
