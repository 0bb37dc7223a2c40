/* tui_views: the frame of the console around its views (header, tabs,
 * status line or prompt, footer, modals, "too small"), the view table's
 * life (each view's state made and freed), and hit-testing the tabs. */
#ifndef TUI_VIEWS_H
#define TUI_VIEWS_H

#include "tui_view.h"

/* Makes every view's state; false when out of memory. */
bool tui_views_init(tui_app *a);
void tui_views_free(tui_app *a);

/* Rebuilds the current view's rows from the model. */
void tui_views_rebuild(tui_app *a);

/* Draws a frame; only changed cells reach the terminal. */
void tui_draw(tui_app *a);

/* The view whose tab is at (y, x) of the last frame, or -1. */
int tui_views_tab_at(const tui_app *a, int y, int x);

#endif
