/* ctl_session: options, token, connection, output and exit codes for
 * orbitctl. */
#include "ctl_session.h"

#include "client_conf.h"
#include "client_text.h"
#include "orbit_time.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ctl_exit_for(orbit_err code)
{
    switch (code) {
    case ORBIT_OK:
        return CTL_EXIT_OK;
    case ORBIT_ERR_UNAUTHORIZED:
    case ORBIT_ERR_FORBIDDEN:
        return CTL_EXIT_AUTH;
    case ORBIT_ERR_POOL_UNREACHABLE:
        return CTL_EXIT_UNREACHABLE;
    case ORBIT_ERR_INTERNAL:
        return CTL_EXIT_FAILED;
    default:
        return CTL_EXIT_REFUSED;
    }
}

void ctl_print_json(const json_t *v)
{
    /* ASCII only: a C1 control or a bidi override from a pool arrives as
     * a \u escape, not as a character a terminal would act on. */
    char *text = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    if (text) {
        printf("%s\n", text);
        free(text);
    }
    fflush(stdout);
}

void ctl_line(FILE *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *raw = NULL;
    int n = vasprintf(&raw, fmt, ap);
    va_end(ap);
    char *shown = n >= 0 ? client_text_visible_dup(raw, 0) : NULL;
    if (shown) {
        fputs(shown, out);
        fputc('\n', out);
    } else {
        fputs("orbitctl: out of memory\n", stderr);
    }
    free(shown);
    free(n >= 0 ? raw : NULL);
    fflush(out);
}

int ctl_fail(ctl *c, const orbit_status *st)
{
    if (c->opt.json) {
        json_t *e = json_pack("{s:b, s:{s:s, s:s}}", "ok", 0, "error", "code",
                              orbit_err_name(st->code), "message", st->message);
        if (e && st->field[0])
            json_object_set_new(json_object_get(e, "error"), "field", json_string(st->field));
        ctl_print_json(e);
        json_decref(e);
    } else {
        ctl_line(stderr, "orbitctl: %s: %s", orbit_err_name(st->code), st->message);
    }
    return ctl_exit_for(st->code);
}

int ctl_fail_answered(ctl *c, const orbit_status *st)
{
    ctl_fail(c, st);
    return st->code == ORBIT_ERR_UNAUTHORIZED || st->code == ORBIT_ERR_FORBIDDEN ? CTL_EXIT_AUTH
                                                                                 : CTL_EXIT_REFUSED;
}

int ctl_fail_local(ctl *c, const orbit_status *st)
{
    ctl_fail(c, st);
    return CTL_EXIT_FAILED;
}

/* ---- configuration ---- */

static bool take_setting(void *ctx, const char *key, const char *value, int line, char *why,
                         size_t whylen)
{
    ctl_options *o = ctx;
    (void)line;
    struct {
        const char *key;
        char *dst;
        size_t len;
    } keys[] = {{"url", o->url, sizeof o->url},
                {"deployment", o->deployment, sizeof o->deployment},
                {"pool", o->pool, sizeof o->pool},
                {"token_file", o->token_file, sizeof o->token_file},
                {"ca", o->ca, sizeof o->ca},
                {"vault", o->vault_dir, sizeof o->vault_dir},
                {"deployment_name", o->deployment_name, sizeof o->deployment_name}};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (strcmp(key, keys[i].key) == 0)
            return client_conf_copy(keys[i].dst, keys[i].len, value, why, whylen);
    }
    snprintf(why, whylen,
             "unknown setting '%s' (url, deployment, pool, token_file, ca, vault, "
             "deployment_name)",
             key);
    return false;
}

int ctl_defaults(ctl_options *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    o->timeout_s = 10;
    char path[CLIENT_PATH_MAX];
    orbit_status st;
    if (client_conf_path("orbitctl.conf", path, sizeof path) &&
        client_conf_read(path, true, take_setting, o, &st) != ORBIT_OK) {
        snprintf(err, errlen, "%s", st.message);
        return CTL_EXIT_USAGE;
    }
    const char *env = getenv("ORBIT_URL");
    if (env && *env)
        snprintf(o->url, sizeof o->url, "%s", env);
    return CTL_EXIT_OK;
}

/* ---- session ---- */

static void use_live_pool(ctl *c);

int ctl_open_with(ctl *c, bool subscribe, bool discover, const client_hooks *hooks, void *ctx)
{
    if (c->hub)
        return CTL_EXIT_OK; /* the vault's lookup opened the session already */
    client_target_request *req = calloc(1, sizeof *req);
    c->target = c->target ? c->target : calloc(1, sizeof *c->target);
    if (!req || !c->target) {
        free(req);
        fprintf(stderr, "orbitctl: out of memory\n");
        return CTL_EXIT_FAILED;
    }
    req->program = "orbitctl";
    req->token_role = "operator";
    snprintf(req->deployment, sizeof req->deployment, "%s", c->opt.deployment);
    snprintf(req->token_file, sizeof req->token_file, "%s", c->opt.token_file);
    snprintf(req->ca, sizeof req->ca, "%s", c->opt.ca);
    /* A deployment file names every pool; a URL beside it would only
     * widen where the token may go. */
    if (!c->opt.deployment[0] && c->opt.url[0])
        client_target_add_url(req, c->opt.url);
    orbit_status st;
    orbit_err e = client_target_resolve(req, c->target, &st);
    free(req);
    if (e) {
        ctl_line(stderr, "orbitctl: %s", st.message);
        return CTL_EXIT_USAGE;
    }
    const client_target_pool *p = &c->target->pools[0];
    if (c->opt.pool[0] && !(p = client_target_find(c->target, c->opt.pool))) {
        ctl_line(stderr, "orbitctl: no pool %s in %s", c->opt.pool,
                 c->opt.deployment[0] ? c->opt.deployment : "the configured pools");
        return CTL_EXIT_USAGE;
    }
    snprintf(c->url, sizeof c->url, "%s", p->url);
    snprintf(c->http, sizeof c->http, "%s", p->http);
    snprintf(c->token, sizeof c->token, "%s", c->target->token);
    const char *user = getenv("USER");
    char host[64] = "";
    gethostname(host, sizeof host - 1);
    snprintf(c->who, sizeof c->who, "%s@%s (orbitctl)", user ? user : "operator", host);
    /* The pool logs the client's name: say whose orbitctl this is. */
    char name[ORBIT_CLIENT_NAME_MAX + 1];
    snprintf(name, sizeof name, "orbitctl/%s %.24s@%.24s", ORBIT_VERSION, user ? user : "operator",
             host);
    client_options o = {.token = c->token,
                        .client_name = name,
                        .ca_file = c->target->ca[0] ? c->target->ca : NULL,
                        .plaintext_only = !c->target->tls,
                        .discover = discover,
                        .allow_url = client_target_allow_hook,
                        .allow_ctx = c->target,
                        .subscribe = subscribe,
                        .cmd_timeout_ms = (int)(c->opt.timeout_s * 1000)};
    c->hub = client_hub_new(&o, hooks, ctx, &st);
    c->rest = c->hub ? client_rest_new(c->hub, o.ca_file, &st) : NULL;
    if (!c->rest) {
        ctl_line(stderr, "orbitctl: %s", st.message);
        return CTL_EXIT_FAILED;
    }
    if (!c->opt.pool[0] && c->target->npools > 1)
        use_live_pool(c);
    return CTL_EXIT_OK;
}

/* ---- a live pool of the deployment ---- */

typedef struct {
    bool done;
    bool up;
} health_probe;

static void on_health(void *ctx, long status, const char *body, size_t len, const orbit_status *err)
{
    (void)body;
    (void)len;
    health_probe *h = ctx;
    h->done = true;
    h->up = !err && status == 200;
}

/* Every configured pool is asked GET /v1/health at once; the first in
 * the configured order that answers is used, so a deployment whose first
 * pool is down (the outage orbitctl exists for) is still reachable. */
static void use_live_pool(ctl *c)
{
    size_t n = c->target->npools;
    health_probe *probes = calloc(n, sizeof *probes);
    client_rest_req **reqs = calloc(n, sizeof *reqs);
    if (!probes || !reqs) {
        free(probes);
        free(reqs);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char url[CLIENT_URL_MAX + 16];
        orbit_status st;
        snprintf(url, sizeof url, "%s/v1/health", c->target->pools[i].http);
        reqs[i] = client_rest_get(c->rest, url, NULL, on_health, &probes[i], &st);
        probes[i].done = !reqs[i];
    }
    int64_t until = orbit_time_mono_ms() + (int64_t)(c->opt.timeout_s * 1000);
    size_t chosen = n;
    while (chosen == n && orbit_time_mono_ms() < until) {
        size_t i = 0;
        while (i < n && probes[i].done && !probes[i].up)
            i++; /* earlier pools that did not answer */
        if (i == n)
            break; /* none answers: the first one's error will say why */
        if (probes[i].done) {
            chosen = i;
            break;
        }
        client_hub_service(c->hub);
    }
    for (size_t i = 0; i < n; i++) {
        if (!probes[i].done)
            client_rest_cancel(c->rest, reqs[i]); /* its callback runs now */
    }
    if (chosen > 0 && chosen < n) {
        const client_target_pool *p = &c->target->pools[chosen];
        ctl_line(stderr, "orbitctl: %s does not answer; using %s",
                 c->target->pools[0].fqdn[0] ? c->target->pools[0].fqdn : c->target->pools[0].url,
                 p->fqdn[0] ? p->fqdn : p->url);
        snprintf(c->url, sizeof c->url, "%s", p->url);
        snprintf(c->http, sizeof c->http, "%s", p->http);
    }
    free(probes);
    free(reqs);
}

int ctl_open(ctl *c, bool subscribe, bool discover)
{
    return ctl_open_with(c, subscribe, discover, NULL, NULL);
}

void ctl_close(ctl *c)
{
    client_rest_free(c->rest);
    client_hub_free(c->hub);
    client_vault_close(c->vault);
    free(c->target);
    c->rest = NULL;
    c->hub = NULL;
    c->vault = NULL;
    c->target = NULL;
}

int ctl_use_pool_url(ctl *c, const char *fqdn, const char *url)
{
    const client_target_pool *p = client_target_find(c->target, fqdn);
    char why[200];
    if (!p && !client_target_allows(c->target, url, why, sizeof why)) {
        ctl_line(stderr,
                 "orbitctl: %s is at %s by its pools' account, which is %s; the token is not "
                 "sent there (give --deployment FILE, or that pool's URL with --url)",
                 fqdn, url, why);
        return CTL_EXIT_USAGE;
    }
    snprintf(c->url, sizeof c->url, "%s", p ? p->url : url);
    for (size_t i = 0; !p && i < c->target->npools; i++) {
        if (strcmp(c->target->pools[i].url, url) == 0)
            p = &c->target->pools[i];
    }
    if (p)
        snprintf(c->http, sizeof c->http, "%s", p->http);
    return CTL_EXIT_OK;
}

int ctl_wait(ctl *c, const bool *done)
{
    int64_t until = orbit_time_mono_ms() + (int64_t)(c->opt.timeout_s * 1000);
    while (!*done && orbit_time_mono_ms() < until)
        client_hub_service(c->hub);
    return *done ? CTL_EXIT_OK : CTL_EXIT_UNREACHABLE;
}

int ctl_connect(ctl *c)
{
    orbit_status st;
    c->conn = client_hub_add(c->hub, c->url, &st);
    if (!c->conn)
        return ctl_fail(c, &st);
    int64_t until = orbit_time_mono_ms() + (int64_t)(c->opt.timeout_s * 1000);
    while (orbit_time_mono_ms() < until) {
        client_hub_service(c->hub);
        if (client_conn_get_state(c->conn) == CLIENT_CONN_LIVE)
            return CTL_EXIT_OK;
        /* A CLI does not retry forever: one failed attempt is an answer. */
        if (client_conn_attempts(c->conn) > 0) {
            const char *why = client_conn_error(c->conn);
            bool auth = strstr(why, "4401") || strstr(why, "unauthorized");
            orbit_status_set(&st, auth ? ORBIT_ERR_UNAUTHORIZED : ORBIT_ERR_POOL_UNREACHABLE, "",
                             "%s: %s", c->url, why[0] ? why : "cannot connect");
            return ctl_fail(c, &st);
        }
    }
    orbit_status_set(&st, ORBIT_ERR_POOL_UNREACHABLE, "", "%s: no answer within %.0f s", c->url,
                     c->opt.timeout_s);
    return ctl_fail(c, &st);
}

typedef struct {
    bool done;
    bool ok;
    bool answered;
    json_t *data;
    orbit_status st;
} cmd_wait;

static void on_result(void *ctx, client_conn *conn, bool ok, const json_t *data,
                      const orbit_status *err)
{
    (void)conn;
    cmd_wait *w = ctx;
    w->done = true;
    w->ok = ok;
    w->answered = client_result_answered(ok, data);
    if (ok)
        w->data = json_incref((json_t *)data);
    else
        w->st = *err;
}

int ctl_cmd(ctl *c, client_conn *conn, const char *op, json_t *args, json_t **data)
{
    cmd_wait w = {0};
    orbit_status st;
    if (!client_conn_cmd(conn, op, args, on_result, &w, &st))
        return ctl_fail(c, &st);
    int rc = ctl_wait(c, &w.done);
    if (rc) {
        orbit_status_set(&st, ORBIT_ERR_POOL_UNREACHABLE, "", "%s: no answer", op);
        return ctl_fail(c, &st);
    }
    if (!w.ok) /* answered by the pool: a refusal, whatever its code */
        return w.answered ? ctl_fail_answered(c, &w.st) : ctl_fail(c, &w.st);
    if (data)
        *data = w.data ? w.data : json_object();
    else
        json_decref(w.data);
    return CTL_EXIT_OK;
}

typedef struct {
    bool done;
    long status;
    json_t *body;
    orbit_status st;
    bool failed;
} get_wait;

static void on_get(void *ctx, long status, const char *body, size_t len, const orbit_status *err)
{
    get_wait *g = ctx;
    g->done = true;
    g->status = status;
    if (err) {
        g->failed = true;
        g->st = *err;
        return;
    }
    g->body = json_loadb(body ? body : "", len, 0, NULL);
}

int ctl_get(ctl *c, const char *base, const char *path, json_t **out)
{
    char url[1200];
    snprintf(url, sizeof url, "%s%s", base ? base : c->http, path);
    get_wait g = {0};
    orbit_status st;
    if (!client_rest_get(c->rest, url, c->token, on_get, &g, &st))
        return ctl_fail(c, &st);
    if (ctl_wait(c, &g.done)) {
        orbit_status_set(&st, ORBIT_ERR_POOL_UNREACHABLE, "", "%s: no answer", url);
        return ctl_fail(c, &st);
    }
    if (g.failed)
        return ctl_fail(c, &g.st);
    if (g.status != 200) {
        const json_t *e = json_object_get(g.body, "error");
        orbit_err code = ORBIT_ERR_INTERNAL;
        orbit_err_from_name(json_string_value(json_object_get(e, "code")), &code);
        const char *msg = json_string_value(json_object_get(e, "message"));
        orbit_status_set(&st, code, "", "%s: %s", url, msg ? msg : "refused");
        json_decref(g.body);
        return ctl_fail_answered(c, &st);
    }
    if (!g.body) {
        orbit_status_set(&st, ORBIT_ERR_INTERNAL, "", "%s: unreadable answer", url);
        return ctl_fail(c, &st);
    }
    *out = g.body;
    return CTL_EXIT_OK;
}

/* The vault's name for the deployment: chosen, or from its pools. */
static int deployment_id(ctl *c, char out[CLIENT_VAULT_NAME_MAX + 1])
{
    if (c->opt.deployment_name[0]) {
        const char *bad = client_vault_name_check(c->opt.deployment_name);
        if (bad) {
            ctl_line(stderr, "orbitctl: deployment_name %s: %s", c->opt.deployment_name, bad);
            return CTL_EXIT_USAGE;
        }
        snprintf(out, CLIENT_VAULT_NAME_MAX + 1, "%s", c->opt.deployment_name);
        return CTL_EXIT_OK;
    }
    client_vault_pool pools[CLIENT_TARGET_URLS];
    if (c->target->from_file) {
        size_t n = 0;
        for (size_t i = 0; i < c->target->npools; i++) {
            if (c->target->pools[i].fqdn[0] &&
                strcmp(c->target->pools[i].fqdn, c->vault_exclude) != 0)
                pools[n++] = (client_vault_pool){c->target->pools[i].fqdn, c->target->pools[i].url};
        }
        client_vault_deployment_id(pools, n, out);
        return CTL_EXIT_OK;
    }
    /* Given a pool's URL only: the deployment is the pools it lists. */
    json_t *state = NULL;
    int rc = ctl_get(c, NULL, "/v1/state", &state);
    if (rc) {
        ctl_line(stderr, "orbitctl: the vault keeps each deployment apart and this one could not "
                         "be identified; give --deployment FILE or set deployment_name in "
                         "orbitctl.conf");
        return rc;
    }
    const json_t *list = json_object_get(state, "pools"), *p;
    size_t i, n = 0;
    json_array_foreach(list, i, p)
    {
        const char *fqdn = json_string_value(json_object_get(p, "fqdn"));
        const char *url = json_string_value(json_object_get(p, "url"));
        if (fqdn && url && n < CLIENT_TARGET_URLS && strcmp(fqdn, c->vault_exclude) != 0)
            pools[n++] = (client_vault_pool){fqdn, url};
    }
    client_vault_deployment_id(pools, n, out);
    json_decref(state);
    return CTL_EXIT_OK;
}

int ctl_vault(ctl *c, client_vault **out)
{
    if (!c->vault) {
        if (!c->target) {
            int rc = ctl_open(c, false, false);
            if (rc)
                return rc;
        }
        char id[CLIENT_VAULT_NAME_MAX + 1];
        int rc = deployment_id(c, id);
        if (rc)
            return rc;
        orbit_status st;
        if (client_vault_open(c->opt.vault_dir[0] ? c->opt.vault_dir : NULL, id, &c->vault, &st) !=
            ORBIT_OK)
            return ctl_fail_local(c, &st);
    }
    *out = c->vault;
    return CTL_EXIT_OK;
}
