/* ctl_session: options, token, connection and exit codes for orbitctl. */
#include "ctl_session.h"

#include "client_depfile.h"
#include "orbit_time.h"

#include <ctype.h>
#include <errno.h>
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
    char *text = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (text) {
        printf("%s\n", text);
        free(text);
    }
    fflush(stdout);
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
        fprintf(stderr, "orbitctl: %s: %s\n", orbit_err_name(st->code), st->message);
    }
    return ctl_exit_for(st->code);
}

int ctl_fail_local(ctl *c, const orbit_status *st)
{
    ctl_fail(c, st);
    return CTL_EXIT_FAILED;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

int ctl_defaults(ctl_options *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    o->timeout_s = 10;
    char path[1200];
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(path, sizeof path, "%s/orbit/orbitctl.conf", xdg);
    else if (home && *home)
        snprintf(path, sizeof path, "%s/.config/orbit/orbitctl.conf", home);
    else
        path[0] = '\0';
    FILE *f = path[0] ? fopen(path, "r") : NULL;
    char line[1400];
    int lineno = 0;
    while (f && fgets(line, sizeof line, f)) {
        lineno++;
        char *s = trim(line);
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, errlen, "%s:%d: expected key = value", path, lineno);
            fclose(f);
            return CTL_EXIT_USAGE;
        }
        *eq = '\0';
        char *k = trim(s), *v = trim(eq + 1);
        struct {
            const char *key;
            char *dst;
            size_t len;
        } keys[] = {
            {"url", o->url, sizeof o->url},    {"deployment", o->deployment, sizeof o->deployment},
            {"pool", o->pool, sizeof o->pool}, {"token_file", o->token_file, sizeof o->token_file},
            {"ca", o->ca, sizeof o->ca},       {"vault", o->vault_dir, sizeof o->vault_dir}};
        bool known = false;
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
            if (strcmp(k, keys[i].key) == 0) {
                snprintf(keys[i].dst, keys[i].len, "%s", v);
                known = true;
            }
        }
        if (!known) {
            snprintf(err, errlen, "%s:%d: unknown setting '%s'", path, lineno, k);
            fclose(f);
            return CTL_EXIT_USAGE;
        }
    }
    if (f)
        fclose(f);
    const char *env = getenv("ORBIT_URL");
    if (env && *env)
        snprintf(o->url, sizeof o->url, "%s", env);
    return CTL_EXIT_OK;
}

static bool read_token_file(const char *path, char *out, size_t len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "token file %s: %s", path, strerror(errno));
        return false;
    }
    bool ok = fgets(out, (int)len, f) != NULL;
    fclose(f);
    out[strcspn(out, "\r\n")] = '\0';
    if (!ok || !*out)
        snprintf(err, errlen, "token file %s is empty", path);
    return ok && *out;
}

/* ws://h:p/v1/stream -> http://h:p */
static void http_from_url(const char *url, char *out, size_t len)
{
    bool tls = strncmp(url, "wss://", 6) == 0;
    const char *host = url + (tls ? 6 : (strncmp(url, "ws://", 5) == 0 ? 5 : 0));
    size_t hl = strcspn(host, "/");
    snprintf(out, len, "%s://%.*s", tls ? "https" : "http", (int)hl, host);
}

int ctl_open(ctl *c, bool subscribe, bool discover)
{
    char err[CTL_ERR_MAX];
    const char *env_token = getenv("ORBIT_TOKEN");
    client_depfile dep;
    memset(&dep, 0, sizeof dep);
    bool have_dep = false;
    orbit_status st;
    if (c->opt.deployment[0]) {
        if (client_depfile_load(c->opt.deployment, &dep, &st) != ORBIT_OK) {
            fprintf(stderr, "orbitctl: %s\n", st.message);
            return CTL_EXIT_USAGE;
        }
        have_dep = true;
        const client_depfile_pool *p =
            c->opt.pool[0] ? client_depfile_pool_find(&dep, c->opt.pool) : &dep.pools[0];
        if (!p) {
            fprintf(stderr, "orbitctl: no pool %s in %s\n", c->opt.pool, c->opt.deployment);
            client_depfile_free(&dep);
            return CTL_EXIT_USAGE;
        }
        snprintf(c->url, sizeof c->url, "%s", p->url);
        snprintf(c->http, sizeof c->http, "%s", p->http);
        if (!c->opt.ca[0] && dep.ca[0])
            snprintf(c->opt.ca, sizeof c->opt.ca, "%s", dep.ca);
    } else if (c->opt.url[0]) {
        snprintf(c->url, sizeof c->url, "%s", c->opt.url);
        http_from_url(c->url, c->http, sizeof c->http);
    } else {
        fprintf(stderr, "orbitctl: which pool? give --url URL, ORBIT_URL, or --deployment "
                        "FILE\n");
        return CTL_EXIT_USAGE;
    }
    /* The token: ORBIT_TOKEN, a token file, or (for a local demo) the
     * deployment file, which is readable by its owner only. */
    if (c->opt.token_file[0]) {
        if (!read_token_file(c->opt.token_file, c->token, sizeof c->token, err, sizeof err)) {
            fprintf(stderr, "orbitctl: %s\n", err);
            client_depfile_free(&dep);
            return CTL_EXIT_USAGE;
        }
    } else if (env_token && *env_token) {
        snprintf(c->token, sizeof c->token, "%s", env_token);
    } else if (have_dep && dep.operator_token[0]) {
        snprintf(c->token, sizeof c->token, "%s", dep.operator_token);
    }
    client_depfile_free(&dep);
    if (!c->token[0]) {
        fprintf(stderr, "orbitctl: no token: set ORBIT_TOKEN or give --token-file FILE\n");
        return CTL_EXIT_USAGE;
    }
    const char *user = getenv("USER");
    char host[64] = "";
    gethostname(host, sizeof host - 1);
    snprintf(c->who, sizeof c->who, "%s@%s (orbitctl)", user ? user : "operator", host);
    client_options o = {.token = c->token,
                        .client_name = "orbitctl/" ORBIT_VERSION,
                        .ca_file = c->opt.ca[0] ? c->opt.ca : NULL,
                        .discover = discover,
                        .subscribe = subscribe,
                        .cmd_timeout_ms = (int)(c->opt.timeout_s * 1000)};
    c->hub = client_hub_new(&o, NULL, NULL, &st);
    c->rest = c->hub ? client_rest_new(c->hub, o.ca_file, &st) : NULL;
    if (!c->rest) {
        fprintf(stderr, "orbitctl: %s\n", st.message);
        return CTL_EXIT_FAILED;
    }
    return CTL_EXIT_OK;
}

void ctl_close(ctl *c)
{
    client_rest_free(c->rest);
    client_hub_free(c->hub);
    client_vault_close(c->vault);
    c->rest = NULL;
    c->hub = NULL;
    c->vault = NULL;
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
    if (!w.ok)
        return ctl_fail(c, &w.st);
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
        return ctl_fail(c, &st);
    }
    if (!g.body) {
        orbit_status_set(&st, ORBIT_ERR_INTERNAL, "", "%s: unreadable answer", url);
        return ctl_fail(c, &st);
    }
    *out = g.body;
    return CTL_EXIT_OK;
}

int ctl_vault(ctl *c, client_vault **out)
{
    if (!c->vault) {
        orbit_status st;
        if (client_vault_open(c->opt.vault_dir[0] ? c->opt.vault_dir : NULL, &c->vault, &st) !=
            ORBIT_OK)
            return ctl_fail_local(c, &st);
    }
    *out = c->vault;
    return CTL_EXIT_OK;
}
