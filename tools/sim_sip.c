/* sim_sip: every phone shares one libre SIP stack (one UDP port; the
 * Contact's user part tells which phone a request is for). A scenario
 * is one call's life, driven by SIP events and a 10 ms tick:
 *
 *   park:   A calls B through B's pool; B answers; B transfers A to
 *           sip:park@ (REFER); B learns the orbit by MESSAGE; after the
 *           hold time C dials the orbit, talks, hangs up.
 *   pickup: A calls B, a member of a pickup group; B's phone rings;
 *           after the hold time C dials the group number, talks, hangs up.
 *
 * Every leg sends a tone as RTP and counts what it receives. */
#include "sim_sip.h"

#include "media_session.h"
#include "orbit_rng.h"
#include "orbit_time.h"
#include "sip_libre.h"
#include "sip_sdp.h"

#include <re_sipreg.h>

#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* RTP pacing needs a tick under 20 ms; the scenario steps ride on it. */
#define TICK_MS              10
#define TALK_MS              1000
#define SCENARIO_DEADLINE_MS 30000
#define REGISTER_EXPIRES     600
/* Phones register this many a second at start: a pool sheds more than
 * 50 new requests a second from one address (a REGISTER and its answer
 * to the challenge are two), as it would a flood. */
#define REGISTER_PER_SECOND 20
#define URI_MAX             256

typedef enum { SC_PARK, SC_PICKUP } scenario_kind;

typedef enum {
    ST_CALLING,   /* A's INVITE out, waiting for B's phone */
    ST_TALKING,   /* A and B connected (park) */
    ST_PARKING,   /* B sent REFER to park@ */
    ST_HOLDING,   /* parked (orbit known), or ringing (pickup) */
    ST_TAKING,    /* C dialled the orbit or the group */
    ST_CONNECTED, /* A and C connected */
    ST_DONE,
} scenario_step;

struct sim;

/* One SIP dialog of a phone, with its RTP. */
typedef struct {
    struct sim *sim;
    int scenario; /* index in sim->scenarios */
    char role;    /* 'a' caller, 'b' callee (or transferor), 'c' retriever/picker */
    struct sipsess *sess;
    sip_sdp_stream stream;
    bool listening;
    bool up;
    uint64_t rx; /* RTP packets received */
} sim_leg;

typedef struct {
    char uri[URI_MAX], user[64], realm[128], password[128];
    char home[128];          /* home pool FQDN */
    char group[16];          /* pickup group, "" if none */
    char registrar[URI_MAX]; /* the pool's URI it registers with now */
    struct sipreg *reg;
    bool registered;
    struct tmr retarget; /* re-register elsewhere after a 301 */
    int scenario;        /* index in sim->scenarios, -1 when free */
    struct sim *sim;
} sim_phone;

typedef struct {
    bool active;
    scenario_kind kind;
    scenario_step step;
    int a, b, c; /* phone indexes */
    char orbit[32];
    int64_t started_ms, next_ms;
    sim_leg la, lb, lc;
    struct sip_request *refer;
} sim_scenario;

typedef struct {
    uint64_t phones, registered, redirected, reg_failures;
    uint64_t started, completed, failed;
    uint64_t parks, retrieves, pickups, ringbacks;
    uint64_t rtp_in, rtp_out;
    uint64_t failed_at[ST_DONE + 1];
} sim_counts;

typedef struct sim {
    const sim_sip_options *o;
    volatile sig_atomic_t *stop;
    struct sip *sip;
    struct dnsc *dnsc;
    struct sipsess_sock *sock;
    struct sip_lsnr *lsnr;
    struct tmr tick;
    orbit_rng rng;
    sim_phone *phones;
    size_t nphones;
    sim_scenario *scenarios;
    size_t nscenarios;
    media_counters media;
    media_moh *tone;
    int64_t until_ms;
    size_t next_register; /* phones registered so far at start */
    int64_t next_register_ms;
    sim_counts n;
} sim;

static const char *const STEP_NAMES[] = {"calling", "talking",   "parking", "holding",
                                         "taking",  "connected", "done"};

/* ------------------------------------------------------------- loading */

static const char *text_of(const char *s)
{
    return s ? s : "";
}

static bool load_phones(sim *s, json_t *dep, json_t *topo, const char *passwords)
{
    FILE *f = fopen(passwords, "r");
    if (!f) {
        fprintf(stderr, "orbit-sim: %s: cannot read\n", passwords);
        return false;
    }
    char line[512];
    size_t cap = 0;
    while (fgets(line, sizeof line, f)) {
        char uri[URI_MAX], password[128];
        if (sscanf(line, "%255s %127s", uri, password) != 2 || strncmp(uri, "sip:", 4) != 0 ||
            !strchr(uri, '@'))
            continue;
        if (s->nphones == cap) {
            cap = cap ? cap * 2 : 64;
            sim_phone *p = realloc(s->phones, cap * sizeof *p);
            if (!p) {
                fclose(f);
                return false;
            }
            s->phones = p;
        }
        sim_phone *ph = &s->phones[s->nphones++];
        memset(ph, 0, sizeof *ph);
        ph->sim = s;
        ph->scenario = -1;
        snprintf(ph->uri, sizeof ph->uri, "%s", uri);
        snprintf(ph->password, sizeof ph->password, "%s", password);
        const char *at = strchr(uri, '@');
        snprintf(ph->user, sizeof ph->user, "%.*s", (int)(at - uri - 4), uri + 4);
        snprintf(ph->realm, sizeof ph->realm, "%s", at + 1);
        tmr_init(&ph->retarget);
    }
    fclose(f);
    /* Homes and groups from the topology; registrars from the pools. */
    size_t i, j;
    json_t *u, *g, *m, *p;
    for (size_t k = 0; k < s->nphones; k++) {
        sim_phone *ph = &s->phones[k];
        json_array_foreach(
            json_object_get(topo, "users"), i,
            u) if (!strcmp(text_of(json_string_value(json_object_get(u, "uri"))), ph->uri))
            snprintf(ph->home, sizeof ph->home, "%s",
                     text_of(json_string_value(json_object_get(u, "home"))));
        json_array_foreach(json_object_get(topo, "groups"), i, g)
            json_array_foreach(json_object_get(g, "members"), j,
                               m) if (!strcmp(text_of(json_string_value(m)), ph->uri))
                snprintf(ph->group, sizeof ph->group, "%s",
                         text_of(json_string_value(json_object_get(g, "number"))));
        json_array_foreach(json_object_get(dep, "pools"), i, p)
        {
            const char *sip = json_string_value(json_object_get(p, "sip"));
            if (sip && (!ph->registrar[0] ||
                        !strcmp(text_of(json_string_value(json_object_get(p, "fqdn"))), ph->home)))
                snprintf(ph->registrar, sizeof ph->registrar, "%s", sip);
        }
    }
    s->n.phones = s->nphones;
    return s->nphones > 0;
}

/* "sip:127.0.0.1:5161" and "bob" -> "sip:bob@127.0.0.1:5161". */
static void at_pool(const char *pool_uri, const char *user, char *out, size_t cap)
{
    const char *host = strchr(pool_uri, '@');
    host = host ? host + 1 : pool_uri + 4;
    snprintf(out, cap, "sip:%s@%s", user, host);
}

/* ------------------------------------------------------------ registering */

static int auth_handler(char **username, char **password, const char *realm, void *arg)
{
    (void)realm;
    sim_phone *ph = arg;
    int rc = str_dup(username, ph->user);
    return rc ? rc : str_dup(password, ph->password);
}

static void phone_register(sim_phone *ph);

static void retarget(void *arg)
{
    phone_register(arg);
}

static void reg_response(int err, const struct sip_msg *msg, void *arg)
{
    sim_phone *ph = arg;
    if (!err && msg && msg->scode >= 200 && msg->scode < 300) {
        if (!ph->registered)
            ph->sim->n.registered++;
        ph->registered = true;
        return;
    }
    if (!err && msg && (msg->scode == 301 || msg->scode == 302)) {
        /* Served by another pool now: register there (from the timer, not
         * from inside the registration's own handler). */
        const struct sip_hdr *c = sip_msg_hdr(msg, SIP_HDR_CONTACT);
        struct sip_addr addr;
        if (c && sip_addr_decode(&addr, &c->val) == 0 &&
            re_snprintf(ph->registrar, sizeof ph->registrar, "%r", &addr.auri) > 0) {
            ph->sim->n.redirected++;
            tmr_start(&ph->retarget, 0, retarget, ph);
            return;
        }
    }
    if (ph->registered)
        ph->sim->n.registered--;
    ph->registered = false;
    ph->sim->n.reg_failures++;
}

static void phone_register(sim_phone *ph)
{
    ph->reg = mem_deref(ph->reg);
    if (ph->registered)
        ph->sim->n.registered--;
    ph->registered = false;
    if (sipreg_register(&ph->reg, ph->sim->sip, ph->registrar, ph->uri, NULL, ph->uri,
                        REGISTER_EXPIRES, ph->user, NULL, 0, 0, auth_handler, ph, false,
                        reg_response, ph, NULL, NULL) != 0)
        ph->sim->n.reg_failures++;
}

/* -------------------------------------------------------------- legs */

static void leg_readable(int flags, void *arg)
{
    (void)flags;
    sim_leg *leg = arg;
    media_session_on_readable(leg->stream.media, orbit_time_mono_ms());
}

static void leg_rx(void *arg, media_session *m, const media_rtp_packet *pkt)
{
    (void)m;
    (void)pkt;
    ((sim_leg *)arg)->rx++;
}

static bool leg_open(sim *s, sim_scenario *sc, sim_leg *leg, char role)
{
    orbit_status st;
    memset(leg, 0, sizeof *leg);
    leg->sim = s;
    leg->scenario = (int)(sc - s->scenarios);
    leg->role = role;
    media_port_range ports = {30000, 39999};
    if (sip_sdp_open(&leg->stream, "127.0.0.1", ports, orbit_rng_next(&s->rng), &s->media, &st) !=
        ORBIT_OK)
        return false;
    media_session_set_observer(leg->stream.media, leg_rx, leg);
    return true;
}

/* Starts RTP once the far end's address is known. */
static void leg_media_up(sim_leg *leg)
{
    if (!leg->stream.media || leg->listening)
        return;
    if (fd_listen(media_session_fd(leg->stream.media), FD_READ, leg_readable, leg) == 0)
        leg->listening = true;
    media_session_play(leg->stream.media, leg->sim->tone, orbit_time_mono_ms());
}

static void leg_close(sim_leg *leg)
{
    if (leg->listening)
        fd_close(media_session_fd(leg->stream.media));
    leg->listening = false;
    leg->up = false;
    leg->sess = mem_deref(leg->sess); /* BYE or CANCEL as needed */
    sip_sdp_close(&leg->stream);
}

/* -------------------------------------------------------------- scenarios */

static void scenario_end(sim *s, sim_scenario *sc, bool ok)
{
    if (!sc->active)
        return;
    sc->active = false;
    if (ok) {
        s->n.completed++;
    } else {
        s->n.failed++;
        s->n.failed_at[sc->step]++;
        fprintf(stderr, "orbit-sim: %s scenario failed while %s\n",
                sc->kind == SC_PARK ? "park" : "pickup", STEP_NAMES[sc->step]);
    }
    sc->refer = mem_deref(sc->refer);
    s->n.rtp_in += sc->la.rx + sc->lb.rx + sc->lc.rx;
    leg_close(&sc->la);
    leg_close(&sc->lb);
    leg_close(&sc->lc);
    sc->step = ST_DONE;
    int idx[3] = {sc->a, sc->b, sc->c};
    for (int i = 0; i < 3; i++)
        if (idx[i] >= 0 && s->phones[idx[i]].scenario == (int)(sc - s->scenarios))
            s->phones[idx[i]].scenario = -1;
}

static sim_scenario *leg_scenario(const sim_leg *leg)
{
    sim_scenario *sc = &leg->sim->scenarios[leg->scenario];
    return sc->active ? sc : NULL;
}

static int on_answer(const struct sip_msg *msg, void *arg)
{
    sim_leg *leg = arg;
    orbit_status st;
    return sip_sdp_apply_answer(&leg->stream, msg, &st) == ORBIT_OK ? 0 : EPROTO;
}

static int on_offer(struct mbuf **descp, const struct sip_msg *msg, void *arg)
{
    sim_leg *leg = arg;
    orbit_status st;
    return sip_sdp_answer(&leg->stream, msg, descp, &st) == ORBIT_OK ? 0 : EPROTO;
}

static void on_established(const struct sip_msg *msg, void *arg)
{
    (void)msg;
    sim_leg *leg = arg;
    sim_scenario *sc = leg_scenario(leg);
    leg->up = true;
    leg_media_up(leg);
    if (!sc)
        return;
    int64_t now = orbit_time_mono_ms();
    if (leg->role == 'a' && sc->step == ST_CALLING && sc->kind == SC_PARK) {
        sc->step = ST_TALKING;
        sc->next_ms = now + TALK_MS;
    } else if (leg->role == 'c' && sc->step == ST_TAKING) {
        sc->step = ST_CONNECTED;
        sc->next_ms = now + TALK_MS;
        if (sc->kind == SC_PARK)
            leg->sim->n.retrieves++;
        else
            leg->sim->n.pickups++;
    }
}

static void on_closed(int err, const struct sip_msg *msg, void *arg)
{
    (void)err;
    (void)msg;
    sim_leg *leg = arg;
    sim_scenario *sc = leg_scenario(leg);
    bool was_up = leg->up;
    if (leg->listening)
        fd_close(media_session_fd(leg->stream.media));
    leg->listening = false;
    leg->up = false;
    leg->sess = mem_deref(leg->sess);
    if (!sc)
        return;
    switch (leg->role) {
    case 'b':
        /* The transferor is hung up on once A is parked; B's ringing phone
         * is cancelled when C picks up. Both are the plan. */
        if ((sc->kind == SC_PARK && sc->step >= ST_PARKING) ||
            (sc->kind == SC_PICKUP && sc->step >= ST_HOLDING))
            return;
        break;
    case 'a':
        /* The caller is hung up on when C hangs up: the end. */
        if (sc->step == ST_CONNECTED && was_up) {
            scenario_end(leg->sim, sc, true);
            return;
        }
        break;
    case 'c':
        if (sc->step == ST_CONNECTED)
            return; /* we hung up; A's BYE ends the scenario */
        break;
    }
    scenario_end(leg->sim, sc, false);
}

/* An INVITE from a phone through the pool. */
static bool leg_call(sim *s, sim_scenario *sc, sim_leg *leg, char role, sim_phone *from,
                     const char *target)
{
    struct mbuf *offer = NULL;
    orbit_status st;
    if (!leg_open(s, sc, leg, role) || sip_sdp_offer(&leg->stream, &offer, &st) != ORBIT_OK)
        return false;
    int rc = sipsess_connect(&leg->sess, s->sock, target, NULL, from->uri, from->user, NULL, 0,
                             "application/sdp", offer, auth_handler, from, false, on_offer,
                             on_answer, NULL, on_established, NULL, NULL, on_closed, leg, "");
    mem_deref(offer);
    return rc == 0;
}

static void refer_response(int err, const struct sip_msg *msg, void *arg)
{
    sim_scenario *sc = arg;
    if (!err && msg && msg->scode < 200)
        return;
    sc->refer = NULL;
    if (err || !msg || msg->scode >= 300)
        sc->next_ms = 0; /* refused: fails at the next tick */
}

/* B transfers A to the pool's park service. */
static void start_parking(sim *s, sim_scenario *sc)
{
    const sim_phone *b = &s->phones[sc->b];
    char target[URI_MAX];
    at_pool(b->registrar, "park", target, sizeof target);
    sc->step = ST_PARKING;
    sc->next_ms = orbit_time_mono_ms() + SCENARIO_DEADLINE_MS;
    if (!sc->lb.sess ||
        sip_drequestf(&sc->refer, s->sip, true, "REFER", sipsess_dialog(sc->lb.sess), 0, NULL, NULL,
                      refer_response, sc,
                      "Refer-To: <%s>\r\nReferred-By: <%s>\r\nContent-Length: 0\r\n\r\n", target,
                      b->uri) != 0)
        scenario_end(s, sc, false);
}

/* C dials the orbit (park) or the group (pickup) at B's pool. */
static void start_taking(sim *s, sim_scenario *sc)
{
    sim_phone *b = &s->phones[sc->b], *c = &s->phones[sc->c];
    char target[URI_MAX];
    at_pool(b->registrar, sc->kind == SC_PARK ? sc->orbit : b->group, target, sizeof target);
    sc->step = ST_TAKING;
    sc->next_ms = orbit_time_mono_ms() + SCENARIO_DEADLINE_MS;
    if (!leg_call(s, sc, &sc->lc, 'c', c, target))
        scenario_end(s, sc, false);
}

static int pick_free(sim *s, int not1, int not2, bool grouped)
{
    for (int tries = 0; tries < 50; tries++) {
        int i = (int)orbit_rng_below(&s->rng, s->nphones);
        const sim_phone *ph = &s->phones[i];
        if (i != not1 && i != not2 && ph->registered && ph->scenario < 0 &&
            (!grouped || ph->group[0]))
            return i;
    }
    return -1;
}

static void start_scenario(sim *s, sim_scenario *sc)
{
    scenario_kind kind = orbit_rng_below(&s->rng, 2) ? SC_PICKUP : SC_PARK;
    int b = pick_free(s, -1, -1, kind == SC_PICKUP);
    if (b < 0 && kind == SC_PICKUP) {
        kind = SC_PARK;
        b = pick_free(s, -1, -1, false);
    }
    int a = b < 0 ? -1 : pick_free(s, b, -1, false);
    int c = a < 0 ? -1 : pick_free(s, a, b, false);
    if (c < 0)
        return; /* not enough free registered phones now */
    memset(sc, 0, sizeof *sc);
    sc->active = true;
    sc->kind = kind;
    sc->step = ST_CALLING;
    sc->a = a;
    sc->b = b;
    sc->c = c;
    sc->started_ms = orbit_time_mono_ms();
    sc->next_ms = sc->started_ms + SCENARIO_DEADLINE_MS;
    int idx = (int)(sc - s->scenarios);
    s->phones[a].scenario = s->phones[b].scenario = s->phones[c].scenario = idx;
    s->n.started++;
    char target[URI_MAX];
    at_pool(s->phones[b].registrar, s->phones[b].user, target, sizeof target);
    if (!leg_call(s, sc, &sc->la, 'a', &s->phones[a], target))
        scenario_end(s, sc, false);
}

/* The timed steps; a step whose time passed without its event failed. */
static void scenario_tick(sim *s, sim_scenario *sc, int64_t now)
{
    if (!sc->active || now < sc->next_ms)
        return;
    switch (sc->step) {
    case ST_TALKING:
        start_parking(s, sc);
        break;
    case ST_HOLDING:
        start_taking(s, sc);
        break;
    case ST_CONNECTED:
        /* C hangs up; the pool hangs up on A, which ends the scenario. */
        sc->next_ms = now + SCENARIO_DEADLINE_MS;
        sc->step = ST_CONNECTED;
        leg_close(&sc->lc);
        break;
    default:
        scenario_end(s, sc, false);
        break;
    }
}

/* ------------------------------------------------- requests to phones */

static sim_phone *phone_of(sim *s, const struct sip_msg *msg)
{
    for (size_t i = 0; i < s->nphones; i++)
        if (pl_strcmp(&msg->uri.user, s->phones[i].user) == 0)
            return &s->phones[i];
    return NULL;
}

/* An INVITE from the pool: B's phone ringing (answer it for a park, let
 * it ring for a pickup), or a ring-back to a parker (answer, hang up). */
static void on_invite(const struct sip_msg *msg, void *arg)
{
    sim *s = arg;
    sim_phone *ph = phone_of(s, msg);
    sim_scenario *sc = ph && ph->scenario >= 0 ? &s->scenarios[ph->scenario] : NULL;
    if (!ph || !sc || !sc->active || &s->phones[sc->b] != ph || sc->step != ST_CALLING ||
        sc->lb.sess) {
        /* A ring-back (the parker is busy elsewhere now) or a stranger. */
        (void)sip_reply(s->sip, msg, 486, "Busy Here");
        if (ph)
            s->n.ringbacks++;
        return;
    }
    orbit_status st;
    struct mbuf *answer = NULL;
    bool pickup = sc->kind == SC_PICKUP;
    if (!leg_open(s, sc, &sc->lb, 'b') ||
        sip_sdp_answer(&sc->lb.stream, msg, &answer, &st) != ORBIT_OK ||
        sipsess_accept(&sc->lb.sess, s->sock, msg, pickup ? 180 : 200, pickup ? "Ringing" : "OK",
                       ph->user, "application/sdp", pickup ? NULL : answer, auth_handler, ph, false,
                       on_offer, NULL, on_established, NULL, NULL, on_closed, &sc->lb, "") != 0) {
        mem_deref(answer);
        (void)sip_reply(s->sip, msg, 500, "Server Internal Error");
        scenario_end(s, sc, false);
        return;
    }
    mem_deref(answer);
    if (pickup) {
        sc->step = ST_HOLDING;
        sc->next_ms = orbit_time_mono_ms() + (int64_t)(s->o->hold_s * 1000);
    } else {
        leg_media_up(&sc->lb);
    }
}

static bool on_request(const struct sip_msg *msg, void *arg)
{
    sim *s = arg;
    if (!pl_strcmp(&msg->met, "MESSAGE")) {
        (void)sip_reply(s->sip, msg, 200, "OK");
        /* "Call parked at orbit N": the parker's scenario can go on. */
        sim_phone *ph = phone_of(s, msg);
        sim_scenario *sc = ph && ph->scenario >= 0 ? &s->scenarios[ph->scenario] : NULL;
        struct pl orbit;
        if (sc && sc->active && sc->step == ST_PARKING &&
            re_regex((const char *)mbuf_buf(msg->mb), mbuf_get_left(msg->mb), "orbit [0-9*#]+",
                     &orbit) == 0) {
            (void)pl_strcpy(&orbit, sc->orbit, sizeof sc->orbit);
            sc->step = ST_HOLDING;
            sc->next_ms = orbit_time_mono_ms() + (int64_t)(s->o->hold_s * 1000);
            s->n.parks++;
        }
        return true;
    }
    if (!pl_strcmp(&msg->met, "NOTIFY") || !pl_strcmp(&msg->met, "OPTIONS")) {
        (void)sip_reply(s->sip, msg, 200, "OK");
        return true;
    }
    return false;
}

/* ---------------------------------------------------------------- run */

static void tick(void *arg)
{
    sim *s = arg;
    int64_t now = orbit_time_mono_ms();
    while (s->next_register < s->nphones && now >= s->next_register_ms) {
        phone_register(&s->phones[s->next_register++]);
        s->next_register_ms += 1000 / REGISTER_PER_SECOND;
    }
    for (size_t i = 0; i < s->nscenarios; i++) {
        sim_scenario *sc = &s->scenarios[i];
        sim_leg *legs[3] = {&sc->la, &sc->lb, &sc->lc};
        for (int k = 0; k < 3; k++)
            if (sc->active && legs[k]->listening)
                media_session_tick(legs[k]->stream.media, now);
        scenario_tick(s, sc, now);
        if (!sc->active && now < s->until_ms && !*s->stop)
            start_scenario(s, sc);
    }
    if (*s->stop || now >= s->until_ms) {
        re_cancel();
        return;
    }
    tmr_start(&s->tick, TICK_MS, tick, s);
}

static void print_summary(const sim *s, double seconds)
{
    const sim_counts *n = &s->n;
    uint64_t rtp_out = atomic_load(&((sim *)s)->media.packets_out);
    if (s->o->json) {
        json_t *fails = json_object();
        for (int i = 0; i < ST_DONE; i++)
            json_object_set_new(fails, STEP_NAMES[i], json_integer((json_int_t)n->failed_at[i]));
        json_t *j = json_pack(
            "{s:s,s:f,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o}", "mode", "sip",
            "seconds", seconds, "phones", (json_int_t)n->phones, "registered",
            (json_int_t)n->registered, "redirected", (json_int_t)n->redirected, "register_failures",
            (json_int_t)n->reg_failures, "scenarios", (json_int_t)n->started, "completed",
            (json_int_t)n->completed, "failed", (json_int_t)n->failed, "parks",
            (json_int_t)n->parks, "retrieves", (json_int_t)n->retrieves, "pickups",
            (json_int_t)n->pickups, "ringbacks_declined", (json_int_t)n->ringbacks, "rtp_in",
            (json_int_t)n->rtp_in, "rtp_out", (json_int_t)rtp_out, "failed_while", fails);
        char *text = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
        printf("%s\n", text ? text : "{}");
        free(text);
        json_decref(j);
        return;
    }
    printf("orbit-sim --sip: %.1f s, %" PRIu64 " phones, %" PRIu64 " registered (%" PRIu64
           " after a redirect, %" PRIu64 " registration failures)\n",
           seconds, n->phones, n->registered, n->redirected, n->reg_failures);
    printf("scenarios: %" PRIu64 " started, %" PRIu64 " completed, %" PRIu64 " failed\n",
           n->started, n->completed, n->failed);
    printf("parked %" PRIu64 ", retrieved %" PRIu64 ", picked up %" PRIu64 "; RTP in %" PRIu64
           ", out %" PRIu64 "\n",
           n->parks, n->retrieves, n->pickups, n->rtp_in, rtp_out);
    for (int i = 0; i < ST_DONE; i++)
        if (n->failed_at[i])
            printf("  failed while %s: %" PRIu64 "\n", STEP_NAMES[i], n->failed_at[i]);
    printf("verdict: %s\n", n->failed ? "FAILURES" : "ok");
}

static bool setup(sim *s)
{
    struct sa ns, laddr;
    if (sa_set_str(&ns, "127.0.0.1", 53) || dnsc_alloc(&s->dnsc, NULL, &ns, 1) ||
        sip_alloc(&s->sip, s->dnsc, 32, 32, 32, "orbit-sim/" ORBIT_VERSION, NULL, NULL) ||
        sa_set_str(&laddr, "127.0.0.1", 0) || sip_transp_add(s->sip, SIP_TRANSP_UDP, &laddr) ||
        sipsess_listen(&s->sock, s->sip, 32, on_invite, s) ||
        sip_listen(&s->lsnr, s->sip, true, on_request, s))
        return false;
    /* The tone every phone sends: 400 Hz, quiet. */
    int16_t pcm[MEDIA_SAMPLE_RATE / 10];
    for (size_t i = 0; i < sizeof pcm / sizeof pcm[0]; i++)
        pcm[i] = (int16_t)(3000 * ((i / 10) % 2 ? 1 : -1));
    return media_moh_from_pcm(pcm, sizeof pcm / sizeof pcm[0], &s->tone, NULL) == ORBIT_OK;
}

static void teardown(sim *s)
{
    tmr_cancel(&s->tick);
    for (size_t i = 0; i < s->nscenarios; i++) {
        sim_scenario *sc = &s->scenarios[i];
        if (sc->active) {
            sc->active = false; /* cut short by the end of the run: not a failure */
            sc->refer = mem_deref(sc->refer);
            leg_close(&sc->la);
            leg_close(&sc->lb);
            leg_close(&sc->lc);
        }
    }
    for (size_t i = 0; i < s->nphones; i++) {
        tmr_cancel(&s->phones[i].retarget);
        s->phones[i].reg = mem_deref(s->phones[i].reg); /* unregisters */
    }
    s->lsnr = mem_deref(s->lsnr);
    s->sock = mem_deref(s->sock);
    if (s->sip)
        sip_close(s->sip, true);
    s->sip = mem_deref(s->sip);
    s->dnsc = mem_deref(s->dnsc);
    media_moh_unref(s->tone);
}

int sim_sip_run(const sim_sip_options *o, volatile sig_atomic_t *stop)
{
    json_error_t jerr;
    json_t *dep = json_load_file(o->deployment, 0, &jerr);
    if (!dep) {
        fprintf(stderr, "orbit-sim: %s: %s\n", o->deployment, jerr.text);
        return 2;
    }
    char dir[PATH_MAX], topo_path[PATH_MAX + 16];
    snprintf(dir, sizeof dir, "%s", o->deployment);
    snprintf(topo_path, sizeof topo_path, "%s/topology.json", dirname(dir));
    json_t *topo = json_load_file(o->topology ? o->topology : topo_path, 0, &jerr);
    const char *passwords = json_string_value(json_object_get(dep, "sip_passwords"));
    sim s = {.o = o, .stop = stop};
    int rc = 0;
    if (!topo || !passwords) {
        fprintf(stderr, "orbit-sim: --sip needs sip_passwords in %s and a topology (%s)\n",
                o->deployment, o->topology ? o->topology : topo_path);
        rc = 2;
    } else if (!load_phones(&s, dep, topo, passwords)) {
        rc = 2;
    }
    json_decref(topo);
    size_t npools = json_array_size(json_object_get(dep, "pools"));
    json_decref(dep);
    if (rc) {
        free(s.phones);
        return rc;
    }
    if (o->seed)
        orbit_rng_seed(&s.rng, o->seed);
    else
        orbit_rng_seed_os(&s.rng);
    s.nscenarios = o->concurrency ? o->concurrency : (npools ? npools : 1);
    s.scenarios = calloc(s.nscenarios, sizeof *s.scenarios);
    if (libre_init() != 0 || !s.scenarios || !setup(&s)) {
        fprintf(stderr, "orbit-sim: cannot start the SIP stack\n");
        teardown(&s);
        free(s.scenarios);
        free(s.phones);
        libre_close();
        return 1;
    }
    int64_t started = orbit_time_mono_ms();
    s.next_register_ms = started;
    s.until_ms = o->duration_s > 0 ? started + (int64_t)(o->duration_s * 1000) : INT64_MAX;
    tmr_start(&s.tick, TICK_MS, tick, &s);
    fprintf(stderr, "orbit-sim: --sip, %zu phones, %zu scenarios at once\n", s.nphones,
            s.nscenarios);
    (void)re_main(NULL);
    double seconds = (double)(orbit_time_mono_ms() - started) / 1000.0;
    uint64_t registered = s.n.registered;
    for (size_t i = 0; i < s.nscenarios; i++)
        if (s.scenarios[i].active)
            s.n.rtp_in += s.scenarios[i].la.rx + s.scenarios[i].lb.rx + s.scenarios[i].lc.rx;
    print_summary(&s, seconds);
    fflush(stdout);
    teardown(&s);
    free(s.scenarios);
    free(s.phones);
    libre_close();
    if (!registered)
        return 3;
    return s.n.failed ? 1 : 0;
}
