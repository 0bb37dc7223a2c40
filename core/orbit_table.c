/* orbit_table: rules across ranges and the number index. Mutations are
 * rare (operator actions) and may cost O(n log n); lookups by number are
 * the hot path and cost O(log n). */
#include "orbit_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct orbit_table {
    orbit_range *rows; /* sorted by identity, case-insensitive */
    size_t *by_number; /* indexes into rows, sorted by (prefix, start) */
    size_t n;
    size_t cap;
};

orbit_table *orbit_table_new(void)
{
    return calloc(1, sizeof(orbit_table));
}

void orbit_table_free(orbit_table *t)
{
    if (!t)
        return;
    free(t->rows);
    free(t->by_number);
    free(t);
}

static bool reserve(orbit_table *t, size_t want)
{
    if (want <= t->cap)
        return true;
    size_t cap = t->cap ? t->cap * 2 : 16;
    while (cap < want)
        cap *= 2;
    orbit_range *rows = realloc(t->rows, cap * sizeof *rows);
    if (!rows)
        return false;
    t->rows = rows;
    size_t *idx = realloc(t->by_number, cap * sizeof *idx);
    if (!idx)
        return false;
    t->by_number = idx;
    t->cap = cap;
    return true;
}

orbit_table *orbit_table_clone(const orbit_table *t)
{
    orbit_table *c = orbit_table_new();
    if (!c)
        return NULL;
    if (!reserve(c, t->n ? t->n : 1)) {
        orbit_table_free(c);
        return NULL;
    }
    if (t->n) {
        memcpy(c->rows, t->rows, t->n * sizeof *t->rows);
        memcpy(c->by_number, t->by_number, t->n * sizeof *t->by_number);
    }
    c->n = t->n;
    return c;
}

size_t orbit_table_count(const orbit_table *t)
{
    return t->n;
}

const orbit_range *orbit_table_at(const orbit_table *t, size_t i)
{
    return i < t->n ? &t->rows[i] : NULL;
}

static int cmp_identity(const void *a, const void *b)
{
    const orbit_range *ra = a, *rb = b;
    return strcasecmp(ra->identity, rb->identity);
}

/* qsort has no context argument, so the index sort compares copies of the
 * ranges' starts stored next to the index. */
typedef struct {
    orbit_number start;
    size_t row;
} number_key;

static int cmp_number_key(const void *a, const void *b)
{
    const number_key *ka = a, *kb = b;
    return orbit_number_compare(&ka->start, &kb->start);
}

/* Re-sorts rows by identity and rebuilds the number index. */
static bool reindex(orbit_table *t)
{
    if (t->n == 0)
        return true;
    qsort(t->rows, t->n, sizeof *t->rows, cmp_identity);
    number_key *keys = malloc(t->n * sizeof *keys);
    if (!keys)
        return false;
    for (size_t i = 0; i < t->n; i++) {
        keys[i].start = t->rows[i].start;
        keys[i].row = i;
    }
    qsort(keys, t->n, sizeof *keys, cmp_number_key);
    for (size_t i = 0; i < t->n; i++)
        t->by_number[i] = keys[i].row;
    free(keys);
    return true;
}

static int cmp_identity_to_range(const void *key, const void *elem)
{
    return strcasecmp(key, ((const orbit_range *)elem)->identity);
}

/* Rows stay sorted by identity (case-insensitively, as identities are
 * compared), so a lookup is a binary search. */
static ptrdiff_t find_index(const orbit_table *t, const char *identity)
{
    if (!t->n)
        return -1;
    const orbit_range *r = bsearch(identity, t->rows, t->n, sizeof *t->rows, cmp_identity_to_range);
    return r ? r - t->rows : -1;
}

const orbit_range *orbit_table_find(const orbit_table *t, const char *identity)
{
    if (!identity)
        return NULL;
    ptrdiff_t i = find_index(t, identity);
    return i < 0 ? NULL : &t->rows[i];
}

const orbit_range *orbit_table_owner_of(const orbit_table *t, const orbit_number *n)
{
    /* Find the last range whose start <= n; ranges never overlap, so only
     * that one can hold n. */
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (orbit_number_compare(&t->rows[t->by_number[mid]].start, n) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    const orbit_range *r = &t->rows[t->by_number[lo - 1]];
    return orbit_range_contains(r, n) ? r : NULL;
}

uint32_t orbit_table_pool_total(const orbit_table *t, const char *pool, const orbit_type *only)
{
    uint32_t total = 0;
    for (size_t i = 0; i < t->n; i++) {
        const orbit_range *r = &t->rows[i];
        if (strcmp(r->pool, pool) == 0 && (!only || r->type == *only))
            total += orbit_range_size(r);
    }
    return total;
}

size_t orbit_table_select(const orbit_table *t, const char *pool, const orbit_type *only,
                          orbit_range *out, size_t max)
{
    size_t count = 0;
    for (size_t i = 0; i < t->n; i++) {
        const orbit_range *r = &t->rows[i];
        if (strcmp(r->pool, pool) != 0 || (only && r->type != *only))
            continue;
        if (count < max)
            out[count] = *r;
        count++;
    }
    return count;
}

/* Every rule a candidate row must meet against the other rows. skip is
 * the identity the candidate replaces (update), or NULL (create). */
static orbit_err check_against(const orbit_table *t, const orbit_range *r, const char *skip,
                               orbit_status *st)
{
    orbit_err e = orbit_range_check(r, st);
    if (e != ORBIT_OK)
        return e;
    uint32_t pool_total = orbit_range_size(r);
    for (size_t i = 0; i < t->n; i++) {
        const orbit_range *o = &t->rows[i];
        if (skip && strcasecmp(o->identity, skip) == 0)
            continue;
        if (strcasecmp(o->identity, r->identity) == 0)
            return orbit_status_set(st, ORBIT_ERR_CONFLICT, "identity",
                                    "a range named '%s' already exists", o->identity);
        if (orbit_range_overlaps(o, r)) {
            char a[ORBIT_NUMBER_BUF], b[ORBIT_NUMBER_BUF];
            return orbit_status_set(
                st, ORBIT_ERR_OVERLAP, "start", "overlaps range '%s' (%s..%s, %s, %s)", o->identity,
                orbit_number_format(&o->start, a, sizeof a),
                orbit_number_format(&o->end, b, sizeof b), orbit_type_name(o->type), o->pool);
        }
        if (strcmp(o->pool, r->pool) == 0)
            pool_total += orbit_range_size(o);
    }
    if (pool_total >= ORBIT_POOL_NUMBER_LIMIT)
        return orbit_status_set(st, ORBIT_ERR_LIMIT_EXCEEDED, "pool",
                                "pool %s would own %u numbers; a pool owns fewer than %u", r->pool,
                                pool_total, ORBIT_POOL_NUMBER_LIMIT);
    return ORBIT_OK;
}

orbit_err orbit_table_create(orbit_table *t, const orbit_range *r, orbit_status *st)
{
    orbit_err e = check_against(t, r, NULL, st);
    if (e != ORBIT_OK)
        return e;
    if (!reserve(t, t->n + 1))
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    t->rows[t->n++] = *r;
    if (!reindex(t)) {
        t->n--;
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    }
    return ORBIT_OK;
}

orbit_err orbit_table_update(orbit_table *t, const char *identity, const orbit_range_patch *patch,
                             orbit_in_use_fn in_use, void *ctx, orbit_range *out, orbit_status *st)
{
    ptrdiff_t i = identity ? find_index(t, identity) : -1;
    if (i < 0)
        return orbit_status_set(st, ORBIT_ERR_NOT_FOUND, "identity", "no range named '%s'",
                                identity ? identity : "");
    orbit_range cand = t->rows[i];
    if (patch->start || patch->end) {
        char s[ORBIT_NUMBER_BUF], e[ORBIT_NUMBER_BUF];
        const char *start =
            patch->start ? patch->start : orbit_number_format(&cand.start, s, sizeof s);
        const char *end = patch->end ? patch->end : orbit_number_format(&cand.end, e, sizeof e);
        orbit_err err = orbit_range_set_numbers(&cand, start, end, st);
        if (err != ORBIT_OK)
            return err;
    }
    if (patch->pool) {
        if (strlen(patch->pool) > ORBIT_FQDN_MAX)
            return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "pool",
                                    "a pool FQDN has at most 253 characters");
        snprintf(cand.pool, sizeof cand.pool, "%s", patch->pool);
    }
    if (patch->has_type && patch->type != cand.type) {
        uint32_t used = in_use ? in_use(ctx, &t->rows[i]) : 0;
        if (used > 0 && !patch->force)
            return orbit_status_set(st, ORBIT_ERR_IN_USE, "type",
                                    "%u numbers of '%s' are in use; change its type with force",
                                    used, cand.identity);
        cand.type = patch->type;
    }
    orbit_err err = check_against(t, &cand, t->rows[i].identity, st);
    if (err != ORBIT_OK)
        return err;
    t->rows[i] = cand;
    if (!reindex(t))
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    if (out)
        *out = cand;
    return ORBIT_OK;
}

orbit_err orbit_table_delete(orbit_table *t, const char *identity, bool force,
                             orbit_in_use_fn in_use, void *ctx, orbit_status *st)
{
    ptrdiff_t i = identity ? find_index(t, identity) : -1;
    if (i < 0)
        return orbit_status_set(st, ORBIT_ERR_NOT_FOUND, "identity", "no range named '%s'",
                                identity ? identity : "");
    uint32_t used = in_use ? in_use(ctx, &t->rows[i]) : 0;
    if (used > 0 && !force)
        return orbit_status_set(st, ORBIT_ERR_IN_USE, "identity",
                                "%u numbers of '%s' are in use; delete it with force", used,
                                t->rows[i].identity);
    memmove(&t->rows[i], &t->rows[i + 1], (t->n - (size_t)i - 1) * sizeof *t->rows);
    t->n--;
    if (!reindex(t))
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    return ORBIT_OK;
}

orbit_err orbit_table_reassign(orbit_table *t, const char *from_pool, const char *to_pool,
                               const orbit_type *only, size_t *moved, orbit_status *st)
{
    const char *why = orbit_fqdn_check(from_pool);
    if (why)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "from_pool", "%s", why);
    why = orbit_fqdn_check(to_pool);
    if (why)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "to_pool", "%s", why);
    if (strcmp(from_pool, to_pool) == 0)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "to_pool",
                                "from_pool and to_pool are the same pool");
    uint32_t moving = orbit_table_pool_total(t, from_pool, only);
    uint32_t target = orbit_table_pool_total(t, to_pool, NULL) + moving;
    if (moving > 0 && target >= ORBIT_POOL_NUMBER_LIMIT)
        return orbit_status_set(st, ORBIT_ERR_LIMIT_EXCEEDED, "to_pool",
                                "pool %s would own %u numbers; a pool owns fewer than %u", to_pool,
                                target, ORBIT_POOL_NUMBER_LIMIT);
    size_t count = 0;
    for (size_t i = 0; i < t->n; i++) {
        orbit_range *r = &t->rows[i];
        if (strcmp(r->pool, from_pool) == 0 && (!only || r->type == *only)) {
            snprintf(r->pool, sizeof r->pool, "%s", to_pool);
            count++;
        }
    }
    if (moved)
        *moved = count;
    return ORBIT_OK;
}

orbit_err orbit_table_load(orbit_table *t, const orbit_range *ranges, size_t n, orbit_status *st)
{
    orbit_table *fresh = orbit_table_new();
    if (!fresh)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    for (size_t i = 0; i < n; i++) {
        orbit_err e = orbit_table_create(fresh, &ranges[i], st);
        if (e != ORBIT_OK) {
            orbit_table_free(fresh);
            return e;
        }
    }
    /* Swap contents so the caller's pointer stays valid. */
    orbit_table tmp = *t;
    *t = *fresh;
    *fresh = tmp;
    orbit_table_free(fresh);
    return ORBIT_OK;
}
