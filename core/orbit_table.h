/* orbit_table: the deployment's global orbit table with every rule that
 * spans ranges: unique identity, no overlap across types and pools, the
 * per-pool number limit, guarded type changes, bulk reassignment, and the
 * owner of a number in O(log n). Every single-range change is checked and
 * applied in O(log n) plus a memmove of pointers. Pointers returned stay
 * valid until that range is deleted or the table is loaded again. */
#ifndef ORBIT_TABLE_H
#define ORBIT_TABLE_H

#include "orbit_range.h"

#include <stddef.h>

typedef struct orbit_table orbit_table;

/* How many numbers of r are in use (parked calls, pickup groups with
 * members). Supplied by whoever knows: the call engine, the user list. */
typedef uint32_t (*orbit_in_use_fn)(void *ctx, const orbit_range *r);

/* The changes of orbit.update; NULL / false leaves a field as it is. */
typedef struct {
    const char *start;
    const char *end;
    const char *pool;
    bool has_type;
    orbit_type type;
    bool force; /* allow a type change while numbers are in use */
} orbit_range_patch;

/* NULL when out of memory. */
orbit_table *orbit_table_new(void);
void orbit_table_free(orbit_table *t);

/* A deep copy, so a change can be tried and thrown away; NULL on OOM. */
orbit_table *orbit_table_clone(const orbit_table *t);

size_t orbit_table_count(const orbit_table *t);

/* The i-th range in identity order (case-insensitive). */
const orbit_range *orbit_table_at(const orbit_table *t, size_t i);

/* Looks a range up by identity (case-insensitive); NULL when absent. */
const orbit_range *orbit_table_find(const orbit_table *t, const char *identity);

/* The range holding n, or NULL: a binary search over ranges sorted by number. */
const orbit_range *orbit_table_owner_of(const orbit_table *t, const orbit_number *n);

/* Numbers owned by pool over all its ranges; with only != NULL, of that type. */
uint32_t orbit_table_pool_total(const orbit_table *t, const char *pool, const orbit_type *only);

/* Copies the ranges of pool (of type *only when non-NULL) into out[0..max)
 * in identity order and returns how many match (may exceed max). */
size_t orbit_table_select(const orbit_table *t, const char *pool, const orbit_type *only,
                          orbit_range *out, size_t max);

/* Adds a range after checking every rule. */
orbit_err orbit_table_create(orbit_table *t, const orbit_range *r, orbit_status *st);

/* The checks of create, update, delete and reassign without the change:
 * an operator's request is judged against the table it was made at, and
 * the change itself lands once the store has committed it. update's
 * resulting row goes to *out; reassign's count of ranges to *moving. */
orbit_err orbit_table_check_create(const orbit_table *t, const orbit_range *r, orbit_status *st);
orbit_err orbit_table_check_update(const orbit_table *t, const char *identity,
                                   const orbit_range_patch *patch, orbit_in_use_fn in_use,
                                   void *ctx, orbit_range *out, orbit_status *st);
orbit_err orbit_table_check_delete(const orbit_table *t, const char *identity, bool force,
                                   orbit_in_use_fn in_use, void *ctx, orbit_status *st);
orbit_err orbit_table_check_reassign(const orbit_table *t, const char *from_pool,
                                     const char *to_pool, const orbit_type *only, size_t *moving,
                                     orbit_status *st);

/* Creates r, or replaces the row of the same identity by r, after every
 * rule (applying a row committed elsewhere, whatever it was before). */
orbit_err orbit_table_put(orbit_table *t, const orbit_range *r, orbit_status *st);

/* Changes a range (identity never changes). A type change is refused with
 * in_use while in_use() reports numbers in use, unless patch->force.
 * in_use may be NULL (nothing in use). The new row goes to *out if non-NULL. */
orbit_err orbit_table_update(orbit_table *t, const char *identity, const orbit_range_patch *patch,
                             orbit_in_use_fn in_use, void *ctx, orbit_range *out, orbit_status *st);

/* Removes a range; refused with in_use while numbers are in use unless force. */
orbit_err orbit_table_delete(orbit_table *t, const char *identity, bool force,
                             orbit_in_use_fn in_use, void *ctx, orbit_status *st);

/* Moves every range of from_pool (of type *only when non-NULL) to to_pool,
 * all or nothing. *moved receives how many ranges changed owner. */
orbit_err orbit_table_reassign(orbit_table *t, const char *from_pool, const char *to_pool,
                               const orbit_type *only, size_t *moved, orbit_status *st);

/* Replaces the whole content (loading from a store), checking every rule
 * as if the ranges were created one by one. On failure t is unchanged. */
orbit_err orbit_table_load(orbit_table *t, const orbit_range *ranges, size_t n, orbit_status *st);

#endif
