/* ui_draw: text drawing that respects display width: clipped and padded
 * strings, boxes, bars and sparklines, on the current curses screen. */
#ifndef UI_DRAW_H
#define UI_DRAW_H

#include "ui_glyphs.h"

#include <curses.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { UI_LEFT = 0, UI_RIGHT, UI_CENTRE } ui_align;

/* Display columns of a UTF-8 string. */
int ui_text_width(const char *s);

/* Draws s at (y, x) in exactly width columns (clipped with the ellipsis
 * glyph when too long, padded with blanks), with attribute attr. */
void ui_put(WINDOW *w, int y, int x, int width, int attr, ui_align align, const char *s,
            const ui_glyphs *g);

/* printf into a width-bound field. */
void ui_putf(WINDOW *w, int y, int x, int width, int attr, const ui_glyphs *g, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* Fills a row segment with blanks in attr. */
void ui_fill(WINDOW *w, int y, int x, int width, int attr);

/* A box outline; title (may be NULL) drawn into the top edge. */
void ui_box(WINDOW *w, int y, int x, int h, int width, int attr, const char *title, int title_attr,
            const ui_glyphs *g);

/* A horizontal bar filled to fraction (0..1) across width columns. */
void ui_bar(WINDOW *w, int y, int x, int width, double fraction, int attr, const ui_glyphs *g);

/* A sparkline of n values (the newest last) in width columns, scaled to
 * the largest value shown. */
void ui_spark(WINDOW *w, int y, int x, int width, const uint32_t *values, size_t n, int attr,
              const ui_glyphs *g);

/* Human durations: "42s", "3m05s", "2h07m", "3d04h". */
void ui_duration(int64_t ms, char *out, size_t len);

#endif
