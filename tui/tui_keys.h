/* tui_keys: orbitop's commands and the keys that run them. Each key row
 * carries a command id; the key handler looks the key up and switches on
 * the command, so the footer, the help and the handling all come from
 * the same rows. The rows can be rebound in orbitop.conf with
 * `bind.COMMAND = KEY[, KEY...]` (a view's own command:
 * `bind.VIEW.COMMAND`); the bindings are checked at start, and a key
 * bound twice, an unknown command or an unknown key stops orbitop with
 * the line at fault. */
#ifndef TUI_KEYS_H
#define TUI_KEYS_H

#include "tui_app.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    TUI_CMD_NONE = 0,
    TUI_CMD_HELP,
    TUI_CMD_QUIT,
    TUI_CMD_REPAINT,
    TUI_CMD_BACK,
    TUI_CMD_COMMAND, /* the : command bar */
    TUI_CMD_FILTER,
    TUI_CMD_VIEW_NEXT,
    TUI_CMD_VIEW_PREV,
    TUI_CMD_FAILOVER,
    TUI_CMD_FAILBACK,
    TUI_CMD_REASSIGN,
    TUI_CMD_SETTINGS,
    TUI_CMD_MOH,
    TUI_CMD_RB_FAILOVER, /* the guided runbooks */
    TUI_CMD_RB_FAILBACK,
    TUI_CMD_RB_REPLACE,
    TUI_CMD_RB_ABANDON,
    TUI_CMD_UP,
    TUI_CMD_DOWN,
    TUI_CMD_LEFT,
    TUI_CMD_RIGHT,
    TUI_CMD_PAGE_UP,
    TUI_CMD_PAGE_DOWN,
    TUI_CMD_TOP,
    TUI_CMD_BOTTOM,
    TUI_CMD_OPEN,
    TUI_CMD_SORT_BY, /* s, then the column's key */
    TUI_CMD_SORT_NEXT,
    TUI_CMD_SORT_PREV,
    TUI_CMD_SORT_REVERSE,
    TUI_CMD_VIEW_FIRST = 64, /* TUI_CMD_VIEW_FIRST + i shows view i */
    TUI_CMD_OWN = 128,       /* views number their own commands from here */
} tui_cmd;

/* Builds the key maps: the defaults (views by their digits), then each
 * bind.* setting from the configuration file (binds: name = keys, n of
 * them), then checks that no key runs two commands. False with the
 * reason (naming the setting) in why. */
typedef struct {
    char name[64];
    char keys[128];
    int line;
} tui_binding;
bool tui_keys_build(tui_app *a, const tui_binding *binds, size_t n, char *why, size_t whylen);
void tui_keys_free(tui_app *a);

/* The command a key runs in the current view (its own keys first), or
 * TUI_CMD_NONE. */
int tui_keys_lookup(const tui_app *a, int key);

/* The first key of a command, named ("F", "Ctrl-L"), or "" when unbound. */
const char *tui_keys_name_of(const tui_app *a, int view, int cmd, char *buf, size_t len);

/* Every key of a command, "g, Home". */
void tui_keys_names(const tui_keymap *m, int cmd, char *buf, size_t len);

#endif
