/* tui_view_events: the live events of every pool, the newest first, and
 * the selected pool's audit log. The live log follows the newest event
 * unless the operator pauses it (f, or moving the selection): then the
 * rows stay where they are and the title says how many newer events wait
 * above; g or f follows again, and so does a new filter, so matches never
 * hide above the screen. The title says when the oldest events have been
 * dropped (the log keeps TUI_EVENT_LOG). While it follows, the log moves
 * once a second at most: at a thousand events a second no one reads a
 * list that scrolls at every frame, and each scroll rewrites every row
 * on the terminal. */
#include "tui_keys.h"
#include "tui_model.h"
#include "tui_tableview.h"

#include "orbit_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CMD_FOLLOW = TUI_CMD_OWN, CMD_AUDIT };

#define AUDIT_REFRESH_MS 5000

typedef struct {
    tui_app *a;
    ui_table *events, *audit;
    char filter_seen[128]; /* the events filter as of the last rebuild */
    /* The log as shown: events seen up to this one (newer ones wait for
     * the next second while following), and the second it was taken. */
    uint64_t shown_seen;
    int64_t shown_second;
    bool show_audit;
    json_t *entries; /* the audit log, oldest first */
    char audit_pool[ORBIT_FQDN_MAX + 1];
    char audit_error[320];
    int64_t audit_fetched_ms;
    bool audit_pending;
} events_state;

/* ---- live events ---- */

static const ui_column EVENT_COLUMNS[] = {
    {"TIME", 8, 0, UI_LEFT, 't'},
    {"POOL", 14, 2, UI_LEFT, 'p'},
    {"KIND", 18, 1, UI_LEFT, 'k'},
    {"WHAT", 30, 6, UI_LEFT, 'w'},
};

/* Events newer than the log as shown. */
static size_t hidden(const events_state *s)
{
    uint64_t newer = s->a->model.events_seen - s->shown_seen;
    return newer < s->a->model.events_count ? (size_t)newer : s->a->model.events_count;
}

/* Row `row` of the log as shown, 0 the newest. */
static const tui_event *shown_at(const events_state *s, size_t row)
{
    return tui_model_event_at(s->a, row + hidden(s));
}

static size_t events_count(void *ctx)
{
    const events_state *s = ctx;
    return s->a->model.events_count - hidden(s);
}

static void events_cell(void *ctx, size_t row, int col, char *buf, size_t len, ui_role *role)
{
    const tui_event *e = shown_at(ctx, row);
    if (!e) {
        buf[0] = '\0';
        return;
    }
    switch (col) {
    case 0: {
        char t[40];
        orbit_time_rfc3339(e->time_ms, t, sizeof t);
        snprintf(buf, len, "%.8s", t + 11);
        break;
    }
    case 1:
        snprintf(buf, len, "%s", e->pool);
        break;
    case 2:
        snprintf(buf, len, "%s", e->kind);
        if (strstr(e->kind, "disconnected") || strstr(e->kind, "dropped") ||
            strcmp(e->kind, "pool.status") == 0)
            *role = UI_ROLE_WARN;
        else if (strncmp(e->kind, "dr.", 3) == 0)
            *role = UI_ROLE_FAILED_OVER;
        break;
    default:
        snprintf(buf, len, "%s", e->summary);
    }
}

static int events_compare(void *ctx, size_t x, size_t y, int col)
{
    events_state *s = ctx;
    const tui_event *p = shown_at(s, x), *q = shown_at(s, y);
    switch (col) {
    case 1:
        return strcmp(p->pool, q->pool);
    case 2:
        return strcmp(p->kind, q->kind);
    case 3:
        return strcmp(p->summary, q->summary);
    default: /* in the order they came: ascending is the oldest first */
        return tui_cmp_i64((int64_t)p->seq, (int64_t)q->seq);
    }
}

static void events_key(void *ctx, size_t row, char *buf, size_t len)
{
    const tui_event *e = shown_at(ctx, row);
    snprintf(buf, len, "%llu", e ? (unsigned long long)e->seq : 0ULL);
}

static const ui_table_source EVENTS = {events_count, events_cell, events_compare, events_key};

/* ---- audit log ---- */

static const ui_column AUDIT_COLUMNS[] = {
    {"TIME", 19, 0, UI_LEFT, 't'},   {"TOKEN", 12, 1, UI_LEFT, 'n'},
    {"ROLE", 8, 0, UI_LEFT, 'l'},    {"OP", 14, 1, UI_LEFT, 'o'},
    {"RESULT", 10, 0, UI_LEFT, 'r'}, {"ARGUMENTS", 20, 5, UI_LEFT, 'a'},
};

static const char *text(const json_t *d, const char *key)
{
    const char *v = json_string_value(json_object_get(d, key));
    return v ? v : "";
}

static const json_t *audit_at(const events_state *s, size_t row)
{
    size_t n = json_array_size(s->entries);
    return row < n ? json_array_get(s->entries, n - 1 - row) : NULL;
}

static size_t audit_count(void *ctx)
{
    return json_array_size(((events_state *)ctx)->entries);
}

static void audit_cell(void *ctx, size_t row, int col, char *buf, size_t len, ui_role *role)
{
    const json_t *e = audit_at(ctx, row);
    bool ok = json_is_true(json_object_get(e, "ok"));
    switch (col) {
    case 0:
        snprintf(buf, len, "%.19s", text(e, "time"));
        break;
    case 1:
        snprintf(buf, len, "%s", text(e, "who"));
        break;
    case 2:
        snprintf(buf, len, "%s", text(e, "role"));
        break;
    case 3:
        snprintf(buf, len, "%s", text(e, "op"));
        break;
    case 4:
        snprintf(buf, len, "%s", ok ? "ok" : text(json_object_get(e, "error"), "code"));
        if (!ok)
            *role = UI_ROLE_STATUS_ERROR;
        break;
    default: {
        char *j = json_dumps(json_object_get(e, "args"), JSON_COMPACT);
        snprintf(buf, len, "%s", j ? j : "");
        free(j);
    }
    }
}

static int audit_compare(void *ctx, size_t x, size_t y, int col)
{
    const json_t *p = audit_at(ctx, x), *q = audit_at(ctx, y);
    static const char *const keys[] = {"time", "who", "role", "op", "ok", "op"};
    if (col == 0) /* row 0 is the newest: ascending is the oldest first */
        return tui_cmp_i64((int64_t)y, (int64_t)x);
    return strcmp(text(p, keys[col < 6 ? col : 5]), text(q, keys[col < 6 ? col : 5]));
}

static void audit_key(void *ctx, size_t row, char *buf, size_t len)
{
    const json_t *e = audit_at(ctx, row);
    snprintf(buf, len, "%lld %s", (long long)json_integer_value(json_object_get(e, "time_ms")),
             text(e, "op"));
}

static const ui_table_source AUDIT = {audit_count, audit_cell, audit_compare, audit_key};

static void on_audit(void *ctx, long status, const char *body, size_t len, const orbit_status *err)
{
    events_state *s = ctx;
    s->audit_pending = false;
    s->audit_fetched_ms = orbit_time_now_ms();
    if (err) {
        snprintf(s->audit_error, sizeof s->audit_error, "%s", err->message);
    } else {
        json_t *doc = json_loadb(body ? body : "", len, 0, NULL);
        if (status == 403) {
            snprintf(s->audit_error, sizeof s->audit_error,
                     "the audit log needs an operator token");
        } else if (status != 200 || !json_is_array(json_object_get(doc, "entries"))) {
            snprintf(s->audit_error, sizeof s->audit_error, "GET /v1/audit answered %ld", status);
        } else {
            json_decref(s->entries);
            s->entries = json_incref(json_object_get(doc, "entries"));
            s->audit_error[0] = '\0';
        }
        json_decref(doc);
    }
    s->a->scr.data_dirty = s->a->scr.screen_dirty = true;
}

static void fetch_audit(tui_app *a, events_state *s)
{
    client_conn *c = tui_model_conn(a, a->model.selected);
    if (s->audit_pending || !c)
        return;
    char url[CLIENT_URL_MAX + 64], http[CLIENT_URL_MAX];
    if (!client_conn_http_base(c, http, sizeof http))
        return;
    snprintf(url, sizeof url, "%s/v1/audit?limit=1000", http);
    snprintf(s->audit_pool, sizeof s->audit_pool, "%s", a->model.selected);
    orbit_status st;
    if (client_rest_get(a->net.rest, url, a->opt.target->token, on_audit, s, &st))
        s->audit_pending = true;
    else
        snprintf(s->audit_error, sizeof s->audit_error, "%s", st.message);
}

/* ---- the view ---- */

static bool init(tui_app *a, void **state)
{
    events_state *s = calloc(1, sizeof *s);
    if (!s)
        return false;
    s->a = a;
    s->events = ui_table_new(EVENT_COLUMNS, 4, 0, true);
    s->audit = ui_table_new(AUDIT_COLUMNS, 6, 0, true);
    if (!s->events || !s->audit) {
        ui_table_free(s->events);
        ui_table_free(s->audit);
        free(s);
        return false;
    }
    ui_table_set_follow(s->events, true);
    *state = s;
    return true;
}

static void fini(void *state)
{
    events_state *s = state;
    if (!s)
        return;
    ui_table_free(s->events);
    ui_table_free(s->audit);
    json_decref(s->entries);
    free(s);
}

static void rebuild(tui_app *a, void *state)
{
    events_state *s = state;
    /* A new filter shows the newest matches, not the old position. */
    if (strcmp(s->filter_seen, ui_table_filter(s->events)) != 0) {
        snprintf(s->filter_seen, sizeof s->filter_seen, "%s", ui_table_filter(s->events));
        ui_table_set_follow(s->events, true);
    }
    /* Following, the newest events join once a second; paused, the rows
     * stay put by their keys, so every event can be listed at once. */
    int64_t second = orbit_time_now_ms() / 1000;
    if (!ui_table_following(s->events) || second != s->shown_second) {
        s->shown_seen = a->model.events_seen;
        s->shown_second = second;
    }
    ui_table_rebuild(s->events, &EVENTS, s);
    ui_table_rebuild(s->audit, &AUDIT, s);
}

static void draw(tui_app *a, void *state, tui_rect r)
{
    events_state *s = state;
    char title[800], note[300];
    if (s->show_audit) {
        snprintf(title, sizeof title, "audit log of %s (a: live events)%s%s", s->audit_pool,
                 s->audit_error[0] ? ": " : "", s->audit_error);
        tui_tableview_draw(a, s->audit, &AUDIT, s, r, title, NULL);
        return;
    }
    /* The log's limit is always said: a count that stops at it is not a
     * deployment gone quiet. It comes after whether the log follows,
     * which must fit at 80 columns even with a filter. */
    char kept[160];
    if (s->shown_seen > TUI_EVENT_LOG)
        snprintf(kept, sizeof kept, "%d of %llu kept", TUI_EVENT_LOG,
                 (unsigned long long)s->shown_seen);
    else
        snprintf(kept, sizeof kept, "up to %d kept", TUI_EVENT_LOG);
    bool newest_first = ui_table_sort_column(s->events) == 0 && ui_table_sort_descending(s->events);
    if (ui_table_following(s->events))
        snprintf(note, sizeof note, "following%s (f: pause); %s", newest_first ? " the newest" : "",
                 kept);
    else if (newest_first)
        snprintf(note, sizeof note, "PAUSED, %zu newer above (f: follow); %s",
                 ui_table_selected_pos(s->events), kept);
    else
        snprintf(note, sizeof note, "PAUSED (f: follow); %s", kept);
    snprintf(title, sizeof title, "live events");
    tui_tableview_draw(a, s->events, &EVENTS, s, r, title, note);
}

static bool key(tui_app *a, void *state, int cmd, int k)
{
    (void)k;
    events_state *s = state;
    ui_table *t = s->show_audit ? s->audit : s->events;
    switch (cmd) {
    case CMD_FOLLOW:
        ui_table_set_follow(s->events, !ui_table_following(s->events));
        break;
    case CMD_AUDIT:
        s->show_audit = !s->show_audit;
        if (s->show_audit)
            fetch_audit(a, s);
        break;
    case TUI_CMD_TOP:
        if (!s->show_audit)
            ui_table_set_follow(s->events, true);
        return tui_tableview_key(a, t, cmd);
    case TUI_CMD_UP:
    case TUI_CMD_DOWN:
    case TUI_CMD_PAGE_UP:
    case TUI_CMD_PAGE_DOWN:
    case TUI_CMD_BOTTOM:
        /* Reading an event pauses the log: rows stop moving under it. */
        if (!s->show_audit)
            ui_table_set_follow(s->events, false);
        return tui_tableview_key(a, t, cmd);
    default:
        return tui_tableview_key(a, t, cmd);
    }
    a->scr.data_dirty = a->scr.screen_dirty = true;
    return true;
}

static ui_table *table(void *state)
{
    events_state *s = state;
    return s->show_audit ? s->audit : s->events;
}

static void select_row(tui_app *a, void *state, tui_selection *sel)
{
    events_state *s = state;
    const tui_event *e = s->show_audit ? NULL : shown_at(s, ui_table_selected(s->events));
    snprintf(sel->pool, sizeof sel->pool, "%s", e && e->pool[0] ? e->pool : a->model.selected);
}

static void click(tui_app *a, void *state, int y, int x, bool twice)
{
    (void)x;
    (void)twice;
    events_state *s = state;
    if (!s->show_audit)
        ui_table_set_follow(s->events, false);
    if (ui_table_click(table(s), y))
        a->scr.screen_dirty = true;
}

static void tick(tui_app *a, void *state, int64_t now_ms)
{
    events_state *s = state;
    /* Events held back last second are shown in this one. */
    if (s->shown_seen != a->model.events_seen && now_ms / 1000 != s->shown_second)
        a->scr.data_dirty = true;
    if (s->show_audit && now_ms - s->audit_fetched_ms > AUDIT_REFRESH_MS)
        fetch_audit(a, s);
}

static const ui_key KEYS[] = {
    {'f', CMD_FOLLOW, "follow", "Follow", "follow the newest events, or pause the log", 0},
    {'a', CMD_AUDIT, "audit", "Audit",
     "switch between the live events and the selected pool's audit log (TOKEN: the token's "
     "name)",
     0},
};

const tui_view_def TUI_VIEW_EVENTS = {
    .tab = "Events",
    .word = "events",
    .summary = "the live events of every pool, the newest first, and the audit log",
    .init = init,
    .fini = fini,
    .rebuild = rebuild,
    .draw = draw,
    .key = key,
    .table = table,
    .select = select_row,
    .click = click,
    .tick = tick,
    .keys = KEYS,
    .nkeys = sizeof KEYS / sizeof KEYS[0],
};
