/* tui_tableview: what the table views (orbits, parked calls, queues,
 * events) share: a title line saying what is shown and how much of it
 * (with the filter), the table under it, and the keys and mouse every
 * table answers: moving, paging, g and G, sorting by a column's key, by
 * the column to the left or right, or the other way round. */
#ifndef TUI_TABLEVIEW_H
#define TUI_TABLEVIEW_H

#include "tui_view.h"

/* Draws the title (title, then "N" or "N of M", the filter, then note if
 * any) on the first row of r and the table in the rest. */
void tui_tableview_draw(tui_app *a, ui_table *t, const ui_table_source *src, void *ctx, tui_rect r,
                        const char *title, const char *note);

/* The commands every table answers; true when cmd was one. */
bool tui_tableview_key(tui_app *a, ui_table *t, int cmd);

/* Grows a row array to hold want rows (elem bytes each). */
bool tui_tableview_grow(void **rows, size_t *cap, size_t want, size_t elem);

/* Orders two integers for a source's compare. */
int tui_cmp_i64(int64_t x, int64_t y);

#endif
