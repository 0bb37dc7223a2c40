/* orbit_deployment: the deployment as one pool or one client sees it:
 * pools and their pairing, the orbit table, users and pickup groups, and
 * the DR state of every home pool, with the facts derived from them (who
 * serves a user, whether a home pool's GroupPickup ranges are redirected
 * to the pool serving its users). Lookups are O(log n). */
#ifndef ORBIT_DEPLOYMENT_H
#define ORBIT_DEPLOYMENT_H

#include "orbit_error.h"
#include "orbit_model.h"
#include "orbit_table.h"

#include <stddef.h>
#include <stdint.h>

typedef struct orbit_deployment orbit_deployment;

orbit_deployment *orbit_deployment_new(void);
void orbit_deployment_free(orbit_deployment *d);

/* ---- pools ---- */

/* Replaces the registry after checking it: valid and unique FQDNs, sites,
 * and pairing that is 1:1 and symmetric (each backup names its partner).
 * DR states of pools that disappear are dropped; new pools start normal. */
orbit_err orbit_deployment_set_pools(orbit_deployment *d, const pool_info *pools, size_t n,
                                     orbit_status *st);
size_t orbit_deployment_pool_count(const orbit_deployment *d);
const pool_info *orbit_deployment_pool_at(const orbit_deployment *d, size_t i);
const pool_info *orbit_deployment_pool(const orbit_deployment *d, const char *fqdn);
/* Updates liveness fields of a known pool; false when unknown. */
bool orbit_deployment_set_pool_status(orbit_deployment *d, const char *fqdn, pool_status status,
                                      int64_t last_seen_ms);

/* ---- orbit table ---- */

orbit_table *orbit_deployment_table(orbit_deployment *d);
const orbit_table *orbit_deployment_table_const(const orbit_deployment *d);

/* ---- users and groups ---- */

/* Replaces the users after checking them: valid unique URIs, a known home
 * pool, and a pickup group (when set) inside a GroupPickup range. */
orbit_err orbit_deployment_set_users(orbit_deployment *d, const orbit_user *users, size_t n,
                                     orbit_status *st);
size_t orbit_deployment_user_count(const orbit_deployment *d);
/* The i-th user in URI order, with `serving` filled in. */
const orbit_user *orbit_deployment_user_at(const orbit_deployment *d, size_t i);
const orbit_user *orbit_deployment_user(const orbit_deployment *d, const char *uri);
/* Members of a pickup group (0 when none). */
uint32_t orbit_deployment_group_members(const orbit_deployment *d, const orbit_number *group);
/* Numbers of r that are pickup groups with members (GroupPickup in_use). */
uint32_t orbit_deployment_groups_in_range(const orbit_deployment *d, const orbit_range *r);
/* Users homed on / served by a pool. */
uint32_t orbit_deployment_users_homed(const orbit_deployment *d, const char *fqdn);
uint32_t orbit_deployment_users_served(const orbit_deployment *d, const char *fqdn);
/* Distinct pickup groups of the users homed on a pool. */
uint32_t orbit_deployment_home_group_count(const orbit_deployment *d, const char *fqdn);

/* ---- DR ---- */

/* The DR state of a home pool (every known pool has one); NULL if unknown. */
const dr_state *orbit_deployment_dr(const orbit_deployment *d, const char *home);
/* Sets phase, since, ends and disaster_mode of a home pool; serving and
 * pickup_ranges_redirected are derived, for this home only (O(its users)).
 * False when the pool is unknown. */
bool orbit_deployment_set_dr(orbit_deployment *d, const dr_state *s);

/* A range of the table was created (before NULL), deleted (after NULL) or
 * changed: derives again the redirect flag of the homes whose pickup
 * groups it holds, O(pools x log), instead of a whole refresh. */
void orbit_deployment_range_changed(orbit_deployment *d, const orbit_range *before,
                                    const orbit_range *after);
/* The GroupPickup ranges a redirect of home's pickup ranges moves: those
 * holding a pickup group of a user homed on `home` and not owned by the
 * pool serving those users; each once, in the order of home's groups.
 * Never a range that holds only other pools' groups. Borrowed pointers
 * into the table (valid until it changes); returns how many there are,
 * which may exceed max. */
size_t orbit_deployment_pickup_ranges_away(const orbit_deployment *d, const char *home,
                                           const orbit_range **out, size_t max);

/* The FQDN of the pool serving users homed on `home` ("" if unknown). */
const char *orbit_deployment_serving(const orbit_deployment *d, const char *home);

/* Recomputes derived facts (serving pools, redirect flags, served counts)
 * after the table, the users or a DR state changed. O(users log ranges). */
void orbit_deployment_refresh(orbit_deployment *d);

#endif
