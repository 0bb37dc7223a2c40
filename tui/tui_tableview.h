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

/* The start of a table view's state: its table and its rows. A view's
 * state begins with it, so the functions below serve every table view. */
typedef struct {
    ui_table *table;
    void *rows; /* the view's own row type */
    size_t n, cap;
} tui_tablestate;

/* Makes a state of size bytes (zeroed, beginning with a tui_tablestate)
 * whose table has these columns (copied). False when out of memory. */
bool tui_tablestate_new(void **state, size_t size, const ui_column *cols, int ncols, int sort_col,
                        bool descending);
void tui_tablestate_free(void *state);

/* Room for want rows of elem bytes. */
bool tui_tablestate_reserve(tui_tablestate *s, size_t want, size_t elem);

/* A table view's table, keys and clicks, for its row in the view table. */
ui_table *tui_tableview_table(void *state);
bool tui_tableview_keys(tui_app *a, void *state, int cmd, int key);
void tui_tableview_click(tui_app *a, void *state, int y, int x, bool twice);

/* Orders two integers for a source's compare. */
int tui_cmp_i64(int64_t x, int64_t y);

#endif
