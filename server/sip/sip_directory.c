/* sip_directory: the snapshot is built into flat arrays with hash indexes
 * (orbit_map) and never changes after sip_directory_build. The users are
 * a block of their own, counted separately, so that a directory rebuilt
 * for an orbit-table or settings change shares them with the last one
 * instead of copying every user of the deployment again. */
#include "sip_directory.h"

#include "orbit_map.h"
#include "orbit_number.h"
#include "orbit_text.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* The users and their indexes; shared by every directory built with the
 * same users (sip_directory_builder_share_users). */
typedef struct {
    atomic_int refs;
    sip_dir_user *users;
    size_t n_users, cap_users;
    orbit_map *by_uri;  /* lower-cased URI -> sip_dir_user index + 1 */
    orbit_map *by_name; /* user part -> index + 1 */
} dir_users;

/* A range keeps its text in place: the table is copied for every change
 * of it, and three allocations per range made that copy grow with the
 * table. pub's pointers are set when the directory is built (the array
 * moves while it grows). */
typedef struct {
    sip_dir_range pub;
    char start[ORBIT_NUMBER_BUF];
    char end[ORBIT_NUMBER_BUF];
    char pool[ORBIT_FQDN_MAX + 1];
} dir_range;

struct sip_directory {
    atomic_int refs;
    char *self;
    sip_dir_settings settings;
    media_moh *moh;
    dir_users *users; /* owned reference */
    sip_dir_pool *pools;
    size_t n_pools, cap_pools;
    dir_range *ranges;
    size_t n_ranges, cap_ranges;
    orbit_map *by_pool; /* fqdn -> index + 1 */
};

/* A builder is a directory still being filled. */
struct sip_directory_builder {
    sip_directory dir;
    bool failed;
    bool shared_users; /* dir.users came from another directory: read-only */
};

static void *index_value(size_t i)
{
    return (void *)(uintptr_t)(i + 1);
}

static size_t value_index(void *v)
{
    return (size_t)(uintptr_t)v - 1;
}

/* "sip:Alice@Example.NET;x" -> "sip:alice@example.net": user parts are
 * compared as written by phones, which differ in case only by accident. */
static bool uri_key(const char *uri, char *key, size_t cap)
{
    size_t n = strcspn(uri, ";?> ");
    if (n + 1 > cap)
        return false;
    for (size_t i = 0; i < n; i++)
        key[i] = (char)tolower((unsigned char)uri[i]);
    key[n] = '\0';
    return true;
}

static bool name_key(const char *uri, char *key, size_t cap)
{
    const char *p = strncmp(uri, "sip:", 4) == 0 ? uri + 4 : uri;
    size_t n = strcspn(p, "@;?> ");
    if (n == 0 || n + 1 > cap)
        return false;
    for (size_t i = 0; i < n; i++)
        key[i] = (char)tolower((unsigned char)p[i]);
    key[n] = '\0';
    return true;
}

static void users_unref(dir_users *u)
{
    if (!u || atomic_fetch_sub(&u->refs, 1) != 1)
        return;
    for (size_t i = 0; i < u->n_users; i++) {
        free((char *)u->users[i].uri);
        free((char *)u->users[i].home);
        free((char *)u->users[i].serving);
        free((char *)u->users[i].pickup_group);
        free((char *)u->users[i].ha1_md5);
        free((char *)u->users[i].ha1_sha256);
    }
    free(u->users);
    orbit_map_free(u->by_uri);
    orbit_map_free(u->by_name);
    free(u);
}

/* An empty block with one reference, or NULL on OOM. */
static dir_users *users_new(void)
{
    dir_users *u = calloc(1, sizeof *u);
    if (!u)
        return NULL;
    atomic_init(&u->refs, 1);
    u->by_uri = orbit_map_new();
    u->by_name = orbit_map_new();
    if (!u->by_uri || !u->by_name) {
        users_unref(u);
        return NULL;
    }
    return u;
}

sip_directory_builder *sip_directory_builder_new(const char *self_fqdn)
{
    sip_directory_builder *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    atomic_init(&b->dir.refs, 1);
    b->dir.self = strdup(self_fqdn ? self_fqdn : "");
    b->dir.users = users_new();
    b->dir.by_pool = orbit_map_new();
    b->dir.settings.enable_music_on_hold = true;
    b->dir.settings.call_pickup_timeout_threshold = 90;
    b->dir.settings.max_call_pickup_attempts = 1;
    if (!b->dir.self || !b->dir.users || !b->dir.by_pool) {
        sip_directory_builder_free(b);
        return NULL;
    }
    return b;
}

/* Grows an array of elem-sized items to hold one more. */
static bool grow(void **items, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return true;
    size_t want = *cap ? *cap * 2 : 16;
    void *p = realloc(*items, want * elem);
    if (!p)
        return false;
    *items = p;
    *cap = want;
    return true;
}

static const char *dup_or_null(const char *s, bool *oom)
{
    if (!s || !*s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *oom = true;
    return d;
}

static bool is_hex(const char *s, size_t len)
{
    if (!s)
        return true;
    if (strlen(s) != len)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!isxdigit((unsigned char)s[i]))
            return false;
    return true;
}

orbit_err sip_directory_add_pool(sip_directory_builder *b, const sip_dir_pool *pool,
                                 orbit_status *st)
{
    sip_directory *d = &b->dir;
    if (!pool->fqdn || !*pool->fqdn)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "fqdn", "a pool needs an FQDN");
    if (pool->sip_uri && strncmp(pool->sip_uri, "sip:", 4) != 0)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "sip", "'%s' is not a sip: URI",
                                pool->sip_uri);
    if (orbit_map_get(d->by_pool, pool->fqdn))
        return orbit_status_set(st, ORBIT_ERR_CONFLICT, "fqdn", "pool %s twice", pool->fqdn);
    if (!grow((void **)&d->pools, &d->cap_pools, d->n_pools, sizeof *d->pools))
        goto oom;
    bool nomem = false;
    sip_dir_pool *p = &d->pools[d->n_pools];
    p->fqdn = dup_or_null(pool->fqdn, &nomem);
    p->sip_uri = dup_or_null(pool->sip_uri, &nomem);
    d->n_pools++; /* counted even on OOM so that free releases it */
    if (nomem || !orbit_map_put(d->by_pool, pool->fqdn, index_value(d->n_pools - 1)))
        goto oom;
    return ORBIT_OK;
oom:
    b->failed = true;
    return orbit_status_set(st, ORBIT_ERR_INTERNAL, "directory", "out of memory");
}

orbit_err sip_directory_add_user(sip_directory_builder *b, const sip_dir_user *user,
                                 orbit_status *st)
{
    if (b->shared_users)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "directory",
                                "the users are shared with another directory");
    dir_users *d = b->dir.users;
    char key[SIP_URI_MAX], name[SIP_URI_MAX];
    if (!user->uri || strncmp(user->uri, "sip:", 4) != 0 || !uri_key(user->uri, key, sizeof key) ||
        !name_key(user->uri, name, sizeof name))
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "uri", "'%s' is not a sip: URI",
                                user->uri ? user->uri : "");
    if (!user->home || !user->serving)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "home", "%s needs home and serving",
                                user->uri);
    if (!is_hex(user->ha1_md5, 32) || !is_hex(user->ha1_sha256, 64))
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "ha1", "%s: HA1 is not hex digest",
                                user->uri);
    if (orbit_map_get(d->by_uri, key))
        return orbit_status_set(st, ORBIT_ERR_CONFLICT, "uri", "user %s twice", user->uri);
    if (!grow((void **)&d->users, &d->cap_users, d->n_users, sizeof *d->users))
        goto oom;
    bool nomem = false;
    sip_dir_user *u = &d->users[d->n_users];
    u->uri = dup_or_null(user->uri, &nomem);
    u->home = dup_or_null(user->home, &nomem);
    u->serving = dup_or_null(user->serving, &nomem);
    u->pickup_group = dup_or_null(user->pickup_group, &nomem);
    u->ha1_md5 = dup_or_null(user->ha1_md5, &nomem);
    u->ha1_sha256 = dup_or_null(user->ha1_sha256, &nomem);
    d->n_users++;
    if (nomem || !orbit_map_put(d->by_uri, key, index_value(d->n_users - 1)))
        goto oom;
    /* Two users with the same user part on different domains: the first
     * keeps the short name; the other is reachable by whole URI only. */
    if (!orbit_map_get(d->by_name, name) &&
        !orbit_map_put(d->by_name, name, index_value(d->n_users - 1)))
        goto oom;
    return ORBIT_OK;
oom:
    b->failed = true;
    return orbit_status_set(st, ORBIT_ERR_INTERNAL, "directory", "out of memory");
}

orbit_err sip_directory_add_range(sip_directory_builder *b, const sip_dir_range *range,
                                  orbit_status *st)
{
    sip_directory *d = &b->dir;
    if (!range->start || !range->end || !range->pool ||
        strlen(range->start) != strlen(range->end) || strcmp(range->start, range->end) > 0)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "range", "range needs start <= end");
    if (strlen(range->start) >= ORBIT_NUMBER_BUF || strlen(range->pool) > ORBIT_FQDN_MAX)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "range", "range %s is too long",
                                range->start);
    if (!grow((void **)&d->ranges, &d->cap_ranges, d->n_ranges, sizeof *d->ranges)) {
        b->failed = true;
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "directory", "out of memory");
    }
    dir_range *r = &d->ranges[d->n_ranges++];
    strcpy(r->start, range->start);
    strcpy(r->end, range->end);
    strcpy(r->pool, range->pool);
    r->pub.pickup = range->pickup;
    return ORBIT_OK;
}

void sip_directory_builder_share_users(sip_directory_builder *b, const sip_directory *from)
{
    dir_users *u = from->users;
    atomic_fetch_add(&u->refs, 1);
    users_unref(b->dir.users);
    b->dir.users = u;
    b->shared_users = true;
}

void sip_directory_set_settings(sip_directory_builder *b, const sip_dir_settings *settings)
{
    b->dir.settings = *settings;
}

void sip_directory_set_moh(sip_directory_builder *b, media_moh *moh)
{
    media_moh *old = b->dir.moh;
    b->dir.moh = media_moh_ref(moh);
    media_moh_unref(old);
}

static void directory_free(sip_directory *d)
{
    users_unref(d->users);
    for (size_t i = 0; i < d->n_pools; i++) {
        free((char *)d->pools[i].fqdn);
        free((char *)d->pools[i].sip_uri);
    }
    free(d->pools);
    free(d->ranges);
    orbit_map_free(d->by_pool);
    media_moh_unref(d->moh);
    free(d->self);
}

void sip_directory_builder_free(sip_directory_builder *b)
{
    if (!b)
        return;
    directory_free(&b->dir);
    free(b);
}

sip_directory *sip_directory_build(sip_directory_builder *b)
{
    if (!b || b->failed) {
        sip_directory_builder_free(b);
        return NULL;
    }
    sip_directory *d = malloc(sizeof *d);
    if (!d) {
        sip_directory_builder_free(b);
        return NULL;
    }
    memcpy(d, &b->dir, sizeof *d);
    atomic_init(&d->refs, 1);
    for (size_t i = 0; i < d->n_ranges; i++) {
        dir_range *r = &d->ranges[i];
        r->pub.start = r->start;
        r->pub.end = r->end;
        r->pub.pool = r->pool;
    }
    free(b);
    return d;
}

sip_directory *sip_directory_ref(sip_directory *dir)
{
    if (dir)
        atomic_fetch_add(&dir->refs, 1);
    return dir;
}

void sip_directory_unref(sip_directory *dir)
{
    if (!dir || atomic_fetch_sub(&dir->refs, 1) != 1)
        return;
    directory_free(dir);
    free(dir);
}

const char *sip_directory_self(const sip_directory *dir)
{
    return dir->self;
}

const sip_dir_settings *sip_directory_settings(const sip_directory *dir)
{
    return &dir->settings;
}

media_moh *sip_directory_moh(const sip_directory *dir)
{
    return dir->moh;
}

const sip_dir_user *sip_directory_user(const sip_directory *dir, const char *uri)
{
    char key[SIP_URI_MAX];
    if (!uri || !uri_key(uri, key, sizeof key))
        return NULL;
    void *v = orbit_map_get(dir->users->by_uri, key);
    return v ? &dir->users->users[value_index(v)] : NULL;
}

const sip_dir_user *sip_directory_user_by_name(const sip_directory *dir, const char *name)
{
    char key[SIP_URI_MAX];
    if (!name || !name_key(name, key, sizeof key))
        return NULL;
    void *v = orbit_map_get(dir->users->by_name, key);
    return v ? &dir->users->users[value_index(v)] : NULL;
}

const sip_dir_pool *sip_directory_pool(const sip_directory *dir, const char *fqdn)
{
    void *v = fqdn ? orbit_map_get(dir->by_pool, fqdn) : NULL;
    return v ? &dir->pools[value_index(v)] : NULL;
}

const sip_dir_range *sip_directory_range_of(const sip_directory *dir, const char *number)
{
    size_t len = number ? strlen(number) : 0;
    if (len == 0)
        return NULL;
    /* Start and end have the same length and prefix (domain.md), so
     * within a shape the byte order is the numeric order. */
    for (size_t i = 0; i < dir->n_ranges; i++) {
        const sip_dir_range *r = &dir->ranges[i].pub;
        if (strlen(r->start) == len && strcmp(r->start, number) <= 0 &&
            strcmp(number, r->end) <= 0 &&
            (isdigit((unsigned char)number[0]) || number[0] == r->start[0]))
            return r;
    }
    return NULL;
}

size_t sip_directory_user_count(const sip_directory *dir)
{
    return dir->users->n_users;
}
