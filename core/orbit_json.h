/* orbit_json: strict readers for JSON fields, and the encoding and
 * decoding of every model entity with jansson. Readers report
 * bad_request naming the field; decoders in strict mode also refuse
 * fields they do not know (commands), lenient mode ignores them
 * (clients reading a newer server, as protocol.md asks). */
#ifndef ORBIT_JSON_H
#define ORBIT_JSON_H

#include "cps_settings.h"
#include "orbit_buf.h"
#include "orbit_error.h"
#include "orbit_model.h"
#include "orbit_range.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { ORBIT_JSON_LENIENT = 0, ORBIT_JSON_STRICT = 1 } orbit_json_mode;

/* Field readers return 1 when the field was read, 0 when it is absent and
 * optional, -1 on a refusal (st filled; absent and required is a refusal). */
int orbit_json_get_string(const json_t *obj, const char *key, bool required, char *out, size_t cap,
                          orbit_status *st);
int orbit_json_get_bool(const json_t *obj, const char *key, bool required, bool *out,
                        orbit_status *st);
int orbit_json_get_int(const json_t *obj, const char *key, bool required, int64_t min, int64_t max,
                       int64_t *out, orbit_status *st);
int orbit_json_get_number(const json_t *obj, const char *key, bool required, orbit_number *out,
                          orbit_status *st);
/* The optional "transport" of a call ("sip" or "api"; "api" when absent):
 * 1 read, 0 absent, -1 refused. */
int orbit_json_get_transport(const json_t *obj, call_transport *out, orbit_status *st);

/* Refuses any key of obj not in the NULL-terminated list. */
orbit_err orbit_json_only_keys(const json_t *obj, const char *const *keys, orbit_status *st);

/* Refuses a value that is not an object, naming what it should be. */
orbit_err orbit_json_need_object(const json_t *v, const char *what, orbit_status *st);

/* The number as a JSON string. */
json_t *orbit_json_number(const orbit_number *n);

/* Ranges. in_use < 0 leaves the field out. Decoding takes identity,
 * start, end, pool and type (default CallPark) and checks the per-range
 * rules. */
json_t *orbit_json_from_range(const orbit_range *r, int64_t in_use);
orbit_err orbit_json_to_range(const json_t *o, orbit_json_mode mode, orbit_range *r,
                              int64_t *in_use, orbit_status *st);

/* Call Park settings. Decoding applies the fields present onto *s (so a
 * partial object is a patch) and then validates the whole; with
 * require_all every field must be present. */
json_t *orbit_json_from_settings(const cps_settings *s);
orbit_err orbit_json_to_settings(const json_t *o, orbit_json_mode mode, bool require_all,
                                 cps_settings *s, orbit_status *st);

json_t *orbit_json_from_pool(const pool_info *p);
orbit_err orbit_json_to_pool(const json_t *o, orbit_json_mode mode, pool_info *p, orbit_status *st);

json_t *orbit_json_from_dr(const dr_state *d);
orbit_err orbit_json_to_dr(const json_t *o, orbit_json_mode mode, dr_state *d, orbit_status *st);

json_t *orbit_json_from_moh(const moh_info *m);
orbit_err orbit_json_to_moh(const json_t *o, orbit_json_mode mode, moh_info *m, orbit_status *st);

json_t *orbit_json_from_parked(const parked_call *c);
/* Appends to b the text orbit_json_dump writes of orbit_json_from_parked(c),
 * without building the object: a big pool's snapshot holds tens of
 * thousands. false on OOM. */
bool orbit_json_write_parked(orbit_buf *b, const parked_call *c);
orbit_err orbit_json_to_parked(const json_t *o, orbit_json_mode mode, parked_call *c,
                               orbit_status *st);

/* A queued call; the group is carried by the enclosing queue object but
 * also written on each call so events stand alone. */
json_t *orbit_json_from_pickup(const pickup_call *c);
orbit_err orbit_json_to_pickup(const json_t *o, orbit_json_mode mode, pickup_call *c,
                               orbit_status *st);

json_t *orbit_json_from_user(const orbit_user *u);
orbit_err orbit_json_to_user(const json_t *o, orbit_json_mode mode, orbit_user *u,
                             orbit_status *st);

/* Adds an object member, stealing the value; false if the value is NULL or
 * jansson could not add it (the value is released either way). */
bool orbit_json_put(json_t *obj, const char *key, json_t *value);

/* Members for objects the hot paths build (every park and retrieve):
 * key is a literal and value text this process already holds as valid
 * UTF-8 (decoded from JSON, or checked by the name rule), so neither is
 * validated again. false on OOM. */
bool orbit_json_put_text(json_t *obj, const char *key, const char *value);
bool orbit_json_put_int(json_t *obj, const char *key, int64_t value);
bool orbit_json_put_bool(json_t *obj, const char *key, bool value);

#endif
