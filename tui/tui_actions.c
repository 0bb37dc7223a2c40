/* tui_actions: what an operator can do from the keyboard: failover,
 * failback, range reassignment, Call Park settings, MOH upload. Every
 * action passes one gate (read-only mode, the token's role, the pool's
 * connection); every result or refusal ends in the status line. */
#include "tui_app.h"

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
    [ACTION_FAILOVER] = "failover", [ACTION_FAILBACK] = "failback", [ACTION_REASSIGN] = "reassign",
    [ACTION_SETTINGS] = "settings", [ACTION_MOH] = "MOH upload",
};

bool tui_read_only(const tui_app *a)
{
    if (a->read_only)
        return true;
    /* A viewer token makes the console a watch console. */
    bool any = false;
    for (size_t i = 0; i < client_hub_count(a->hub); i++) {
        const char *role = client_conn_role(client_hub_at(a->hub, i));
        if (!role[0])
            continue;
        if (strcmp(role, "operator") == 0)
            return false;
        any = true;
    }
    return any;
}

bool tui_action_allowed(tui_app *a, tui_action act, const char *pool, client_conn **conn, char *why,
                        size_t len)
{
    *conn = NULL;
    if (a->read_only) {
        snprintf(why, len, "%s refused: the console is read-only (--read-only)", ACTION_NAMES[act]);
        return false;
    }
    if (!pool || !pool[0]) {
        snprintf(why, len, "%s: select a pool first", ACTION_NAMES[act]);
        return false;
    }
    client_conn *c = tui_conn(a, pool);
    if (!c || client_conn_get_state(c) != CLIENT_CONN_LIVE) {
        snprintf(why, len, "%s refused: %s is not connected%s%s", ACTION_NAMES[act], pool,
                 c && client_conn_error(c)[0] ? ": " : "", c ? client_conn_error(c) : "");
        return false;
    }
    if (strcmp(client_conn_role(c), "operator") != 0) {
        snprintf(why, len, "%s refused: the token is %s at %s; actions need an operator token",
                 ACTION_NAMES[act], client_conn_role(c), pool);
        return false;
    }
    *conn = c;
    return true;
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
    a->dialog_busy = false;
    if (!ok) {
        /* The dialog stays open with the reason, and so does the status. */
        if (a->modal == MODAL_DIALOG)
            snprintf(a->dialog.error, sizeof a->dialog.error, "%s: %s", orbit_err_name(err->code),
                     err->message);
        tui_status(a, true, "%s of %s refused: %s: %s", ACTION_NAMES[p->act], p->pool,
                   orbit_err_name(err->code), err->message);
        free(p);
        return;
    }
    if (a->modal == MODAL_DIALOG && a->dialog_action == p->act)
        a->modal = MODAL_NONE;
    const char *phase = json_string_value(json_object_get(data, "phase"));
    switch (p->act) {
    case ACTION_FAILOVER:
    case ACTION_FAILBACK: {
        char when[40];
        orbit_time_rfc3339(json_integer_value(json_object_get(data, "ends_ms")), when, sizeof when);
        (void)phase;
        tui_status(a, false, "%s %s until %.8s; then redirect pickup ranges (R)",
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
        tui_status(a, false, "Call Park settings of %s saved (and backed up to the vault)",
                   p->pool);
        break;
    default:
        break;
    }
    a->screen_dirty = a->data_dirty = true;
    free(p);
}

static void send(tui_app *a, client_conn *c, const char *op, json_t *args)
{
    pending *p = calloc(1, sizeof *p);
    orbit_status st;
    if (!p) {
        json_decref(args);
        tui_status(a, true, "out of memory");
        return;
    }
    p->a = a;
    p->act = a->dialog_action;
    snprintf(p->pool, sizeof p->pool, "%s", a->dialog_pool);
    if (!client_conn_cmd(c, op, args, on_result, p, &st)) {
        free(p);
        snprintf(a->dialog.error, sizeof a->dialog.error, "%s", st.message);
        tui_status(a, true, "%s", st.message);
        return;
    }
    a->dialog_busy = true;
    snprintf(a->dialog.error, sizeof a->dialog.error, "sent to %s; waiting for the answer...",
             client_conn_fqdn(c));
}

/* ---- dialogs ---- */

static const pool_info *pool_of(tui_app *a, const char *fqdn)
{
    const client_mirror *m = tui_any_mirror(a);
    return m ? client_mirror_pool(m, fqdn) : NULL;
}

static void open_dr_dialog(tui_app *a, tui_action act)
{
    const pool_info *home = pool_of(a, a->selected);
    const client_mirror *m = tui_any_mirror(a);
    if (!home || !home->backup[0]) {
        tui_status(a, true, "%s: %s has no backup pool", ACTION_NAMES[act],
                   home ? home->fqdn : a->selected);
        return;
    }
    client_conn *c;
    char why[TUI_WHY_MAX];
    if (!tui_action_allowed(a, act, home->backup, &c, why, sizeof why)) {
        tui_status(a, true, "%s", why);
        return;
    }
    const dr_state *d = client_mirror_dr(m, home->fqdn);
    const client_mirror *own =
        tui_conn(a, home->fqdn) ? client_conn_mirror(tui_conn(a, home->fqdn)) : NULL;
    uint32_t homed = own && client_mirror_loaded(own) ? client_mirror_self(own)->users_homed : 0;
    char title[320];
    snprintf(title, sizeof title, "%s %s", act == ACTION_FAILOVER ? "Fail over" : "Fail back",
             home->fqdn);
    ui_dialog_init(&a->dialog, title, act == ACTION_FAILOVER ? "Fail over" : "Fail back");
    if (act == ACTION_FAILOVER) {
        ui_dialog_line(&a->dialog, "Users homed on %s (%u) will be served by %s,", home->fqdn,
                       homed, home->backup);
        ui_dialog_line(&a->dialog, "with its Call Park settings, MOH and CallPark ranges.");
        ui_dialog_line(&a->dialog, "While failing over they are in resiliency mode: no park,");
        ui_dialog_line(&a->dialog, "no pickup; calls they parked on %s are disconnected.",
                       home->fqdn);
        ui_dialog_line(&a->dialog, "Afterwards redirect %s's GroupPickup ranges (R).", home->fqdn);
    } else {
        ui_dialog_line(&a->dialog, "Users homed on %s go back to it from %s.", home->fqdn,
                       home->backup);
        ui_dialog_line(&a->dialog, "While failing back they are in resiliency mode: no park,");
        ui_dialog_line(&a->dialog, "no pickup; calls parked on %s stay parked there.",
                       home->backup);
        ui_dialog_line(&a->dialog, "Afterwards redirect the GroupPickup ranges back (R).");
    }
    if (d)
        ui_dialog_line(&a->dialog, "Now: %s, served by %s.", dr_phase_name(d->phase), d->serving);
    if (act == ACTION_FAILOVER && home->status == POOL_STATUS_DOWN)
        ui_dialog_check(&a->dialog, "disaster_mode", true);
    char label[80];
    snprintf(label, sizeof label, "type the pool's name");
    ui_dialog_text(&a->dialog, label, "", home->fqdn);
    a->dialog_action = act;
    snprintf(a->dialog_pool, sizeof a->dialog_pool, "%s", home->fqdn);
    snprintf(a->dialog_target, sizeof a->dialog_target, "%s", home->backup);
    a->modal = MODAL_DIALOG;
}

static void on_users(void *ctx, long status, const char *body, size_t len, const orbit_status *err)
{
    tui_app *a = ctx;
    a->users_pending = false;
    const client_mirror *m = tui_any_mirror(a);
    const dr_state *d = m ? client_mirror_dr(m, a->dialog_pool) : NULL;
    json_t *doc = body ? json_loadb(body, len, 0, NULL) : NULL;
    json_t *users = json_object_get(doc, "users");
    if (err || status != 200 || !json_is_array(users) || !d) {
        tui_status(a, true, "redirect: cannot read %s's users: %s", a->dialog_pool,
                   err ? err->message : "unexpected answer");
        json_decref(doc);
        return;
    }
    /* The ranges holding the users' groups that are not with the pool
     * serving them. */
    a->nredirect = 0;
    snprintf(a->redirect_to, sizeof a->redirect_to, "%s", d->serving);
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
        for (int k = 0; k < a->nredirect; k++)
            seen = seen || strcmp(a->redirect_ids[k], r->identity) == 0;
        if (!seen && a->nredirect < UI_DIALOG_LINES)
            snprintf(a->redirect_ids[a->nredirect++], sizeof a->redirect_ids[0], "%s", r->identity);
    }
    json_decref(doc);
    if (!a->nredirect) {
        tui_status(a, false, "%s's pickup ranges are already with %s", a->dialog_pool, d->serving);
        return;
    }
    char title[320];
    snprintf(title, sizeof title, "Redirect %s's pickup ranges", a->dialog_pool);
    ui_dialog_init(&a->dialog, title, "Redirect");
    ui_dialog_line(&a->dialog, "Its users are %s, served by %s.", dr_phase_name(d->phase),
                   d->serving);
    ui_dialog_line(&a->dialog, "These GroupPickup ranges move to %s:", d->serving);
    for (int k = 0; k < a->nredirect && a->dialog.nlines < UI_DIALOG_LINES; k++) {
        const orbit_range *r = orbit_table_find(t, a->redirect_ids[k]);
        char s1[ORBIT_NUMBER_BUF], s2[ORBIT_NUMBER_BUF];
        ui_dialog_line(&a->dialog, "  %s  %s-%s  now on %s", a->redirect_ids[k],
                       r ? orbit_number_format(&r->start, s1, sizeof s1) : "?",
                       r ? orbit_number_format(&r->end, s2, sizeof s2) : "?", r ? r->pool : "?");
    }
    a->redirect_mode = true;
    a->dialog_action = ACTION_REASSIGN;
    a->modal = MODAL_DIALOG;
    a->screen_dirty = true;
}

/* Orbits view: move the selected range (Set-CsCallParkOrbit on one
 * identity). */
static void open_range_dialog(tui_app *a)
{
    const client_mirror *m = tui_any_mirror(a);
    size_t row = ui_table_selected(a->orbits_table);
    if (!m || row >= a->norbit_rows) {
        tui_status(a, true, "reassign: select a range first");
        return;
    }
    const orbit_range *r = &a->orbit_rows[row].range;
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
    ui_dialog_init(&a->dialog, title, "Reassign");
    ui_dialog_line(&a->dialog, "%s-%s (%s), now owned by %s.",
                   orbit_number_format(&r->start, s1, sizeof s1),
                   orbit_number_format(&r->end, s2, sizeof s2), orbit_type_name(r->type), r->pool);
    ui_dialog_line(&a->dialog, "Parking and pickup on these numbers go to the new owner.");
    ui_field *tf = ui_dialog_choice(&a->dialog, "to pool");
    for (size_t i = 0; i < client_mirror_pool_count(m); i++) {
        const pool_info *p = client_mirror_pool_at(m, i);
        ui_field_add_choice(tf, p->fqdn);
        /* Proposed: the pool after the current owner, never the owner. */
        if (strcmp(p->fqdn, r->pool) == 0)
            tf->choice = tf->nchoices % (int)client_mirror_pool_count(m);
    }
    snprintf(a->range_id, sizeof a->range_id, "%s", r->identity);
    a->range_mode = true;
    a->redirect_mode = false;
    a->dialog_action = ACTION_REASSIGN;
    snprintf(a->dialog_pool, sizeof a->dialog_pool, "%s", r->pool);
    snprintf(a->dialog_target, sizeof a->dialog_target, "%s", client_conn_fqdn(c));
    a->modal = MODAL_DIALOG;
}

static void open_reassign_dialog(tui_app *a)
{
    if (a->view == VIEW_ORBITS) {
        open_range_dialog(a);
        return;
    }
    const client_mirror *m = tui_any_mirror(a);
    const pool_info *from = pool_of(a, a->selected);
    if (!m || !from) {
        tui_status(a, true, "reassign: select a pool first");
        return;
    }
    a->redirect_mode = false;
    a->range_mode = false;
    client_conn *c;
    char why[TUI_WHY_MAX];
    /* Any connected pool can change the shared orbit table. */
    const char *via = a->selected;
    if (!tui_conn(a, via) || client_conn_get_state(tui_conn(a, via)) != CLIENT_CONN_LIVE)
        via = from->backup;
    if (!tui_action_allowed(a, ACTION_REASSIGN, via, &c, why, sizeof why)) {
        tui_status(a, true, "%s", why);
        return;
    }
    snprintf(a->dialog_pool, sizeof a->dialog_pool, "%s", from->fqdn);
    snprintf(a->dialog_target, sizeof a->dialog_target, "%s", client_conn_fqdn(c));
    const dr_state *dr = client_mirror_dr(m, from->fqdn);
    if (dr && !dr->pickup_ranges_redirected && !a->users_pending) {
        /* The redirect a failover or failback needs: find which ranges. */
        char http[300], url[600];
        client_conn_http_base(c, http, sizeof http);
        snprintf(url, sizeof url, "%s/v1/users?pool=%s", http, from->fqdn);
        orbit_status st;
        if (client_rest_get(a->rest, url, a->token, on_users, a, &st)) {
            a->users_pending = true;
            tui_status(a, false, "finding %s's pickup ranges...", from->fqdn);
        } else {
            tui_status(a, true, "redirect: %s", st.message);
        }
        return;
    }
    ui_dialog_init(&a->dialog, "Reassign orbit ranges", "Reassign");
    ui_dialog_line(&a->dialog, "Moves every range of one pool (of a type) to another, as");
    ui_dialog_line(&a->dialog, "Set-CsCallParkOrbit does: for a pool replaced by a new one.");
    ui_field *ff = ui_dialog_choice(&a->dialog, "from pool");
    ui_field *tf = ui_dialog_choice(&a->dialog, "to pool");
    ui_field *type = ui_dialog_choice(&a->dialog, "ranges");
    ui_field_add_choice(type, "all types");
    ui_field_add_choice(type, "GroupPickup");
    ui_field_add_choice(type, "CallPark");
    /* Default: where this pool's users are served now (or its backup). */
    const dr_state *d = client_mirror_dr(m, from->fqdn);
    const char *suggest = d && strcmp(d->serving, from->fqdn) != 0 ? d->serving : from->backup;
    for (size_t i = 0; i < client_mirror_pool_count(m); i++) {
        const pool_info *p = client_mirror_pool_at(m, i);
        ui_field_add_choice(ff, p->fqdn);
        ui_field_add_choice(tf, p->fqdn);
        if (strcmp(p->fqdn, from->fqdn) == 0)
            ff->choice = ff->nchoices - 1;
        if (suggest && strcmp(p->fqdn, suggest) == 0)
            tf->choice = tf->nchoices - 1;
    }
    a->dialog_action = ACTION_REASSIGN;
    a->modal = MODAL_DIALOG;
}

static void open_settings_dialog(tui_app *a)
{
    client_conn *c;
    char why[TUI_WHY_MAX];
    if (!tui_action_allowed(a, ACTION_SETTINGS, a->selected, &c, why, sizeof why)) {
        tui_status(a, true, "%s", why);
        return;
    }
    const cps_settings *s = client_mirror_config(client_conn_mirror(c));
    char title[320], v[32];
    snprintf(title, sizeof title, "Call Park settings of %s", a->selected);
    ui_dialog_init(&a->dialog, title, "Save");
    ui_dialog_line(&a->dialog, "Settings are not replicated to the backup pool and are lost");
    ui_dialog_line(&a->dialog, "with the pool: orbitop keeps a copy in the backup vault.");
    snprintf(v, sizeof v, "%d", s->call_pickup_timeout_threshold);
    ui_dialog_text(&a->dialog, "timeout (10-600 s)", v, NULL);
    ui_dialog_check(&a->dialog, "music on hold", s->enable_music_on_hold);
    snprintf(v, sizeof v, "%d", s->max_call_pickup_attempts);
    ui_dialog_text(&a->dialog, "attempts (1-10)", v, NULL);
    ui_dialog_text(&a->dialog, "on timeout URI", s->on_timeout_uri, NULL);
    a->dialog_action = ACTION_SETTINGS;
    snprintf(a->dialog_pool, sizeof a->dialog_pool, "%s", a->selected);
    snprintf(a->dialog_target, sizeof a->dialog_target, "%s", a->selected);
    a->modal = MODAL_DIALOG;
}

static void open_moh_picker(tui_app *a)
{
    client_conn *c;
    char why[TUI_WHY_MAX];
    if (!tui_action_allowed(a, ACTION_MOH, a->selected, &c, why, sizeof why)) {
        tui_status(a, true, "%s", why);
        return;
    }
    if (!a->vault) {
        tui_status(a, true,
                   "MOH upload refused: the backup vault is not available, and an "
                   "upload is never made without a backup");
        return;
    }
    ui_filepick_free(a->picker);
    char title[320];
    snprintf(title, sizeof title, "Music on hold for %s: choose a .wav or .wma file", a->selected);
    a->picker = ui_filepick_new(NULL, title);
    if (!a->picker) {
        tui_status(a, true, "out of memory");
        return;
    }
    snprintf(a->dialog_pool, sizeof a->dialog_pool, "%s", a->selected);
    a->dialog_action = ACTION_MOH;
    a->modal = MODAL_PICK;
}

void tui_action_start(tui_app *a, tui_action act)
{
    switch (act) {
    case ACTION_FAILOVER:
    case ACTION_FAILBACK:
        open_dr_dialog(a, act);
        break;
    case ACTION_REASSIGN:
        open_reassign_dialog(a);
        break;
    case ACTION_SETTINGS:
        open_settings_dialog(a);
        break;
    case ACTION_MOH:
        open_moh_picker(a);
        break;
    default:
        break;
    }
    a->screen_dirty = true;
}

/* ---- accepting dialogs ---- */

static bool parse_int(const char *s, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < -1000000 || v > 1000000)
        return false;
    *out = (int)v;
    return true;
}

static void accept_settings(tui_app *a, client_conn *c)
{
    ui_dialog *d = &a->dialog;
    cps_settings s;
    cps_settings_default(&s);
    bool ok = true;
    for (int i = 0; i < d->nfields; i++)
        d->fields[i].error[0] = '\0';
    if (!parse_int(d->fields[0].text, &s.call_pickup_timeout_threshold)) {
        snprintf(d->fields[0].error, sizeof d->fields[0].error, "a whole number of seconds");
        ok = false;
    }
    s.enable_music_on_hold = d->fields[1].checked;
    if (!parse_int(d->fields[2].text, &s.max_call_pickup_attempts)) {
        snprintf(d->fields[2].error, sizeof d->fields[2].error, "a whole number");
        ok = false;
    }
    snprintf(s.on_timeout_uri, sizeof s.on_timeout_uri, "%s", d->fields[3].text);
    cps_field_error errs[CPS_FIELD_COUNT];
    size_t n = cps_settings_validate(&s, errs, CPS_FIELD_COUNT);
    for (size_t i = 0; i < n && i < CPS_FIELD_COUNT; i++) {
        int f = strcmp(errs[i].field, "call_pickup_timeout_threshold") == 0 ? 0
                : strcmp(errs[i].field, "max_call_pickup_attempts") == 0    ? 2
                                                                            : 3;
        if (!d->fields[f].error[0])
            snprintf(d->fields[f].error, sizeof d->fields[f].error, "%s", errs[i].reason);
        ok = false;
    }
    if (!ok) {
        snprintf(d->error, sizeof d->error, "fix the fields marked above");
        tui_status(a, true, "settings of %s not sent: a field is out of range", a->dialog_pool);
        return;
    }
    json_t *args = orbit_json_from_settings(&s);
    if (!args) {
        tui_status(a, true, "out of memory");
        return;
    }
    send(a, c, "config.set", args);
}

/* ---- redirecting pickup ranges ---- */

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
    if (ok) {
        a->redirect_done++;
    } else {
        a->redirect_failed++;
        snprintf(a->dialog.error, sizeof a->dialog.error, "%s: %s", orbit_err_name(err->code),
                 err->message);
    }
    if (a->redirect_done + a->redirect_failed < a->nredirect)
        return;
    a->dialog_busy = false;
    a->screen_dirty = a->data_dirty = true;
    if (a->redirect_failed) {
        tui_status(a, true, "redirect of %s's pickup ranges: %d of %d refused: %s", a->dialog_pool,
                   a->redirect_failed, a->nredirect, err ? err->message : "");
        return;
    }
    if (a->modal == MODAL_DIALOG && a->dialog_action == ACTION_REASSIGN)
        a->modal = MODAL_NONE;
    tui_status(a, false, "redirected %d pickup range(s) of %s to %s", a->redirect_done,
               a->dialog_pool, a->redirect_to);
}

static void redirect_send(tui_app *a, client_conn *c)
{
    a->redirect_done = a->redirect_failed = 0;
    for (int i = 0; i < a->nredirect; i++) {
        orbit_status st;
        json_t *args =
            json_pack("{s:s, s:s}", "identity", a->redirect_ids[i], "pool", a->redirect_to);
        if (!client_conn_cmd(c, "orbit.update", args, on_redirect_result, a, &st)) {
            a->redirect_failed++;
            snprintf(a->dialog.error, sizeof a->dialog.error, "%s", st.message);
        }
    }
    if (a->redirect_failed == a->nredirect) {
        tui_status(a, true, "redirect not sent: %s", a->dialog.error);
        return;
    }
    a->dialog_busy = true;
    snprintf(a->dialog.error, sizeof a->dialog.error, "sent; waiting for the answers...");
}

static void accept_dialog(tui_app *a)
{
    client_conn *c;
    char why[TUI_WHY_MAX];
    /* The gate again: the role or the connection may have changed while
     * the dialog was open. */
    if (!tui_action_allowed(a, a->dialog_action, a->dialog_target, &c, why, sizeof why)) {
        snprintf(a->dialog.error, sizeof a->dialog.error, "%s", why);
        tui_status(a, true, "%s", why);
        return;
    }
    ui_dialog *d = &a->dialog;
    switch (a->dialog_action) {
    case ACTION_FAILOVER: {
        bool disaster = d->fields[0].kind == UI_FIELD_CHECK && d->fields[0].checked;
        json_t *args = json_pack("{s:s, s:b}", "pool", a->dialog_pool, "disaster_mode", disaster);
        send(a, c, "pool.failover", args);
        break;
    }
    case ACTION_FAILBACK:
        send(a, c, "pool.failback", json_pack("{s:s}", "pool", a->dialog_pool));
        break;
    case ACTION_REASSIGN: {
        if (a->redirect_mode) {
            redirect_send(a, c);
            break;
        }
        if (a->range_mode) {
            const ui_field *tf = &d->fields[0];
            snprintf(a->dialog_pool, sizeof a->dialog_pool, "%s", tf->choices[tf->choice]);
            send(a, c, "orbit.update",
                 json_pack("{s:s, s:s}", "identity", a->range_id, "pool", tf->choices[tf->choice]));
            break;
        }
        const ui_field *ff = &d->fields[0], *tf = &d->fields[1], *ty = &d->fields[2];
        const char *type = ty->choice == 1 ? "GroupPickup" : ty->choice == 2 ? "CallPark" : NULL;
        json_t *args = json_pack("{s:s, s:s}", "from_pool", ff->choices[ff->choice], "to_pool",
                                 tf->choices[tf->choice]);
        if (args && type) /* no type: every type */
            json_object_set_new(args, "type", json_string(type));
        send(a, c, "orbit.reassign", args);
        break;
    }
    case ACTION_SETTINGS:
        accept_settings(a, c);
        break;
    case ACTION_MOH:
        break;
    default:
        break;
    }
}

/* ---- MOH upload ---- */

static bool on_upload_progress(void *ctx, uint64_t sent, uint64_t total)
{
    tui_app *a = ctx;
    a->upload_sent = sent;
    a->upload_total = total;
    a->screen_dirty = true;
    return true;
}

static void on_upload_done(void *ctx, const client_moh_result *r)
{
    tui_app *a = ctx;
    a->upload = NULL;
    a->modal = MODAL_NONE;
    a->screen_dirty = a->data_dirty = true;
    if (r->ok)
        tui_status(a, false,
                   "uploaded %s to %s: %llu bytes, SHA-256 %.16s verified; backup in "
                   "the vault",
                   r->moh.name, a->dialog_pool, (unsigned long long)r->moh.size, r->pool_sha256);
    else
        tui_status(a, true, "MOH upload to %s failed: %s (a backup copy is in the vault)",
                   a->dialog_pool, r->err.message);
}

static void start_upload(tui_app *a)
{
    client_conn *c;
    char why[TUI_WHY_MAX];
    if (!tui_action_allowed(a, ACTION_MOH, a->dialog_pool, &c, why, sizeof why)) {
        a->modal = MODAL_NONE;
        tui_status(a, true, "%s", why);
        return;
    }
    char http[300];
    client_conn_http_base(c, http, sizeof http);
    orbit_status st;
    a->upload_sent = 0;
    struct stat sb;
    a->upload_total = stat(a->upload_path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
    const char *user = getenv("USER");
    char who[128];
    snprintf(who, sizeof who, "%s (orbitop)", user ? user : "operator");
    a->upload =
        client_moh_upload_start(a->rest, a->vault, a->dialog_pool, http, a->token, a->upload_path,
                                NULL, who, on_upload_progress, on_upload_done, a, &st);
    if (!a->upload) {
        a->modal = MODAL_NONE;
        tui_status(a, true, "MOH upload to %s not started: %s", a->dialog_pool, st.message);
        return;
    }
    a->modal = MODAL_UPLOAD;
}

void tui_action_pick_key(tui_app *a, int key)
{
    ui_pick_result r = ui_filepick_key(a->picker, key);
    if (r == UI_PICK_CANCELLED) {
        a->modal = MODAL_NONE;
        tui_status(a, false, "MOH upload cancelled");
    } else if (r == UI_PICK_CHOSEN) {
        snprintf(a->upload_path, sizeof a->upload_path, "%s", ui_filepick_path(a->picker));
        struct stat sb;
        long long size = stat(a->upload_path, &sb) == 0 ? (long long)sb.st_size : -1;
        char copy[1024];
        snprintf(copy, sizeof copy, "%s", a->upload_path);
        ui_dialog_init(&a->dialog, "Upload music on hold", "Upload");
        ui_dialog_line(&a->dialog, "File: %s (%lld bytes)", basename(copy), size);
        ui_dialog_line(&a->dialog, "To:   %s (replaces its current MOH)", a->dialog_pool);
        ui_dialog_line(&a->dialog, "A copy goes to the backup vault first; the pool's SHA-256");
        ui_dialog_line(&a->dialog, "is compared with the file's after the upload.");
        a->dialog_action = ACTION_MOH;
        a->modal = MODAL_DIALOG;
    }
    a->screen_dirty = true;
}

void tui_action_upload_key(tui_app *a, int key)
{
    if (key == 27 && a->upload) {
        client_moh_upload_cancel(a->upload);
        a->screen_dirty = true;
    }
}

void tui_action_dialog_key(tui_app *a, int key)
{
    if (a->dialog_busy && key != 27)
        return; /* one command at a time */
    ui_dialog_result r = ui_dialog_key(&a->dialog, key);
    if (r == UI_DIALOG_CANCELLED) {
        a->modal = MODAL_NONE;
        a->dialog_busy = false;
        tui_status(a, false, "%s cancelled", ACTION_NAMES[a->dialog_action]);
    } else if (r == UI_DIALOG_ACCEPTED) {
        if (a->dialog_action == ACTION_MOH)
            start_upload(a);
        else
            accept_dialog(a);
    }
    a->screen_dirty = true;
}
