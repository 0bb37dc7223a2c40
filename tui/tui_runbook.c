/* tui_runbook: the guided runbooks in the console: starting one on the
 * selected pool (after the one gate of tui_actions.c), the form of a pool
 * replacement, the typed confirmation with what the preflight found, the
 * engine ticked from the frame timer (it never blocks the UI: its steps
 * are commands on the hub), and each step's news in the status line. The
 * DR view shows the timeline. */
#include "tui_runbook.h"

#include "tui_actions.h"
#include "tui_keys.h"
#include "tui_model.h"
#include "tui_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const dr_runbook_kind KIND_OF[ACTION_COUNT] = {
    [ACTION_RB_FAILOVER] = DR_RUNBOOK_FAILOVER,
    [ACTION_RB_FAILBACK] = DR_RUNBOOK_FAILBACK,
    [ACTION_RB_REPLACE] = DR_RUNBOOK_REPLACE,
};

static const char *guided_name(dr_runbook_kind k)
{
    return k == DR_RUNBOOK_FAILOVER   ? "guided failover"
           : k == DR_RUNBOOK_FAILBACK ? "guided failback"
                                      : "pool replacement";
}

/* ---- the engine's hooks ---- */

static void on_step(void *ctx, client_runbook *rb, size_t i)
{
    tui_app *a = ctx;
    const dr_runbook *r = client_runbook_record(rb);
    const dr_runbook_step *s = &r->steps[i];
    tui_status(a, s->state == DR_STEP_FAILED, "%s of %s: %s %s%s%s", guided_name(r->kind), r->home,
               s->name, dr_step_state_name(s->state), s->detail[0] ? ": " : "", s->detail);
    a->scr.data_dirty = a->scr.screen_dirty = true;
}

static void on_confirm(void *ctx, client_runbook *rb)
{
    tui_app *a = ctx;
    const dr_runbook *r = client_runbook_record(rb);
    const client_runbook_params *p = client_runbook_params_of(rb);
    char title[320];
    snprintf(title, sizeof title, "%s of %s",
             r->kind == DR_RUNBOOK_FAILOVER   ? "Guided failover"
             : r->kind == DR_RUNBOOK_FAILBACK ? "Guided failback"
                                              : "Replace",
             r->home);
    ui_dialog *dlg = &a->act.dialog;
    ui_dialog_init(dlg, title,
                   r->kind == DR_RUNBOOK_FAILOVER   ? "Fail over"
                   : r->kind == DR_RUNBOOK_FAILBACK ? "Fail back"
                                                    : "Replace");
    if (r->kind == DR_RUNBOOK_REPLACE)
        ui_dialog_line(dlg,
                       "%s replaces %s for good: pairing with %s, users, every range, "
                       "settings and music from the vault; then %s is retired.",
                       p->new_fqdn, r->home, r->backup, r->home);
    else
        ui_dialog_line(dlg,
                       "Steps: %s, redirect the GroupPickup ranges once the phase "
                       "completes (RTO %d min), then a test call.",
                       r->kind == DR_RUNBOOK_FAILOVER ? "fail over to the backup" : "fail back",
                       r->rto_s / 60);
    const char *note;
    size_t shown = 0;
    for (size_t k = 0; (note = client_runbook_note(rb, k)); k++) {
        if (shown < UI_DIALOG_LINES - 4) {
            ui_dialog_line(dlg, "- %s", note);
            shown++;
        }
    }
    if (!shown)
        ui_dialog_line(dlg, "The preflight found nothing to warn about.");
    if (r->kind == DR_RUNBOOK_FAILOVER)
        ui_dialog_check(dlg, "disaster_mode", client_runbook_disaster_mode(rb));
    ui_dialog_text(dlg, "type the pool's name", "", r->home);
    a->act.action = ACTION_RB_CONFIRM;
    a->act.busy = false;
    snprintf(a->act.pool, sizeof a->act.pool, "%s", r->home);
    snprintf(a->act.target, sizeof a->act.target, "%s", r->backup);
    a->scr.modal = MODAL_DIALOG;
    a->scr.screen_dirty = a->scr.urgent = true;
}

static void on_end(void *ctx, client_runbook *rb)
{
    tui_app *a = ctx;
    const dr_runbook *r = client_runbook_record(rb);
    client_runbook_outcome o = client_runbook_get_outcome(rb);
    if (a->scr.modal == MODAL_DIALOG && a->act.action == ACTION_RB_CONFIRM)
        a->scr.modal = MODAL_NONE;
    char key[16] = "";
    if (o == CLIENT_RB_FAILED) {
        int cmd = r->kind == DR_RUNBOOK_FAILOVER   ? TUI_CMD_RB_FAILOVER
                  : r->kind == DR_RUNBOOK_FAILBACK ? TUI_CMD_RB_FAILBACK
                                                   : TUI_CMD_RB_REPLACE;
        tui_keys_name_of(a, -1, cmd, key, sizeof key);
    }
    tui_status(a, o != CLIENT_RB_DONE, "%s of %s %s: %s%s%s%s", guided_name(r->kind), r->home,
               client_runbook_outcome_name(o), client_runbook_message(rb),
               key[0] ? " (fix it, then " : "", key, key[0] ? " resumes)" : "");
    a->scr.data_dirty = a->scr.screen_dirty = true;
}

/* ---- starting ---- */

static void start(tui_app *a, const client_runbook_params *p)
{
    client_runbook_env env = {.hub = a->net.hub,
                              .rest = a->net.rest,
                              .vault = tui_model_vault(a),
                              .target = a->opt.target,
                              .token = a->opt.target->token};
    const char *user = getenv("USER");
    snprintf(a->act.runbook_who, sizeof a->act.runbook_who, "%s (orbitop)",
             user ? user : "operator");
    env.who = a->act.runbook_who;
    client_runbook_hooks hooks = {.on_step = on_step, .confirm = on_confirm, .on_end = on_end};
    orbit_status st;
    client_runbook_free(a->act.runbook);
    a->act.runbook = client_runbook_start(&env, p, &hooks, a, &st);
    if (!a->act.runbook) {
        tui_status(a, true, "%s of %s not started: %s", guided_name(p->kind), p->home, st.message);
        return;
    }
    tui_status(a, false, "%s of %s: claiming the pair...", guided_name(p->kind), p->home);
    int dr = tui_view_find("dr");
    if (dr >= 0)
        tui_view_show(a, dr); /* the timeline */
}

/* The form of a replacement: the new pool's FQDN, site and URL. */
static void open_replace_form(tui_app *a, const pool_info *old, const char *fqdn, const char *site,
                              const char *url)
{
    char title[320];
    snprintf(title, sizeof title, "Replace %s by a new pool", old ? old->fqdn : a->act.pool);
    ui_dialog *dlg = &a->act.dialog;
    ui_dialog_init(dlg, title, "Next");
    ui_dialog_line(dlg, "For a pool lost for good: a new pool under a new FQDN takes its "
                        "place, its pairing, its users and every range of the old FQDN.");
    ui_dialog_line(dlg, "Configure the new pool's orbitd first (fqdn, this deployment's store); "
                        "start it once the runbook has added it.");
    ui_dialog_text(dlg, "new pool FQDN", fqdn, NULL);
    ui_dialog_text(dlg, "site", site, NULL);
    ui_dialog_text(dlg, "stream URL", url, NULL);
    ui_dialog_focus(dlg, 0);
    a->act.action = ACTION_RB_REPLACE;
    a->act.busy = false;
    a->scr.modal = MODAL_DIALOG;
}

static void open_abandon(tui_app *a, const dr_runbook *r)
{
    char title[320];
    snprintf(title, sizeof title, "Abandon the %s runbook of %s", dr_runbook_kind_name(r->kind),
             r->home);
    ui_dialog *dlg = &a->act.dialog;
    ui_dialog_init(dlg, title, "Abandon");
    ui_dialog_line(dlg, "Held by %s, %s.", r->holder, dr_runbook_state_name(r->state));
    ui_dialog_line(dlg, "Abandoning frees the pair; what its steps did stays done.");
    ui_dialog_text(dlg, "type the pool's name", "", r->home);
    a->act.action = ACTION_RB_ABANDON;
    a->act.busy = false;
    snprintf(a->act.pool, sizeof a->act.pool, "%s", r->home);
    a->scr.modal = MODAL_DIALOG;
}

void tui_runbook_start(tui_app *a, tui_action act, const char *fqdn)
{
    const client_mirror *m = tui_model_mirror(a);
    if (!m || !fqdn[0]) {
        tui_status(a, true, "select a pool first");
        return;
    }
    const pool_info *p = client_mirror_pool(m, fqdn);
    const dr_runbook *held = client_mirror_runbook_on(m, fqdn);
    if (act == ACTION_RB_ABANDON) {
        if (!held) {
            tui_status(a, true, "no runbook holds %s's pair", fqdn);
            return;
        }
        client_conn *c;
        char why[TUI_WHY_MAX];
        if (!tui_action_allowed(a, act, held->backup, &c, why, sizeof why)) {
            tui_status(a, true, "%s", why);
            return;
        }
        snprintf(a->act.target, sizeof a->act.target, "%s", held->backup);
        open_abandon(a, held);
        return;
    }
    if (a->act.runbook && client_runbook_busy(a->act.runbook)) {
        const dr_runbook *r = client_runbook_record(a->act.runbook);
        tui_status(a, true, "this console runs the %s of %s: one runbook at a time",
                   guided_name(r->kind), r->home);
        return;
    }
    /* The home pool: the selected pool, or the home of the runbook that
     * holds it (selecting the backup of a failed-over pair). */
    const char *home = held && held->kind == KIND_OF[act] ? held->home : fqdn;
    const pool_info *hp = client_mirror_pool(m, home);
    const char *backup = hp && hp->backup[0] ? hp->backup : held ? held->backup : "";
    if (!backup[0]) {
        tui_status(a, true, "%s: %s has no backup pool",
                   ACTION_RB_FAILOVER == act ? "guided failover" : "runbook", home);
        return;
    }
    client_conn *c;
    char why[TUI_WHY_MAX];
    if (!tui_action_allowed(a, act, backup, &c, why, sizeof why)) {
        tui_status(a, true, "%s", why);
        return;
    }
    snprintf(a->act.pool, sizeof a->act.pool, "%s", home);
    snprintf(a->act.target, sizeof a->act.target, "%s", backup);
    client_runbook_params params;
    memset(&params, 0, sizeof params);
    params.kind = KIND_OF[act];
    params.rto_s = a->opt.rto_s;
    snprintf(params.home, sizeof params.home, "%s", home);
    if (act == ACTION_RB_REPLACE) {
        /* Resuming a replacement: the new pool is in its record, and in
         * the registry once added. */
        bool resuming = held && held->kind == DR_RUNBOOK_REPLACE && held->replacement[0];
        const pool_info *fresh = resuming ? client_mirror_pool(m, held->replacement) : NULL;
        if (fresh) {
            snprintf(params.new_fqdn, sizeof params.new_fqdn, "%s", fresh->fqdn);
            snprintf(params.new_site, sizeof params.new_site, "%s", fresh->site);
            snprintf(params.new_url, sizeof params.new_url, "%s", fresh->url);
            start(a, &params);
        } else {
            open_replace_form(a, p, resuming ? held->replacement : "", p ? p->site : "", "");
        }
        return;
    }
    start(a, &params);
}

/* ---- the dialogs ---- */

static bool field_ok(ui_field *f, const char *why)
{
    if (why)
        snprintf(f->error, sizeof f->error, "%s", why);
    return why == NULL;
}

static const char *url_why(const char *url)
{
    return strncmp(url, "ws://", 5) == 0 || strncmp(url, "wss://", 6) == 0
               ? NULL
               : "a stream URL: ws://host:port/v1/stream (wss:// with TLS)";
}

void tui_runbook_accept(tui_app *a)
{
    ui_dialog *d = &a->act.dialog;
    switch (a->act.action) {
    case ACTION_RB_CONFIRM: {
        bool dm = d->fields[0].kind == UI_FIELD_CHECK && d->fields[0].checked;
        a->scr.modal = MODAL_NONE;
        client_runbook_confirm(a->act.runbook, true, dm);
        break;
    }
    case ACTION_RB_REPLACE: {
        bool ok = field_ok(&d->fields[0], orbit_fqdn_check(d->fields[0].text));
        ok = field_ok(&d->fields[1], orbit_site_check(d->fields[1].text)) && ok;
        ok = field_ok(&d->fields[2], url_why(d->fields[2].text)) && ok;
        if (!ok) {
            snprintf(d->error, sizeof d->error, "fix the fields marked above");
            return;
        }
        client_runbook_params p;
        memset(&p, 0, sizeof p);
        p.kind = DR_RUNBOOK_REPLACE;
        p.rto_s = a->opt.rto_s;
        snprintf(p.home, sizeof p.home, "%s", a->act.pool);
        /* Checked above: an FQDN and a site fit (the precision says so). */
        snprintf(p.new_fqdn, sizeof p.new_fqdn, "%.*s", ORBIT_FQDN_MAX, d->fields[0].text);
        snprintf(p.new_site, sizeof p.new_site, "%.*s", ORBIT_SITE_MAX, d->fields[1].text);
        snprintf(p.new_url, sizeof p.new_url, "%s", d->fields[2].text);
        a->scr.modal = MODAL_NONE;
        start(a, &p);
        break;
    }
    case ACTION_RB_ABANDON:
        a->scr.modal = MODAL_NONE;
        if (a->act.runbook && client_runbook_busy(a->act.runbook) &&
            strcmp(client_runbook_record(a->act.runbook)->home, a->act.pool) == 0) {
            client_runbook_abandon(a->act.runbook, "abandoned from orbitop");
        } else {
            client_conn *c = tui_model_conn(a, a->act.target);
            orbit_status st;
            json_t *args =
                json_pack("{s:s, s:s}", "home", a->act.pool, "reason", "abandoned from orbitop");
            if (!c)
                json_decref(args);
            if (!args || !c || !client_conn_cmd(c, "runbook.abandon", args, NULL, NULL, &st))
                tui_status(a, true, "abandon not sent: %s is not connected", a->act.target);
            else
                tui_status(a, false, "abandoning the runbook of %s", a->act.pool);
        }
        break;
    default:
        break;
    }
}

void tui_runbook_cancel(tui_app *a)
{
    if (a->act.action == ACTION_RB_CONFIRM && a->act.runbook)
        client_runbook_confirm(a->act.runbook, false, false);
}

void tui_runbook_tick(tui_app *a, int64_t now)
{
    if (!a->act.runbook)
        return;
    client_runbook_tick(a->act.runbook, now);
    if (!client_runbook_busy(a->act.runbook)) {
        /* Ended and reported: the deployment's record is the timeline now. */
        client_runbook_free(a->act.runbook);
        a->act.runbook = NULL;
        a->scr.data_dirty = true;
    }
}

void tui_runbook_free(tui_app *a)
{
    client_runbook_free(a->act.runbook);
    a->act.runbook = NULL;
}
