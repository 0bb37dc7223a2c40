/* Fuzzes the client's event applier as a connection feeds it: one frame
 * a line, a snapshot loads the mirror (client_mirror_load), each event
 * after it is applied (client_mirror_apply), whatever a hostile or
 * broken pool puts in them. The mirror must stay consistent: what it
 * shows as state loads back into a fresh mirror as the same state. Each
 * snapshot line is also streamed in pieces (client_snapstream), as a big
 * one arrives: when both ways accept it, they must load the same state. */
#include "fuzz_util.h"

#include "client_mirror.h"
#include "client_snapstream.h"

#include <string.h>

#define MAX_FRAMES 128

static void walk(const client_mirror *m)
{
    size_t pos = 0, parked = 0, queues = 0;
    while (client_mirror_parked_next(m, &pos))
        parked++;
    FUZZ_REQUIRE(parked == client_mirror_parked_count(m));
    pos = 0;
    const client_queue *q;
    while ((q = client_mirror_queue_next(m, &pos)) != NULL) {
        queues++;
        FUZZ_REQUIRE(client_mirror_queue(m, &q->group) == q);
        for (size_t i = 0; i < q->ncalls; i++)
            FUZZ_REQUIRE(client_mirror_queued(m, q->calls[i].call_id) != NULL);
    }
    FUZZ_REQUIRE(queues == client_mirror_queue_count(m));
    for (size_t i = 0; i < client_mirror_pool_count(m); i++)
        FUZZ_REQUIRE(client_mirror_pool(m, client_mirror_pool_at(m, i)->fqdn) != NULL);
    const orbit_table *t = client_mirror_orbits(m);
    for (size_t i = 0; i < orbit_table_count(t); i++)
        (void)client_mirror_in_use(m, orbit_table_at(t, i)->identity);
}

/* The state the mirror shows must be a state it would accept. */
static void check_round_trip(const client_mirror *m)
{
    json_t *state = client_mirror_to_json(m);
    FUZZ_REQUIRE(state != NULL);
    client_mirror *again = client_mirror_new();
    if (again) {
        orbit_status st;
        orbit_err e = client_mirror_load(again, state, &st);
        if (e != ORBIT_OK)
            fprintf(stderr, "the mirror's own state was refused: %s: %s\n", st.field, st.message);
        FUZZ_REQUIRE(e == ORBIT_OK);
        json_t *state2 = client_mirror_to_json(again);
        FUZZ_REQUIRE(state2 != NULL && json_equal(state, state2));
        json_decref(state2);
        client_mirror_free(again);
    }
    json_decref(state);
}

/* Every member protocol.md gives a snapshot's state. */
static bool complete_state(const json_t *state)
{
    static const char *const MEMBERS[] = {"pool",   "pools", "dr",     "orbits",
                                          "config", "moh",   "parked", "queues"};
    for (size_t i = 0; i < sizeof MEMBERS / sizeof MEMBERS[0]; i++) {
        if (!json_object_get(state, MEMBERS[i]))
            return false;
    }
    return true;
}

/* A snapshot missing members is loaded into a scratch mirror only: the
 * loader must survive it, but a mirror is only as whole as the state it
 * was given (one without moh shows an empty moh it would refuse), so the
 * round trip is checked on mirrors built from complete snapshots. */
static void load_snapshot(client_mirror *m, const json_t *state)
{
    orbit_status st;
    client_mirror *target = m;
    if (!complete_state(state))
        target = client_mirror_new();
    if (target && client_mirror_load(target, state, &st) != ORBIT_OK)
        FUZZ_REQUIRE(st.code != ORBIT_OK && st.message[0]);
    if (target && target != m) {
        walk(target);
        client_mirror_free(target);
    }
}

/* The same frame through the stream parser, in pieces of `piece` bytes. */
static void check_streamed(const char *line, const json_t *state, size_t piece)
{
    client_snapstream *s = client_snapstream_new();
    client_mirror *streamed = client_mirror_new(), *whole = client_mirror_new();
    if (s && streamed && whole) {
        size_t len = strlen(line);
        for (size_t at = 0; at < len; at += piece)
            client_snapstream_feed(s, line + at, len - at < piece ? len - at : piece);
        orbit_status st;
        if (client_snapstream_end(s) == CLIENT_SNAPSTREAM_SNAPSHOT &&
            client_snapstream_apply(s, streamed, &st) == ORBIT_OK &&
            client_mirror_load(whole, state, &st) == ORBIT_OK) {
            json_t *a = client_mirror_to_json(whole), *b = client_mirror_to_json(streamed);
            FUZZ_REQUIRE(a && b && json_equal(a, b));
            json_decref(a);
            json_decref(b);
        }
    }
    client_snapstream_free(s);
    client_mirror_free(streamed);
    client_mirror_free(whole);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstring(data, size);
    client_mirror *m = client_mirror_new();
    if (!text || !m) {
        free(text);
        client_mirror_free(m);
        return 0;
    }
    char *lines[MAX_FRAMES];
    size_t n = fuzz_lines(text, lines, MAX_FRAMES);
    for (size_t i = 0; i < n; i++) {
        json_t *f = json_loads(lines[i], 0, NULL);
        const char *t = json_string_value(json_object_get(f, "t"));
        if (t && strcmp(t, "snapshot") == 0) {
            check_streamed(lines[i], json_object_get(f, "state"), 1 + size % 97);
            load_snapshot(m, json_object_get(f, "state"));
        } else if (t && strcmp(t, "event") == 0 && client_mirror_loaded(m)) {
            client_mirror_apply(m, json_string_value(json_object_get(f, "kind")),
                                json_object_get(f, "data"));
        }
        json_decref(f);
        if (client_mirror_loaded(m))
            walk(m);
    }
    if (client_mirror_loaded(m))
        check_round_trip(m);
    client_mirror_free(m);
    free(text);
    return 0;
}
