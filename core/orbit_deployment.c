/* orbit_deployment: registry of pools, users, groups and DR states. */
#include "orbit_deployment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    orbit_number number;
    uint32_t members;
} group_row;

struct orbit_deployment {
    pool_info *pools; /* sorted by fqdn */
    dr_state *dr;     /* dr[i] belongs to pools[i] */
    uint32_t *homed;  /* users homed on pools[i] */
    uint32_t *served; /* users served by pools[i] */
    size_t npools;
    orbit_table *table;
    orbit_user *users; /* sorted by uri */
    size_t nusers;
    group_row *groups; /* sorted by number */
    size_t ngroups;
};

orbit_deployment *orbit_deployment_new(void)
{
    orbit_deployment *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->table = orbit_table_new();
    if (!d->table) {
        free(d);
        return NULL;
    }
    return d;
}

void orbit_deployment_free(orbit_deployment *d)
{
    if (!d)
        return;
    free(d->pools);
    free(d->dr);
    free(d->homed);
    free(d->served);
    orbit_table_free(d->table);
    free(d->users);
    free(d->groups);
    free(d);
}

static int cmp_fqdn_to_pool(const void *key, const void *elem)
{
    return strcmp(key, ((const pool_info *)elem)->fqdn);
}

/* Pools stay sorted by fqdn, so a lookup is a binary search. */
static ptrdiff_t pool_index(const orbit_deployment *d, const char *fqdn)
{
    if (!fqdn || !d->npools)
        return -1;
    const pool_info *p = bsearch(fqdn, d->pools, d->npools, sizeof *d->pools, cmp_fqdn_to_pool);
    return p ? p - d->pools : -1;
}

static int cmp_pool(const void *a, const void *b)
{
    return strcmp(((const pool_info *)a)->fqdn, ((const pool_info *)b)->fqdn);
}

orbit_err orbit_deployment_set_pools(orbit_deployment *d, const pool_info *pools, size_t n,
                                     orbit_status *st)
{
    size_t cap = n ? n : 1;
    pool_info *np = malloc(cap * sizeof *np);
    dr_state *nd = calloc(cap, sizeof *nd);
    uint32_t *homed = calloc(cap, sizeof *homed);
    uint32_t *served = calloc(cap, sizeof *served);
    if (!np || !nd || !homed || !served) {
        free(np);
        free(nd);
        free(homed);
        free(served);
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    }
    if (n)
        memcpy(np, pools, n * sizeof *np);
    qsort(np, n, sizeof *np, cmp_pool);
    orbit_err e = ORBIT_OK;
    for (size_t i = 0; i < n && e == ORBIT_OK; i++) {
        const char *why = orbit_fqdn_check(np[i].fqdn);
        if (why)
            e = orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "fqdn", "%s: %s", np[i].fqdn, why);
        else if ((why = orbit_site_check(np[i].site)))
            e = orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "site", "%s: %s", np[i].fqdn, why);
        else if (i > 0 && strcmp(np[i - 1].fqdn, np[i].fqdn) == 0)
            e = orbit_status_set(st, ORBIT_ERR_CONFLICT, "fqdn", "pool %s is listed twice",
                                 np[i].fqdn);
    }
    for (size_t i = 0; i < n && e == ORBIT_OK; i++) {
        if (!np[i].backup[0])
            continue;
        pool_info key;
        snprintf(key.fqdn, sizeof key.fqdn, "%s", np[i].backup);
        const pool_info *b = bsearch(&key, np, n, sizeof *np, cmp_pool);
        if (!b)
            e = orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "backup",
                                 "pool %s names an unknown backup %s", np[i].fqdn, np[i].backup);
        else if (b == &np[i])
            e = orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "backup",
                                 "pool %s cannot back itself up", np[i].fqdn);
        else if (strcmp(b->backup, np[i].fqdn) != 0)
            e = orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "backup",
                                 "pairs are symmetric: %s backs up %s but %s backs up '%s'",
                                 b->fqdn, b->backup[0] ? b->backup : "nothing", np[i].fqdn,
                                 np[i].backup);
    }
    if (e != ORBIT_OK) {
        free(np);
        free(nd);
        free(homed);
        free(served);
        return e;
    }
    for (size_t i = 0; i < n; i++) {
        ptrdiff_t old = pool_index(d, np[i].fqdn);
        if (old >= 0) {
            nd[i] = d->dr[old];
        } else {
            snprintf(nd[i].home, sizeof nd[i].home, "%s", np[i].fqdn);
            nd[i].phase = DR_PHASE_NORMAL;
        }
    }
    free(d->pools);
    free(d->dr);
    free(d->homed);
    free(d->served);
    d->pools = np;
    d->dr = nd;
    d->homed = homed;
    d->served = served;
    d->npools = n;
    orbit_deployment_refresh(d);
    return ORBIT_OK;
}

size_t orbit_deployment_pool_count(const orbit_deployment *d)
{
    return d->npools;
}

const pool_info *orbit_deployment_pool_at(const orbit_deployment *d, size_t i)
{
    return i < d->npools ? &d->pools[i] : NULL;
}

const pool_info *orbit_deployment_pool(const orbit_deployment *d, const char *fqdn)
{
    ptrdiff_t i = pool_index(d, fqdn);
    return i < 0 ? NULL : &d->pools[i];
}

bool orbit_deployment_set_pool_status(orbit_deployment *d, const char *fqdn, pool_status status,
                                      int64_t last_seen_ms)
{
    ptrdiff_t i = pool_index(d, fqdn);
    if (i < 0)
        return false;
    d->pools[i].status = status;
    d->pools[i].last_seen_ms = last_seen_ms;
    return true;
}

orbit_table *orbit_deployment_table(orbit_deployment *d)
{
    return d->table;
}

const orbit_table *orbit_deployment_table_const(const orbit_deployment *d)
{
    return d->table;
}

static int cmp_user(const void *a, const void *b)
{
    return strcmp(((const orbit_user *)a)->uri, ((const orbit_user *)b)->uri);
}

static int cmp_group(const void *a, const void *b)
{
    return orbit_number_compare(&((const group_row *)a)->number, &((const group_row *)b)->number);
}

orbit_err orbit_deployment_set_users(orbit_deployment *d, const orbit_user *users, size_t n,
                                     orbit_status *st)
{
    size_t cap = n ? n : 1;
    orbit_user *nu = malloc(cap * sizeof *nu);
    group_row *groups = malloc(cap * sizeof *groups);
    if (!nu || !groups) {
        free(nu);
        free(groups);
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    }
    if (n)
        memcpy(nu, users, n * sizeof *nu);
    qsort(nu, n, sizeof *nu, cmp_user);
    orbit_err e = ORBIT_OK;
    size_t ng = 0;
    for (size_t i = 0; i < n && e == ORBIT_OK; i++) {
        const char *why = orbit_sip_uri_check(nu[i].uri);
        if (why) {
            e = orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "uri", "%s: %s", nu[i].uri, why);
        } else if (i > 0 && strcmp(nu[i - 1].uri, nu[i].uri) == 0) {
            e = orbit_status_set(st, ORBIT_ERR_CONFLICT, "uri", "user %s is listed twice",
                                 nu[i].uri);
        } else if (pool_index(d, nu[i].home) < 0) {
            e = orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "home",
                                 "user %s is homed on unknown pool %s", nu[i].uri, nu[i].home);
        } else if (nu[i].has_group) {
            const orbit_range *r = orbit_table_owner_of(d->table, &nu[i].pickup_group);
            char num[ORBIT_NUMBER_BUF];
            if (!r || r->type != ORBIT_TYPE_GROUPPICKUP)
                e = orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "pickup_group",
                                     "user %s: group %s is not in a GroupPickup range", nu[i].uri,
                                     orbit_number_format(&nu[i].pickup_group, num, sizeof num));
            else
                groups[ng++] = (group_row){nu[i].pickup_group, 1};
        }
        nu[i].serving[0] = '\0';
    }
    if (e != ORBIT_OK) {
        free(nu);
        free(groups);
        return e;
    }
    /* Collapse the group list into (number, members). */
    qsort(groups, ng, sizeof *groups, cmp_group);
    size_t out = 0;
    for (size_t i = 0; i < ng; i++) {
        if (out > 0 && orbit_number_compare(&groups[out - 1].number, &groups[i].number) == 0)
            groups[out - 1].members++;
        else
            groups[out++] = groups[i];
    }
    free(d->users);
    free(d->groups);
    d->users = nu;
    d->nusers = n;
    d->groups = groups;
    d->ngroups = out;
    orbit_deployment_refresh(d);
    return ORBIT_OK;
}

size_t orbit_deployment_user_count(const orbit_deployment *d)
{
    return d->nusers;
}

const orbit_user *orbit_deployment_user_at(const orbit_deployment *d, size_t i)
{
    return i < d->nusers ? &d->users[i] : NULL;
}

const orbit_user *orbit_deployment_user(const orbit_deployment *d, const char *uri)
{
    if (!uri || d->nusers == 0)
        return NULL;
    orbit_user key;
    snprintf(key.uri, sizeof key.uri, "%s", uri);
    return bsearch(&key, d->users, d->nusers, sizeof *d->users, cmp_user);
}

uint32_t orbit_deployment_group_members(const orbit_deployment *d, const orbit_number *group)
{
    if (d->ngroups == 0)
        return 0;
    group_row key = {*group, 0};
    const group_row *g = bsearch(&key, d->groups, d->ngroups, sizeof *d->groups, cmp_group);
    return g ? g->members : 0;
}

uint32_t orbit_deployment_groups_in_range(const orbit_deployment *d, const orbit_range *r)
{
    /* Groups are sorted by number: find the first >= start, count to end. */
    size_t lo = 0, hi = d->ngroups;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (orbit_number_compare(&d->groups[mid].number, &r->start) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    uint32_t count = 0;
    for (size_t i = lo; i < d->ngroups && orbit_range_contains(r, &d->groups[i].number); i++)
        count++;
    return count;
}

uint32_t orbit_deployment_users_homed(const orbit_deployment *d, const char *fqdn)
{
    ptrdiff_t i = pool_index(d, fqdn);
    return i < 0 ? 0 : d->homed[i];
}

uint32_t orbit_deployment_users_served(const orbit_deployment *d, const char *fqdn)
{
    ptrdiff_t i = pool_index(d, fqdn);
    return i < 0 ? 0 : d->served[i];
}

const dr_state *orbit_deployment_dr(const orbit_deployment *d, const char *home)
{
    ptrdiff_t i = pool_index(d, home);
    return i < 0 ? NULL : &d->dr[i];
}

bool orbit_deployment_set_dr(orbit_deployment *d, const dr_state *s)
{
    ptrdiff_t i = pool_index(d, s->home);
    if (i < 0)
        return false;
    dr_state *t = &d->dr[i];
    t->phase = s->phase;
    t->since_ms = s->since_ms;
    t->ends_ms = s->ends_ms;
    t->disaster_mode = s->disaster_mode;
    orbit_deployment_refresh(d);
    return true;
}

const char *orbit_deployment_serving(const orbit_deployment *d, const char *home)
{
    ptrdiff_t i = pool_index(d, home);
    return i < 0 ? "" : d->dr[i].serving;
}

void orbit_deployment_refresh(orbit_deployment *d)
{
    for (size_t i = 0; i < d->npools; i++) {
        dr_state *s = &d->dr[i];
        snprintf(s->home, sizeof s->home, "%s", d->pools[i].fqdn);
        const char *serving = d->pools[i].fqdn;
        if (dr_phase_served_by_backup(s->phase) && d->pools[i].backup[0])
            serving = d->pools[i].backup;
        snprintf(s->serving, sizeof s->serving, "%s", serving);
        s->pickup_ranges_redirected = true;
        d->homed[i] = 0;
        d->served[i] = 0;
    }
    for (size_t u = 0; u < d->nusers; u++) {
        orbit_user *user = &d->users[u];
        ptrdiff_t h = pool_index(d, user->home);
        if (h < 0) {
            user->serving[0] = '\0';
            continue;
        }
        dr_state *s = &d->dr[h];
        snprintf(user->serving, sizeof user->serving, "%s", s->serving);
        d->homed[h]++;
        ptrdiff_t sv = pool_index(d, s->serving);
        if (sv >= 0)
            d->served[sv]++;
        if (user->has_group && s->pickup_ranges_redirected) {
            const orbit_range *r = orbit_table_owner_of(d->table, &user->pickup_group);
            if (!r || r->type != ORBIT_TYPE_GROUPPICKUP || strcmp(r->pool, s->serving) != 0)
                s->pickup_ranges_redirected = false;
        }
    }
}
