/* orbitctl: the operator's scriptable tool: orbit table, Call Park
 * settings, music on hold with its backup vault, pool status and DR,
 * the event stream and the snapshot; tables for people, --json for
 * scripts, and an exit code per kind of failure. */
#include "ctl_commands.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out,
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
            "  pool list\n"
            "  pool status [FQDN]\n"
            "  pool failover HOME_POOL [--disaster-mode] [--wait]\n"
            "  pool failback HOME_POOL [--wait]\n"
            "\n"
            "options:\n"
            "  --url URL             the pool's stream URL (or ORBIT_URL)\n"
            "  --deployment FILE     an orbit-demo deployment.json (first pool, or --pool)\n"
            "  --pool FQDN           the pool of --deployment to talk to\n"
            "  --token-file FILE     the token (else ORBIT_TOKEN, or --deployment's)\n"
            "  --ca FILE             CA certificate for wss:// and https://\n"
            "  --vault DIR           backup vault (default $XDG_DATA_HOME/orbit/backup)\n"
            "  --timeout S           network timeout (default 10)\n"
            "  --json                JSON output for scripts\n"
            "  -h, --help            this text;  -V, --version\n"
            "\n"
            "exit status: 0 ok, 1 local failure, 2 usage, 3 token refused, 4 refused by the\n"
            "pool, 5 pool unreachable. Defaults can live in $XDG_CONFIG_HOME/orbit/orbitctl.conf\n"
            "(url, deployment, pool, token_file, ca, vault).\n");
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
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        struct {
            const char *flag;
            char *dst;
            size_t len;
        } strs[] = {{"--url", c.opt.url, sizeof c.opt.url},
                    {"--deployment", c.opt.deployment, sizeof c.opt.deployment},
                    {"--pool", c.opt.pool, sizeof c.opt.pool},
                    {"--token-file", c.opt.token_file, sizeof c.opt.token_file},
                    {"--ca", c.opt.ca, sizeof c.opt.ca},
                    {"--vault", c.opt.vault_dir, sizeof c.opt.vault_dir}};
        bool matched = false;
        for (size_t k = 0; k < sizeof strs / sizeof strs[0]; k++) {
            if (strcmp(a, strs[k].flag) == 0) {
                if (!v) {
                    fprintf(stderr, "orbitctl: %s needs a value\n", a);
                    return 2;
                }
                snprintf(strs[k].dst, strs[k].len, "%s", v);
                i++;
                matched = true;
            }
        }
        if (matched)
            continue;
        if (strcmp(a, "--json") == 0) {
            c.opt.json = true;
        } else if (strcmp(a, "--timeout") == 0 && v) {
            c.opt.timeout_s = strtod(v, NULL);
            if (c.opt.timeout_s <= 0) {
                fprintf(stderr, "orbitctl: --timeout takes seconds\n");
                return 2;
            }
            i++;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
            printf("orbitctl %s\n", ORBIT_VERSION);
            return 0;
        } else if (strcmp(a, "--token") == 0) {
            fprintf(stderr, "orbitctl: tokens are not taken from the command line; use "
                            "ORBIT_TOKEN or --token-file\n");
            return 2;
        } else {
            fprintf(stderr, "orbitctl: unknown option %s\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const char *noun = argv[i];
    int sub_argc = argc - i;
    char **sub_argv = argv + i;
    if (strcmp(noun, "state") == 0)
        rc = ctl_cmd_state(&c, sub_argc, sub_argv);
    else if (strcmp(noun, "watch") == 0)
        rc = ctl_cmd_watch(&c, sub_argc, sub_argv);
    else if (strcmp(noun, "orbit") == 0)
        rc = ctl_cmd_orbit(&c, sub_argc, sub_argv);
    else if (strcmp(noun, "cps") == 0)
        rc = ctl_cmd_cps(&c, sub_argc, sub_argv);
    else if (strcmp(noun, "moh") == 0)
        rc = ctl_cmd_moh(&c, sub_argc, sub_argv);
    else if (strcmp(noun, "pool") == 0)
        rc = ctl_cmd_pool(&c, sub_argc, sub_argv);
    else {
        fprintf(stderr, "orbitctl: unknown command %s\n", noun);
        usage(stderr);
        rc = 2;
    }
    ctl_close(&c);
    curl_global_cleanup();
    return rc;
}
