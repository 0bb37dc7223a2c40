/* test_call_engine: the call engine without sockets, on a fake clock.
 *
 * One test per cell (DR event, call state): a call is put in the state
 * in the pool that holds it, in the phase before the event; the event is
 * applied; the test asserts what the seed documents say happens to it,
 * read from the events the engine emits and from what the call can still
 * do. The expected fates are written out here from the seed text, not
 * read from core/dr_policy.c, so the two are checked against each other.
 * Then one test per (op, DR phase) for what users may do in each phase,
 * and the engine's own rules (ring-back, forwarding, FIFO, free orbits). */
#include "test_main.h"

#include "call_engine.h"
#include "orbit_json.h"
#include "orbit_json_dump.h"

#include <stdlib.h>

#define P1     "pool1.north.example.net"
#define P2     "pool2.south.example.net"
#define U1     "sip:u1@example.net"  /* homed on P1, group 17000 */
#define U1B    "sip:u1b@example.net" /* homed on P1, group 17000 */
#define U2     "sip:u2@example.net"  /* homed on P2, group 27000 */
#define CALLER "sip:+15550100@pstn.example.net"

typedef struct {
    orbit_event_kind kinds[256];
    json_t *data[256];
    size_t n;
} event_log;

typedef struct {
    orbit_deployment *dep;
    cps_settings settings;
    moh_info moh;
    orbit_rng rng;
    int64_t now;
    pool_status status[2]; /* of P1, P2 as the engine sees them */
    event_log events;
    call_engine *p1, *p2; /* the engines of both pools */
} fixture;

static void record(void *ctx, orbit_event_kind kind, json_t *data)
{
    fixture *f = ctx;
    if (f->events.n < 256) {
        f->events.kinds[f->events.n] = kind;
        f->events.data[f->events.n++] = data;
    } else {
        json_decref(data);
    }
}

static pool_status liveness(void *ctx, const char *fqdn)
{
    fixture *f = ctx;
    return f->status[strcmp(fqdn, P1) == 0 ? 0 : 1];
}

static void usage(void *ctx)
{
    (void)ctx;
}

static int64_t clock_now(void *ctx)
{
    return ((fixture *)ctx)->now;
}

static orbit_range range(const char *id, const char *a, const char *b, const char *pool,
                         orbit_type t)
{
    orbit_range r;
    memset(&r, 0, sizeof r);
    snprintf(r.identity, sizeof r.identity, "%s", id);
    snprintf(r.pool, sizeof r.pool, "%s", pool);
    r.type = t;
    assert_int_equal(orbit_range_set_numbers(&r, a, b, NULL), ORBIT_OK);
    return r;
}

static orbit_user user(const char *uri, const char *home, const char *group)
{
    orbit_user u;
    memset(&u, 0, sizeof u);
    snprintf(u.uri, sizeof u.uri, "%s", uri);
    snprintf(u.home, sizeof u.home, "%s", home);
    u.has_group = orbit_number_parse(group, &u.pickup_group) == ORBIT_NUMBER_OK;
    return u;
}

static call_engine *engine_for(fixture *f, const char *fqdn)
{
    call_engine_env env = {
        .fqdn = fqdn,
        .settings = &f->settings,
        .moh = &f->moh,
        .rng = &f->rng,
        .clock_scale = 1.0,
        .hooks = {f, record, liveness, usage, clock_now},
    };
    return call_engine_new(&env, f->dep);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->dep = orbit_deployment_new();
    pool_info pools[2];
    memset(pools, 0, sizeof pools);
    snprintf(pools[0].fqdn, sizeof pools[0].fqdn, P1);
    snprintf(pools[0].site, sizeof pools[0].site, "north");
    snprintf(pools[0].backup, sizeof pools[0].backup, P2);
    snprintf(pools[1].fqdn, sizeof pools[1].fqdn, P2);
    snprintf(pools[1].site, sizeof pools[1].site, "south");
    snprintf(pools[1].backup, sizeof pools[1].backup, P1);
    orbit_status st;
    assert_int_equal(orbit_deployment_set_pools(f->dep, pools, 2, &st), ORBIT_OK);
    orbit_range ranges[] = {range("cp1", "1000", "1009", P1, ORBIT_TYPE_CALLPARK),
                            range("gp1", "17000", "17009", P1, ORBIT_TYPE_GROUPPICKUP),
                            range("cp2", "2000", "2009", P2, ORBIT_TYPE_CALLPARK),
                            range("gp2", "27000", "27009", P2, ORBIT_TYPE_GROUPPICKUP)};
    assert_int_equal(orbit_table_load(orbit_deployment_table(f->dep), ranges, 4, &st), ORBIT_OK);
    orbit_user users[] = {user(U1, P1, "17000"), user(U1B, P1, "17000"), user(U2, P2, "27000")};
    assert_int_equal(orbit_deployment_set_users(f->dep, users, 3, &st), ORBIT_OK);
    cps_settings_default(&f->settings);
    f->settings.call_pickup_timeout_threshold = 90;
    f->settings.max_call_pickup_attempts = 1;
    snprintf(f->moh.name, sizeof f->moh.name, "default.wav");
    orbit_rng_seed(&f->rng, 42);
    f->now = 1700000000000;
    f->status[0] = f->status[1] = POOL_STATUS_UP;
    f->p1 = engine_for(f, P1);
    f->p2 = engine_for(f, P2);
    assert_non_null(f->p1);
    assert_non_null(f->p2);
    *state = f;
    return 0;
}

static void forget_events(fixture *f)
{
    for (size_t i = 0; i < f->events.n; i++)
        json_decref(f->events.data[i]);
    f->events.n = 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    forget_events(f);
    call_engine_free(f->p1);
    call_engine_free(f->p2);
    orbit_deployment_free(f->dep);
    free(f);
    return 0;
}

/* Moves home's users to a phase, as a committed DR change would. */
static void set_phase(fixture *f, const char *home, dr_phase phase)
{
    dr_state d = *orbit_deployment_dr(f->dep, home);
    d.phase = phase;
    assert_true(orbit_deployment_set_dr(f->dep, &d));
    orbit_deployment_refresh(f->dep);
}

/* Redirects P1's GroupPickup range to to_pool (Set-CsCallParkOrbit). */
static void redirect_gp1(fixture *f, const char *to_pool)
{
    orbit_table *t = orbit_deployment_table(f->dep);
    orbit_range r = *orbit_table_find(t, "gp1");
    snprintf(r.pool, sizeof r.pool, "%s", to_pool);
    orbit_status st;
    assert_int_equal(orbit_table_put(t, &r, &st), ORBIT_OK);
    orbit_deployment_refresh(f->dep);
}

static orbit_err run(call_engine *ce, orbit_op op, json_t *args, json_t **data, orbit_status *st)
{
    orbit_cmd_args a;
    orbit_err e = orbit_args_decode(op, args, NULL, &a, st);
    json_decref(args);
    *data = NULL;
    if (e)
        return e;
    switch (op) {
    case ORBIT_OP_CALL_PARK:
        return call_engine_park(ce, &a, data, st);
    case ORBIT_OP_CALL_RETRIEVE:
        return call_engine_retrieve(ce, &a, data, st);
    case ORBIT_OP_CALL_RINGBACK_ANSWER:
        return call_engine_ringback_answer(ce, &a, data, st);
    case ORBIT_OP_CALL_HANGUP:
        return call_engine_hangup(ce, &a, data, st);
    case ORBIT_OP_PICKUP_RING:
        return call_engine_pickup_ring(ce, &a, data, st);
    case ORBIT_OP_PICKUP_TAKE:
        return call_engine_pickup_take(ce, &a, data, st);
    case ORBIT_OP_PICKUP_ANSWER:
        return call_engine_pickup_answer(ce, &a, data, st);
    default:
        return call_engine_pickup_cancel(ce, &a, data, st);
    }
}

static orbit_err park(call_engine *ce, const char *call_id, const char *parker, char *orbit_out)
{
    json_t *data;
    orbit_status st;
    orbit_err e =
        run(ce, ORBIT_OP_CALL_PARK,
            json_pack("{s:s, s:s, s:s}", "call_id", call_id, "parker", parker, "parkee", CALLER),
            &data, &st);
    if (e == ORBIT_OK && orbit_out)
        snprintf(orbit_out, ORBIT_NUMBER_BUF, "%s",
                 json_string_value(json_object_get(data, "orbit")));
    json_decref(data);
    return e;
}

static orbit_err retrieve(call_engine *ce, const char *orbit)
{
    json_t *data;
    orbit_status st;
    orbit_err e = run(ce, ORBIT_OP_CALL_RETRIEVE,
                      json_pack("{s:s, s:s}", "orbit", orbit, "by", U1B), &data, &st);
    json_decref(data);
    return e;
}

static orbit_err ring(call_engine *ce, const char *call_id, const char *callee)
{
    json_t *data;
    orbit_status st;
    orbit_err e =
        run(ce, ORBIT_OP_PICKUP_RING,
            json_pack("{s:s, s:s, s:s}", "call_id", call_id, "caller", CALLER, "callee", callee),
            &data, &st);
    if (e == ORBIT_OK)
        assert_true(json_is_true(json_object_get(data, "queued")));
    json_decref(data);
    return e;
}

static orbit_err take(call_engine *ce, const char *group, char *call_out)
{
    json_t *data;
    orbit_status st;
    orbit_err e = run(ce, ORBIT_OP_PICKUP_TAKE, json_pack("{s:s, s:s}", "group", group, "by", U1B),
                      &data, &st);
    if (e == ORBIT_OK && call_out)
        snprintf(call_out, 32, "%s", json_string_value(json_object_get(data, "call_id")));
    json_decref(data);
    return e;
}

static size_t count_kind(const fixture *f, orbit_event_kind k)
{
    size_t n = 0;
    for (size_t i = 0; i < f->events.n; i++)
        n += f->events.kinds[i] == k;
    return n;
}

/* ---- the cells: (DR event, call state) ---- */

/* What a call in a state must look like after an event, per the seeds. */
typedef enum {
    AFTER_UNTOUCHED,   /* no event about the call; it works as before */
    AFTER_CAN_PARK,    /* connected, and may be parked at the serving pool */
    AFTER_CANNOT_PARK, /* connected, but a park is refused */
    AFTER_GONE,        /* disconnected/dropped: an event ends it, its orbit is free */
    AFTER_PARKED,      /* still parked, retrievable */
    AFTER_UNPICKABLE,  /* still queued, but pickup can never answer it */
} expected_after;

/* Builds one call of P1's users in state cs, in a phase where such a call
 * can begin: normal (at P1) or failed over (at P2, pickup ranges
 * redirected there). Returns the engine of the pool holding it. */
static call_engine *build_call(fixture *f, dr_phase phase, dr_call_state cs, char *orbit)
{
    call_engine *holder = phase == DR_PHASE_NORMAL ? f->p1 : f->p2;
    if (phase == DR_PHASE_FAILED_OVER)
        redirect_gp1(f, P2);
    set_phase(f, P1, phase);
    if (cs == DR_CALL_PARKED || cs == DR_CALL_RETRIEVED) {
        assert_int_equal(park(holder, "c1", U1, orbit), ORBIT_OK);
        if (cs == DR_CALL_RETRIEVED)
            assert_int_equal(retrieve(holder, orbit), ORBIT_OK);
    } else if (cs == DR_CALL_PICKUP_QUEUED || cs == DR_CALL_ESTABLISHED) {
        assert_int_equal(ring(holder, "c1", U1), ORBIT_OK);
        if (cs == DR_CALL_ESTABLISHED) {
            char taken[32];
            assert_int_equal(take(holder, "17000", taken), ORBIT_OK);
            assert_string_equal(taken, "c1");
        }
    }
    return holder;
}

/* Puts a call of P1's users in state cs, walks to the phase the event
 * applies in (through the event that leads there), applies the event to
 * the pool holding the call, and checks `want`. */
static void check_cell(fixture *f, dr_event ev, dr_call_state cs, expected_after want)
{
    bool from_normal =
        ev == DR_EVENT_OUTAGE || ev == DR_EVENT_FAILOVER_BEGIN || ev == DR_EVENT_FAILOVER_COMPLETE;
    char orbit[ORBIT_NUMBER_BUF] = "";
    call_engine *holder =
        build_call(f, from_normal ? DR_PHASE_NORMAL : DR_PHASE_FAILED_OVER, cs, orbit);
    dr_phase before = from_normal ? DR_PHASE_NORMAL : DR_PHASE_FAILED_OVER;
    if (ev == DR_EVENT_FAILOVER_COMPLETE || ev == DR_EVENT_FAILBACK_COMPLETE) {
        dr_event begin =
            ev == DR_EVENT_FAILOVER_COMPLETE ? DR_EVENT_FAILOVER_BEGIN : DR_EVENT_FAILBACK_BEGIN;
        before = dr_phase_after(begin, before);
        set_phase(f, P1, before);
        call_engine_apply_dr(holder, begin, P1);
    }
    forget_events(f);
    if (ev == DR_EVENT_OUTAGE)
        f->status[0] = POOL_STATUS_DOWN;
    set_phase(f, P1, dr_phase_after(ev, before));
    call_engine_apply_dr(holder, ev, P1);
    switch (want) {
    case AFTER_UNTOUCHED:
        assert_int_equal(f->events.n, 0);
        break;
    case AFTER_CAN_PARK: {
        assert_int_equal(f->events.n, 0);
        const dr_state *d = orbit_deployment_dr(f->dep, P1);
        call_engine *serving = strcmp(d->serving, P1) == 0 ? f->p1 : f->p2;
        assert_int_equal(park(serving, "c2", U1, NULL), ORBIT_OK);
        break;
    }
    case AFTER_CANNOT_PARK:
        assert_int_equal(f->events.n, 0);
        /* After an outage only the backup is left to ask. */
        if (ev != DR_EVENT_OUTAGE)
            assert_int_not_equal(park(f->p1, "c2", U1, NULL), ORBIT_OK);
        assert_int_not_equal(park(f->p2, "c3", U1, NULL), ORBIT_OK);
        break;
    case AFTER_GONE:
        assert_int_equal(
            count_kind(f, ORBIT_EV_CALL_DISCONNECTED) + count_kind(f, ORBIT_EV_PICKUP_DROPPED), 1);
        assert_int_equal(call_engine_parked_count(holder) + call_engine_queued_count(holder), 0);
        assert_int_equal(call_engine_free_orbits(holder), call_engine_orbit_capacity(holder));
        break;
    case AFTER_PARKED:
        assert_int_equal(f->events.n, 0);
        assert_int_equal(call_engine_parked_count(holder), 1);
        assert_int_equal(retrieve(holder, orbit), ORBIT_OK);
        break;
    case AFTER_UNPICKABLE:
        assert_int_equal(count_kind(f, ORBIT_EV_PICKUP_UNPICKABLE), 1);
        assert_int_equal(call_engine_queued_count(holder), 1);
        assert_int_not_equal(take(holder, "17000", NULL), ORBIT_OK);
        break;
    }
}

#define CELL(name, ev, cs, want)                                                                   \
    static void name(void **state)                                                                 \
    {                                                                                              \
        check_cell(*state, ev, cs, want);                                                          \
    }

/* Outage: the pool holding the calls is gone. Not yet parked: connected,
 * cannot be parked. Parked: disconnected. Retrieved: stays connected.
 * Queued (pickup): gone with the pool. Established: stays connected. */
CELL(outage__not_parked, DR_EVENT_OUTAGE, DR_CALL_NOT_PARKED, AFTER_CANNOT_PARK)
CELL(outage__parked, DR_EVENT_OUTAGE, DR_CALL_PARKED, AFTER_GONE)
CELL(outage__retrieved, DR_EVENT_OUTAGE, DR_CALL_RETRIEVED, AFTER_UNTOUCHED)
CELL(outage__pickup_queued, DR_EVENT_OUTAGE, DR_CALL_PICKUP_QUEUED, AFTER_GONE)
CELL(outage__established, DR_EVENT_OUTAGE, DR_CALL_ESTABLISHED, AFTER_UNTOUCHED)
/* Failover begins: resiliency mode. No calls remain parked ("no calls in
 * this state"); queued calls cannot be answered by pickup. */
CELL(failover_begin__not_parked, DR_EVENT_FAILOVER_BEGIN, DR_CALL_NOT_PARKED, AFTER_CANNOT_PARK)
CELL(failover_begin__parked, DR_EVENT_FAILOVER_BEGIN, DR_CALL_PARKED, AFTER_GONE)
CELL(failover_begin__retrieved, DR_EVENT_FAILOVER_BEGIN, DR_CALL_RETRIEVED, AFTER_UNTOUCHED)
CELL(failover_begin__pickup_queued, DR_EVENT_FAILOVER_BEGIN, DR_CALL_PICKUP_QUEUED,
     AFTER_UNPICKABLE)
CELL(failover_begin__established, DR_EVENT_FAILOVER_BEGIN, DR_CALL_ESTABLISHED, AFTER_UNTOUCHED)
/* Failover completes: queued calls: "none left after it". */
CELL(failover_complete__not_parked, DR_EVENT_FAILOVER_COMPLETE, DR_CALL_NOT_PARKED, AFTER_CAN_PARK)
CELL(failover_complete__retrieved, DR_EVENT_FAILOVER_COMPLETE, DR_CALL_RETRIEVED, AFTER_UNTOUCHED)
CELL(failover_complete__pickup_queued, DR_EVENT_FAILOVER_COMPLETE, DR_CALL_PICKUP_QUEUED,
     AFTER_GONE)
CELL(failover_complete__established, DR_EVENT_FAILOVER_COMPLETE, DR_CALL_ESTABLISHED,
     AFTER_UNTOUCHED)
/* Failback begins: parked calls remain parked; queued calls cannot be
 * answered by pickup; not yet parked calls cannot be parked. */
CELL(failback_begin__not_parked, DR_EVENT_FAILBACK_BEGIN, DR_CALL_NOT_PARKED, AFTER_CANNOT_PARK)
CELL(failback_begin__parked, DR_EVENT_FAILBACK_BEGIN, DR_CALL_PARKED, AFTER_PARKED)
CELL(failback_begin__retrieved, DR_EVENT_FAILBACK_BEGIN, DR_CALL_RETRIEVED, AFTER_UNTOUCHED)
CELL(failback_begin__pickup_queued, DR_EVENT_FAILBACK_BEGIN, DR_CALL_PICKUP_QUEUED,
     AFTER_UNPICKABLE)
CELL(failback_begin__established, DR_EVENT_FAILBACK_BEGIN, DR_CALL_ESTABLISHED, AFTER_UNTOUCHED)
/* Failback completes: parked calls still parked; queued calls still
 * cannot be answered ("nor after it"). */
CELL(failback_complete__not_parked, DR_EVENT_FAILBACK_COMPLETE, DR_CALL_NOT_PARKED, AFTER_CAN_PARK)
CELL(failback_complete__parked, DR_EVENT_FAILBACK_COMPLETE, DR_CALL_PARKED, AFTER_PARKED)
CELL(failback_complete__retrieved, DR_EVENT_FAILBACK_COMPLETE, DR_CALL_RETRIEVED, AFTER_UNTOUCHED)
CELL(failback_complete__established, DR_EVENT_FAILBACK_COMPLETE, DR_CALL_ESTABLISHED,
     AFTER_UNTOUCHED)

/* A call queued during failing_back was already unpickable; completing the
 * failback leaves it so, with no second event. */
static void failback_complete__pickup_queued(void **state)
{
    fixture *f = *state;
    set_phase(f, P1, DR_PHASE_FAILED_OVER);
    redirect_gp1(f, P2);
    assert_int_equal(ring(f->p2, "q1", U1), ORBIT_OK);
    set_phase(f, P1, DR_PHASE_FAILING_BACK);
    call_engine_apply_dr(f->p2, DR_EVENT_FAILBACK_BEGIN, P1);
    forget_events(f);
    set_phase(f, P1, DR_PHASE_NORMAL);
    call_engine_apply_dr(f->p2, DR_EVENT_FAILBACK_COMPLETE, P1);
    assert_int_equal(f->events.n, 0);
    assert_int_equal(call_engine_queued_count(f->p2), 1);
    assert_int_equal(take(f->p2, "17000", NULL), ORBIT_ERR_PICKUP_UNAVAILABLE);
}

/* Failover completes with a parked call: there cannot be one, failover's
 * start ended them all; a call parked by another pool's user stays. */
static void failover_complete__parked(void **state)
{
    fixture *f = *state;
    char orbit[ORBIT_NUMBER_BUF];
    assert_int_equal(park(f->p2, "theirs", U2, orbit), ORBIT_OK);
    set_phase(f, P1, DR_PHASE_FAILED_OVER);
    call_engine_apply_dr(f->p2, DR_EVENT_FAILOVER_COMPLETE, P1);
    assert_int_equal(count_kind(f, ORBIT_EV_CALL_DISCONNECTED), 0);
    assert_int_equal(retrieve(f->p2, orbit), ORBIT_OK);
}

/* ---- (op, phase): what P1's users may do in each phase ---- */

static void park_in_each_phase(void **state)
{
    fixture *f = *state;
    /* normal: at home only */
    assert_int_equal(park(f->p1, "a", U1, NULL), ORBIT_OK);
    assert_int_equal(park(f->p2, "b", U1, NULL), ORBIT_ERR_NOT_SERVED_HERE);
    /* failing_over: nowhere (resiliency mode) */
    set_phase(f, P1, DR_PHASE_FAILING_OVER);
    assert_int_equal(park(f->p1, "c", U1, NULL), ORBIT_ERR_RESILIENCY_MODE);
    assert_int_equal(park(f->p2, "d", U1, NULL), ORBIT_ERR_RESILIENCY_MODE);
    /* failed_over: at the backup only, on the backup's own ranges */
    set_phase(f, P1, DR_PHASE_FAILED_OVER);
    char orbit[ORBIT_NUMBER_BUF];
    assert_int_equal(park(f->p2, "e", U1, orbit), ORBIT_OK);
    assert_int_equal(orbit[0], '2');
    assert_int_equal(park(f->p1, "f", U1, NULL), ORBIT_ERR_NOT_SERVED_HERE);
    /* failing_back: nowhere */
    set_phase(f, P1, DR_PHASE_FAILING_BACK);
    assert_int_equal(park(f->p2, "g", U1, NULL), ORBIT_ERR_RESILIENCY_MODE);
    assert_int_equal(park(f->p1, "h", U1, NULL), ORBIT_ERR_RESILIENCY_MODE);
}

/* The snapshot's text of the parked calls is the array's dump. */
static void parked_calls_written_as_text_match_their_objects(void **state)
{
    fixture *f = *state;
    for (int round = 0; round < 2; round++) {
        if (round == 1) {
            assert_int_equal(park(f->p1, "w1", U1, NULL), ORBIT_OK);
            assert_int_equal(park(f->p1, "w2", U1, NULL), ORBIT_OK);
            assert_int_equal(park(f->p1, "w3", U1, NULL), ORBIT_OK);
        }
        json_t *arr = call_engine_parked_json(f->p1);
        assert_non_null(arr);
        assert_int_equal(json_array_size(arr), round ? 3 : 0);
        orbit_buf want, got;
        orbit_buf_init(&want);
        orbit_buf_init(&got);
        assert_true(orbit_json_dump(&want, arr));
        assert_true(call_engine_parked_write(f->p1, &got));
        assert_int_equal(got.len, want.len);
        assert_memory_equal(got.data, want.data, want.len);
        json_decref(arr);
        orbit_buf_free(&want);
        orbit_buf_free(&got);
    }
}

static void park_refused_while_the_serving_pool_is_down(void **state)
{
    fixture *f = *state;
    f->status[0] = POOL_STATUS_DOWN;
    /* The backup does not serve P1's users before failover. */
    assert_int_equal(park(f->p2, "a", U1, NULL), ORBIT_ERR_POOL_UNREACHABLE);
}

static void pickup_in_each_phase(void **state)
{
    fixture *f = *state;
    char got[32];
    /* normal: the home pool holds the group */
    assert_int_equal(ring(f->p1, "a", U1), ORBIT_OK);
    assert_int_equal(take(f->p1, "17000", got), ORBIT_OK);
    /* failing_over: no pickup */
    set_phase(f, P1, DR_PHASE_FAILING_OVER);
    assert_int_equal(ring(f->p1, "b", U1), ORBIT_ERR_PICKUP_UNAVAILABLE);
    /* failed_over, not redirected: still unavailable, and says why */
    set_phase(f, P1, DR_PHASE_FAILED_OVER);
    assert_int_equal(ring(f->p1, "c", U1), ORBIT_ERR_PICKUP_UNAVAILABLE);
    /* failed_over and redirected: works at the backup */
    redirect_gp1(f, P2);
    assert_int_equal(ring(f->p1, "d", U1), ORBIT_ERR_WRONG_POOL);
    assert_int_equal(ring(f->p2, "e", U1), ORBIT_OK);
    assert_int_equal(take(f->p2, "17000", got), ORBIT_OK);
    assert_string_equal(got, "e");
    /* failing_back: no pickup */
    set_phase(f, P1, DR_PHASE_FAILING_BACK);
    assert_int_equal(ring(f->p2, "f", U1), ORBIT_ERR_PICKUP_UNAVAILABLE);
    /* normal again, ranges still at the backup: unavailable until redirected back */
    set_phase(f, P1, DR_PHASE_NORMAL);
    assert_int_equal(ring(f->p2, "g", U1), ORBIT_ERR_PICKUP_UNAVAILABLE);
    redirect_gp1(f, P1);
    assert_int_equal(ring(f->p1, "h", U1), ORBIT_OK);
}

/* ---- the engine's own rules ---- */

static void ringback_then_forward_to_the_timeout_uri(void **state)
{
    fixture *f = *state;
    f->settings.max_call_pickup_attempts = 2;
    snprintf(f->settings.on_timeout_uri, sizeof f->settings.on_timeout_uri, "sip:op@example.net");
    assert_int_equal(park(f->p1, "a", U1, NULL), ORBIT_OK);
    f->now += 90 * 1000;
    call_engine_tick(f->p1, f->now);
    assert_int_equal(count_kind(f, ORBIT_EV_CALL_RINGBACK), 1);
    f->now += (int64_t)(CALL_RINGBACK_RING_S * 1000);
    call_engine_tick(f->p1, f->now);
    assert_int_equal(count_kind(f, ORBIT_EV_CALL_REPARKED), 1);
    f->now += 90 * 1000;
    call_engine_tick(f->p1, f->now);
    f->now += (int64_t)(CALL_RINGBACK_RING_S * 1000);
    call_engine_tick(f->p1, f->now);
    assert_int_equal(count_kind(f, ORBIT_EV_CALL_RINGBACK), 2);
    assert_int_equal(count_kind(f, ORBIT_EV_CALL_FORWARDED), 1);
    assert_int_equal(call_engine_parked_count(f->p1), 0);
    assert_int_equal(call_engine_free_orbits(f->p1), 10);
}

static void unanswered_ringback_without_uri_disconnects(void **state)
{
    fixture *f = *state;
    assert_int_equal(park(f->p1, "a", U1, NULL), ORBIT_OK);
    f->now += 90 * 1000 + (int64_t)(CALL_RINGBACK_RING_S * 1000);
    call_engine_tick(f->p1, f->now - (int64_t)(CALL_RINGBACK_RING_S * 1000));
    call_engine_tick(f->p1, f->now);
    assert_int_equal(count_kind(f, ORBIT_EV_CALL_DISCONNECTED), 1);
}

static void pickup_answers_the_longest_ringing_call(void **state)
{
    fixture *f = *state;
    assert_int_equal(ring(f->p1, "first", U1), ORBIT_OK);
    f->now += 1000;
    assert_int_equal(ring(f->p1, "second", U1B), ORBIT_OK);
    char got[32];
    assert_int_equal(take(f->p1, "17000", got), ORBIT_OK);
    assert_string_equal(got, "first");
    assert_int_equal(take(f->p1, "17000", got), ORBIT_OK);
    assert_string_equal(got, "second");
}

static void no_free_orbit_refuses_and_the_call_stays(void **state)
{
    fixture *f = *state;
    char id[16];
    for (int i = 0; i < 10; i++) {
        snprintf(id, sizeof id, "c%d", i);
        assert_int_equal(park(f->p1, id, U1, NULL), ORBIT_OK);
    }
    assert_int_equal(park(f->p1, "eleventh", U1, NULL), ORBIT_ERR_NO_FREE_ORBIT);
    assert_int_equal(call_engine_free_orbits(f->p1), 0);
}

static void ranges_joining_and_leaving_follow_the_free_orbits(void **state)
{
    fixture *f = *state;
    orbit_range extra = range("cp1b", "3000", "3004", P1, ORBIT_TYPE_CALLPARK);
    orbit_status st;
    assert_int_equal(orbit_table_create(orbit_deployment_table(f->dep), &extra, &st), ORBIT_OK);
    assert_true(call_engine_range_added(f->p1, &extra));
    assert_true(call_engine_range_added(f->p2, &extra)); /* not P2's: no change */
    assert_int_equal(call_engine_orbit_capacity(f->p1), 15);
    assert_int_equal(call_engine_orbit_capacity(f->p2), 10);
    call_engine_range_removed(f->p1, &extra);
    assert_int_equal(call_engine_orbit_capacity(f->p1), 10);
}

/* The last event of a kind, or NULL. */
static json_t *last_event(const fixture *f, orbit_event_kind k)
{
    for (size_t i = f->events.n; i > 0; i--)
        if (f->events.kinds[i - 1] == k)
            return f->events.data[i - 1];
    return NULL;
}

static orbit_err hangup(call_engine *ce, const char *call_id)
{
    json_t *data;
    orbit_status st;
    orbit_err e = run(ce, ORBIT_OP_CALL_HANGUP, json_pack("{s:s}", "call_id", call_id), &data, &st);
    json_decref(data);
    return e;
}

static void hangup_of_a_parked_call_disconnects_it_and_frees_the_orbit(void **state)
{
    fixture *f = *state;
    char orbit[ORBIT_NUMBER_BUF];
    assert_int_equal(park(f->p1, "gone", U1, orbit), ORBIT_OK);
    assert_int_equal(call_engine_free_orbits(f->p1), 9);
    assert_int_equal(hangup(f->p1, "gone"), ORBIT_OK);
    json_t *ev = last_event(f, ORBIT_EV_CALL_DISCONNECTED);
    assert_non_null(ev);
    assert_string_equal(json_string_value(json_object_get(ev, "call_id")), "gone");
    assert_string_equal(json_string_value(json_object_get(ev, "orbit")), orbit);
    assert_string_equal(json_string_value(json_object_get(ev, "reason")), "hangup");
    assert_int_equal(call_engine_parked_count(f->p1), 0);
    assert_int_equal(call_engine_free_orbits(f->p1), 10);
    assert_int_equal(retrieve(f->p1, orbit), ORBIT_ERR_NOT_FOUND);
    assert_int_equal(hangup(f->p1, "gone"), ORBIT_ERR_NOT_FOUND);
}

static void hangup_of_a_queued_call_cancels_it(void **state)
{
    fixture *f = *state;
    assert_int_equal(ring(f->p1, "ringing", U1), ORBIT_OK);
    assert_int_equal(hangup(f->p1, "ringing"), ORBIT_OK);
    json_t *ev = last_event(f, ORBIT_EV_PICKUP_CANCELLED);
    assert_non_null(ev);
    assert_string_equal(json_string_value(json_object_get(ev, "call_id")), "ringing");
    assert_int_equal(call_engine_queued_count(f->p1), 0);
    assert_int_equal(take(f->p1, "17000", NULL), ORBIT_ERR_NOT_FOUND);
}

static void calls_keep_the_transport_that_brought_them(void **state)
{
    fixture *f = *state;
    json_t *data;
    orbit_status st;
    assert_int_equal(run(f->p1, ORBIT_OP_CALL_PARK,
                         json_pack("{s:s, s:s, s:s, s:s}", "call_id", "by-sip", "parker", U1,
                                   "parkee", CALLER, "transport", "sip"),
                         &data, &st),
                     ORBIT_OK);
    json_decref(data);
    assert_int_equal(park(f->p1, "by-api", U1, NULL), ORBIT_OK);
    assert_int_equal(run(f->p1, ORBIT_OP_PICKUP_RING,
                         json_pack("{s:s, s:s, s:s, s:s}", "call_id", "ring-sip", "caller", CALLER,
                                   "callee", U1, "transport", "sip"),
                         &data, &st),
                     ORBIT_OK);
    json_decref(data);
    json_t *parked_ev = last_event(f, ORBIT_EV_CALL_PARKED);
    assert_string_equal(json_string_value(json_object_get(parked_ev, "transport")), "api");
    json_t *queued_ev = last_event(f, ORBIT_EV_PICKUP_QUEUED);
    assert_string_equal(json_string_value(json_object_get(queued_ev, "transport")), "sip");
    json_t *parked = call_engine_parked_json(f->p1);
    size_t i;
    json_t *c;
    size_t seen = 0;
    json_array_foreach(parked, i, c)
    {
        const char *id = json_string_value(json_object_get(c, "call_id"));
        const char *t = json_string_value(json_object_get(c, "transport"));
        assert_string_equal(t, strcmp(id, "by-sip") == 0 ? "sip" : "api");
        seen++;
    }
    assert_int_equal(seen, 2);
    json_decref(parked);
    json_t *queues = call_engine_queues_json(f->p1);
    json_t *call = json_array_get(json_object_get(json_array_get(queues, 0), "calls"), 0);
    assert_string_equal(json_string_value(json_object_get(call, "transport")), "sip");
    json_decref(queues);
    /* Anything but sip or api is refused before the engine sees it. */
    assert_int_equal(run(f->p1, ORBIT_OP_CALL_PARK,
                         json_pack("{s:s, s:s, s:s, s:s}", "call_id", "x", "parker", U1, "parkee",
                                   CALLER, "transport", "h323"),
                         &data, &st),
                     ORBIT_ERR_BAD_REQUEST);
    assert_string_equal(st.field, "transport");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(outage__not_parked, setup, teardown),
    cmocka_unit_test_setup_teardown(outage__parked, setup, teardown),
    cmocka_unit_test_setup_teardown(outage__retrieved, setup, teardown),
    cmocka_unit_test_setup_teardown(outage__pickup_queued, setup, teardown),
    cmocka_unit_test_setup_teardown(outage__established, setup, teardown),
    cmocka_unit_test_setup_teardown(failover_begin__not_parked, setup, teardown),
    cmocka_unit_test_setup_teardown(failover_begin__parked, setup, teardown),
    cmocka_unit_test_setup_teardown(failover_begin__retrieved, setup, teardown),
    cmocka_unit_test_setup_teardown(failover_begin__pickup_queued, setup, teardown),
    cmocka_unit_test_setup_teardown(failover_begin__established, setup, teardown),
    cmocka_unit_test_setup_teardown(failover_complete__not_parked, setup, teardown),
    cmocka_unit_test_setup_teardown(failover_complete__parked, setup, teardown),
    cmocka_unit_test_setup_teardown(failover_complete__retrieved, setup, teardown),
    cmocka_unit_test_setup_teardown(failover_complete__pickup_queued, setup, teardown),
    cmocka_unit_test_setup_teardown(failover_complete__established, setup, teardown),
    cmocka_unit_test_setup_teardown(failback_begin__not_parked, setup, teardown),
    cmocka_unit_test_setup_teardown(failback_begin__parked, setup, teardown),
    cmocka_unit_test_setup_teardown(failback_begin__retrieved, setup, teardown),
    cmocka_unit_test_setup_teardown(failback_begin__pickup_queued, setup, teardown),
    cmocka_unit_test_setup_teardown(failback_begin__established, setup, teardown),
    cmocka_unit_test_setup_teardown(failback_complete__not_parked, setup, teardown),
    cmocka_unit_test_setup_teardown(failback_complete__parked, setup, teardown),
    cmocka_unit_test_setup_teardown(failback_complete__retrieved, setup, teardown),
    cmocka_unit_test_setup_teardown(failback_complete__pickup_queued, setup, teardown),
    cmocka_unit_test_setup_teardown(failback_complete__established, setup, teardown),
    cmocka_unit_test_setup_teardown(park_in_each_phase, setup, teardown),
    cmocka_unit_test_setup_teardown(parked_calls_written_as_text_match_their_objects, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(park_refused_while_the_serving_pool_is_down, setup, teardown),
    cmocka_unit_test_setup_teardown(pickup_in_each_phase, setup, teardown),
    cmocka_unit_test_setup_teardown(ringback_then_forward_to_the_timeout_uri, setup, teardown),
    cmocka_unit_test_setup_teardown(unanswered_ringback_without_uri_disconnects, setup, teardown),
    cmocka_unit_test_setup_teardown(pickup_answers_the_longest_ringing_call, setup, teardown),
    cmocka_unit_test_setup_teardown(no_free_orbit_refuses_and_the_call_stays, setup, teardown),
    cmocka_unit_test_setup_teardown(hangup_of_a_parked_call_disconnects_it_and_frees_the_orbit,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(hangup_of_a_queued_call_cancels_it, setup, teardown),
    cmocka_unit_test_setup_teardown(calls_keep_the_transport_that_brought_them, setup, teardown),
    cmocka_unit_test_setup_teardown(ranges_joining_and_leaving_follow_the_free_orbits, setup,
                                    teardown),
};

ORBIT_TEST_MAIN(tests)
