/* ui_glyphs: every non-ASCII character the console draws, with an ASCII
 * stand-in used under --ascii or when the locale is not UTF-8. */
#ifndef UI_GLYPHS_H
#define UI_GLYPHS_H

#include <stdbool.h>

typedef struct {
    bool utf8;
    const char *h, *v, *tl, *tr, *bl, *br; /* box lines and corners */
    const char *bar_full, *bar_empty;
    const char *spark[8]; /* rising levels */
    const char *up_arrow, *down_arrow;
    const char *dot; /* status marker */
    const char *ellipsis;
    const char *check, *cross;
    const char *arrow; /* "serving" */
} ui_glyphs;

/* UTF-8 glyphs, or the ASCII set. */
void ui_glyphs_init(ui_glyphs *g, bool utf8);

/* True when the current locale (after setlocale) encodes UTF-8. */
bool ui_glyphs_locale_is_utf8(void);

#endif
