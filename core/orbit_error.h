/* orbit_error: the error codes of the orbit.v1 protocol and a status record
 * that carries a code, the offending field and a human-readable reason. */
#ifndef ORBIT_ERROR_H
#define ORBIT_ERROR_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    ORBIT_OK = 0,
    ORBIT_ERR_BAD_REQUEST,
    ORBIT_ERR_UNAUTHORIZED,
    ORBIT_ERR_FORBIDDEN,
    ORBIT_ERR_NOT_FOUND,
    ORBIT_ERR_CONFLICT,
    ORBIT_ERR_INVALID_RANGE,
    ORBIT_ERR_OVERLAP,
    ORBIT_ERR_LIMIT_EXCEEDED,
    ORBIT_ERR_IN_USE,
    ORBIT_ERR_NO_FREE_ORBIT,
    ORBIT_ERR_RESILIENCY_MODE,
    ORBIT_ERR_PICKUP_UNAVAILABLE,
    ORBIT_ERR_NOT_SERVED_HERE,
    ORBIT_ERR_WRONG_POOL,
    ORBIT_ERR_POOL_UNREACHABLE,
    ORBIT_ERR_TOO_LARGE,
    ORBIT_ERR_UNSUPPORTED_MEDIA,
    ORBIT_ERR_RATE_LIMITED,
    ORBIT_ERR_UNAVAILABLE, /* the deployment store cannot be reached: try again later */
    ORBIT_ERR_INTERNAL,
    ORBIT_ERR_COUNT
} orbit_err;

#define ORBIT_STATUS_FIELD_MAX   48
#define ORBIT_STATUS_MESSAGE_MAX 240

/* A refusal as the protocol reports it: code, field (may be empty), message. */
typedef struct {
    orbit_err code;
    char field[ORBIT_STATUS_FIELD_MAX];
    char message[ORBIT_STATUS_MESSAGE_MAX];
} orbit_status;

/* The protocol name of a code ("invalid_range"); "ok" for ORBIT_OK. */
const char *orbit_err_name(orbit_err code);

/* Parses a protocol error name; false when unknown. */
bool orbit_err_from_name(const char *name, orbit_err *out);

/* Clears a status to ORBIT_OK. A NULL status is ignored. */
void orbit_status_clear(orbit_status *st);

/* Records a refusal and returns its code, so callers can
 * `return orbit_status_set(st, ...)`. A NULL status only returns the code.
 * The field and message are always valid UTF-8 (bytes that are not, such
 * as quoted input or a character cut by the buffer's end, become '?'),
 * so a refusal can always be sent as JSON. */
orbit_err orbit_status_set(orbit_status *st, orbit_err code, const char *field, const char *fmt,
                           ...) __attribute__((format(printf, 4, 5)));

#endif
