/* orbit-demo: brings a whole deployment up on loopback (pools, store,
 * tokens, simulated phones), and starts, stops or tears it down. */
#include "demo_deploy.h"

#include <curl/curl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out, "usage: orbit-demo up DIR [--pools N] [--users N] [--sim PROFILE|--no-sim]\n"
                 "                         [--clock-scale X] [--phase-seconds S] [--base-port P]\n"
                 "                         [--store sqlite|etcd] [--tls]\n"
                 "       orbit-demo start DIR FQDN    (re)start one pool of DIR's deployment\n"
                 "       orbit-demo stop  DIR FQDN    stop one pool (SIGTERM)\n"
                 "       orbit-demo down  DIR         stop everything started from DIR\n"
                 "       orbit-demo add   DIR FQDN SITE  configure a new pool (a replacement);\n"
                 "                                    start it once it is in the registry\n"
                 "       orbit-demo etcd-stop  DIR MEMBER   stop one etcd member (m1, m2, m3)\n"
                 "       orbit-demo etcd-start DIR MEMBER   start it again with its data\n"
                 "\n"
                 "Simulators: sip (default: SIP phones parking, retrieving and picking up\n"
                 "over SIP and RTP), or orbit.v1 phones with a profile: demo, capacity, stress.\n");
}

static bool parse_number(const char *s, double min, double max, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= min && v <= max))
        return false;
    *out = v;
    return true;
}

static int cmd_up(int argc, char **argv)
{
    demo_options o;
    demo_options_default(&o);
    static const struct option opts[] = {
        {"pools", required_argument, NULL, 'p'},
        {"users", required_argument, NULL, 'u'},
        {"sim", required_argument, NULL, 's'},
        {"no-sim", no_argument, NULL, 'n'},
        {"clock-scale", required_argument, NULL, 'c'},
        {"phase-seconds", required_argument, NULL, 'f'},
        {"base-port", required_argument, NULL, 'b'},
        {"store", required_argument, NULL, 'S'},
        {"tls", no_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, which = 0;
    double v;
    optind = 0; /* a fresh scan: main's stopped at the command */
    while ((c = getopt_long(argc, argv, "h", opts, &which)) != -1) {
        switch (c) {
        case 'p':
            if (!parse_number(optarg, 1, 64, &v))
                goto bad;
            o.pools = (int)v;
            break;
        case 'u':
            if (!parse_number(optarg, 0, 25000, &v))
                goto bad;
            o.users = (int)v;
            break;
        case 's':
            if (strcmp(optarg, "sip") && strcmp(optarg, "demo") && strcmp(optarg, "capacity") &&
                strcmp(optarg, "stress")) {
                fprintf(stderr, "orbit-demo: --sim is sip, demo, capacity or stress\n");
                return 2;
            }
            o.sim_profile = optarg;
            break;
        case 'n':
            o.sim_profile = NULL;
            break;
        case 'c':
            if (!parse_number(optarg, 0.01, 10000, &o.clock_scale))
                goto bad;
            break;
        case 'f':
            if (!parse_number(optarg, 0, 86400, &o.phase_seconds))
                goto bad;
            break;
        case 'b':
            if (!parse_number(optarg, 1, 65000, &v))
                goto bad;
            o.base_port = (int)v;
            break;
        case 'S':
            if (strcmp(optarg, "sqlite") != 0 && strcmp(optarg, "etcd") != 0) {
                fprintf(stderr, "orbit-demo: --store is sqlite or etcd, not '%s'\n", optarg);
                return 2;
            }
            o.store_etcd = strcmp(optarg, "etcd") == 0;
            break;
        case 't':
            o.tls = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return 2;
    }
    if (o.base_port + 100 + o.pools > 65535) {
        fprintf(stderr, "orbit-demo: --base-port too high for %d pools\n", o.pools);
        return 2;
    }
    return demo_up(argv[optind], &o);
bad:
    fprintf(stderr, "orbit-demo: bad value '%s' for --%s\n", optarg, opts[which].name);
    usage(stderr);
    return 2;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int c;
    /* Options before the command; "+" stops at it. */
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return 0;
        }
        usage(stderr);
        return 2;
    }
    argc -= optind - 1;
    argv += optind - 1;
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        fprintf(stderr, "orbit-demo: libcurl failed to initialise\n");
        return 1;
    }
    int rc;
    if (strcmp(argv[1], "up") == 0)
        rc = cmd_up(argc - 1, argv + 1);
    else if (strcmp(argv[1], "start") == 0 && argc == 4)
        rc = demo_start(argv[2], argv[3]);
    else if (strcmp(argv[1], "stop") == 0 && argc == 4)
        rc = demo_stop(argv[2], argv[3]);
    else if (strcmp(argv[1], "down") == 0 && argc == 3)
        rc = demo_down(argv[2]);
    else if (strcmp(argv[1], "add") == 0 && argc == 5)
        rc = demo_add(argv[2], argv[3], argv[4]);
    else if (strcmp(argv[1], "etcd-stop") == 0 && argc == 4)
        rc = demo_etcd_member(argv[2], argv[3], false);
    else if (strcmp(argv[1], "etcd-start") == 0 && argc == 4)
        rc = demo_etcd_member(argv[2], argv[3], true);
    else {
        usage(stderr);
        rc = 2;
    }
    curl_global_cleanup();
    return rc;
}
