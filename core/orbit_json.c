/* orbit_json: strict field readers and entity codecs. */
#include "orbit_json.h"

#include "orbit_json_dump.h"

#include <string.h>

int orbit_json_get_string(const json_t *obj, const char *key, bool required, char *out, size_t cap,
                          orbit_status *st)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required) {
            orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, key, "%s is required", key);
            return -1;
        }
        return 0;
    }
    if (!json_is_string(v)) {
        orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, key, "%s must be a string", key);
        return -1;
    }
    size_t len = json_string_length(v);
    if (len >= cap) {
        orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, key, "%s has at most %zu characters", key,
                         cap - 1);
        return -1;
    }
    const char *s = json_string_value(v);
    if (memchr(s, '\0', len)) {
        orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, key, "%s cannot contain NUL", key);
        return -1;
    }
    memcpy(out, s, len);
    out[len] = '\0';
    return 1;
}

int orbit_json_get_bool(const json_t *obj, const char *key, bool required, bool *out,
                        orbit_status *st)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required) {
            orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, key, "%s is required", key);
            return -1;
        }
        return 0;
    }
    if (!json_is_boolean(v)) {
        orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, key, "%s must be true or false", key);
        return -1;
    }
    *out = json_is_true(v);
    return 1;
}

int orbit_json_get_int(const json_t *obj, const char *key, bool required, int64_t min, int64_t max,
                       int64_t *out, orbit_status *st)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required) {
            orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, key, "%s is required", key);
            return -1;
        }
        return 0;
    }
    if (!json_is_integer(v)) {
        orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, key, "%s must be an integer", key);
        return -1;
    }
    json_int_t i = json_integer_value(v);
    if (i < min || i > max) {
        orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, key, "%s must be between %lld and %lld", key,
                         (long long)min, (long long)max);
        return -1;
    }
    *out = (int64_t)i;
    return 1;
}

int orbit_json_get_number(const json_t *obj, const char *key, bool required, orbit_number *out,
                          orbit_status *st)
{
    char buf[ORBIT_NUMBER_BUF + 8];
    int got = orbit_json_get_string(obj, key, required, buf, sizeof buf, st);
    if (got <= 0) {
        if (got < 0 && st && st->code == ORBIT_ERR_BAD_REQUEST &&
            json_is_string(json_object_get(obj, key)))
            st->code = ORBIT_ERR_INVALID_RANGE; /* too long to be a number */
        return got;
    }
    orbit_number_status ns = orbit_number_parse(buf, out);
    if (ns != ORBIT_NUMBER_OK) {
        orbit_status_set(st, ORBIT_ERR_INVALID_RANGE, key, "%s %s: %s", key, buf,
                         orbit_number_status_message(ns));
        return -1;
    }
    return 1;
}

orbit_err orbit_json_only_keys(const json_t *obj, const char *const *keys, orbit_status *st)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)obj, key, value)
    {
        (void)value;
        bool known = false;
        for (const char *const *k = keys; *k; k++) {
            if (strcmp(*k, key) == 0) {
                known = true;
                break;
            }
        }
        if (!known)
            return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, key, "unknown field '%s'", key);
    }
    return ORBIT_OK;
}

orbit_err orbit_json_need_object(const json_t *v, const char *what, orbit_status *st)
{
    if (!json_is_object(v))
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, what, "%s must be a JSON object", what);
    return ORBIT_OK;
}

bool orbit_json_put(json_t *obj, const char *key, json_t *value)
{
    if (!value)
        return false;
    return json_object_set_new(obj, key, value) == 0;
}

static bool put_unchecked(json_t *obj, const char *key, json_t *value)
{
    return value && json_object_set_new_nocheck(obj, key, value) == 0;
}

bool orbit_json_put_text(json_t *obj, const char *key, const char *value)
{
    return put_unchecked(obj, key, json_string_nocheck(value));
}

bool orbit_json_put_int(json_t *obj, const char *key, int64_t value)
{
    return put_unchecked(obj, key, json_integer((json_int_t)value));
}

bool orbit_json_put_bool(json_t *obj, const char *key, bool value)
{
    return put_unchecked(obj, key, json_boolean(value));
}

json_t *orbit_json_number(const orbit_number *n)
{
    char buf[ORBIT_NUMBER_BUF];
    return json_string(orbit_number_format(n, buf, sizeof buf));
}

/* ---- ranges ---- */

json_t *orbit_json_from_range(const orbit_range *r, int64_t in_use)
{
    char s[ORBIT_NUMBER_BUF], e[ORBIT_NUMBER_BUF];
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "identity", r->identity, "start",
                          orbit_number_format(&r->start, s, sizeof s), "end",
                          orbit_number_format(&r->end, e, sizeof e), "type",
                          orbit_type_name(r->type), "pool", r->pool);
    if (o && in_use >= 0 && !orbit_json_put(o, "in_use", json_integer(in_use))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static const char *const RANGE_KEYS[] = {"identity", "start", "end", "pool", "type", NULL};

orbit_err orbit_json_to_range(const json_t *o, orbit_json_mode mode, orbit_range *r,
                              int64_t *in_use, orbit_status *st)
{
    if (orbit_json_need_object(o, "range", st) != ORBIT_OK)
        return st ? st->code : ORBIT_ERR_BAD_REQUEST;
    if (mode == ORBIT_JSON_STRICT && orbit_json_only_keys(o, RANGE_KEYS, st) != ORBIT_OK)
        return ORBIT_ERR_BAD_REQUEST;
    orbit_range tmp = {0};
    char start[32], end[32], type[32];
    if (orbit_json_get_string(o, "identity", true, tmp.identity, sizeof tmp.identity, st) < 0 ||
        orbit_json_get_string(o, "start", true, start, sizeof start, st) < 0 ||
        orbit_json_get_string(o, "end", true, end, sizeof end, st) < 0 ||
        orbit_json_get_string(o, "pool", true, tmp.pool, sizeof tmp.pool, st) < 0)
        return st ? st->code : ORBIT_ERR_BAD_REQUEST;
    int got = orbit_json_get_string(o, "type", false, type, sizeof type, st);
    if (got < 0)
        return ORBIT_ERR_BAD_REQUEST;
    tmp.type = ORBIT_TYPE_CALLPARK;
    if (got == 1 && !orbit_type_from_name(type, &tmp.type))
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "type",
                                "type is CallPark or GroupPickup, not '%s'", type);
    orbit_fqdn_lower(tmp.pool);
    orbit_err e = orbit_range_set_numbers(&tmp, start, end, st);
    if (e != ORBIT_OK)
        return e;
    e = orbit_range_check(&tmp, st);
    if (e != ORBIT_OK)
        return e;
    if (in_use) {
        int64_t used = -1;
        if (mode == ORBIT_JSON_LENIENT &&
            orbit_json_get_int(o, "in_use", false, 0, INT32_MAX, &used, st) < 0)
            return ORBIT_ERR_BAD_REQUEST;
        *in_use = used;
    }
    *r = tmp;
    return ORBIT_OK;
}

/* ---- settings ---- */

json_t *orbit_json_from_settings(const cps_settings *s)
{
    return json_pack("{s:i, s:b, s:i, s:s}", "call_pickup_timeout_threshold",
                     s->call_pickup_timeout_threshold, "enable_music_on_hold",
                     s->enable_music_on_hold, "max_call_pickup_attempts",
                     s->max_call_pickup_attempts, "on_timeout_uri", s->on_timeout_uri);
}

static const char *const SETTINGS_KEYS[] = {"call_pickup_timeout_threshold", "enable_music_on_hold",
                                            "max_call_pickup_attempts", "on_timeout_uri", NULL};

orbit_err orbit_json_to_settings(const json_t *o, orbit_json_mode mode, bool require_all,
                                 cps_settings *s, orbit_status *st)
{
    if (orbit_json_need_object(o, "config", st) != ORBIT_OK)
        return ORBIT_ERR_BAD_REQUEST;
    if (mode == ORBIT_JSON_STRICT && orbit_json_only_keys(o, SETTINGS_KEYS, st) != ORBIT_OK)
        return ORBIT_ERR_BAD_REQUEST;
    cps_settings tmp = *s;
    int64_t i;
    /* The integer bounds here only keep values in an int; the domain
     * bounds are checked by cps_settings_check with a reason per field. */
    int got = orbit_json_get_int(o, "call_pickup_timeout_threshold", require_all, INT32_MIN,
                                 INT32_MAX, &i, st);
    if (got < 0)
        return ORBIT_ERR_BAD_REQUEST;
    if (got)
        tmp.call_pickup_timeout_threshold = (int)i;
    got = orbit_json_get_int(o, "max_call_pickup_attempts", require_all, INT32_MIN, INT32_MAX, &i,
                             st);
    if (got < 0)
        return ORBIT_ERR_BAD_REQUEST;
    if (got)
        tmp.max_call_pickup_attempts = (int)i;
    if (orbit_json_get_bool(o, "enable_music_on_hold", require_all, &tmp.enable_music_on_hold, st) <
        0)
        return ORBIT_ERR_BAD_REQUEST;
    if (orbit_json_get_string(o, "on_timeout_uri", require_all, tmp.on_timeout_uri,
                              sizeof tmp.on_timeout_uri, st) < 0)
        return ORBIT_ERR_BAD_REQUEST;
    orbit_err e = cps_settings_check(&tmp, st);
    if (e != ORBIT_OK)
        return e;
    *s = tmp;
    return ORBIT_OK;
}

/* ---- pools ---- */

json_t *orbit_json_from_pool(const pool_info *p)
{
    return json_pack("{s:s, s:s, s:s?, s:s, s:s?, s:s, s:I}", "fqdn", p->fqdn, "site", p->site,
                     "backup", p->backup[0] ? p->backup : NULL, "url", p->url, "sip",
                     p->sip[0] ? p->sip : NULL, "status", pool_status_name(p->status),
                     "last_seen_ms", (json_int_t)p->last_seen_ms);
}

static orbit_err decode_fqdn(const json_t *o, const char *key, bool required, char *out, size_t cap,
                             orbit_status *st)
{
    int got = orbit_json_get_string(o, key, required, out, cap, st);
    if (got < 0)
        return ORBIT_ERR_BAD_REQUEST;
    if (got == 0)
        return ORBIT_OK;
    const char *why = orbit_fqdn_check(out);
    if (why)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, key, "%s: %s", key, why);
    orbit_fqdn_lower(out);
    return ORBIT_OK;
}

static const char *const POOL_KEYS[] = {"fqdn", "site",   "backup",       "url",
                                        "sip",  "status", "last_seen_ms", NULL};

orbit_err orbit_json_to_pool(const json_t *o, orbit_json_mode mode, pool_info *p, orbit_status *st)
{
    if (orbit_json_need_object(o, "pool", st) != ORBIT_OK)
        return ORBIT_ERR_BAD_REQUEST;
    if (mode == ORBIT_JSON_STRICT && orbit_json_only_keys(o, POOL_KEYS, st) != ORBIT_OK)
        return ORBIT_ERR_BAD_REQUEST;
    pool_info tmp = {0};
    if (decode_fqdn(o, "fqdn", true, tmp.fqdn, sizeof tmp.fqdn, st) != ORBIT_OK)
        return ORBIT_ERR_BAD_REQUEST;
    if (orbit_json_get_string(o, "site", true, tmp.site, sizeof tmp.site, st) < 0)
        return ORBIT_ERR_BAD_REQUEST;
    const char *why = orbit_site_check(tmp.site);
    if (why)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "site", "%s", why);
    json_t *backup = json_object_get(o, "backup");
    if (backup && !json_is_null(backup) &&
        decode_fqdn(o, "backup", false, tmp.backup, sizeof tmp.backup, st) != ORBIT_OK)
        return ORBIT_ERR_BAD_REQUEST;
    if (orbit_json_get_string(o, "url", false, tmp.url, sizeof tmp.url, st) < 0)
        return ORBIT_ERR_BAD_REQUEST;
    if (tmp.url[0] && strncmp(tmp.url, "ws://", 5) != 0 && strncmp(tmp.url, "wss://", 6) != 0)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "url",
                                "url must begin with ws:// or wss://");
    json_t *sip = json_object_get(o, "sip");
    if (sip && !json_is_null(sip) &&
        orbit_json_get_string(o, "sip", false, tmp.sip, sizeof tmp.sip, st) < 0)
        return ORBIT_ERR_BAD_REQUEST;
    if (tmp.sip[0] && strncmp(tmp.sip, "sip:", 4) != 0)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "sip", "sip must begin with sip:");
    char status[16] = "unknown";
    if (orbit_json_get_string(o, "status", false, status, sizeof status, st) < 0)
        return ORBIT_ERR_BAD_REQUEST;
    if (!pool_status_from_name(status, &tmp.status))
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "status",
                                "status is up, degraded, down or unknown");
    int64_t seen = 0;
    if (orbit_json_get_int(o, "last_seen_ms", false, 0, INT64_MAX, &seen, st) < 0)
        return ORBIT_ERR_BAD_REQUEST;
    tmp.last_seen_ms = seen;
    *p = tmp;
    return ORBIT_OK;
}

/* ---- DR state ---- */

json_t *orbit_json_from_dr(const dr_state *d)
{
    return json_pack("{s:s, s:s, s:s, s:I, s:I, s:b, s:b}", "home", d->home, "phase",
                     dr_phase_name(d->phase), "serving", d->serving, "since_ms",
                     (json_int_t)d->since_ms, "ends_ms", (json_int_t)d->ends_ms, "disaster_mode",
                     d->disaster_mode, "pickup_ranges_redirected", d->pickup_ranges_redirected);
}

static const char *const DR_KEYS[] = {
    "home", "phase", "serving", "since_ms", "ends_ms", "disaster_mode", "pickup_ranges_redirected",
    NULL};

orbit_err orbit_json_to_dr(const json_t *o, orbit_json_mode mode, dr_state *d, orbit_status *st)
{
    if (orbit_json_need_object(o, "dr", st) != ORBIT_OK)
        return ORBIT_ERR_BAD_REQUEST;
    if (mode == ORBIT_JSON_STRICT && orbit_json_only_keys(o, DR_KEYS, st) != ORBIT_OK)
        return ORBIT_ERR_BAD_REQUEST;
    dr_state tmp = {0};
    char phase[32];
    if (decode_fqdn(o, "home", true, tmp.home, sizeof tmp.home, st) != ORBIT_OK ||
        decode_fqdn(o, "serving", true, tmp.serving, sizeof tmp.serving, st) != ORBIT_OK)
        return ORBIT_ERR_BAD_REQUEST;
    if (orbit_json_get_string(o, "phase", true, phase, sizeof phase, st) < 0)
        return ORBIT_ERR_BAD_REQUEST;
    if (!dr_phase_from_name(phase, &tmp.phase))
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "phase",
                                "phase is normal, failing_over, failed_over or failing_back");
    int64_t v = 0;
    if (orbit_json_get_int(o, "since_ms", false, 0, INT64_MAX, &v, st) < 0)
        return ORBIT_ERR_BAD_REQUEST;
    tmp.since_ms = v;
    v = 0;
    if (orbit_json_get_int(o, "ends_ms", false, 0, INT64_MAX, &v, st) < 0)
        return ORBIT_ERR_BAD_REQUEST;
    tmp.ends_ms = v;
    if (orbit_json_get_bool(o, "disaster_mode", false, &tmp.disaster_mode, st) < 0 ||
        orbit_json_get_bool(o, "pickup_ranges_redirected", false, &tmp.pickup_ranges_redirected,
                            st) < 0)
        return ORBIT_ERR_BAD_REQUEST;
    *d = tmp;
    return ORBIT_OK;
}

/* ---- MOH ---- */

json_t *orbit_json_from_moh(const moh_info *m)
{
    return json_pack("{s:s, s:I, s:s, s:I, s:b}", "name", m->name, "size", (json_int_t)m->size,
                     "sha256", m->sha256, "uploaded_ms", (json_int_t)m->uploaded_ms, "default",
                     m->is_default);
}

static bool is_sha256_hex(const char *s)
{
    if (strlen(s) != ORBIT_SHA256_HEX)
        return false;
    for (; *s; s++) {
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return false;
    }
    return true;
}

static const char *const MOH_KEYS[] = {"name", "size", "sha256", "uploaded_ms", "default", NULL};

orbit_err orbit_json_to_moh(const json_t *o, orbit_json_mode mode, moh_info *m, orbit_status *st)
{
    if (orbit_json_need_object(o, "moh", st) != ORBIT_OK)
        return ORBIT_ERR_BAD_REQUEST;
    if (mode == ORBIT_JSON_STRICT && orbit_json_only_keys(o, MOH_KEYS, st) != ORBIT_OK)
        return ORBIT_ERR_BAD_REQUEST;
    moh_info tmp = {0};
    int64_t v = 0;
    if (orbit_json_get_string(o, "name", true, tmp.name, sizeof tmp.name, st) < 0 ||
        orbit_json_get_int(o, "size", true, 0, INT64_MAX, &v, st) < 0 ||
        orbit_json_get_string(o, "sha256", true, tmp.sha256, sizeof tmp.sha256, st) < 0)
        return ORBIT_ERR_BAD_REQUEST;
    tmp.size = (uint64_t)v;
    if (!is_sha256_hex(tmp.sha256))
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "sha256",
                                "sha256 is 64 lower-case hexadecimal digits");
    v = 0;
    if (orbit_json_get_int(o, "uploaded_ms", false, 0, INT64_MAX, &v, st) < 0 ||
        orbit_json_get_bool(o, "default", false, &tmp.is_default, st) < 0)
        return ORBIT_ERR_BAD_REQUEST;
    tmp.uploaded_ms = v;
    *m = tmp;
    return ORBIT_OK;
}

/* ---- parked calls ---- */

json_t *orbit_json_from_parked(const parked_call *c)
{
    char orbit[ORBIT_NUMBER_BUF];
    json_t *o = json_object();
    if (o && orbit_json_put_text(o, "call_id", c->call_id) &&
        orbit_json_put_text(o, "orbit", orbit_number_format(&c->orbit, orbit, sizeof orbit)) &&
        orbit_json_put_text(o, "parker", c->parker) &&
        orbit_json_put_text(o, "parkee", c->parkee) &&
        orbit_json_put_int(o, "parked_ms", c->parked_ms) &&
        orbit_json_put_int(o, "deadline_ms", c->deadline_ms) &&
        orbit_json_put_int(o, "attempt", c->attempt) &&
        orbit_json_put_text(o, "state", parked_state_name(c->state)) &&
        orbit_json_put_bool(o, "music_on_hold", c->music_on_hold) &&
        orbit_json_put_text(o, "transport", call_transport_name(c->transport)))
        return o;
    json_decref(o);
    return NULL;
}

static bool write_key(orbit_buf *b, const char *key_and_colon)
{
    return orbit_buf_append(b, key_and_colon, strlen(key_and_colon));
}

static bool write_text(orbit_buf *b, const char *key_and_colon, const char *s)
{
    return write_key(b, key_and_colon) && orbit_json_dump_string(b, s, strlen(s));
}

static bool write_int(orbit_buf *b, const char *key_and_colon, long long v)
{
    return write_key(b, key_and_colon) && orbit_json_dump_int(b, v);
}

bool orbit_json_write_parked(orbit_buf *b, const parked_call *c)
{
    /* The members and order of orbit_json_from_parked. */
    char orbit[ORBIT_NUMBER_BUF];
    return write_text(b, "{\"call_id\":", c->call_id) &&
           write_text(b, ",\"orbit\":", orbit_number_format(&c->orbit, orbit, sizeof orbit)) &&
           write_text(b, ",\"parker\":", c->parker) && write_text(b, ",\"parkee\":", c->parkee) &&
           write_int(b, ",\"parked_ms\":", c->parked_ms) &&
           write_int(b, ",\"deadline_ms\":", c->deadline_ms) &&
           write_int(b, ",\"attempt\":", c->attempt) &&
           write_text(b, ",\"state\":", parked_state_name(c->state)) &&
           write_key(b,
                     c->music_on_hold ? ",\"music_on_hold\":true" : ",\"music_on_hold\":false") &&
           write_text(b, ",\"transport\":", call_transport_name(c->transport)) &&
           orbit_buf_append(b, "}", 1);
}

int orbit_json_get_transport(const json_t *o, call_transport *out, orbit_status *st)
{
    char name[16] = "api";
    int got = orbit_json_get_string(o, "transport", false, name, sizeof name, st);
    if (got < 0)
        return -1;
    if (!call_transport_from_name(name, out)) {
        orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "transport",
                         "transport is sip or api, not '%s'", name);
        return -1;
    }
    return got;
}

static orbit_err decode_checked(const json_t *o, const char *key, char *out, size_t cap,
                                const char *(*check)(const char *), orbit_status *st)
{
    if (orbit_json_get_string(o, key, true, out, cap, st) < 0)
        return ORBIT_ERR_BAD_REQUEST;
    const char *why = check(out);
    if (why)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, key, "%s: %s", key, why);
    return ORBIT_OK;
}

static const char *const PARKED_KEYS[] = {"call_id",       "orbit",       "parker",  "parkee",
                                          "parked_ms",     "deadline_ms", "attempt", "state",
                                          "music_on_hold", "transport",   NULL};

orbit_err orbit_json_to_parked(const json_t *o, orbit_json_mode mode, parked_call *c,
                               orbit_status *st)
{
    if (orbit_json_need_object(o, "parked", st) != ORBIT_OK)
        return ORBIT_ERR_BAD_REQUEST;
    if (mode == ORBIT_JSON_STRICT && orbit_json_only_keys(o, PARKED_KEYS, st) != ORBIT_OK)
        return ORBIT_ERR_BAD_REQUEST;
    parked_call tmp = {0};
    if (decode_checked(o, "call_id", tmp.call_id, sizeof tmp.call_id, orbit_call_id_check, st) !=
            ORBIT_OK ||
        decode_checked(o, "parker", tmp.parker, sizeof tmp.parker, orbit_party_check, st) !=
            ORBIT_OK ||
        decode_checked(o, "parkee", tmp.parkee, sizeof tmp.parkee, orbit_party_check, st) !=
            ORBIT_OK)
        return st ? st->code : ORBIT_ERR_BAD_REQUEST;
    if (orbit_json_get_number(o, "orbit", true, &tmp.orbit, st) < 0)
        return st ? st->code : ORBIT_ERR_BAD_REQUEST;
    int64_t v = 0;
    if (orbit_json_get_int(o, "parked_ms", true, 0, INT64_MAX, &v, st) < 0)
        return ORBIT_ERR_BAD_REQUEST;
    tmp.parked_ms = v;
    if (orbit_json_get_int(o, "deadline_ms", true, 0, INT64_MAX, &v, st) < 0)
        return ORBIT_ERR_BAD_REQUEST;
    tmp.deadline_ms = v;
    v = 0;
    if (orbit_json_get_int(o, "attempt", false, 0, 100, &v, st) < 0)
        return ORBIT_ERR_BAD_REQUEST;
    tmp.attempt = (int)v;
    char state[32] = "parked";
    if (orbit_json_get_string(o, "state", false, state, sizeof state, st) < 0)
        return ORBIT_ERR_BAD_REQUEST;
    if (!parked_state_from_name(state, &tmp.state))
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "state",
                                "state is parked or ringing_back");
    if (orbit_json_get_bool(o, "music_on_hold", false, &tmp.music_on_hold, st) < 0)
        return ORBIT_ERR_BAD_REQUEST;
    if (orbit_json_get_transport(o, &tmp.transport, st) < 0)
        return ORBIT_ERR_BAD_REQUEST;
    *c = tmp;
    return ORBIT_OK;
}

/* ---- pickup calls ---- */

json_t *orbit_json_from_pickup(const pickup_call *c)
{
    char group[ORBIT_NUMBER_BUF];
    return json_pack("{s:s, s:s, s:s, s:s, s:I, s:b, s:s}", "call_id", c->call_id, "caller",
                     c->caller, "callee", c->callee, "group",
                     orbit_number_format(&c->group, group, sizeof group), "ringing_since_ms",
                     (json_int_t)c->ringing_since_ms, "pickable", c->pickable, "transport",
                     call_transport_name(c->transport));
}

static const char *const PICKUP_KEYS[] = {"call_id",          "caller",   "callee",    "group",
                                          "ringing_since_ms", "pickable", "transport", NULL};

orbit_err orbit_json_to_pickup(const json_t *o, orbit_json_mode mode, pickup_call *c,
                               orbit_status *st)
{
    if (orbit_json_need_object(o, "call", st) != ORBIT_OK)
        return ORBIT_ERR_BAD_REQUEST;
    if (mode == ORBIT_JSON_STRICT && orbit_json_only_keys(o, PICKUP_KEYS, st) != ORBIT_OK)
        return ORBIT_ERR_BAD_REQUEST;
    pickup_call tmp = {0};
    if (decode_checked(o, "call_id", tmp.call_id, sizeof tmp.call_id, orbit_call_id_check, st) !=
            ORBIT_OK ||
        decode_checked(o, "caller", tmp.caller, sizeof tmp.caller, orbit_party_check, st) !=
            ORBIT_OK ||
        decode_checked(o, "callee", tmp.callee, sizeof tmp.callee, orbit_sip_uri_check, st) !=
            ORBIT_OK)
        return st ? st->code : ORBIT_ERR_BAD_REQUEST;
    if (orbit_json_get_number(o, "group", true, &tmp.group, st) < 0)
        return st ? st->code : ORBIT_ERR_BAD_REQUEST;
    int64_t v = 0;
    if (orbit_json_get_int(o, "ringing_since_ms", true, 0, INT64_MAX, &v, st) < 0)
        return ORBIT_ERR_BAD_REQUEST;
    tmp.ringing_since_ms = v;
    tmp.pickable = true;
    if (orbit_json_get_bool(o, "pickable", false, &tmp.pickable, st) < 0)
        return ORBIT_ERR_BAD_REQUEST;
    if (orbit_json_get_transport(o, &tmp.transport, st) < 0)
        return ORBIT_ERR_BAD_REQUEST;
    *c = tmp;
    return ORBIT_OK;
}

/* ---- users ---- */

json_t *orbit_json_from_user(const orbit_user *u)
{
    json_t *o = json_pack("{s:s, s:s, s:s}", "uri", u->uri, "home", u->home, "serving",
                          u->serving[0] ? u->serving : u->home);
    if (!o)
        return NULL;
    json_t *group = u->has_group ? orbit_json_number(&u->pickup_group) : json_null();
    if (!orbit_json_put(o, "pickup_group", group)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static const char *const USER_KEYS[] = {"uri", "home", "serving", "pickup_group", NULL};

orbit_err orbit_json_to_user(const json_t *o, orbit_json_mode mode, orbit_user *u, orbit_status *st)
{
    if (orbit_json_need_object(o, "user", st) != ORBIT_OK)
        return ORBIT_ERR_BAD_REQUEST;
    if (mode == ORBIT_JSON_STRICT && orbit_json_only_keys(o, USER_KEYS, st) != ORBIT_OK)
        return ORBIT_ERR_BAD_REQUEST;
    orbit_user tmp = {0};
    if (decode_checked(o, "uri", tmp.uri, sizeof tmp.uri, orbit_sip_uri_check, st) != ORBIT_OK)
        return ORBIT_ERR_BAD_REQUEST;
    if (decode_fqdn(o, "home", true, tmp.home, sizeof tmp.home, st) != ORBIT_OK ||
        decode_fqdn(o, "serving", false, tmp.serving, sizeof tmp.serving, st) != ORBIT_OK)
        return ORBIT_ERR_BAD_REQUEST;
    json_t *group = json_object_get(o, "pickup_group");
    if (group && !json_is_null(group)) {
        if (orbit_json_get_number(o, "pickup_group", true, &tmp.pickup_group, st) < 0)
            return st ? st->code : ORBIT_ERR_BAD_REQUEST;
        tmp.has_group = true;
    }
    *u = tmp;
    return ORBIT_OK;
}
