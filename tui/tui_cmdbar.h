/* tui_cmdbar: the prompt on the status row: the : command bar (views,
 * actions, filters, sorting, and any command by its name) with Tab
 * completion and history, the / filter, and the column key after s. */
#ifndef TUI_CMDBAR_H
#define TUI_CMDBAR_H

#include "tui_app.h"

#include <stdbool.h>
#include <stddef.h>

void tui_cmdbar_open(tui_app *a, tui_prompt_kind kind);
/* A key while a prompt is open. */
void tui_cmdbar_key(tui_app *a, int key);
/* What the prompt row shows. */
void tui_cmdbar_line(const tui_app *a, char *out, size_t len);

/* Runs a command line (without the colon); false when it was refused
 * (the status line says why). */
bool tui_cmdbar_run(tui_app *a, const char *line);

/* The commands, for the help. */
size_t tui_cmdbar_count(void);
void tui_cmdbar_describe(size_t i, const char **syntax, const char **what);

#endif
