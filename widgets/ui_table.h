/* ui_table: a sortable, filterable table that scrolls smoothly through
 * any number of rows and draws only the visible ones. Rows come from a
 * source (count, cell text, comparison, a stable key); the table keeps an
 * index of the rows that pass the filter in sort order, and keeps the
 * selection on the same row, at the same place on the screen, across
 * refreshes, or, when it follows, on the first row (a live log whose
 * newest entry is first). */
#ifndef UI_TABLE_H
#define UI_TABLE_H

#include "ui_draw.h"
#include "ui_theme.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *title;
    int min_width; /* the title and the sort arrow always fit too */
    int flex;      /* share of spare columns; 0 keeps min_width */
    ui_align align;
    char sort_key; /* the key that sorts by this column (after s) */
} ui_column;

typedef struct {
    size_t (*count)(void *ctx);
    /* Text of a cell; *role may be set to colour it (default: normal). */
    void (*cell)(void *ctx, size_t row, int col, char *buf, size_t len, ui_role *role);
    /* Orders two rows by a column (<0, 0, >0), ascending. */
    int (*compare)(void *ctx, size_t a, size_t b, int col);
    /* A key that identifies the row across refreshes. */
    void (*key)(void *ctx, size_t row, char *buf, size_t len);
} ui_table_source;

typedef struct ui_table ui_table;

/* cols is copied. */
ui_table *ui_table_new(const ui_column *cols, int ncols, int sort_col, bool descending);
void ui_table_free(ui_table *t);

/* Re-reads the source: filter, sort, and find the selected row again. */
void ui_table_rebuild(ui_table *t, const ui_table_source *src, void *ctx);

void ui_table_draw(ui_table *t, const ui_table_source *src, void *ctx, WINDOW *w, int y, int x,
                   int h, int width, const ui_theme *th, const ui_glyphs *g);

/* Moves the selection by delta rows (clamped); a page is the rows drawn
 * last time less one. */
void ui_table_move(ui_table *t, long delta);
long ui_table_page(const ui_table *t);
void ui_table_home(ui_table *t);
void ui_table_end(ui_table *t);
/* Selects the row drawn at screen line y (from the last draw); false when
 * y is not a row. */
bool ui_table_click(ui_table *t, int y);

/* Sorting: by a column (reversing it when it is the sort column already,
 * when toggle), by the column whose sort_key is key (false: none), one
 * column to the left or right, or the other way round. */
void ui_table_sort_by(ui_table *t, int col, bool toggle);
bool ui_table_sort_by_key(ui_table *t, int key);
void ui_table_sort_step(ui_table *t, int dir);
void ui_table_sort_reverse(ui_table *t);
int ui_table_sort_column(const ui_table *t);
bool ui_table_sort_descending(const ui_table *t);
int ui_table_columns(const ui_table *t);
const ui_column *ui_table_column(const ui_table *t, int col);

/* Following: the selection stays on the first row as rows come and go. */
void ui_table_set_follow(ui_table *t, bool follow);
bool ui_table_following(const ui_table *t);

/* Case-insensitive substring filter over every cell; "" shows all. */
void ui_table_set_filter(ui_table *t, const char *text);
const char *ui_table_filter(const ui_table *t);

/* The selected row of the source, or (size_t)-1 when there is none, and
 * its position among the rows shown. */
size_t ui_table_selected(const ui_table *t);
size_t ui_table_selected_pos(const ui_table *t);
size_t ui_table_visible_rows(const ui_table *t);

#endif
