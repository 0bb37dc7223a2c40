/* tui_runbook: the guided runbooks (client_runbook.c) in the console:
 * started on the selected pool through the actions' gate, their dialogs
 * (a replacement's form, the typed confirmation, the abandon), and the
 * engine ticked from the frame timer so it never blocks the UI. */
#ifndef TUI_RUNBOOK_H
#define TUI_RUNBOOK_H

#include "tui_app.h"

/* Starts (or resumes) the runbook of an action on a pool: failover,
 * failback, replace (its form first) or abandon (a confirmation). */
void tui_runbook_start(tui_app *a, tui_action act, const char *pool);
/* A runbook dialog was accepted, or cancelled (a declined confirmation
 * abandons the runbook). */
void tui_runbook_accept(tui_app *a);
void tui_runbook_cancel(tui_app *a);
/* Moves the engine on; frees it once it ended and its record is whole. */
void tui_runbook_tick(tui_app *a, int64_t now_ms);
void tui_runbook_free(tui_app *a);

#endif
