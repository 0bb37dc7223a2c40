/* tui_actions: what an operator can do: failover, failback, moving
 * ranges (a pool's, a home pool's pickup ranges after a failover or
 * failback, or one range), Call Park settings and a music-on-hold upload.
 * Every action passes one gate (read-only mode, the token's role at the
 * pool that would run it, that pool's connection), every move of a
 * pool's ranges and every DR step asks for the pool's name typed out, and
 * every result or refusal ends in the status line. */
#ifndef TUI_ACTIONS_H
#define TUI_ACTIONS_H

#include "tui_app.h"

#include <stdbool.h>
#include <stddef.h>

/* Room for a refusal that names a pool (an FQDN of up to 253 bytes) and
 * quotes a connection error in full, so the remedy is never cut. */
#define TUI_WHY_MAX 1024

/* The gate: read-only mode, the token's role at the pool that would run
 * the action, and its connection. On refusal the reason is in why. */
bool tui_action_allowed(tui_app *a, tui_action act, const char *pool, client_conn **conn, char *why,
                        size_t whylen);

/* Starts an action on what the current view has selected, or, with
 * on_selected_pool, on the selected pool (the command bar names one). */
void tui_action_start(tui_app *a, tui_action act, bool on_selected_pool);

void tui_action_dialog_key(tui_app *a, int key);
void tui_action_dialog_click(tui_app *a, int y, int x);
void tui_action_pick_key(tui_app *a, int key);
void tui_action_upload_key(tui_app *a, int key);

void tui_actions_free(tui_app *a);

#endif
