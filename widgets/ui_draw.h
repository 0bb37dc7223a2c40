/* ui_draw: text drawing that respects display width: clipped, padded and
 * wrapped strings, boxes, bars and sparklines. Every string is drawn in
 * its visible form (client_text): much of what the console shows comes
 * from the pools, and a control character in a name must neither reach
 * the terminal nor move text onto another row. */
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

/* The visible form of s as the screen shows it (controls made visible;
 * every non-ASCII character too when the glyphs are ASCII). */
void ui_visible(const char *s, char *out, size_t len, const ui_glyphs *g);

/* The next line of s when wrapped at width columns: returns its length
 * in bytes, breaking after the last blank that fits (or inside a word too
 * long for a line); *next receives where the following line starts. */
size_t ui_wrap_line(const char *s, int width, const char **next);

/* Lines s takes when wrapped at width. */
int ui_wrap_count(const char *s, int width);

/* Draws s wrapped at width from row y, in at most max_lines rows (the
 * last one ends with the ellipsis when more was left); returns the rows
 * used. */
int ui_put_wrapped(WINDOW *w, int y, int x, int width, int max_lines, int attr, const char *s,
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
/* A duration to the minute once it passes one ("45s", "12m", "1h05m"):
 * for ages in columns of many rows, where a seconds digit on every row
 * would rewrite the whole column each second for nothing the operator
 * reads. */
void ui_duration_coarse(int64_t ms, char *out, size_t len);

#endif
