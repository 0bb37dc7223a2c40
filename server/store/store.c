/* store: choosing a backend by the location's form, dispatching to it,
 * and the values every backend shares (images, batches, row codecs), so
 * both backends keep rows in one JSON shape and an unreadable row is an
 * error wherever it is read. */
#include "store.h"

#include "orbit_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const store_backend *const BACKENDS[] = {&store_backend_etcd, &store_backend_sqlite};

void store_options_init(store_options *opt, const char *location)
{
    memset(opt, 0, sizeof *opt);
    snprintf(opt->location, sizeof opt->location, "%s", location ? location : "");
}

orbit_err store_open(const store_options *opt, orbit_store **out, orbit_status *st)
{
    *out = NULL;
    if (!opt->location[0])
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "store", "no store location given");
    for (size_t i = 0; i < sizeof BACKENDS / sizeof BACKENDS[0]; i++) {
        if (BACKENDS[i]->claims(opt->location))
            return BACKENDS[i]->open(opt, out, st);
    }
    return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "store",
                            "store '%s': give a file path (SQLite) or "
                            "etcd://host:port[,host:port...]",
                            opt->location);
}

void store_close(orbit_store *s)
{
    if (s)
        s->backend->close(s);
}

const char *store_backend_name(const orbit_store *s)
{
    return s->backend->name;
}

orbit_err store_is_initialised(orbit_store *s, bool *yes, orbit_status *st)
{
    *yes = false;
    return s->backend->is_initialised(s, yes, st);
}

orbit_err store_load(orbit_store *s, store_image *out, orbit_status *st)
{
    memset(out, 0, sizeof *out);
    return s->backend->load(s, out, st);
}

orbit_err store_changes(orbit_store *s, store_cursor after, int wait_ms, store_change_fn fn,
                        void *ctx, bool *trimmed, orbit_status *st)
{
    *trimmed = false;
    return s->backend->changes(s, after, wait_ms, fn, ctx, trimmed, st);
}

orbit_err store_commit(orbit_store *s, store_cursor expect, const store_batch *b,
                       store_cursor *committed, orbit_status *st)
{
    *committed = 0;
    return s->backend->commit(s, expect, b, committed, st);
}

orbit_err store_heartbeat(orbit_store *s, const store_beat *beat, orbit_status *st)
{
    return s->backend->heartbeat(s, beat, st);
}

orbit_err store_liveness_read(orbit_store *s, store_liveness *out, orbit_status *st)
{
    memset(out, 0, sizeof *out);
    return s->backend->liveness(s, out, st);
}

orbit_err store_import(orbit_store *s, const store_image *img, bool replace, orbit_status *st)
{
    return s->backend->import(s, img, replace, st);
}

/* ---- values ---- */

void store_image_free(store_image *img)
{
    free(img->pools);
    free(img->ranges);
    free(img->users);
    free(img->dr);
    free(img->runbooks);
    memset(img, 0, sizeof *img);
}

void store_liveness_free(store_liveness *l)
{
    free(l->pools);
    free(l->usage);
    memset(l, 0, sizeof *l);
}

void store_batch_init(store_batch *b, const char *origin, const char *who, const char *kind,
                      json_t *data)
{
    memset(b, 0, sizeof *b);
    snprintf(b->origin, sizeof b->origin, "%s", origin ? origin : "");
    snprintf(b->who, sizeof b->who, "%s", who ? who : "");
    snprintf(b->kind, sizeof b->kind, "%s", kind ? kind : "");
    b->data = data;
}

void store_batch_free(store_batch *b)
{
    free(b->writes);
    json_decref(b->data);
    memset(b, 0, sizeof *b);
}

bool store_batch_add(store_batch *b, const store_write *w)
{
    if (b->nwrites == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 8;
        store_write *grown = realloc(b->writes, cap * sizeof *grown);
        if (!grown)
            return false;
        b->writes = grown;
        b->cap = cap;
    }
    b->writes[b->nwrites++] = *w;
    return true;
}

/* ---- row codecs ---- */

json_t *store_range_to_json(const orbit_range *r)
{
    return orbit_json_from_range(r, -1);
}

orbit_err store_range_from_json(const json_t *v, orbit_range *out, orbit_status *st)
{
    if (orbit_json_to_range(v, ORBIT_JSON_LENIENT, out, NULL, st) != ORBIT_OK)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "store: a range row is corrupt: %s",
                                st->message);
    return ORBIT_OK;
}

json_t *store_dr_to_json(const store_dr_row *row)
{
    json_t *v =
        json_pack("{s:s, s:s, s:I, s:I, s:b, s:s}", "home", row->state.home, "phase",
                  dr_phase_name(row->state.phase), "since_ms", (json_int_t)row->state.since_ms,
                  "ends_ms", (json_int_t)row->state.ends_ms, "disaster_mode",
                  row->state.disaster_mode, "run_by", row->run_by);
    return v;
}

orbit_err store_dr_from_json(const json_t *v, store_dr_row *out, orbit_status *st)
{
    memset(out, 0, sizeof *out);
    const char *home = json_string_value(json_object_get(v, "home"));
    const char *phase = json_string_value(json_object_get(v, "phase"));
    const char *run_by = json_string_value(json_object_get(v, "run_by"));
    if (!home || orbit_fqdn_check(home))
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "store: a DR row has no valid home");
    snprintf(out->state.home, sizeof out->state.home, "%s", home);
    if (!phase || !dr_phase_from_name(phase, &out->state.phase))
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "",
                                "store: the DR row of %s has an unknown phase '%s'", home,
                                phase ? phase : "(none)");
    out->state.since_ms = json_integer_value(json_object_get(v, "since_ms"));
    out->state.ends_ms = json_integer_value(json_object_get(v, "ends_ms"));
    out->state.disaster_mode = json_is_true(json_object_get(v, "disaster_mode"));
    snprintf(out->run_by, sizeof out->run_by, "%s", run_by ? run_by : "");
    return ORBIT_OK;
}

json_t *store_pool_to_json(const pool_info *p)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s?}", "fqdn", p->fqdn, "site", p->site, "backup",
                     p->backup, "url", p->url, "sip", p->sip[0] ? p->sip : NULL);
}

orbit_err store_pool_from_json(const json_t *v, pool_info *out, orbit_status *st)
{
    memset(out, 0, sizeof *out);
    const char *f = json_string_value(json_object_get(v, "fqdn"));
    const char *site = json_string_value(json_object_get(v, "site"));
    const char *backup = json_string_value(json_object_get(v, "backup"));
    const char *url = json_string_value(json_object_get(v, "url"));
    const char *sip = json_string_value(json_object_get(v, "sip"));
    if (!f || orbit_fqdn_check(f) || !site)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "store: a pool row is corrupt");
    snprintf(out->fqdn, sizeof out->fqdn, "%s", f);
    snprintf(out->site, sizeof out->site, "%s", site);
    snprintf(out->backup, sizeof out->backup, "%s", backup ? backup : "");
    snprintf(out->url, sizeof out->url, "%s", url ? url : "");
    snprintf(out->sip, sizeof out->sip, "%s", sip ? sip : "");
    out->status = POOL_STATUS_UNKNOWN;
    return ORBIT_OK;
}

json_t *store_user_to_json(const orbit_user *u)
{
    char g[ORBIT_NUMBER_BUF];
    return json_pack("{s:s, s:s, s:s?, s:s?, s:s?}", "uri", u->uri, "home", u->home, "pickup_group",
                     u->has_group ? orbit_number_format(&u->pickup_group, g, sizeof g) : NULL,
                     "sip_ha1_md5", u->sip_ha1_md5[0] ? u->sip_ha1_md5 : NULL, "sip_ha1_sha256",
                     u->sip_ha1_sha256[0] ? u->sip_ha1_sha256 : NULL);
}

/* Copies a stored HA1: lower-case hex of exactly the digest's length, or
 * nothing (a user without one cannot authenticate with that digest). */
static bool copy_ha1(const char *hex, size_t digits, char *out, size_t cap)
{
    out[0] = '\0';
    if (!hex || !*hex)
        return true;
    if (strlen(hex) != digits || digits + 1 > cap)
        return false;
    for (size_t i = 0; i < digits; i++) {
        char c = hex[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    memcpy(out, hex, digits + 1);
    return true;
}

orbit_err store_user_ha1s(orbit_user *u, const char *md5, const char *sha256, orbit_status *st)
{
    if (!copy_ha1(md5, 32, u->sip_ha1_md5, sizeof u->sip_ha1_md5) ||
        !copy_ha1(sha256, 64, u->sip_ha1_sha256, sizeof u->sip_ha1_sha256))
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "store: user %s has a corrupt HA1",
                                u->uri);
    return ORBIT_OK;
}

orbit_err store_user_from_json(const json_t *v, orbit_user *out, orbit_status *st)
{
    memset(out, 0, sizeof *out);
    const char *uri = json_string_value(json_object_get(v, "uri"));
    const char *home = json_string_value(json_object_get(v, "home"));
    const char *group = json_string_value(json_object_get(v, "pickup_group"));
    if (!uri || !home || orbit_sip_uri_check(uri) || orbit_fqdn_check(home))
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "store: a user row is corrupt");
    snprintf(out->uri, sizeof out->uri, "%s", uri);
    snprintf(out->home, sizeof out->home, "%s", home);
    if (group) {
        if (orbit_number_parse(group, &out->pickup_group) != ORBIT_NUMBER_OK)
            return orbit_status_set(st, ORBIT_ERR_INTERNAL, "",
                                    "store: user %s has a corrupt group", uri);
        out->has_group = true;
    }
    return store_user_ha1s(out, json_string_value(json_object_get(v, "sip_ha1_md5")),
                           json_string_value(json_object_get(v, "sip_ha1_sha256")), st);
}

orbit_err store_runbook_from_json(const json_t *v, dr_runbook *out, orbit_status *st)
{
    if (dr_runbook_from_json(v, out, st) != ORBIT_OK)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "store: a runbook row is corrupt: %s",
                                st->message);
    return ORBIT_OK;
}
