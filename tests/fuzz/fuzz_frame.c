/* Fuzzes what a pool does with a client's text frame: the envelope
 * (orbit_frame_parse), the hello, subscribe and cmd decoders, every op's
 * argument decoder (orbit_args_decode) on the frame's args, and the
 * error frames that answer a refusal. What a decoder accepts must pass
 * the rules the service relies on; what it refuses must be answerable. */
#include "fuzz_util.h"

#include "orbit_frame.h"
#include "orbit_json.h"

#include <string.h>

/* A refusal must carry a code and a reason, and become a frame: an
 * unanswerable refusal leaves the client waiting for nothing. */
static void require_answerable(const char *id, const orbit_status *st)
{
    FUZZ_REQUIRE(st->code != ORBIT_OK);
    FUZZ_REQUIRE(st->message[0] != '\0');
    json_t *err = orbit_frame_make_error(id, st);
    json_t *res = orbit_frame_make_result_error(id, st);
    FUZZ_REQUIRE(err != NULL);
    FUZZ_REQUIRE(res != NULL);
    char *text = orbit_frame_dump(res, NULL);
    FUZZ_REQUIRE(text != NULL);
    free(text);
    json_decref(err);
    json_decref(res);
}

static void require_number(const orbit_number *n)
{
    FUZZ_REQUIRE(orbit_number_is_valid(n));
}

/* What each op's decoder promises about the values it hands the engine. */
static void require_decoded(const orbit_cmd_args *a)
{
    orbit_status st;
    switch (a->op) {
    case ORBIT_OP_ORBIT_CREATE:
        FUZZ_REQUIRE(orbit_range_check(&a->u.create, &st) == ORBIT_OK);
        break;
    case ORBIT_OP_ORBIT_UPDATE: {
        FUZZ_REQUIRE(orbit_identity_check(a->u.update.identity) == NULL);
        FUZZ_REQUIRE(a->u.update.has_start || a->u.update.has_end || a->u.update.has_pool ||
                     a->u.update.has_type);
        orbit_number n;
        if (a->u.update.has_start)
            FUZZ_REQUIRE(orbit_number_parse(a->u.update.start, &n) == ORBIT_NUMBER_OK);
        if (a->u.update.has_end)
            FUZZ_REQUIRE(orbit_number_parse(a->u.update.end, &n) == ORBIT_NUMBER_OK);
        if (a->u.update.has_pool)
            FUZZ_REQUIRE(orbit_fqdn_check(a->u.update.pool) == NULL);
        if (a->u.update.has_type)
            FUZZ_REQUIRE((unsigned)a->u.update.type < ORBIT_TYPE_COUNT);
        break;
    }
    case ORBIT_OP_ORBIT_DELETE:
        FUZZ_REQUIRE(orbit_identity_check(a->u.del.identity) == NULL);
        break;
    case ORBIT_OP_ORBIT_REASSIGN:
        FUZZ_REQUIRE(orbit_fqdn_check(a->u.reassign.from_pool) == NULL);
        FUZZ_REQUIRE(orbit_fqdn_check(a->u.reassign.to_pool) == NULL);
        break;
    case ORBIT_OP_CONFIG_SET:
        FUZZ_REQUIRE(cps_settings_check(&a->u.config, &st) == ORBIT_OK);
        break;
    case ORBIT_OP_POOL_FAILOVER:
    case ORBIT_OP_POOL_FAILBACK:
        FUZZ_REQUIRE(orbit_fqdn_check(a->u.dr.pool) == NULL);
        break;
    case ORBIT_OP_MOH_UPLOAD:
        FUZZ_REQUIRE(orbit_moh_name_check(a->u.moh.name) == NULL);
        FUZZ_REQUIRE(orbit_sha256_hex_check(a->u.moh.sha256) == NULL);
        FUZZ_REQUIRE(a->u.moh.size > 0);
        break;
    case ORBIT_OP_CALL_PARK:
        FUZZ_REQUIRE(orbit_call_id_check(a->u.park.call_id) == NULL);
        FUZZ_REQUIRE(orbit_sip_uri_check(a->u.park.parker) == NULL);
        FUZZ_REQUIRE(orbit_party_check(a->u.park.parkee) == NULL);
        FUZZ_REQUIRE((unsigned)a->u.park.transport < CALL_TRANSPORT_COUNT);
        break;
    case ORBIT_OP_CALL_RETRIEVE:
        require_number(&a->u.retrieve.orbit);
        FUZZ_REQUIRE(orbit_party_check(a->u.retrieve.by) == NULL);
        break;
    case ORBIT_OP_PICKUP_RING:
        FUZZ_REQUIRE(orbit_call_id_check(a->u.ring.call_id) == NULL);
        FUZZ_REQUIRE(orbit_party_check(a->u.ring.caller) == NULL);
        FUZZ_REQUIRE(orbit_sip_uri_check(a->u.ring.callee) == NULL);
        FUZZ_REQUIRE((unsigned)a->u.ring.transport < CALL_TRANSPORT_COUNT);
        break;
    case ORBIT_OP_PICKUP_TAKE:
        require_number(&a->u.take.group);
        FUZZ_REQUIRE(orbit_party_check(a->u.take.by) == NULL);
        break;
    case ORBIT_OP_CALL_RINGBACK_ANSWER:
    case ORBIT_OP_CALL_HANGUP:
    case ORBIT_OP_PICKUP_ANSWER:
    case ORBIT_OP_PICKUP_CANCEL:
        FUZZ_REQUIRE(orbit_call_id_check(a->u.call.call_id) == NULL);
        break;
    case ORBIT_OP_PICKUP_REDIRECT:
    case ORBIT_OP_DR_TEST_CALL:
    case ORBIT_OP_POOL_RETIRE:
        FUZZ_REQUIRE(orbit_fqdn_check(a->u.home.pool) == NULL);
        break;
    case ORBIT_OP_POOL_ADD:
        FUZZ_REQUIRE(orbit_fqdn_check(a->u.add.fqdn) == NULL);
        FUZZ_REQUIRE(orbit_site_check(a->u.add.site) == NULL);
        FUZZ_REQUIRE(!a->u.add.replaces[0] || orbit_fqdn_check(a->u.add.replaces) == NULL);
        break;
    case ORBIT_OP_USERS_REHOME:
        FUZZ_REQUIRE(orbit_fqdn_check(a->u.rehome.from_pool) == NULL);
        FUZZ_REQUIRE(orbit_fqdn_check(a->u.rehome.to_pool) == NULL);
        break;
    case ORBIT_OP_RUNBOOK_CLAIM:
        FUZZ_REQUIRE(orbit_fqdn_check(a->u.claim.home) == NULL);
        FUZZ_REQUIRE(dr_runbook_run_id_check(a->u.claim.run_id) == NULL);
        FUZZ_REQUIRE(a->u.claim.nsteps >= 1 && a->u.claim.nsteps <= DR_RUNBOOK_STEPS_MAX);
        for (size_t i = 0; i < a->u.claim.nsteps; i++)
            FUZZ_REQUIRE(dr_runbook_step_name_check(a->u.claim.steps[i]) == NULL);
        break;
    case ORBIT_OP_RUNBOOK_STEP:
        FUZZ_REQUIRE(dr_runbook_step_name_check(a->u.step.step) == NULL);
        FUZZ_REQUIRE(dr_runbook_detail_check(a->u.step.detail) == NULL);
        break;
    case ORBIT_OP_RUNBOOK_ABANDON:
        FUZZ_REQUIRE(dr_runbook_detail_check(a->u.abandon.reason) == NULL);
        break;
    case ORBIT_OP_COUNT:
        FUZZ_REQUIRE(!"decoded an op that does not exist");
    }
}

static void decode(orbit_op op, const json_t *args, const char *id)
{
    cps_settings current;
    cps_settings_default(&current);
    orbit_cmd_args a;
    orbit_status st;
    orbit_status_clear(&st);
    if (orbit_args_decode(op, args, &current, &a, &st) == ORBIT_OK) {
        FUZZ_REQUIRE(a.op == op);
        require_decoded(&a);
    } else {
        require_answerable(id, &st);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    orbit_frame f;
    orbit_status st;
    orbit_status_clear(&st);
    if (orbit_frame_parse((const char *)data, size, &f, &st) != ORBIT_OK) {
        FUZZ_REQUIRE(f.root == NULL);
        require_answerable(NULL, &st);
        return 0;
    }
    FUZZ_REQUIRE(f.root != NULL && (unsigned)f.type < ORBIT_FRAME_TYPE_COUNT);
    FUZZ_REQUIRE(strlen(f.id) <= ORBIT_FRAME_ID_MAX);
    orbit_status_clear(&st);
    if (f.type == ORBIT_FRAME_HELLO) {
        orbit_hello h;
        if (orbit_frame_hello(&f, &h, &st) != ORBIT_OK)
            require_answerable(f.id, &st);
    } else if (f.type == ORBIT_FRAME_SUBSCRIBE) {
        orbit_subscribe sub;
        if (orbit_frame_subscribe(&f, &sub, &st) == ORBIT_OK)
            FUZZ_REQUIRE(!sub.has_since || sub.rev >= 0);
        else
            require_answerable(f.id, &st);
    } else if (f.type == ORBIT_FRAME_CMD) {
        orbit_cmd cmd;
        if (orbit_frame_cmd(&f, &cmd, &st) == ORBIT_OK)
            decode(cmd.op, cmd.args, cmd.id);
        else
            require_answerable(f.id, &st);
    }
    /* Any op's decoder may meet these args: a client picks the op. */
    const json_t *args = json_object_get(f.root, "args");
    for (int op = 0; op < ORBIT_OP_COUNT; op++)
        decode((orbit_op)op, args, f.id);
    orbit_frame_release(&f);
    return 0;
}
