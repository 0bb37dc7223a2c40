/* client_depfile: deployment.json as orbit-demo writes it. */
#include "client_depfile.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void copy(char *dst, size_t cap, const json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    snprintf(dst, cap, "%s", v ? v : "");
}

orbit_err client_depfile_load(const char *path, client_depfile *out, orbit_status *st)
{
    memset(out, 0, sizeof *out);
    json_error_t err;
    json_t *doc = json_load_file(path, 0, &err);
    if (!doc)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "deployment", "%s: %s", path, err.text);
    json_t *pools = json_object_get(doc, "pools");
    if (!json_is_array(pools) || json_array_size(pools) == 0) {
        json_decref(doc);
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "deployment", "%s lists no pools", path);
    }
    out->npools = json_array_size(pools);
    out->pools = calloc(out->npools, sizeof *out->pools);
    if (!out->pools) {
        json_decref(doc);
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    }
    for (size_t i = 0; i < out->npools; i++) {
        json_t *p = json_array_get(pools, i);
        copy(out->pools[i].fqdn, sizeof out->pools[i].fqdn, p, "fqdn");
        copy(out->pools[i].url, sizeof out->pools[i].url, p, "url");
    }
    json_t *tokens = json_object_get(doc, "tokens");
    copy(out->viewer, sizeof out->viewer, tokens, "viewer");
    copy(out->operator_token, sizeof out->operator_token, tokens, "operator");
    copy(out->endpoint, sizeof out->endpoint, tokens, "endpoint");
    copy(out->ca, sizeof out->ca, doc, "ca");
    json_t *scale = json_object_get(doc, "clock_scale");
    out->clock_scale = json_is_number(scale) ? json_number_value(scale) : 1.0;
    if (out->clock_scale <= 0)
        out->clock_scale = 1.0;
    json_decref(doc);
    return ORBIT_OK;
}

void client_depfile_free(client_depfile *d)
{
    free(d->pools);
    d->pools = NULL;
    d->npools = 0;
}

const client_depfile_pool *client_depfile_pool_find(const client_depfile *d, const char *fqdn)
{
    for (size_t i = 0; fqdn && i < d->npools; i++) {
        if (strcmp(d->pools[i].fqdn, fqdn) == 0)
            return &d->pools[i];
    }
    return NULL;
}

const char *client_depfile_token(const client_depfile *d, const char *role)
{
    if (strcmp(role, "viewer") == 0)
        return d->viewer[0] ? d->viewer : NULL;
    if (strcmp(role, "operator") == 0)
        return d->operator_token[0] ? d->operator_token : NULL;
    if (strcmp(role, "endpoint") == 0)
        return d->endpoint[0] ? d->endpoint : NULL;
    return NULL;
}
