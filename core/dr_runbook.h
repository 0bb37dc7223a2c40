/* dr_runbook: a disaster-recovery runbook (guided failover, failback or
 * pool replacement) as the deployment records it: which pair it works
 * on, who holds it and from where, and each step with its state and
 * times. The record lives in the deployment store, not in a console's
 * memory, so a console that restarts, or an orbitctl run again, resumes
 * it from there, and a second operator is told who holds the pair. The
 * steps themselves (what each does) are the client's (client_runbook.c);
 * here is only what every pool and client must agree on: the record, its
 * JSON form, and which runbooks conflict. */
#ifndef DR_RUNBOOK_H
#define DR_RUNBOOK_H

#include "orbit_error.h"
#include "orbit_text.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DR_RUNBOOK_STEPS_MAX     16
#define DR_RUNBOOK_STEP_MAX      24   /* a step's name: [a-z_], 1..24 */
#define DR_RUNBOOK_DETAIL_MAX    240  /* what a step did, or why it failed and what to do */
#define DR_RUNBOOK_RUN_ID_MAX    32   /* 8..32 lower-case hex digits */
#define DR_RUNBOOK_WHO_MAX       192  /* "token (client from peer)" */
#define DR_RUNBOOK_RTO_DEFAULT_S 1800 /* Lync 2013's recovery-time objective */

typedef enum {
    DR_RUNBOOK_FAILOVER = 0,
    DR_RUNBOOK_FAILBACK,
    DR_RUNBOOK_REPLACE,
    DR_RUNBOOK_KIND_COUNT
} dr_runbook_kind;

typedef enum {
    DR_STEP_PENDING = 0,
    DR_STEP_RUNNING,
    DR_STEP_DONE,
    DR_STEP_FAILED,
    DR_STEP_SKIPPED, /* not needed this time (nothing to redirect, no phase to run) */
    DR_STEP_STATE_COUNT
} dr_step_state;

/* A runbook is active (it holds its pair) while running or failed: a
 * failed step waits to be resumed or the runbook abandoned. */
typedef enum {
    DR_RUNBOOK_RUNNING = 0,
    DR_RUNBOOK_FAILED,
    DR_RUNBOOK_DONE,
    DR_RUNBOOK_ABANDONED,
    DR_RUNBOOK_STATE_COUNT
} dr_runbook_state;

typedef struct {
    char name[DR_RUNBOOK_STEP_MAX + 1];
    dr_step_state state;
    int64_t started_ms; /* 0 until it ran */
    int64_t ended_ms;   /* 0 until it ended */
    char detail[DR_RUNBOOK_DETAIL_MAX + 1];
} dr_runbook_step;

typedef struct {
    char home[ORBIT_FQDN_MAX + 1];        /* the pool whose users move; the record's key */
    char backup[ORBIT_FQDN_MAX + 1];      /* its partner when the runbook began */
    char replacement[ORBIT_FQDN_MAX + 1]; /* replace: the new pool, else "" */
    dr_runbook_kind kind;
    dr_runbook_state state;
    char run_id[DR_RUNBOOK_RUN_ID_MAX + 1]; /* the run of the engine that drives it */
    char holder[DR_RUNBOOK_WHO_MAX + 1];    /* who drives it, and from where */
    int64_t started_ms;
    int64_t updated_ms;
    bool disaster_mode; /* failover: asked for */
    int rto_s;          /* the recovery-time objective the phase is watched against */
    size_t nsteps;
    dr_runbook_step steps[DR_RUNBOOK_STEPS_MAX];
} dr_runbook;

const char *dr_runbook_kind_name(dr_runbook_kind k);
bool dr_runbook_kind_from_name(const char *name, dr_runbook_kind *out);
const char *dr_step_state_name(dr_step_state s);
bool dr_step_state_from_name(const char *name, dr_step_state *out);
const char *dr_runbook_state_name(dr_runbook_state s);
bool dr_runbook_state_from_name(const char *name, dr_runbook_state *out);

/* NULL when valid, else why: a step name, a run id, a step's detail. */
const char *dr_runbook_step_name_check(const char *name);
const char *dr_runbook_run_id_check(const char *run_id);
const char *dr_runbook_detail_check(const char *detail);

/* Holds its pair: running, or stopped at a failed step. */
bool dr_runbook_active(const dr_runbook *r);

/* Does the runbook work on this pool (home, backup or replacement)? */
bool dr_runbook_touches(const dr_runbook *r, const char *fqdn);

/* The state the steps add up to (abandoned stays abandoned): failed when
 * one failed, done when every one is done or skipped, else running. */
dr_runbook_state dr_runbook_state_of(const dr_runbook *r);

/* The index of a step by name, or -1. */
int dr_runbook_step_index(const dr_runbook *r, const char *name);

/* The record as JSON (new reference; NULL on OOM), and back: every field
 * checked (names, states, texts fit for a terminal); unknown fields are
 * ignored, as clients do with newer servers. */
json_t *dr_runbook_to_json(const dr_runbook *r);
orbit_err dr_runbook_from_json(const json_t *v, dr_runbook *out, orbit_status *st);

#endif
