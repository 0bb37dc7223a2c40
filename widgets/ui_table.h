/* ui_table: a sortable, filterable table that scrolls smoothly through
 * any number of rows and draws only the visible ones. Rows come from a
 * source (count, cell text, comparison, a stable key); the table keeps an
 * index of the rows that pass the filter in sort order, and keeps the
 * selection on the same row across refreshes. */
#ifndef UI_TABLE_H
#define UI_TABLE_H

#include "ui_draw.h"
#include "ui_theme.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *title;
    int min_width;
    int flex; /* share of spare columns; 0 keeps min_width */
    ui_align align;
} ui_column;

typedef struct {
    size_t (*count)(void *ctx);
    /* Text of a cell; *role may be set to colour it (default: normal). */
    void (*cell)(void *ctx, size_t row, int col, char *buf, size_t len, ui_role *role);
    /* Orders two rows by a column (<0, 0, >0). */
    int (*compare)(void *ctx, size_t a, size_t b, int col);
    /* A key that identifies the row across refreshes. */
    void (*key)(void *ctx, size_t row, char *buf, size_t len);
} ui_table_source;

typedef struct ui_table ui_table;

ui_table *ui_table_new(const ui_column *cols, int ncols, int sort_col);
void ui_table_free(ui_table *t);

/* Re-reads the source: filter, sort, and find the selected row again. */
void ui_table_rebuild(ui_table *t, const ui_table_source *src, void *ctx);

void ui_table_draw(ui_table *t, const ui_table_source *src, void *ctx, WINDOW *w, int y, int x,
                   int h, int width, const ui_theme *th, const ui_glyphs *g);

/* Navigation (arrows, PgUp/PgDn, Home/End, j/k) and sorting (s: next
 * column, S: reverse). True when the key was used. */
bool ui_table_key(ui_table *t, int key);

/* Case-insensitive substring filter over every cell; "" shows all. */
void ui_table_set_filter(ui_table *t, const char *text);
const char *ui_table_filter(const ui_table *t);

/* The selected row of the source, or (size_t)-1 when there is none. */
size_t ui_table_selected(const ui_table *t);
size_t ui_table_visible_rows(const ui_table *t);
int ui_table_sort_column(const ui_table *t);
bool ui_table_sort_descending(const ui_table *t);

#endif
