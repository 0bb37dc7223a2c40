/* tui_help: the help screen, made from the key maps (so it shows the
 * keys as rebound), the view table and the command bar's commands, with
 * the words the console uses and how to rebind keys. It wraps to the
 * terminal's width and scrolls, so nothing is cut at 80x24. */
#ifndef TUI_HELP_H
#define TUI_HELP_H

#include "tui_app.h"

void tui_help_open(tui_app *a);
void tui_help_draw(tui_app *a, int rows, int cols);
/* A key while the help is open (scrolls, or closes it). */
void tui_help_key(tui_app *a, int key);

#endif
