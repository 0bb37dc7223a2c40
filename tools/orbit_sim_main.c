/* orbit-sim: simulated phones for a whole deployment: they place, park,
 * retrieve and pick up calls at a profile's rates, follow their serving
 * pool through failover and failback, and report what happened. */
#include "client_hub.h"
#include "client_rest.h"
#include "client_target.h"
#include "client_text.h"
#include "orbit_json.h"
#include "orbit_time.h"
#include "sim_phones.h"
#include "sim_sip.h"

#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIM_FETCH_TIMEOUT_MS 30000

static volatile sig_atomic_t g_stop;

/* A problem reported by a pool, printed without its control characters. */
static void sim_error(const char *what, const char *why)
{
    char *shown = client_text_visible_dup(why, 0);
    fprintf(stderr, "orbit-sim: %s: %s\n", what, shown ? shown : "?");
    free(shown);
}

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: orbit-sim (--deployment FILE | --url URL... ) [options]\n"
            "  --deployment FILE   an orbit-demo deployment.json (pools, tokens, clock scale)\n"
            "  --url URL           a pool's stream URL; others are discovered (repeatable)\n"
            "  --token-file FILE   endpoint token (else ORBIT_TOKEN, or the deployment's)\n"
            "  --ca FILE           CA certificate for wss:// pools\n"
            "  --profile NAME      demo (default), capacity or stress\n"
            "  --clock-scale X     the deployment's clock scale (default: from the file, or 1)\n"
            "  --duration S        stop after S seconds (default: until SIGTERM or SIGINT)\n"
            "  --seed N            repeatable randomness\n"
            "  --json              print the summary as JSON\n"
            "  --status-every S    a status line on stderr every S seconds (default 30)\n"
            "  --sip               phones over real SIP and RTP to the pools' SIP edges\n"
            "                      (needs --deployment with sip_passwords; see docs/orbit-sim.md)\n"
            "  --topology FILE     with --sip: homes and groups (default: beside the deployment)\n"
            "  --calls N           with --sip: calls at once (default: one per pool)\n"
            "  --hold S            with --sip: seconds parked or ringing before the take (2)\n"
            "Exit status: 0 with no unexpected errors, 1 with some, 2 for bad usage, 3 when\n"
            "no pool could be reached.\n");
}

typedef struct {
    json_t *users;
    bool done;
    char error[256];
} fetch_ctx;

static void on_users(void *ctx, long status, const char *body, size_t len, const orbit_status *err)
{
    fetch_ctx *f = ctx;
    f->done = true;
    if (err) {
        snprintf(f->error, sizeof f->error, "%s", err->message);
        return;
    }
    if (status != 200) {
        snprintf(f->error, sizeof f->error, "GET /v1/users answered %ld", status);
        return;
    }
    json_t *doc = json_loadb(body, len, 0, NULL);
    json_t *users = json_object_get(doc, "users");
    if (json_is_array(users))
        f->users = json_incref(users);
    else
        snprintf(f->error, sizeof f->error, "GET /v1/users: no users array");
    json_decref(doc);
}

/* Loads the users from the first pool that answers. */
static orbit_user *fetch_users(const client_target *t, size_t *nusers)
{
    client_options o = {
        .token = t->token, .client_name = "orbit-sim/" ORBIT_VERSION, .plaintext_only = !t->tls};
    const char *ca = t->ca[0] ? t->ca : NULL;
    orbit_status st;
    client_hub *hub = client_hub_new(&o, NULL, NULL, &st);
    client_rest *rest = hub ? client_rest_new(hub, ca, &st) : NULL;
    orbit_user *out = NULL;
    int64_t until = orbit_time_mono_ms() + SIM_FETCH_TIMEOUT_MS;
    for (size_t attempt = 0; rest && !out && orbit_time_mono_ms() < until && !g_stop; attempt++) {
        char url[CLIENT_URL_MAX + 16];
        snprintf(url, sizeof url, "%s/v1/users", t->pools[attempt % t->npools].http);
        fetch_ctx f = {0};
        if (!client_rest_get(rest, url, t->token, on_users, &f, &st))
            break;
        while (!f.done && !g_stop)
            client_hub_service(hub);
        if (!f.users) {
            sim_error(url, f.error);
            continue;
        }
        size_t n = json_array_size(f.users);
        out = calloc(n ? n : 1, sizeof *out);
        for (size_t i = 0; out && i < n; i++) {
            if (orbit_json_to_user(json_array_get(f.users, i), ORBIT_JSON_LENIENT, &out[i], &st) !=
                ORBIT_OK) {
                sim_error("bad user entry", st.message);
                free(out);
                out = NULL;
                break;
            }
        }
        *nusers = n;
        json_decref(f.users);
    }
    client_rest_free(rest);
    client_hub_free(hub);
    return out;
}

typedef struct {
    sim_phones *sim;
    int64_t started;
    size_t pools;
    const char *profile;
} status_ctx;

static void print_status(void *ctx, int64_t now_ms)
{
    status_ctx *s = ctx;
    const sim_stats *st = sim_phones_stats(s->sim);
    fprintf(stderr,
            "orbit-sim: %.0f s: ok %llu, expected refusals %llu, unexpected %llu, %zu "
            "calls in progress\n",
            (double)(now_ms - s->started) / 1000.0, (unsigned long long)sim_stats_total_ok(st),
            (unsigned long long)sim_stats_total_expected(st),
            (unsigned long long)sim_stats_total_unexpected(st), sim_phones_tracked(s->sim));
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"deployment", required_argument, NULL, 'd'},
        {"url", required_argument, NULL, 'u'},
        {"token-file", required_argument, NULL, 't'},
        {"ca", required_argument, NULL, 'c'},
        {"profile", required_argument, NULL, 'p'},
        {"clock-scale", required_argument, NULL, 's'},
        {"duration", required_argument, NULL, 'D'},
        {"seed", required_argument, NULL, 'S'},
        {"json", no_argument, NULL, 'j'},
        {"status-every", required_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
        {"sip", no_argument, NULL, 'P'},
        {"topology", required_argument, NULL, 'T'},
        {"calls", required_argument, NULL, 'C'},
        {"hold", required_argument, NULL, 'H'},
        {NULL, 0, NULL, 0},
    };
    const char *profile_name = "demo";
    sim_sip_options sip = {.hold_s = 2.0};
    bool use_sip = false;
    client_target_request *req = calloc(1, sizeof *req);
    client_target *target = calloc(1, sizeof *target);
    double scale = 0, duration = 0, status_every = 30;
    unsigned long long seed = 0;
    bool json_out = false;
    int c, rc = 0;
    if (!req || !target) {
        free(req);
        free(target);
        return 2;
    }
    req->program = "orbit-sim";
    req->token_role = "endpoint";
    while (!rc && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        char *end = NULL;
        char *dst = NULL;
        size_t len = 0;
        switch (c) {
        case 'd':
            dst = req->deployment, len = sizeof req->deployment;
            break;
        case 'u':
            if (!client_target_add_url(req, optarg)) {
                fprintf(stderr, "orbit-sim: too many --url\n");
                rc = 2;
            }
            break;
        case 't':
            dst = req->token_file, len = sizeof req->token_file;
            break;
        case 'c':
            dst = req->ca, len = sizeof req->ca;
            break;
        case 'p':
            profile_name = optarg;
            break;
        case 's':
            scale = strtod(optarg, &end);
            break;
        case 'D':
            duration = strtod(optarg, &end);
            break;
        case 'S':
            seed = strtoull(optarg, &end, 10);
            break;
        case 'e':
            status_every = strtod(optarg, &end);
            break;
        case 'j':
            json_out = true;
            break;
        case 'P':
            use_sip = true;
            break;
        case 'T':
            sip.topology = optarg;
            break;
        case 'C':
            sip.concurrency = (unsigned)strtoul(optarg, &end, 10);
            break;
        case 'H':
            sip.hold_s = strtod(optarg, &end);
            break;
        case 'h':
            usage(stdout);
            rc = -1;
            break;
        default:
            usage(stderr);
            rc = 2;
            break;
        }
        if (dst && snprintf(dst, len, "%s", optarg) >= (int)len) {
            fprintf(stderr, "orbit-sim: %s: value too long\n", optarg);
            rc = 2;
        }
        if (!rc && end && *end) {
            fprintf(stderr, "orbit-sim: bad number '%s'\n", optarg);
            rc = 2;
        }
    }
    if (!rc && use_sip) {
        /* SIP phones read the deployment file themselves. */
        if (!req->deployment[0]) {
            fprintf(stderr, "orbit-sim: --sip needs --deployment\n");
            free(req);
            free(target);
            return 2;
        }
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        sip.deployment = req->deployment;
        sip.duration_s = duration;
        sip.seed = seed;
        sip.json = json_out;
        int sip_rc = sim_sip_run(&sip, &g_stop);
        free(req);
        free(target);
        return sip_rc;
    }
    const sim_profile *profile = rc ? NULL : sim_profile_find(profile_name);
    if (!rc && !profile) {
        fprintf(stderr, "orbit-sim: unknown profile %s (%s)\n", profile_name, sim_profile_names());
        rc = 2;
    }
    orbit_status st;
    if (!rc && client_target_resolve(req, target, &st) != ORBIT_OK) {
        sim_error("cannot start", st.message);
        usage(stderr);
        rc = 2;
    }
    free(req);
    if (rc) {
        free(target);
        return rc < 0 ? 0 : rc;
    }
    if (scale <= 0)
        scale = target->clock_scale;
    if (scale <= 0)
        scale = 1.0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);

    size_t nusers = 0;
    orbit_user *users = fetch_users(target, &nusers);
    sim_phones *sim = users ? sim_phones_new(profile, scale, seed, users, nusers) : NULL;
    client_hub *hub = NULL;
    if (!users) {
        fprintf(stderr, "orbit-sim: could not load the users from any pool\n");
        rc = 3;
    } else if (!sim) {
        fprintf(stderr, "orbit-sim: out of memory\n");
        rc = 1;
    } else {
        client_hooks hooks;
        sim_phones_hooks(&hooks);
        client_options o = {.token = target->token,
                            .client_name = "orbit-sim/" ORBIT_VERSION,
                            .ca_file = target->ca[0] ? target->ca : NULL,
                            .plaintext_only = !target->tls,
                            .discover = true,
                            .allow_url = client_target_allow_hook,
                            .allow_ctx = target,
                            .subscribe = true};
        hub = client_hub_new(&o, &hooks, sim, &st);
        for (size_t i = 0; hub && i < target->npools; i++) {
            if (!client_hub_add(hub, target->pools[i].url, &st))
                sim_error(target->pools[i].url, st.message);
        }
        if (!hub) {
            fprintf(stderr, "orbit-sim: %s\n", st.message);
            rc = 1;
        }
    }
    int64_t started = orbit_time_now_ms();
    status_ctx sc = {sim, started, target->npools, profile->name};
    if (!rc && (!sim_phones_attach(sim, hub) ||
                (status_every > 0 &&
                 !client_hub_every(hub, (int)(status_every * 1000), print_status, &sc)))) {
        fprintf(stderr, "orbit-sim: out of memory\n");
        rc = 1;
    }
    if (!rc) {
        fprintf(stderr, "orbit-sim: profile %s, %zu users, clock scale %g, %zu pools\n",
                profile->name, nusers, scale, target->npools);
        int64_t until = duration > 0 ? started + (int64_t)(duration * 1000) : INT64_MAX;
        while (!g_stop && orbit_time_now_ms() < until)
            client_hub_service(hub);
        double seconds = (double)(orbit_time_now_ms() - started) / 1000.0;
        const sim_stats *stats = sim_phones_stats(sim);
        size_t pools = client_hub_count(hub);
        if (json_out) {
            json_t *summary = sim_stats_json(stats, profile->name, seconds, pools);
            char *text = summary ? json_dumps(summary, JSON_INDENT(2)) : NULL;
            if (text)
                printf("%s\n", text);
            free(text);
            json_decref(summary);
        } else {
            sim_stats_print(stats, stdout, profile->name, seconds, pools);
        }
        fflush(stdout);
        rc = sim_stats_total_unexpected(stats) ? 1 : 0;
    }
    client_hub_free(hub);
    sim_phones_free(sim);
    free(users);
    free(target);
    curl_global_cleanup();
    return rc;
}
