/* orbit_ops: op catalogue, roles and argument decoding. */
#include "orbit_ops.h"

#include "orbit_json.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* One row per op: its wire name, the role it needs, whether a `cmd`
 * frame may carry it, the argument names it accepts and its decoder. */
typedef struct {
    const char *name;
    orbit_role role;
    bool via_cmd;
    const char *const *keys;
    orbit_err (*decode)(const json_t *args, const cps_settings *current, orbit_cmd_args *out,
                        orbit_status *st);
} op_row;

static const char *const KEYS_CREATE[] = {"identity", "start", "end", "pool", "type", NULL};
static const char *const KEYS_UPDATE[] = {"identity", "start", "end", "pool",
                                          "type",     "force", NULL};
static const char *const KEYS_DELETE[] = {"identity", "force", NULL};
static const char *const KEYS_REASSIGN[] = {"from_pool", "to_pool", "type", NULL};
static const char *const KEYS_CONFIG[] = {"call_pickup_timeout_threshold", "enable_music_on_hold",
                                          "max_call_pickup_attempts", "on_timeout_uri", NULL};
static const char *const KEYS_FAILOVER[] = {"pool", "disaster_mode", NULL};
static const char *const KEYS_FAILBACK[] = {"pool", NULL};
static const char *const KEYS_PARK[] = {"call_id", "parker", "parkee", "transport", NULL};
static const char *const KEYS_RETRIEVE[] = {"orbit", "by", NULL};
static const char *const KEYS_CALL[] = {"call_id", NULL};
static const char *const KEYS_RING[] = {"call_id", "caller", "callee", "transport", NULL};
static const char *const KEYS_TAKE[] = {"group", "by", NULL};
static const char *const KEYS_MOH[] = {"name", "size", "sha256", NULL};
static const char *const KEYS_REDIRECT[] = {"pool", "force", NULL};
static const char *const KEYS_HOME[] = {"pool", NULL};
static const char *const KEYS_POOL_ADD[] = {"fqdn", "site", "url", "replaces", NULL};
static const char *const KEYS_REHOME[] = {"from_pool", "to_pool", NULL};
static const char *const KEYS_CLAIM[] = {
    "home", "kind", "run_id", "steps", "replacement", "rto_s", "take_over", "disaster_mode", NULL};
static const char *const KEYS_STEP[] = {"home", "run_id", "step", "state", "detail", NULL};
static const char *const KEYS_ABANDON[] = {"home", "reason", NULL};

/* Defined below, after the decoders its rows name. */
static const op_row OPS[ORBIT_OP_COUNT];

static const char *const ROLE_NAMES[ORBIT_ROLE_COUNT] = {
    [ORBIT_ROLE_NONE] = "none",
    [ORBIT_ROLE_VIEWER] = "viewer",
    [ORBIT_ROLE_OPERATOR] = "operator",
    [ORBIT_ROLE_ENDPOINT] = "endpoint",
};

const char *orbit_role_name(orbit_role r)
{
    return (unsigned)r < ORBIT_ROLE_COUNT ? ROLE_NAMES[r] : "none";
}

bool orbit_role_from_name(const char *name, orbit_role *out)
{
    if (!name)
        return false;
    for (int i = ORBIT_ROLE_VIEWER; i < ORBIT_ROLE_COUNT; i++) {
        if (strcmp(ROLE_NAMES[i], name) == 0) {
            *out = (orbit_role)i;
            return true;
        }
    }
    return false;
}

const char *orbit_op_name(orbit_op op)
{
    return (unsigned)op < ORBIT_OP_COUNT ? OPS[op].name : "?";
}

bool orbit_op_from_name(const char *name, orbit_op *out)
{
    if (!name)
        return false;
    for (int i = 0; i < ORBIT_OP_COUNT; i++) {
        if (strcmp(OPS[i].name, name) == 0) {
            *out = (orbit_op)i;
            return true;
        }
    }
    return false;
}

orbit_role orbit_op_role(orbit_op op)
{
    return (unsigned)op < ORBIT_OP_COUNT ? OPS[op].role : ORBIT_ROLE_OPERATOR;
}

bool orbit_role_may(orbit_role r, orbit_op op)
{
    return (unsigned)op < ORBIT_OP_COUNT && r == OPS[op].role;
}

bool orbit_op_via_cmd(orbit_op op)
{
    return (unsigned)op < ORBIT_OP_COUNT && OPS[op].via_cmd;
}

static orbit_err checked(const json_t *o, const char *key, bool required, char *out, size_t cap,
                         const char *(*check)(const char *), orbit_status *st)
{
    int got = orbit_json_get_string(o, key, required, out, cap, st);
    if (got < 0)
        return ORBIT_ERR_BAD_REQUEST;
    if (got == 0)
        return ORBIT_OK;
    const char *why = check(out);
    if (why)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, key, "%s: %s", key, why);
    return ORBIT_OK;
}

static orbit_err fqdn_arg(const json_t *o, const char *key, bool required, char *out, size_t cap,
                          orbit_status *st)
{
    orbit_err e = checked(o, key, required, out, cap, orbit_fqdn_check, st);
    if (e == ORBIT_OK)
        orbit_fqdn_lower(out);
    return e;
}

static orbit_err type_arg(const json_t *o, bool *has, orbit_type *type, orbit_status *st)
{
    char name[32];
    int got = orbit_json_get_string(o, "type", false, name, sizeof name, st);
    if (got < 0)
        return ORBIT_ERR_BAD_REQUEST;
    *has = got == 1;
    if (got == 1 && !orbit_type_from_name(name, type))
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "type",
                                "type is CallPark or GroupPickup, not '%s'", name);
    return ORBIT_OK;
}

/* A number argument kept as text (update patches), validated here so
 * that a bad number is refused as invalid_range before any table rule. */
static orbit_err number_text_arg(const json_t *o, const char *key, bool *has, char *out, size_t cap,
                                 orbit_status *st)
{
    orbit_number n;
    int got = orbit_json_get_number(o, key, false, &n, st);
    if (got < 0)
        return st->code;
    *has = got == 1;
    if (got == 1)
        orbit_number_format(&n, out, cap);
    return ORBIT_OK;
}

static orbit_err decode_update(const json_t *a, const cps_settings *cur, orbit_cmd_args *out,
                               orbit_status *st)
{
    (void)cur;
    orbit_err e = checked(a, "identity", true, out->u.update.identity,
                          sizeof out->u.update.identity, orbit_identity_check, st);
    if (e)
        return e;
    if ((e = number_text_arg(a, "start", &out->u.update.has_start, out->u.update.start,
                             sizeof out->u.update.start, st)))
        return e;
    if ((e = number_text_arg(a, "end", &out->u.update.has_end, out->u.update.end,
                             sizeof out->u.update.end, st)))
        return e;
    if ((e = fqdn_arg(a, "pool", false, out->u.update.pool, sizeof out->u.update.pool, st)))
        return e;
    out->u.update.has_pool = out->u.update.pool[0] != '\0';
    if ((e = type_arg(a, &out->u.update.has_type, &out->u.update.type, st)))
        return e;
    if (orbit_json_get_bool(a, "force", false, &out->u.update.force, st) < 0)
        return ORBIT_ERR_BAD_REQUEST;
    if (!out->u.update.has_start && !out->u.update.has_end && !out->u.update.has_pool &&
        !out->u.update.has_type)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "identity",
                                "orbit.update needs at least one of start, end, pool, type");
    return ORBIT_OK;
}

static orbit_err decode_call_park(const json_t *a, const cps_settings *cur, orbit_cmd_args *out,
                                  orbit_status *st)
{
    (void)cur;
    orbit_err e;
    if ((e = checked(a, "call_id", true, out->u.park.call_id, sizeof out->u.park.call_id,
                     orbit_call_id_check, st)))
        return e;
    if ((e = checked(a, "parker", true, out->u.park.parker, sizeof out->u.park.parker,
                     orbit_sip_uri_check, st)))
        return e;
    if ((e = checked(a, "parkee", true, out->u.park.parkee, sizeof out->u.park.parkee,
                     orbit_party_check, st)))
        return e;
    return orbit_json_get_transport(a, &out->u.park.transport, st) < 0 ? ORBIT_ERR_BAD_REQUEST
                                                                       : ORBIT_OK;
}

static orbit_err decode_ring(const json_t *a, const cps_settings *cur, orbit_cmd_args *out,
                             orbit_status *st)
{
    (void)cur;
    orbit_err e;
    if ((e = checked(a, "call_id", true, out->u.ring.call_id, sizeof out->u.ring.call_id,
                     orbit_call_id_check, st)))
        return e;
    if ((e = checked(a, "caller", true, out->u.ring.caller, sizeof out->u.ring.caller,
                     orbit_party_check, st)))
        return e;
    if ((e = checked(a, "callee", true, out->u.ring.callee, sizeof out->u.ring.callee,
                     orbit_sip_uri_check, st)))
        return e;
    return orbit_json_get_transport(a, &out->u.ring.transport, st) < 0 ? ORBIT_ERR_BAD_REQUEST
                                                                       : ORBIT_OK;
}

static orbit_err decode_create(const json_t *a, const cps_settings *cur, orbit_cmd_args *out,
                               orbit_status *st)
{
    (void)cur;
    return orbit_json_to_range(a, ORBIT_JSON_STRICT, &out->u.create, NULL, st);
}

static orbit_err decode_delete(const json_t *a, const cps_settings *cur, orbit_cmd_args *out,
                               orbit_status *st)
{
    (void)cur;
    orbit_err e = checked(a, "identity", true, out->u.del.identity, sizeof out->u.del.identity,
                          orbit_identity_check, st);
    if (e == ORBIT_OK && orbit_json_get_bool(a, "force", false, &out->u.del.force, st) < 0)
        e = ORBIT_ERR_BAD_REQUEST;
    return e;
}

static orbit_err decode_reassign(const json_t *a, const cps_settings *cur, orbit_cmd_args *out,
                                 orbit_status *st)
{
    (void)cur;
    orbit_err e = fqdn_arg(a, "from_pool", true, out->u.reassign.from_pool,
                           sizeof out->u.reassign.from_pool, st);
    if (e == ORBIT_OK)
        e = fqdn_arg(a, "to_pool", true, out->u.reassign.to_pool, sizeof out->u.reassign.to_pool,
                     st);
    if (e == ORBIT_OK)
        e = type_arg(a, &out->u.reassign.has_type, &out->u.reassign.type, st);
    return e;
}

static orbit_err decode_config(const json_t *a, const cps_settings *cur, orbit_cmd_args *out,
                               orbit_status *st)
{
    if (json_object_size(a) == 0)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "",
                                "config.set needs at least one setting");
    if (cur)
        out->u.config = *cur;
    else
        cps_settings_default(&out->u.config);
    return orbit_json_to_settings(a, ORBIT_JSON_STRICT, false, &out->u.config, st);
}

static orbit_err decode_failover(const json_t *a, const cps_settings *cur, orbit_cmd_args *out,
                                 orbit_status *st)
{
    (void)cur;
    orbit_err e = fqdn_arg(a, "pool", true, out->u.dr.pool, sizeof out->u.dr.pool, st);
    if (e == ORBIT_OK &&
        orbit_json_get_bool(a, "disaster_mode", false, &out->u.dr.disaster_mode, st) < 0)
        e = ORBIT_ERR_BAD_REQUEST;
    return e;
}

static orbit_err decode_failback(const json_t *a, const cps_settings *cur, orbit_cmd_args *out,
                                 orbit_status *st)
{
    (void)cur;
    return fqdn_arg(a, "pool", true, out->u.dr.pool, sizeof out->u.dr.pool, st);
}

static orbit_err decode_retrieve(const json_t *a, const cps_settings *cur, orbit_cmd_args *out,
                                 orbit_status *st)
{
    (void)cur;
    if (orbit_json_get_number(a, "orbit", true, &out->u.retrieve.orbit, st) < 0)
        return st->code;
    return checked(a, "by", true, out->u.retrieve.by, sizeof out->u.retrieve.by, orbit_party_check,
                   st);
}

static orbit_err decode_take(const json_t *a, const cps_settings *cur, orbit_cmd_args *out,
                             orbit_status *st)
{
    (void)cur;
    if (orbit_json_get_number(a, "group", true, &out->u.take.group, st) < 0)
        return st->code;
    return checked(a, "by", true, out->u.take.by, sizeof out->u.take.by, orbit_party_check, st);
}

static orbit_err decode_call_ref(const json_t *a, const cps_settings *cur, orbit_cmd_args *out,
                                 orbit_status *st)
{
    (void)cur;
    return checked(a, "call_id", true, out->u.call.call_id, sizeof out->u.call.call_id,
                   orbit_call_id_check, st);
}

static orbit_err decode_moh_upload(const json_t *a, const cps_settings *cur, orbit_cmd_args *out,
                                   orbit_status *st)
{
    (void)cur;
    orbit_err e =
        checked(a, "name", true, out->u.moh.name, sizeof out->u.moh.name, orbit_moh_name_check, st);
    if (e)
        return e;
    int64_t size = 0;
    if (orbit_json_get_int(a, "size", true, 1, INT64_MAX, &size, st) < 0)
        return ORBIT_ERR_BAD_REQUEST;
    out->u.moh.size = (uint64_t)size;
    return checked(a, "sha256", true, out->u.moh.sha256, sizeof out->u.moh.sha256,
                   orbit_sha256_hex_check, st);
}

/* ---- disaster recovery, guided ---- */

static orbit_err decode_home(const json_t *a, const cps_settings *cur, orbit_cmd_args *out,
                             orbit_status *st)
{
    (void)cur;
    orbit_err e = fqdn_arg(a, "pool", true, out->u.home.pool, sizeof out->u.home.pool, st);
    if (e == ORBIT_OK && orbit_json_get_bool(a, "force", false, &out->u.home.force, st) < 0)
        e = ORBIT_ERR_BAD_REQUEST;
    return e;
}

static const char *url_check(const char *url)
{
    if (strncmp(url, "ws://", 5) != 0 && strncmp(url, "wss://", 6) != 0)
        return "a pool's URL begins with ws:// or wss://";
    for (const char *c = url; *c; c++) {
        if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7f)
            return "a pool's URL has no blanks or control characters";
    }
    return NULL;
}

static orbit_err decode_pool_add(const json_t *a, const cps_settings *cur, orbit_cmd_args *out,
                                 orbit_status *st)
{
    (void)cur;
    orbit_err e = fqdn_arg(a, "fqdn", true, out->u.add.fqdn, sizeof out->u.add.fqdn, st);
    if (!e)
        e = checked(a, "site", true, out->u.add.site, sizeof out->u.add.site, orbit_site_check, st);
    if (!e)
        e = checked(a, "url", true, out->u.add.url, sizeof out->u.add.url, url_check, st);
    if (!e)
        e = fqdn_arg(a, "replaces", false, out->u.add.replaces, sizeof out->u.add.replaces, st);
    return e;
}

static orbit_err decode_rehome(const json_t *a, const cps_settings *cur, orbit_cmd_args *out,
                               orbit_status *st)
{
    (void)cur;
    orbit_err e =
        fqdn_arg(a, "from_pool", true, out->u.rehome.from_pool, sizeof out->u.rehome.from_pool, st);
    if (!e)
        e = fqdn_arg(a, "to_pool", true, out->u.rehome.to_pool, sizeof out->u.rehome.to_pool, st);
    return e;
}

static orbit_err decode_claim(const json_t *a, const cps_settings *cur, orbit_cmd_args *out,
                              orbit_status *st)
{
    (void)cur;
    char kind[16];
    orbit_err e = fqdn_arg(a, "home", true, out->u.claim.home, sizeof out->u.claim.home, st);
    if (!e && orbit_json_get_string(a, "kind", true, kind, sizeof kind, st) < 0)
        e = ORBIT_ERR_BAD_REQUEST;
    if (!e && !dr_runbook_kind_from_name(kind, &out->u.claim.kind))
        e = orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "kind",
                             "kind is failover, failback or replace, not '%s'", kind);
    if (!e)
        e = checked(a, "run_id", true, out->u.claim.run_id, sizeof out->u.claim.run_id,
                    dr_runbook_run_id_check, st);
    if (!e)
        e = fqdn_arg(a, "replacement", false, out->u.claim.replacement,
                     sizeof out->u.claim.replacement, st);
    if (!e && out->u.claim.kind == DR_RUNBOOK_REPLACE && !out->u.claim.replacement[0])
        e = orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "replacement",
                             "a replace runbook names its replacement pool");
    int64_t rto = DR_RUNBOOK_RTO_DEFAULT_S;
    if (!e && orbit_json_get_int(a, "rto_s", false, 1, 86400, &rto, st) < 0)
        e = ORBIT_ERR_BAD_REQUEST;
    out->u.claim.rto_s = (int)rto;
    if (!e && (orbit_json_get_bool(a, "take_over", false, &out->u.claim.take_over, st) < 0 ||
               orbit_json_get_bool(a, "disaster_mode", false, &out->u.claim.disaster_mode, st) < 0))
        e = ORBIT_ERR_BAD_REQUEST;
    const json_t *steps = json_object_get(a, "steps");
    if (!e && (!json_is_array(steps) || json_array_size(steps) == 0 ||
               json_array_size(steps) > DR_RUNBOOK_STEPS_MAX))
        e = orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "steps", "steps lists 1 to %d step names",
                             DR_RUNBOOK_STEPS_MAX);
    for (size_t i = 0; !e && i < json_array_size(steps); i++) {
        const char *name = json_string_value(json_array_get(steps, i));
        const char *why = name ? dr_runbook_step_name_check(name) : "a step name is a string";
        if (why)
            e = orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "steps", "steps[%zu]: %s", i, why);
        else
            snprintf(out->u.claim.steps[out->u.claim.nsteps++], DR_RUNBOOK_STEP_MAX + 1, "%s",
                     name);
    }
    return e;
}

static orbit_err decode_step(const json_t *a, const cps_settings *cur, orbit_cmd_args *out,
                             orbit_status *st)
{
    (void)cur;
    char state[16];
    orbit_err e = fqdn_arg(a, "home", true, out->u.step.home, sizeof out->u.step.home, st);
    if (!e)
        e = checked(a, "run_id", true, out->u.step.run_id, sizeof out->u.step.run_id,
                    dr_runbook_run_id_check, st);
    if (!e)
        e = checked(a, "step", true, out->u.step.step, sizeof out->u.step.step,
                    dr_runbook_step_name_check, st);
    if (!e && orbit_json_get_string(a, "state", true, state, sizeof state, st) < 0)
        e = ORBIT_ERR_BAD_REQUEST;
    if (!e && (!dr_step_state_from_name(state, &out->u.step.state) ||
               out->u.step.state == DR_STEP_PENDING))
        e = orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "state",
                             "state is running, done, failed or skipped, not '%s'", state);
    if (!e)
        e = checked(a, "detail", false, out->u.step.detail, sizeof out->u.step.detail,
                    dr_runbook_detail_check, st);
    return e;
}

static orbit_err decode_abandon(const json_t *a, const cps_settings *cur, orbit_cmd_args *out,
                                orbit_status *st)
{
    (void)cur;
    orbit_err e = fqdn_arg(a, "home", true, out->u.abandon.home, sizeof out->u.abandon.home, st);
    if (!e)
        e = checked(a, "reason", false, out->u.abandon.reason, sizeof out->u.abandon.reason,
                    dr_runbook_detail_check, st);
    return e;
}

static const op_row OPS[ORBIT_OP_COUNT] = {
    [ORBIT_OP_ORBIT_CREATE] = {"orbit.create", ORBIT_ROLE_OPERATOR, true, KEYS_CREATE,
                               decode_create},
    [ORBIT_OP_ORBIT_UPDATE] = {"orbit.update", ORBIT_ROLE_OPERATOR, true, KEYS_UPDATE,
                               decode_update},
    [ORBIT_OP_ORBIT_DELETE] = {"orbit.delete", ORBIT_ROLE_OPERATOR, true, KEYS_DELETE,
                               decode_delete},
    [ORBIT_OP_ORBIT_REASSIGN] = {"orbit.reassign", ORBIT_ROLE_OPERATOR, true, KEYS_REASSIGN,
                                 decode_reassign},
    [ORBIT_OP_CONFIG_SET] = {"config.set", ORBIT_ROLE_OPERATOR, true, KEYS_CONFIG, decode_config},
    [ORBIT_OP_POOL_FAILOVER] = {"pool.failover", ORBIT_ROLE_OPERATOR, true, KEYS_FAILOVER,
                                decode_failover},
    [ORBIT_OP_POOL_FAILBACK] = {"pool.failback", ORBIT_ROLE_OPERATOR, true, KEYS_FAILBACK,
                                decode_failback},
    [ORBIT_OP_MOH_UPLOAD] = {"moh.upload", ORBIT_ROLE_OPERATOR, false, KEYS_MOH, decode_moh_upload},
    [ORBIT_OP_CALL_PARK] = {"call.park", ORBIT_ROLE_ENDPOINT, true, KEYS_PARK, decode_call_park},
    [ORBIT_OP_CALL_RETRIEVE] = {"call.retrieve", ORBIT_ROLE_ENDPOINT, true, KEYS_RETRIEVE,
                                decode_retrieve},
    [ORBIT_OP_CALL_RINGBACK_ANSWER] = {"call.ringback_answer", ORBIT_ROLE_ENDPOINT, true, KEYS_CALL,
                                       decode_call_ref},
    [ORBIT_OP_CALL_HANGUP] = {"call.hangup", ORBIT_ROLE_ENDPOINT, true, KEYS_CALL, decode_call_ref},
    [ORBIT_OP_PICKUP_RING] = {"pickup.ring", ORBIT_ROLE_ENDPOINT, true, KEYS_RING, decode_ring},
    [ORBIT_OP_PICKUP_TAKE] = {"pickup.take", ORBIT_ROLE_ENDPOINT, true, KEYS_TAKE, decode_take},
    [ORBIT_OP_PICKUP_ANSWER] = {"pickup.answer", ORBIT_ROLE_ENDPOINT, true, KEYS_CALL,
                                decode_call_ref},
    [ORBIT_OP_PICKUP_CANCEL] = {"pickup.cancel", ORBIT_ROLE_ENDPOINT, true, KEYS_CALL,
                                decode_call_ref},
    [ORBIT_OP_PICKUP_REDIRECT] = {"pickup.redirect", ORBIT_ROLE_OPERATOR, true, KEYS_REDIRECT,
                                  decode_home},
    [ORBIT_OP_DR_TEST_CALL] = {"dr.test_call", ORBIT_ROLE_OPERATOR, true, KEYS_HOME, decode_home},
    [ORBIT_OP_POOL_ADD] = {"pool.add", ORBIT_ROLE_OPERATOR, true, KEYS_POOL_ADD, decode_pool_add},
    [ORBIT_OP_USERS_REHOME] = {"users.rehome", ORBIT_ROLE_OPERATOR, true, KEYS_REHOME,
                               decode_rehome},
    [ORBIT_OP_POOL_RETIRE] = {"pool.retire", ORBIT_ROLE_OPERATOR, true, KEYS_HOME, decode_home},
    [ORBIT_OP_RUNBOOK_CLAIM] = {"runbook.claim", ORBIT_ROLE_OPERATOR, true, KEYS_CLAIM,
                                decode_claim},
    [ORBIT_OP_RUNBOOK_STEP] = {"runbook.step", ORBIT_ROLE_OPERATOR, true, KEYS_STEP, decode_step},
    [ORBIT_OP_RUNBOOK_ABANDON] = {"runbook.abandon", ORBIT_ROLE_OPERATOR, true, KEYS_ABANDON,
                                  decode_abandon},
};

orbit_err orbit_args_decode(orbit_op op, const json_t *args, const cps_settings *current,
                            orbit_cmd_args *out, orbit_status *st)
{
    if ((unsigned)op >= ORBIT_OP_COUNT)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "op", "unknown op");
    json_t *empty = NULL;
    if (!args) {
        empty = json_object();
        if (!empty)
            return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
        args = empty;
    }
    memset(out, 0, sizeof *out);
    out->op = op;
    orbit_err e = orbit_json_need_object(args, "args", st);
    if (e == ORBIT_OK)
        e = orbit_json_only_keys(args, OPS[op].keys, st);
    if (e == ORBIT_OK)
        e = OPS[op].decode(args, current, out, st);
    json_decref(empty);
    return e;
}
