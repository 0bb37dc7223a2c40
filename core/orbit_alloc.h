/* orbit_alloc: the free orbits of one pool's CallPark ranges, from which a
 * park takes a random one in O(1) whatever the occupancy: the free numbers
 * sit in a dense array (pick a random index, swap with the last), and each
 * number knows its position in it, so taking or releasing a given number is
 * O(log r) for r ranges. A range joins or leaves in O(its size), so a
 * change to one range never walks the pool's other numbers. */
#ifndef ORBIT_ALLOC_H
#define ORBIT_ALLOC_H

#include "orbit_range.h"
#include "orbit_rng.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct orbit_alloc orbit_alloc;

/* True when the number is taken (a call is parked on it). */
typedef bool (*orbit_alloc_used_fn)(void *ctx, const orbit_number *n);

orbit_alloc *orbit_alloc_new(void);
void orbit_alloc_free(orbit_alloc *a);

/* Rebuilds from ranges[0..n) (the caller passes the pool's CallPark
 * ranges; they must not overlap). Numbers for which used() is true start
 * taken; used may be NULL. Returns false on OOM (a left unchanged). */
bool orbit_alloc_build(orbit_alloc *a, const orbit_range *ranges, size_t n,
                       orbit_alloc_used_fn used, void *ctx);

/* Adds one range (it must not overlap one already held); its numbers for
 * which used() is true start taken. False on OOM or overlap, a unchanged. */
bool orbit_alloc_add_range(orbit_alloc *a, const orbit_range *r, orbit_alloc_used_fn used,
                           void *ctx);

/* Removes the range with r's start and end; its numbers are no longer
 * handed out (a taken one simply stops existing here). False when no such
 * range is held. */
bool orbit_alloc_remove_range(orbit_alloc *a, const orbit_range *r);

/* Takes a uniformly random free number; false when none is free. */
bool orbit_alloc_take_random(orbit_alloc *a, orbit_rng *rng, orbit_number *out);

/* Takes a given number; false if it is outside the ranges or already taken. */
bool orbit_alloc_take(orbit_alloc *a, const orbit_number *n);

/* Frees a number; false if it is outside the ranges or already free. */
bool orbit_alloc_release(orbit_alloc *a, const orbit_number *n);

/* True when n lies inside one of the ranges. */
bool orbit_alloc_covers(const orbit_alloc *a, const orbit_number *n);

uint32_t orbit_alloc_free_count(const orbit_alloc *a);

/* Numbers taken in the held range with r's start and end (0 when no such
 * range is held): O(log r), kept as numbers are taken and released. */
uint32_t orbit_alloc_taken_in(const orbit_alloc *a, const orbit_range *r);
uint32_t orbit_alloc_capacity(const orbit_alloc *a);

#endif
