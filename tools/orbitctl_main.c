/* orbitctl: the operator's scriptable tool: orbit table, Call Park
 * settings, music on hold with its backup vault, pool status and DR,
 * the event stream and the snapshot; tables for people, --json for
 * scripts, and an exit code per kind of failure. */
#include "ctl_commands.h"

#include <curl/curl.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: orbitctl [options] COMMAND [ARGS]\n"
        "\n"
        "commands:\n"
        "  state                                the pool's snapshot\n"
        "  watch [--kinds K,..] [--count N] [--for S] [--all]\n"
        "                                       events as JSON lines\n"
        "  orbit list [--pool FQDN] [--type T]\n"
        "  orbit create IDENTITY START END --pool FQDN [--type CallPark|GroupPickup]\n"
        "  orbit set IDENTITY [--start N] [--end N] [--pool FQDN] [--type T] [--force]\n"
        "  orbit remove IDENTITY [--force]\n"
        "  orbit reassign FROM_POOL TO_POOL [--type T]\n"
        "  cps get\n"
        "  cps set [--timeout S] [--moh on|off] [--attempts N] [--timeout-uri URI]\n"
        "  cps restore --from POOL [--sha PREFIX]\n"
        "  moh upload FILE [--name NAME]        back up, upload, verify\n"
        "  moh download [-o FILE]\n"
        "  moh backups [--pool FQDN | --all]\n"
        "  moh restore --from POOL [--sha PREFIX]\n"
        "  moh backup                           the pool's current music into the vault\n"
        "  pool list\n"
        "  pool status [FQDN]\n"
        "  pool failover HOME_POOL [--disaster-mode] [--wait]\n"
        "  pool failback HOME_POOL [--wait]\n"
        "  pool redirect HOME_POOL              its GroupPickup ranges to the pool serving\n"
        "                                       its users (exactly those ranges)\n"
        "  dr check                             DR readiness of every pair (exit 6: not ready)\n"
        "  dr failover HOME_POOL [--disaster-mode] [--confirm HOME_POOL] [--rto S]\n"
        "  dr failback HOME_POOL [--confirm HOME_POOL] [--rto S]\n"
        "  dr replace OLD_POOL NEW_POOL --site SITE --url URL [--confirm OLD_POOL]\n"
        "             [--wait-new S]            guided runbooks, a line per step; run again\n"
        "                                       to resume; --take-over to take one over\n"
        "  dr abandon HOME_POOL [--reason TEXT] free the pair of a runbook\n"
        "\n"
        "options:\n"
        "  --url URL             the pool's stream URL (or ORBIT_URL)\n"
        "  --deployment FILE     an orbit-demo deployment.json (the first pool that\n"
        "                        answers, or --pool)\n"
        "  --pool FQDN           the pool of --deployment to talk to\n"
        "  --token-file FILE     the token (else ORBIT_TOKEN, or --deployment's)\n"
        "  --ca FILE             CA certificate for wss:// and https://\n"
        "  --vault DIR           backup vault (default $XDG_DATA_HOME/orbit/backup)\n"
        "  --deployment-name N   the vault's name for the deployment (default: from its\n"
        "                        pools)\n"
        "  --timeout S           network timeout (default 10)\n"
        "  --json                JSON output for scripts\n"
        "  -h, --help            this text;  -V, --version\n"
        "\n"
        "exit status: 0 ok, 1 local failure, 2 usage, 3 token refused, 4 refused by the\n"
        "pool (or a runbook step failed), 5 pool unreachable, 6 not ready (dr check).\n"
        "Defaults can live in $XDG_CONFIG_HOME/orbit/orbitctl.conf\n"
        "(url, deployment, pool, token_file, ca, vault, deployment_name).\n");
}

/* Global options, up to the command (getopt_long stops there: "+"). */
static int parse_options(ctl_options *o, int argc, char **argv)
{
    enum {
        OPT_URL = 256,
        OPT_DEPLOYMENT,
        OPT_POOL,
        OPT_TOKEN_FILE,
        OPT_TOKEN,
        OPT_CA,
        OPT_VAULT,
        OPT_TIMEOUT,
        OPT_JSON,
        OPT_DEPLOYMENT_NAME
    };
    static const struct option opts[] = {
        {"url", required_argument, NULL, OPT_URL},
        {"deployment", required_argument, NULL, OPT_DEPLOYMENT},
        {"pool", required_argument, NULL, OPT_POOL},
        {"token-file", required_argument, NULL, OPT_TOKEN_FILE},
        {"token", required_argument, NULL, OPT_TOKEN},
        {"ca", required_argument, NULL, OPT_CA},
        {"vault", required_argument, NULL, OPT_VAULT},
        {"deployment-name", required_argument, NULL, OPT_DEPLOYMENT_NAME},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    int opt;
    char *end;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
        struct {
            int opt;
            char *dst;
            size_t len;
        } strs[] = {{OPT_URL, o->url, sizeof o->url},
                    {OPT_DEPLOYMENT, o->deployment, sizeof o->deployment},
                    {OPT_POOL, o->pool, sizeof o->pool},
                    {OPT_TOKEN_FILE, o->token_file, sizeof o->token_file},
                    {OPT_CA, o->ca, sizeof o->ca},
                    {OPT_VAULT, o->vault_dir, sizeof o->vault_dir},
                    {OPT_DEPLOYMENT_NAME, o->deployment_name, sizeof o->deployment_name}};
        bool stored = false;
        for (size_t k = 0; k < sizeof strs / sizeof strs[0] && !stored; k++) {
            if (opt != strs[k].opt)
                continue;
            if (snprintf(strs[k].dst, strs[k].len, "%s", optarg) >= (int)strs[k].len) {
                fprintf(stderr, "orbitctl: %s: value too long\n", argv[optind - 1]);
                return 2;
            }
            stored = true;
        }
        if (stored)
            continue;
        switch (opt) {
        case OPT_JSON:
            o->json = true;
            break;
        case OPT_TIMEOUT:
            o->timeout_s = strtod(optarg, &end);
            if (*end || !(o->timeout_s > 0)) {
                fprintf(stderr, "orbitctl: --timeout takes seconds\n");
                return 2;
            }
            break;
        case OPT_TOKEN:
            fprintf(stderr, "orbitctl: tokens are not taken from the command line; use "
                            "ORBIT_TOKEN or --token-file\n");
            return 2;
        case 'h':
            usage(stdout);
            return -1;
        case 'V':
            printf("orbitctl %s\n", ORBIT_VERSION);
            return -1;
        default:
            usage(stderr);
            return 2;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    ctl c;
    memset(&c, 0, sizeof c);
    char err[CTL_ERR_MAX];
    int rc = ctl_defaults(&c.opt, err, sizeof err);
    if (rc) {
        fprintf(stderr, "orbitctl: %s\n", err);
        return rc;
    }
    rc = parse_options(&c.opt, argc, argv);
    if (rc)
        return rc < 0 ? 0 : rc;
    int i = optind;
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    static const struct {
        const char *noun;
        int (*run)(ctl *c, int argc, char **argv);
    } nouns[] = {{"state", ctl_cmd_state}, {"watch", ctl_cmd_watch}, {"orbit", ctl_cmd_orbit},
                 {"cps", ctl_cmd_cps},     {"moh", ctl_cmd_moh},     {"pool", ctl_cmd_pool},
                 {"dr", ctl_cmd_dr}};
    rc = -1;
    for (size_t k = 0; k < sizeof nouns / sizeof nouns[0] && rc < 0; k++) {
        if (strcmp(argv[i], nouns[k].noun) == 0)
            rc = nouns[k].run(&c, argc - i, argv + i);
    }
    if (rc < 0) {
        fprintf(stderr, "orbitctl: unknown command %s\n", argv[i]);
        usage(stderr);
        rc = 2;
    }
    ctl_close(&c);
    curl_global_cleanup();
    return rc;
}
