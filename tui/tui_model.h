/* tui_model: the deployment as the console knows it: the freshest view
 * of the pools, the selected pool, whether the console may act (the read-
 * only gate's first half), the status line, the log of live events and
 * each pool's recent history. Views and actions read the deployment
 * through here; nothing here draws. */
#ifndef TUI_MODEL_H
#define TUI_MODEL_H

#include "tui_app.h"

#include <stdbool.h>
#include <stddef.h>

bool tui_model_init(tui_app *a);
void tui_model_free(tui_app *a);

/* The freshest live mirror, for deployment-wide facts (pools, DR, table). */
const client_mirror *tui_model_mirror(const tui_app *a);
/* The connection to a pool (borrowed), or NULL. */
client_conn *tui_model_conn(const tui_app *a, const char *fqdn);
/* A pool's own mirror when it has sent one, else NULL. */
const client_mirror *tui_model_own(const tui_app *a, const char *fqdn);

/* True when the console only watches: --read-only, or a token that is no
 * operator's anywhere. */
bool tui_read_only(const tui_app *a);

/* The status line: one message, an error or not; plain messages fade. */
void tui_status(tui_app *a, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The pool actions apply to ("" before any is known). */
void tui_model_select(tui_app *a, const char *fqdn);
/* A pool as an operator names it: its FQDN, its first label ("pool3") or
 * the start of its FQDN, when that names one pool only. NULL with why. */
const pool_info *tui_model_pool_named(const tui_app *a, const char *name, char *why, size_t whylen);

/* How a pool is, in the console's words. Two different facts, never
 * mixed: the pool's heartbeat in the deployment store, as the pools
 * report it ("up", "DOWN", "unknown"), and this console's own link to it
 * ("" when live, "connecting", "no link", "stale"). */
typedef struct {
    const char *heartbeat;
    const char *link;
    char text[48]; /* "DOWN, no link" */
    ui_role role;  /* its colour */
    bool old;      /* the console's data for the pool is not current */
} tui_pool_words;

void tui_model_pool_words(const tui_app *a, const pool_info *p, tui_pool_words *w);

/* What the users of a pool can and cannot do now, as the cell of the seed
 * tables their situation is in: for a pool that is down, "parked calls
 * lost", when park and pickup come back (after the failover, after the
 * redirect) or where they work. Up to 3 lines (brief: a few words each,
 * for one-line cards); returns how many. */
int tui_model_seed_cell(const tui_app *a, const pool_info *p, const dr_state *d, bool brief,
                        char lines[3][320]);

/* News for the status line: a pool down or up, a phase started or
 * completed, pickup ranges redirected, and what other consoles and
 * orbitctl did (who, from where). Each piece of news once, though every
 * pool sends it. */
void tui_model_announce(tui_app *a, const char *kind, const json_t *data);

/* An event applied by a connection: logged and counted. */
void tui_model_note_event(tui_app *a, client_conn *c, const char *kind, const json_t *data);
/* Event i of the log, 0 the newest; NULL past the end. */
const tui_event *tui_model_event_at(const tui_app *a, size_t i);

/* A pool's history (made on first use; NULL when out of memory), and the
 * per-second sampling of every pool's parked and queued calls. */
tui_history *tui_model_history(tui_app *a, const char *fqdn);
void tui_model_tick(tui_app *a, int64_t now_ms);

/* The deployment's backup vault: opened once the deployment is known
 * (from the deployment file, else from the pools a pool lists), under
 * --vault. NULL before that, or when it cannot be opened (the status line
 * says why, once). Owned by a->net. */
client_vault *tui_model_vault(tui_app *a);

#endif
