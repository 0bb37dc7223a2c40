/* ui_keys: a console's key rows, from which its footer, its help and its
 * key handling are all made, so they never disagree: each row binds a
 * key to a command, and the command's name is what a configuration file
 * rebinds. Keys are named as an operator writes them ("F", "Ctrl-L",
 * "PgDn", "F1") both in the help and in the configuration file. */
#ifndef UI_KEYS_H
#define UI_KEYS_H

#include "ui_draw.h"
#include "ui_theme.h"

#include <stdbool.h>
#include <stddef.h>

enum {
    UI_KEY_ACTION = 1u << 0, /* changes the deployment: off in read-only mode */
    UI_KEY_TABLE = 1u << 1,  /* only where a table is shown */
};

typedef struct {
    int key;           /* curses key code */
    int cmd;           /* the command it runs */
    const char *name;  /* the command's name for rebinding: "failover" (static) */
    const char *label; /* footer word, NULL when not in the footer (static) */
    const char *help;  /* help line (static) */
    unsigned flags;    /* UI_KEY_* */
} ui_key;

/* "F", "Tab", "Esc", "Ctrl-L", "PgDn", "F1", "Space"... */
const char *ui_key_name(int key, char *buf, size_t len);

/* The key code of a name as ui_key_name writes it; also "C-x", "^X",
 * "Shift-Tab", "Home", "Insert"... and a single character. -1 when it is
 * not a key. */
int ui_key_parse(const char *name);

/* Footer: "key label" pairs of the rows that have a label, the first row
 * of each command only, without action rows when read_only and without
 * table rows when tables is false, until the width is used. */
void ui_keys_footer(WINDOW *w, int y, int x, int width, const ui_key *rows, size_t n,
                    bool read_only, bool tables, const ui_theme *th, const ui_glyphs *g);

#endif
