/* audit: the append-only audit log of operator actions: who (the token's
 * name), what (op and arguments), the result and the time, one JSON object
 * per line, fsync'd before the action is answered. */
#ifndef AUDIT_H
#define AUDIT_H

#include "orbit_error.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct audit_log audit_log;

orbit_err audit_open(const char *data_dir, audit_log **out, orbit_status *st);
void audit_close(audit_log *a);

/* Appends one entry. result is the outcome (ORBIT_OK or a refusal);
 * args may be NULL. Returns internal when the line could not be made
 * durable (a full disk says so). */
orbit_err audit_append(audit_log *a, int64_t now_ms, const char *who, const char *role,
                       const char *op, const json_t *args, const orbit_status *result,
                       orbit_status *st);

/* The newest `limit` entries, oldest first, as a JSON array. */
json_t *audit_tail(audit_log *a, size_t limit, orbit_status *st);

#endif
