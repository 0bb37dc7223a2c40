/* orbit_ops: the catalogue of commands (ops) of orbit.v1, the role each
 * needs, and the strict decoding of their arguments into typed structs,
 * so that the service and every client agree on one definition. */
#ifndef ORBIT_OPS_H
#define ORBIT_OPS_H

#include "cps_settings.h"
#include "dr_runbook.h"
#include "orbit_error.h"
#include "orbit_model.h"
#include "orbit_range.h"

#include <jansson.h>
#include <stdbool.h>

typedef enum {
    ORBIT_ROLE_NONE = 0,
    ORBIT_ROLE_VIEWER,
    ORBIT_ROLE_OPERATOR,
    ORBIT_ROLE_ENDPOINT,
    ORBIT_ROLE_COUNT
} orbit_role;

typedef enum {
    ORBIT_OP_ORBIT_CREATE = 0,
    ORBIT_OP_ORBIT_UPDATE,
    ORBIT_OP_ORBIT_DELETE,
    ORBIT_OP_ORBIT_REASSIGN,
    ORBIT_OP_CONFIG_SET,
    ORBIT_OP_POOL_FAILOVER,
    ORBIT_OP_POOL_FAILBACK,
    ORBIT_OP_MOH_UPLOAD, /* PUT /v1/moh: the body streams, the op installs it */
    ORBIT_OP_CALL_PARK,
    ORBIT_OP_CALL_RETRIEVE,
    ORBIT_OP_CALL_RINGBACK_ANSWER,
    ORBIT_OP_CALL_HANGUP, /* the parked caller hung up (the SIP edge) */
    ORBIT_OP_PICKUP_RING,
    ORBIT_OP_PICKUP_TAKE,
    ORBIT_OP_PICKUP_ANSWER,
    ORBIT_OP_PICKUP_CANCEL,
    /* disaster recovery, guided (issue 11) */
    ORBIT_OP_PICKUP_REDIRECT, /* a home pool's GroupPickup ranges to the pool serving them */
    ORBIT_OP_DR_TEST_CALL,    /* park and pickup for a home pool's users, leaving no trace */
    ORBIT_OP_POOL_ADD,        /* a new pool in the running deployment (replacing a lost one) */
    ORBIT_OP_USERS_REHOME,    /* every user of one pool homed on another */
    ORBIT_OP_POOL_RETIRE,     /* a lost, emptied pool leaves the registry */
    ORBIT_OP_RUNBOOK_CLAIM,   /* start or resume a runbook on a pair */
    ORBIT_OP_RUNBOOK_STEP,    /* a step's progress */
    ORBIT_OP_RUNBOOK_ABANDON, /* stop a runbook: the pair is free again */
    ORBIT_OP_COUNT
} orbit_op;

const char *orbit_role_name(orbit_role r);
bool orbit_role_from_name(const char *name, orbit_role *out);

const char *orbit_op_name(orbit_op op);
bool orbit_op_from_name(const char *name, orbit_op *out);

/* The role an op needs (operator or endpoint). */
orbit_role orbit_op_role(orbit_op op);

/* May a session with role r run op? Viewers run nothing. */
bool orbit_role_may(orbit_role r, orbit_op op);

/* May a `cmd` frame (or POST /v1/cmd) carry op? moh.upload may not: its
 * body is the file, sent with PUT /v1/moh. */
bool orbit_op_via_cmd(orbit_op op);

/* Decoded arguments of every op. Strings are validated; numbers parsed. */
typedef struct {
    orbit_op op;
    union {
        orbit_range create;
        struct {
            char identity[ORBIT_IDENTITY_MAX + 1];
            char start[ORBIT_NUMBER_BUF];
            char end[ORBIT_NUMBER_BUF];
            char pool[ORBIT_FQDN_MAX + 1];
            bool has_start, has_end, has_pool, has_type;
            orbit_type type;
            bool force;
        } update;
        struct {
            char identity[ORBIT_IDENTITY_MAX + 1];
            bool force;
        } del;
        struct {
            char from_pool[ORBIT_FQDN_MAX + 1];
            char to_pool[ORBIT_FQDN_MAX + 1];
            bool has_type;
            orbit_type type;
        } reassign;
        cps_settings config; /* the patch applied to the current settings */
        struct {
            char pool[ORBIT_FQDN_MAX + 1];
            bool disaster_mode;
        } dr;
        struct {
            char call_id[ORBIT_CALL_ID_MAX + 1];
            char parker[ORBIT_URI_MAX + 1];
            char parkee[ORBIT_URI_MAX + 1];
            call_transport transport;
        } park;
        struct {
            orbit_number orbit;
            char by[ORBIT_URI_MAX + 1];
        } retrieve;
        struct {
            char call_id[ORBIT_CALL_ID_MAX + 1];
            char caller[ORBIT_URI_MAX + 1];
            char callee[ORBIT_URI_MAX + 1];
            call_transport transport;
        } ring;
        struct {
            orbit_number group;
            char by[ORBIT_URI_MAX + 1];
        } take;
        struct {
            char call_id[ORBIT_CALL_ID_MAX + 1];
        } call; /* ringback_answer, hangup, pickup.answer, pickup.cancel */
        struct {
            char name[ORBIT_MOH_NAME_MAX + 1];
            uint64_t size;
            char sha256[ORBIT_SHA256_HEX + 1];
        } moh;
        struct {
            char pool[ORBIT_FQDN_MAX + 1];
            bool force;
        } home; /* pickup.redirect (force: even in resiliency mode), dr.test_call, pool.retire */
        struct {
            char fqdn[ORBIT_FQDN_MAX + 1];
            char site[ORBIT_SITE_MAX + 1];
            char url[ORBIT_URL_MAX + 1];
            char replaces[ORBIT_FQDN_MAX + 1]; /* "" for an unpaired new pool */
        } add;
        struct {
            char from_pool[ORBIT_FQDN_MAX + 1];
            char to_pool[ORBIT_FQDN_MAX + 1];
        } rehome;
        struct {
            char home[ORBIT_FQDN_MAX + 1];
            char replacement[ORBIT_FQDN_MAX + 1];
            dr_runbook_kind kind;
            char run_id[DR_RUNBOOK_RUN_ID_MAX + 1];
            size_t nsteps;
            char steps[DR_RUNBOOK_STEPS_MAX][DR_RUNBOOK_STEP_MAX + 1];
            bool disaster_mode;
            int rto_s;
            bool take_over;
        } claim;
        struct {
            char home[ORBIT_FQDN_MAX + 1];
            char run_id[DR_RUNBOOK_RUN_ID_MAX + 1];
            char step[DR_RUNBOOK_STEP_MAX + 1];
            dr_step_state state;
            char detail[DR_RUNBOOK_DETAIL_MAX + 1];
        } step;
        struct {
            char home[ORBIT_FQDN_MAX + 1];
            char reason[DR_RUNBOOK_DETAIL_MAX + 1];
        } abandon;
    } u;
} orbit_cmd_args;

/* Decodes args (an object; NULL counts as {}) for op, refusing unknown
 * fields, wrong types and invalid values. For config.set, current holds
 * the pool's settings and the result is the patched, validated whole. */
orbit_err orbit_args_decode(orbit_op op, const json_t *args, const cps_settings *current,
                            orbit_cmd_args *out, orbit_status *st);

#endif
