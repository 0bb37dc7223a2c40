/* tui_keys: orbitop's key table: every key the console answers, from
 * which the footer and the help screen are generated. */
#ifndef TUI_KEYS_H
#define TUI_KEYS_H

#include "ui_keys.h"

#include <stddef.h>

#define TUI_KEY_FAILOVER 'F'
#define TUI_KEY_FAILBACK 'B'
#define TUI_KEY_REASSIGN 'R'
#define TUI_KEY_SETTINGS 'E'
#define TUI_KEY_MOH      'U'
#define TUI_KEY_REPAINT  12 /* Ctrl-L */
#define TUI_KEY_ESC      27

extern const ui_key TUI_KEY_TABLE[];
extern const size_t TUI_KEY_COUNT;
extern const char *const TUI_VIEW_SHORT[];

#endif
