/* ctl_commands: state, watch, orbit, cps, moh and pool for orbitctl. */
#include "ctl_commands.h"

#include "client_moh.h"
#include "client_text.h"
#include "orbit_json.h"
#include "orbit_sha256.h"
#include "orbit_time.h"

#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int usage_error(const char *msg)
{
    fprintf(stderr, "orbitctl: %s (orbitctl --help)\n", msg);
    return CTL_EXIT_USAGE;
}

/* A subcommand (`orbit list`, `moh upload`...): argv[0] is its name. */
typedef struct {
    const char *name;
    int (*run)(ctl *c, int argc, char **argv);
} ctl_subcommand;

/* Runs the subcommand named by argv[1]; the usage line lists them all. */
static int run_subcommand(ctl *c, int argc, char **argv, const ctl_subcommand *subs, size_t n)
{
    for (size_t i = 0; argc >= 2 && i < n; i++) {
        if (strcmp(argv[1], subs[i].name) == 0)
            return subs[i].run(c, argc - 1, argv + 1);
    }
    char usage[160];
    int len = snprintf(usage, sizeof usage, "%s ", argv[0]);
    for (size_t i = 0; i < n && len > 0 && (size_t)len < sizeof usage; i++)
        len +=
            snprintf(usage + len, sizeof usage - (size_t)len, "%s%s", i ? "|" : "", subs[i].name);
    return usage_error(usage);
}

static int open_and_connect(ctl *c, bool subscribe, bool discover)
{
    int rc = ctl_open(c, subscribe, discover);
    return rc ? rc : ctl_connect(c);
}

/* Prints a result: the JSON data with --json, else a line of text. */
static void done_text(ctl *c, json_t *data, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void done_text(ctl *c, json_t *data, const char *fmt, ...)
{
    if (c->opt.json) {
        json_t *out = json_pack("{s:b, s:O}", "ok", 1, "data", data ? data : json_null());
        ctl_print_json(out);
        json_decref(out);
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    char *text = NULL;
    int n = vasprintf(&text, fmt, ap);
    va_end(ap);
    if (n >= 0) {
        ctl_line(stdout, "%s", text);
        free(text);
    }
}

/* Starts a subcommand's getopt_long afresh (argv[0] is its name). */
static void restart_options(void)
{
    optind = 0;
}

static const char *str(const json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? v : "";
}

/* ---- state ---- */

int ctl_cmd_state(ctl *c, int argc, char **argv)
{
    (void)argv;
    if (argc > 1)
        return usage_error("state takes no arguments");
    int rc = ctl_open(c, false, false);
    json_t *state = NULL;
    if (!rc)
        rc = ctl_get(c, NULL, "/v1/state", &state);
    if (rc)
        return rc;
    if (c->opt.json) {
        ctl_print_json(state);
    } else {
        const json_t *self = json_object_get(state, "pool");
        ctl_line(stdout, "pool %s (site %s, backup %s): %s, epoch %s, rev %lld", str(self, "fqdn"),
                 str(self, "site"), str(self, "backup")[0] ? str(self, "backup") : "none",
                 str(self, "status"), str(state, "epoch"),
                 (long long)json_integer_value(json_object_get(state, "rev")));
        ctl_line(stdout, "%zu pools, %zu ranges, %zu parked calls, %zu pickup queues",
                 json_array_size(json_object_get(state, "pools")),
                 json_array_size(json_object_get(state, "orbits")),
                 json_array_size(json_object_get(state, "parked")),
                 json_array_size(json_object_get(state, "queues")));
        const json_t *d;
        size_t i;
        json_array_foreach(json_object_get(state, "dr"), i, d)
            ctl_line(stdout, "  %-32s %-13s served by %s%s", str(d, "home"), str(d, "phase"),
                     str(d, "serving"),
                     json_is_true(json_object_get(d, "pickup_ranges_redirected"))
                         ? ""
                         : " (GroupPickup ranges not redirected)");
    }
    json_decref(state);
    return CTL_EXIT_OK;
}

/* ---- watch ---- */

static volatile sig_atomic_t *g_watch_stop;

typedef struct {
    ctl *c;
    const char *kinds;
    long count;
    long seen;
} watch_ctx;

static bool kind_wanted(const char *kinds, const char *kind)
{
    if (!kinds || !*kinds)
        return true;
    size_t kl = strlen(kind);
    for (const char *p = kinds; *p;) {
        size_t n = strcspn(p, ",");
        /* "call" matches call.*; "call.parked" matches itself. */
        if ((n == kl && strncmp(p, kind, n) == 0) ||
            (n < kl && strncmp(p, kind, n) == 0 && kind[n] == '.'))
            return true;
        p += n;
        if (*p == ',')
            p++;
    }
    return false;
}

static void on_watch_event(void *ctx, client_conn *conn, const char *kind, const json_t *data,
                           unsigned changed)
{
    (void)changed;
    watch_ctx *w = ctx;
    /* One turn of the loop can deliver several events (a burst arrives in
     * one read): the count is checked per event, not per turn. */
    if (!kind || !kind_wanted(w->kinds, kind) || (w->count > 0 && w->seen >= w->count))
        return;
    json_t *line =
        json_pack("{s:s, s:s, s:I, s:I, s:s, s:O}", "pool", client_conn_fqdn(conn), "epoch",
                  client_conn_epoch(conn), "rev", (json_int_t)client_conn_rev(conn), "time_ms",
                  (json_int_t)orbit_time_now_ms(), "kind", kind, "data", data);
    char *text = line ? json_dumps(line, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    if (text) {
        printf("%s\n", text);
        fflush(stdout);
    }
    free(text);
    json_decref(line);
    w->seen++;
}

static void on_watch_conn(void *ctx, client_conn *conn)
{
    (void)ctx;
    if (client_conn_get_state(conn) == CLIENT_CONN_IDLE && client_conn_error(conn)[0])
        ctl_line(stderr, "orbitctl: %s: %s (reconnecting)",
                 client_conn_fqdn(conn)[0] ? client_conn_fqdn(conn) : client_conn_url(conn),
                 client_conn_error(conn));
}

static void on_watch_refused(void *ctx, const char *fqdn, const char *url, const char *why)
{
    (void)ctx;
    ctl_line(stderr, "orbitctl: not watching %s at %s: %s", fqdn, url, why);
}

static void on_watch_signal(int sig)
{
    (void)sig;
    if (g_watch_stop)
        *g_watch_stop = 1;
}

int ctl_cmd_watch(ctl *c, int argc, char **argv)
{
    static const struct option opts[] = {{"kinds", required_argument, NULL, 'k'},
                                         {"count", required_argument, NULL, 'n'},
                                         {"for", required_argument, NULL, 'f'},
                                         {"all", no_argument, NULL, 'a'},
                                         {NULL, 0, NULL, 0}};
    static const char usage[] = "watch [--kinds K,..] [--count N] [--for SECONDS] [--all]";
    watch_ctx w = {c, NULL, 0, 0};
    double seconds = 0;
    bool all = false;
    int o;
    char *end;
    restart_options();
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'k') {
            w.kinds = optarg;
        } else if (o == 'n') {
            w.count = strtol(optarg, &end, 10);
            if (*end || w.count < 1)
                return usage_error("--count takes a whole number of events, 1 or more");
        } else if (o == 'f') {
            seconds = strtod(optarg, &end);
            if (*end || !(seconds > 0))
                return usage_error("--for takes seconds");
        } else if (o == 'a') {
            all = true;
        } else {
            return usage_error(usage);
        }
    }
    if (optind != argc)
        return usage_error(usage);
    client_hooks hooks = {
        .on_event = on_watch_event, .on_conn = on_watch_conn, .on_refused = on_watch_refused};
    int rc = ctl_open_with(c, true, all, &hooks, &w);
    if (rc)
        return rc;
    rc = ctl_connect(c);
    if (rc)
        return rc;
    volatile sig_atomic_t stop = 0;
    g_watch_stop = &stop;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_watch_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    int64_t until = seconds > 0 ? orbit_time_mono_ms() + (int64_t)(seconds * 1000) : INT64_MAX;
    while (!stop && orbit_time_mono_ms() < until && (w.count <= 0 || w.seen < w.count))
        client_hub_service(c->hub);
    g_watch_stop = NULL;
    return CTL_EXIT_OK;
}

/* ---- orbit ---- */

static int orbit_list(ctl *c, int argc, char **argv)
{
    static const struct option opts[] = {{"pool", required_argument, NULL, 'p'},
                                         {"type", required_argument, NULL, 't'},
                                         {NULL, 0, NULL, 0}};
    const char *pool = NULL, *type = NULL;
    int o;
    restart_options();
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'p')
            pool = optarg;
        else if (o == 't')
            type = optarg;
        else
            return usage_error("orbit list [--pool FQDN] [--type CallPark|GroupPickup]");
    }
    int rc = ctl_open(c, false, false);
    json_t *state = NULL;
    if (!rc)
        rc = ctl_get(c, NULL, "/v1/state", &state);
    if (rc)
        return rc;
    json_t *rows = json_array();
    const json_t *r;
    size_t i;
    json_array_foreach(json_object_get(state, "orbits"), i, r)
    {
        if ((pool && strcmp(str(r, "pool"), pool) != 0) ||
            (type && strcmp(str(r, "type"), type) != 0))
            continue;
        json_array_append(rows, (json_t *)r);
    }
    if (c->opt.json) {
        ctl_print_json(rows);
    } else {
        printf("%-28s %-10s %-10s %-12s %-30s %7s %6s %5s\n", "IDENTITY", "START", "END", "TYPE",
               "POOL", "IN USE", "SIZE", "USE%");
        json_array_foreach(rows, i, r)
        {
            orbit_range range;
            orbit_status st;
            if (orbit_json_to_range(r, ORBIT_JSON_LENIENT, &range, NULL, &st) != ORBIT_OK)
                continue;
            uint32_t size = orbit_range_size(&range);
            long long used = json_integer_value(json_object_get(r, "in_use"));
            ctl_line(stdout, "%-28.28s %-10s %-10s %-12s %-30.30s %7lld %6u %4.0f%%",
                     range.identity, str(r, "start"), str(r, "end"), str(r, "type"), range.pool,
                     used, size, size ? 100.0 * (double)used / size : 0.0);
        }
    }
    json_decref(rows);
    json_decref(state);
    return CTL_EXIT_OK;
}

static int orbit_create(ctl *c, int argc, char **argv)
{
    static const struct option opts[] = {{"pool", required_argument, NULL, 'p'},
                                         {"type", required_argument, NULL, 't'},
                                         {NULL, 0, NULL, 0}};
    const char *pool = NULL, *type = "CallPark";
    int o;
    restart_options();
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'p')
            pool = optarg;
        else if (o == 't')
            type = optarg;
        else
            return usage_error("orbit create IDENTITY START END --pool FQDN [--type TYPE]");
    }
    if (argc - optind != 3 || !pool)
        return usage_error("orbit create IDENTITY START END --pool FQDN [--type TYPE]");
    int rc = open_and_connect(c, false, false);
    json_t *data = NULL;
    if (!rc)
        rc = ctl_cmd(c, c->conn, "orbit.create",
                     json_pack("{s:s, s:s, s:s, s:s, s:s}", "identity", argv[optind], "start",
                               argv[optind + 1], "end", argv[optind + 2], "pool", pool, "type",
                               type),
                     &data);
    if (!rc)
        done_text(c, data, "created %s: %s..%s %s on %s", argv[optind], argv[optind + 1],
                  argv[optind + 2], type, pool);
    json_decref(data);
    return rc;
}

static int orbit_set(ctl *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"start", required_argument, NULL, 's'}, {"end", required_argument, NULL, 'e'},
        {"pool", required_argument, NULL, 'p'},  {"type", required_argument, NULL, 't'},
        {"force", no_argument, NULL, 'f'},       {NULL, 0, NULL, 0}};
    json_t *args = json_object();
    int o;
    restart_options();
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        const char *key = o == 's'   ? "start"
                          : o == 'e' ? "end"
                          : o == 'p' ? "pool"
                          : o == 't' ? "type"
                                     : NULL;
        if (key)
            json_object_set_new(args, key, json_string(optarg));
        else if (o == 'f')
            json_object_set_new(args, "force", json_true());
        else {
            json_decref(args);
            return usage_error("orbit set IDENTITY [--start N] [--end N] [--pool FQDN] [--type T] "
                               "[--force]");
        }
    }
    if (argc - optind != 1) {
        json_decref(args);
        return usage_error("orbit set IDENTITY [--start N] [--end N] [--pool FQDN] [--type T] "
                           "[--force]");
    }
    json_object_set_new(args, "identity", json_string(argv[optind]));
    int rc = open_and_connect(c, false, false);
    json_t *data = NULL;
    if (rc) {
        json_decref(args);
        return rc;
    }
    rc = ctl_cmd(c, c->conn, "orbit.update", args, &data);
    if (!rc)
        done_text(c, data, "updated %s: %s..%s %s on %s", str(data, "identity"), str(data, "start"),
                  str(data, "end"), str(data, "type"), str(data, "pool"));
    json_decref(data);
    return rc;
}

static int orbit_remove(ctl *c, int argc, char **argv)
{
    static const struct option opts[] = {{"force", no_argument, NULL, 'f'}, {NULL, 0, NULL, 0}};
    static const char usage[] = "orbit remove IDENTITY [--force]";
    bool force = false;
    int o;
    restart_options();
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o != 'f')
            return usage_error(usage);
        force = true;
    }
    if (argc - optind != 1)
        return usage_error(usage);
    const char *id = argv[optind];
    int rc = open_and_connect(c, false, false);
    json_t *data = NULL;
    if (!rc)
        rc = ctl_cmd(c, c->conn, "orbit.delete",
                     json_pack("{s:s, s:b}", "identity", id, "force", force), &data);
    if (!rc)
        done_text(c, data, "removed %s", id);
    json_decref(data);
    return rc;
}

static int orbit_reassign(ctl *c, int argc, char **argv)
{
    static const struct option opts[] = {{"type", required_argument, NULL, 't'},
                                         {NULL, 0, NULL, 0}};
    static const char usage[] = "orbit reassign FROM_POOL TO_POOL [--type TYPE]";
    const char *type = NULL;
    int o;
    restart_options();
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o != 't')
            return usage_error(usage);
        type = optarg;
    }
    if (argc - optind != 2)
        return usage_error(usage);
    const char *from = argv[optind], *to = argv[optind + 1];
    int rc = open_and_connect(c, false, false);
    json_t *data = NULL;
    json_t *args = json_pack("{s:s, s:s}", "from_pool", from, "to_pool", to);
    if (args && type) /* no type: every type */
        json_object_set_new(args, "type", json_string(type));
    if (!rc)
        rc = ctl_cmd(c, c->conn, "orbit.reassign", args, &data);
    else
        json_decref(args);
    if (!rc)
        done_text(c, data, "moved %lld %s range(s) from %s to %s",
                  (long long)json_integer_value(json_object_get(data, "moved")), type ? type : "",
                  from, to);
    json_decref(data);
    return rc;
}

int ctl_cmd_orbit(ctl *c, int argc, char **argv)
{
    static const ctl_subcommand subs[] = {{"list", orbit_list},
                                          {"create", orbit_create},
                                          {"set", orbit_set},
                                          {"remove", orbit_remove},
                                          {"reassign", orbit_reassign}};
    return run_subcommand(c, argc, argv, subs, sizeof subs / sizeof subs[0]);
}

/* ---- cps ---- */

static void print_settings(ctl *c, const char *pool, json_t *cfg)
{
    if (c->opt.json) {
        json_t *out = json_pack("{s:s, s:O}", "pool", pool, "config", cfg);
        ctl_print_json(out);
        json_decref(out);
        return;
    }
    ctl_line(stdout, "Call Park settings of %s", pool);
    ctl_line(stdout, "  call_pickup_timeout_threshold  %lld s",
             (long long)json_integer_value(json_object_get(cfg, "call_pickup_timeout_threshold")));
    ctl_line(stdout, "  enable_music_on_hold           %s",
             json_is_true(json_object_get(cfg, "enable_music_on_hold")) ? "true" : "false");
    ctl_line(stdout, "  max_call_pickup_attempts       %lld",
             (long long)json_integer_value(json_object_get(cfg, "max_call_pickup_attempts")));
    ctl_line(stdout, "  on_timeout_uri                 %s",
             str(cfg, "on_timeout_uri")[0] ? str(cfg, "on_timeout_uri") : "(none)");
}

/* Records settings in the vault; a failure to back up is reported. */
static int backup_settings(ctl *c, const char *pool, const json_t *cfg)
{
    client_vault *v;
    int rc = ctl_vault(c, &v);
    if (rc)
        return rc;
    cps_settings s;
    cps_settings_default(&s);
    orbit_status st;
    if (orbit_json_to_settings(cfg, ORBIT_JSON_LENIENT, false, &s, &st) != ORBIT_OK ||
        client_vault_store_settings(v, pool, &s, c->who, &st) != ORBIT_OK) {
        ctl_line(stderr, "orbitctl: could not back up %s's settings: %s", pool, st.message);
        return CTL_EXIT_FAILED;
    }
    return CTL_EXIT_OK;
}

static int cps_get(ctl *c)
{
    int rc = ctl_open(c, false, false);
    json_t *state = NULL;
    if (!rc)
        rc = ctl_get(c, NULL, "/v1/state", &state);
    if (rc)
        return rc;
    const char *pool = str(json_object_get(state, "pool"), "fqdn");
    json_t *cfg = json_object_get(state, "config");
    print_settings(c, pool, cfg);
    rc = backup_settings(c, pool, cfg);
    json_decref(state);
    return rc;
}

static int cps_set(ctl *c, int argc, char **argv)
{
    static const struct option opts[] = {{"timeout", required_argument, NULL, 't'},
                                         {"moh", required_argument, NULL, 'm'},
                                         {"attempts", required_argument, NULL, 'a'},
                                         {"timeout-uri", required_argument, NULL, 'u'},
                                         {NULL, 0, NULL, 0}};
    json_t *args = json_object();
    int o;
    restart_options();
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        char *end = NULL;
        long v;
        switch (o) {
        case 't':
        case 'a':
            v = strtol(optarg, &end, 10);
            if (*end) {
                json_decref(args);
                return usage_error("--timeout and --attempts take integers");
            }
            json_object_set_new(
                args, o == 't' ? "call_pickup_timeout_threshold" : "max_call_pickup_attempts",
                json_integer(v));
            break;
        case 'm':
            if (strcmp(optarg, "on") && strcmp(optarg, "off")) {
                json_decref(args);
                return usage_error("--moh is on or off");
            }
            json_object_set_new(args, "enable_music_on_hold",
                                json_boolean(strcmp(optarg, "on") == 0));
            break;
        case 'u':
            json_object_set_new(args, "on_timeout_uri", json_string(optarg));
            break;
        default:
            json_decref(args);
            return usage_error("cps set [--timeout S] [--moh on|off] [--attempts N] "
                               "[--timeout-uri URI]");
        }
    }
    if (optind != argc || json_object_size(args) == 0) {
        json_decref(args);
        return usage_error("cps set [--timeout S] [--moh on|off] [--attempts N] "
                           "[--timeout-uri URI]");
    }
    int rc = open_and_connect(c, false, false);
    json_t *data = NULL;
    if (rc) {
        json_decref(args);
        return rc;
    }
    rc = ctl_cmd(c, c->conn, "config.set", args, &data);
    if (!rc) {
        print_settings(c, client_conn_fqdn(c->conn), data);
        rc = backup_settings(c, client_conn_fqdn(c->conn), data);
    }
    json_decref(data);
    return rc;
}

/* Parses `restore --from POOL [--sha PREFIX]` and finds that backup of
 * the given kind in the vault; the caller frees *entry. */
static int find_restore_entry(ctl *c, int argc, char **argv, const char *kind, const char *usage,
                              const char **from, json_t **entry, char *path, size_t pathlen)
{
    static const struct option opts[] = {{"from", required_argument, NULL, 'f'},
                                         {"sha", required_argument, NULL, 's'},
                                         {NULL, 0, NULL, 0}};
    const char *sha = NULL;
    *from = NULL;
    int o;
    restart_options();
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'f')
            *from = optarg;
        else if (o == 's')
            sha = optarg;
        else
            return usage_error(usage);
    }
    if (!*from || optind != argc)
        return usage_error(usage);
    client_vault *v;
    int rc = ctl_vault(c, &v);
    if (rc)
        return rc;
    orbit_status st;
    *entry = client_vault_find(v, *from, kind, sha, path, pathlen, &st);
    return *entry ? CTL_EXIT_OK : ctl_fail_local(c, &st);
}

static int cps_restore(ctl *c, int argc, char **argv)
{
    const char *from;
    char path[1400];
    json_t *entry;
    int rc = find_restore_entry(c, argc, argv, "settings", "cps restore --from POOL [--sha PREFIX]",
                                &from, &entry, path, sizeof path);
    if (rc)
        return rc;
    rc = open_and_connect(c, false, false);
    json_t *data = NULL;
    if (!rc)
        rc = ctl_cmd(c, c->conn, "config.set", json_deep_copy(json_object_get(entry, "settings")),
                     &data);
    if (!rc) {
        if (!c->opt.json)
            ctl_line(stdout, "restored the settings %s of %s (%s) to %s", str(entry, "time"), from,
                     str(entry, "sha256"), client_conn_fqdn(c->conn));
        print_settings(c, client_conn_fqdn(c->conn), data);
        rc = backup_settings(c, client_conn_fqdn(c->conn), data);
    }
    json_decref(data);
    json_decref(entry);
    return rc;
}

static int cps_get_command(ctl *c, int argc, char **argv)
{
    (void)argv;
    return argc == 1 ? cps_get(c) : usage_error("cps get takes no arguments");
}

int ctl_cmd_cps(ctl *c, int argc, char **argv)
{
    static const ctl_subcommand subs[] = {
        {"get", cps_get_command}, {"set", cps_set}, {"restore", cps_restore}};
    return run_subcommand(c, argc, argv, subs, sizeof subs / sizeof subs[0]);
}

/* ---- moh ---- */

typedef struct {
    bool done;
    bool tty;
    client_moh_result result;
} upload_wait;

static bool on_upload_progress(void *ctx, uint64_t sent, uint64_t total)
{
    upload_wait *w = ctx;
    if (w->tty && total) {
        int width = 30, filled = (int)((double)sent / (double)total * width);
        fprintf(stderr, "\r[%.*s%*s] %3d%% %llu/%llu bytes", filled,
                "##############################", width - filled, "",
                (int)(100.0 * (double)sent / (double)total), (unsigned long long)sent,
                (unsigned long long)total);
    }
    return true;
}

static void on_upload_done(void *ctx, const client_moh_result *r)
{
    upload_wait *w = ctx;
    w->result = *r;
    w->done = true;
    if (w->tty)
        fputc('\n', stderr);
}

/* Backs a file up, uploads it to the connected pool and verifies it. */
static int upload_file(ctl *c, const char *path, const char *name)
{
    client_vault *v;
    int rc = ctl_vault(c, &v);
    if (rc)
        return rc;
    upload_wait w = {.tty = !c->opt.json && isatty(STDERR_FILENO)};
    orbit_status st;
    const char *pool = client_conn_fqdn(c->conn);
    client_moh_upload *u =
        client_moh_upload_start(c->rest, v, pool, c->http, c->token, path, name, c->who,
                                on_upload_progress, on_upload_done, &w, &st);
    if (!u) /* the file or the vault: nothing reached the pool */
        return ctl_fail_local(c, &st);
    /* Uploads take as long as they take; only a stall times them out. */
    while (!w.done)
        client_hub_service(c->hub);
    if (!w.result.ok)
        return ctl_fail(c, &w.result.err);
    json_t *data = orbit_json_from_moh(&w.result.moh);
    if (data) {
        json_object_set_new(data, "pool", json_string(pool));
        json_object_set_new(data, "verified", json_true());
        json_object_set_new(data, "backup", json_string(w.result.vault_path));
    }
    done_text(c, data, "uploaded %s to %s: %llu bytes, SHA-256 %s verified; backup %s",
              w.result.moh.name, pool, (unsigned long long)w.result.moh.size, w.result.pool_sha256,
              w.result.vault_path);
    json_decref(data);
    return CTL_EXIT_OK;
}

static int moh_upload(ctl *c, int argc, char **argv)
{
    static const struct option opts[] = {{"name", required_argument, NULL, 'n'},
                                         {NULL, 0, NULL, 0}};
    const char *name = NULL;
    int o;
    restart_options();
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o != 'n')
            return usage_error("moh upload FILE [--name NAME]");
        name = optarg;
    }
    if (argc - optind != 1)
        return usage_error("moh upload FILE [--name NAME]");
    const char *file = argv[optind];
    int rc = open_and_connect(c, false, false);
    return rc ? rc : upload_file(c, file, name);
}

typedef struct {
    bool done;
    long status;
    orbit_status err;
    bool failed;
} dl_wait;

static void on_download(void *ctx, long status, const char *body, size_t len,
                        const orbit_status *err)
{
    (void)body;
    (void)len;
    dl_wait *w = ctx;
    w->done = true;
    w->status = status;
    if (err) {
        w->failed = true;
        w->err = *err;
    }
}

static int moh_download(ctl *c, int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {NULL, 0, NULL, 0}};
    const char *out = NULL;
    int o;
    restart_options();
    while ((o = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        if (o != 'o')
            return usage_error("moh download [-o FILE]");
        out = optarg;
    }
    if (optind != argc)
        return usage_error("moh download [-o FILE]");
    int rc = ctl_open(c, false, false);
    json_t *state = NULL;
    if (!rc)
        rc = ctl_get(c, NULL, "/v1/state", &state);
    if (rc)
        return rc;
    char name[300];
    snprintf(name, sizeof name, "%s", str(json_object_get(state, "moh"), "name"));
    /* The pool names the file: keep only a plain base name of it. */
    char safe[300];
    snprintf(safe, sizeof safe, "%s", name[0] ? basename(name) : "");
    if (!safe[0] || strcmp(safe, ".") == 0 || strcmp(safe, "..") == 0 || safe[0] == '-' ||
        !client_text_is_plain(safe, CLIENT_TEXT_ASCII))
        snprintf(safe, sizeof safe, "moh.bin");
    const char *path = out ? out : safe;
    char url[700], sha[80];
    snprintf(url, sizeof url, "%s/v1/moh", c->http);
    dl_wait w = {0};
    orbit_status st;
    if (!client_rest_download(c->rest, url, c->token, path, sha, sizeof sha, on_download, &w,
                              &st)) {
        json_decref(state);
        return ctl_fail_local(c, &st);
    }
    while (!w.done)
        client_hub_service(c->hub);
    json_decref(state);
    if (w.failed)
        return ctl_fail(c, &w.err);
    if (w.status != 200) {
        orbit_status_set(
            &st, w.status == 401 || w.status == 403 ? ORBIT_ERR_FORBIDDEN : ORBIT_ERR_INTERNAL, "",
            "GET /v1/moh answered %ld", w.status);
        return ctl_fail(c, &st);
    }
    char got[ORBIT_SHA256_HEX + 1];
    if (!orbit_sha256_file(path, got) || (sha[0] && strcmp(sha, got) != 0)) {
        orbit_status_set(&st, ORBIT_ERR_INTERNAL, "",
                         "downloaded %s does not match the pool's "
                         "SHA-256",
                         path);
        return ctl_fail_local(c, &st);
    }
    json_t *data = json_pack("{s:s, s:s}", "path", path, "sha256", got);
    done_text(c, data, "saved %s (SHA-256 %s verified)", path, got);
    json_decref(data);
    return CTL_EXIT_OK;
}

static int moh_backups(ctl *c, int argc, char **argv)
{
    static const struct option opts[] = {{"pool", required_argument, NULL, 'p'},
                                         {"all", no_argument, NULL, 'a'},
                                         {NULL, 0, NULL, 0}};
    const char *pool = NULL;
    bool all = false;
    int o;
    restart_options();
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'p')
            pool = optarg;
        else if (o == 'a')
            all = true;
        else
            return usage_error("moh backups [--pool FQDN | --all]");
    }
    if (optind != argc || (pool && all))
        return usage_error("moh backups [--pool FQDN | --all]");
    int rc;
    char fqdn[256] = "";
    if (!pool && !all) {
        /* The connected pool's FQDN. */
        rc = open_and_connect(c, false, false);
        if (rc)
            return rc;
        snprintf(fqdn, sizeof fqdn, "%s", client_conn_fqdn(c->conn));
        pool = fqdn;
    }
    client_vault *v;
    if ((rc = ctl_vault(c, &v)))
        return rc;
    orbit_status st;
    json_t *entries = client_vault_list(v, all ? NULL : pool, &st);
    if (!entries)
        return ctl_fail_local(c, &st);
    if (c->opt.json) {
        ctl_print_json(entries);
    } else {
        printf("%-24s %-28s %-8s %-14s %10s %-11s %s\n", "TIME", "POOL", "KIND", "SHA-256", "SIZE",
               "RESTORABLE", "NAME / WHO");
        const json_t *e;
        size_t i;
        json_array_foreach(entries, i, e)
        {
            bool have = json_is_true(json_object_get(e, "have"));
            const char *restorable = json_is_true(json_object_get(e, "restorable")) ? "yes"
                                     : !have                                        ? "MISSING"
                                             : "NOT-VERIFIED";
            ctl_line(stdout, "%-24s %-28.28s %-8s %-14.12s %10lld %-11s %s / %s%s%s",
                     str(e, "time"), str(e, "pool"), str(e, "kind"), str(e, "sha256"),
                     (long long)json_integer_value(json_object_get(e, "size")), restorable,
                     str(e, "name"), str(e, "who"), str(e, "failure")[0] ? ": " : "",
                     str(e, "failure"));
        }
    }
    json_decref(entries);
    return CTL_EXIT_OK;
}

static int moh_restore(ctl *c, int argc, char **argv)
{
    const char *from;
    char path[1400];
    json_t *entry;
    int rc = find_restore_entry(c, argc, argv, "moh", "moh restore --from POOL [--sha PREFIX]",
                                &from, &entry, path, sizeof path);
    if (rc)
        return rc;
    rc = open_and_connect(c, false, false);
    if (!rc)
        rc = upload_file(c, path, str(entry, "name"));
    json_decref(entry);
    return rc;
}

/* Keeps the pool's current music on hold in the vault: downloaded,
 * checked against the SHA-256 the pool states, recorded as verified. */
static int moh_backup(ctl *c, int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return usage_error("moh backup takes no arguments");
    int rc = open_and_connect(c, true, false); /* its state names the file */
    client_vault *v = NULL;
    if (!rc)
        rc = ctl_vault(c, &v);
    if (rc)
        return rc;
    const char *pool = client_conn_fqdn(c->conn);
    const moh_info *moh = client_mirror_moh(client_conn_mirror(c->conn));
    char tmp[CLIENT_PATH_MAX + 32];
    snprintf(tmp, sizeof tmp, "%s/.moh-backup-XXXXXX", client_vault_dir(v));
    int fd = mkstemp(tmp);
    orbit_status st;
    if (fd < 0) {
        orbit_status_set(&st, ORBIT_ERR_INTERNAL, "", "cannot make a file in the vault");
        return ctl_fail_local(c, &st);
    }
    close(fd);
    char url[700], sha[80] = "";
    snprintf(url, sizeof url, "%s/v1/moh", c->http);
    dl_wait w = {0};
    if (!client_rest_download(c->rest, url, c->token, tmp, sha, sizeof sha, on_download, &w, &st)) {
        unlink(tmp);
        return ctl_fail_local(c, &st);
    }
    while (!w.done)
        client_hub_service(c->hub);
    char got[ORBIT_SHA256_HEX + 1] = "";
    if (w.failed || w.status != 200 || !orbit_sha256_file(tmp, got) || strcmp(sha, got) != 0) {
        unlink(tmp);
        orbit_status_set(&st, w.failed ? w.err.code : ORBIT_ERR_INTERNAL, "",
                         "%s's music on hold did not arrive whole (HTTP %ld)", pool, w.status);
        return ctl_fail(c, &st);
    }
    struct stat sb;
    uint64_t size = stat(tmp, &sb) == 0 ? (uint64_t)sb.st_size : 0;
    char kept[ORBIT_SHA256_HEX + 1];
    if (client_vault_keep_moh(v, pool, tmp, kept, &st) != ORBIT_OK ||
        client_vault_record_moh(v, pool, got, moh->name[0] ? moh->name : "moh", size, c->who, true,
                                NULL, &st) != ORBIT_OK) {
        unlink(tmp);
        return ctl_fail_local(c, &st);
    }
    unlink(tmp);
    json_t *data = json_pack("{s:s, s:s, s:s, s:I}", "pool", pool, "name", moh->name, "sha256", got,
                             "size", (json_int_t)size);
    done_text(c, data, "kept %s's music on hold %s (%llu bytes, SHA-256 %s) in the backup vault",
              pool, moh->name, (unsigned long long)size, got);
    json_decref(data);
    return CTL_EXIT_OK;
}

int ctl_cmd_moh(ctl *c, int argc, char **argv)
{
    static const ctl_subcommand subs[] = {{"upload", moh_upload},
                                          {"download", moh_download},
                                          {"backups", moh_backups},
                                          {"restore", moh_restore},
                                          {"backup", moh_backup}};
    return run_subcommand(c, argc, argv, subs, sizeof subs / sizeof subs[0]);
}

/* ---- pool ---- */

static const json_t *find_by(const json_t *arr, const char *key, const char *value)
{
    const json_t *e;
    size_t i;
    json_array_foreach(arr, i, e)
    {
        if (strcmp(str(e, key), value) == 0)
            return e;
    }
    return NULL;
}

static int pool_list(ctl *c, const char *only)
{
    int rc = ctl_open(c, false, false);
    json_t *state = NULL;
    if (!rc)
        rc = ctl_get(c, NULL, "/v1/state", &state);
    if (rc)
        return rc;
    json_t *pools = json_object_get(state, "pools"), *dr = json_object_get(state, "dr");
    json_t *rows = json_array();
    const json_t *p;
    size_t i;
    json_array_foreach(pools, i, p)
    {
        if (only && strcmp(str(p, "fqdn"), only) != 0)
            continue;
        json_t *row = json_deep_copy(p);
        const json_t *d = find_by(dr, "home", str(p, "fqdn"));
        if (row && d)
            json_object_set_new(row, "dr", json_deep_copy(d));
        json_array_append_new(rows, row);
    }
    if (only && json_array_size(rows) == 0) {
        orbit_status st;
        orbit_status_set(&st, ORBIT_ERR_NOT_FOUND, "pool", "unknown pool %s", only);
        json_decref(rows);
        json_decref(state);
        return ctl_fail(c, &st);
    }
    if (c->opt.json) {
        ctl_print_json(only ? json_array_get(rows, 0) : rows);
    } else {
        printf("%-28s %-7s %-28s %-8s %-13s %-28s %s\n", "POOL", "SITE", "BACKUP", "STATUS",
               "PHASE", "SERVED BY", "PICKUP RANGES");
        int64_t now = orbit_time_now_ms();
        json_array_foreach(rows, i, p)
        {
            const json_t *d = json_object_get(p, "dr");
            int64_t since = json_integer_value(json_object_get(d, "since_ms"));
            ctl_line(stdout, "%-28.28s %-7.7s %-28.28s %-8s %-13s %-28.28s %s", str(p, "fqdn"),
                     str(p, "site"), str(p, "backup")[0] ? str(p, "backup") : "-", str(p, "status"),
                     str(d, "phase"), str(d, "serving"),
                     json_is_true(json_object_get(d, "pickup_ranges_redirected"))
                         ? "with the serving pool"
                         : "NOT REDIRECTED");
            if (only)
                ctl_line(stdout, "  in phase for %llds%s; last heartbeat %lld ms ago",
                         (long long)((now - since) / 1000),
                         json_is_true(json_object_get(d, "disaster_mode")) ? " (disaster mode)"
                                                                           : "",
                         (long long)(now - json_integer_value(json_object_get(p, "last_seen_ms"))));
        }
    }
    json_decref(rows);
    json_decref(state);
    return CTL_EXIT_OK;
}

/* Failover and failback run at the home pool's backup: find it, connect
 * there, send the op, and optionally wait for the phase to complete. */
static int pool_dr(ctl *c, const char *op, int argc, char **argv)
{
    static const struct option opts[] = {{"disaster-mode", no_argument, NULL, 'd'},
                                         {"wait", no_argument, NULL, 'w'},
                                         {NULL, 0, NULL, 0}};
    bool failover = strcmp(op, "pool.failover") == 0;
    const char *usage = failover ? "pool failover HOME_POOL [--disaster-mode] [--wait]"
                                 : "pool failback HOME_POOL [--wait]";
    bool disaster = false, wait = false;
    int o;
    restart_options();
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'd' && failover)
            disaster = true;
        else if (o == 'w')
            wait = true;
        else
            return usage_error(usage);
    }
    if (argc - optind != 1)
        return usage_error(usage);
    const char *home = argv[optind];
    int rc = ctl_open(c, false, false);
    json_t *state = NULL;
    if (!rc)
        rc = ctl_get(c, NULL, "/v1/state", &state);
    if (rc)
        return rc;
    orbit_status st;
    const json_t *hp = find_by(json_object_get(state, "pools"), "fqdn", home);
    const json_t *bp =
        hp ? find_by(json_object_get(state, "pools"), "fqdn", str(hp, "backup")) : NULL;
    if (!hp || !bp) {
        orbit_status_set(&st, hp ? ORBIT_ERR_CONFLICT : ORBIT_ERR_NOT_FOUND, "pool",
                         hp ? "%s has no backup pool" : "unknown pool %s", home);
        json_decref(state);
        return ctl_fail(c, &st);
    }
    char backup[ORBIT_FQDN_MAX + 1];
    snprintf(backup, sizeof backup, "%s", str(bp, "fqdn"));
    /* The backup's URL comes from a pool: the token goes there only when
     * it is a pool of the configured deployment. */
    rc = ctl_use_pool_url(c, backup, str(bp, "url"));
    json_decref(state);
    if (!rc)
        rc = ctl_connect(c);
    if (rc)
        return rc;
    json_t *args = json_pack("{s:s}", "pool", home);
    if (disaster)
        json_object_set_new(args, "disaster_mode", json_true());
    json_t *data = NULL;
    rc = ctl_cmd(c, c->conn, op, args, &data);
    if (rc)
        return rc;
    if (!c->opt.json)
        ctl_line(stdout, "%s of %s started at %s: %s until %s", op + 5, home, backup,
                 str(data, "phase"), "the phase completes");
    if (wait) {
        const char *goal = strcmp(op, "pool.failover") == 0 ? "failed_over" : "normal";
        int64_t ends = json_integer_value(json_object_get(data, "ends_ms"));
        int64_t give_up = orbit_time_mono_ms() + (ends - orbit_time_now_ms()) + 30000;
        for (;;) {
            json_t *s = NULL;
            rc = ctl_get(c, NULL, "/v1/state", &s);
            if (rc) {
                json_decref(data);
                return rc;
            }
            const json_t *d = find_by(json_object_get(s, "dr"), "home", home);
            bool reached = d && strcmp(str(d, "phase"), goal) == 0;
            if (reached) {
                json_decref(data);
                data = json_deep_copy(d);
            }
            json_decref(s);
            if (reached)
                break;
            if (orbit_time_mono_ms() > give_up) {
                orbit_status_set(&st, ORBIT_ERR_POOL_UNREACHABLE, "", "%s did not reach %s", home,
                                 goal);
                json_decref(data);
                return ctl_fail(c, &st);
            }
            usleep(200000);
        }
        if (!c->opt.json)
            ctl_line(stdout, "%s is %s, served by %s%s%s", home, goal, str(data, "serving"),
                     json_is_true(json_object_get(data, "pickup_ranges_redirected"))
                         ? ""
                         : "; now redirect its GroupPickup ranges: orbitctl pool redirect ",
                     json_is_true(json_object_get(data, "pickup_ranges_redirected")) ? "" : home);
    }
    if (c->opt.json)
        done_text(c, data, "%s", "");
    json_decref(data);
    return CTL_EXIT_OK;
}

/* The GroupPickup ranges of a home pool's users to the pool serving them,
 * and only those (a bulk reassign would take the backup's own too). */
static int pool_redirect(ctl *c, int argc, char **argv)
{
    if (argc != 2)
        return usage_error("pool redirect HOME_POOL");
    int rc = open_and_connect(c, false, false);
    json_t *data = NULL;
    if (!rc)
        rc = ctl_cmd(c, c->conn, "pickup.redirect", json_pack("{s:s}", "pool", argv[1]), &data);
    if (rc)
        return rc;
    if (c->opt.json) {
        done_text(c, data, "%s", "");
    } else {
        ctl_line(stdout, "moved %lld GroupPickup range(s) of %s's users to %s (via %s)",
                 (long long)json_integer_value(json_object_get(data, "moved")), argv[1],
                 str(data, "to_pool"), client_conn_fqdn(c->conn));
        const json_t *r;
        size_t i;
        json_array_foreach(json_object_get(data, "ranges"), i, r)
            ctl_line(stdout, "  %s  %s-%s", str(r, "identity"), str(r, "start"), str(r, "end"));
    }
    json_decref(data);
    return CTL_EXIT_OK;
}

static int pool_list_command(ctl *c, int argc, char **argv)
{
    (void)argv;
    return argc == 1 ? pool_list(c, NULL) : usage_error("pool list takes no arguments");
}

static int pool_status_command(ctl *c, int argc, char **argv)
{
    return argc <= 2 ? pool_list(c, argc == 2 ? argv[1] : NULL) : usage_error("pool status [POOL]");
}

static int pool_failover_command(ctl *c, int argc, char **argv)
{
    return pool_dr(c, "pool.failover", argc, argv);
}

static int pool_failback_command(ctl *c, int argc, char **argv)
{
    return pool_dr(c, "pool.failback", argc, argv);
}

int ctl_cmd_pool(ctl *c, int argc, char **argv)
{
    static const ctl_subcommand subs[] = {{"list", pool_list_command},
                                          {"status", pool_status_command},
                                          {"failover", pool_failover_command},
                                          {"failback", pool_failback_command},
                                          {"redirect", pool_redirect}};
    return run_subcommand(c, argc, argv, subs, sizeof subs / sizeof subs[0]);
}
