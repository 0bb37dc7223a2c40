/* orbit_json_dump: compact JSON text of a jansson value, appended to a
 * buffer. It writes what json_dumps(v, JSON_COMPACT) writes (keys in
 * insertion order, UTF-8 left as it is, control characters escaped) at a
 * fraction of the cost: no callback per fragment, no printf per integer,
 * no intermediate string. Every event, result and snapshot a pool sends
 * goes through it, so it sits on the hot path of every command. */
#ifndef ORBIT_JSON_DUMP_H
#define ORBIT_JSON_DUMP_H

#include "orbit_buf.h"

#include <jansson.h>
#include <stdbool.h>

/* Deeper nesting is refused rather than recursed into. */
#define ORBIT_JSON_DUMP_MAX_DEPTH 64

/* Appends v (borrowed) to b. false on OOM (b->failed is set) or when v
 * nests deeper than ORBIT_JSON_DUMP_MAX_DEPTH. */
bool orbit_json_dump(orbit_buf *b, const json_t *v);

/* Appends s (borrowed, len bytes, may hold NUL) as a JSON string with its
 * quotes. false on OOM. */
bool orbit_json_dump_string(orbit_buf *b, const char *s, size_t len);

/* Appends the decimal digits of v. false on OOM. */
bool orbit_json_dump_int(orbit_buf *b, long long v);

#endif
