/* tui_input: the keyboard and the mouse. Reading: escape sequences the
 * terminal description does not know (PuTTY's Home and End claiming to be
 * xterm, focus reports, keys of other terminals) are recognised or
 * dropped whole, never taken for Esc followed by keys; the end of input
 * (stdin at EOF, a hung-up terminal) is reported instead of spun on.
 * Handling: a modal first, then an open prompt, then one switch on the
 * key's command, then the current view's own handler. */
#ifndef TUI_INPUT_H
#define TUI_INPUT_H

#include "tui_app.h"

#include <stdbool.h>

/* Teaches curses the extra key sequences and starts the mouse (unless
 * --no-mouse). Call after initscr. */
void tui_input_setup(tui_app *a);

/* Reads and handles every key waiting. False when the input has ended
 * (nothing more will ever come). told_readable: the loop saw the
 * descriptor readable, so no key at all means end of input. */
bool tui_input_read(tui_app *a, bool told_readable);

/* Handles one key. */
void tui_input_key(tui_app *a, int key);

/* Runs a command as its key would (the command bar runs commands by
 * name through here). */
void tui_input_command(tui_app *a, int cmd, int key);

#endif
