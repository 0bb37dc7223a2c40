/* tui_views: drawing the console: header, tabs, the six views, the status
 * line, the footer, modals, and the "too small" screen. Everything is
 * drawn into curses' virtual screen; doupdate() sends only the cells that
 * changed. */
#include "tui_app.h"
#include "client_view.h"
#include "tui_keys.h"

#include "orbit_time.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

static const char *const VIEW_NAMES[VIEW_COUNT] = {"Overview", "Orbits", "Parked",
                                                   "Queues",   "Pool",   "Events"};

const char *tui_view_name(tui_view v)
{
    return (unsigned)v < VIEW_COUNT ? VIEW_NAMES[v] : "?";
}

static int attr(const tui_app *a, ui_role r)
{
    return ui_theme_attr(&a->theme, r);
}

/* ---- header, tabs, status, footer ---- */

static void draw_header(tui_app *a, int cols)
{
    size_t n = client_hub_count(a->hub), nlive = 0;
    for (size_t i = 0; i < n; i++)
        nlive += client_conn_get_state(client_hub_at(a->hub, i)) == CLIENT_CONN_LIVE;
    char when[40], left[200];
    orbit_time_rfc3339(orbit_time_now_ms(), when, sizeof when);
    snprintf(left, sizeof left, " orbitop  %zu/%zu pools connected", nlive, n);
    int h = attr(a, UI_ROLE_HEADER);
    ui_fill(stdscr, 0, 0, cols, h);
    ui_put(stdscr, 0, 0, cols, h, UI_LEFT, left, &a->glyphs);
    int x = cols - 24;
    ui_putf(stdscr, 0, x, 23, h, &a->glyphs, "%.10s %.8s UTC", when, when + 11);
    if (tui_read_only(a)) {
        /* A permanent badge: watch mode cannot be missed. */
        const char *badge = " READ-ONLY ";
        int bw = ui_text_width(badge);
        ui_put(stdscr, 0, x - bw - 1, bw, attr(a, UI_ROLE_BADGE), UI_LEFT, badge, &a->glyphs);
    }
}

static void draw_tabs(tui_app *a, int cols)
{
    ui_fill(stdscr, 1, 0, cols, attr(a, UI_ROLE_TAB));
    int x = 0;
    for (int v = 0; v < VIEW_COUNT; v++) {
        char label[32];
        snprintf(label, sizeof label, " %d %s ", v + 1, VIEW_NAMES[v]);
        int w = ui_text_width(label);
        if (x + w > cols)
            break;
        ui_put(stdscr, 1, x, w, attr(a, v == (int)a->view ? UI_ROLE_TAB_ACTIVE : UI_ROLE_TAB),
               UI_LEFT, label, &a->glyphs);
        x += w;
    }
}

static void draw_status(tui_app *a, int y, int cols)
{
    if (a->filtering) {
        ui_putf(stdscr, y, 0, cols, attr(a, UI_ROLE_INPUT), &a->glyphs, "filter: %s_", a->filter);
        return;
    }
    ui_put(stdscr, y, 0, cols, attr(a, a->status_error ? UI_ROLE_STATUS_ERROR : UI_ROLE_STATUS_OK),
           UI_LEFT, a->status, &a->glyphs);
}

/* ---- overview ---- */

static const char *pool_state(const tui_app *a, const pool_info *p, client_conn *c, ui_role *role)
{
    bool connected = c && client_conn_get_state(c) == CLIENT_CONN_LIVE;
    if (p->status == POOL_STATUS_DOWN) {
        *role = UI_ROLE_DOWN;
        return "DOWN";
    }
    if (!connected) {
        *role = UI_ROLE_WARN;
        return c && client_conn_get_state(c) != CLIENT_CONN_IDLE ? "connecting" : "unreachable";
    }
    if (client_conn_stale(c)) {
        *role = UI_ROLE_DIM;
        return "stale";
    }
    (void)a;
    *role = UI_ROLE_UP;
    return "up";
}

static ui_role phase_role(dr_phase p)
{
    switch (p) {
    case DR_PHASE_NORMAL:
        return UI_ROLE_UP;
    case DR_PHASE_FAILED_OVER:
        return UI_ROLE_FAILED_OVER;
    default:
        return UI_ROLE_WARN;
    }
}

/* One pool's box in the overview, 7 lines. */
static void draw_pool_box(tui_app *a, const client_mirror *m, const pool_info *p, int y, int x,
                          int w)
{
    const ui_glyphs *g = &a->glyphs;
    client_conn *c = tui_conn(a, p->fqdn);
    bool selected = strcmp(a->selected, p->fqdn) == 0;
    ui_role srole;
    const char *state = pool_state(a, p, c, &srole);
    bool stale = srole == UI_ROLE_DIM || srole == UI_ROLE_DOWN ||
                 !(c && client_conn_get_state(c) == CLIENT_CONN_LIVE);
    int base = attr(a, stale ? UI_ROLE_DIM : UI_ROLE_NORMAL);
    for (int r = 0; r < 7; r++)
        ui_fill(stdscr, y + r, x, w, base);
    ui_box(stdscr, y, x, 7, w,
           attr(a, selected ? UI_ROLE_TITLE : UI_ROLE_BORDER) | (selected ? A_BOLD : 0), p->fqdn,
           attr(a, selected ? UI_ROLE_SELECTED : UI_ROLE_TITLE), g);
    int iw = w - 4, ix = x + 2;
    int64_t now = orbit_time_now_ms();
    /* line 1: state, site, data age */
    char age[32] = "-";
    if (c && client_conn_last_frame_ms(c))
        ui_duration(now - client_conn_last_frame_ms(c), age, sizeof age);
    ui_putf(stdscr, y + 1, ix, iw, base, g, "%s %-11s %-8.8s data %s old", g->dot, "", p->site,
            age);
    ui_put(stdscr, y + 1, ix + 2, 11, attr(a, srole), UI_LEFT, state, g);
    const dr_state *d = m ? client_mirror_dr(m, p->fqdn) : NULL;
    const client_mirror *own =
        c && client_mirror_loaded(client_conn_mirror(c)) ? client_conn_mirror(c) : NULL;
    const client_pool_self *self = own ? client_mirror_self(own) : NULL;
    /* line 2: the DR phase of the users homed here */
    if (d) {
        char since[32];
        ui_duration(now - d->since_ms, since, sizeof since);
        char line[400];
        if (d->phase == DR_PHASE_NORMAL)
            snprintf(line, sizeof line, "users %s for %s", dr_phase_name(d->phase), since);
        else
            snprintf(line, sizeof line, "users %s %s %s for %s%s", dr_phase_name(d->phase),
                     g->arrow, d->serving, since, d->disaster_mode ? " (disaster)" : "");
        ui_put(stdscr, y + 2, ix, iw, stale ? base : attr(a, phase_role(d->phase)), UI_LEFT, line,
               g);
    }
    /* line 3: users and pickup redirect. Served counts follow the DR
     * state: a pool serves its own users and those failed over to it. */
    if (self) {
        uint32_t served = client_view_users_served(a->hub, p->fqdn);
        /* During a failover or failback the actionable fact takes the
         * line: the users' GroupPickup ranges are not where they are
         * served. */
        bool away = d && !d->pickup_ranges_redirected;
        char line[200];
        if (away)
            snprintf(line, sizeof line, "pickup ranges NOT redirected (R)");
        else
            snprintf(line, sizeof line, "homed %u  served %u", self->users_homed, served);
        ui_put(stdscr, y + 3, ix, iw, away && !stale ? attr(a, UI_ROLE_WARN) : base, UI_LEFT, line,
               g);
    } else {
        ui_put(stdscr, y + 3, ix, iw, base, UI_LEFT, "no data from this pool", g);
    }
    /* line 4: parked calls against capacity */
    size_t parked = own ? client_mirror_parked_count(own) : 0;
    uint32_t cap = self ? self->callpark_orbits : 0;
    char pl[64];
    snprintf(pl, sizeof pl, "parked %zu/%u", parked, cap);
    ui_put(stdscr, y + 4, ix, 18, base, UI_LEFT, pl, g);
    int bw = iw - 18 - 6;
    if (bw > 4) {
        double f = cap ? (double)parked / cap : 0;
        ui_bar(stdscr, y + 4, ix + 18, bw, f, stale ? base : attr(a, UI_ROLE_BAR), g);
        ui_putf(stdscr, y + 4, ix + 18 + bw, 6, base, g, " %3.0f%%", f * 100);
    }
    /* line 5: pickup queues; event rate */
    size_t queued = own ? client_mirror_queued_calls(own) : 0,
           groups = own ? client_mirror_queue_count(own) : 0;
    char ql[64];
    snprintf(ql, sizeof ql, "queued %zu in %zu grp", queued, groups);
    ui_put(stdscr, y + 5, ix, 22, base, UI_LEFT, ql, g);
    tui_rate *r = tui_model_rate(a, p->fqdn);
    if (r && iw > 30) {
        tui_model_rate_now(r, now);
        uint32_t last = r->counts[TUI_SPARK - 2];
        ui_spark(stdscr, y + 5, ix + 22, iw - 22 - 6, r->counts, TUI_SPARK,
                 stale ? base : attr(a, UI_ROLE_SPARK), g);
        ui_putf(stdscr, y + 5, ix + iw - 6, 6, base, g, "%4u/s", last);
    }
}

#define TUI_MAX_PAIRS 64

static void draw_overview(tui_app *a, int top, int height, int cols)
{
    const client_mirror *m = tui_any_mirror(a);
    if (!m) {
        ui_put(stdscr, top + 1, 2, cols - 4, attr(a, UI_ROLE_WARN), UI_LEFT,
               "waiting for the first pool to answer...", &a->glyphs);
        for (size_t i = 0; i < client_hub_count(a->hub); i++) {
            client_conn *c = client_hub_at(a->hub, i);
            ui_putf(stdscr, top + 3 + (int)i, 4, cols - 8, attr(a, UI_ROLE_DIM), &a->glyphs,
                    "%s: %s %s", client_conn_url(c),
                    client_conn_state_name(client_conn_get_state(c)), client_conn_error(c));
        }
        return;
    }
    client_pair pairs[TUI_MAX_PAIRS];
    size_t n = client_view_pairs(a->hub, pairs, TUI_MAX_PAIRS);
    if (n > TUI_MAX_PAIRS)
        n = TUI_MAX_PAIRS;
    const pool_info *left[TUI_MAX_PAIRS], *right[TUI_MAX_PAIRS];
    for (size_t i = 0; i < n; i++) {
        left[i] = pairs[i].left;
        right[i] = pairs[i].right;
    }
    if (!a->selected[0] && n)
        snprintf(a->selected, sizeof a->selected, "%s", left[0]->fqdn);
    int per_page = height / 7;
    if (per_page < 1)
        per_page = 1;
    /* Keep the selected pool's pair on screen. */
    for (size_t i = 0; i < n; i++) {
        if (strcmp(left[i]->fqdn, a->selected) == 0 ||
            (right[i] && strcmp(right[i]->fqdn, a->selected) == 0)) {
            if ((int)i < a->overview_top)
                a->overview_top = (int)i;
            if ((int)i >= a->overview_top + per_page)
                a->overview_top = (int)i - per_page + 1;
        }
    }
    int half = cols / 2;
    for (int k = 0; k < per_page && a->overview_top + k < (int)n; k++) {
        size_t i = (size_t)(a->overview_top + k);
        int y = top + k * 7;
        draw_pool_box(a, m, left[i], y, 0, half);
        if (right[i])
            draw_pool_box(a, m, right[i], y, half, cols - half);
    }
    int more = (int)n - a->overview_top - per_page;
    if (more > 0)
        ui_putf(stdscr, top + height - 1, 2, cols - 4, attr(a, UI_ROLE_DIM), &a->glyphs,
                "%s %d more pair(s) below (Down)", a->glyphs.down_arrow, more);
}

void tui_overview_move(tui_app *a, int key)
{
    client_pair pairs[TUI_MAX_PAIRS];
    size_t n = client_view_pairs(a->hub, pairs, TUI_MAX_PAIRS);
    if (n > TUI_MAX_PAIRS)
        n = TUI_MAX_PAIRS;
    if (!n)
        return;
    const pool_info *left[TUI_MAX_PAIRS], *right[TUI_MAX_PAIRS];
    for (size_t i = 0; i < n; i++) {
        left[i] = pairs[i].left;
        right[i] = pairs[i].right;
    }
    size_t row = 0;
    int col = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(left[i]->fqdn, a->selected) == 0)
            row = i, col = 0;
        else if (right[i] && strcmp(right[i]->fqdn, a->selected) == 0)
            row = i, col = 1;
    }
    if (key == KEY_UP && row > 0)
        row--;
    else if (key == KEY_DOWN && row + 1 < n)
        row++;
    else if (key == KEY_LEFT)
        col = 0;
    else if (key == KEY_RIGHT)
        col = 1;
    const pool_info *p = col && right[row] ? right[row] : left[row];
    snprintf(a->selected, sizeof a->selected, "%s", p->fqdn);
}

/* ---- tables ---- */

static void draw_table_view(tui_app *a, ui_table *t, const ui_table_source *src, int top,
                            int height, int cols, const char *title)
{
    char line[300], count[64];
    size_t shown = ui_table_visible_rows(t), total = src->count(a);
    const char *f = ui_table_filter(t);
    if (shown == total)
        snprintf(count, sizeof count, "%zu", shown);
    else
        snprintf(count, sizeof count, "%zu of %zu", shown, total);
    snprintf(line, sizeof line, " %s: %s%s%s%s", title, count, f[0] ? "  filter \"" : "", f,
             f[0] ? "\"" : "");
    ui_put(stdscr, top, 0, cols, attr(a, UI_ROLE_TITLE), UI_LEFT, line, &a->glyphs);
    ui_table_draw(t, src, a, stdscr, top + 1, 0, height - 1, cols, &a->theme, &a->glyphs);
}

static void draw_orbits(tui_app *a, int top, int height, int cols)
{
    char title[400];
    snprintf(title, sizeof title, "orbit ranges (pool: %s, type: %s)",
             a->orbit_pool_filter[0] ? a->orbit_pool_filter : "all",
             a->orbit_type_filter < 0 ? "all" : orbit_type_name((orbit_type)a->orbit_type_filter));
    draw_table_view(a, a->orbits_table, &TUI_ORBITS_SOURCE, top, height, cols, title);
}

/* ---- pool detail ---- */

static void kv(tui_app *a, int y, int x, int w, const char *key, const char *value, ui_role role)
{
    ui_put(stdscr, y, x, 31, attr(a, UI_ROLE_DIM) | A_BOLD, UI_LEFT, key, &a->glyphs);
    ui_put(stdscr, y, x + 31, w - 31, attr(a, role), UI_LEFT, value, &a->glyphs);
}

static void draw_pool(tui_app *a, int top, int height, int cols)
{
    (void)height;
    const client_mirror *any = tui_any_mirror(a);
    const pool_info *p = any ? client_mirror_pool(any, a->selected) : NULL;
    if (!p) {
        ui_put(stdscr, top + 1, 2, cols - 4, attr(a, UI_ROLE_WARN), UI_LEFT,
               "no pool selected (choose one in the overview)", &a->glyphs);
        return;
    }
    client_conn *c = tui_conn(a, p->fqdn);
    const client_mirror *m = c ? client_conn_mirror(c) : NULL;
    bool have = m && client_mirror_loaded(m);
    int64_t now = orbit_time_now_ms();
    char v[400], d[32];
    int y = top, x = 2, w = cols - 4;
    ui_putf(stdscr, y++, 0, cols, attr(a, UI_ROLE_TITLE), &a->glyphs, " %s  (site %s, backup %s)",
            p->fqdn, p->site, p->backup[0] ? p->backup : "none");
    y++;
    ui_role role;
    const char *state = pool_state(a, p, c, &role);
    if (c && client_conn_last_frame_ms(c))
        ui_duration(now - client_conn_last_frame_ms(c), d, sizeof d);
    snprintf(v, sizeof v, "%s; last frame from it %s%s", state,
             c && client_conn_last_frame_ms(c) ? d : "never",
             c && client_conn_last_frame_ms(c) ? " ago" : "");
    kv(a, y++, x, w, "status", v, role);
    if (c) {
        snprintf(v, sizeof v, "%s %s (role %s, epoch %s, rev %lld)", client_conn_url(c),
                 client_conn_state_name(client_conn_get_state(c)),
                 client_conn_role(c)[0] ? client_conn_role(c) : "?", client_conn_epoch(c),
                 (long long)client_conn_rev(c));
        kv(a, y++, x, w, "connection", v, UI_ROLE_NORMAL);
        if (client_conn_error(c)[0]) {
            snprintf(v, sizeof v, "%s (attempt %d)", client_conn_error(c), client_conn_attempts(c));
            kv(a, y++, x, w, "last problem", v, UI_ROLE_WARN);
        }
    }
    const dr_state *dr = any ? client_mirror_dr(any, p->fqdn) : NULL;
    if (dr) {
        ui_duration(now - dr->since_ms, d, sizeof d);
        snprintf(v, sizeof v, "%s for %s, served by %s%s; GroupPickup ranges %s",
                 dr_phase_name(dr->phase), d, dr->serving,
                 dr->disaster_mode ? ", disaster mode" : "",
                 dr->pickup_ranges_redirected ? "with the serving pool" : "NOT redirected");
        kv(a, y++, x, w, "users homed here", v, phase_role(dr->phase));
    }
    y++;
    if (!have) {
        kv(a, y++, x, w, "settings and MOH", "unknown: no data from this pool", UI_ROLE_WARN);
        return;
    }
    const cps_settings *s = client_mirror_config(m);
    ui_put(stdscr, y++, 0, cols, attr(a, UI_ROLE_TITLE), UI_LEFT, " Call Park settings",
           &a->glyphs);
    snprintf(v, sizeof v, "%d s", s->call_pickup_timeout_threshold);
    kv(a, y++, x, w, "call_pickup_timeout_threshold", v, UI_ROLE_NORMAL);
    kv(a, y++, x, w, "enable_music_on_hold", s->enable_music_on_hold ? "true" : "false",
       UI_ROLE_NORMAL);
    snprintf(v, sizeof v, "%d", s->max_call_pickup_attempts);
    kv(a, y++, x, w, "max_call_pickup_attempts", v, UI_ROLE_NORMAL);
    kv(a, y++, x, w, "on_timeout_uri", s->on_timeout_uri[0] ? s->on_timeout_uri : "(none)",
       UI_ROLE_NORMAL);
    y++;
    const moh_info *moh = client_mirror_moh(m);
    ui_put(stdscr, y++, 0, cols, attr(a, UI_ROLE_TITLE), UI_LEFT, " Music on hold", &a->glyphs);
    snprintf(v, sizeof v, "%s%s", moh->name, moh->is_default ? " (the default)" : "");
    kv(a, y++, x, w, "file", v, UI_ROLE_NORMAL);
    snprintf(v, sizeof v, "%llu bytes", (unsigned long long)moh->size);
    kv(a, y++, x, w, "size", v, UI_ROLE_NORMAL);
    kv(a, y++, x, w, "sha256", moh->sha256, UI_ROLE_NORMAL);
    bool backed = a->vault && client_vault_has(a->vault, p->fqdn, moh->sha256);
    kv(a, y++, x, w, "in the backup vault",
       moh->is_default ? "not needed (ships with orbit)"
       : backed        ? "yes"
                       : "NO: upload it from here (U) or orbitctl moh upload to keep a copy",
       moh->is_default || backed ? UI_ROLE_UP : UI_ROLE_WARN);
}

/* ---- events ---- */

static void draw_events(tui_app *a, int top, int height, int cols)
{
    if (!a->show_audit) {
        draw_table_view(a, a->events_table, &TUI_EVENTS_SOURCE, top, height, cols,
                        "live events (a: audit log)");
        return;
    }
    char title[700];
    snprintf(title, sizeof title, "audit log of %s (a: live events)%s%s", a->selected,
             a->audit_error[0] ? ": " : "", a->audit_error);
    draw_table_view(a, a->audit_table, &TUI_AUDIT_SOURCE, top, height, cols, title);
}

/* ---- modals ---- */

static void draw_help(tui_app *a, int rows, int cols)
{
    int w = cols - 4 < 100 ? cols - 4 : 100, h = rows - 2;
    int x = (cols - w) / 2, y = 1;
    int base = attr(a, UI_ROLE_DIALOG);
    for (int r = 0; r < h; r++)
        ui_fill(stdscr, y + r, x, w, base);
    ui_box(stdscr, y, x, h, w, base, "orbitop keys (Esc closes)", base | A_BOLD, &a->glyphs);
    ui_keys_help(stdscr, y + 1, x + 2, h - 2, w - 4, TUI_KEY_TABLE, TUI_KEY_COUNT, tui_read_only(a),
                 TUI_VIEW_SHORT, VIEW_COUNT, &a->theme, &a->glyphs);
}

static void draw_upload(tui_app *a, int rows, int cols)
{
    int w = cols - 8 < 70 ? cols - 8 : 70, h = 7;
    int x = (cols - w) / 2, y = (rows - h) / 2;
    int base = attr(a, UI_ROLE_DIALOG);
    for (int r = 0; r < h; r++)
        ui_fill(stdscr, y + r, x, w, base);
    ui_box(stdscr, y, x, h, w, base, "Uploading music on hold", base | A_BOLD, &a->glyphs);
    ui_putf(stdscr, y + 2, x + 2, w - 4, base, &a->glyphs, "%s %s %s", a->upload_path,
            a->glyphs.arrow, a->dialog_pool);
    double f = a->upload_total ? (double)a->upload_sent / (double)a->upload_total : 0;
    ui_bar(stdscr, y + 3, x + 2, w - 12, f, attr(a, UI_ROLE_BAR), &a->glyphs);
    ui_putf(stdscr, y + 3, x + w - 9, 7, base, &a->glyphs, "%5.1f%%", f * 100);
    ui_put(stdscr, y + 5, x + 2, w - 4, base, UI_LEFT,
           "backed up to the vault first; Esc cancels the upload", &a->glyphs);
}

/* ---- the frame ---- */

void tui_draw(tui_app *a)
{
    int rows, cols;
    getmaxyx(stdscr, rows, cols);
    if (a->repaint) {
        clearok(curscr, TRUE);
        a->repaint = false;
    }
    werase(stdscr);
    if (rows < TUI_MIN_ROWS || cols < TUI_MIN_COLS) {
        char msg[120];
        snprintf(msg, sizeof msg, "too small: have %dx%d / need %dx%d", cols, rows, TUI_MIN_COLS,
                 TUI_MIN_ROWS);
        ui_put(stdscr, rows / 2, 0, cols, attr(a, UI_ROLE_WARN), UI_CENTRE, msg, &a->glyphs);
        if (rows > 2)
            ui_put(stdscr, rows / 2 + 1, 0, cols, attr(a, UI_ROLE_DIM), UI_CENTRE,
                   "enlarge the window, or q to quit", &a->glyphs);
        wnoutrefresh(stdscr);
        doupdate();
        return;
    }
    draw_header(a, cols);
    draw_tabs(a, cols);
    int top = 2, height = rows - 4;
    switch (a->view) {
    case VIEW_OVERVIEW:
        draw_overview(a, top, height, cols);
        break;
    case VIEW_ORBITS:
        draw_orbits(a, top, height, cols);
        break;
    case VIEW_PARKED:
        draw_table_view(a, a->parked_table, &TUI_PARKED_SOURCE, top, height, cols, "parked calls");
        break;
    case VIEW_QUEUES:
        draw_table_view(a, a->queues_table, &TUI_QUEUES_SOURCE, top, height, cols,
                        "calls waiting in pickup queues");
        break;
    case VIEW_POOL:
        draw_pool(a, top, height, cols);
        break;
    case VIEW_EVENTS:
        draw_events(a, top, height, cols);
        break;
    default:
        break;
    }
    draw_status(a, rows - 2, cols);
    ui_keys_footer(stdscr, rows - 1, 0, cols, TUI_KEY_TABLE, TUI_KEY_COUNT, 1u << a->view,
                   tui_read_only(a), &a->theme, &a->glyphs);
    switch (a->modal) {
    case MODAL_HELP:
        draw_help(a, rows, cols);
        break;
    case MODAL_DIALOG:
        ui_dialog_draw(&a->dialog, stdscr, &a->theme, &a->glyphs);
        break;
    case MODAL_PICK:
        ui_filepick_draw(a->picker, stdscr, &a->theme, &a->glyphs);
        break;
    case MODAL_UPLOAD:
        draw_upload(a, rows, cols);
        break;
    default:
        break;
    }
    wnoutrefresh(stdscr);
    doupdate();
}
