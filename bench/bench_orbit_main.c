/* bench_orbit: the orbit.v1 load generator, in C over WebSocket (see
 * bench_ws.h for why not libwebsockets' client). See docs/performance.md.
 *   bench_orbit MODE --url ws://HOST:PORT/v1/stream --token T [options]
 * prints one JSON report on stdout. */
#include "bench_orbit.h"

#include "bench_proc.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: bench_orbit MODE --url URL --token TOKEN [options]\n"
            "modes:\n"
            "  park      park + retrieve for --duration s over --conns x --depth slots\n"
            "  fill      park --count calls and leave them parked (RSS per call)\n"
            "  range     orbit.create + orbit.delete of a --range-size range, --count times\n"
            "  orbits    add --count numbers to --pool in ranges of --range-size\n"
            "  fanout    --subs subscribers; park/retrieve at --rate events/s for --duration s\n"
            "  snapshot  one subscriber --repeat times, then --subs at once (RSS)\n"
            "options: --sub-token T --pid PID --peer-pid PID (repeatable) --parkers FILE\n"
            "         --conns N --depth D --subs S --count N --duration S --rate R\n"
            "         --range-size N --start NUMBER --pool FQDN --id-prefix P --repeat K\n"
            "         --throttle R (per-session pace once rate limited; default 2000)\n");
}

/* One user URI a line. */
static bool load_parkers(bench_orbit_opts *o, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "bench_orbit: %s: %s\n", path, strerror(errno));
        return false;
    }
    char line[512];
    size_t cap = 0;
    bool ok = true;
    while (ok && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0])
            continue;
        if (o->nparkers == cap) {
            cap = cap ? cap * 2 : 64;
            char **grown = realloc(o->parkers, cap * sizeof *grown);
            if (!grown) {
                ok = false;
                break;
            }
            o->parkers = grown;
        }
        o->parkers[o->nparkers] = strdup(line);
        ok = o->parkers[o->nparkers] != NULL;
        o->nparkers += ok;
    }
    fclose(f);
    if (ok && !o->nparkers)
        fprintf(stderr, "bench_orbit: %s lists no users\n", path);
    return ok && o->nparkers;
}

static bool number(const char *s, double min, double max, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= min && v <= max))
        return false;
    *out = v;
    return true;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *mode = argv[1];
    bench_orbit_opts o = {.conns = 1,
                          .depth = 1,
                          .duration_s = 5,
                          .id_prefix = "bench",
                          .range_size = 100,
                          .repeat = 5,
                          .throttle = 2000};
    static const struct option opts[] = {
        {"url", required_argument, NULL, 'u'},
        {"token", required_argument, NULL, 't'},
        {"sub-token", required_argument, NULL, 'T'},
        {"pid", required_argument, NULL, 'p'},
        {"peer-pid", required_argument, NULL, 'P'},
        {"parkers", required_argument, NULL, 'k'},
        {"conns", required_argument, NULL, 'c'},
        {"depth", required_argument, NULL, 'd'},
        {"subs", required_argument, NULL, 's'},
        {"count", required_argument, NULL, 'n'},
        {"duration", required_argument, NULL, 'D'},
        {"rate", required_argument, NULL, 'r'},
        {"range-size", required_argument, NULL, 'z'},
        {"start", required_argument, NULL, 'S'},
        {"pool", required_argument, NULL, 'o'},
        {"id-prefix", required_argument, NULL, 'i'},
        {"repeat", required_argument, NULL, 'R'},
        {"throttle", required_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *parkers = NULL;
    int c;
    double v;
    optind = 2;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        bool ok = true;
        switch (c) {
        case 'u':
            o.url = optarg;
            break;
        case 't':
            o.token = optarg;
            break;
        case 'T':
            o.sub_token = optarg;
            break;
        case 'k':
            parkers = optarg;
            break;
        case 'o':
            o.pool = optarg;
            break;
        case 'i':
            o.id_prefix = optarg;
            break;
        case 'p':
            ok = number(optarg, 1, 4194304, &v);
            o.pid = (pid_t)v;
            break;
        case 'P':
            ok = o.npeers < BENCH_ORBIT_PEERS_MAX && number(optarg, 1, 4194304, &v);
            if (ok)
                o.peers[o.npeers++] = (pid_t)v;
            break;
        case 'c':
            ok = number(optarg, 1, 4096, &v);
            o.conns = (int)v;
            break;
        case 'd':
            ok = number(optarg, 1, 4096, &v);
            o.depth = (int)v;
            break;
        case 's':
            ok = number(optarg, 0, 10000, &v);
            o.subs = (int)v;
            break;
        case 'n':
            ok = number(optarg, 0, 1e9, &v);
            o.count = (long)v;
            break;
        case 'D':
            ok = number(optarg, 0.1, 86400, &o.duration_s);
            break;
        case 'r':
            ok = number(optarg, 0, 1e7, &o.rate);
            break;
        case 'z':
            ok = number(optarg, 1, 1e6, &v);
            o.range_size = (long)v;
            break;
        case 'S':
            ok = number(optarg, 1, 999999999, &v);
            o.start_number = (long)v;
            break;
        case 'R':
            ok = number(optarg, 1, 1000, &v);
            o.repeat = (int)v;
            break;
        case 'h':
            ok = number(optarg, 1, 1e7, &o.throttle);
            break;
        default:
            usage(stderr);
            return 2;
        }
        if (!ok) {
            fprintf(stderr, "bench_orbit: bad value '%s'\n", optarg);
            return 2;
        }
    }
    if (!o.url || !o.token) {
        usage(stderr);
        return 2;
    }
    if (parkers && !load_parkers(&o, parkers))
        return 1;
    json_t *(*run)(const bench_orbit_opts *) = NULL;
    static const struct {
        const char *name;
        json_t *(*fn)(const bench_orbit_opts *);
    } modes[] = {{"park", bench_orbit_park},     {"fill", bench_orbit_fill},
                 {"range", bench_orbit_range},   {"orbits", bench_orbit_orbits},
                 {"fanout", bench_orbit_fanout}, {"snapshot", bench_orbit_snapshot}};
    for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
        if (strcmp(mode, modes[i].name) == 0)
            run = modes[i].fn;
    }
    int rc = 1;
    if (!run) {
        fprintf(stderr, "bench_orbit: unknown mode '%s'\n", mode);
        rc = 2;
    } else {
        json_t *report = run(&o);
        if (report) {
            json_dumpf(report, stdout, JSON_COMPACT);
            fputc('\n', stdout);
            json_decref(report);
            rc = 0;
        }
    }
    for (size_t i = 0; i < o.nparkers; i++)
        free(o.parkers[i]);
    free(o.parkers);
    return rc;
}
