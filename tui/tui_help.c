/* tui_help: the help screen. */
#include "tui_help.h"

#include "tui_cmdbar.h"
#include "tui_keys.h"
#include "tui_model.h"
#include "tui_view.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_COLUMN 16

typedef struct {
    char key[64]; /* "g, Home"; "" for a heading or plain text */
    char text[600];
    bool heading;
    bool off; /* an action, while the console is read-only */
} help_line;

typedef struct {
    help_line *lines;
    size_t n, cap;
} help_text;

static void add(help_text *h, bool heading, bool off, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void add(help_text *h, bool heading, bool off, const char *key, const char *fmt, ...)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        help_line *grown = realloc(h->lines, cap * sizeof *grown);
        if (!grown)
            return;
        h->lines = grown;
        h->cap = cap;
    }
    help_line *l = &h->lines[h->n++];
    snprintf(l->key, sizeof l->key, "%s", key ? key : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->text, sizeof l->text, fmt, ap);
    va_end(ap);
    l->heading = heading;
    l->off = off;
}

/* One line per command of a key map: its keys, its help, its name. */
static void add_keys(help_text *h, const tui_keymap *m, const char *prefix, bool read_only)
{
    for (size_t i = 0; i < m->n; i++) {
        const ui_key *k = &m->rows[i];
        bool first = true;
        for (size_t j = 0; j < i && first; j++)
            first = m->rows[j].cmd != k->cmd;
        /* The views have their own section. */
        if (!first || !k->help || (k->cmd >= TUI_CMD_VIEW_FIRST && k->cmd < TUI_CMD_OWN))
            continue;
        char keys[64];
        tui_keys_names(m, k->cmd, keys, sizeof keys);
        bool off = read_only && (k->flags & UI_KEY_ACTION);
        add(h, false, off, keys, "%s%s [%s%s]", off ? "[read-only] " : "", k->help, prefix,
            k->name);
    }
}

static void build(tui_app *a, help_text *h)
{
    bool ro = tui_read_only(a);
    add(h, true, false, NULL, "Keys (in brackets: the name to rebind it by)");
    add_keys(h, &a->keys, "", ro);
    for (size_t v = 0; v < TUI_VIEW_COUNT; v++) {
        if (!a->view_keys[v].n)
            continue;
        char prefix[64];
        snprintf(prefix, sizeof prefix, "%s.", TUI_VIEWS[v]->word);
        add(h, true, false, NULL, "In %s", TUI_VIEWS[v]->tab);
        add_keys(h, &a->view_keys[v], prefix, ro);
    }
    add(h, true, false, NULL, "Views");
    for (size_t v = 0; v < TUI_VIEW_COUNT; v++) {
        char key[16];
        tui_keys_name_of(a, -1, TUI_CMD_VIEW_FIRST + (int)v, key, sizeof key);
        add(h, false, false, key, "%s (:%s): %s", TUI_VIEWS[v]->tab, TUI_VIEWS[v]->word,
            TUI_VIEWS[v]->summary);
    }
    add(h, true, false, NULL, "Command bar (:, then Enter; Tab completes, Up and Down recall)");
    for (size_t i = 0; i < tui_cmdbar_count(); i++) {
        const char *syntax, *what;
        tui_cmdbar_describe(i, &syntax, &what);
        add(h, false, false, syntax, "%s", what);
    }
    add(h, true, false, NULL, "Sorting tables");
    add(h, false, false, "s, then a key",
        "sort by the column whose key the prompt shows (the same key again: the other way)");
    add(h, false, false, "< >", "sort by the column to the left or right; S reverses the order");
    add(h, true, false, NULL, "Mouse%s", a->opt.no_mouse ? " (off: --no-mouse)" : "");
    add(h, false, false, "click",
        "a tab opens its view; a row or a pool's card is selected; a dialog's button is pressed");
    add(h, false, false, "double click", "a pool's card opens the pool");
    add(h, false, false, "wheel", "scrolls the table or the help");
    add(h, false, false, "--no-mouse",
        "leaves the mouse to the terminal (also mouse = no in "
        "orbitop.conf), so text can be selected and copied");
    add(h, true, false, NULL, "Words");
    add(h, false, false, "up, DOWN",
        "the pool's heartbeat in the deployment store, as the pools report it: DOWN means the "
        "other pools no longer see it");
    add(h, false, false, "no link",
        "this console cannot reach the pool (the pool may still be up for the others); what is "
        "shown of it is old and dimmed");
    add(h, false, false, "connecting", "this console is (re)connecting to the pool");
    add(h, false, false, "stale", "connected, but nothing heard from the pool for 3 heartbeats");
    add(h, false, false, "normal ...",
        "the DR phase of the users homed on the pool: normal, failing_over, failed_over, "
        "failing_back, with the pool serving them and for how long; (disaster) when failed "
        "over in disaster mode");
    add(h, false, false, "TOKEN", "in the audit log: the name of the token that ran the op");
    add(h, false, false, "READ-ONLY",
        "a watch console (--read-only or a viewer token): no actions, and nothing written to the "
        "backup vault");
    add(h, true, false, NULL, "Configuration");
    add(h, false, false, "orbitop.conf",
        "$XDG_CONFIG_HOME/orbit/orbitop.conf (else ~/.config/orbit/orbitop.conf): key = value "
        "lines: url, deployment, token_file, theme, ca, vault, deployment_name, read_only, "
        "ascii, no_color, mouse; bind.COMMAND = KEY[, KEY...] rebinds a command (bind.failover "
        "= Ctrl-F), bind.VIEW.COMMAND a view's own (bind.events.follow = F2). Keys: a "
        "character, Ctrl-X, F1..F24, Home, End, PgUp, PgDn, Insert, Delete, Tab, Shift-Tab, "
        "Enter, Esc, Space, Up, Down, Left, Right. Checked at start: a key bound twice stops "
        "orbitop with the line at fault.");
}

void tui_help_open(tui_app *a)
{
    a->scr.modal = MODAL_HELP;
    a->scr.help_top = 0;
}

/* A key too long for its column gets a row of its own. */
static bool key_alone(const help_line *l)
{
    return ui_text_width(l->key) > KEY_COLUMN - 1;
}

/* Rows a line takes at this text width. */
static int rows_of(const help_line *l, int text_w)
{
    return l->heading ? 1 : ui_wrap_count(l->text, text_w) + (key_alone(l) ? 1 : 0);
}

void tui_help_draw(tui_app *a, int rows, int cols)
{
    help_text h = {0};
    build(a, &h);
    /* The whole width when it is small: nothing of the view peeks out. */
    int w = cols < 124 ? cols : 120, hh = rows - 2;
    int x = (cols - w) / 2, y = 1;
    int base = ui_theme_attr(&a->scr.theme, UI_ROLE_DIALOG);
    const ui_glyphs *g = &a->scr.glyphs;
    for (int r = 0; r < hh; r++)
        ui_fill(stdscr, y + r, x, w, base);
    int inner = w - 4, text_w = inner - KEY_COLUMN, page = hh - 2;
    int total = 0;
    for (size_t i = 0; i < h.n; i++)
        total += rows_of(&h.lines[i], text_w);
    a->scr.help_lines = total;
    a->scr.help_page = page;
    if (a->scr.help_top > total - page)
        a->scr.help_top = total - page > 0 ? total - page : 0;
    char title[160], back[16];
    tui_keys_name_of(a, -1, TUI_CMD_BACK, back, sizeof back);
    snprintf(title, sizeof title,
             "orbitop help: %d-%d of %d lines (Up, Down, PgUp, PgDn; %s closes)",
             a->scr.help_top + 1, a->scr.help_top + page < total ? a->scr.help_top + page : total,
             total, back);
    ui_box(stdscr, y, x, hh, w, base, title, base | A_BOLD, g);
    int line = 0, row = y + 1;
    for (size_t i = 0; i < h.n && row < y + hh - 1; i++) {
        const help_line *l = &h.lines[i];
        int attr = ui_theme_attr(&a->scr.theme, l->off ? UI_ROLE_DIM : UI_ROLE_DIALOG);
        if (l->heading) {
            if (line++ >= a->scr.help_top)
                ui_put(stdscr, row++, x + 2, inner, base | A_BOLD | A_UNDERLINE, UI_LEFT, l->text,
                       g);
            continue;
        }
        if (key_alone(l) && line++ >= a->scr.help_top && row < y + hh - 1)
            ui_put(stdscr, row++, x + 2, inner, attr | A_BOLD, UI_LEFT, l->key, g);
        const char *s = l->text;
        for (int k = 0; *s || k == 0; k++) {
            const char *next;
            size_t n = ui_wrap_line(s, text_w, &next);
            if (line++ >= a->scr.help_top && row < y + hh - 1) {
                char part[600];
                snprintf(part, sizeof part, "%.*s", (int)n, s);
                ui_put(stdscr, row, x + 2, KEY_COLUMN, attr | (k == 0 ? A_BOLD : 0), UI_LEFT,
                       k == 0 && !key_alone(l) ? l->key : "", g);
                ui_put(stdscr, row++, x + 2 + KEY_COLUMN, text_w, attr, UI_LEFT, part, g);
            }
            s = next;
        }
    }
    free(h.lines);
}

void tui_help_key(tui_app *a, int key)
{
    int cmd = tui_keys_lookup(a, key), page = a->scr.help_page > 1 ? a->scr.help_page - 1 : 1;
    switch (cmd) {
    case TUI_CMD_UP:
        a->scr.help_top--;
        break;
    case TUI_CMD_DOWN:
        a->scr.help_top++;
        break;
    case TUI_CMD_PAGE_UP:
        a->scr.help_top -= page;
        break;
    case TUI_CMD_PAGE_DOWN:
    case TUI_CMD_OPEN:
        a->scr.help_top += page;
        break;
    case TUI_CMD_TOP:
        a->scr.help_top = 0;
        break;
    case TUI_CMD_BOTTOM:
        a->scr.help_top = a->scr.help_lines;
        break;
    case TUI_CMD_HELP:
    case TUI_CMD_BACK:
    case TUI_CMD_QUIT:
        a->scr.modal = MODAL_NONE;
        break;
    default:
        if (key == ' ')
            a->scr.help_top += page;
        break;
    }
    if (a->scr.help_top > a->scr.help_lines - a->scr.help_page)
        a->scr.help_top = a->scr.help_lines - a->scr.help_page;
    if (a->scr.help_top < 0)
        a->scr.help_top = 0;
    a->scr.screen_dirty = true;
}
