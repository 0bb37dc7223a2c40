/* pool_moh: moh.upload through the kernel's gate. Its body is the audio
 * file, streamed by the HTTP transport, so the op runs in steps: opened
 * (role and arguments checked, the request audited), fed, then closed
 * (verified and installed) or failed; each ending is counted and audited
 * under the same action as its request. */
#include "pool_internal.h"

#include "orbit_json.h"
#include "orbit_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pool_upload {
    pool *p;
    pool_caller caller;
    json_t *args;
    uint64_t action;
    moh_upload *file;
};

static orbit_err audit(pool *p, const pool_caller *caller, const json_t *args, uint64_t action,
                       audit_phase phase, const orbit_status *st, orbit_status *refusal)
{
    if (phase == AUDIT_RESULT && (unsigned)st->code < ORBIT_ERR_COUNT)
        p->metrics.ops[ORBIT_OP_MOH_UPLOAD][st->code]++;
    orbit_status unused;
    return pool_audit(p, caller, ORBIT_OP_MOH_UPLOAD, args, action, phase, st,
                      refusal ? refusal : &unused);
}

void pool_moh_upload_refused(pool *p, const pool_caller *caller, const json_t *args,
                             const orbit_status *why)
{
    audit(p, caller, args, audit_next_action(p->audit), AUDIT_RESULT, why, NULL);
}

pool_upload *pool_moh_upload_open(pool *p, const pool_caller *caller, const json_t *args,
                                  orbit_status *st)
{
    orbit_status_clear(st);
    orbit_cmd_args a;
    if (!orbit_role_may(caller->role, ORBIT_OP_MOH_UPLOAD)) {
        orbit_status_set(st, ORBIT_ERR_FORBIDDEN, "",
                         "uploading music on hold needs the operator role; this token is %s",
                         orbit_role_name(caller->role));
    } else if (orbit_args_decode(ORBIT_OP_MOH_UPLOAD, args, NULL, &a, st) == ORBIT_OK &&
               a.u.moh.size > p->cfg->moh_max_bytes) {
        orbit_status_set(st, ORBIT_ERR_TOO_LARGE, "", "MOH files are limited to %llu bytes",
                         (unsigned long long)p->cfg->moh_max_bytes);
    }
    pool_upload *u = st->code == ORBIT_OK ? calloc(1, sizeof *u) : NULL;
    if (st->code == ORBIT_OK && !u)
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    if (u) {
        u->p = p;
        u->caller = *caller;
        u->args = json_deep_copy(args);
        u->action = audit_next_action(p->audit);
        if (!u->args)
            orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    }
    /* Audit first: on record before the file replaces anything. An
     * upload the log could not take is refused with no more lines. */
    bool unrecorded = u && st->code == ORBIT_OK &&
                      audit(p, caller, args, u->action, AUDIT_REQUEST, NULL, st) != ORBIT_OK;
    if (u && st->code == ORBIT_OK)
        moh_upload_begin(&p->local, a.u.moh.name, a.u.moh.sha256, p->cfg->moh_max_bytes, &u->file,
                         st);
    if (st->code != ORBIT_OK) {
        if (unrecorded)
            p->metrics.ops[ORBIT_OP_MOH_UPLOAD][st->code]++;
        else
            audit(p, caller, args, u ? u->action : audit_next_action(p->audit), AUDIT_RESULT, st,
                  NULL);
        if (u)
            json_decref(u->args);
        free(u);
        return NULL;
    }
    return u;
}

orbit_err pool_moh_upload_feed(pool_upload *u, const void *data, size_t len, orbit_status *st)
{
    return moh_upload_feed(u->file, data, len, st);
}

uint64_t pool_moh_upload_received(const pool_upload *u)
{
    return moh_upload_received(u->file);
}

static void upload_free(pool_upload *u)
{
    moh_upload_abort(u->file);
    json_decref(u->args);
    free(u);
}

void pool_moh_upload_close(pool_upload *u, pool_op_done done, void *ctx)
{
    pool *p = u->p;
    orbit_status st;
    orbit_status_clear(&st);
    uint64_t size = moh_upload_received(u->file);
    moh_upload *file = u->file;
    u->file = NULL; /* finish frees it, whatever happens */
    if (moh_upload_finish(file, orbit_time_now_ms(), &st) != ORBIT_OK) {
        audit(p, &u->caller, u->args, u->action, AUDIT_RESULT, &st, NULL);
        upload_free(u);
        done(ctx, &st, NULL);
        return;
    }
    audit(p, &u->caller, u->args, u->action, AUDIT_RESULT, &st, NULL);
    ORBIT_LOG_I(p->log, "MOH replaced by %s: %s (%llu bytes)", u->caller.token, p->local.moh.name,
                (unsigned long long)size);
    upload_free(u);
    pool_emit(p, ORBIT_EV_MOH_CHANGED, orbit_json_from_moh(&p->local.moh));
    json_t *data = orbit_json_from_moh(&p->local.moh);
    if (!data)
        orbit_status_set(&st, ORBIT_ERR_INTERNAL, "", "out of memory");
    done(ctx, &st, data);
}

void pool_moh_upload_fail(pool_upload *u, const orbit_status *why)
{
    if (!u)
        return;
    audit(u->p, &u->caller, u->args, u->action, AUDIT_RESULT, why, NULL);
    upload_free(u);
}
