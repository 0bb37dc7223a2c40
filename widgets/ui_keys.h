/* ui_keys: one key table for a console, from which both the footer and
 * the help screen are drawn, so they never disagree with what the keys
 * do. Action keys (ones that change something) vanish from the footer
 * and are greyed in the help when the console is read-only. */
#ifndef UI_KEYS_H
#define UI_KEYS_H

#include "ui_draw.h"
#include "ui_theme.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    int key;
    const char *label; /* footer word: "Failover" */
    const char *help;  /* help line */
    unsigned views;    /* bit per view where it applies; 0: everywhere */
    bool action;       /* changes the deployment */
    bool footer;       /* shown in the footer */
} ui_key;

/* "F", "Tab", "Esc", "^L", "?"... */
const char *ui_key_name(int key, char *buf, size_t len);

/* Footer: "key label" pairs for the view (bit view_bit). */
void ui_keys_footer(WINDOW *w, int y, int x, int width, const ui_key *keys, size_t n,
                    unsigned view_bit, bool read_only, const ui_theme *th, const ui_glyphs *g);

/* Help: every key, one per line, from line y; actions greyed when
 * read_only. Returns the lines used. */
int ui_keys_help(WINDOW *w, int y, int x, int height, int width, const ui_key *keys, size_t n,
                 bool read_only, const char *const *view_names, int nviews, const ui_theme *th,
                 const ui_glyphs *g);

#endif
