/* orbit_error: protocol error names and the status record. */
#include "orbit_error.h"

#include "orbit_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const ORBIT_ERR_NAMES[ORBIT_ERR_COUNT] = {
    [ORBIT_OK] = "ok",
    [ORBIT_ERR_BAD_REQUEST] = "bad_request",
    [ORBIT_ERR_UNAUTHORIZED] = "unauthorized",
    [ORBIT_ERR_FORBIDDEN] = "forbidden",
    [ORBIT_ERR_NOT_FOUND] = "not_found",
    [ORBIT_ERR_CONFLICT] = "conflict",
    [ORBIT_ERR_INVALID_RANGE] = "invalid_range",
    [ORBIT_ERR_OVERLAP] = "overlap",
    [ORBIT_ERR_LIMIT_EXCEEDED] = "limit_exceeded",
    [ORBIT_ERR_IN_USE] = "in_use",
    [ORBIT_ERR_NO_FREE_ORBIT] = "no_free_orbit",
    [ORBIT_ERR_RESILIENCY_MODE] = "resiliency_mode",
    [ORBIT_ERR_PICKUP_UNAVAILABLE] = "pickup_unavailable",
    [ORBIT_ERR_NOT_SERVED_HERE] = "not_served_here",
    [ORBIT_ERR_WRONG_POOL] = "wrong_pool",
    [ORBIT_ERR_POOL_UNREACHABLE] = "pool_unreachable",
    [ORBIT_ERR_TOO_LARGE] = "too_large",
    [ORBIT_ERR_UNSUPPORTED_MEDIA] = "unsupported_media",
    [ORBIT_ERR_RATE_LIMITED] = "rate_limited",
    [ORBIT_ERR_UNAVAILABLE] = "unavailable",
    [ORBIT_ERR_INTERNAL] = "internal",
};

const char *orbit_err_name(orbit_err code)
{
    if ((unsigned)code >= ORBIT_ERR_COUNT)
        return "internal";
    return ORBIT_ERR_NAMES[code];
}

bool orbit_err_from_name(const char *name, orbit_err *out)
{
    if (!name)
        return false;
    for (int i = 0; i < ORBIT_ERR_COUNT; i++) {
        if (strcmp(ORBIT_ERR_NAMES[i], name) == 0) {
            *out = (orbit_err)i;
            return true;
        }
    }
    return false;
}

void orbit_status_clear(orbit_status *st)
{
    if (!st)
        return;
    st->code = ORBIT_OK;
    st->field[0] = '\0';
    st->message[0] = '\0';
}

/* A status becomes JSON (frames, HTTP bodies, the audit log), which must
 * be UTF-8: text quoted from the input (a JSON parser's "near '...'", a
 * header, a key cut at the buffer's end) may not be, so it is repaired. */
orbit_err orbit_status_set(orbit_status *st, orbit_err code, const char *field, const char *fmt,
                           ...)
{
    if (!st)
        return code;
    st->code = code;
    snprintf(st->field, sizeof st->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->message, sizeof st->message, fmt, ap);
    va_end(ap);
    orbit_text_repair_utf8(st->field);
    orbit_text_repair_utf8(st->message);
    return code;
}
