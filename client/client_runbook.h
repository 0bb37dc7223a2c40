/* client_runbook: the guided DR runbooks (failover, failback, pool
 * replacement) as one engine over a step table, so orbitop and orbitctl
 * drive the same code. Each step is a row {name, title, precondition,
 * action, verify}: the precondition says whether the step may run now
 * (or is not needed: skipped), verify says whether its effect is there
 * (checked before acting, so a runbook run again after an interruption
 * does nothing twice), and the action starts it. Actions are commands on
 * the hub or REST transfers: nothing blocks; client_runbook_tick() moves
 * the runbook on from the hub's loop.
 *
 * The runbook's record lives in the deployment (dr_runbook.h): the
 * engine claims it before the first step (a second operator is refused
 * with the holder's name), reports every step's state, time and detail
 * (each report is an audited op), and resumes from it after a restart.
 * A step that fails stops the runbook and says why and what to do. */
#ifndef CLIENT_RUNBOOK_H
#define CLIENT_RUNBOOK_H

#include "client_hub.h"
#include "client_rest.h"
#include "client_target.h"
#include "client_vault.h"
#include "dr_runbook.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct client_runbook client_runbook;

typedef struct {
    dr_runbook_kind kind;
    char home[ORBIT_FQDN_MAX + 1]; /* the pool whose users move (replace: the lost pool) */
    bool disaster_mode;            /* failover: asked for (the preflight proposes it) */
    int rto_s;                     /* the recovery-time objective (0: 1800 s, Lync 2013's) */
    bool take_over;                /* resume a runbook another operator held */
    /* replace: the new pool */
    char new_fqdn[ORBIT_FQDN_MAX + 1];
    char new_site[ORBIT_SITE_MAX + 1];
    char new_url[ORBIT_URL_MAX + 1];
    int new_pool_wait_s; /* how long to wait for it to come up (0: 300 s) */
} client_runbook_params;

/* What the engine works with, borrowed for its life. */
typedef struct {
    client_hub *hub;
    client_rest *rest;
    client_vault *vault;   /* may be NULL: restores then have nothing to restore */
    client_target *target; /* the new pool of a replacement is added to it */
    const char *token;     /* for REST */
    const char *who;       /* recorded in the vault */
} client_runbook_env;

typedef struct {
    /* A step changed (state or detail); also the runbook's end. */
    void (*on_step)(void *ctx, client_runbook *rb, size_t step);
    /* The confirmation step: show client_runbook_note()s and ask for the
     * home pool's name; answer with client_runbook_confirm(). */
    void (*confirm)(void *ctx, client_runbook *rb);
    /* The runbook stopped: see client_runbook_outcome(). */
    void (*on_end)(void *ctx, client_runbook *rb);
} client_runbook_hooks;

typedef enum {
    CLIENT_RB_RUNNING = 0,
    CLIENT_RB_DONE,      /* every step done or skipped */
    CLIENT_RB_FAILED,    /* a step failed: resume to try it again */
    CLIENT_RB_REFUSED,   /* the claim was refused (another operator holds the pair) */
    CLIENT_RB_CANCELLED, /* the operator declined the confirmation; abandoned */
    CLIENT_RB_ABANDONED, /* abandoned, or taken over by another operator */
} client_runbook_outcome;

/* A step's title for people ("redirect the GroupPickup ranges"). */
const char *client_runbook_step_title(dr_runbook_kind kind, size_t step);

/* Starts (or resumes) a runbook: checks the parameters, then claims the
 * pair and runs. NULL with st when the parameters are wrong (unknown
 * pool, no backup, a bad URL). */
client_runbook *client_runbook_start(const client_runbook_env *env, const client_runbook_params *p,
                                     const client_runbook_hooks *hooks, void *ctx,
                                     orbit_status *st);
/* Moves the runbook on (call it from the loop, often). */
void client_runbook_tick(client_runbook *rb, int64_t now_ms);
/* The operator's answer to the confirmation: yes goes on (disaster_mode
 * as confirmed); no abandons the runbook. */
void client_runbook_confirm(client_runbook *rb, bool yes, bool disaster_mode);
/* Stops and abandons the runbook (the pair is free again). */
void client_runbook_abandon(client_runbook *rb, const char *reason);
/* Cancels what is in flight and frees; the record stays in the
 * deployment (resume it later). NULL is ignored. */
void client_runbook_free(client_runbook *rb);

client_runbook_outcome client_runbook_get_outcome(const client_runbook *rb);
const char *client_runbook_outcome_name(client_runbook_outcome o);
/* Why it ended, and what to do ("" while running). */
const char *client_runbook_message(const client_runbook *rb);
/* True until it ended and its last report reached the deployment. */
bool client_runbook_busy(const client_runbook *rb);
/* Waiting for client_runbook_confirm(). */
bool client_runbook_awaiting_confirmation(const client_runbook *rb);

/* The runbook as this engine knows it: steps with state, times and
 * detail (borrowed; details move while a step runs). */
const dr_runbook *client_runbook_record(const client_runbook *rb);
const client_runbook_params *client_runbook_params_of(const client_runbook *rb);
/* The preflight's findings, for the confirmation: NULL past the last. */
const char *client_runbook_note(const client_runbook *rb, size_t i);
/* The failover's disaster_mode as proposed by the preflight. */
bool client_runbook_disaster_mode(const client_runbook *rb);

/* One step as a line: "[done] failover  12.3s  failed over to pool2...". */
void client_runbook_step_line(const client_runbook *rb, size_t step, int64_t now_ms, char *out,
                              size_t len);
/* The step as a JSON line's object: {runbook, home, step, title, state,
 * elapsed_ms, detail} (new reference). */
json_t *client_runbook_step_json(const client_runbook *rb, size_t step, int64_t now_ms);

#endif
