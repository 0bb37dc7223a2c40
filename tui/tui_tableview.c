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
    snprintf(line, sizeof line, " %s: %s%s%s%s%s%s", title, count, f[0] ? "  filter \"" : "", f,
             f[0] ? "\"" : "", note && note[0] ? "  " : "", note ? note : "");
    ui_put(stdscr, r.y, r.x, r.w, ui_theme_attr(&a->scr.theme, UI_ROLE_TITLE), UI_LEFT, line,
           &a->scr.glyphs);
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

bool tui_tableview_grow(void **rows, size_t *cap, size_t want, size_t elem)
{
    if (want <= *cap)
        return true;
    size_t ncap = *cap ? *cap : 256;
    while (ncap < want)
        ncap *= 2;
    void *p = realloc(*rows, ncap * elem);
    if (!p)
        return false;
    *rows = p;
    *cap = ncap;
    return true;
}

int tui_cmp_i64(int64_t x, int64_t y)
{
    return (x > y) - (x < y);
}
