/* orbit_range: per-range rules of the orbit table. */
#include "orbit_range.h"

#include <string.h>

static const char *const ORBIT_TYPE_NAMES[ORBIT_TYPE_COUNT] = {
    [ORBIT_TYPE_CALLPARK] = "CallPark",
    [ORBIT_TYPE_GROUPPICKUP] = "GroupPickup",
};

const char *orbit_type_name(orbit_type type)
{
    if ((unsigned)type >= ORBIT_TYPE_COUNT)
        return "?";
    return ORBIT_TYPE_NAMES[type];
}

bool orbit_type_from_name(const char *name, orbit_type *out)
{
    if (!name)
        return false;
    for (int i = 0; i < ORBIT_TYPE_COUNT; i++) {
        if (strcmp(ORBIT_TYPE_NAMES[i], name) == 0) {
            *out = (orbit_type)i;
            return true;
        }
    }
    return false;
}

uint32_t orbit_range_size(const orbit_range *r)
{
    if (r->end.value < r->start.value)
        return 0;
    return r->end.value - r->start.value + 1u;
}

bool orbit_range_contains(const orbit_range *r, const orbit_number *n)
{
    return n->prefix == r->start.prefix && n->value >= r->start.value && n->value <= r->end.value;
}

bool orbit_range_overlaps(const orbit_range *a, const orbit_range *b)
{
    if (a->start.prefix != b->start.prefix)
        return false;
    return a->start.value <= b->end.value && b->start.value <= a->end.value;
}

static orbit_err check_numbers(const orbit_range *r, orbit_status *st)
{
    if (!orbit_number_same_shape(&r->start, &r->end)) {
        if (r->start.prefix != r->end.prefix)
            return orbit_status_set(st, ORBIT_ERR_INVALID_RANGE, "end",
                                    "start and end must have the same prefix");
        return orbit_status_set(st, ORBIT_ERR_INVALID_RANGE, "end",
                                "start and end must have the same length");
    }
    if (r->start.value > r->end.value)
        return orbit_status_set(st, ORBIT_ERR_INVALID_RANGE, "end",
                                "start must not be greater than end");
    uint32_t size = orbit_range_size(r);
    if (size > ORBIT_RANGE_MAX_SIZE)
        return orbit_status_set(st, ORBIT_ERR_LIMIT_EXCEEDED, "end",
                                "a range holds at most %u numbers (this one has %u)",
                                ORBIT_RANGE_MAX_SIZE, size);
    return ORBIT_OK;
}

orbit_err orbit_range_set_numbers(orbit_range *r, const char *start, const char *end,
                                  orbit_status *st)
{
    orbit_number_status ns = orbit_number_parse(start, &r->start);
    if (ns != ORBIT_NUMBER_OK)
        return orbit_status_set(st, ORBIT_ERR_INVALID_RANGE, "start", "start %s: %s",
                                start ? start : "", orbit_number_status_message(ns));
    ns = orbit_number_parse(end, &r->end);
    if (ns != ORBIT_NUMBER_OK)
        return orbit_status_set(st, ORBIT_ERR_INVALID_RANGE, "end", "end %s: %s", end ? end : "",
                                orbit_number_status_message(ns));
    return check_numbers(r, st);
}

orbit_err orbit_range_check(const orbit_range *r, orbit_status *st)
{
    const char *why = orbit_identity_check(r->identity);
    if (why)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "identity", "%s", why);
    why = orbit_fqdn_check(r->pool);
    if (why)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "pool", "%s", why);
    if ((unsigned)r->type >= ORBIT_TYPE_COUNT)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "type",
                                "type is CallPark or GroupPickup");
    if (!orbit_number_is_valid(&r->start))
        return orbit_status_set(st, ORBIT_ERR_INVALID_RANGE, "start",
                                "start is not a valid orbit number");
    if (!orbit_number_is_valid(&r->end))
        return orbit_status_set(st, ORBIT_ERR_INVALID_RANGE, "end",
                                "end is not a valid orbit number");
    return check_numbers(r, st);
}
