/* tui_view: what a view of the console is: one row of the view table
 * {tab, word, draw, key, table} and one file (tui_view_<word>.c) that
 * holds its state, its rows, its drawing and its own keys. The frame
 * (tui_views.c) draws the tabs from the table, the command bar knows the
 * views by their words, the help lists their keys; so adding a view takes
 * its file and its row in TUI_VIEWS, nothing else. */
#ifndef TUI_VIEW_H
#define TUI_VIEW_H

#include "tui_app.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    int y, x, h, w;
} tui_rect;

/* What an action applies to, as the current view sees it. */
typedef struct {
    char pool[ORBIT_FQDN_MAX + 1];      /* a pool, "" for none */
    char range[ORBIT_IDENTITY_MAX + 1]; /* one orbit range, "" for none */
} tui_selection;

typedef struct tui_view_def {
    const char *tab;     /* the tab's label: "Parked" */
    const char *word;    /* its word: ":parked", bind.parked.*, the help */
    const char *summary; /* what it shows, for the help */
    /* Makes the view's state (state receives it); false when out of memory. */
    bool (*init)(tui_app *a, void **state);
    void (*fini)(void *state);
    /* The data changed: rebuild the rows (NULL: drawn straight from the model). */
    void (*rebuild)(tui_app *a, void *state);
    void (*draw)(tui_app *a, void *state, tui_rect r);
    /* A command (TUI_CMD_* or one of the view's own keys); true when used. */
    bool (*key)(tui_app *a, void *state, int cmd, int key);
    /* The view's table, for the filter, sorting and the mouse (NULL: none). */
    ui_table *(*table)(void *state);
    /* What actions apply to here (NULL: the selected pool). */
    void (*select)(tui_app *a, void *state, tui_selection *sel);
    /* ":word ARG" (NULL: the view takes no argument); false with why. */
    bool (*arg)(tui_app *a, void *state, const char *arg, char *why, size_t whylen);
    /* A click at (y, x) in the view's area; twice for a double click. */
    void (*click)(tui_app *a, void *state, int y, int x, bool twice);
    /* Every frame while the view is shown (NULL: nothing to do). */
    void (*tick)(tui_app *a, void *state, int64_t now_ms);
    /* The view's own keys: commands from TUI_CMD_OWN on. */
    const ui_key *keys;
    size_t nkeys;
} tui_view_def;

/* The view table, in tab order (tui_views.c). */
extern const tui_view_def *const TUI_VIEWS[];
extern const size_t TUI_VIEW_COUNT;

const tui_view_def *tui_view_current(const tui_app *a);
void *tui_view_state(const tui_app *a);
/* The index of the view with this word, or -1. */
int tui_view_find(const char *word);
/* Switches to a view (its rows are rebuilt before the next frame). */
void tui_view_show(tui_app *a, int view);
/* The current view's table, or NULL. */
ui_table *tui_view_table(const tui_app *a);

#endif
