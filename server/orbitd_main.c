/* orbitd: one pool's Call Park service. Also imports a topology into the
 * deployment store and hashes tokens for the configuration file. */
#include "server.h"
#include "orbit_frame.h"
#include "topology.h"

#include <curl/curl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *out)
{
    fprintf(out, "usage: orbitd [-c FILE] [options]     run one pool's Call Park service\n"
                 "       orbitd import --store LOCATION [-c FILE] [--replace] TOPOLOGY.json\n"
                 "       orbitd hash-token               read a token on stdin, print its hash\n"
                 "\n"
                 "options (each overrides the configuration file):\n"
                 "  -c, --config FILE       configuration file (see orbitd(8))\n"
                 "      --fqdn FQDN         this pool's FQDN\n"
                 "      --listen ADDR       address to listen on (default 127.0.0.1)\n"
                 "      --port N            TCP port (default 7081)\n"
                 "      --store LOCATION    deployment store: a SQLite file path, or\n"
                 "                          etcd://host:port[,host:port...]\n"
                 "      --data-dir DIR      this pool's data directory\n"
                 "      --clock-scale X     run domain timers X times faster\n"
                 "      --phase-seconds S   failover / failback phase length\n"
                 "      --log-level L       error, warn, info or debug\n"
                 "  -h, --help              this text\n"
                 "  -V, --version           print the version\n");
}

/* Imports a topology. The store's location comes from --store, and its
 * TLS files and credentials from the store_* keys of -c FILE. */
static int cmd_import(int argc, char **argv)
{
    const char *location = NULL, *file = NULL, *config = NULL;
    bool replace = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--store") == 0 && i + 1 < argc)
            location = argv[++i];
        else if ((strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0) && i + 1 < argc)
            config = argv[++i];
        else if (strcmp(argv[i], "--replace") == 0)
            replace = true;
        else if (argv[i][0] != '-' && !file)
            file = argv[i];
        else {
            fprintf(stderr, "orbitd import: unexpected argument %s\n", argv[i]);
            return 2;
        }
    }
    server_config cfg;
    server_config_defaults(&cfg);
    char err[512];
    if (config && !server_config_load(&cfg, config, err, sizeof err)) {
        fprintf(stderr, "orbitd import: %s\n", err);
        server_config_free(&cfg);
        return 2;
    }
    if (location)
        snprintf(cfg.store, sizeof cfg.store, "%s", location);
    if (!cfg.store[0] || !file) {
        fprintf(stderr, "usage: orbitd import --store LOCATION [-c FILE] [--replace] "
                        "TOPOLOGY.json\n");
        server_config_free(&cfg);
        return 2;
    }
    store_options opt;
    if (!server_config_store_options(&cfg, &opt, err, sizeof err)) {
        fprintf(stderr, "orbitd import: %s\n", err);
        server_config_free(&cfg);
        return 2;
    }
    server_config_free(&cfg);
    store_image img;
    orbit_status st;
    if (topology_load_file(file, &img, &st) != ORBIT_OK) {
        fprintf(stderr, "orbitd import: %s refused: %s\n", file, st.message);
        return 1;
    }
    orbit_store *store;
    if (store_open(&opt, &store, &st) != ORBIT_OK) {
        store_image_free(&img);
        fprintf(stderr, "orbitd import: %s\n", st.message);
        return 1;
    }
    orbit_err e = store_import(store, &img, replace, &st);
    if (e == ORBIT_OK)
        printf("imported %zu pools, %zu ranges, %zu users into %s (%s)\n", img.npools, img.nranges,
               img.nusers, opt.location, store_backend_name(store));
    else
        fprintf(stderr, "orbitd import: %s\n", st.message);
    store_image_free(&img);
    store_close(store);
    return e == ORBIT_OK ? 0 : 1;
}

static int cmd_hash_token(void)
{
    char line[ORBIT_TOKEN_MAX + 2];
    if (isatty(STDIN_FILENO))
        fprintf(stderr, "token: ");
    if (!fgets(line, sizeof line, stdin)) {
        fprintf(stderr, "orbitd hash-token: no token on stdin\n");
        return 1;
    }
    line[strcspn(line, "\r\n")] = '\0';
    if (!line[0]) {
        fprintf(stderr, "orbitd hash-token: empty token\n");
        return 1;
    }
    char out[80];
    if (!server_token_hash_text(line, out, sizeof out))
        return 1;
    printf("%s\n", out);
    return 0;
}

static int orbitd_main(int argc, char **argv);

/* The only state a signal touches; main owns it. */
static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

int main(int argc, char **argv)
{
    /* libcurl (the etcd store) is set up once, before any thread starts. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "orbitd: cannot initialise libcurl\n");
        return 1;
    }
    int rc = orbitd_main(argc, argv);
    curl_global_cleanup();
    return rc;
}

static int orbitd_main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "import") == 0)
        return cmd_import(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "hash-token") == 0)
        return cmd_hash_token();

    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},    {"fqdn", required_argument, NULL, 1},
        {"listen", required_argument, NULL, 2},      {"port", required_argument, NULL, 3},
        {"store", required_argument, NULL, 4},       {"data-dir", required_argument, NULL, 5},
        {"clock-scale", required_argument, NULL, 6}, {"phase-seconds", required_argument, NULL, 7},
        {"log-level", required_argument, NULL, 8},   {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},         {NULL, 0, NULL, 0},
    };
    static const char *const keys[] = {NULL,          "fqdn",          "listen",
                                       "port",        "store",         "data_dir",
                                       "clock_scale", "phase_seconds", "log_level"};
    orbit_server srv;
    memset(&srv, 0, sizeof srv);
    server_config_defaults(&srv.cfg);
    char err[512];
    const char *config = NULL;
    /* The file first, then the flags over it. */
    for (int i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0) && i + 1 < argc)
            config = argv[i + 1];
        else if (strncmp(argv[i], "--config=", 9) == 0)
            config = argv[i] + 9;
    }
    if (config && !server_config_load(&srv.cfg, config, err, sizeof err)) {
        fprintf(stderr, "orbitd: %s\n", err);
        server_config_free(&srv.cfg);
        return 2;
    }
    int c;
    while ((c = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
        if (c == 'c')
            continue;
        if (c == 'h') {
            usage(stdout);
            server_config_free(&srv.cfg);
            return 0;
        }
        if (c == 'V') {
            printf("orbitd %s\n", ORBIT_VERSION);
            server_config_free(&srv.cfg);
            return 0;
        }
        if (c >= 1 && c <= 8) {
            if (!server_config_set(&srv.cfg, keys[c], optarg, err, sizeof err)) {
                fprintf(stderr, "orbitd: %s\n", err);
                server_config_free(&srv.cfg);
                return 2;
            }
            continue;
        }
        usage(stderr);
        server_config_free(&srv.cfg);
        return 2;
    }
    if (optind < argc) {
        fprintf(stderr, "orbitd: unexpected argument %s\n", argv[optind]);
        server_config_free(&srv.cfg);
        return 2;
    }
    if (!server_config_check(&srv.cfg, err, sizeof err)) {
        fprintf(stderr, "orbitd: %s\n", err);
        server_config_free(&srv.cfg);
        return 2;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (!server_start(&srv, err, sizeof err)) {
        fprintf(stderr, "orbitd: %s\n", err);
        server_destroy(&srv);
        return 1;
    }
    server_run(&srv, &g_stop);
    ORBIT_LOG_I(&srv.log, "shutting down");
    server_destroy(&srv);
    return 0;
}
