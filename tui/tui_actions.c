/* tui_actions: dialogs, their commands and their results. */
#include "tui_actions.h"

#include "tui_keys.h"
#include "tui_model.h"
#include "tui_runbook.h"
#include "tui_view.h"

#include "cps_settings.h"
#include "orbit_json.h"
#include "orbit_time.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const ACTION_NAMES[ACTION_COUNT] = {
    [ACTION_FAILOVER] = "failover",
    [ACTION_FAILBACK] = "failback",
    [ACTION_REASSIGN] = "reassign",
    [ACTION_SETTINGS] = "settings",
    [ACTION_MOH] = "MOH upload",
    [ACTION_RB_FAILOVER] = "guided failover",
    [ACTION_RB_FAILBACK] = "guided failback",
    [ACTION_RB_REPLACE] = "pool replacement",
    [ACTION_RB_ABANDON] = "abandon",
    [ACTION_RB_CONFIRM] = "confirmation",
};

bool tui_action_allowed(tui_app *a, tui_action act, const char *pool, client_conn **conn, char *why,
                        size_t whylen)
{
    *conn = NULL;
    if (a->opt.read_only) {
        snprintf(why, whylen, "%s refused: the console is read-only (--read-only)",
                 ACTION_NAMES[act]);
        return false;
    }
    if (!pool || !pool[0]) {
        snprintf(why, whylen, "%s: select a pool first", ACTION_NAMES[act]);
        return false;
    }
    client_conn *c = tui_model_conn(a, pool);
    if (!c || client_conn_get_state(c) != CLIENT_CONN_LIVE) {
        snprintf(why, whylen, "%s refused: %s is not connected%s%s", ACTION_NAMES[act], pool,
                 c && client_conn_error(c)[0] ? ": " : "", c ? client_conn_error(c) : "");
        return false;
    }
    if (strcmp(client_conn_role(c), "operator") != 0) {
        snprintf(why, whylen, "%s refused: the token is %s at %s; actions need an operator token",
                 ACTION_NAMES[act], client_conn_role(c), pool);
        return false;
    }
    *conn = c;
    return true;
}

static const pool_info *pool_of(const tui_app *a, const char *fqdn)
{
    const client_mirror *m = tui_model_mirror(a);
    return m ? client_mirror_pool(m, fqdn) : NULL;
}

static void open_dialog(tui_app *a, tui_action act, const char *pool, const char *target)
{
    /* pool and target may be a->act's own fields: copy through locals. */
    char p[ORBIT_FQDN_MAX + 1], t[ORBIT_FQDN_MAX + 1];
    snprintf(p, sizeof p, "%s", pool);
    snprintf(t, sizeof t, "%s", target);
    a->act.action = act;
    a->act.busy = false;
    memcpy(a->act.pool, p, sizeof p);
    memcpy(a->act.target, t, sizeof t);
    a->scr.modal = MODAL_DIALOG;
    a->scr.screen_dirty = true;
}

/* The typed confirmation every DR step and every move of a pool's ranges
 * asks for. */
static void confirm_field(ui_dialog *d, const char *fqdn)
{
    char label[64];
    snprintf(label, sizeof label, "type the pool's name");
    ui_dialog_text(d, label, "", fqdn);
}

/* ---- results ---- */

typedef struct {
    tui_app *a;
    tui_action act;
    char pool[ORBIT_FQDN_MAX + 1];
} pending;

static void on_result(void *ctx, client_conn *c, bool ok, const json_t *data,
                      const orbit_status *err)
{
    (void)c;
    pending *p = ctx;
    tui_app *a = p->a;
    a->act.busy = false;
    a->scr.screen_dirty = a->scr.data_dirty = true;
    if (!ok) {
        /* The dialog stays open with the reason, and so does the status. */
        if (a->scr.modal == MODAL_DIALOG)
            snprintf(a->act.dialog.error, sizeof a->act.dialog.error, "%s: %s",
                     orbit_err_name(err->code), err->message);
        tui_status(a, true, "%s of %s refused: %s: %s", ACTION_NAMES[p->act], p->pool,
                   orbit_err_name(err->code), err->message);
        free(p);
        return;
    }
    if (a->scr.modal == MODAL_DIALOG && a->act.action == p->act)
        a->scr.modal = MODAL_NONE;
    switch (p->act) {
    case ACTION_FAILOVER:
    case ACTION_FAILBACK: {
        char when[40];
        orbit_time_rfc3339(json_integer_value(json_object_get(data, "ends_ms")), when, sizeof when);
        tui_status(a, false, "%s %s until %.8s; then redirect its pickup ranges (R)",
                   p->act == ACTION_FAILOVER ? "failing over" : "failing back", p->pool, when + 11);
        break;
    }
    case ACTION_REASSIGN:
        if (json_object_get(data, "identity")) /* one range (orbit.update) */
            tui_status(a, false, "range %s now owned by %s",
                       json_string_value(json_object_get(data, "identity")),
                       json_string_value(json_object_get(data, "pool")));
        else
            tui_status(a, false, "reassigned %lld range(s) from %s to %s",
                       (long long)json_integer_value(json_object_get(data, "moved")),
                       json_string_value(json_object_get(data, "from_pool")),
                       json_string_value(json_object_get(data, "to_pool")));
        break;
    case ACTION_SETTINGS:
        tui_status(a, false, "Call Park settings of %s saved%s", p->pool,
                   tui_read_only(a) ? "" : " (and kept in the backup vault)");
        break;
    default:
        break;
    }
    free(p);
}

static void send_cmd(tui_app *a, client_conn *c, const char *op, json_t *args)
{
    pending *p = calloc(1, sizeof *p);
    orbit_status st;
    if (!p) {
        json_decref(args);
        tui_status(a, true, "out of memory");
        return;
    }
    p->a = a;
    p->act = a->act.action;
    snprintf(p->pool, sizeof p->pool, "%s", a->act.pool);
    if (!client_conn_cmd(c, op, args, on_result, p, &st)) {
        free(p);
        snprintf(a->act.dialog.error, sizeof a->act.dialog.error, "%s", st.message);
        tui_status(a, true, "%s", st.message);
        return;
    }
    a->act.busy = true;
    snprintf(a->act.dialog.error, sizeof a->act.dialog.error,
             "sent to %s; waiting for the answer...", client_conn_fqdn(c));
}

/* ---- failover and failback ---- */

static void open_dr_dialog(tui_app *a, tui_action act, const char *fqdn)
{
    const pool_info *home = pool_of(a, fqdn);
    const client_mirror *m = tui_model_mirror(a);
    if (!home || !home->backup[0]) {
        tui_status(a, true, "%s: %s has no backup pool", ACTION_NAMES[act],
                   home      ? home->fqdn
                   : fqdn[0] ? fqdn
                             : "no pool selected:");
        return;
    }
    client_conn *c;
    char why[TUI_WHY_MAX];
    if (!tui_action_allowed(a, act, home->backup, &c, why, sizeof why)) {
        tui_status(a, true, "%s", why);
        return;
    }
    const dr_state *d = client_mirror_dr(m, home->fqdn);
    const client_mirror *own = tui_model_own(a, home->fqdn);
    uint32_t homed = own ? client_mirror_self(own)->users_homed : 0;
    char title[320];
    snprintf(title, sizeof title, "%s %s", act == ACTION_FAILOVER ? "Fail over" : "Fail back",
             home->fqdn);
    ui_dialog *dlg = &a->act.dialog;
    ui_dialog_init(dlg, title, act == ACTION_FAILOVER ? "Fail over" : "Fail back");
    if (act == ACTION_FAILOVER) {
        ui_dialog_line(dlg,
                       "The users homed on %s (%u) will be served by %s, with its Call Park "
                       "settings, music on hold and CallPark ranges.",
                       home->fqdn, homed, home->backup);
        ui_dialog_line(dlg,
                       "While failing over they are in resiliency mode: no park, no pickup; "
                       "calls they parked on %s are disconnected.",
                       home->fqdn);
        ui_dialog_line(dlg, "Afterwards redirect %s's GroupPickup ranges (R).", home->fqdn);
    } else {
        ui_dialog_line(dlg, "The users homed on %s go back to it from %s.", home->fqdn,
                       home->backup);
        ui_dialog_line(dlg,
                       "While failing back they are in resiliency mode: no park, no pickup; "
                       "calls parked on %s stay parked there.",
                       home->backup);
        ui_dialog_line(dlg, "Afterwards redirect the GroupPickup ranges back (R).");
    }
    if (d)
        ui_dialog_line(dlg, "Now: %s, served by %s%s.", dr_phase_name(d->phase), d->serving,
                       d->disaster_mode ? ", in disaster mode" : "");
    const dr_runbook *held = client_mirror_runbook_on(m, home->fqdn);
    char key[16];
    tui_keys_name_of(a, -1, act == ACTION_FAILOVER ? TUI_CMD_RB_FAILOVER : TUI_CMD_RB_FAILBACK, key,
                     sizeof key);
    if (held)
        ui_dialog_line(dlg, "WARNING: a %s runbook held by %s works on this pair.",
                       dr_runbook_kind_name(held->kind), held->holder);
    else if (key[0])
        ui_dialog_line(dlg, "(%s runs the guided %s: it redirects and verifies for you.)", key,
                       act == ACTION_FAILOVER ? "failover" : "failback");
    if (act == ACTION_FAILOVER && home->status == POOL_STATUS_DOWN)
        ui_dialog_check(dlg, "disaster_mode", true);
    confirm_field(dlg, home->fqdn);
    open_dialog(a, act, home->fqdn, home->backup);
}

/* ---- moving ranges ---- */

/* The GroupPickup ranges that hold groups of a home pool's users and are
 * not with the pool serving them: found from GET /v1/users. */
static void on_users(void *ctx, long status, const char *body, size_t len, const orbit_status *err)
{
    tui_app *a = ctx;
    tui_act *act = &a->act;
    act->users_pending = false;
    const client_mirror *m = tui_model_mirror(a);
    const dr_state *d = m ? client_mirror_dr(m, act->pool) : NULL;
    json_t *doc = body ? json_loadb(body, len, 0, NULL) : NULL;
    json_t *users = json_object_get(doc, "users");
    if (err || status != 200 || !json_is_array(users) || !d) {
        tui_status(a, true, "redirect: cannot read %s's users: %s", act->pool,
                   err ? err->message : "unexpected answer");
        json_decref(doc);
        return;
    }
    act->nids = 0;
    snprintf(act->move_to, sizeof act->move_to, "%s", d->serving);
    const orbit_table *t = client_mirror_orbits(m);
    size_t i;
    json_t *u;
    json_array_foreach(users, i, u)
    {
        orbit_number g;
        orbit_status st;
        if (orbit_json_get_number(u, "pickup_group", true, &g, &st) <= 0)
            continue;
        const orbit_range *r = orbit_table_owner_of(t, &g);
        if (!r || r->type != ORBIT_TYPE_GROUPPICKUP || strcmp(r->pool, d->serving) == 0)
            continue;
        bool seen = false;
        for (int k = 0; k < act->nids; k++)
            seen = seen || strcmp(act->ids[k], r->identity) == 0;
        if (!seen && act->nids < UI_DIALOG_LINES - 3)
            snprintf(act->ids[act->nids++], sizeof act->ids[0], "%s", r->identity);
    }
    json_decref(doc);
    if (!act->nids) {
        tui_status(a, false, "%s's pickup ranges are already with %s", act->pool, d->serving);
        return;
    }
    char title[320];
    snprintf(title, sizeof title, "Redirect %s's pickup ranges", act->pool);
    ui_dialog *dlg = &act->dialog;
    ui_dialog_init(dlg, title, "Redirect");
    ui_dialog_line(dlg, "Its users are %s, served by %s. These GroupPickup ranges move to %s:",
                   dr_phase_name(d->phase), d->serving, d->serving);
    for (int k = 0; k < act->nids; k++) {
        const orbit_range *r = orbit_table_find(t, act->ids[k]);
        char s1[ORBIT_NUMBER_BUF], s2[ORBIT_NUMBER_BUF];
        ui_dialog_line(dlg, "  %s  %s-%s  now on %s", act->ids[k],
                       r ? orbit_number_format(&r->start, s1, sizeof s1) : "?",
                       r ? orbit_number_format(&r->end, s2, sizeof s2) : "?", r ? r->pool : "?");
    }
    confirm_field(dlg, act->pool);
    act->move = MOVE_REDIRECT;
    open_dialog(a, ACTION_REASSIGN, act->pool, act->target);
}

/* The Orbits view: one range to another pool (Set-CsCallParkOrbit on one
 * identity). */
static void open_range_dialog(tui_app *a, const char *identity)
{
    const client_mirror *m = tui_model_mirror(a);
    const orbit_range *r = m ? orbit_table_find(client_mirror_orbits(m), identity) : NULL;
    if (!r) {
        tui_status(a, true, "reassign: select a range first");
        return;
    }
    client_conn *c = NULL;
    char why[TUI_WHY_MAX] = "no pool is connected";
    /* Any connected pool can change the shared orbit table. */
    for (size_t i = 0; i < client_mirror_pool_count(m) && !c; i++)
        tui_action_allowed(a, ACTION_REASSIGN, client_mirror_pool_at(m, i)->fqdn, &c, why,
                           sizeof why);
    if (!c) {
        tui_status(a, true, "%s", why);
        return;
    }
    char s1[ORBIT_NUMBER_BUF], s2[ORBIT_NUMBER_BUF], title[320];
    snprintf(title, sizeof title, "Reassign range %s", r->identity);
    ui_dialog *dlg = &a->act.dialog;
    ui_dialog_init(dlg, title, "Reassign");
    ui_dialog_line(dlg, "%s-%s (%s), now owned by %s.",
                   orbit_number_format(&r->start, s1, sizeof s1),
                   orbit_number_format(&r->end, s2, sizeof s2), orbit_type_name(r->type), r->pool);
    ui_dialog_line(dlg, "Parking and pickup on these numbers go to the new owner.");
    ui_field *tf = ui_dialog_choice(dlg, "to pool", false);
    size_t n = client_mirror_pool_count(m);
    for (size_t i = 0; i < n; i++) {
        const pool_info *p = client_mirror_pool_at(m, i);
        ui_field_add_choice(tf, p->fqdn);
        /* Proposed: the pool after the current owner, never the owner. */
        if (strcmp(p->fqdn, r->pool) == 0 && tf)
            tf->choice = tf->nchoices % (int)n;
    }
    confirm_field(dlg, r->pool);
    snprintf(a->act.ids[0], sizeof a->act.ids[0], "%s", r->identity);
    a->act.nids = 1;
    a->act.move = MOVE_RANGE;
    open_dialog(a, ACTION_REASSIGN, r->pool, client_conn_fqdn(c));
}

static void open_reassign_dialog(tui_app *a, const tui_selection *sel)
{
    if (sel->range[0]) {
        open_range_dialog(a, sel->range);
        return;
    }
    const client_mirror *m = tui_model_mirror(a);
    const pool_info *from = pool_of(a, sel->pool);
    if (!m || !from) {
        tui_status(a, true, "reassign: select a pool first");
        return;
    }
    client_conn *c;
    char why[TUI_WHY_MAX];
    /* Any connected pool can change the shared orbit table. */
    const char *via = from->fqdn;
    client_conn *vc = tui_model_conn(a, via);
    if (!vc || client_conn_get_state(vc) != CLIENT_CONN_LIVE)
        via = from->backup;
    if (!tui_action_allowed(a, ACTION_REASSIGN, via, &c, why, sizeof why)) {
        tui_status(a, true, "%s", why);
        return;
    }
    snprintf(a->act.pool, sizeof a->act.pool, "%s", from->fqdn);
    snprintf(a->act.target, sizeof a->act.target, "%s", client_conn_fqdn(c));
    const dr_state *dr = client_mirror_dr(m, from->fqdn);
    if (dr && !dr->pickup_ranges_redirected && dr_phase_resiliency(dr->phase)) {
        /* The seed: redirect after each phase completes. */
        int64_t left = dr->ends_ms - orbit_time_now_ms();
        tui_status(a, true,
                   "redirect refused: %s's users are %s; redirect their pickup ranges once the "
                   "phase completes (in about %lld s)",
                   from->fqdn, dr_phase_name(dr->phase), (long long)(left > 0 ? left / 1000 : 0));
        return;
    }
    if (dr && !dr->pickup_ranges_redirected) {
        if (a->act.users_pending)
            return;
        /* The redirect a failover or failback needs: find which ranges. */
        char http[CLIENT_URL_MAX], url[CLIENT_URL_MAX + ORBIT_FQDN_MAX + 32];
        client_conn_http_base(c, http, sizeof http);
        snprintf(url, sizeof url, "%s/v1/users?pool=%s", http, from->fqdn);
        orbit_status st;
        if (client_rest_get(a->net.rest, url, a->opt.target->token, on_users, a, &st)) {
            a->act.users_pending = true;
            tui_status(a, false, "finding %s's pickup ranges...", from->fqdn);
        } else {
            tui_status(a, true, "redirect: %s", st.message);
        }
        return;
    }
    /* Moving every range of a healthy pool is rare and heavy: nothing is
     * preselected, and the pool's name must be typed. */
    char title[320];
    snprintf(title, sizeof title, "Move the ranges of %s", from->fqdn);
    ui_dialog *dlg = &a->act.dialog;
    ui_dialog_init(dlg, title, "Reassign");
    ui_dialog_line(dlg,
                   "Moves %s's ranges of a type to another pool, as Set-CsCallParkOrbit does: "
                   "for a pool replaced by a new one. Its users' calls park and are picked up "
                   "on the new owner from then on.",
                   from->fqdn);
    ui_field *tf = ui_dialog_choice(dlg, "to pool", false);
    ui_field *type = ui_dialog_choice(dlg, "ranges", true);
    ui_field_add_choice(type, "(choose a type)");
    ui_field_add_choice(type, "GroupPickup");
    ui_field_add_choice(type, "CallPark");
    ui_field_add_choice(type, "all types");
    /* Proposed: where its users are served now, else its backup. */
    const char *suggest =
        strcmp(dr ? dr->serving : from->fqdn, from->fqdn) != 0 ? dr->serving : from->backup;
    for (size_t i = 0; i < client_mirror_pool_count(m); i++) {
        const pool_info *p = client_mirror_pool_at(m, i);
        if (strcmp(p->fqdn, from->fqdn) == 0)
            continue;
        ui_field_add_choice(tf, p->fqdn);
        if (tf && suggest && strcmp(p->fqdn, suggest) == 0)
            tf->choice = tf->nchoices - 1;
    }
    confirm_field(dlg, from->fqdn);
    ui_dialog_focus(dlg, 1); /* the type: the choice to make first */
    a->act.move = MOVE_BULK;
    open_dialog(a, ACTION_REASSIGN, from->fqdn, client_conn_fqdn(c));
}

/* ---- settings ---- */

static void open_settings_dialog(tui_app *a, const char *fqdn)
{
    client_conn *c;
    char why[TUI_WHY_MAX];
    if (!tui_action_allowed(a, ACTION_SETTINGS, fqdn, &c, why, sizeof why)) {
        tui_status(a, true, "%s", why);
        return;
    }
    const cps_settings *s = client_mirror_config(client_conn_mirror(c));
    char title[320];
    snprintf(title, sizeof title, "Call Park settings of %s", fqdn);
    ui_dialog *dlg = &a->act.dialog;
    ui_dialog_init(dlg, title, "Save");
    ui_dialog_line(dlg, "Settings are not replicated to the backup pool and are lost with the "
                        "pool: orbitop keeps a copy in the backup vault.");
    ui_dialog_number(dlg, "timeout (s)", s->call_pickup_timeout_threshold, CPS_TIMEOUT_MIN_S,
                     CPS_TIMEOUT_MAX_S);
    ui_dialog_check(dlg, "music on hold", s->enable_music_on_hold);
    ui_dialog_number(dlg, "attempts", s->max_call_pickup_attempts, CPS_ATTEMPTS_MIN,
                     CPS_ATTEMPTS_MAX);
    ui_dialog_text(dlg, "on timeout URI", s->on_timeout_uri, NULL);
    /* A form: the focus starts on its first field. */
    ui_dialog_focus(dlg, 0);
    open_dialog(a, ACTION_SETTINGS, fqdn, fqdn);
}

static void accept_settings(tui_app *a, client_conn *c)
{
    ui_dialog *d = &a->act.dialog;
    cps_settings s;
    cps_settings_default(&s);
    s.call_pickup_timeout_threshold = atoi(d->fields[0].text);
    s.enable_music_on_hold = d->fields[1].checked;
    s.max_call_pickup_attempts = atoi(d->fields[2].text);
    snprintf(s.on_timeout_uri, sizeof s.on_timeout_uri, "%s", d->fields[3].text);
    cps_field_error errs[CPS_FIELD_COUNT];
    size_t n = cps_settings_validate(&s, errs, CPS_FIELD_COUNT);
    for (size_t i = 0; i < n && i < CPS_FIELD_COUNT; i++) {
        int f = strcmp(errs[i].field, "call_pickup_timeout_threshold") == 0 ? 0
                : strcmp(errs[i].field, "max_call_pickup_attempts") == 0    ? 2
                                                                            : 3;
        if (!d->fields[f].error[0])
            snprintf(d->fields[f].error, sizeof d->fields[f].error, "%s", errs[i].reason);
    }
    if (n) {
        snprintf(d->error, sizeof d->error, "fix the fields marked above");
        tui_status(a, true, "settings of %s not sent: a field is out of range", a->act.pool);
        return;
    }
    json_t *args = orbit_json_from_settings(&s);
    if (!args) {
        tui_status(a, true, "out of memory");
        return;
    }
    send_cmd(a, c, "config.set", args);
}

/* ---- redirecting pickup ranges, one range at a time ---- */

/* A bulk reassign moves every range of a pool, which after a failback
 * would take the backup's own ranges too; a redirect moves exactly the
 * GroupPickup ranges that hold groups of the home pool's users, one
 * orbit.update each. */
static void on_redirect_result(void *ctx, client_conn *c, bool ok, const json_t *data,
                               const orbit_status *err)
{
    (void)c;
    (void)data;
    tui_app *a = ctx;
    tui_act *act = &a->act;
    if (ok) {
        act->done++;
    } else {
        act->failed++;
        snprintf(act->dialog.error, sizeof act->dialog.error, "%s: %s", orbit_err_name(err->code),
                 err->message);
    }
    if (act->done + act->failed < act->nids)
        return;
    act->busy = false;
    a->scr.screen_dirty = a->scr.data_dirty = true;
    if (act->failed) {
        tui_status(a, true, "redirect of %s's pickup ranges: %d of %d refused: %s", act->pool,
                   act->failed, act->nids, err ? err->message : "");
        return;
    }
    if (a->scr.modal == MODAL_DIALOG && act->action == ACTION_REASSIGN)
        a->scr.modal = MODAL_NONE;
    tui_status(a, false, "redirected %d pickup range(s) of %s to %s", act->done, act->pool,
               act->move_to);
}

static void redirect_send(tui_app *a, client_conn *c)
{
    tui_act *act = &a->act;
    act->done = act->failed = 0;
    for (int i = 0; i < act->nids; i++) {
        orbit_status st;
        json_t *args = json_pack("{s:s, s:s}", "identity", act->ids[i], "pool", act->move_to);
        if (!client_conn_cmd(c, "orbit.update", args, on_redirect_result, a, &st)) {
            act->failed++;
            snprintf(act->dialog.error, sizeof act->dialog.error, "%s", st.message);
        }
    }
    if (act->failed == act->nids) {
        tui_status(a, true, "redirect not sent: %s", act->dialog.error);
        return;
    }
    act->busy = true;
    snprintf(act->dialog.error, sizeof act->dialog.error, "sent; waiting for the answers...");
}

static void accept_reassign(tui_app *a, client_conn *c)
{
    ui_dialog *d = &a->act.dialog;
    switch (a->act.move) {
    case MOVE_REDIRECT:
        redirect_send(a, c);
        break;
    case MOVE_RANGE: {
        const ui_field *tf = &d->fields[0];
        snprintf(a->act.pool, sizeof a->act.pool, "%s", tf->choices[tf->choice]);
        send_cmd(
            a, c, "orbit.update",
            json_pack("{s:s, s:s}", "identity", a->act.ids[0], "pool", tf->choices[tf->choice]));
        break;
    }
    case MOVE_BULK: {
        const ui_field *tf = &d->fields[0], *ty = &d->fields[1];
        const char *type = ty->choice == 1 ? "GroupPickup" : ty->choice == 2 ? "CallPark" : NULL;
        json_t *args =
            json_pack("{s:s, s:s}", "from_pool", a->act.pool, "to_pool", tf->choices[tf->choice]);
        if (args && type) /* no type: every type */
            json_object_set_new(args, "type", json_string(type));
        send_cmd(a, c, "orbit.reassign", args);
        break;
    }
    }
}

static void accept_dialog(tui_app *a)
{
    client_conn *c;
    char why[TUI_WHY_MAX];
    /* The gate again: the role or the connection may have changed while
     * the dialog was open. */
    if (!tui_action_allowed(a, a->act.action, a->act.target, &c, why, sizeof why)) {
        snprintf(a->act.dialog.error, sizeof a->act.dialog.error, "%s", why);
        tui_status(a, true, "%s", why);
        return;
    }
    ui_dialog *d = &a->act.dialog;
    switch (a->act.action) {
    case ACTION_FAILOVER: {
        bool disaster = d->fields[0].kind == UI_FIELD_CHECK && d->fields[0].checked;
        send_cmd(a, c, "pool.failover",
                 json_pack("{s:s, s:b}", "pool", a->act.pool, "disaster_mode", disaster));
        break;
    }
    case ACTION_FAILBACK:
        send_cmd(a, c, "pool.failback", json_pack("{s:s}", "pool", a->act.pool));
        break;
    case ACTION_REASSIGN:
        accept_reassign(a, c);
        break;
    case ACTION_SETTINGS:
        accept_settings(a, c);
        break;
    case ACTION_RB_REPLACE:
    case ACTION_RB_ABANDON:
    case ACTION_RB_CONFIRM:
        tui_runbook_accept(a);
        break;
    default:
        break;
    }
}

/* ---- music on hold ---- */

static void open_moh_picker(tui_app *a, const char *fqdn)
{
    client_conn *c;
    char why[TUI_WHY_MAX];
    if (!tui_action_allowed(a, ACTION_MOH, fqdn, &c, why, sizeof why)) {
        tui_status(a, true, "%s", why);
        return;
    }
    if (!tui_model_vault(a)) {
        tui_status(a, true,
                   "MOH upload refused: the backup vault is not available, and an upload is "
                   "never made without a backup");
        return;
    }
    ui_filepick_free(a->act.picker);
    char title[320];
    snprintf(title, sizeof title, "Music on hold for %s: choose a .wav or .wma file", fqdn);
    a->act.picker = ui_filepick_new(a->act.last_dir[0] ? a->act.last_dir : NULL, title);
    if (!a->act.picker) {
        tui_status(a, true, "out of memory");
        return;
    }
    snprintf(a->act.pool, sizeof a->act.pool, "%s", fqdn);
    snprintf(a->act.target, sizeof a->act.target, "%s", fqdn);
    a->act.action = ACTION_MOH;
    a->scr.modal = MODAL_PICK;
}

/* The confirmation names the file, the pool, and what it replaces with
 * whether a copy of that is kept. */
static void confirm_upload(tui_app *a)
{
    struct stat sb;
    long long size = stat(a->act.upload_path, &sb) == 0 ? (long long)sb.st_size : -1;
    char base[CLIENT_PATH_MAX], dir[CLIENT_PATH_MAX];
    snprintf(base, sizeof base, "%s", a->act.upload_path);
    snprintf(dir, sizeof dir, "%s", a->act.upload_path);
    ui_dialog *dlg = &a->act.dialog;
    ui_dialog_init(dlg, "Upload music on hold", "Upload");
    ui_dialog_line(dlg, "File: %s (%lld bytes), in %s", basename(base), size, dirname(dir));
    ui_dialog_line(dlg, "To:   %s", a->act.pool);
    const client_mirror *own = tui_model_own(a, a->act.pool);
    if (own) {
        const moh_info *moh = client_mirror_moh(own);
        client_vault *v = tui_model_vault(a);
        bool kept = v && client_vault_has(v, a->act.pool, moh->sha256);
        ui_dialog_line(dlg, "Replaces: %s (%llu bytes, SHA-256 %.12s)", moh->name,
                       (unsigned long long)moh->size, moh->sha256);
        ui_dialog_line(dlg, "%s",
                       moh->is_default ? "  that is the default music, which ships with orbit"
                       : kept          ? "  a copy of it is in the backup vault"
                                       : "  NO copy of it is in the backup vault: it is lost "
                                         "once replaced (Esc, then download it with orbitctl moh "
                                         "download to keep it)");
    }
    ui_dialog_line(dlg, "The new file goes to the backup vault first; the pool's SHA-256 is "
                        "compared with the file's after the upload.");
    a->act.action = ACTION_MOH;
    a->scr.modal = MODAL_DIALOG;
}

static bool on_upload_progress(void *ctx, uint64_t sent, uint64_t total)
{
    tui_app *a = ctx;
    a->act.upload_sent = sent;
    a->act.upload_total = total;
    a->scr.screen_dirty = true;
    return true;
}

static void on_upload_done(void *ctx, const client_moh_result *r)
{
    tui_app *a = ctx;
    a->act.upload = NULL;
    a->scr.modal = MODAL_NONE;
    a->scr.screen_dirty = a->scr.data_dirty = true;
    if (r->ok)
        tui_status(a, false,
                   "uploaded %s to %s: %llu bytes, SHA-256 %.16s verified; kept in the backup "
                   "vault",
                   r->moh.name, a->act.pool, (unsigned long long)r->moh.size, r->pool_sha256);
    else
        tui_status(a, true,
                   "MOH upload to %s failed: %s (the vault lists the file as not verified; it "
                   "cannot be restored)",
                   a->act.pool, r->err.message);
}

static void start_upload(tui_app *a)
{
    client_conn *c;
    char why[TUI_WHY_MAX];
    client_vault *v = tui_model_vault(a);
    if (!tui_action_allowed(a, ACTION_MOH, a->act.pool, &c, why, sizeof why) || !v) {
        a->scr.modal = MODAL_NONE;
        tui_status(a, true, "%s", v ? why : "MOH upload refused: no backup vault");
        return;
    }
    char http[CLIENT_URL_MAX];
    client_conn_http_base(c, http, sizeof http);
    orbit_status st;
    a->act.upload_sent = 0;
    struct stat sb;
    a->act.upload_total = stat(a->act.upload_path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
    const char *user = getenv("USER");
    char who[128];
    snprintf(who, sizeof who, "%s (orbitop)", user ? user : "operator");
    a->act.upload = client_moh_upload_start(a->net.rest, v, a->act.pool, http, a->opt.target->token,
                                            a->act.upload_path, NULL, who, on_upload_progress,
                                            on_upload_done, a, &st);
    if (!a->act.upload) {
        a->scr.modal = MODAL_NONE;
        tui_status(a, true, "MOH upload to %s not started: %s", a->act.pool, st.message);
        return;
    }
    a->scr.modal = MODAL_UPLOAD;
}

void tui_action_pick_key(tui_app *a, int key)
{
    ui_pick_result r = ui_filepick_key(a->act.picker, key);
    snprintf(a->act.last_dir, sizeof a->act.last_dir, "%s", ui_filepick_dir(a->act.picker));
    if (r == UI_PICK_CANCELLED) {
        a->scr.modal = MODAL_NONE;
        tui_status(a, false, "MOH upload cancelled");
    } else if (r == UI_PICK_CHOSEN) {
        snprintf(a->act.upload_path, sizeof a->act.upload_path, "%s",
                 ui_filepick_path(a->act.picker));
        /* The next upload starts where this file was, however it was
         * reached (a path typed out never visits its folder). */
        char dir[CLIENT_PATH_MAX];
        snprintf(dir, sizeof dir, "%s", a->act.upload_path);
        snprintf(a->act.last_dir, sizeof a->act.last_dir, "%s", dirname(dir));
        confirm_upload(a);
    }
    a->scr.screen_dirty = true;
}

void tui_action_upload_key(tui_app *a, int key)
{
    if (key == 27 && a->act.upload) {
        client_moh_upload_cancel(a->act.upload);
        a->scr.screen_dirty = true;
    }
}

/* ---- starting, and the dialogs' keys ---- */

void tui_action_start(tui_app *a, tui_action act, bool on_selected_pool)
{
    tui_selection sel = {.pool = "", .range = ""};
    const tui_view_def *v = tui_view_current(a);
    if (!on_selected_pool && v->select)
        v->select(a, tui_view_state(a), &sel);
    else
        snprintf(sel.pool, sizeof sel.pool, "%s", a->model.selected);
    client_conn *c;
    char why[TUI_WHY_MAX];
    /* Read-only refuses at once, whatever is selected. */
    if (a->opt.read_only && !tui_action_allowed(a, act, sel.pool, &c, why, sizeof why)) {
        tui_status(a, true, "%s", why);
        return;
    }
    switch (act) {
    case ACTION_FAILOVER:
    case ACTION_FAILBACK:
        open_dr_dialog(a, act, sel.pool);
        break;
    case ACTION_REASSIGN:
        open_reassign_dialog(a, &sel);
        break;
    case ACTION_SETTINGS:
        open_settings_dialog(a, sel.pool);
        break;
    case ACTION_MOH:
        open_moh_picker(a, sel.pool);
        break;
    case ACTION_RB_FAILOVER:
    case ACTION_RB_FAILBACK:
    case ACTION_RB_REPLACE:
    case ACTION_RB_ABANDON:
        tui_runbook_start(a, act, sel.pool);
        break;
    default:
        break;
    }
    a->scr.screen_dirty = true;
}

static void dialog_result(tui_app *a, ui_dialog_result r)
{
    if (r == UI_DIALOG_CANCELLED) {
        a->scr.modal = MODAL_NONE;
        a->act.busy = false;
        tui_runbook_cancel(a);
        tui_status(a, false, "%s cancelled", ACTION_NAMES[a->act.action]);
    } else if (r == UI_DIALOG_ACCEPTED) {
        if (a->act.action == ACTION_MOH)
            start_upload(a);
        else
            accept_dialog(a);
    }
    a->scr.screen_dirty = true;
}

void tui_action_dialog_key(tui_app *a, int key)
{
    if (a->act.busy && key != 27)
        return; /* one command at a time */
    dialog_result(a, ui_dialog_key(&a->act.dialog, key));
}

void tui_action_dialog_click(tui_app *a, int y, int x)
{
    if (!a->act.busy)
        dialog_result(a, ui_dialog_click(&a->act.dialog, y, x));
}

void tui_actions_free(tui_app *a)
{
    tui_runbook_free(a);
    ui_filepick_free(a->act.picker);
    a->act.picker = NULL;
}
