/* tui_options: configuration file, command line, target, theme, keys. */
#include "tui_options.h"

#include "client_conf.h"
#include "tui_keys.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BINDINGS 128

typedef struct {
    tui_app *a;
    client_target_request *req;
    char config_path[CLIENT_PATH_MAX];
    tui_binding binds[MAX_BINDINGS];
    size_t nbinds;
} loader;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: orbitop [options] URL...\n"
            "       orbitop [options] --deployment DIR/deployment.json\n"
            "  URL                   a pool's stream URL (ws:// or wss://); give every pool's,\n"
            "                        or a deployment file: the token goes to those only\n"
            "  --deployment FILE     an orbit-demo deployment.json\n"
            "  --token-file FILE     the token (else ORBIT_TOKEN, the config file, or the\n"
            "                        deployment's operator token)\n"
            "  --read-only           watch only: no actions, nothing written to the vault\n"
            "  --theme NAME          default, light, monochrome, high-contrast, or a file\n"
            "  --no-color            no colours (also NO_COLOR)\n"
            "  --ascii               ASCII drawing (automatic outside UTF-8 locales)\n"
            "  --no-mouse            leave the mouse to the terminal\n"
            "  --ca FILE             CA certificate for wss:// pools\n"
            "  --vault DIR           backup vault (default $XDG_DATA_HOME/orbit/backup)\n"
            "  --deployment-name N   the vault's name for the deployment (default: from its\n"
            "                        pools)\n"
            "  --rto SECONDS         the recovery-time objective runbooks watch a failover or\n"
            "                        failback against (default 1800, Lync 2013's)\n"
            "  -h, --help            this text;  -V, --version\n"
            "Config: $XDG_CONFIG_HOME/orbit/orbitop.conf (url, deployment, token_file, theme,\n"
            "ca, vault, deployment_name, read_only, ascii, no_color, mouse, rto, and\n"
            "bind.COMMAND = KEY to rebind keys). Keys, commands and words: ? in the console.\n");
}

static bool flag(const char *value, bool *out, char *why, size_t whylen)
{
    if (client_conf_bool(value, out))
        return true;
    snprintf(why, whylen, "'%s' is not yes or no", value);
    return false;
}

static bool rto_value(const char *value, int *out, char *why, size_t whylen)
{
    char *end;
    long v = strtol(value, &end, 10);
    if (end == value || *end || v < 1 || v > 86400) {
        snprintf(why, whylen, "rto is seconds, 1 to 86400, not '%s'", value);
        return false;
    }
    *out = (int)v;
    return true;
}

static bool take_setting(void *ctx, const char *key, const char *value, int line, char *why,
                         size_t whylen)
{
    loader *l = ctx;
    tui_options *o = &l->a->opt;
    if (strncmp(key, "bind.", 5) == 0) {
        if (l->nbinds == MAX_BINDINGS) {
            snprintf(why, whylen, "more than %d bindings", MAX_BINDINGS);
            return false;
        }
        tui_binding *b = &l->binds[l->nbinds++];
        snprintf(b->name, sizeof b->name, "%s", key + 5);
        snprintf(b->keys, sizeof b->keys, "%s", value);
        b->line = line;
        return true;
    }
    if (strcmp(key, "url") == 0) {
        if (client_target_add_url(l->req, value))
            return true;
        snprintf(why, whylen, "too many urls");
        return false;
    }
    bool mouse = true;
    struct {
        const char *key;
        char *dst;
        size_t len;
    } paths[] = {{"deployment", l->req->deployment, sizeof l->req->deployment},
                 {"token_file", l->req->token_file, sizeof l->req->token_file},
                 {"ca", l->req->ca, sizeof l->req->ca},
                 {"theme", o->theme, sizeof o->theme},
                 {"vault", o->vault_dir, sizeof o->vault_dir},
                 {"deployment_name", o->deployment_name, sizeof o->deployment_name}};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        if (strcmp(key, paths[i].key) == 0)
            return client_conf_copy(paths[i].dst, paths[i].len, value, why, whylen);
    }
    if (strcmp(key, "read_only") == 0)
        return flag(value, &o->read_only, why, whylen);
    if (strcmp(key, "rto") == 0)
        return rto_value(value, &o->rto_s, why, whylen);
    if (strcmp(key, "ascii") == 0)
        return flag(value, &o->ascii, why, whylen);
    if (strcmp(key, "no_color") == 0)
        return flag(value, &o->no_color, why, whylen);
    if (strcmp(key, "mouse") == 0) {
        bool ok = flag(value, &mouse, why, whylen);
        o->no_mouse = !mouse;
        return ok;
    }
    snprintf(why, whylen,
             "unknown setting '%s' (url, deployment, token_file, theme, ca, vault, "
             "deployment_name, read_only, ascii, no_color, mouse, rto, bind.COMMAND)",
             key);
    return false;
}

static int parse_args(loader *l, int argc, char **argv)
{
    enum {
        OPT_DEPLOYMENT = 256,
        OPT_TOKEN_FILE,
        OPT_TOKEN,
        OPT_READ_ONLY,
        OPT_THEME,
        OPT_NO_COLOR,
        OPT_ASCII,
        OPT_CA,
        OPT_VAULT,
        OPT_NAME,
        OPT_NO_MOUSE,
        OPT_RTO
    };
    static const struct option opts[] = {
        {"deployment", required_argument, NULL, OPT_DEPLOYMENT},
        {"token-file", required_argument, NULL, OPT_TOKEN_FILE},
        {"token", required_argument, NULL, OPT_TOKEN},
        {"read-only", no_argument, NULL, OPT_READ_ONLY},
        {"theme", required_argument, NULL, OPT_THEME},
        {"no-color", no_argument, NULL, OPT_NO_COLOR},
        {"no-colour", no_argument, NULL, OPT_NO_COLOR},
        {"ascii", no_argument, NULL, OPT_ASCII},
        {"no-mouse", no_argument, NULL, OPT_NO_MOUSE},
        {"ca", required_argument, NULL, OPT_CA},
        {"vault", required_argument, NULL, OPT_VAULT},
        {"deployment-name", required_argument, NULL, OPT_NAME},
        {"rto", required_argument, NULL, OPT_RTO},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    tui_options *o = &l->a->opt;
    client_target_request *r = l->req;
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
        char *dst = NULL;
        size_t len = 0;
        switch (opt) {
        case OPT_DEPLOYMENT:
            dst = r->deployment, len = sizeof r->deployment;
            break;
        case OPT_TOKEN_FILE:
            dst = r->token_file, len = sizeof r->token_file;
            break;
        case OPT_CA:
            dst = r->ca, len = sizeof r->ca;
            break;
        case OPT_THEME:
            dst = o->theme, len = sizeof o->theme;
            break;
        case OPT_VAULT:
            dst = o->vault_dir, len = sizeof o->vault_dir;
            break;
        case OPT_NAME:
            dst = o->deployment_name, len = sizeof o->deployment_name;
            break;
        case OPT_TOKEN:
            fprintf(stderr, "orbitop: tokens are not taken from the command line; use "
                            "ORBIT_TOKEN or --token-file\n");
            return 2;
        case OPT_READ_ONLY:
            o->read_only = true;
            break;
        case OPT_NO_COLOR:
            o->no_color = true;
            break;
        case OPT_ASCII:
            o->ascii = true;
            break;
        case OPT_NO_MOUSE:
            o->no_mouse = true;
            break;
        case OPT_RTO: {
            char why[120];
            if (!rto_value(optarg, &o->rto_s, why, sizeof why)) {
                fprintf(stderr, "orbitop: --rto: %s\n", why);
                return 2;
            }
            break;
        }
        case 'h':
            usage(stdout);
            return -1;
        case 'V':
            printf("orbitop %s\n", ORBIT_VERSION);
            return -1;
        default:
            usage(stderr);
            return 2;
        }
        if (dst && snprintf(dst, len, "%s", optarg) >= (int)len) {
            fprintf(stderr, "orbitop: %s: value too long\n", argv[optind - 1]);
            return 2;
        }
    }
    for (int i = optind; i < argc; i++) {
        if (!client_target_add_url(r, argv[i])) {
            fprintf(stderr, "orbitop: too many URLs\n");
            return 2;
        }
    }
    return 0;
}

static int load(loader *l, int argc, char **argv)
{
    tui_app *a = l->a;
    snprintf(a->opt.theme, sizeof a->opt.theme, "default");
    orbit_status st;
    if (client_conf_path("orbitop.conf", l->config_path, sizeof l->config_path) &&
        client_conf_read(l->config_path, true, take_setting, l, &st) != ORBIT_OK) {
        fprintf(stderr, "orbitop: %s\n", st.message);
        return 2;
    }
    int rc = parse_args(l, argc, argv);
    if (rc)
        return rc;
    const char *no_color = getenv("NO_COLOR");
    if (no_color && *no_color)
        a->opt.no_color = true;
    if (a->opt.deployment_name[0] && client_vault_name_check(a->opt.deployment_name)) {
        fprintf(stderr, "orbitop: deployment name %s: %s\n", a->opt.deployment_name,
                client_vault_name_check(a->opt.deployment_name));
        return 2;
    }
    a->opt.target = calloc(1, sizeof *a->opt.target);
    if (!a->opt.target) {
        fprintf(stderr, "orbitop: out of memory\n");
        return 1;
    }
    l->req->program = "orbitop";
    l->req->token_role = "operator";
    if (client_target_resolve(l->req, a->opt.target, &st) != ORBIT_OK) {
        fprintf(stderr, "orbitop: %s\n", st.message);
        if (strstr(st.message, "which pool"))
            usage(stderr);
        return 2;
    }
    char why[600];
    if (!ui_theme_read(a->opt.theme, &a->opt.theme_spec, why, sizeof why)) {
        fprintf(stderr, "orbitop: %s\n", why);
        return 2;
    }
    if (!tui_keys_build(a, l->binds, l->nbinds, why, sizeof why)) {
        fprintf(stderr, "orbitop: %s: %s\n", l->config_path, why);
        return 2;
    }
    return 0;
}

int tui_options_load(tui_app *a, int argc, char **argv)
{
    loader *l = calloc(1, sizeof *l);
    client_target_request *req = calloc(1, sizeof *req);
    int rc = 1;
    if (l && req) {
        l->a = a;
        l->req = req;
        rc = load(l, argc, argv);
    } else {
        fprintf(stderr, "orbitop: out of memory\n");
    }
    free(req);
    free(l);
    return rc;
}

void tui_options_free(tui_app *a)
{
    free(a->opt.target);
    a->opt.target = NULL;
}
