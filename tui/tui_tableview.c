/* tui_tableview: the title line and the common keys of table views. */
#include "tui_tableview.h"

#include "tui_keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tui_tableview_draw(tui_app *a, ui_table *t, const ui_table_source *src, void *ctx, tui_rect r,
                        const char *title, const char *note)
{
    char line[1200], count[64];
    size_t shown = ui_table_visible_rows(t), total = src->count(ctx);
    const char *f = ui_table_filter(t);
    if (shown == total)
        snprintf(count, sizeof count, "%zu", shown);
    else
        snprintf(count, sizeof count, "%zu of %zu", shown, total);
    /* Title, count, filter and note; when the line is too narrow for
     * all, the title's words are cut rather than the count, the filter
     * or the note (following or paused, and the key that changes it):
     * those are what an operator reads and acts on. */
    char tail[800];
    snprintf(line, sizeof line, " %s", title);
    snprintf(tail, sizeof tail, ": %s%s%s%s%s%s", count, f[0] ? "  filter \"" : "", f,
             f[0] ? "\"" : "", note && note[0] ? "  " : "", note ? note : "");
    int attr = ui_theme_attr(&a->scr.theme, UI_ROLE_TITLE);
    /* Widths as drawn: control characters in a filter show as more. */
    char drawn[sizeof tail * 2];
    ui_visible(tail, drawn, sizeof drawn, &a->scr.glyphs);
    int title_w = r.w - ui_text_width(drawn);
    ui_visible(line, drawn, sizeof drawn, &a->scr.glyphs);
    if (ui_text_width(drawn) <= title_w || title_w < 8) {
        size_t used = strlen(line);
        snprintf(line + used, sizeof line - used, "%s", tail);
        ui_put(stdscr, r.y, r.x, r.w, attr, UI_LEFT, line, &a->scr.glyphs);
    } else {
        ui_put(stdscr, r.y, r.x, title_w, attr, UI_LEFT, line, &a->scr.glyphs);
        ui_put(stdscr, r.y, r.x + title_w, r.w - title_w, attr, UI_LEFT, tail, &a->scr.glyphs);
    }
    ui_table_draw(t, src, ctx, stdscr, r.y + 1, r.x, r.h - 1, r.w, &a->scr.theme, &a->scr.glyphs);
}

bool tui_tableview_key(tui_app *a, ui_table *t, int cmd)
{
    switch (cmd) {
    case TUI_CMD_UP:
        ui_table_move(t, -1);
        break;
    case TUI_CMD_DOWN:
        ui_table_move(t, 1);
        break;
    case TUI_CMD_PAGE_UP:
        ui_table_move(t, -ui_table_page(t));
        break;
    case TUI_CMD_PAGE_DOWN:
        ui_table_move(t, ui_table_page(t));
        break;
    case TUI_CMD_TOP:
        ui_table_home(t);
        break;
    case TUI_CMD_BOTTOM:
        ui_table_end(t);
        break;
    case TUI_CMD_SORT_NEXT:
    case TUI_CMD_SORT_PREV:
        ui_table_sort_step(t, cmd == TUI_CMD_SORT_NEXT ? 1 : -1);
        a->scr.data_dirty = true;
        break;
    case TUI_CMD_SORT_REVERSE:
        ui_table_sort_reverse(t);
        a->scr.data_dirty = true;
        break;
    default:
        return false;
    }
    a->scr.screen_dirty = true;
    return true;
}

bool tui_tablestate_new(void **state, size_t size, const ui_column *cols, int ncols, int sort_col,
                        bool descending)
{
    tui_tablestate *s = calloc(1, size);
    if (!s)
        return false;
    s->table = ui_table_new(cols, ncols, sort_col, descending);
    if (!s->table) {
        free(s);
        return false;
    }
    *state = s;
    return true;
}

void tui_tablestate_free(void *state)
{
    tui_tablestate *s = state;
    if (!s)
        return;
    ui_table_free(s->table);
    free(s->rows);
    free(s);
}

bool tui_tablestate_reserve(tui_tablestate *s, size_t want, size_t elem)
{
    if (want <= s->cap)
        return true;
    size_t ncap = s->cap ? s->cap : 256;
    while (ncap < want)
        ncap *= 2;
    void *p = realloc(s->rows, ncap * elem);
    if (!p)
        return false;
    s->rows = p;
    s->cap = ncap;
    return true;
}

ui_table *tui_tableview_table(void *state)
{
    return ((tui_tablestate *)state)->table;
}

bool tui_tableview_keys(tui_app *a, void *state, int cmd, int key)
{
    (void)key;
    return tui_tableview_key(a, tui_tableview_table(state), cmd);
}

void tui_tableview_click(tui_app *a, void *state, int y, int x, bool twice)
{
    (void)x;
    (void)twice;
    if (ui_table_click(tui_tableview_table(state), y))
        a->scr.screen_dirty = true;
}

int tui_cmp_i64(int64_t x, int64_t y)
{
    return (x > y) - (x < y);
}
