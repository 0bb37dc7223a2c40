/* orbit_range: one named row of the orbit table and the rules that apply
 * to a range on its own (numbers, shape, order, size). Rules that involve
 * other ranges live in orbit_table. */
#ifndef ORBIT_RANGE_H
#define ORBIT_RANGE_H

#include "orbit_error.h"
#include "orbit_number.h"
#include "orbit_text.h"

#include <stdbool.h>
#include <stdint.h>

/* At most this many numbers in one range. */
#define ORBIT_RANGE_MAX_SIZE 10000u
/* A pool owns fewer than this many numbers across all its ranges. */
#define ORBIT_POOL_NUMBER_LIMIT 50000u

typedef enum { ORBIT_TYPE_CALLPARK = 0, ORBIT_TYPE_GROUPPICKUP, ORBIT_TYPE_COUNT } orbit_type;

typedef struct {
    char identity[ORBIT_IDENTITY_MAX + 1];
    orbit_number start;
    orbit_number end;
    char pool[ORBIT_FQDN_MAX + 1];
    orbit_type type;
} orbit_range;

/* "CallPark" or "GroupPickup". */
const char *orbit_type_name(orbit_type type);

/* Parses a type name (exact spelling); false when unknown. */
bool orbit_type_from_name(const char *name, orbit_type *out);

/* How many numbers the range holds (end - start + 1); 0 if end < start. */
uint32_t orbit_range_size(const orbit_range *r);

/* True when n lies inside r (same prefix, start <= n <= end). */
bool orbit_range_contains(const orbit_range *r, const orbit_number *n);

/* True when the two ranges share at least one number. Touching ranges
 * (one ends at 199, the next starts at 200) do not overlap. */
bool orbit_range_overlaps(const orbit_range *a, const orbit_range *b);

/* Parses the start and end texts into r, applying every per-range rule:
 * both valid numbers, same length and prefix, start <= end, at most
 * 10,000 numbers. Fails with invalid_range or limit_exceeded. */
orbit_err orbit_range_set_numbers(orbit_range *r, const char *start, const char *end,
                                  orbit_status *st);

/* Checks a filled-in range on its own: identity, pool FQDN, type and the
 * number rules. */
orbit_err orbit_range_check(const orbit_range *r, orbit_status *st);

#endif
