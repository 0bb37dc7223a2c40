/* client_moh: vault first, upload second, verify last. */
#include "client_moh.h"

#include "orbit_json.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct client_moh_upload {
    client_rest *rest;
    client_vault *vault;
    char pool[ORBIT_FQDN_MAX + 1];
    char name[256];
    char who[128];
    uint64_t size;
    client_rest_req *req;
    client_moh_done_fn done;
    client_rest_progress_fn progress;
    void *ctx;
    client_moh_result result;
};

static bool on_progress(void *ctx, uint64_t sent, uint64_t total)
{
    client_moh_upload *u = ctx;
    return u->progress ? u->progress(u->ctx, sent, total) : true;
}

static void on_done(void *ctx, long status, const char *body, size_t len, const orbit_status *err)
{
    client_moh_upload *u = ctx;
    client_moh_result *r = &u->result;
    json_t *doc = body ? json_loadb(body, len, 0, NULL) : NULL;
    if (err) {
        r->err = *err;
    } else if (status != 200) {
        const json_t *e = json_object_get(doc, "error");
        const char *code = json_string_value(json_object_get(e, "code"));
        const char *msg = json_string_value(json_object_get(e, "message"));
        orbit_err c = ORBIT_ERR_INTERNAL;
        orbit_err_from_name(code, &c);
        orbit_status_set(&r->err, c, "", "%s (HTTP %ld)", msg ? msg : "upload refused", status);
    } else {
        orbit_status st;
        if (orbit_json_to_moh(json_object_get(doc, "data"), ORBIT_JSON_LENIENT, &r->moh, &st) !=
            ORBIT_OK) {
            orbit_status_set(&r->err, ORBIT_ERR_INTERNAL, "", "the pool's answer is unreadable");
        } else {
            snprintf(r->pool_sha256, sizeof r->pool_sha256, "%s", r->moh.sha256);
            if (strcmp(r->pool_sha256, r->sha256) != 0)
                orbit_status_set(&r->err, ORBIT_ERR_INTERNAL, "",
                                 "checksum mismatch: the file is %.12s..., the pool has %.12s...",
                                 r->sha256, r->pool_sha256);
            else
                r->ok = true;
        }
    }
    json_decref(doc);
    u->req = NULL;
    /* The vault lists the upload either way; only a verified one can be
     * restored. A cancelled upload is not an answer from the pool. */
    bool cancelled = err && strstr(err->message, "cancel");
    char failure[ORBIT_STATUS_MESSAGE_MAX + 32];
    snprintf(failure, sizeof failure, "%s: %s", orbit_err_name(r->err.code), r->err.message);
    orbit_status vst;
    if (!cancelled &&
        client_vault_record_moh(u->vault, u->pool, r->sha256, u->name, u->size, u->who, r->ok,
                                r->ok ? NULL : failure, &vst) != ORBIT_OK &&
        r->ok) {
        r->ok = false;
        orbit_status_set(&r->err, ORBIT_ERR_INTERNAL, "",
                         "uploaded and verified, but not recorded in the vault: %s", vst.message);
    }
    if (u->done)
        u->done(u->ctx, r);
    free(u);
}

client_moh_upload *client_moh_upload_start(client_rest *rest, client_vault *vault, const char *pool,
                                           const char *http_base, const char *token,
                                           const char *path, const char *name, const char *who,
                                           client_rest_progress_fn progress,
                                           client_moh_done_fn done, void *ctx, orbit_status *st)
{
    client_moh_upload *u = calloc(1, sizeof *u);
    if (!u) {
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
        return NULL;
    }
    char copy[1024];
    snprintf(copy, sizeof copy, "%s", path);
    const char *shown = name && *name ? name : basename(copy);
    /* The backup comes first: an upload never happens without one. */
    if (client_vault_keep_moh(vault, pool, path, u->result.sha256, st) != ORBIT_OK) {
        free(u);
        return NULL;
    }
    struct stat sb;
    u->size = stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
    u->vault = vault;
    snprintf(u->pool, sizeof u->pool, "%s", pool);
    snprintf(u->name, sizeof u->name, "%s", shown);
    snprintf(u->who, sizeof u->who, "%s", who ? who : "");
    snprintf(u->result.vault_path, sizeof u->result.vault_path, "%s/%s/objects/%s",
             client_vault_dir(vault), pool, u->result.sha256);
    u->rest = rest;
    u->done = done;
    u->progress = progress;
    u->ctx = ctx;
    char url[600], h_name[300], h_sha[120];
    snprintf(url, sizeof url, "%s/v1/moh", http_base);
    snprintf(h_name, sizeof h_name, "X-Orbit-Filename: %s", shown);
    snprintf(h_sha, sizeof h_sha, "X-Orbit-Sha256: %s", u->result.sha256);
    const char *headers[] = {h_name, h_sha, NULL};
    u->req = client_rest_put_file(rest, url, token, path, headers, on_progress, on_done, u, st);
    if (!u->req) {
        free(u);
        return NULL;
    }
    return u;
}

void client_moh_upload_cancel(client_moh_upload *u)
{
    if (u && u->req)
        client_rest_cancel(u->rest, u->req);
}
