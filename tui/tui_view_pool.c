/* tui_view_pool: one pool in detail: its heartbeat and this console's
 * link to it, the DR state of its users, its Call Park settings, its
 * music on hold with whether the backup vault holds a copy, and its SIP
 * edge's counters (GET /v1/sip, asked every SIP_REFRESH_MS while shown,
 * off the UI thread like every request). [ and ] change pool; :pool NAME
 * opens one. */
#include "tui_keys.h"
#include "tui_model.h"
#include "tui_view.h"

#include "client_rest.h"
#include "orbit_sha256.h"
#include "orbit_time.h"

#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CMD_PREV = TUI_CMD_OWN, CMD_NEXT };

#define KEY_COLUMN 31

typedef struct {
    int y, end; /* the next row, the first row past the view */
    int gaps;   /* blank rows between sections the height allows */
    tui_rect r;
} cursor;

/* Rows the detail takes without its blank rows; the SIP edge adds its. */
#define DETAIL_ROWS    18
#define SIP_ROWS       5
#define SIP_REFRESH_MS 2000

typedef struct {
    tui_app *a;
    char sip_pool[ORBIT_FQDN_MAX + 1]; /* whose edge sip describes */
    json_t *sip;                       /* its last GET /v1/sip (owned), or NULL */
    char sip_error[ORBIT_STATUS_MESSAGE_MAX];
    int64_t sip_asked_ms;
    bool sip_pending;
} pool_view;

static void gap(cursor *c)
{
    if (c->gaps > 0) {
        c->gaps--;
        c->y++;
    }
}

static int attr(const tui_app *a, ui_role role)
{
    return ui_theme_attr(&a->scr.theme, role);
}

/* One "key   value" row; a long value wraps onto the rows below. */
static void kv(tui_app *a, cursor *c, const char *key, const char *value, ui_role role)
{
    if (c->y >= c->end)
        return;
    int x = c->r.x + 2, w = c->r.w - 4;
    ui_put(stdscr, c->y, x, KEY_COLUMN, attr(a, UI_ROLE_DIM) | A_BOLD, UI_LEFT, key,
           &a->scr.glyphs);
    c->y += ui_put_wrapped(stdscr, c->y, x + KEY_COLUMN, w - KEY_COLUMN, c->end - c->y,
                           attr(a, role), value, &a->scr.glyphs);
}

static void heading(tui_app *a, cursor *c, const char *text)
{
    if (c->y < c->end)
        ui_put(stdscr, c->y++, c->r.x, c->r.w, attr(a, UI_ROLE_TITLE), UI_LEFT, text,
               &a->scr.glyphs);
}

static ui_role phase_role(dr_phase p)
{
    return p == DR_PHASE_NORMAL        ? UI_ROLE_UP
           : p == DR_PHASE_FAILED_OVER ? UI_ROLE_FAILED_OVER
                                       : UI_ROLE_WARN;
}

static long long counter(const json_t *counters, const char *key)
{
    return (long long)json_integer_value(json_object_get(counters, key));
}

/* The SIP edge: where it listens, what it holds now, what it did and
 * what it refused, as the pool last told. */
static void draw_sip(tui_app *a, pool_view *s, const pool_info *p, cursor *c)
{
    char v[400];
    heading(a, c, " SIP edge");
    bool ours = strcmp(s->sip_pool, p->fqdn) == 0;
    const json_t *sip = ours ? s->sip : NULL;
    if (!sip) {
        /* An error is shown only for the pool it came from. */
        bool failed = ours && s->sip_error[0];
        kv(a, c, "counters", failed ? s->sip_error : "asking the pool",
           failed ? UI_ROLE_WARN : UI_ROLE_DIM);
        return;
    }
    if (!json_is_true(json_object_get(sip, "enabled"))) {
        kv(a, c, "address", "none: this pool has no SIP edge", UI_ROLE_DIM);
        return;
    }
    const json_t *n = json_object_get(sip, "counters");
    const char *uri = json_string_value(json_object_get(sip, "uri"));
    const char *auth = json_string_value(json_object_get(sip, "auth"));
    snprintf(v, sizeof v, "%s, %s authentication, RTP %lld-%lld%s", uri ? uri : "?",
             auth ? auth : "?",
             (long long)json_integer_value(json_object_get(sip, "media_port_min")),
             (long long)json_integer_value(json_object_get(sip, "media_port_max")),
             json_is_true(json_object_get(sip, "serving")) ? "" : " (not serving yet)");
    kv(a, c, "address", v, UI_ROLE_NORMAL);
    snprintf(
        v, sizeof v, "%lld registered, %lld call legs (%lld ringing)", counter(n, "registrations"),
        counter(n, "dialogs_early") + counter(n, "dialogs_confirmed"), counter(n, "dialogs_early"));
    kv(a, c, "now", v, UI_ROLE_NORMAL);
    snprintf(v, sizeof v,
             "%lld parked, %lld retrieved, %lld rung back, %lld picked up, %lld forwarded",
             counter(n, "parks"), counter(n, "retrieves"), counter(n, "ringbacks"),
             counter(n, "pickups"), counter(n, "forwards"));
    kv(a, c, "calls since start", v, UI_ROLE_NORMAL);
    long long bad = counter(n, "malformed") + counter(n, "flood_dropped") +
                    counter(n, "auth_failures") + counter(n, "media_timeouts") +
                    counter(n, "port_errors");
    snprintf(v, sizeof v,
             "%lld refused, %lld malformed, %lld flood, %lld auth failures, %lld media timeouts, "
             "%lld pool errors",
             counter(n, "refused"), counter(n, "malformed"), counter(n, "flood_dropped"),
             counter(n, "auth_failures"), counter(n, "media_timeouts"), counter(n, "port_errors"));
    kv(a, c, "refused and failed", v, bad ? UI_ROLE_WARN : UI_ROLE_NORMAL);
}

static void draw(tui_app *a, void *state, tui_rect r)
{
    pool_view *s = state;
    const client_mirror *any = tui_model_mirror(a);
    const pool_info *p = any ? client_mirror_pool(any, a->model.selected) : NULL;
    if (!p) {
        ui_put(stdscr, r.y + 1, 2, r.w - 4, attr(a, UI_ROLE_WARN), UI_LEFT,
               "no pool selected (choose one in the overview, or :pool NAME)", &a->scr.glyphs);
        return;
    }
    client_conn *conn = tui_model_conn(a, p->fqdn);
    const client_mirror *m = tui_model_own(a, p->fqdn);
    int64_t now = orbit_time_now_ms();
    char v[800], d[32], title[600];
    cursor c = {r.y, r.y + r.h, r.h - DETAIL_ROWS - SIP_ROWS - 1, r};
    snprintf(title, sizeof title, " %s  (site %s, backup %s)", p->fqdn, p->site,
             p->backup[0] ? p->backup : "none");
    heading(a, &c, title);
    gap(&c);
    tui_pool_words words;
    tui_model_pool_words(a, p, &words);
    ui_duration(now - p->last_seen_ms, d, sizeof d);
    snprintf(v, sizeof v, "%s (store heartbeat %s%s)", words.heartbeat,
             p->last_seen_ms ? d : "never", p->last_seen_ms ? " ago" : "");
    kv(a, &c, "heartbeat", v, p->status == POOL_STATUS_DOWN ? UI_ROLE_DOWN : UI_ROLE_NORMAL);
    if (conn) {
        int64_t last = client_conn_last_frame_ms(conn);
        ui_duration(now - last, d, sizeof d);
        snprintf(v, sizeof v, "%s, last frame %s%s, role %s", words.link[0] ? words.link : "live",
                 last ? d : "never", last ? " ago" : "",
                 client_conn_role(conn)[0] ? client_conn_role(conn) : "?");
        kv(a, &c, "this console's link", v, words.old ? UI_ROLE_WARN : UI_ROLE_NORMAL);
        snprintf(v, sizeof v, "%s rev %lld", client_conn_url(conn),
                 (long long)client_conn_rev(conn));
        kv(a, &c, "stream", v, UI_ROLE_NORMAL);
        if (client_conn_error(conn)[0]) {
            snprintf(v, sizeof v, "%s (attempt %d)", client_conn_error(conn),
                     client_conn_attempts(conn));
            kv(a, &c, "last problem", v, UI_ROLE_WARN);
        }
    } else {
        kv(a, &c, "this console's link", "none: not a pool of the configured deployment",
           UI_ROLE_WARN);
    }
    const dr_state *dr = any ? client_mirror_dr(any, p->fqdn) : NULL;
    if (dr) {
        ui_duration(now - dr->since_ms, d, sizeof d);
        snprintf(v, sizeof v, "%s for %s%s", dr_phase_name(dr->phase), d,
                 dr->disaster_mode ? " (disaster mode)" : "");
        kv(a, &c, "users homed here", v, phase_role(dr->phase));
        kv(a, &c, "served by", dr->serving, phase_role(dr->phase));
        kv(a, &c, "their GroupPickup ranges",
           dr->pickup_ranges_redirected ? "with the serving pool" : "NOT redirected (R)",
           dr->pickup_ranges_redirected ? UI_ROLE_NORMAL : UI_ROLE_WARN);
    }
    gap(&c);
    if (!m) {
        kv(a, &c, "settings and MOH", "unknown: no data from this pool", UI_ROLE_WARN);
        return;
    }
    const cps_settings *cfg = client_mirror_config(m);
    heading(a, &c, " Call Park settings");
    snprintf(v, sizeof v, "%d s", cfg->call_pickup_timeout_threshold);
    kv(a, &c, "call_pickup_timeout_threshold", v, UI_ROLE_NORMAL);
    kv(a, &c, "enable_music_on_hold", cfg->enable_music_on_hold ? "true" : "false", UI_ROLE_NORMAL);
    snprintf(v, sizeof v, "%d", cfg->max_call_pickup_attempts);
    kv(a, &c, "max_call_pickup_attempts", v, UI_ROLE_NORMAL);
    kv(a, &c, "on_timeout_uri", cfg->on_timeout_uri[0] ? cfg->on_timeout_uri : "(none)",
       UI_ROLE_NORMAL);
    gap(&c);
    const moh_info *moh = client_mirror_moh(m);
    heading(a, &c, " Music on hold");
    snprintf(v, sizeof v, "%s%s", moh->name, moh->is_default ? " (the default)" : "");
    kv(a, &c, "file", v, UI_ROLE_NORMAL);
    /* The whole SHA-256 when it fits; its start otherwise (orbitctl moh
     * backups shows it whole). */
    bool wide = c.r.w - 4 - KEY_COLUMN >= ORBIT_SHA256_HEX + 16;
    snprintf(v, sizeof v, "%llu bytes, %.*s%s", (unsigned long long)moh->size,
             wide ? ORBIT_SHA256_HEX : 16, moh->sha256, wide ? "" : a->scr.glyphs.ellipsis);
    kv(a, &c, "size, SHA-256", v, UI_ROLE_NORMAL);
    client_vault *vault = tui_model_vault(a);
    bool backed = vault && client_vault_has(vault, p->fqdn, moh->sha256);
    kv(a, &c, "in the backup vault",
       moh->is_default ? "not needed (ships with orbit)"
       : backed        ? "yes"
                       : "NO: upload it here (U) or with orbitctl moh upload",
       moh->is_default || backed ? UI_ROLE_UP : UI_ROLE_WARN);
    gap(&c);
    draw_sip(a, s, p, &c);
}

static void step(tui_app *a, int dir)
{
    const client_mirror *m = tui_model_mirror(a);
    size_t n = m ? client_mirror_pool_count(m) : 0;
    if (!n)
        return;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(client_mirror_pool_at(m, i)->fqdn, a->model.selected) == 0)
            at = i;
    }
    at = (at + (dir > 0 ? 1 : n - 1)) % n;
    tui_model_select(a, client_mirror_pool_at(m, at)->fqdn);
}

static bool key(tui_app *a, void *state, int cmd, int k)
{
    (void)state;
    (void)k;
    if (cmd == CMD_PREV || cmd == TUI_CMD_LEFT || cmd == TUI_CMD_UP)
        step(a, -1);
    else if (cmd == CMD_NEXT || cmd == TUI_CMD_RIGHT || cmd == TUI_CMD_DOWN)
        step(a, 1);
    else
        return false;
    return true;
}

static bool arg(tui_app *a, void *state, const char *text, char *why, size_t whylen)
{
    (void)state;
    const pool_info *p = tui_model_pool_named(a, text, why, whylen);
    if (p)
        tui_model_select(a, p->fqdn);
    return p != NULL;
}

static void on_sip(void *ctx, long status, const char *body, size_t len, const orbit_status *err)
{
    pool_view *s = ctx;
    s->sip_pending = false;
    json_t *doc = err ? NULL : json_loadb(body ? body : "", len, 0, NULL);
    bool ok = !err && status == 200 && json_is_object(doc);
    if (err)
        snprintf(s->sip_error, sizeof s->sip_error, "%s", err->message);
    else if (!ok)
        snprintf(s->sip_error, sizeof s->sip_error, "GET /v1/sip answered %ld", status);
    else
        s->sip_error[0] = '\0';
    /* After a failure the old counters would read as current: none. */
    json_decref(s->sip);
    s->sip = ok ? json_incref(doc) : NULL;
    json_decref(doc);
    s->a->scr.screen_dirty = true;
}

static void tick(tui_app *a, void *state, int64_t now_ms)
{
    pool_view *s = state;
    const client_mirror *any = tui_model_mirror(a);
    const pool_info *p = any ? client_mirror_pool(any, a->model.selected) : NULL;
    /* Asked of every pool: one whose topology names no SIP URI may
     * still run an edge, and one without says so. */
    client_conn *c = p ? tui_model_conn(a, p->fqdn) : NULL;
    if (!c || s->sip_pending)
        return;
    bool other = strcmp(s->sip_pool, p->fqdn) != 0;
    if (!other && now_ms - s->sip_asked_ms < SIP_REFRESH_MS)
        return;
    char url[CLIENT_URL_MAX + 16], http[CLIENT_URL_MAX];
    if (!client_conn_http_base(c, http, sizeof http))
        return;
    if (other) {
        json_decref(s->sip);
        s->sip = NULL;
        s->sip_error[0] = '\0';
        snprintf(s->sip_pool, sizeof s->sip_pool, "%s", p->fqdn);
    }
    snprintf(url, sizeof url, "%s/v1/sip", http);
    s->sip_asked_ms = now_ms;
    orbit_status st;
    if (client_rest_get(a->net.rest, url, a->opt.target->token, on_sip, s, &st))
        s->sip_pending = true;
    else
        snprintf(s->sip_error, sizeof s->sip_error, "%s", st.message);
}

static bool init(tui_app *a, void **state)
{
    pool_view *s = calloc(1, sizeof *s);
    if (!s)
        return false;
    s->a = a;
    *state = s;
    return true;
}

static void fini(void *state)
{
    pool_view *s = state;
    if (!s)
        return;
    json_decref(s->sip);
    free(s);
}

static const ui_key KEYS[] = {
    {'[', CMD_PREV, "prev", "Prev", "the previous pool", 0},
    {']', CMD_NEXT, "next", "Next", "the next pool", 0},
};

const tui_view_def TUI_VIEW_POOL = {
    .tab = "Pool",
    .word = "pool",
    .summary = "one pool: heartbeat and link, DR state, settings, music on hold, SIP edge "
               "(:pool NAME)",
    .init = init,
    .fini = fini,
    .draw = draw,
    .key = key,
    .arg = arg,
    .tick = tick,
    .keys = KEYS,
    .nkeys = sizeof KEYS / sizeof KEYS[0],
};
