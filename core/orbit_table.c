/* orbit_table: rules across ranges and the number index.
 *
 * Ranges are held by pointer in two sorted indexes (by identity, by start
 * number) and each pool's totals are kept per type, so every rule of a
 * change is checked in O(log n): identity uniqueness is a binary search,
 * overlap needs only the two neighbours by start (ranges never overlap, so
 * a new range overlaps some range only if it overlaps one of them), and
 * the per-pool limit reads a running total. A change then costs a memmove
 * of pointers, never a re-sort, so a table of 50,000 ranges changes as
 * cheaply as one of 200. Loading sorts once, in O(n log n). */
#include "orbit_table.h"

#include "orbit_map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Numbers a pool owns, per type. */
typedef struct {
    uint32_t total[ORBIT_TYPE_COUNT];
} pool_totals;

struct orbit_table {
    orbit_range **by_id;  /* sorted by identity, case-insensitive */
    orbit_range **by_num; /* sorted by (prefix, start) */
    size_t n;
    size_t cap;
    orbit_map *totals; /* pool FQDN -> pool_totals */
};

orbit_table *orbit_table_new(void)
{
    orbit_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->totals = orbit_map_new();
    if (!t->totals) {
        free(t);
        return NULL;
    }
    return t;
}

static void clear_totals(orbit_map *totals)
{
    size_t pos = 0;
    void *v;
    while (orbit_map_next(totals, &pos, NULL, &v))
        free(v);
    orbit_map_clear(totals);
}

void orbit_table_free(orbit_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        free(t->by_id[i]);
    free(t->by_id);
    free(t->by_num);
    if (t->totals)
        clear_totals(t->totals);
    orbit_map_free(t->totals);
    free(t);
}

static bool reserve(orbit_table *t, size_t want)
{
    if (want <= t->cap)
        return true;
    size_t cap = t->cap ? t->cap * 2 : 16;
    while (cap < want)
        cap *= 2;
    orbit_range **id = realloc(t->by_id, cap * sizeof *id);
    if (!id)
        return false;
    t->by_id = id;
    orbit_range **num = realloc(t->by_num, cap * sizeof *num);
    if (!num)
        return false;
    t->by_num = num;
    t->cap = cap;
    return true;
}

/* ---- pool totals ---- */

static pool_totals *totals_of(const orbit_table *t, const char *pool)
{
    return orbit_map_get(t->totals, pool);
}

static bool totals_add(orbit_table *t, const orbit_range *r)
{
    pool_totals *pt = totals_of(t, r->pool);
    if (!pt) {
        pt = calloc(1, sizeof *pt);
        if (!pt || !orbit_map_put(t->totals, r->pool, pt)) {
            free(pt);
            return false;
        }
    }
    pt->total[r->type] += orbit_range_size(r);
    return true;
}

static void totals_remove(orbit_table *t, const orbit_range *r)
{
    pool_totals *pt = totals_of(t, r->pool);
    if (!pt)
        return;
    pt->total[r->type] -= orbit_range_size(r);
    if (pt->total[ORBIT_TYPE_CALLPARK] == 0 && pt->total[ORBIT_TYPE_GROUPPICKUP] == 0)
        free(orbit_map_remove(t->totals, r->pool));
}

uint32_t orbit_table_pool_total(const orbit_table *t, const char *pool, const orbit_type *only)
{
    const pool_totals *pt = totals_of(t, pool);
    if (!pt)
        return 0;
    if (only)
        return (unsigned)*only < ORBIT_TYPE_COUNT ? pt->total[*only] : 0;
    return pt->total[ORBIT_TYPE_CALLPARK] + pt->total[ORBIT_TYPE_GROUPPICKUP];
}

/* ---- indexes ---- */

/* Position of the first entry of by_id not below identity. */
static size_t id_lower_bound(const orbit_table *t, const char *identity)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcasecmp(t->by_id[mid]->identity, identity) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static ptrdiff_t find_index(const orbit_table *t, const char *identity)
{
    size_t i = id_lower_bound(t, identity);
    return i < t->n && strcasecmp(t->by_id[i]->identity, identity) == 0 ? (ptrdiff_t)i : -1;
}

/* Position of the first of by_num[0..len) whose start is above n. */
static size_t num_upper_bound_in(const orbit_table *t, size_t len, const orbit_number *n)
{
    size_t lo = 0, hi = len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (orbit_number_compare(&t->by_num[mid]->start, n) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static size_t num_upper_bound(const orbit_table *t, const orbit_number *n)
{
    return num_upper_bound_in(t, t->n, n);
}

static size_t num_index_of(const orbit_table *t, const orbit_range *r)
{
    size_t i = num_upper_bound(t, &r->start);
    while (i > 0 && t->by_num[i - 1] != r)
        i--; /* starts are unique, so this steps back once */
    return i - 1;
}

static void array_insert(orbit_range **a, size_t n, size_t at, orbit_range *r)
{
    memmove(&a[at + 1], &a[at], (n - at) * sizeof *a);
    a[at] = r;
}

static void array_remove(orbit_range **a, size_t n, size_t at)
{
    memmove(&a[at], &a[at + 1], (n - at - 1) * sizeof *a);
}

size_t orbit_table_count(const orbit_table *t)
{
    return t->n;
}

const orbit_range *orbit_table_at(const orbit_table *t, size_t i)
{
    return i < t->n ? t->by_id[i] : NULL;
}

const orbit_range *orbit_table_find(const orbit_table *t, const char *identity)
{
    if (!identity)
        return NULL;
    ptrdiff_t i = find_index(t, identity);
    return i < 0 ? NULL : t->by_id[i];
}

const orbit_range *orbit_table_owner_of(const orbit_table *t, const orbit_number *n)
{
    /* The last range whose start <= n is the only one that can hold n. */
    size_t i = num_upper_bound(t, n);
    if (i == 0)
        return NULL;
    const orbit_range *r = t->by_num[i - 1];
    return orbit_range_contains(r, n) ? r : NULL;
}

size_t orbit_table_select(const orbit_table *t, const char *pool, const orbit_type *only,
                          orbit_range *out, size_t max)
{
    size_t count = 0;
    for (size_t i = 0; i < t->n; i++) {
        const orbit_range *r = t->by_id[i];
        if (strcmp(r->pool, pool) != 0 || (only && r->type != *only))
            continue;
        if (count < max)
            out[count] = *r;
        count++;
    }
    return count;
}

/* ---- rules ---- */

static orbit_err overlap_error(const orbit_range *o, orbit_status *st)
{
    char a[ORBIT_NUMBER_BUF], b[ORBIT_NUMBER_BUF];
    return orbit_status_set(st, ORBIT_ERR_OVERLAP, "start", "overlaps range '%s' (%s..%s, %s, %s)",
                            o->identity, orbit_number_format(&o->start, a, sizeof a),
                            orbit_number_format(&o->end, b, sizeof b), orbit_type_name(o->type),
                            o->pool);
}

/* Every rule a candidate row must meet against the other rows. self is
 * the row the candidate replaces (update), or NULL (create). */
static orbit_err check_against(const orbit_table *t, const orbit_range *r, const orbit_range *self,
                               orbit_status *st)
{
    orbit_err e = orbit_range_check(r, st);
    if (e != ORBIT_OK)
        return e;
    const orbit_range *same = orbit_table_find(t, r->identity);
    if (same && same != self)
        return orbit_status_set(st, ORBIT_ERR_CONFLICT, "identity",
                                "a range named '%s' already exists", same->identity);
    /* Neighbours by start, skipping the row being replaced. */
    size_t i = num_upper_bound(t, &r->start);
    for (size_t k = i; k > 0; k--) {
        const orbit_range *before = t->by_num[k - 1];
        if (before == self)
            continue;
        if (orbit_range_overlaps(before, r))
            return overlap_error(before, st);
        break;
    }
    for (size_t k = i; k < t->n; k++) {
        const orbit_range *after = t->by_num[k];
        if (after == self)
            continue;
        if (orbit_range_overlaps(after, r))
            return overlap_error(after, st);
        break;
    }
    uint32_t pool_total = orbit_table_pool_total(t, r->pool, NULL) + orbit_range_size(r);
    if (self && strcmp(self->pool, r->pool) == 0)
        pool_total -= orbit_range_size(self);
    if (pool_total >= ORBIT_POOL_NUMBER_LIMIT)
        return orbit_status_set(st, ORBIT_ERR_LIMIT_EXCEEDED, "pool",
                                "pool %s would own %u numbers; a pool owns fewer than %u", r->pool,
                                pool_total, ORBIT_POOL_NUMBER_LIMIT);
    return ORBIT_OK;
}

orbit_err orbit_table_check_create(const orbit_table *t, const orbit_range *r, orbit_status *st)
{
    return check_against(t, r, NULL, st);
}

/* Adds a row already checked. */
static orbit_err insert(orbit_table *t, const orbit_range *r, orbit_status *st)
{
    orbit_range *copy = malloc(sizeof *copy);
    if (!copy || !reserve(t, t->n + 1) || !totals_add(t, r)) {
        free(copy);
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    }
    *copy = *r;
    array_insert(t->by_id, t->n, id_lower_bound(t, r->identity), copy);
    array_insert(t->by_num, t->n, num_upper_bound(t, &r->start), copy);
    t->n++;
    return ORBIT_OK;
}

orbit_err orbit_table_create(orbit_table *t, const orbit_range *r, orbit_status *st)
{
    orbit_err e = check_against(t, r, NULL, st);
    return e != ORBIT_OK ? e : insert(t, r, st);
}

orbit_err orbit_table_check_update(const orbit_table *t, const char *identity,
                                   const orbit_range_patch *patch, orbit_in_use_fn in_use,
                                   void *ctx, orbit_range *out, orbit_status *st)
{
    const orbit_range *old = identity ? orbit_table_find(t, identity) : NULL;
    if (!old)
        return orbit_status_set(st, ORBIT_ERR_NOT_FOUND, "identity", "no range named '%s'",
                                identity ? identity : "");
    orbit_range cand = *old;
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
        uint32_t used = in_use ? in_use(ctx, old) : 0;
        if (used > 0 && !patch->force)
            return orbit_status_set(st, ORBIT_ERR_IN_USE, "type",
                                    "%u numbers of '%s' are in use; change its type with force",
                                    used, cand.identity);
        cand.type = patch->type;
    }
    orbit_err err = check_against(t, &cand, old, st);
    if (err != ORBIT_OK)
        return err;
    if (out)
        *out = cand;
    return ORBIT_OK;
}

/* Replaces a row in place by a checked candidate with the same identity
 * (so its place in by_id holds; its place by number may move). */
static orbit_err replace(orbit_table *t, orbit_range *row, const orbit_range *cand,
                         orbit_status *st)
{
    if (!totals_add(t, cand))
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    totals_remove(t, row);
    array_remove(t->by_num, t->n, num_index_of(t, row));
    *row = *cand;
    array_insert(t->by_num, t->n - 1, num_upper_bound_in(t, t->n - 1, &row->start), row);
    return ORBIT_OK;
}

orbit_err orbit_table_update(orbit_table *t, const char *identity, const orbit_range_patch *patch,
                             orbit_in_use_fn in_use, void *ctx, orbit_range *out, orbit_status *st)
{
    orbit_range cand;
    orbit_err e = orbit_table_check_update(t, identity, patch, in_use, ctx, &cand, st);
    if (e != ORBIT_OK)
        return e;
    e = replace(t, t->by_id[find_index(t, identity)], &cand, st);
    if (e == ORBIT_OK && out)
        *out = cand;
    return e;
}

orbit_err orbit_table_put(orbit_table *t, const orbit_range *r, orbit_status *st)
{
    ptrdiff_t i = find_index(t, r->identity);
    if (i < 0)
        return orbit_table_create(t, r, st);
    orbit_range *row = t->by_id[i];
    /* The identity keeps its first spelling, as it never changes. */
    orbit_range cand = *r;
    memcpy(cand.identity, row->identity, sizeof cand.identity);
    orbit_err e = check_against(t, &cand, row, st);
    return e != ORBIT_OK ? e : replace(t, row, &cand, st);
}

orbit_err orbit_table_check_delete(const orbit_table *t, const char *identity, bool force,
                                   orbit_in_use_fn in_use, void *ctx, orbit_status *st)
{
    const orbit_range *row = identity ? orbit_table_find(t, identity) : NULL;
    if (!row)
        return orbit_status_set(st, ORBIT_ERR_NOT_FOUND, "identity", "no range named '%s'",
                                identity ? identity : "");
    uint32_t used = in_use ? in_use(ctx, row) : 0;
    if (used > 0 && !force)
        return orbit_status_set(st, ORBIT_ERR_IN_USE, "identity",
                                "%u numbers of '%s' are in use; delete it with force", used,
                                row->identity);
    return ORBIT_OK;
}

orbit_err orbit_table_delete(orbit_table *t, const char *identity, bool force,
                             orbit_in_use_fn in_use, void *ctx, orbit_status *st)
{
    orbit_err e = orbit_table_check_delete(t, identity, force, in_use, ctx, st);
    if (e != ORBIT_OK)
        return e;
    size_t i = (size_t)find_index(t, identity);
    orbit_range *row = t->by_id[i];
    array_remove(t->by_num, t->n, num_index_of(t, row));
    array_remove(t->by_id, t->n, i);
    t->n--;
    totals_remove(t, row);
    free(row);
    return ORBIT_OK;
}

orbit_err orbit_table_check_reassign(const orbit_table *t, const char *from_pool,
                                     const char *to_pool, const orbit_type *only, size_t *moving,
                                     orbit_status *st)
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
    uint32_t numbers = orbit_table_pool_total(t, from_pool, only);
    uint32_t target = orbit_table_pool_total(t, to_pool, NULL) + numbers;
    if (numbers > 0 && target >= ORBIT_POOL_NUMBER_LIMIT)
        return orbit_status_set(st, ORBIT_ERR_LIMIT_EXCEEDED, "to_pool",
                                "pool %s would own %u numbers; a pool owns fewer than %u", to_pool,
                                target, ORBIT_POOL_NUMBER_LIMIT);
    if (moving) {
        size_t count = 0;
        for (size_t i = 0; i < t->n; i++) {
            const orbit_range *r = t->by_id[i];
            count += strcmp(r->pool, from_pool) == 0 && (!only || r->type == *only);
        }
        *moving = count;
    }
    return ORBIT_OK;
}

orbit_err orbit_table_reassign(orbit_table *t, const char *from_pool, const char *to_pool,
                               const orbit_type *only, size_t *moved, orbit_status *st)
{
    orbit_err e = orbit_table_check_reassign(t, from_pool, to_pool, only, NULL, st);
    if (e != ORBIT_OK)
        return e;
    size_t count = 0;
    for (size_t i = 0; i < t->n; i++) {
        orbit_range *r = t->by_id[i];
        if (strcmp(r->pool, from_pool) != 0 || (only && r->type != *only))
            continue;
        orbit_range cand = *r;
        snprintf(cand.pool, sizeof cand.pool, "%s", to_pool);
        if ((e = replace(t, r, &cand, st)) != ORBIT_OK)
            return e;
        count++;
    }
    if (moved)
        *moved = count;
    return ORBIT_OK;
}

/* ---- whole tables ---- */

static int cmp_by_identity(const void *a, const void *b)
{
    return strcasecmp((*(orbit_range *const *)a)->identity, (*(orbit_range *const *)b)->identity);
}

static int cmp_by_start(const void *a, const void *b)
{
    return orbit_number_compare(&(*(orbit_range *const *)a)->start,
                                &(*(orbit_range *const *)b)->start);
}

/* Builds a fresh table from rows, checking every rule once on the sorted
 * indexes: a duplicate identity or an overlap sits next to its twin. */
static orbit_err build(orbit_table *fresh, const orbit_range *rows, size_t n, orbit_status *st)
{
    if (!reserve(fresh, n ? n : 1))
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    for (size_t i = 0; i < n; i++) {
        orbit_err e = orbit_range_check(&rows[i], st);
        if (e != ORBIT_OK)
            return e;
        orbit_range *copy = malloc(sizeof *copy);
        if (!copy)
            return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
        *copy = rows[i];
        fresh->by_id[fresh->n] = copy;
        fresh->by_num[fresh->n] = copy;
        fresh->n++;
        if (!totals_add(fresh, copy))
            return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    }
    qsort(fresh->by_id, n, sizeof *fresh->by_id, cmp_by_identity);
    qsort(fresh->by_num, n, sizeof *fresh->by_num, cmp_by_start);
    for (size_t i = 1; i < n; i++) {
        if (strcasecmp(fresh->by_id[i - 1]->identity, fresh->by_id[i]->identity) == 0)
            return orbit_status_set(st, ORBIT_ERR_CONFLICT, "identity",
                                    "a range named '%s' already exists",
                                    fresh->by_id[i - 1]->identity);
        if (orbit_range_overlaps(fresh->by_num[i - 1], fresh->by_num[i])) {
            return overlap_error(fresh->by_num[i - 1], st);
        }
    }
    size_t pos = 0;
    const char *pool;
    void *v;
    while (orbit_map_next(fresh->totals, &pos, &pool, &v)) {
        const pool_totals *pt = v;
        uint32_t total = pt->total[ORBIT_TYPE_CALLPARK] + pt->total[ORBIT_TYPE_GROUPPICKUP];
        if (total >= ORBIT_POOL_NUMBER_LIMIT)
            return orbit_status_set(st, ORBIT_ERR_LIMIT_EXCEEDED, "pool",
                                    "pool %s would own %u numbers; a pool owns fewer than %u", pool,
                                    total, ORBIT_POOL_NUMBER_LIMIT);
    }
    return ORBIT_OK;
}

/* Exchanges the contents of two tables, so callers keep their pointer. */
static void swap_contents(orbit_table *a, orbit_table *b)
{
    orbit_table tmp = *a;
    *a = *b;
    *b = tmp;
}

orbit_err orbit_table_load(orbit_table *t, const orbit_range *ranges, size_t n, orbit_status *st)
{
    orbit_table *fresh = orbit_table_new();
    if (!fresh)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    orbit_err e = build(fresh, ranges, n, st);
    if (e == ORBIT_OK)
        swap_contents(t, fresh);
    orbit_table_free(fresh);
    return e;
}

orbit_table *orbit_table_clone(const orbit_table *t)
{
    orbit_table *c = orbit_table_new();
    orbit_range *rows = malloc((t->n ? t->n : 1) * sizeof *rows);
    orbit_status st;
    bool ok = c && rows;
    for (size_t i = 0; ok && i < t->n; i++)
        rows[i] = *t->by_id[i];
    if (ok)
        ok = build(c, rows, t->n, &st) == ORBIT_OK;
    free(rows);
    if (!ok) {
        orbit_table_free(c);
        return NULL;
    }
    return c;
}
