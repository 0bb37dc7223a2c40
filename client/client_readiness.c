/* client_readiness: the DR readiness checks, one row each, and the
 * gathering of their facts from a client's mirrors and vault. */
#include "client_readiness.h"

#include "client_view.h"
#include "orbit_json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef client_ready_verdict (*check_fn)(const client_ready_pool *p,
                                         const client_ready_pool *partner,
                                         client_ready_problem *out);

/* One row per check: its name, what it checks, and the check. */
typedef struct {
    const char *name;
    const char *title;
    check_fn run;
} check_row;

static client_ready_verdict fail(client_ready_problem *out, client_ready_verdict v, const char *fix,
                                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static client_ready_verdict fail(client_ready_problem *out, client_ready_verdict v, const char *fix,
                                 const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->what, sizeof out->what, fmt, ap);
    va_end(ap);
    snprintf(out->fix, sizeof out->fix, "%s", fix);
    out->verdict = v;
    return v;
}

/* ---- the checks ---- */

static client_ready_verdict callpark_up(const client_ready_pool *p,
                                        const client_ready_pool *partner, client_ready_problem *out)
{
    char fix[CLIENT_READY_TEXT_MAX];
    if (p->status == POOL_STATUS_DOWN) {
        snprintf(fix, sizeof fix, "start orbitd for %s%s%s", p->fqdn,
                 partner ? ", or fail its users over to " : "", partner ? partner->fqdn : "");
        return fail(out, CLIENT_READY_FAIL, fix,
                    "%s is down (no heartbeat): Call Park does not run there", p->fqdn);
    }
    if (p->status != POOL_STATUS_UP && p->status != POOL_STATUS_DEGRADED)
        return fail(out, CLIENT_READY_UNKNOWN, "wait for its heartbeat, or start orbitd for it",
                    "%s has not been heard from", p->fqdn);
    if (p->degraded || p->status == POOL_STATUS_DEGRADED) {
        snprintf(fix, sizeof fix, "restore %s's link to the deployment store", p->fqdn);
        return fail(out, CLIENT_READY_FAIL, fix,
                    "%s cannot reach the deployment store: it refuses failovers and changes",
                    p->fqdn);
    }
    if (!p->seen) {
        snprintf(fix, sizeof fix, "give this client %s's URL (deployment file, --url)", p->fqdn);
        return fail(out, CLIENT_READY_UNKNOWN, fix, "no state from %s has reached this client",
                    p->fqdn);
    }
    return CLIENT_READY_OK;
}

static client_ready_verdict callpark_ranges(const client_ready_pool *p,
                                            const client_ready_pool *partner,
                                            client_ready_problem *out)
{
    (void)partner;
    char fix[CLIENT_READY_TEXT_MAX];
    if (p->callpark_ranges == 0) {
        snprintf(fix, sizeof fix, "orbitctl orbit create IDENTITY START END --pool %s", p->fqdn);
        return fail(out, CLIENT_READY_FAIL, fix,
                    "%s owns no CallPark range: its users, and users failed over to it, cannot "
                    "park",
                    p->fqdn);
    }
    if (p->free_orbits == 0) {
        snprintf(fix, sizeof fix, "enlarge %s's CallPark ranges (orbitctl orbit set) or add one",
                 p->fqdn);
        return fail(out, CLIENT_READY_FAIL, fix,
                    "every one of %s's %u CallPark orbits is taken: no park can succeed", p->fqdn,
                    p->callpark_orbits);
    }
    return CLIENT_READY_OK;
}

static uint32_t most(uint32_t a, uint32_t b)
{
    return a > b ? a : b;
}

static client_ready_verdict capacity(const client_ready_pool *p, const client_ready_pool *partner,
                                     client_ready_problem *out)
{
    if (!partner)
        return CLIENT_READY_OK; /* nothing to take over */
    if (!p->seen || !partner->seen)
        return fail(out, CLIENT_READY_UNKNOWN, "connect to both pools of the pair",
                    "the load of %s cannot be known without both pools' state",
                    p->seen ? partner->fqdn : p->fqdn);
    char fix[CLIENT_READY_TEXT_MAX];
    uint32_t mine = most(p->parked, p->parked_peak),
             theirs = most(partner->parked, partner->parked_peak);
    if ((uint64_t)mine + theirs > p->callpark_orbits) {
        snprintf(fix, sizeof fix, "give %s at least %u CallPark orbits (orbitctl orbit set/create)",
                 p->fqdn, mine + theirs);
        return fail(out, CLIENT_READY_FAIL, fix,
                    "%s has %u CallPark orbits; after a failover of %s it would hold up to %u "
                    "parked calls (peaks: %u its own, %u of %s)",
                    p->fqdn, p->callpark_orbits, partner->fqdn, mine + theirs, mine, theirs,
                    partner->fqdn);
    }
    uint64_t users = (uint64_t)p->users_homed + partner->users_homed;
    if (users > CLIENT_READY_USERS_MAX) {
        snprintf(fix, sizeof fix, "home fewer users on %s and %s, or add pools", p->fqdn,
                 partner->fqdn);
        return fail(out, CLIENT_READY_FAIL, fix,
                    "%s would serve %llu users (%u + %u), more than the %d of an 8-server pool "
                    "(500 calls and 200 pickups a minute)",
                    p->fqdn, (unsigned long long)users, p->users_homed, partner->users_homed,
                    CLIENT_READY_USERS_MAX);
    }
    uint64_t groups = (uint64_t)p->pickup_groups + partner->pickup_groups;
    if (groups > CLIENT_READY_GROUPS_MAX) {
        snprintf(fix, sizeof fix, "merge pickup groups, or move users to another pair");
        return fail(out, CLIENT_READY_FAIL, fix,
                    "%s would hold %llu pickup groups' queues (%u + %u), more than the %d "
                    "recommended for a pool",
                    p->fqdn, (unsigned long long)groups, p->pickup_groups, partner->pickup_groups,
                    CLIENT_READY_GROUPS_MAX);
    }
    return CLIENT_READY_OK;
}

static client_ready_verdict moh_backup(const client_ready_pool *p, const client_ready_pool *partner,
                                       client_ready_problem *out)
{
    (void)partner;
    char fix[CLIENT_READY_TEXT_MAX];
    if (!p->moh_known)
        return fail(out, CLIENT_READY_UNKNOWN, "connect to the pool once to learn its music",
                    "%s's music on hold is not known here", p->fqdn);
    if (p->moh_default)
        return CLIENT_READY_OK; /* it ships with orbit */
    if (!p->vault)
        return fail(out, CLIENT_READY_FAIL, "give a vault (--vault DIR, or ORBIT_VAULT_DIR)",
                    "this client has no backup vault for %s's music on hold", p->fqdn);
    if (!p->moh_in_vault) {
        snprintf(fix, sizeof fix, "orbitctl --pool %s moh backup", p->fqdn);
        return fail(out, CLIENT_READY_FAIL, fix,
                    "%s's music on hold %.60s (SHA-256 %.12s) is not in the backup vault: it is "
                    "lost with the pool",
                    p->fqdn, p->moh_name, p->moh_sha256);
    }
    return CLIENT_READY_OK;
}

static client_ready_verdict settings_backup(const client_ready_pool *p,
                                            const client_ready_pool *partner,
                                            client_ready_problem *out)
{
    (void)partner;
    char fix[CLIENT_READY_TEXT_MAX];
    if (!p->settings_known)
        return fail(out, CLIENT_READY_UNKNOWN, "connect to the pool once to learn its settings",
                    "%s's Call Park settings are not known here", p->fqdn);
    if (!p->vault)
        return fail(out, CLIENT_READY_FAIL, "give a vault (--vault DIR, or ORBIT_VAULT_DIR)",
                    "this client has no backup vault for %s's settings", p->fqdn);
    if (!p->settings_in_vault) {
        snprintf(fix, sizeof fix, "orbitctl --pool %s cps get (it records them)", p->fqdn);
        return fail(out, CLIENT_READY_FAIL, fix,
                    "%s's current Call Park settings are not in the backup vault: they are lost "
                    "with the pool",
                    p->fqdn);
    }
    return CLIENT_READY_OK;
}

static client_ready_verdict pickup_ranges(const client_ready_pool *p,
                                          const client_ready_pool *partner,
                                          client_ready_problem *out)
{
    (void)partner;
    if (p->pickup_redirected)
        return CLIENT_READY_OK;
    char fix[CLIENT_READY_TEXT_MAX];
    if (dr_phase_resiliency(p->phase))
        snprintf(fix, sizeof fix, "once the %s phase completes: orbitctl pool redirect %s",
                 dr_phase_name(p->phase), p->fqdn);
    else
        snprintf(fix, sizeof fix, "orbitctl pool redirect %s (orbitop: R)", p->fqdn);
    return fail(out, CLIENT_READY_FAIL, fix,
                "GroupPickup ranges holding %s's users' groups are not on %s, which serves them: "
                "pickup fails for them",
                p->fqdn, p->serving[0] ? p->serving : p->fqdn);
}

static const check_row CHECKS[CLIENT_READY_CHECK_COUNT] = {
    [CLIENT_READY_CALLPARK_UP] = {"callpark_up", "Call Park is up and enabled in both pools",
                                  callpark_up},
    [CLIENT_READY_CALLPARK_RANGES] = {"callpark_ranges",
                                      "each pool owns a valid CallPark range with free orbits",
                                      callpark_ranges},
    [CLIENT_READY_CAPACITY] = {"capacity", "each pool can carry the load of both", capacity},
    [CLIENT_READY_MOH_BACKUP] = {"moh_backup",
                                 "each pool's music on hold is in the backup vault (same SHA-256)",
                                 moh_backup},
    [CLIENT_READY_SETTINGS_BACKUP] = {"settings_backup",
                                      "the vault holds each pool's current settings",
                                      settings_backup},
    [CLIENT_READY_PICKUP_RANGES] = {"pickup_ranges",
                                    "no GroupPickup range is left on a pool not serving its users",
                                    pickup_ranges},
};

const char *client_ready_check_name(client_ready_check c)
{
    return (unsigned)c < CLIENT_READY_CHECK_COUNT ? CHECKS[c].name : "?";
}

const char *client_ready_check_title(client_ready_check c)
{
    return (unsigned)c < CLIENT_READY_CHECK_COUNT ? CHECKS[c].title : "?";
}

const char *client_ready_verdict_name(client_ready_verdict v)
{
    return v == CLIENT_READY_OK ? "ok" : v == CLIENT_READY_FAIL ? "fail" : "unknown";
}

client_ready_verdict client_readiness_check(client_ready_check c, const client_ready_pool *p,
                                            const client_ready_pool *partner,
                                            client_ready_problem *problem)
{
    memset(problem, 0, sizeof *problem);
    problem->check = c;
    snprintf(problem->pool, sizeof problem->pool, "%s", p->fqdn);
    if ((unsigned)c >= CLIENT_READY_CHECK_COUNT)
        return fail(problem, CLIENT_READY_UNKNOWN, "", "no such check");
    return CHECKS[c].run(p, partner, problem);
}

void client_readiness_pair(const client_ready_pool *left, const client_ready_pool *right,
                           client_ready_pair *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->left, sizeof out->left, "%s", left->fqdn);
    snprintf(out->right, sizeof out->right, "%s", right ? right->fqdn : "");
    out->ready = right != NULL;
    const client_ready_pool *pools[2] = {left, right};
    for (int c = 0; c < CLIENT_READY_CHECK_COUNT; c++) {
        for (int k = 0; k < 2 && pools[k]; k++) {
            client_ready_problem pr;
            client_ready_verdict v =
                client_readiness_check((client_ready_check)c, pools[k], pools[1 - k], &pr);
            if (v == CLIENT_READY_OK)
                continue;
            out->ready = false;
            if (v > out->verdict[c])
                out->verdict[c] = v;
            if (out->nproblems < CLIENT_READY_PROBLEMS_MAX)
                out->problems[out->nproblems++] = pr;
        }
    }
}

/* ---- facts from a client ---- */

static void vault_facts(client_vault *v, client_ready_pool *r, const client_mirror *own)
{
    r->vault = v != NULL;
    if (!v)
        return;
    orbit_status st;
    char path[1400];
    if (!r->moh_default && r->moh_sha256[0]) {
        json_t *e = client_vault_find(v, r->fqdn, "moh", r->moh_sha256, path, sizeof path, &st);
        const char *kept = json_string_value(json_object_get(e, "sha256"));
        r->moh_in_vault = kept && strcmp(kept, r->moh_sha256) == 0;
        json_decref(e);
    }
    json_t *e = client_vault_find(v, r->fqdn, "settings", NULL, path, sizeof path, &st);
    cps_settings kept;
    cps_settings_default(&kept);
    r->settings_in_vault =
        e &&
        orbit_json_to_settings(json_object_get(e, "settings"), ORBIT_JSON_LENIENT, false, &kept,
                               &st) == ORBIT_OK &&
        cps_settings_equal(&kept, client_mirror_config(own));
    json_decref(e);
}

static void pool_facts(client_hub *hub, client_vault *vault, const client_mirror *m,
                       const pool_info *p, client_ready_pool *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->fqdn, sizeof r->fqdn, "%s", p->fqdn);
    snprintf(r->backup, sizeof r->backup, "%s", p->backup);
    r->status = p->status;
    const orbit_table *t = client_mirror_orbits(m);
    orbit_type cp = ORBIT_TYPE_CALLPARK;
    r->callpark_ranges = (uint32_t)orbit_table_select(t, p->fqdn, &cp, NULL, 0);
    r->callpark_orbits = orbit_table_pool_total(t, p->fqdn, &cp);
    uint32_t used = 0;
    for (size_t i = 0; i < orbit_table_count(t); i++) {
        const orbit_range *range = orbit_table_at(t, i);
        if (range->type == ORBIT_TYPE_CALLPARK && strcmp(range->pool, p->fqdn) == 0)
            used += client_view_in_use(hub, range);
    }
    r->free_orbits = r->callpark_orbits > used ? r->callpark_orbits - used : 0;
    const dr_state *d = client_mirror_dr(m, p->fqdn);
    r->phase = d ? d->phase : DR_PHASE_NORMAL;
    snprintf(r->serving, sizeof r->serving, "%s", d ? d->serving : p->fqdn);
    r->pickup_redirected = !d || d->pickup_ranges_redirected;
    client_conn *c = client_hub_find(hub, p->fqdn);
    const client_mirror *own = c ? client_conn_mirror(c) : NULL;
    if (!own || !client_mirror_loaded(own)) {
        r->vault = vault != NULL;
        return;
    }
    const client_pool_self *self = client_mirror_self(own);
    r->seen = true;
    r->degraded = strcmp(self->status, "degraded") == 0;
    if (p->status != POOL_STATUS_DOWN)
        r->free_orbits = self->free_orbits;
    r->parked = (uint32_t)client_mirror_parked_count(own);
    r->parked_peak = most(self->parked_peak, r->parked);
    r->queued = (uint32_t)client_mirror_queued_calls(own);
    r->queued_peak = most(self->queued_peak, r->queued);
    r->users_homed = self->users_homed;
    r->pickup_groups = self->pickup_groups;
    if (p->status == POOL_STATUS_DOWN)
        r->parked = r->queued = 0; /* lost with the pool */
    const moh_info *moh = client_mirror_moh(own);
    r->moh_known = moh->sha256[0] != '\0' || moh->is_default;
    r->moh_default = moh->is_default;
    snprintf(r->moh_name, sizeof r->moh_name, "%s", moh->name);
    snprintf(r->moh_sha256, sizeof r->moh_sha256, "%s", moh->sha256);
    r->settings_known = true;
    vault_facts(vault, r, own);
}

size_t client_readiness_gather(client_hub *hub, client_vault *vault, client_ready_pool *out,
                               size_t max)
{
    const client_mirror *m = client_view_mirror(hub);
    size_t n = m ? client_mirror_pool_count(m) : 0;
    for (size_t i = 0; i < n && i < max; i++)
        pool_facts(hub, vault, m, client_mirror_pool_at(m, i), &out[i]);
    return n;
}

size_t client_readiness_evaluate(client_hub *hub, client_vault *vault, client_ready_pair *out,
                                 size_t max)
{
    const client_mirror *m = client_view_mirror(hub);
    size_t n = m ? client_mirror_pool_count(m) : 0;
    client_ready_pool *pools = calloc(n ? n : 1, sizeof *pools);
    if (!pools)
        return 0;
    client_readiness_gather(hub, vault, pools, n);
    size_t pairs = 0;
    for (size_t i = 0; i < n; i++) {
        const client_ready_pool *partner = NULL;
        bool listed = false;
        for (size_t k = 0; k < n; k++) {
            if (k != i && pools[i].backup[0] && strcmp(pools[k].fqdn, pools[i].backup) == 0) {
                partner = &pools[k];
                listed = k < i; /* its pair was listed with the partner */
            }
        }
        if (listed)
            continue;
        if (pairs < max)
            client_readiness_pair(&pools[i], partner, &out[pairs]);
        pairs++;
    }
    free(pools);
    return pairs;
}

json_t *client_readiness_json(const client_ready_pair *pairs, size_t n)
{
    json_t *arr = json_array();
    bool all = n > 0;
    for (size_t i = 0; arr && i < n; i++) {
        const client_ready_pair *p = &pairs[i];
        all = all && p->ready;
        json_t *checks = json_array();
        for (int c = 0; checks && c < CLIENT_READY_CHECK_COUNT; c++) {
            json_t *problems = json_array();
            for (size_t k = 0; problems && k < p->nproblems; k++) {
                const client_ready_problem *pr = &p->problems[k];
                if ((int)pr->check == c)
                    json_array_append_new(
                        problems, json_pack("{s:s, s:s, s:s, s:s}", "pool", pr->pool, "verdict",
                                            client_ready_verdict_name(pr->verdict), "what",
                                            pr->what, "fix", pr->fix));
            }
            json_array_append_new(
                checks, json_pack("{s:s, s:s, s:s, s:o}", "check",
                                  client_ready_check_name((client_ready_check)c), "title",
                                  client_ready_check_title((client_ready_check)c), "verdict",
                                  client_ready_verdict_name(p->verdict[c]), "problems", problems));
        }
        json_t *pools =
            p->right[0] ? json_pack("[s,s]", p->left, p->right) : json_pack("[s]", p->left);
        json_array_append_new(
            arr, json_pack("{s:o, s:b, s:o}", "pools", pools, "ready", p->ready, "checks", checks));
    }
    return arr ? json_pack("{s:b, s:o}", "ready", all, "pairs", arr) : NULL;
}
