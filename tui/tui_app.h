/* tui_app: the state of the orbitop console shared by its views and
 * actions: options, the network (hub, REST, vault), the merged view of the
 * deployment, the tables, the event log, the modal dialogs and the status
 * line. */
#ifndef TUI_APP_H
#define TUI_APP_H

#include "client_hub.h"
#include "client_moh.h"
#include "client_rest.h"
#include "client_vault.h"
#include "ui_dialog.h"
#include "ui_draw.h"
#include "ui_filepick.h"
#include "ui_table.h"
#include "ui_theme.h"

#include <stdbool.h>
#include <stdint.h>

typedef enum {
    VIEW_OVERVIEW = 0,
    VIEW_ORBITS,
    VIEW_PARKED,
    VIEW_QUEUES,
    VIEW_POOL,
    VIEW_EVENTS,
    VIEW_COUNT
} tui_view;

#define TUI_EVENT_LOG 2000
#define TUI_SPARK     60
#define TUI_MIN_COLS  80
#define TUI_MIN_ROWS  24

typedef struct {
    int64_t time_ms;
    char pool[ORBIT_FQDN_MAX + 1];
    char kind[40];
    char summary[160];
} tui_event;

/* Events per second of one pool over the last minute. */
typedef struct {
    char fqdn[ORBIT_FQDN_MAX + 1];
    uint32_t counts[TUI_SPARK];
    int64_t second; /* the second counts[TUI_SPARK-1] is for */
} tui_rate;

typedef struct {
    orbit_range range;
    uint32_t in_use;
} tui_orbit_row;

typedef struct {
    parked_call call;
    char pool[ORBIT_FQDN_MAX + 1];
} tui_parked_row;

typedef struct {
    pickup_call call;
    char pool[ORBIT_FQDN_MAX + 1];
} tui_queue_row;

typedef enum {
    MODAL_NONE = 0,
    MODAL_HELP,
    MODAL_DIALOG,
    MODAL_PICK,
    MODAL_UPLOAD,
} tui_modal;

typedef enum {
    ACTION_FAILOVER = 0,
    ACTION_FAILBACK,
    ACTION_REASSIGN,
    ACTION_SETTINGS,
    ACTION_MOH,
    ACTION_COUNT
} tui_action;

typedef struct {
    /* options */
    bool read_only;
    bool no_color;
    bool ascii;
    char theme_name[64];
    char token[300];
    char ca[1024];
    char vault_dir[1024];
    /* network */
    client_hub *hub;
    client_rest *rest;
    client_vault *vault;
    /* screen */
    ui_theme theme;
    ui_glyphs glyphs;
    tui_view view;
    tui_modal modal;
    bool quit;
    bool data_dirty;   /* tables must be rebuilt */
    bool screen_dirty; /* something to draw */
    bool repaint;      /* Ctrl-L: rewrite every cell */
    int64_t last_frame_ms;
    /* status line */
    char status[300];
    bool status_error;
    int64_t status_ms;
    /* filter prompt */
    bool filtering;
    char filter[128];
    /* overview: selected pool */
    char selected[ORBIT_FQDN_MAX + 1];
    int overview_top; /* first pair shown */
    /* tables and their rows */
    ui_table *orbits_table, *parked_table, *queues_table, *events_table, *audit_table;
    tui_orbit_row *orbit_rows;
    size_t norbit_rows, cap_orbit_rows;
    tui_parked_row *parked_rows;
    size_t nparked_rows, cap_parked_rows;
    tui_queue_row *queue_rows;
    size_t nqueue_rows, cap_queue_rows;
    char orbit_pool_filter[ORBIT_FQDN_MAX + 1];
    int orbit_type_filter; /* -1 all, else orbit_type */
    /* events and audit */
    tui_event *events;
    size_t events_head, events_count;
    tui_rate *rates;
    size_t nrates;
    bool show_audit;
    json_t *audit;
    char audit_error[320];
    int64_t audit_fetched_ms;
    bool audit_pending;
    /* modal work */
    ui_dialog dialog;
    tui_action dialog_action;
    char dialog_pool[ORBIT_FQDN_MAX + 1];   /* the pool the dialog acts on */
    char dialog_target[ORBIT_FQDN_MAX + 1]; /* where the op is sent */
    bool dialog_busy;                       /* a command is in flight */
    /* redirecting a home pool's GroupPickup ranges, one range at a time */
    char redirect_ids[UI_DIALOG_LINES][ORBIT_IDENTITY_MAX + 1];
    int nredirect, redirect_done, redirect_failed;
    char redirect_to[ORBIT_FQDN_MAX + 1];
    bool redirect_mode;
    bool range_mode; /* reassigning the one range selected in the orbits view */
    char range_id[ORBIT_IDENTITY_MAX + 1];
    bool users_pending;
    ui_filepick *picker;
    char upload_path[1024];
    client_moh_upload *upload;
    uint64_t upload_sent, upload_total;
} tui_app;

/* ---- tui_model.c: the merged deployment ---- */

/* The freshest live mirror, for deployment-wide facts (pools, DR, table). */
const client_mirror *tui_any_mirror(const tui_app *a);
client_conn *tui_conn(const tui_app *a, const char *fqdn);
/* Rebuilds the row arrays and table indexes from every mirror. */
void tui_model_rebuild(tui_app *a);
void tui_model_note_event(tui_app *a, client_conn *c, const char *kind, const json_t *data);
tui_rate *tui_model_rate(tui_app *a, const char *fqdn);
/* Per-second counts for the pool, aligned to now. */
void tui_model_rate_now(tui_rate *r, int64_t now_ms);
const tui_event *tui_model_event_at(const tui_app *a, size_t i); /* 0 = newest */

extern const ui_table_source TUI_ORBITS_SOURCE;
extern const ui_table_source TUI_PARKED_SOURCE;
extern const ui_table_source TUI_QUEUES_SOURCE;
extern const ui_table_source TUI_EVENTS_SOURCE;
extern const ui_table_source TUI_AUDIT_SOURCE;

/* ---- tui_views.c ---- */

void tui_draw(tui_app *a);
const char *tui_view_name(tui_view v);
void tui_overview_move(tui_app *a, int key);

/* ---- tui_actions.c ---- */

/* The one gate every action passes: read-only mode, the token's role at
 * the pool that would run it, and its connection. On refusal the reason
 * is in why. */
bool tui_action_allowed(tui_app *a, tui_action act, const char *pool, client_conn **conn, char *why,
                        size_t len);

/* Room for a refusal that names a pool (an FQDN of up to 253 bytes) and
 * quotes a connection error in full, so the remedy is never cut. */
#define TUI_WHY_MAX 1024
void tui_action_start(tui_app *a, tui_action act);
void tui_action_dialog_key(tui_app *a, int key);
void tui_action_pick_key(tui_app *a, int key);
void tui_action_upload_key(tui_app *a, int key);
/* True when the token can only view (watch mode). */
bool tui_read_only(const tui_app *a);

/* ---- tui_main.c ---- */

void tui_status(tui_app *a, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void tui_fetch_audit(tui_app *a);

#endif
