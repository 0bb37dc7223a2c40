/* bench_mirror: the client mirror (client/client_mirror.h) in-process, no
 * network: the memory it holds per parked call (RSS delta of this process
 * over N applied call.parked events), and how many events a second it
 * applies with N calls parked, both from parsed objects (the mirror
 * alone) and from frame text (json_loadb + apply, a client's whole path
 * for one event), with the parse alone (json_loadb + json_decref) timed
 * apart so its share shows.
 * Rates are per second of this thread's CPU time, not of the wall clock:
 * on a machine shared with other work the wall clock also counts the
 * time the thread waited for a core.
 *   bench_mirror [--parked N] [--events M]   prints one JSON report;
 * N is below 50,000, the numbers one pool may own. */
#include "bench_proc.h"
#include "client_mirror.h"
#include "orbit_frame.h"
#include "orbit_json.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SELF       "pool1.north.example.net"
#define RANGE_SIZE 10000
#define FIRST      1000000
#define BATCH      10000

/* A snapshot's state with enough CallPark ranges for `numbers` orbits. */
static json_t *base_state(long numbers)
{
    json_t *orbits = json_array();
    for (long k = 0; orbits && k * RANGE_SIZE < numbers; k++) {
        char id[32], start[24], end[24];
        snprintf(id, sizeof id, "bench r%ld", k);
        snprintf(start, sizeof start, "%ld", FIRST + k * RANGE_SIZE);
        long last = (k + 1) * RANGE_SIZE < numbers ? (k + 1) * RANGE_SIZE : numbers;
        snprintf(end, sizeof end, "%ld", FIRST + last - 1);
        json_array_append_new(orbits, json_pack("{s:s, s:s, s:s, s:s, s:s, s:i}", "identity", id,
                                                "start", start, "end", end, "pool", SELF, "type",
                                                "CallPark", "in_use", 0));
    }
    return json_pack("{s:{s:s, s:s, s:s}, s:[], s:[], s:o, s:[], s:[]}", "pool", "fqdn", SELF,
                     "site", "north", "status", "up", "pools", "dr", "orbits", orbits, "parked",
                     "queues");
}

/* The data of call.parked for call k, as orbitd sends it. */
static json_t *parked_data(long k)
{
    parked_call c;
    memset(&c, 0, sizeof c);
    snprintf(c.call_id, sizeof c.call_id, "bench-call-%ld", k);
    char num[24];
    snprintf(num, sizeof num, "%ld", FIRST + k);
    if (orbit_number_parse(num, &c.orbit) != ORBIT_NUMBER_OK)
        return NULL;
    snprintf(c.parker, sizeof c.parker, "sip:user1-%03ld@example.net", k % 1000);
    snprintf(c.parkee, sizeof c.parkee, "sip:caller-%ld@bench.example.net", k);
    c.parked_ms = 1764460000000 + k;
    c.deadline_ms = c.parked_ms + 90000;
    c.state = PARKED_STATE_PARKED;
    c.music_on_hold = true;
    json_t *d = orbit_json_from_parked(&c);
    if (d)
        json_object_set_new(d, "pool", json_string(SELF));
    return d;
}

static json_t *retrieved_data(long k)
{
    char id[48], num[24];
    snprintf(id, sizeof id, "bench-call-%ld", k);
    snprintf(num, sizeof num, "%ld", FIRST + k);
    return json_pack("{s:s, s:s, s:s}", "call_id", id, "orbit", num, "by",
                     "sip:user1-001@example.net");
}

/* Event e of the steady stream: retrieve a parked call, park it again. */
static json_t *stream_data(long e, long parked, const char **kind)
{
    long k = (e / 2) % parked;
    *kind = e % 2 ? "call.parked" : "call.retrieved";
    return e % 2 ? parked_data(k) : retrieved_data(k);
}

/* Seconds of CPU this thread has used. */
static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    /* A pool owns fewer than 50,000 numbers (ORBIT_POOL_NUMBER_LIMIT). */
    long parked = 49900, events = 400000;
    for (int i = 1; i + 1 < argc; i += 2) {
        char *end;
        errno = 0;
        long v = strtol(argv[i + 1], &end, 10);
        if (errno || *end || v < 1) {
            fprintf(stderr, "bench_mirror: bad value '%s'\n", argv[i + 1]);
            return 2;
        }
        if (strcmp(argv[i], "--parked") == 0) {
            parked = v;
        } else if (strcmp(argv[i], "--events") == 0) {
            events = v;
        } else {
            fprintf(stderr, "usage: bench_mirror [--parked N] [--events M]\n");
            return 2;
        }
    }
    client_mirror *m = client_mirror_new();
    json_t *state = base_state(parked);
    orbit_status st;
    if (!m || !state || client_mirror_load(m, state, &st) != ORBIT_OK) {
        fprintf(stderr, "bench_mirror: cannot load the base state: %s\n", st.message);
        return 1;
    }
    json_decref(state);
    pid_t self = getpid();
    int64_t rss0 = 0, rss1 = 0;
    bench_proc_rss(self, &rss0);
    for (long k = 0; k < parked; k++) {
        json_t *d = parked_data(k);
        if (!d || !client_mirror_apply(m, "call.parked", d)) {
            fprintf(stderr, "bench_mirror: call %ld was not applied\n", k);
            return 1;
        }
        json_decref(d);
    }
    bench_proc_rss(self, &rss1);
    if (client_mirror_parked_count(m) != (size_t)parked) {
        fprintf(stderr, "bench_mirror: the mirror holds %zu calls, not %ld\n",
                client_mirror_parked_count(m), parked);
        return 1;
    }
    /* Applying parsed events, a batch at a time (building them is not
     * timed). */
    double apply_s = 0, parse_apply_s = 0, parse_s = 0;
    size_t frame_bytes = 0;
    json_t **batch = calloc(BATCH, sizeof *batch);
    const char **kinds = calloc(BATCH, sizeof *kinds);
    char **texts = calloc(BATCH, sizeof *texts);
    size_t *lens = calloc(BATCH, sizeof *lens);
    if (!batch || !kinds || !texts || !lens)
        return 1;
    for (long base = 0; base < events; base += BATCH) {
        long n = events - base < BATCH ? events - base : BATCH;
        for (long i = 0; i < n; i++)
            batch[i] = stream_data(base + i, parked, &kinds[i]);
        double t0 = now_s();
        for (long i = 0; i < n; i++)
            client_mirror_apply(m, kinds[i], batch[i]);
        apply_s += now_s() - t0;
        for (long i = 0; i < n; i++)
            json_decref(batch[i]);
    }
    /* The same stream from frame text, as a client receives it. */
    for (long base = 0; base < events; base += BATCH) {
        long n = events - base < BATCH ? events - base : BATCH;
        for (long i = 0; i < n; i++) {
            const char *kind;
            json_t *data = stream_data(base + i, parked, &kind);
            json_t *frame =
                orbit_frame_make_event("0123456789abcdef", base + i + 1, kind, data, 1764460000000);
            texts[i] = frame ? orbit_frame_dump(frame, &lens[i]) : NULL;
            json_decref(frame);
            if (!texts[i])
                return 1;
            frame_bytes += lens[i];
        }
        double t0 = now_s();
        for (long i = 0; i < n; i++) {
            json_t *f = json_loadb(texts[i], lens[i], 0, NULL);
            client_mirror_apply(m, json_string_value(json_object_get(f, "kind")),
                                json_object_get(f, "data"));
            json_decref(f);
        }
        parse_apply_s += now_s() - t0;
        /* The same texts parsed only: what jansson costs per event. */
        t0 = now_s();
        for (long i = 0; i < n; i++)
            json_decref(json_loadb(texts[i], lens[i], 0, NULL));
        parse_s += now_s() - t0;
        for (long i = 0; i < n; i++)
            free(texts[i]);
    }
    free(batch);
    free(kinds);
    free(texts);
    free(lens);
    json_t *report = json_pack(
        "{s:s, s:I, s:I, s:I, s:f, s:I, s:f, s:f, s:f, s:f, s:f, s:s, s:I}", "mode", "mirror",
        "parked", (json_int_t)parked, "rss_before", (json_int_t)rss0, "rss_after", (json_int_t)rss1,
        "rss_bytes_per_call", (double)(rss1 - rss0) / (double)parked, "events", (json_int_t)events,
        "apply_events_per_s", apply_s > 0 ? (double)events / apply_s : 0.0,
        "parse_apply_events_per_s", parse_apply_s > 0 ? (double)events / parse_apply_s : 0.0,
        "apply_us_per_event", apply_s * 1e6 / (double)events, "parse_us_per_event",
        parse_s * 1e6 / (double)events, "frame_bytes_per_event",
        (double)frame_bytes / (double)events, "clock", "thread CPU time", "parked_after",
        (json_int_t)client_mirror_parked_count(m));
    client_mirror_free(m);
    if (!report)
        return 1;
    json_dumpf(report, stdout, JSON_COMPACT);
    fputc('\n', stdout);
    json_decref(report);
    return 0;
}
