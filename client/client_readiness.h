/* client_readiness: is each pair of pools ready for disaster recovery?
 * Six checks, one row each of the table in client_readiness.c, evaluated
 * for each pool of a pair with its partner, each saying what is wrong and
 * how to fix it:
 *
 *   callpark_up        Call Park is up and enabled in both pools;
 *   callpark_ranges    each pool owns a CallPark range with free orbits;
 *   capacity           each pool can carry the Call Park and pickup load
 *                      of both (orbits against current and peak parked
 *                      calls; users and pickup groups against the figures
 *                      of an 8-server Lync pool, docs/domain.md);
 *   moh_backup         the pool's current music on hold is in the backup
 *                      vault with the same SHA-256;
 *   settings_backup    the vault holds the pool's current settings;
 *   pickup_ranges      no GroupPickup range of the pool's users is left
 *                      on a pool that does not serve them.
 *
 * The checks read plain facts (client_ready_pool), so they are tested
 * without a network; client_readiness_gather() takes those facts from a
 * client's live mirrors and its vault, so orbitop's view, orbitctl dr
 * check and the runbooks' preflight judge the same way. */
#ifndef CLIENT_READINESS_H
#define CLIENT_READINESS_H

#include "client_hub.h"
#include "client_vault.h"
#include "orbit_model.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Capacity of an 8-server pool (docs/domain.md, from Lync's planning
 * figures): enabled users (with 500 incoming calls and 200 pickups a
 * minute), and pickup groups (500 of 50 recommended). */
#define CLIENT_READY_USERS_MAX  25000
#define CLIENT_READY_GROUPS_MAX 500
/* Room for a sentence naming up to three pools in full. */
#define CLIENT_READY_TEXT_MAX 1024

typedef enum {
    CLIENT_READY_CALLPARK_UP = 0,
    CLIENT_READY_CALLPARK_RANGES,
    CLIENT_READY_CAPACITY,
    CLIENT_READY_MOH_BACKUP,
    CLIENT_READY_SETTINGS_BACKUP,
    CLIENT_READY_PICKUP_RANGES,
    CLIENT_READY_CHECK_COUNT
} client_ready_check;

typedef enum {
    CLIENT_READY_OK = 0,
    CLIENT_READY_UNKNOWN, /* not enough facts (a pool never heard from) */
    CLIENT_READY_FAIL,
} client_ready_verdict;

/* One pool as the checks see it. */
typedef struct {
    char fqdn[ORBIT_FQDN_MAX + 1];
    char backup[ORBIT_FQDN_MAX + 1];
    pool_status status; /* its heartbeat, as the pools report it */
    bool seen;          /* its own state reached this client: the fields below are its */
    bool degraded;      /* it reports itself cut off from the deployment store */
    /* from the orbit table */
    uint32_t callpark_ranges;
    uint32_t callpark_orbits;
    uint32_t free_orbits;
    /* its load, from its own state */
    uint32_t parked, parked_peak;
    uint32_t queued, queued_peak;
    uint32_t users_homed, pickup_groups;
    /* the backups a pool does not keep itself */
    bool vault; /* this client has a backup vault */
    bool moh_known, moh_default, moh_in_vault;
    char moh_name[ORBIT_MOH_NAME_MAX + 1];
    char moh_sha256[ORBIT_SHA256_HEX + 1];
    bool settings_known, settings_in_vault;
    /* its users' pickup ranges */
    dr_phase phase;
    char serving[ORBIT_FQDN_MAX + 1];
    bool pickup_redirected;
} client_ready_pool;

/* What one check found wrong with one pool. */
typedef struct {
    client_ready_check check;
    client_ready_verdict verdict;
    char pool[ORBIT_FQDN_MAX + 1];
    char what[CLIENT_READY_TEXT_MAX];
    char fix[CLIENT_READY_TEXT_MAX];
} client_ready_problem;

#define CLIENT_READY_PROBLEMS_MAX (2 * CLIENT_READY_CHECK_COUNT)

typedef struct {
    char left[ORBIT_FQDN_MAX + 1];
    char right[ORBIT_FQDN_MAX + 1]; /* "" for an unpaired pool */
    client_ready_verdict verdict[CLIENT_READY_CHECK_COUNT];
    client_ready_problem problems[CLIENT_READY_PROBLEMS_MAX];
    size_t nproblems;
    bool ready; /* every check passed for both pools */
} client_ready_pair;

/* "callpark_up"; a sentence naming what it checks. Borrowed, static. */
const char *client_ready_check_name(client_ready_check c);
const char *client_ready_check_title(client_ready_check c);
const char *client_ready_verdict_name(client_ready_verdict v);

/* One check for pool p with its partner (NULL when unpaired): OK, or the
 * problem (filled when not OK). */
client_ready_verdict client_readiness_check(client_ready_check c, const client_ready_pool *p,
                                            const client_ready_pool *partner,
                                            client_ready_problem *problem);

/* Every check for both pools of a pair (right NULL: an unpaired pool, not
 * ready: it has no backup). */
void client_readiness_pair(const client_ready_pool *left, const client_ready_pool *right,
                           client_ready_pair *out);

/* The facts of every pool the hub's freshest mirror lists, from the
 * shared table, each pool's own mirror and the vault (may be NULL).
 * Returns how many pools (may exceed max). */
size_t client_readiness_gather(client_hub *hub, client_vault *vault, client_ready_pool *out,
                               size_t max);

/* Every pair of the deployment, in registry order (each pair once).
 * Returns how many (may exceed max). */
size_t client_readiness_evaluate(client_hub *hub, client_vault *vault, client_ready_pair *out,
                                 size_t max);

/* The pairs as JSON (new reference): {ready, pairs: [{pools, ready,
 * checks: [{check, title, verdict, problems: [{pool, what, fix}]}]}]}. */
json_t *client_readiness_json(const client_ready_pair *pairs, size_t n);

#endif
