/* tui_app: the state of the orbitop console, grouped by the module that
 * owns each part: the options (tui_options.c), the network (tui_main.c),
 * the screen (tui_views.c), the model of the deployment with the status
 * line and the event log (tui_model.c), the prompt of the command bar and
 * the filter (tui_cmdbar.c), the actions and their dialogs
 * (tui_actions.c), the key map (tui_keys.c), and each view's own state,
 * which only its view file knows. Other modules read a part; they change
 * it through its owner's functions. */
#ifndef TUI_APP_H
#define TUI_APP_H

#include "client_hub.h"
#include "client_moh.h"
#include "client_rest.h"
#include "client_runbook.h"
#include "client_target.h"
#include "client_vault.h"
#include "ui_dialog.h"
#include "ui_draw.h"
#include "ui_filepick.h"
#include "ui_keys.h"
#include "ui_table.h"
#include "ui_theme.h"

#include <stdbool.h>
#include <stdint.h>

#define TUI_VIEW_MAX   16   /* views the registry can hold */
#define TUI_EVENT_LOG  2000 /* events kept; older ones are dropped */
#define TUI_SPARK      120  /* seconds of per-pool history */
#define TUI_MIN_COLS   80
#define TUI_MIN_ROWS   24
#define TUI_STATUS_MAX 1024

/* ---- options (tui_options.c) ---- */

typedef struct {
    bool read_only;
    bool no_color;
    bool ascii;
    bool no_mouse;
    char theme[CLIENT_PATH_MAX];
    char vault_dir[CLIENT_PATH_MAX];
    char deployment_name[CLIENT_VAULT_NAME_MAX + 1];
    int rto_s; /* the recovery-time objective runbooks watch phases against (0: 30 min) */
    ui_theme_spec theme_spec; /* read and checked before the screen starts */
    client_target *target;    /* where to connect, with what token (owned) */
} tui_options;

/* ---- network (tui_main.c) ---- */

typedef struct {
    client_hub *hub;
    client_rest *rest;
    client_vault *vault; /* NULL until the deployment is known, or when unusable */
    bool vault_failed;   /* opening it failed once: the status line said why */
    char client_name[ORBIT_CLIENT_NAME_MAX + 1]; /* as the pools see this console */
} tui_net;

/* ---- screen (tui_views.c) ---- */

typedef enum {
    MODAL_NONE = 0,
    MODAL_HELP,
    MODAL_DIALOG,
    MODAL_PICK,
    MODAL_UPLOAD,
} tui_modal;

typedef struct {
    int x, w;
} tui_span;

typedef struct {
    int64_t ms; /* when, for double clicks */
    int y, x;
} tui_click;

typedef struct {
    ui_theme theme;
    ui_glyphs glyphs;
    int view; /* index into TUI_VIEWS */
    tui_modal modal;
    bool quit;
    bool input_ended;  /* stdin closed: quit and say why */
    bool data_dirty;   /* the current view's rows must be rebuilt */
    bool screen_dirty; /* something to draw */
    bool repaint;      /* Ctrl-L: rewrite every cell */
    bool urgent;       /* the operator did something: draw at the next frame */
    int64_t last_frame_ms;
    int64_t last_draw_ms;
    int help_top;                /* first help line shown */
    int help_lines;              /* lines the help had on its last draw */
    int help_page;               /* help rows on its last draw */
    tui_span tabs[TUI_VIEW_MAX]; /* where each tab was drawn, for clicks */
    int rows, cols;              /* the size of the last frame */
    tui_click last_click;
} tui_screen;

/* ---- model (tui_model.c) ---- */

typedef struct {
    uint64_t seq; /* the n-th event seen: unique, increasing */
    int64_t time_ms;
    char pool[ORBIT_FQDN_MAX + 1];
    char kind[40];
    char summary[200];
} tui_event;

/* One pool's recent past, a value per second, the newest last. */
typedef struct {
    char fqdn[ORBIT_FQDN_MAX + 1];
    uint32_t events[TUI_SPARK];
    uint32_t parked[TUI_SPARK];
    uint32_t queued[TUI_SPARK];
    int64_t second; /* the second the last values are for */
} tui_history;

/* An announcement made lately: the same news arrives from every pool. */
typedef struct {
    char key[160];
    int64_t ms;
} tui_heard;

#define TUI_HEARD_MAX 32

typedef struct {
    char status[TUI_STATUS_MAX];
    bool status_error;
    int64_t status_ms;
    tui_heard heard[TUI_HEARD_MAX]; /* announcements made, to say each once */
    size_t heard_next;
    char selected[ORBIT_FQDN_MAX + 1]; /* the pool actions apply to */
    tui_event *events;                 /* ring of TUI_EVENT_LOG */
    size_t events_head, events_count;
    uint64_t events_seen;
    tui_history *history;
    size_t nhistory;
} tui_model;

/* ---- prompt (tui_cmdbar.c) ---- */

typedef enum { PROMPT_NONE = 0, PROMPT_FILTER, PROMPT_COMMAND, PROMPT_SORT } tui_prompt_kind;

typedef struct {
    tui_prompt_kind kind;
    char text[256];
    char hint[300];        /* completions, or what went wrong, shown after the text */
    char history[16][256]; /* commands run, the newest last */
    int nhistory, recall;
} tui_prompt;

/* ---- actions (tui_actions.c) ---- */

typedef enum {
    ACTION_FAILOVER = 0,
    ACTION_FAILBACK,
    ACTION_REASSIGN,
    ACTION_SETTINGS,
    ACTION_MOH,
    ACTION_RB_FAILOVER, /* the guided runbooks */
    ACTION_RB_FAILBACK,
    ACTION_RB_REPLACE,
    ACTION_RB_ABANDON,
    ACTION_RB_CONFIRM, /* a runbook's typed confirmation */
    ACTION_COUNT
} tui_action;

typedef enum { MOVE_BULK = 0, MOVE_REDIRECT, MOVE_RANGE } tui_move_kind;

typedef struct {
    ui_dialog dialog;
    tui_action action;
    char pool[ORBIT_FQDN_MAX + 1];   /* the pool the dialog acts on */
    char target[ORBIT_FQDN_MAX + 1]; /* where the op is sent */
    bool busy;                       /* a command is in flight */
    /* moving ranges: all of a pool's, a home pool's GroupPickup ranges
     * after a failover or failback (one orbit.update each), or one */
    tui_move_kind move;
    char ids[UI_DIALOG_LINES][ORBIT_IDENTITY_MAX + 1];
    int nids, done, failed;
    char move_to[ORBIT_FQDN_MAX + 1];
    bool users_pending;
    /* MOH upload */
    ui_filepick *picker;
    char last_dir[CLIENT_PATH_MAX]; /* the picker opens where it was left */
    char upload_path[CLIENT_PATH_MAX];
    client_moh_upload *upload;
    uint64_t upload_sent, upload_total;
    /* the guided runbook this console drives (one at a time) */
    client_runbook *runbook;
    char runbook_who[128]; /* who it records in the vault (the engine borrows it) */
} tui_act;

/* ---- keys (tui_keys.c) ---- */

typedef struct {
    ui_key *rows;
    size_t n;
} tui_keymap;

typedef struct tui_app {
    tui_options opt;
    tui_net net;
    tui_screen scr;
    tui_model model;
    tui_prompt prompt;
    tui_act act;
    tui_keymap keys;                       /* global keys */
    tui_keymap view_keys[TUI_VIEW_MAX];    /* each view's own */
    char view_cmd_names[TUI_VIEW_MAX][48]; /* "view.parked": names the key rows point to */
    void *view_state[TUI_VIEW_MAX];        /* each view's, owned by the view */
} tui_app;

#endif
