/* client_target: deployment, token and CA for the client programs. */
#include "client_target.h"

#include "client_depfile.h"
#include "client_url.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool client_target_add_url(client_target_request *r, const char *url)
{
    if (r->nurls >= CLIENT_TARGET_URLS)
        return false;
    snprintf(r->urls[r->nurls++], sizeof r->urls[0], "%s", url);
    return true;
}

static orbit_err add_pool(client_target *t, const char *fqdn, const char *url, orbit_status *st)
{
    char why[300];
    client_url u;
    if (!client_url_parse(url, &u, why, sizeof why))
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "url", "%s", why);
    for (size_t i = 0; i < t->npools; i++) {
        if (client_url_same_endpoint(t->pools[i].url, url))
            return ORBIT_OK; /* the deployment file named it already */
    }
    if (t->npools >= CLIENT_TARGET_URLS)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "url", "more than %d pools",
                                CLIENT_TARGET_URLS);
    client_target_pool *p = &t->pools[t->npools];
    if (snprintf(p->url, sizeof p->url, "%s", url) >= (int)sizeof p->url ||
        !client_url_http_base(url, p->http, sizeof p->http))
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "url", "%.200s: too long", url);
    snprintf(p->fqdn, sizeof p->fqdn, "%s", fqdn ? fqdn : "");
    t->npools++;
    return ORBIT_OK;
}

/* Every pool uses TLS, or none does: a token must not cross in plaintext
 * to one pool of a deployment that protects it on the others. */
static orbit_err check_one_scheme(const client_target *t, orbit_status *st)
{
    client_url first, u;
    for (size_t i = 0; i < t->npools; i++) {
        client_url_parse(t->pools[i].url, &u, NULL, 0);
        if (i == 0)
            first = u;
        else if (u.tls != first.tls)
            return orbit_status_set(
                st, ORBIT_ERR_BAD_REQUEST, "url",
                "%.120s is %s but %.120s is %s: a deployment that uses TLS never gets its "
                "token sent in plaintext; give every pool as wss://",
                t->pools[0].url, first.tls ? "TLS" : "plaintext", t->pools[i].url,
                u.tls ? "TLS" : "plaintext");
    }
    return ORBIT_OK;
}

static orbit_err read_token_file(const char *path, char *out, size_t len, orbit_status *st)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "token_file", "token file %s: %s", path,
                                strerror(errno));
    char line[ORBIT_TOKEN_MAX + 3] = "";
    bool got = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    if (!got || !line[0])
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "token_file", "token file %s is empty",
                                path);
    size_t n = strlen(line);
    if (n >= len)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "token_file",
                                "token file %s: the token is longer than %zu characters", path,
                                len - 1);
    memcpy(out, line, n + 1); /* it fits: checked above */
    return ORBIT_OK;
}

orbit_err client_target_resolve(const client_target_request *r, client_target *t, orbit_status *st)
{
    memset(t, 0, sizeof *t);
    t->clock_scale = 1.0;
    client_depfile dep;
    memset(&dep, 0, sizeof dep);
    orbit_err e = ORBIT_OK;
    if (r->deployment[0]) {
        if ((e = client_depfile_load(r->deployment, &dep, st)) != ORBIT_OK)
            return e;
        for (size_t i = 0; !e && i < dep.npools; i++)
            e = add_pool(t, dep.pools[i].fqdn, dep.pools[i].url, st);
        t->from_file = true;
        t->clock_scale = dep.clock_scale;
        snprintf(t->ca, sizeof t->ca, "%s", dep.ca);
    }
    for (size_t i = 0; !e && i < r->nurls; i++)
        e = add_pool(t, NULL, r->urls[i], st);
    if (!e)
        e = check_one_scheme(t, st);
    if (!e && !t->npools)
        e = orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "url",
                             "which pool? give a pool's URL (ws:// or wss://) or an orbit-demo "
                             "deployment file (--deployment FILE)");
    if (!e) {
        client_url u;
        client_url_parse(t->pools[0].url, &u, NULL, 0);
        t->tls = u.tls;
        if (r->ca[0])
            snprintf(t->ca, sizeof t->ca, "%s", r->ca);
    }
    const char *env = getenv("ORBIT_TOKEN");
    const char *fallback = r->token_role ? client_depfile_token(&dep, r->token_role) : NULL;
    if (e) {
    } else if (r->token_file[0]) {
        e = read_token_file(r->token_file, t->token, sizeof t->token, st);
    } else if (env && *env) {
        if (snprintf(t->token, sizeof t->token, "%s", env) >= (int)sizeof t->token)
            e = orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "token",
                                 "ORBIT_TOKEN is longer than %d characters", ORBIT_TOKEN_MAX);
    } else if (fallback) {
        snprintf(t->token, sizeof t->token, "%s", fallback);
    }
    if (!e && !t->token[0])
        e = orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "token",
                             "no token: set ORBIT_TOKEN or give --token-file FILE");
    client_depfile_free(&dep);
    return e;
}

bool client_target_allows(const client_target *t, const char *url, char *why, size_t whylen)
{
    client_url u;
    if (!client_url_parse(url, &u, why, whylen))
        return false;
    if (t->tls && !u.tls) {
        snprintf(why, whylen, "plaintext ws:// while the deployment uses TLS");
        return false;
    }
    for (size_t i = 0; i < t->npools; i++) {
        if (client_url_same_endpoint(t->pools[i].url, url))
            return true;
    }
    snprintf(why, whylen, "not a pool of the configured deployment");
    return false;
}

orbit_err client_target_add_pool(client_target *t, const char *fqdn, const char *url,
                                 orbit_status *st)
{
    client_url u;
    char why[300];
    if (!client_url_parse(url, &u, why, sizeof why))
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "url", "%s", why);
    if (t->npools && u.tls != t->tls)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "url",
                                "%.200s is %s but the deployment is %s: give the new pool as %s",
                                url, u.tls ? "TLS" : "plaintext", t->tls ? "TLS" : "plaintext",
                                t->tls ? "wss://" : "ws://");
    if (!t->npools)
        t->tls = u.tls;
    return add_pool(t, fqdn, url, st);
}

bool client_target_allow_hook(void *ctx, const char *url, char *why, size_t whylen)
{
    return client_target_allows(ctx, url, why, whylen);
}

const client_target_pool *client_target_find(const client_target *t, const char *fqdn)
{
    for (size_t i = 0; fqdn && *fqdn && i < t->npools; i++) {
        if (strcmp(t->pools[i].fqdn, fqdn) == 0)
            return &t->pools[i];
    }
    return NULL;
}
