/* orbit_number: the orbit number format rules. */
#include "orbit_number.h"

#include <stdio.h>

/* With a prefix the digits must exceed this value (Lync: "greater than 100"). */
#define ORBIT_PREFIXED_MIN_EXCLUSIVE 100u

orbit_number_status orbit_number_parse(const char *s, orbit_number *out)
{
    if (!s || !*s)
        return ORBIT_NUMBER_EMPTY;
    orbit_number n = {0};
    const char *p = s;
    if (*p == '*' || *p == '#')
        n.prefix = *p++;
    size_t total = (size_t)(p - s);
    uint32_t value = 0;
    uint8_t digits = 0;
    for (; *p; p++) {
        if (++total > ORBIT_NUMBER_MAX_CHARS)
            return ORBIT_NUMBER_TOO_LONG;
        if (*p < '0' || *p > '9')
            return ORBIT_NUMBER_BAD_CHAR;
        if (digits == 0 && *p == '0')
            return ORBIT_NUMBER_LEADING_ZERO;
        value = value * 10u + (uint32_t)(*p - '0');
        digits++;
    }
    if (digits == 0)
        return ORBIT_NUMBER_NO_DIGITS;
    if (n.prefix && value <= ORBIT_PREFIXED_MIN_EXCLUSIVE)
        return ORBIT_NUMBER_PREFIX_TOO_SMALL;
    n.digits = digits;
    n.value = value;
    if (out)
        *out = n;
    return ORBIT_NUMBER_OK;
}

bool orbit_number_is_valid(const orbit_number *n)
{
    char buf[16];
    orbit_number back;
    if (n->prefix && n->prefix != '*' && n->prefix != '#')
        return false;
    orbit_number_format(n, buf, sizeof buf);
    if (orbit_number_parse(buf, &back) != ORBIT_NUMBER_OK)
        return false;
    return back.prefix == n->prefix && back.digits == n->digits && back.value == n->value;
}

const char *orbit_number_status_message(orbit_number_status st)
{
    switch (st) {
    case ORBIT_NUMBER_OK:
        return "valid";
    case ORBIT_NUMBER_EMPTY:
        return "an orbit number is required";
    case ORBIT_NUMBER_TOO_LONG:
        return "an orbit number has at most 9 characters";
    case ORBIT_NUMBER_BAD_CHAR:
        return "an orbit number is digits with an optional leading * or #";
    case ORBIT_NUMBER_NO_DIGITS:
        return "a prefix must be followed by digits";
    case ORBIT_NUMBER_LEADING_ZERO:
        return "an orbit number cannot start with 0";
    case ORBIT_NUMBER_PREFIX_TOO_SMALL:
        return "after a * or # prefix the number must be greater than 100";
    }
    return "invalid orbit number";
}

/* Without snprintf: the client mirror formats an orbit for every parked
 * call it loads or changes (its maps key on the text), and snprintf was
 * a tenth of that work. */
char *orbit_number_format(const orbit_number *n, char *buf, size_t len)
{
    char digits[16];
    size_t nd = 0;
    uint32_t v = n->value;
    do {
        digits[nd++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    size_t at = 0;
    if (n->prefix && at + 1 < len)
        buf[at++] = n->prefix;
    while (nd && at + 1 < len)
        buf[at++] = digits[--nd];
    if (len)
        buf[at] = '\0';
    return buf;
}

static int prefix_rank(char prefix)
{
    switch (prefix) {
    case '#':
        return 1;
    case '*':
        return 2;
    default:
        return 0;
    }
}

int orbit_number_compare(const orbit_number *a, const orbit_number *b)
{
    int pa = prefix_rank(a->prefix), pb = prefix_rank(b->prefix);
    if (pa != pb)
        return pa < pb ? -1 : 1;
    if (a->value != b->value)
        return a->value < b->value ? -1 : 1;
    return 0;
}

bool orbit_number_same_shape(const orbit_number *a, const orbit_number *b)
{
    return a->prefix == b->prefix && a->digits == b->digits;
}

orbit_number orbit_number_with_value(const orbit_number *a, uint32_t value)
{
    orbit_number n = *a;
    n.value = value;
    return n;
}
