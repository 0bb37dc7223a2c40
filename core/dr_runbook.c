/* dr_runbook: names, checks, conflict rules and the JSON form of a
 * runbook record. */
#include "dr_runbook.h"

#include "orbit_json.h"

#include <stdio.h>
#include <string.h>

static const char *const KIND_NAMES[DR_RUNBOOK_KIND_COUNT] = {
    [DR_RUNBOOK_FAILOVER] = "failover",
    [DR_RUNBOOK_FAILBACK] = "failback",
    [DR_RUNBOOK_REPLACE] = "replace",
};

static const char *const STEP_STATE_NAMES[DR_STEP_STATE_COUNT] = {
    [DR_STEP_PENDING] = "pending", [DR_STEP_RUNNING] = "running", [DR_STEP_DONE] = "done",
    [DR_STEP_FAILED] = "failed",   [DR_STEP_SKIPPED] = "skipped",
};

static const char *const STATE_NAMES[DR_RUNBOOK_STATE_COUNT] = {
    [DR_RUNBOOK_RUNNING] = "running",
    [DR_RUNBOOK_FAILED] = "failed",
    [DR_RUNBOOK_DONE] = "done",
    [DR_RUNBOOK_ABANDONED] = "abandoned",
};

static bool lookup(const char *const *names, int n, const char *name, int *out)
{
    for (int i = 0; name && i < n; i++) {
        if (strcmp(names[i], name) == 0) {
            *out = i;
            return true;
        }
    }
    return false;
}

const char *dr_runbook_kind_name(dr_runbook_kind k)
{
    return (unsigned)k < DR_RUNBOOK_KIND_COUNT ? KIND_NAMES[k] : "?";
}

bool dr_runbook_kind_from_name(const char *name, dr_runbook_kind *out)
{
    int i;
    if (!lookup(KIND_NAMES, DR_RUNBOOK_KIND_COUNT, name, &i))
        return false;
    *out = (dr_runbook_kind)i;
    return true;
}

const char *dr_step_state_name(dr_step_state s)
{
    return (unsigned)s < DR_STEP_STATE_COUNT ? STEP_STATE_NAMES[s] : "?";
}

bool dr_step_state_from_name(const char *name, dr_step_state *out)
{
    int i;
    if (!lookup(STEP_STATE_NAMES, DR_STEP_STATE_COUNT, name, &i))
        return false;
    *out = (dr_step_state)i;
    return true;
}

const char *dr_runbook_state_name(dr_runbook_state s)
{
    return (unsigned)s < DR_RUNBOOK_STATE_COUNT ? STATE_NAMES[s] : "?";
}

bool dr_runbook_state_from_name(const char *name, dr_runbook_state *out)
{
    int i;
    if (!lookup(STATE_NAMES, DR_RUNBOOK_STATE_COUNT, name, &i))
        return false;
    *out = (dr_runbook_state)i;
    return true;
}

const char *dr_runbook_step_name_check(const char *name)
{
    size_t n = strlen(name);
    if (n < 1 || n > DR_RUNBOOK_STEP_MAX)
        return "a step's name is 1 to 24 characters";
    for (size_t i = 0; i < n; i++) {
        if (!(name[i] >= 'a' && name[i] <= 'z') && name[i] != '_')
            return "a step's name is made of a-z and _";
    }
    return NULL;
}

const char *dr_runbook_run_id_check(const char *run_id)
{
    size_t n = strlen(run_id);
    if (n < 8 || n > DR_RUNBOOK_RUN_ID_MAX)
        return "a run id is 8 to 32 hexadecimal digits";
    for (size_t i = 0; i < n; i++) {
        if (!(run_id[i] >= '0' && run_id[i] <= '9') && !(run_id[i] >= 'a' && run_id[i] <= 'f'))
            return "a run id is made of lower-case hexadecimal digits";
    }
    return NULL;
}

const char *dr_runbook_detail_check(const char *detail)
{
    if (strlen(detail) > DR_RUNBOOK_DETAIL_MAX)
        return "a step's detail is 240 bytes at most";
    /* Details reach other operators' terminals. */
    return orbit_text_hazard_message(orbit_text_hazard_of(detail));
}

bool dr_runbook_active(const dr_runbook *r)
{
    return r->state == DR_RUNBOOK_RUNNING || r->state == DR_RUNBOOK_FAILED;
}

bool dr_runbook_touches(const dr_runbook *r, const char *fqdn)
{
    return fqdn && fqdn[0] &&
           (strcmp(r->home, fqdn) == 0 || strcmp(r->backup, fqdn) == 0 ||
            strcmp(r->replacement, fqdn) == 0);
}

dr_runbook_state dr_runbook_state_of(const dr_runbook *r)
{
    if (r->state == DR_RUNBOOK_ABANDONED)
        return DR_RUNBOOK_ABANDONED;
    bool all_ended = r->nsteps > 0;
    for (size_t i = 0; i < r->nsteps; i++) {
        if (r->steps[i].state == DR_STEP_FAILED)
            return DR_RUNBOOK_FAILED;
        if (r->steps[i].state != DR_STEP_DONE && r->steps[i].state != DR_STEP_SKIPPED)
            all_ended = false;
    }
    return all_ended ? DR_RUNBOOK_DONE : DR_RUNBOOK_RUNNING;
}

int dr_runbook_step_index(const dr_runbook *r, const char *name)
{
    for (size_t i = 0; name && i < r->nsteps; i++) {
        if (strcmp(r->steps[i].name, name) == 0)
            return (int)i;
    }
    return -1;
}

/* ---- JSON ---- */

json_t *dr_runbook_to_json(const dr_runbook *r)
{
    json_t *steps = json_array();
    for (size_t i = 0; steps && i < r->nsteps; i++) {
        const dr_runbook_step *s = &r->steps[i];
        json_t *step =
            json_pack("{s:s, s:s, s:I, s:I, s:s}", "name", s->name, "state",
                      dr_step_state_name(s->state), "started_ms", (json_int_t)s->started_ms,
                      "ended_ms", (json_int_t)s->ended_ms, "detail", s->detail);
        if (json_array_append_new(steps, step) != 0) {
            json_decref(steps);
            steps = NULL;
        }
    }
    if (!steps)
        return NULL;
    /* An unpaired home has no backup: null, as from_json reads it (an
     * empty string is no FQDN, and would not read back). */
    return json_pack("{s:s, s:s?, s:s?, s:s, s:s, s:s, s:s, s:I, s:I, s:b, s:i, s:o}", "home",
                     r->home, "backup", r->backup[0] ? r->backup : NULL, "replacement",
                     r->replacement[0] ? r->replacement : NULL, "kind",
                     dr_runbook_kind_name(r->kind), "state", dr_runbook_state_name(r->state),
                     "run_id", r->run_id, "holder", r->holder, "started_ms",
                     (json_int_t)r->started_ms, "updated_ms", (json_int_t)r->updated_ms,
                     "disaster_mode", r->disaster_mode, "rto_s", r->rto_s, "steps", steps);
}

static orbit_err fqdn_field(const json_t *v, const char *key, bool required, char *out, size_t cap,
                            orbit_status *st)
{
    const json_t *f = json_object_get(v, key);
    if (!f || json_is_null(f)) {
        out[0] = '\0';
        return required ? orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, key, "runbook: no %s", key)
                        : ORBIT_OK;
    }
    if (orbit_json_get_string(v, key, required, out, cap, st) < 0)
        return ORBIT_ERR_BAD_REQUEST;
    const char *why = orbit_fqdn_check(out);
    if (why)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, key, "runbook %s: %s", key, why);
    orbit_fqdn_lower(out);
    return ORBIT_OK;
}

static orbit_err text_field(const json_t *v, const char *key, char *out, size_t cap,
                            const char *(*check)(const char *), orbit_status *st)
{
    if (orbit_json_get_string(v, key, true, out, cap, st) < 0)
        return ORBIT_ERR_BAD_REQUEST;
    const char *why = check ? check(out) : NULL;
    if (why)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, key, "runbook %s: %s", key, why);
    return ORBIT_OK;
}

static const char *holder_check(const char *who)
{
    return orbit_text_hazard_message(orbit_text_hazard_of(who));
}

static orbit_err step_from_json(const json_t *v, dr_runbook_step *s, orbit_status *st)
{
    char state[16];
    if (orbit_json_need_object(v, "step", st) ||
        text_field(v, "name", s->name, sizeof s->name, dr_runbook_step_name_check, st) ||
        text_field(v, "state", state, sizeof state, NULL, st))
        return ORBIT_ERR_BAD_REQUEST;
    if (!dr_step_state_from_name(state, &s->state))
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "state", "unknown step state '%s'",
                                state);
    s->started_ms = json_integer_value(json_object_get(v, "started_ms"));
    s->ended_ms = json_integer_value(json_object_get(v, "ended_ms"));
    if (json_object_get(v, "detail") &&
        text_field(v, "detail", s->detail, sizeof s->detail, dr_runbook_detail_check, st))
        return ORBIT_ERR_BAD_REQUEST;
    return ORBIT_OK;
}

orbit_err dr_runbook_from_json(const json_t *v, dr_runbook *out, orbit_status *st)
{
    memset(out, 0, sizeof *out);
    char kind[16], state[16];
    if (orbit_json_need_object(v, "runbook", st) ||
        fqdn_field(v, "home", true, out->home, sizeof out->home, st) ||
        fqdn_field(v, "backup", false, out->backup, sizeof out->backup, st) ||
        fqdn_field(v, "replacement", false, out->replacement, sizeof out->replacement, st) ||
        text_field(v, "kind", kind, sizeof kind, NULL, st) ||
        text_field(v, "state", state, sizeof state, NULL, st) ||
        text_field(v, "run_id", out->run_id, sizeof out->run_id, dr_runbook_run_id_check, st) ||
        text_field(v, "holder", out->holder, sizeof out->holder, holder_check, st))
        return ORBIT_ERR_BAD_REQUEST;
    if (!dr_runbook_kind_from_name(kind, &out->kind))
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "kind", "unknown runbook kind '%s'",
                                kind);
    if (!dr_runbook_state_from_name(state, &out->state))
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "state", "unknown runbook state '%s'",
                                state);
    out->started_ms = json_integer_value(json_object_get(v, "started_ms"));
    out->updated_ms = json_integer_value(json_object_get(v, "updated_ms"));
    out->disaster_mode = json_is_true(json_object_get(v, "disaster_mode"));
    json_int_t rto = json_integer_value(json_object_get(v, "rto_s"));
    out->rto_s = rto > 0 && rto <= 86400 ? (int)rto : DR_RUNBOOK_RTO_DEFAULT_S;
    const json_t *steps = json_object_get(v, "steps");
    if (!json_is_array(steps) || json_array_size(steps) == 0 ||
        json_array_size(steps) > DR_RUNBOOK_STEPS_MAX)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "steps", "a runbook has 1 to %d steps",
                                DR_RUNBOOK_STEPS_MAX);
    for (size_t i = 0; i < json_array_size(steps); i++) {
        orbit_err e = step_from_json(json_array_get(steps, i), &out->steps[i], st);
        if (e)
            return e;
        out->nsteps++;
    }
    return ORBIT_OK;
}
