/* audit: the append-only audit log of operator actions: who (the token's
 * name, the client and where it connected from), what (op and arguments),
 * the outcome and the time, one JSON object per line, fsync'd.
 *
 * An action is written twice: a request line before it acts (so a full
 * disk refuses the action instead of hiding it) and a result line once it
 * is decided. A write that fails midway is cut back, so a torn line never
 * swallows the next one; a result the disk refused waits in memory and is
 * written first once the disk takes lines again. The log rotates by size
 * as logrotate would (audit.jsonl.1 .. .4), between two appends, so no
 * line is lost. */
#ifndef AUDIT_H
#define AUDIT_H

#include "orbit_error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct audit_log audit_log;

/* Generations kept besides the live file. */
#define AUDIT_GENERATIONS 4

typedef enum {
    AUDIT_REQUEST = 0, /* the action is about to act */
    AUDIT_RESULT,      /* how it ended (refusals at the gate have only this line) */
} audit_phase;

/* One line; every pointer is borrowed for the call. */
typedef struct {
    uint64_t action; /* pairs an action's request and result lines */
    int64_t time_ms;
    const char *who;    /* the token's name */
    const char *role;   /* the token's role */
    const char *client; /* what the client called itself, may be "" */
    const char *peer;   /* its address, may be "" */
    const char *op;
    const json_t *args; /* may be NULL */
    audit_phase phase;
    const orbit_status *result; /* AUDIT_RESULT: the outcome */
} audit_entry;

/* Opens (creating) DATA_DIR/audit.jsonl, mending a last line left
 * unfinished by a crash. The live file rotates past max_bytes. */
orbit_err audit_open(const char *data_dir, uint64_t max_bytes, audit_log **out, orbit_status *st);
void audit_close(audit_log *a);

/* Appends one line durably; internal when it could not (a full disk says
 * so), and then the file is as it was before the call. A result line the
 * disk refused is kept in memory (up to a bound) and written before the
 * next line that can be, so an action that acted keeps its outcome; until
 * then every request is refused. */
orbit_err audit_append(audit_log *a, const audit_entry *e, orbit_status *st);

/* A number for a new action, unique across restarts of this pool. */
uint64_t audit_next_action(audit_log *a);

/* The newest `limit` actions, oldest first, across the live file and the
 * newest rotated one (new reference). Each action is its result line; a
 * request with no result (the pool stopped while it acted) is shown as
 * an action whose outcome is unknown. With requests, every line is
 * returned as written. */
json_t *audit_tail(audit_log *a, size_t limit, bool requests, orbit_status *st);

#endif
