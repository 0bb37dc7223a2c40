/* orbit_number: parsing, validation, formatting and ordering of orbit
 * numbers ("*1000", "#6000", "41212").
 *
 * Format (domain.md, after Lync's ^([*#]?[1-9]\d{0,7})$|^([1-9]\d{0,8})$):
 * an optional '*' or '#', then a digit 1-9, then digits; at most 9
 * characters in all; with a prefix the number after it must exceed 100.
 * Because a leading zero is never allowed, the prefix and the numeric value
 * identify the string uniquely, so (prefix, value) is the number's key. */
#ifndef ORBIT_NUMBER_H
#define ORBIT_NUMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ORBIT_NUMBER_MAX_CHARS 9
/* Buffer size that holds any formatted number and its terminator. */
#define ORBIT_NUMBER_BUF (ORBIT_NUMBER_MAX_CHARS + 1)

typedef struct {
    char prefix;    /* '\0', '*' or '#' */
    uint8_t digits; /* count of digits after the prefix */
    uint32_t value; /* numeric value of the digits */
} orbit_number;

typedef enum {
    ORBIT_NUMBER_OK = 0,
    ORBIT_NUMBER_EMPTY,
    ORBIT_NUMBER_TOO_LONG,
    ORBIT_NUMBER_BAD_CHAR,
    ORBIT_NUMBER_NO_DIGITS,
    ORBIT_NUMBER_LEADING_ZERO,
    ORBIT_NUMBER_PREFIX_TOO_SMALL,
} orbit_number_status;

/* Parses and validates s. On success fills *out (when non-NULL). */
orbit_number_status orbit_number_parse(const char *s, orbit_number *out);

/* True when n is what parsing its own text would give (used to check
 * numbers that did not come from text, such as rows read from a store). */
bool orbit_number_is_valid(const orbit_number *n);

/* A sentence explaining a parse status, for error messages. */
const char *orbit_number_status_message(orbit_number_status st);

/* Writes the canonical text into buf (at least ORBIT_NUMBER_BUF bytes).
 * Returns buf. */
char *orbit_number_format(const orbit_number *n, char *buf, size_t len);

/* Total ordering: by prefix (none, '#', '*'), then by value. */
int orbit_number_compare(const orbit_number *a, const orbit_number *b);

/* True when both numbers have the same prefix and the same length, the
 * condition for being the two ends of one range. */
bool orbit_number_same_shape(const orbit_number *a, const orbit_number *b);

/* Builds the number with a's prefix and the given value (same shape is the
 * caller's concern: used to walk inside a validated range). */
orbit_number orbit_number_with_value(const orbit_number *a, uint32_t value);

#endif
