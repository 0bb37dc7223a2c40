/* client_runbook: the step tables of the DR runbooks and the engine that
 * runs them: claim, then each step's precondition, verify and action,
 * with every transition reported to the deployment. */
#include "client_runbook.h"

#include "client_moh.h"
#include "client_readiness.h"
#include "client_view.h"
#include "orbit_json.h"
#include "orbit_time.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define RB_NEW_POOL_WAIT_S 300
#define RB_OP_WAIT_MS      15000 /* an op's effect shows in the mirrors within this */
#define RB_NOTES_MAX       16
#define RB_REPORTS_MAX     64
#define RB_CALLS_MAX       4
/* The deployment must take the claim, or a step's report, within this:
 * otherwise no pool answers, and the run stops rather than hang. */
#define RB_RECORD_WAIT_MS 30000

/* What a step's functions answer. */
typedef enum {
    RB_GO = 0, /* precondition met / action started */
    RB_WAIT,   /* not yet: try again at the next tick */
    RB_SKIP,   /* precondition: the step is not needed */
    RB_DONE,   /* verify: the step's effect is there */
    RB_FAIL,   /* the step cannot succeed: the detail says why and what to do */
} rb_answer;

typedef rb_answer (*rb_fn)(client_runbook *rb);

/* One row of a step table. */
typedef struct {
    const char *name;
    const char *title;
    rb_fn pre;    /* may it run now? (NULL: yes) */
    rb_fn act;    /* start it: RB_GO, or RB_DONE when it needs nothing async */
    rb_fn verify; /* is it done? (NULL: done once the action's commands succeeded) */
} rb_step;

/* A command in flight; it outlives the runbook if freed first. */
typedef struct rb_call {
    client_runbook *rb; /* NULL once the runbook is gone */
    int slot;
} rb_call;

/* A report to the deployment: a step's new state, or the abandon. */
typedef struct {
    bool abandon;
    char step[DR_RUNBOOK_STEP_MAX + 1];
    dr_step_state state;
    char detail[DR_RUNBOOK_DETAIL_MAX + 1]; /* the abandon's reason */
} rb_report;

typedef enum { RB_PHASE_CLAIM = 0, RB_PHASE_STEPS, RB_PHASE_ENDED } rb_phase;

struct client_runbook {
    client_runbook_env env;
    client_runbook_params p;
    client_runbook_hooks hooks;
    void *ctx;
    const rb_step *table;
    size_t nsteps;
    dr_runbook rec; /* the record as this engine keeps it */
    char backup[ORBIT_FQDN_MAX + 1];
    rb_phase phase;
    int64_t waiting_since_mono; /* the claim or the oldest report went unanswered since */
    size_t cur;
    bool reported; /* the current step is running: acted once that reached the deployment */
    bool acted;    /* the current step's action has started */
    int64_t now;
    int64_t step_started_mono;
    client_runbook_outcome outcome;
    char message[DR_RUNBOOK_DETAIL_MAX + 200];
    /* the claim */
    rb_call *claim;
    bool claim_done;
    /* commands of the current step */
    rb_call *calls[RB_CALLS_MAX];
    int ncalls_pending;
    bool call_failed;
    char call_error[DR_RUNBOOK_DETAIL_MAX + 1];
    json_t *result; /* the last command's data */
    /* reports to the deployment, one in flight */
    rb_report reports[RB_REPORTS_MAX];
    size_t nreports;
    rb_call *report;
    bool report_lost; /* taken over: nothing more is reported */
    /* the confirmation */
    bool awaiting_confirm, confirmed, declined;
    /* the preflight's findings */
    char notes[RB_NOTES_MAX][DR_RUNBOOK_DETAIL_MAX + 1];
    size_t nnotes;
    /* REST and MOH transfers of the current step */
    client_rest_req *rest_req;
    client_moh_upload *upload;
    bool upload_done, upload_ok;
    char upload_error[DR_RUNBOOK_DETAIL_MAX + 1];
    bool restoring_settings, restoring_moh;
    bool rto_warned;
    int64_t pre_since_mono; /* the current step's precondition has waited since */
    bool freeing;
};

/* ---- small helpers ---- */

static const client_mirror *view(const client_runbook *rb)
{
    return client_view_mirror(rb->env.hub);
}

static const dr_state *dr_of(const client_runbook *rb, const char *home)
{
    const client_mirror *m = view(rb);
    return m ? client_mirror_dr(m, home) : NULL;
}

static const pool_info *pool_of(const client_runbook *rb, const char *fqdn)
{
    const client_mirror *m = view(rb);
    return m ? client_mirror_pool(m, fqdn) : NULL;
}

/* Is the pool down as any pool reports it? Each pool notices an outage on
 * its own, within a heartbeat of the others: the first to say so is right. */
static bool pool_down(const client_runbook *rb, const char *fqdn)
{
    for (size_t i = 0; i < client_hub_count(rb->env.hub); i++) {
        const client_mirror *m = client_conn_mirror(client_hub_at(rb->env.hub, i));
        const pool_info *p = client_mirror_loaded(m) ? client_mirror_pool(m, fqdn) : NULL;
        if (p && p->status == POOL_STATUS_DOWN)
            return true;
    }
    return false;
}

static dr_runbook_step *step(client_runbook *rb)
{
    return &rb->rec.steps[rb->cur];
}

/* Makes a text fit for the record: valid UTF-8 (a cut may split a
 * character), no control character, and, when a C1 control or a bidi
 * override remains, ASCII only. Details quote pools' messages and names,
 * and reach other operators' terminals. */
static void clean_text(char *s)
{
    orbit_text_repair_utf8(s);
    for (char *c = s; *c; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    }
    if (orbit_text_hazard_of(s) != ORBIT_TEXT_SAFE) {
        for (char *c = s; *c; c++) {
            if ((unsigned char)*c >= 0x80)
                *c = '?';
        }
    }
}

/* Sets the current step's detail (what it did, or why it failed and what
 * to do). */
static void say(client_runbook *rb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(client_runbook *rb, const char *fmt, ...)
{
    char text[DR_RUNBOOK_DETAIL_MAX * 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    snprintf(step(rb)->detail, sizeof step(rb)->detail, "%.*s", DR_RUNBOOK_DETAIL_MAX, text);
    clean_text(step(rb)->detail);
}

static void note(client_runbook *rb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(client_runbook *rb, const char *fmt, ...)
{
    if (rb->nnotes >= RB_NOTES_MAX)
        return;
    char text[DR_RUNBOOK_DETAIL_MAX * 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < rb->nnotes; i++) {
        if (strncmp(rb->notes[i], text, DR_RUNBOOK_DETAIL_MAX) == 0)
            return; /* both pools of a pair may say the same */
    }
    snprintf(rb->notes[rb->nnotes], sizeof rb->notes[0], "%.*s", DR_RUNBOOK_DETAIL_MAX, text);
    clean_text(rb->notes[rb->nnotes++]);
}

static bool live(client_conn *c)
{
    return c && client_conn_get_state(c) == CLIENT_CONN_LIVE &&
           strcmp(client_conn_role(c), "operator") == 0;
}

/* A live operator connection: to `prefer` when it is live, else to any
 * pool (the deployment's shared state can be changed at any). */
static client_conn *conn_to(const client_runbook *rb, const char *prefer, bool only)
{
    client_conn *c = prefer && prefer[0] ? client_hub_find(rb->env.hub, prefer) : NULL;
    if (live(c) || only)
        return live(c) ? c : NULL;
    for (size_t i = 0; i < client_hub_count(rb->env.hub); i++) {
        c = client_hub_at(rb->env.hub, i);
        if (live(c))
            return c;
    }
    return NULL;
}

static void elapsed_text(int64_t ms, char *out, size_t len)
{
    if (ms < 60000)
        snprintf(out, len, "%.1fs", (double)ms / 1000.0);
    else
        snprintf(out, len, "%lldm%02llds", (long long)(ms / 60000), (long long)(ms / 1000 % 60));
}

/* ---- commands ---- */

static void on_call(void *ctx, client_conn *c, bool ok, const json_t *data, const orbit_status *err)
{
    (void)c;
    rb_call *call = ctx;
    client_runbook *rb = call->rb;
    if (!rb) { /* the runbook went away meanwhile */
        free(call);
        return;
    }
    rb->calls[call->slot] = NULL;
    rb->ncalls_pending--;
    if (ok) {
        json_decref(rb->result);
        rb->result = json_incref((json_t *)data);
    } else if (!rb->call_failed) {
        rb->call_failed = true;
        snprintf(rb->call_error, sizeof rb->call_error, "%s: %.200s", orbit_err_name(err->code),
                 err->message);
        clean_text(rb->call_error);
    }
    free(call);
}

/* Sends op (args stolen) for the current step; false (with the step's
 * detail saying why) when no pool can take it. */
static bool rb_send(client_runbook *rb, client_conn *c, const char *op, json_t *args)
{
    int slot = 0;
    while (slot < RB_CALLS_MAX && rb->calls[slot])
        slot++;
    rb_call *call = slot < RB_CALLS_MAX ? calloc(1, sizeof *call) : NULL;
    orbit_status st;
    if (!c) {
        json_decref(args);
        free(call);
        say(rb, "no pool of the deployment is connected to send %s to: check the links", op);
        return false;
    }
    if (!call || !args) {
        json_decref(args);
        free(call);
        say(rb, "out of memory");
        return false;
    }
    call->rb = rb;
    call->slot = slot;
    if (!client_conn_cmd(c, op, args, on_call, call, &st)) {
        free(call);
        say(rb, "%s not sent: %.200s", op, st.message);
        return false;
    }
    rb->calls[slot] = call;
    rb->ncalls_pending++;
    return true;
}

static bool calls_settled(const client_runbook *rb)
{
    return rb->ncalls_pending == 0;
}

/* ---- reports and the claim ---- */

static void on_report(void *ctx, client_conn *c, bool ok, const json_t *data,
                      const orbit_status *err)
{
    (void)c;
    rb_call *call = ctx;
    client_runbook *rb = call->rb;
    free(call);
    if (!rb)
        return;
    rb->report = NULL;
    if (ok) {
        if (rb->nreports && rb->reports[0].abandon)
            rb->report_lost = true; /* nothing more to say after that */
        if (rb->nreports) {
            memmove(&rb->reports[0], &rb->reports[1], (rb->nreports - 1) * sizeof rb->reports[0]);
            rb->nreports--;
        }
        return;
    }
    if (client_result_answered(ok, data) && err->code != ORBIT_ERR_CONFLICT &&
        err->code != ORBIT_ERR_NOT_FOUND && err->code != ORBIT_ERR_UNAVAILABLE &&
        err->code != ORBIT_ERR_RATE_LIMITED) {
        /* Refused for what it says (it should not be): dropped, so the
         * reports after it still go. */
        if (rb->nreports) {
            memmove(&rb->reports[0], &rb->reports[1], (rb->nreports - 1) * sizeof rb->reports[0]);
            rb->nreports--;
        }
        return;
    }
    if (err->code == ORBIT_ERR_CONFLICT || err->code == ORBIT_ERR_NOT_FOUND) {
        /* Another operator took the runbook over (or abandoned it): this
         * run stops where it is. */
        rb->report_lost = true;
        rb->nreports = 0;
        if (rb->phase != RB_PHASE_ENDED) {
            rb->phase = RB_PHASE_ENDED;
            rb->outcome = CLIENT_RB_ABANDONED;
            snprintf(rb->message, sizeof rb->message, "stopped: %.300s", err->message);
            if (rb->hooks.on_end)
                rb->hooks.on_end(rb->ctx, rb);
        }
    }
    /* other failures (a lost link): tried again at the next tick */
}

static void flush_reports(client_runbook *rb)
{
    if (rb->report || !rb->nreports || rb->report_lost)
        return;
    client_conn *c = conn_to(rb, rb->backup, false);
    rb_call *call = c ? calloc(1, sizeof *call) : NULL;
    if (!call)
        return;
    call->rb = rb;
    const rb_report *r = &rb->reports[0];
    json_t *args = r->abandon ? json_pack("{s:s, s:s}", "home", rb->p.home, "reason", r->detail)
                              : json_pack("{s:s, s:s, s:s, s:s, s:s}", "home", rb->p.home, "run_id",
                                          rb->rec.run_id, "step", r->step, "state",
                                          dr_step_state_name(r->state), "detail", r->detail);
    orbit_status st;
    if (!args || !client_conn_cmd(c, r->abandon ? "runbook.abandon" : "runbook.step", args,
                                  on_report, call, &st)) {
        free(call);
        return;
    }
    rb->report = call;
}

static void queue_report(client_runbook *rb, const rb_report *r)
{
    if (rb->nreports < RB_REPORTS_MAX && !rb->report_lost)
        rb->reports[rb->nreports++] = *r;
    flush_reports(rb);
}

/* The current step's state changed: recorded here, reported there, told. */
static void transition(client_runbook *rb, dr_step_state state)
{
    dr_runbook_step *s = step(rb);
    if (state == DR_STEP_RUNNING) {
        s->started_ms = rb->now;
        s->ended_ms = 0;
    } else {
        if (!s->started_ms)
            s->started_ms = rb->now;
        s->ended_ms = rb->now;
    }
    s->state = state;
    rb->rec.state = dr_runbook_state_of(&rb->rec);
    rb_report r = {.state = state};
    snprintf(r.step, sizeof r.step, "%s", s->name);
    snprintf(r.detail, sizeof r.detail, "%s", s->detail);
    queue_report(rb, &r);
    if (rb->hooks.on_step)
        rb->hooks.on_step(rb->ctx, rb, rb->cur);
}

static void rb_end(client_runbook *rb, client_runbook_outcome o, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void rb_end(client_runbook *rb, client_runbook_outcome o, const char *fmt, ...)
{
    if (rb->phase == RB_PHASE_ENDED)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rb->message, sizeof rb->message, fmt, ap);
    va_end(ap);
    rb->phase = RB_PHASE_ENDED;
    rb->outcome = o;
    if (rb->hooks.on_end)
        rb->hooks.on_end(rb->ctx, rb);
}

static void on_claim(void *ctx, client_conn *c, bool ok, const json_t *data,
                     const orbit_status *err)
{
    (void)c;
    rb_call *call = ctx;
    client_runbook *rb = call->rb;
    free(call);
    if (!rb)
        return;
    rb->claim = NULL;
    if (!ok) {
        if (!client_result_answered(ok, data))
            return; /* no answer: claim again at the next tick */
        rb_end(rb, CLIENT_RB_REFUSED, "%s: %.300s", orbit_err_name(err->code), err->message);
        return;
    }
    dr_runbook got;
    orbit_status st;
    if (dr_runbook_from_json(data, &got, &st) != ORBIT_OK) {
        rb_end(rb, CLIENT_RB_FAILED, "the pool's answer to the claim is unreadable: %s",
               st.message);
        return;
    }
    /* A resumed runbook keeps what its steps did. */
    for (size_t i = 0; i < rb->nsteps && i < got.nsteps; i++)
        rb->rec.steps[i] = got.steps[i];
    snprintf(rb->rec.holder, sizeof rb->rec.holder, "%s", got.holder);
    rb->rec.started_ms = got.started_ms;
    rb->claim_done = true;
    rb->phase = RB_PHASE_STEPS;
    rb->cur = 0;
    /* Confirmed in an earlier run: a failover of a pool that is down goes
     * on in disaster_mode, the only way it can. */
    int confirm = dr_runbook_step_index(&rb->rec, "confirm");
    if (confirm >= 0 && got.steps[confirm].state == DR_STEP_DONE && pool_down(rb, rb->p.home))
        rb->p.disaster_mode = true;
}

static void send_claim(client_runbook *rb)
{
    client_conn *c = conn_to(rb, rb->backup, false);
    rb_call *call = c ? calloc(1, sizeof *call) : NULL;
    if (!call)
        return;
    call->rb = rb;
    json_t *steps = json_array();
    for (size_t i = 0; steps && i < rb->nsteps; i++)
        json_array_append_new(steps, json_string(rb->table[i].name));
    json_t *args = json_pack("{s:s, s:s, s:s, s:o, s:i, s:b, s:b}", "home", rb->p.home, "kind",
                             dr_runbook_kind_name(rb->p.kind), "run_id", rb->rec.run_id, "steps",
                             steps, "rto_s", rb->rec.rto_s, "take_over", rb->p.take_over,
                             "disaster_mode", rb->p.disaster_mode);
    if (args && rb->p.kind == DR_RUNBOOK_REPLACE)
        json_object_set_new(args, "replacement", json_string(rb->p.new_fqdn));
    orbit_status st;
    if (!args || !client_conn_cmd(c, "runbook.claim", args, on_claim, call, &st)) {
        free(call);
        return;
    }
    rb->claim = call;
}

/* ---- steps shared by the runbooks ---- */

/* The readiness of the pair, as notes; false with the step's detail when
 * a problem blocks the runbook (blocking: checks of `pool` in `blocking`). */
static bool readiness_notes(client_runbook *rb, const char *pool, const bool *blocking)
{
    client_ready_pair pairs[64];
    size_t n = client_readiness_evaluate(rb->env.hub, rb->env.vault, pairs, 64);
    const client_ready_pair *mine = NULL;
    for (size_t i = 0; i < n && i < 64; i++) {
        if (strcmp(pairs[i].left, rb->p.home) == 0 || strcmp(pairs[i].right, rb->p.home) == 0)
            mine = &pairs[i];
    }
    if (!mine)
        return true;
    for (size_t k = 0; k < mine->nproblems; k++) {
        const client_ready_problem *pr = &mine->problems[k];
        if (pr->verdict == CLIENT_READY_FAIL && blocking[pr->check] &&
            strcmp(pr->pool, pool) == 0) {
            say(rb, "not ready: %.110s; fix: %.100s", pr->what, pr->fix);
            return false;
        }
        /* Warnings: what fails, but not the home pool being down in a
         * failover (that is why it runs), nor facts this client lacks. */
        if (pr->verdict != CLIENT_READY_FAIL ||
            (rb->p.kind == DR_RUNBOOK_FAILOVER && pr->check == CLIENT_READY_CALLPARK_UP &&
             strcmp(pr->pool, rb->p.home) == 0))
            continue;
        note(rb, "%s: %.140s (fix: %.80s)", client_ready_check_name(pr->check), pr->what, pr->fix);
    }
    return true;
}

static rb_answer act_confirm(client_runbook *rb)
{
    /* A preflight done in an earlier run proposed it; propose it again. */
    const dr_state *d = dr_of(rb, rb->p.home);
    if (rb->p.kind == DR_RUNBOOK_FAILOVER && pool_down(rb, rb->p.home) && d &&
        d->phase == DR_PHASE_NORMAL)
        rb->p.disaster_mode = true;
    rb->awaiting_confirm = true;
    rb->confirmed = rb->declined = false;
    say(rb, "waiting for the operator to type %s", rb->p.home);
    if (rb->hooks.confirm)
        rb->hooks.confirm(rb->ctx, rb);
    return RB_GO;
}

static rb_answer verify_confirm(client_runbook *rb)
{
    if (rb->declined) {
        say(rb, "declined by the operator: nothing was changed");
        return RB_FAIL;
    }
    if (!rb->confirmed)
        return RB_WAIT;
    say(rb, "confirmed by %s%s", rb->env.who ? rb->env.who : "the operator",
        rb->p.kind == DR_RUNBOOK_FAILOVER && rb->p.disaster_mode ? " (disaster_mode)" : "");
    return RB_DONE;
}

/* Watches a phase against the RTO until the users reach `goal`. */
static rb_answer watch_phase(client_runbook *rb, const char *home, dr_phase running, dr_phase goal)
{
    const dr_state *d = dr_of(rb, home);
    if (!d)
        return RB_WAIT;
    char took[32], rto[32];
    elapsed_text((int64_t)rb->rec.rto_s * 1000, rto, sizeof rto);
    if (d->phase == goal) {
        if (step(rb)->started_ms) {
            elapsed_text(rb->now - step(rb)->started_ms, took, sizeof took);
            say(rb, "%s is %s, served by %s, after %s (RTO %s)", home, dr_phase_name(goal),
                d->serving, took, rto);
        } else {
            say(rb, "%s is %s already, served by %s", home, dr_phase_name(goal), d->serving);
        }
        return RB_DONE;
    }
    if (d->phase != running) {
        if (rb->ncalls_pending || orbit_time_mono_ms() - rb->step_started_mono < RB_OP_WAIT_MS)
            return RB_WAIT; /* our op's change is on its way */
        say(rb, "%s's users are %s, not %s: someone else changed them; look, then resume", home,
            dr_phase_name(d->phase), dr_phase_name(running));
        return RB_FAIL;
    }
    int64_t in_phase = rb->now - d->since_ms, left = d->ends_ms - rb->now;
    elapsed_text(in_phase, took, sizeof took);
    bool over = in_phase > (int64_t)rb->rec.rto_s * 1000;
    say(rb, "%s for %s of the %s RTO%s; completes in about %llds", dr_phase_name(running), took,
        rto, over ? " (PAST THE RTO: check the backup pool's log)" : "",
        (long long)(left > 0 ? left / 1000 : 0));
    if (over && !rb->rto_warned) {
        rb->rto_warned = true;
        if (rb->hooks.on_step)
            rb->hooks.on_step(rb->ctx, rb, rb->cur);
    }
    return RB_WAIT;
}

static rb_answer pre_redirect(client_runbook *rb)
{
    const char *home = rb->p.kind == DR_RUNBOOK_REPLACE ? rb->p.new_fqdn : rb->p.home;
    const dr_state *d = dr_of(rb, home);
    if (!d)
        return RB_WAIT;
    if (dr_phase_resiliency(d->phase)) {
        say(rb, "waiting for the %s phase to complete: redirect after it", dr_phase_name(d->phase));
        return RB_WAIT;
    }
    return RB_GO;
}

static rb_answer act_redirect(client_runbook *rb)
{
    const char *home = rb->p.kind == DR_RUNBOOK_REPLACE ? rb->p.new_fqdn : rb->p.home;
    return rb_send(rb, conn_to(rb, rb->backup, false), "pickup.redirect",
                   json_pack("{s:s}", "pool", home))
               ? RB_GO
               : RB_FAIL;
}

static rb_answer verify_redirect(client_runbook *rb)
{
    const char *home = rb->p.kind == DR_RUNBOOK_REPLACE ? rb->p.new_fqdn : rb->p.home;
    const dr_state *d = dr_of(rb, home);
    if (!d || !d->pickup_ranges_redirected)
        return rb->acted && orbit_time_mono_ms() - rb->step_started_mono > RB_OP_WAIT_MS &&
                       !rb->ncalls_pending
                   ? (say(rb,
                          "the ranges were moved but %s's users are not shown redirected: "
                          "look at orbitctl pool status %s",
                          home, home),
                      RB_FAIL)
                   : RB_WAIT;
    if (!rb->acted)
        say(rb, "%s's GroupPickup ranges are with %s already", home, d->serving);
    else
        say(rb, "moved %lld GroupPickup range(s) to %s: exactly those of %s's users",
            (long long)json_integer_value(json_object_get(rb->result, "moved")), d->serving, home);
    return RB_DONE;
}

/* The test call runs at the pool serving the users: wait for this
 * client's link to it (a pool that just came back is reconnected within
 * the hub's backoff). */
static rb_answer pre_test_call(client_runbook *rb)
{
    const char *home = rb->p.kind == DR_RUNBOOK_REPLACE ? rb->p.new_fqdn : rb->p.home;
    const dr_state *d = dr_of(rb, home);
    if (d && conn_to(rb, d->serving, true))
        return RB_GO;
    if (!rb->pre_since_mono)
        rb->pre_since_mono = orbit_time_mono_ms();
    if (orbit_time_mono_ms() - rb->pre_since_mono < RB_RECORD_WAIT_MS)
        return RB_WAIT;
    return RB_GO; /* the action says what is missing */
}

static rb_answer act_test_call(client_runbook *rb)
{
    const char *home = rb->p.kind == DR_RUNBOOK_REPLACE ? rb->p.new_fqdn : rb->p.home;
    const dr_state *d = dr_of(rb, home);
    client_conn *c = d ? conn_to(rb, d->serving, true) : NULL;
    if (!c) {
        say(rb, "%s, which serves %s's users, is not connected: check the link, then resume",
            d ? d->serving : "the serving pool", home);
        return RB_FAIL;
    }
    return rb_send(rb, c, "dr.test_call", json_pack("{s:s}", "pool", home)) ? RB_GO : RB_FAIL;
}

static rb_answer verify_test_call(client_runbook *rb)
{
    if (!rb->acted)
        return RB_WAIT; /* a test call proves nothing until it is made */
    if (!calls_settled(rb))
        return RB_WAIT;
    const json_t *park = json_object_get(rb->result, "park");
    const json_t *pick = json_object_get(rb->result, "pickup");
    const char *note_text = json_string_value(json_object_get(rb->result, "note"));
    if (json_is_object(pick))
        say(rb, "test call at %s: %s parked on %s and picked up in group %s; no trace left",
            json_string_value(json_object_get(rb->result, "serving")),
            json_string_value(json_object_get(park, "user")),
            json_string_value(json_object_get(park, "orbit")),
            json_string_value(json_object_get(pick, "group")));
    else
        say(rb, "test call at %s: park works (orbit %s); %s",
            json_string_value(json_object_get(rb->result, "serving")),
            json_string_value(json_object_get(park, "orbit")), note_text ? note_text : "");
    return RB_DONE;
}

static rb_answer act_done(client_runbook *rb)
{
    char took[32];
    elapsed_text(rb->now - rb->rec.started_ms, took, sizeof took);
    say(rb, "%s of %s complete in %s", dr_runbook_kind_name(rb->p.kind), rb->p.home, took);
    return RB_DONE;
}

/* ---- failover ---- */

static rb_answer act_preflight_failover(client_runbook *rb)
{
    const pool_info *home = pool_of(rb, rb->p.home);
    const dr_state *d = dr_of(rb, rb->p.home);
    const pool_info *backup = pool_of(rb, rb->backup);
    if (!home || !d || !backup) {
        say(rb, "%s or its backup is not in the deployment any more", rb->p.home);
        return RB_FAIL;
    }
    if (d->phase == DR_PHASE_FAILING_BACK) {
        say(rb, "%s's users are failing back: wait for it to complete", rb->p.home);
        return RB_FAIL;
    }
    bool blocking[CLIENT_READY_CHECK_COUNT] = {
        [CLIENT_READY_CALLPARK_UP] = true, [CLIENT_READY_CALLPARK_RANGES] = true};
    rb->nnotes = 0;
    if (pool_down(rb, rb->p.home) && d->phase == DR_PHASE_NORMAL) {
        rb->p.disaster_mode = true;
        note(rb, "%s is down: disaster_mode proposed (needed when the home pool is unreachable)",
             rb->p.home);
    }
    if (!readiness_notes(rb, rb->backup, blocking))
        return RB_FAIL;
    say(rb, "%s fails over to %s%s; %zu warning(s)", rb->p.home, rb->backup,
        rb->p.disaster_mode ? " in disaster_mode" : "", rb->nnotes);
    return RB_DONE;
}

static rb_answer verify_failover(client_runbook *rb)
{
    const dr_state *d = dr_of(rb, rb->p.home);
    if (!rb->acted && d && d->phase == DR_PHASE_NORMAL)
        return RB_WAIT; /* not begun: act */
    return watch_phase(rb, rb->p.home, DR_PHASE_FAILING_OVER, DR_PHASE_FAILED_OVER);
}

/* Begins a failover or failback at the backup (args stolen), unless the
 * home pool's users are in that phase already (a resumed run): then the
 * step only watches it. */
static rb_answer begin_phase(client_runbook *rb, const char *home, dr_phase running, const char *op,
                             json_t *args)
{
    const dr_state *d = dr_of(rb, home);
    if (d && d->phase == running) {
        json_decref(args);
        return RB_GO;
    }
    return rb_send(rb, conn_to(rb, rb->backup, true), op, args) ? RB_GO : RB_FAIL;
}

static rb_answer act_failover(client_runbook *rb)
{
    return begin_phase(
        rb, rb->p.home, DR_PHASE_FAILING_OVER, "pool.failover",
        json_pack("{s:s, s:b}", "pool", rb->p.home, "disaster_mode", rb->p.disaster_mode));
}

/* The rows every runbook ends with, and its confirmation. */
#define STEP_CONFIRM                                                                               \
    {                                                                                              \
        "confirm", "typed confirmation", NULL, act_confirm, verify_confirm                         \
    }
#define STEP_VERIFY                                                                                \
    {                                                                                              \
        "verify", "test call: park and pickup work, no trace left", pre_test_call, act_test_call,  \
            verify_test_call                                                                       \
    }
#define STEP_DONE                                                                                  \
    {                                                                                              \
        "done", "done", NULL, act_done, NULL                                                       \
    }

static const rb_step FAILOVER[] = {
    {"preflight", "preflight: readiness, disaster_mode when the pool is down", NULL,
     act_preflight_failover, NULL},
    STEP_CONFIRM,
    {"failover", "fail over, the phase watched against the RTO", NULL, act_failover,
     verify_failover},
    {"redirect", "redirect the GroupPickup ranges to the backup", pre_redirect, act_redirect,
     verify_redirect},
    STEP_VERIFY,
    STEP_DONE,
};

/* ---- failback ---- */

static void on_users(void *ctx, long status, const char *body, size_t len, const orbit_status *err)
{
    client_runbook *rb = ctx;
    if (rb->freeing)
        return;
    rb->rest_req = NULL;
    rb->ncalls_pending--;
    json_t *doc = !err && status == 200 && body ? json_loadb(body, len, 0, NULL) : NULL;
    json_t *users = json_object_get(doc, "users");
    if (!json_is_array(users)) {
        rb->call_failed = true;
        snprintf(rb->call_error, sizeof rb->call_error, "cannot read %.80s's users: %.120s",
                 rb->p.home, err ? err->message : "unexpected answer");
        json_decref(doc);
        return;
    }
    /* Calls ringing for the home pool's users sit in the backup's queues:
     * pickup cannot answer them during the failback, nor after it. */
    client_conn *bc = client_hub_find(rb->env.hub, rb->backup);
    const client_mirror *bm = bc ? client_conn_mirror(bc) : NULL;
    size_t queued = 0, pos = 0;
    const client_queue *q;
    while (bm && (q = client_mirror_queue_next(bm, &pos))) {
        for (size_t i = 0; i < q->ncalls; i++) {
            size_t k;
            json_t *u;
            json_array_foreach(users, k, u)
            {
                const char *uri = json_string_value(json_object_get(u, "uri"));
                if (uri && strcmp(uri, q->calls[i].callee) == 0) {
                    queued++;
                    break;
                }
            }
        }
    }
    json_decref(rb->result);
    rb->result = json_pack("{s:I}", "queued", (json_int_t)queued);
    json_decref(doc);
}

static rb_answer act_preflight_failback(client_runbook *rb)
{
    const pool_info *home = pool_of(rb, rb->p.home);
    const dr_state *d = dr_of(rb, rb->p.home);
    if (!home || !d) {
        say(rb, "%s is not in the deployment any more", rb->p.home);
        return RB_FAIL;
    }
    if (home->status != POOL_STATUS_UP) {
        say(rb, "%s is %s: a failback needs it up; start orbitd for it, then resume", rb->p.home,
            pool_status_name(home->status));
        return RB_FAIL;
    }
    if (d->phase == DR_PHASE_FAILING_OVER) {
        say(rb, "%s's users are failing over: wait for it to complete", rb->p.home);
        return RB_FAIL;
    }
    if (d->phase == DR_PHASE_NORMAL && !d->pickup_ranges_redirected) {
        /* a failback done already, its redirect not: the steps go on */
    } else if (d->phase == DR_PHASE_NORMAL) {
        say(rb, "%s's users are served by it already: nothing to fail back", rb->p.home);
        return RB_FAIL;
    }
    bool blocking[CLIENT_READY_CHECK_COUNT] = {
        [CLIENT_READY_CALLPARK_UP] = true, [CLIENT_READY_CALLPARK_RANGES] = true};
    rb->nnotes = 0;
    if (!readiness_notes(rb, rb->p.home, blocking))
        return RB_FAIL;
    client_conn *c = conn_to(rb, rb->backup, false);
    char http[CLIENT_URL_MAX], url[CLIENT_URL_MAX + ORBIT_FQDN_MAX + 32];
    orbit_status st;
    if (!c || !client_conn_http_base(c, http, sizeof http)) {
        say(rb, "no pool is connected to ask for %s's users", rb->p.home);
        return RB_FAIL;
    }
    snprintf(url, sizeof url, "%s/v1/users?pool=%s", http, rb->p.home);
    rb->rest_req = client_rest_get(rb->env.rest, url, rb->env.token, on_users, rb, &st);
    if (!rb->rest_req) {
        say(rb, "cannot ask for %s's users: %s", rb->p.home, st.message);
        return RB_FAIL;
    }
    rb->ncalls_pending++;
    return RB_GO;
}

static rb_answer verify_preflight_failback(client_runbook *rb)
{
    if (!rb->acted || !calls_settled(rb))
        return RB_WAIT;
    long long queued = json_integer_value(json_object_get(rb->result, "queued"));
    if (queued)
        note(rb,
             "%lld call(s) ring in pickup queues for %s's users: pickup cannot answer them "
             "during the failback, nor after it (only their callees can)",
             queued, rb->p.home);
    say(rb,
        "%s fails back from %s; %lld call(s) in pickup queues will not be answerable by "
        "pickup; %zu note(s)",
        rb->p.home, rb->backup, queued, rb->nnotes);
    return RB_DONE;
}

static rb_answer verify_failback(client_runbook *rb)
{
    const dr_state *d = dr_of(rb, rb->p.home);
    if (!rb->acted && d && d->phase == DR_PHASE_FAILED_OVER)
        return RB_WAIT;
    return watch_phase(rb, rb->p.home, DR_PHASE_FAILING_BACK, DR_PHASE_NORMAL);
}

static rb_answer act_failback(client_runbook *rb)
{
    const char *home = rb->p.kind == DR_RUNBOOK_REPLACE ? rb->p.new_fqdn : rb->p.home;
    return begin_phase(rb, home, DR_PHASE_FAILING_BACK, "pool.failback",
                       json_pack("{s:s}", "pool", home));
}

static const rb_step FAILBACK[] = {
    {"preflight", "preflight: the home pool up, calls in pickup queues", NULL,
     act_preflight_failback, verify_preflight_failback},
    STEP_CONFIRM,
    {"failback", "fail back, the phase watched against the RTO", NULL, act_failback,
     verify_failback},
    {"redirect", "redirect the GroupPickup ranges back home", pre_redirect, act_redirect,
     verify_redirect},
    STEP_VERIFY,
    STEP_DONE,
};

/* ---- pool replacement ---- */

static bool old_retired(const client_runbook *rb)
{
    return !pool_of(rb, rb->p.home);
}

static rb_answer act_preflight_replace(client_runbook *rb)
{
    const pool_info *old = pool_of(rb, rb->p.home);
    const pool_info *fresh = pool_of(rb, rb->p.new_fqdn);
    rb->nnotes = 0;
    if (old && old->status != POOL_STATUS_DOWN) {
        say(rb, "%s is %s: only a pool lost for good is replaced (stop it first)", rb->p.home,
            pool_status_name(old->status));
        return RB_FAIL;
    }
    const dr_state *d = old ? dr_of(rb, rb->p.home) : NULL;
    if (d && dr_phase_resiliency(d->phase)) {
        say(rb, "%s's users are %s: wait for the phase to complete", rb->p.home,
            dr_phase_name(d->phase));
        return RB_FAIL;
    }
    if (fresh && strcmp(fresh->backup, rb->backup) != 0) {
        say(rb, "%s is in the deployment already, paired with %s: choose another FQDN",
            rb->p.new_fqdn, fresh->backup[0] ? fresh->backup : "nothing");
        return RB_FAIL;
    }
    const pool_info *b = pool_of(rb, rb->backup);
    if (!b || b->status != POOL_STATUS_UP) {
        say(rb, "the backup %s is not up: the deployment cannot be changed through it", rb->backup);
        return RB_FAIL;
    }
    orbit_status st;
    char path[1400];
    const char *kinds[2] = {"settings", "moh"};
    for (int k = 0; k < 2; k++) {
        json_t *e = rb->env.vault ? client_vault_find(rb->env.vault, rb->p.home, kinds[k], NULL,
                                                      path, sizeof path, &st)
                                  : NULL;
        if (!e)
            note(rb, "no %s backup of %s in this vault: %s keeps the defaults", kinds[k],
                 rb->p.home, rb->p.new_fqdn);
        json_decref(e);
    }
    note(rb,
         "%s (site %s, %s) replaces %s, paired with %s; its users and every range of %s move "
         "to it",
         rb->p.new_fqdn, rb->p.new_site, rb->p.new_url, rb->p.home, rb->backup, rb->p.home);
    say(rb, "%s replaces %s; %zu note(s)", rb->p.new_fqdn, rb->p.home, rb->nnotes);
    return RB_DONE;
}

static rb_answer verify_add(client_runbook *rb)
{
    const pool_info *fresh = pool_of(rb, rb->p.new_fqdn);
    if (fresh && strcmp(fresh->backup, rb->backup) == 0) {
        say(rb, "%s is in the deployment, site %s, paired with %s", fresh->fqdn, fresh->site,
            fresh->backup);
        return RB_DONE;
    }
    return RB_WAIT;
}

static rb_answer act_add(client_runbook *rb)
{
    return rb_send(rb, conn_to(rb, rb->backup, false), "pool.add",
                   json_pack("{s:s, s:s, s:s, s:s}", "fqdn", rb->p.new_fqdn, "site", rb->p.new_site,
                             "url", rb->p.new_url, "replaces", rb->p.home))
               ? RB_GO
               : RB_FAIL;
}

static rb_answer pre_while_old_listed(client_runbook *rb)
{
    if (old_retired(rb)) {
        say(rb, "%s is retired already", rb->p.home);
        return RB_SKIP;
    }
    return RB_GO;
}

static rb_answer act_rehome(client_runbook *rb)
{
    return rb_send(rb, conn_to(rb, rb->backup, false), "users.rehome",
                   json_pack("{s:s, s:s}", "from_pool", rb->p.home, "to_pool", rb->p.new_fqdn))
               ? RB_GO
               : RB_FAIL;
}

static rb_answer verify_rehome(client_runbook *rb)
{
    if (!rb->acted || !calls_settled(rb))
        return RB_WAIT; /* the op says how many: it is safe to run again */
    say(rb, "%lld user(s) of %s now homed on %s",
        (long long)json_integer_value(json_object_get(rb->result, "count")), rb->p.home,
        rb->p.new_fqdn);
    return RB_DONE;
}

static rb_answer act_new_pool_up(client_runbook *rb)
{
    orbit_status st;
    if (!client_target_find(rb->env.target, rb->p.new_fqdn) &&
        client_target_add_pool(rb->env.target, rb->p.new_fqdn, rb->p.new_url, &st) != ORBIT_OK) {
        say(rb, "%s", st.message);
        return RB_FAIL;
    }
    if (!client_hub_add(rb->env.hub, rb->p.new_url, &st)) {
        say(rb, "cannot connect to %s: %s", rb->p.new_url, st.message);
        return RB_FAIL;
    }
    return RB_GO;
}

static rb_answer verify_new_pool_up(client_runbook *rb)
{
    const pool_info *fresh = pool_of(rb, rb->p.new_fqdn);
    client_conn *c = client_hub_find(rb->env.hub, rb->p.new_fqdn);
    if (fresh && fresh->status == POOL_STATUS_UP && live(c)) {
        say(rb, "%s is up and connected", rb->p.new_fqdn);
        return RB_DONE;
    }
    int wait_s = rb->p.new_pool_wait_s > 0 ? rb->p.new_pool_wait_s : RB_NEW_POOL_WAIT_S;
    int64_t waited = orbit_time_mono_ms() - rb->step_started_mono;
    if (rb->acted && waited > (int64_t)wait_s * 1000) {
        say(rb,
            "%s did not come up within %d s: start orbitd for it (fqdn = %s, the "
            "deployment's store), then resume",
            rb->p.new_fqdn, wait_s, rb->p.new_fqdn);
        return RB_FAIL;
    }
    say(rb, "waiting for %s: start orbitd for it (fqdn = %s, url %s)", rb->p.new_fqdn,
        rb->p.new_fqdn, rb->p.new_url);
    return RB_WAIT;
}

static size_t ranges_of(const client_runbook *rb, const char *fqdn)
{
    const client_mirror *m = view(rb);
    return m ? orbit_table_select(client_mirror_orbits(m), fqdn, NULL, NULL, 0) : 0;
}

static rb_answer verify_ranges(client_runbook *rb)
{
    size_t left = ranges_of(rb, rb->p.home);
    if (left == 0) {
        say(rb, "%s owns no range any more; %s owns %zu", rb->p.home, rb->p.new_fqdn,
            ranges_of(rb, rb->p.new_fqdn));
        return RB_DONE;
    }
    return RB_WAIT;
}

static rb_answer act_ranges(client_runbook *rb)
{
    return rb_send(rb, conn_to(rb, rb->backup, false), "orbit.reassign",
                   json_pack("{s:s, s:s}", "from_pool", rb->p.home, "to_pool", rb->p.new_fqdn))
               ? RB_GO
               : RB_FAIL;
}

static void on_restored_moh(void *ctx, const client_moh_result *r)
{
    client_runbook *rb = ctx;
    if (rb->freeing)
        return;
    rb->upload = NULL;
    rb->upload_done = true;
    rb->upload_ok = r->ok;
    rb->ncalls_pending--;
    if (!r->ok)
        snprintf(rb->upload_error, sizeof rb->upload_error, "%.200s", r->err.message);
}

static rb_answer act_restore(client_runbook *rb)
{
    client_conn *c = conn_to(rb, rb->p.new_fqdn, true);
    if (!c) {
        say(rb, "%s is not connected: check it runs, then resume", rb->p.new_fqdn);
        return RB_FAIL;
    }
    rb->upload_done = rb->upload_ok = false;
    rb->upload_error[0] = '\0';
    orbit_status st;
    char path[1400];
    json_t *settings = rb->env.vault ? client_vault_find(rb->env.vault, rb->p.home, "settings",
                                                         NULL, path, sizeof path, &st)
                                     : NULL;
    json_t *moh = rb->env.vault ? client_vault_find(rb->env.vault, rb->p.home, "moh", NULL, path,
                                                    sizeof path, &st)
                                : NULL;
    bool ok = true;
    if (settings)
        ok = rb_send(rb, c, "config.set", json_deep_copy(json_object_get(settings, "settings")));
    if (ok && moh) {
        char http[CLIENT_URL_MAX];
        client_conn_http_base(c, http, sizeof http);
        rb->upload = client_moh_upload_start(rb->env.rest, rb->env.vault, rb->p.new_fqdn, http,
                                             rb->env.token, path,
                                             json_string_value(json_object_get(moh, "name")),
                                             rb->env.who, NULL, on_restored_moh, rb, &st);
        if (rb->upload)
            rb->ncalls_pending++;
        else {
            say(rb, "the music on hold was not uploaded: %.180s", st.message);
            ok = false;
        }
    }
    rb->restoring_settings = settings != NULL;
    rb->restoring_moh = moh != NULL;
    json_decref(settings);
    json_decref(moh);
    return ok ? RB_GO : RB_FAIL;
}

static rb_answer verify_restore(client_runbook *rb)
{
    if (!rb->acted || !calls_settled(rb))
        return RB_WAIT;
    if (rb->upload_done && !rb->upload_ok) {
        say(rb, "the music on hold upload to %s failed: %s; resume to try again", rb->p.new_fqdn,
            rb->upload_error);
        return RB_FAIL;
    }
    bool settings = rb->restoring_settings, moh = rb->restoring_moh;
    say(rb, "%s: settings %s, music on hold %s (from the backup vault of %s)", rb->p.new_fqdn,
        settings ? "restored" : "left at the defaults (no backup)",
        moh ? "restored and verified" : "left at the default (no backup)", rb->p.home);
    return RB_DONE;
}

static rb_answer verify_retire(client_runbook *rb)
{
    if (old_retired(rb)) {
        say(rb, "%s is retired: it is no longer in the deployment", rb->p.home);
        return RB_DONE;
    }
    return RB_WAIT;
}

static rb_answer act_retire(client_runbook *rb)
{
    return rb_send(rb, conn_to(rb, rb->backup, false), "pool.retire",
                   json_pack("{s:s}", "pool", rb->p.home))
               ? RB_GO
               : RB_FAIL;
}

static rb_answer pre_failback_new(client_runbook *rb)
{
    const dr_state *d = dr_of(rb, rb->p.new_fqdn);
    if (!d)
        return RB_WAIT;
    if (d->phase == DR_PHASE_NORMAL && !rb->acted) {
        say(rb, "%s's users are served by it: no failback needed", rb->p.new_fqdn);
        return RB_SKIP;
    }
    if (d->phase == DR_PHASE_FAILING_OVER) {
        say(rb, "waiting for the failover of %s's users to complete", rb->p.new_fqdn);
        return RB_WAIT;
    }
    return RB_GO;
}

static rb_answer verify_failback_new(client_runbook *rb)
{
    const dr_state *d = dr_of(rb, rb->p.new_fqdn);
    if (!rb->acted && d && d->phase == DR_PHASE_FAILED_OVER)
        return RB_WAIT;
    return watch_phase(rb, rb->p.new_fqdn, DR_PHASE_FAILING_BACK, DR_PHASE_NORMAL);
}

static const rb_step REPLACE[] = {
    {"preflight", "preflight: the old pool lost, the backup up, the vault", NULL,
     act_preflight_replace, NULL},
    STEP_CONFIRM,
    {"add_pool", "add the new pool: site, pairing, DR state", NULL, act_add, verify_add},
    {"rehome_users", "rehome the old pool's users on the new one", pre_while_old_listed, act_rehome,
     verify_rehome},
    {"new_pool_up", "wait for the new pool to come up", NULL, act_new_pool_up, verify_new_pool_up},
    {"reassign_ranges", "reassign every range of the old FQDN, both types", pre_while_old_listed,
     act_ranges, verify_ranges},
    {"restore_backup", "restore settings and music on hold from the vault", NULL, act_restore,
     verify_restore},
    {"retire_old", "retire the old FQDN", NULL, act_retire, verify_retire},
    {"failback", "fail the users back to the new pool", pre_failback_new, act_failback,
     verify_failback_new},
    {"redirect", "redirect the GroupPickup ranges to the new pool", pre_redirect, act_redirect,
     verify_redirect},
    STEP_VERIFY,
    STEP_DONE,
};

/* ---- the tables ---- */

static const rb_step *table_of(dr_runbook_kind kind, size_t *n)
{
    switch (kind) {
    case DR_RUNBOOK_FAILOVER:
        *n = sizeof FAILOVER / sizeof FAILOVER[0];
        return FAILOVER;
    case DR_RUNBOOK_FAILBACK:
        *n = sizeof FAILBACK / sizeof FAILBACK[0];
        return FAILBACK;
    case DR_RUNBOOK_REPLACE:
        *n = sizeof REPLACE / sizeof REPLACE[0];
        return REPLACE;
    default:
        *n = 0;
        return NULL;
    }
}

const char *client_runbook_step_title(dr_runbook_kind kind, size_t i)
{
    size_t n;
    const rb_step *t = table_of(kind, &n);
    return t && i < n ? t[i].title : "?";
}

/* ---- the engine ---- */

static void next_step(client_runbook *rb)
{
    rb->cur++;
    rb->acted = rb->reported = false;
    rb->pre_since_mono = 0;
    rb->call_failed = false;
    rb->rto_warned = false;
    json_decref(rb->result);
    rb->result = NULL;
    if (rb->cur >= rb->nsteps) {
        rb->cur = rb->nsteps - 1;
        rb_end(rb, CLIENT_RB_DONE, "%s", rb->rec.steps[rb->nsteps - 1].detail);
    }
}

static void fail_step(client_runbook *rb)
{
    if (rb->declined) {
        rb_end(rb, CLIENT_RB_CANCELLED, "cancelled at the confirmation: nothing was changed");
        client_runbook_abandon(rb, "declined at the confirmation");
        return;
    }
    transition(rb, DR_STEP_FAILED);
    rb_end(rb, CLIENT_RB_FAILED, "step %s failed: %s", step(rb)->name, step(rb)->detail);
}

/* One step as far as it can go now; true when the engine may go on to the
 * next step at once. A step is reported running, and acts only once the
 * deployment has that report: the record is always ahead of the actions,
 * so a run that dies after acting is resumed knowing what it did. */
static bool advance(client_runbook *rb)
{
    const rb_step *row = &rb->table[rb->cur];
    dr_runbook_step *s = step(rb);
    if (s->state == DR_STEP_DONE || s->state == DR_STEP_SKIPPED) {
        next_step(rb); /* done in an earlier run */
        return rb->phase == RB_PHASE_STEPS;
    }
    if (!rb->reported) {
        rb_answer a = row->pre ? row->pre(rb) : RB_GO;
        if (a == RB_WAIT)
            return false;
        if (a == RB_FAIL) {
            fail_step(rb);
            return false;
        }
        if (a == RB_SKIP) {
            transition(rb, DR_STEP_SKIPPED);
            next_step(rb);
            return rb->phase == RB_PHASE_STEPS;
        }
        /* Its effect may be there already (a resumed run): then nothing
         * is done twice. */
        if (row->verify && strcmp(row->name, "confirm") != 0 && row->verify(rb) == RB_DONE) {
            transition(rb, DR_STEP_DONE);
            next_step(rb);
            return rb->phase == RB_PHASE_STEPS;
        }
        s->detail[0] = '\0';
        rb->reported = true;
        transition(rb, DR_STEP_RUNNING);
        return false;
    }
    if (!rb->acted) {
        if (rb->nreports > 0 && !rb->report_lost)
            return false; /* the record first */
        rb->step_started_mono = orbit_time_mono_ms();
        rb->call_failed = false;
        rb->acted = true;
        rb_answer a = row->act(rb);
        if (a == RB_FAIL) {
            fail_step(rb);
            return false;
        }
        if (a == RB_DONE) {
            transition(rb, DR_STEP_DONE);
            next_step(rb);
            return rb->phase == RB_PHASE_STEPS;
        }
        if (rb->hooks.on_step && s->detail[0])
            rb->hooks.on_step(rb->ctx, rb, rb->cur); /* what it waits for */
        return false;
    }
    if (rb->call_failed && calls_settled(rb)) {
        say(rb, "%s", rb->call_error);
        fail_step(rb);
        return false;
    }
    rb_answer v = row->verify ? row->verify(rb) : (calls_settled(rb) ? RB_DONE : RB_WAIT);
    if (v == RB_FAIL) {
        fail_step(rb);
        return false;
    }
    if (v != RB_DONE)
        return false;
    if (!row->verify)
        say(rb, "done");
    transition(rb, DR_STEP_DONE);
    next_step(rb);
    return rb->phase == RB_PHASE_STEPS;
}

void client_runbook_tick(client_runbook *rb, int64_t now)
{
    if (!rb)
        return;
    rb->now = now;
    flush_reports(rb);
    bool waiting = rb->phase == RB_PHASE_CLAIM || (rb->nreports > 0 && !rb->report_lost);
    int64_t mono = orbit_time_mono_ms();
    if (!waiting) {
        rb->waiting_since_mono = 0;
    } else if (!rb->waiting_since_mono) {
        rb->waiting_since_mono = mono;
    } else if (mono - rb->waiting_since_mono > RB_RECORD_WAIT_MS) {
        /* Nothing answers: stop, saying how to go on (run it again). */
        rb->nreports = 0;
        rb->report_lost = true;
        rb_end(rb, rb->phase == RB_PHASE_CLAIM ? CLIENT_RB_REFUSED : CLIENT_RB_FAILED,
               "no pool recorded the runbook within %d s (is the backup reachable, the store "
               "up?): run it again once they are",
               RB_RECORD_WAIT_MS / 1000);
        return;
    }
    if (rb->phase == RB_PHASE_CLAIM) {
        if (!rb->claim)
            send_claim(rb);
        return;
    }
    for (int guard = 0; rb->phase == RB_PHASE_STEPS && guard < 32; guard++) {
        if (!advance(rb))
            break;
    }
}

client_runbook *client_runbook_start(const client_runbook_env *env, const client_runbook_params *p,
                                     const client_runbook_hooks *hooks, void *ctx, orbit_status *st)
{
    size_t n;
    const rb_step *table = table_of(p->kind, &n);
    if (!table) {
        orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "kind", "unknown runbook");
        return NULL;
    }
    const char *why = orbit_fqdn_check(p->home);
    if (why) {
        orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "home", "%s: %s", p->home, why);
        return NULL;
    }
    const client_mirror *m = client_view_mirror(env->hub);
    const pool_info *home = m ? client_mirror_pool(m, p->home) : NULL;
    const dr_runbook *rec = m ? client_mirror_runbook(m, p->home) : NULL;
    if (!home && !(rec && dr_runbook_active(rec))) {
        orbit_status_set(st, ORBIT_ERR_NOT_FOUND, "home", "no pool %s in the deployment%s", p->home,
                         m ? "" : " (no pool has answered yet)");
        return NULL;
    }
    /* A replacement unpairs the lost pool: its runbook keeps the partner. */
    const char *backup = home && home->backup[0] ? home->backup : rec ? rec->backup : "";
    if (!backup[0]) {
        orbit_status_set(st, ORBIT_ERR_CONFLICT, "home", "%s has no backup pool", p->home);
        return NULL;
    }
    if (p->kind == DR_RUNBOOK_REPLACE) {
        if ((why = orbit_fqdn_check(p->new_fqdn)) || (why = orbit_site_check(p->new_site))) {
            orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "new", "the new pool: %s", why);
            return NULL;
        }
        if (strncmp(p->new_url, "ws://", 5) != 0 && strncmp(p->new_url, "wss://", 6) != 0) {
            orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "url",
                             "the new pool's URL begins with ws:// or wss://");
            return NULL;
        }
    }
    client_runbook *rb = calloc(1, sizeof *rb);
    if (!rb) {
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
        return NULL;
    }
    rb->env = *env;
    rb->p = *p;
    orbit_fqdn_lower(rb->p.home);
    orbit_fqdn_lower(rb->p.new_fqdn);
    if (hooks)
        rb->hooks = *hooks;
    rb->ctx = ctx;
    rb->table = table;
    rb->nsteps = n;
    snprintf(rb->backup, sizeof rb->backup, "%s", backup);
    dr_runbook *r = &rb->rec;
    snprintf(r->home, sizeof r->home, "%s", rb->p.home);
    snprintf(r->backup, sizeof r->backup, "%s", backup);
    snprintf(r->replacement, sizeof r->replacement, "%s",
             p->kind == DR_RUNBOOK_REPLACE ? rb->p.new_fqdn : "");
    r->kind = p->kind;
    r->rto_s = p->rto_s > 0 ? p->rto_s : DR_RUNBOOK_RTO_DEFAULT_S;
    r->started_ms = orbit_time_now_ms();
    unsigned char bytes[8];
    if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes)
        memset(bytes, 0x5a, sizeof bytes); /* names this run only */
    for (size_t i = 0; i < sizeof bytes; i++)
        snprintf(r->run_id + 2 * i, 3, "%02x", bytes[i]);
    r->nsteps = n;
    for (size_t i = 0; i < n; i++)
        snprintf(r->steps[i].name, sizeof r->steps[i].name, "%s", table[i].name);
    rb->now = orbit_time_now_ms();
    return rb;
}

void client_runbook_confirm(client_runbook *rb, bool yes, bool disaster_mode)
{
    if (!rb || !rb->awaiting_confirm)
        return;
    rb->awaiting_confirm = false;
    rb->confirmed = yes;
    rb->declined = !yes;
    if (yes && rb->p.kind == DR_RUNBOOK_FAILOVER)
        rb->p.disaster_mode = disaster_mode;
}

void client_runbook_abandon(client_runbook *rb, const char *reason)
{
    if (!rb)
        return;
    rb_report r = {.abandon = true};
    snprintf(r.detail, sizeof r.detail, "%s", reason ? reason : "");
    clean_text(r.detail);
    queue_report(rb, &r);
    rb->rec.state = DR_RUNBOOK_ABANDONED;
    rb_end(rb, CLIENT_RB_ABANDONED, "abandoned%s%s", reason && *reason ? ": " : "",
           reason ? reason : "");
}

void client_runbook_free(client_runbook *rb)
{
    if (!rb)
        return;
    rb->freeing = true;
    if (rb->rest_req)
        client_rest_cancel(rb->env.rest, rb->rest_req);
    if (rb->upload)
        client_moh_upload_cancel(rb->upload);
    for (int i = 0; i < RB_CALLS_MAX; i++) {
        if (rb->calls[i])
            rb->calls[i]->rb = NULL; /* its answer frees it */
    }
    if (rb->claim)
        rb->claim->rb = NULL;
    if (rb->report)
        rb->report->rb = NULL;
    json_decref(rb->result);
    free(rb);
}

/* ---- reading ---- */

client_runbook_outcome client_runbook_get_outcome(const client_runbook *rb)
{
    return rb->outcome;
}

const char *client_runbook_outcome_name(client_runbook_outcome o)
{
    static const char *const NAMES[] = {"running", "done",      "failed",
                                        "refused", "cancelled", "abandoned"};
    return (unsigned)o < sizeof NAMES / sizeof NAMES[0] ? NAMES[o] : "?";
}

const char *client_runbook_message(const client_runbook *rb)
{
    return rb->message;
}

bool client_runbook_busy(const client_runbook *rb)
{
    return rb &&
           (rb->phase != RB_PHASE_ENDED || (rb->nreports > 0 && !rb->report_lost) || rb->report);
}

bool client_runbook_awaiting_confirmation(const client_runbook *rb)
{
    return rb && rb->awaiting_confirm;
}

const dr_runbook *client_runbook_record(const client_runbook *rb)
{
    return &rb->rec;
}

const client_runbook_params *client_runbook_params_of(const client_runbook *rb)
{
    return &rb->p;
}

const char *client_runbook_note(const client_runbook *rb, size_t i)
{
    return i < rb->nnotes ? rb->notes[i] : NULL;
}

bool client_runbook_disaster_mode(const client_runbook *rb)
{
    return rb->p.disaster_mode;
}

static int64_t step_elapsed(const dr_runbook_step *s, int64_t now)
{
    if (!s->started_ms)
        return 0;
    return (s->ended_ms ? s->ended_ms : now) - s->started_ms;
}

void client_runbook_step_line(const client_runbook *rb, size_t i, int64_t now, char *out,
                              size_t len)
{
    const dr_runbook_step *s = &rb->rec.steps[i < rb->rec.nsteps ? i : 0];
    char took[32] = "";
    if (s->started_ms)
        elapsed_text(step_elapsed(s, now), took, sizeof took);
    snprintf(out, len, "%-9s %-15s %7s  %s", dr_step_state_name(s->state), s->name, took,
             s->detail[0] ? s->detail : client_runbook_step_title(rb->p.kind, i));
}

json_t *client_runbook_step_json(const client_runbook *rb, size_t i, int64_t now)
{
    const dr_runbook_step *s = &rb->rec.steps[i < rb->rec.nsteps ? i : 0];
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "runbook",
                     dr_runbook_kind_name(rb->p.kind), "home", rb->p.home, "step", s->name, "title",
                     client_runbook_step_title(rb->p.kind, i), "state",
                     dr_step_state_name(s->state), "elapsed_ms", (json_int_t)step_elapsed(s, now),
                     "detail", s->detail);
}
