/* tui_views: the view table and the frame around the views: the header,
 * the tabs, the status line (or the prompt), the footer, the modals and
 * the "too small" screen. Views draw only inside the rectangle they are
 * given. Everything goes to curses' virtual screen, and doupdate() sends
 * only the cells that changed, which keeps the byte rate low over ssh. */
#include "tui_views.h"

#include "tui_cmdbar.h"
#include "tui_help.h"
#include "tui_keys.h"
#include "tui_model.h"

#include "orbit_time.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

/* The views, in tab order: adding a view is its file and a row here. */
extern const tui_view_def TUI_VIEW_OVERVIEW, TUI_VIEW_ORBITS, TUI_VIEW_PARKED, TUI_VIEW_QUEUES,
    TUI_VIEW_POOL, TUI_VIEW_EVENTS, TUI_VIEW_DR;
const tui_view_def *const TUI_VIEWS[] = {
    &TUI_VIEW_OVERVIEW, &TUI_VIEW_ORBITS, &TUI_VIEW_PARKED, &TUI_VIEW_QUEUES,
    &TUI_VIEW_POOL,     &TUI_VIEW_EVENTS, &TUI_VIEW_DR,
};
const size_t TUI_VIEW_COUNT = sizeof TUI_VIEWS / sizeof TUI_VIEWS[0];

#define STATUS_MAX_ROWS 3

const tui_view_def *tui_view_current(const tui_app *a)
{
    return TUI_VIEWS[a->scr.view];
}

void *tui_view_state(const tui_app *a)
{
    return a->view_state[a->scr.view];
}

int tui_view_find(const char *word)
{
    for (size_t i = 0; i < TUI_VIEW_COUNT; i++) {
        if (strcmp(TUI_VIEWS[i]->word, word) == 0)
            return (int)i;
    }
    return -1;
}

void tui_view_show(tui_app *a, int view)
{
    if (view < 0 || (size_t)view >= TUI_VIEW_COUNT)
        return;
    a->scr.view = view;
    a->scr.data_dirty = a->scr.screen_dirty = true;
}

ui_table *tui_view_table(const tui_app *a)
{
    const tui_view_def *v = tui_view_current(a);
    return v->table ? v->table(tui_view_state(a)) : NULL;
}

bool tui_views_init(tui_app *a)
{
    for (size_t i = 0; i < TUI_VIEW_COUNT; i++) {
        if (!TUI_VIEWS[i]->init(a, &a->view_state[i]))
            return false;
    }
    return true;
}

void tui_views_free(tui_app *a)
{
    for (size_t i = 0; i < TUI_VIEW_COUNT; i++) {
        if (a->view_state[i])
            TUI_VIEWS[i]->fini(a->view_state[i]);
        a->view_state[i] = NULL;
    }
}

void tui_views_rebuild(tui_app *a)
{
    const tui_view_def *v = tui_view_current(a);
    if (v->rebuild)
        v->rebuild(a, tui_view_state(a));
}

static int attr(const tui_app *a, ui_role r)
{
    return ui_theme_attr(&a->scr.theme, r);
}

/* ---- header, tabs, status, footer ---- */

static void draw_header(tui_app *a, int cols)
{
    size_t n = client_hub_count(a->net.hub), nlive = 0;
    for (size_t i = 0; i < n; i++)
        nlive += client_conn_get_state(client_hub_at(a->net.hub, i)) == CLIENT_CONN_LIVE;
    char when[40], left[200];
    orbit_time_rfc3339(orbit_time_now_ms(), when, sizeof when);
    size_t refused = client_hub_refused_count(a->net.hub);
    snprintf(left, sizeof left, " orbitop  %zu/%zu pools connected", nlive, n);
    if (refused)
        snprintf(left + strlen(left), sizeof left - strlen(left), ", %zu not configured", refused);
    int h = attr(a, UI_ROLE_HEADER);
    ui_fill(stdscr, 0, 0, cols, h);
    ui_put(stdscr, 0, 0, cols, h, UI_LEFT, left, &a->scr.glyphs);
    int x = cols - 24;
    ui_putf(stdscr, 0, x, 23, h, &a->scr.glyphs, "%.10s %.8s UTC", when, when + 11);
    if (tui_read_only(a)) {
        /* A permanent badge: watch mode cannot be missed. */
        const char *badge = " READ-ONLY ";
        int bw = ui_text_width(badge);
        ui_put(stdscr, 0, x - bw - 1, bw, attr(a, UI_ROLE_BADGE), UI_LEFT, badge, &a->scr.glyphs);
    }
}

static void draw_tabs(tui_app *a, int cols)
{
    ui_fill(stdscr, 1, 0, cols, attr(a, UI_ROLE_TAB));
    int x = 0;
    for (size_t v = 0; v < TUI_VIEW_COUNT; v++) {
        char label[64], key[16];
        tui_keys_name_of(a, -1, TUI_CMD_VIEW_FIRST + (int)v, key, sizeof key);
        snprintf(label, sizeof label, " %s%s%s ", key, key[0] ? " " : "", TUI_VIEWS[v]->tab);
        int w = ui_text_width(label);
        a->scr.tabs[v] = (tui_span){x, x + w > cols ? 0 : w};
        if (x + w > cols)
            continue;
        ui_put(stdscr, 1, x, w, attr(a, (int)v == a->scr.view ? UI_ROLE_TAB_ACTIVE : UI_ROLE_TAB),
               UI_LEFT, label, &a->scr.glyphs);
        x += w;
    }
}

/* The status line wraps onto up to three rows so a refusal keeps its
 * remedy; returns the rows it needs at this width. */
/* What the status rows show: the prompt when one is open, else the
 * status message. */
static void status_text(const tui_app *a, char *out, size_t len)
{
    if (a->prompt.kind != PROMPT_NONE)
        tui_cmdbar_line(a, out, len);
    else
        snprintf(out, len, "%s", a->model.status);
}

static int status_rows(const tui_app *a, int cols)
{
    char text[TUI_STATUS_MAX], shown[TUI_STATUS_MAX * 2];
    status_text(a, text, sizeof text);
    if (!text[0])
        return 1;
    ui_visible(text, shown, sizeof shown, &a->scr.glyphs);
    int n = ui_wrap_count(shown, cols);
    return n > STATUS_MAX_ROWS ? STATUS_MAX_ROWS : n;
}

static void draw_status(tui_app *a, int y, int rows, int cols)
{
    char text[TUI_STATUS_MAX];
    status_text(a, text, sizeof text);
    int role = a->prompt.kind != PROMPT_NONE
                   ? attr(a, UI_ROLE_INPUT)
                   : attr(a, a->model.status_error ? UI_ROLE_STATUS_ERROR : UI_ROLE_STATUS_OK);
    for (int r = 0; r < rows; r++)
        ui_fill(stdscr, y + r, 0, cols, role);
    ui_put_wrapped(stdscr, y, 0, cols, rows, role, text, &a->scr.glyphs);
}

static void draw_footer(tui_app *a, int y, int cols)
{
    /* Quit always, at the right edge where the eye looks for it. */
    char quit[16], text[32];
    tui_keys_name_of(a, -1, TUI_CMD_QUIT, quit, sizeof quit);
    snprintf(text, sizeof text, " %s Quit", quit);
    int qw = quit[0] ? ui_text_width(text) : 0;
    /* Then the view's own keys, then the global ones, as they fit. */
    const tui_keymap *own = &a->view_keys[a->scr.view];
    ui_key rows[256];
    size_t n = 0;
    for (size_t i = 0; i < own->n && n < 256; i++)
        rows[n++] = own->rows[i];
    for (size_t i = 0; i < a->keys.n && n < 256; i++) {
        if (a->keys.rows[i].cmd != TUI_CMD_QUIT)
            rows[n++] = a->keys.rows[i];
    }
    ui_keys_footer(stdscr, y, 0, cols - qw, rows, n, tui_read_only(a), tui_view_table(a) != NULL,
                   &a->scr.theme, &a->scr.glyphs);
    if (qw) {
        int x = cols - qw;
        ui_put(stdscr, y, x, qw, attr(a, UI_ROLE_FOOTER), UI_LEFT, "", &a->scr.glyphs);
        ui_put(stdscr, y, x + 1, ui_text_width(quit), attr(a, UI_ROLE_FOOTER_KEY), UI_LEFT, quit,
               &a->scr.glyphs);
        ui_put(stdscr, y, x + 1 + ui_text_width(quit), 5, attr(a, UI_ROLE_FOOTER), UI_LEFT, " Quit",
               &a->scr.glyphs);
    }
}

/* ---- modals ---- */

static void draw_upload(tui_app *a, int rows, int cols)
{
    int w = cols - 8 < 90 ? cols - 8 : 90, h = 7;
    int x = (cols - w) / 2, y = (rows - h) / 2;
    int base = attr(a, UI_ROLE_DIALOG);
    const ui_glyphs *g = &a->scr.glyphs;
    for (int r = 0; r < h; r++)
        ui_fill(stdscr, y + r, x, w, base);
    ui_box(stdscr, y, x, h, w, base, "Uploading music on hold", base | A_BOLD, g);
    ui_putf(stdscr, y + 2, x + 2, w - 4, base, g, "%s %s %s", a->act.upload_path, g->arrow,
            a->act.pool);
    double f = a->act.upload_total ? (double)a->act.upload_sent / (double)a->act.upload_total : 0;
    ui_bar(stdscr, y + 3, x + 2, w - 12, f, attr(a, UI_ROLE_BAR), g);
    ui_putf(stdscr, y + 3, x + w - 9, 7, base, g, "%5.1f%%", f * 100);
    ui_put(stdscr, y + 5, x + 2, w - 4, base, UI_LEFT,
           "kept in the backup vault first; Esc cancels the upload", g);
}

/* ---- the frame ---- */

void tui_draw(tui_app *a)
{
    int rows, cols;
    getmaxyx(stdscr, rows, cols);
    a->scr.rows = rows;
    a->scr.cols = cols;
    if (a->scr.repaint) {
        clearok(curscr, TRUE);
        a->scr.repaint = false;
    }
    werase(stdscr);
    if (rows < TUI_MIN_ROWS || cols < TUI_MIN_COLS) {
        char msg[120], quit[16];
        snprintf(msg, sizeof msg, "too small: have %dx%d / need %dx%d", cols, rows, TUI_MIN_COLS,
                 TUI_MIN_ROWS);
        ui_put(stdscr, rows / 2, 0, cols, attr(a, UI_ROLE_WARN), UI_CENTRE, msg, &a->scr.glyphs);
        tui_keys_name_of(a, -1, TUI_CMD_QUIT, quit, sizeof quit);
        snprintf(msg, sizeof msg, "enlarge the window, or %s to quit", quit);
        if (rows > 2)
            ui_put(stdscr, rows / 2 + 1, 0, cols, attr(a, UI_ROLE_DIM), UI_CENTRE, msg,
                   &a->scr.glyphs);
        wnoutrefresh(stdscr);
        doupdate();
        return;
    }
    draw_header(a, cols);
    draw_tabs(a, cols);
    int srows = status_rows(a, cols);
    tui_rect body = {2, 0, rows - 3 - srows, cols};
    const tui_view_def *v = tui_view_current(a);
    v->draw(a, tui_view_state(a), body);
    draw_status(a, rows - 1 - srows, srows, cols);
    draw_footer(a, rows - 1, cols);
    switch (a->scr.modal) {
    case MODAL_HELP:
        tui_help_draw(a, rows, cols);
        break;
    case MODAL_DIALOG:
        ui_dialog_draw(&a->act.dialog, stdscr, &a->scr.theme, &a->scr.glyphs);
        break;
    case MODAL_PICK:
        ui_filepick_draw(a->act.picker, stdscr, &a->scr.theme, &a->scr.glyphs);
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

int tui_views_tab_at(const tui_app *a, int y, int x)
{
    if (y != 1)
        return -1;
    for (size_t v = 0; v < TUI_VIEW_COUNT; v++) {
        if (a->scr.tabs[v].w && x >= a->scr.tabs[v].x && x < a->scr.tabs[v].x + a->scr.tabs[v].w)
            return (int)v;
    }
    return -1;
}
