/* orbit_deployment: registry of pools, users, groups and DR states. */
#include "orbit_deployment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    orbit_number number;
    uint32_t members;
} group_row;

/* Besides the rows, an index by home pool (users and the distinct pickup
 * groups of each home's users, as compressed rows: the items of pool i sit
 * at [first[i], first[i + 1])), so a DR change or a range change touches
 * only the users and groups it concerns, not the whole deployment. */
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
    uint32_t *home_users;      /* user indexes, grouped by home */
    size_t *home_users_first;  /* npools + 1 offsets */
    orbit_number *home_groups; /* distinct groups of each home's users, sorted */
    size_t *home_groups_first; /* npools + 1 offsets */
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
    free(d->home_users);
    free(d->home_users_first);
    free(d->home_groups);
    free(d->home_groups_first);
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

static int cmp_number(const void *a, const void *b)
{
    return orbit_number_compare(a, b);
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

uint32_t orbit_deployment_home_group_count(const orbit_deployment *d, const char *fqdn)
{
    ptrdiff_t i = pool_index(d, fqdn);
    if (i < 0 || !d->home_groups_first)
        return 0;
    return (uint32_t)(d->home_groups_first[i + 1] - d->home_groups_first[i]);
}

const dr_state *orbit_deployment_dr(const orbit_deployment *d, const char *home)
{
    ptrdiff_t i = pool_index(d, home);
    return i < 0 ? NULL : &d->dr[i];
}

/* Is every group of home h's users in a GroupPickup range owned by the
 * pool serving them? O(groups of h x log ranges). */
static bool redirected(const orbit_deployment *d, size_t h)
{
    const char *serving = d->dr[h].serving;
    for (size_t g = d->home_groups_first[h]; g < d->home_groups_first[h + 1]; g++) {
        const orbit_range *r = orbit_table_owner_of(d->table, &d->home_groups[g]);
        if (!r || r->type != ORBIT_TYPE_GROUPPICKUP || strcmp(r->pool, serving) != 0)
            return false;
    }
    return true;
}

static void count_served(orbit_deployment *d)
{
    for (size_t i = 0; i < d->npools; i++)
        d->served[i] = 0;
    for (size_t i = 0; i < d->npools; i++) {
        ptrdiff_t sv = pool_index(d, d->dr[i].serving);
        if (sv >= 0)
            d->served[sv] += d->homed[i];
    }
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
    if (!d->home_users_first) {
        orbit_deployment_refresh(d);
        return true;
    }
    const char *serving = d->pools[i].fqdn;
    if (dr_phase_served_by_backup(t->phase) && d->pools[i].backup[0])
        serving = d->pools[i].backup;
    if (strcmp(serving, t->serving) != 0) {
        snprintf(t->serving, sizeof t->serving, "%s", serving);
        for (size_t k = d->home_users_first[i]; k < d->home_users_first[i + 1]; k++)
            snprintf(d->users[d->home_users[k]].serving, sizeof d->users[0].serving, "%s", serving);
        count_served(d);
    }
    t->pickup_ranges_redirected = redirected(d, (size_t)i);
    return true;
}

/* Do any of home h's groups lie in r? A binary search in its groups. */
static bool home_has_group_in(const orbit_deployment *d, size_t h, const orbit_range *r)
{
    size_t lo = d->home_groups_first[h], hi = d->home_groups_first[h + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (orbit_number_compare(&d->home_groups[mid], &r->start) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < d->home_groups_first[h + 1] && orbit_range_contains(r, &d->home_groups[lo]);
}

void orbit_deployment_range_changed(orbit_deployment *d, const orbit_range *before,
                                    const orbit_range *after)
{
    if (!d->home_groups_first) {
        orbit_deployment_refresh(d);
        return;
    }
    for (size_t h = 0; h < d->npools; h++) {
        if ((before && home_has_group_in(d, h, before)) ||
            (after && home_has_group_in(d, h, after)))
            d->dr[h].pickup_ranges_redirected = redirected(d, h);
    }
}

/* Adds r to a list of distinct ranges; returns the list's new length. */
static size_t add_distinct(const orbit_range *r, const orbit_range **out, size_t n, size_t max,
                           size_t *total)
{
    for (size_t k = 0; k < n && k < max; k++) {
        if (out[k] == r)
            return n;
    }
    (*total)++;
    if (n < max)
        out[n++] = r;
    return n;
}

size_t orbit_deployment_pickup_ranges_away(const orbit_deployment *d, const char *home,
                                           const orbit_range **out, size_t max)
{
    ptrdiff_t h = pool_index(d, home);
    if (h < 0)
        return 0;
    const char *serving = d->dr[h].serving;
    size_t n = 0, total = 0;
    const orbit_range *last = NULL;
    if (d->home_groups_first) {
        for (size_t g = d->home_groups_first[h]; g < d->home_groups_first[h + 1]; g++) {
            const orbit_range *r = orbit_table_owner_of(d->table, &d->home_groups[g]);
            /* Groups are sorted: a range's groups come one after another. */
            if (!r || r == last || r->type != ORBIT_TYPE_GROUPPICKUP ||
                strcmp(r->pool, serving) == 0)
                continue;
            last = r;
            n = add_distinct(r, out, n, max, &total);
        }
        return total;
    }
    for (size_t u = 0; u < d->nusers; u++) { /* without the index (out of memory) */
        const orbit_user *user = &d->users[u];
        if (!user->has_group || strcmp(user->home, home) != 0)
            continue;
        const orbit_range *r = orbit_table_owner_of(d->table, &user->pickup_group);
        if (r && r->type == ORBIT_TYPE_GROUPPICKUP && strcmp(r->pool, serving) != 0)
            n = add_distinct(r, out, n, max, &total);
    }
    return total;
}

const char *orbit_deployment_serving(const orbit_deployment *d, const char *home)
{
    ptrdiff_t i = pool_index(d, home);
    return i < 0 ? "" : d->dr[i].serving;
}

static int cmp_home_user(const void *a, const void *b, void *ctx)
{
    const orbit_deployment *d = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    int c = strcmp(d->users[x].home, d->users[y].home);
    return c ? c : (x > y) - (x < y);
}

/* Builds the index by home. False on OOM (the old index is dropped, and
 * the incremental updates fall back to full refreshes). */
static bool build_home_index(orbit_deployment *d)
{
    free(d->home_users);
    free(d->home_users_first);
    free(d->home_groups);
    free(d->home_groups_first);
    d->home_users = NULL;
    d->home_users_first = NULL;
    d->home_groups = NULL;
    d->home_groups_first = NULL;
    size_t nu = d->nusers ? d->nusers : 1;
    uint32_t *users = malloc(nu * sizeof *users);
    size_t *ufirst = calloc(d->npools + 1, sizeof *ufirst);
    orbit_number *groups = malloc(nu * sizeof *groups);
    size_t *gfirst = calloc(d->npools + 1, sizeof *gfirst);
    if (!users || !ufirst || !groups || !gfirst) {
        free(users);
        free(ufirst);
        free(groups);
        free(gfirst);
        return false;
    }
    for (size_t u = 0; u < d->nusers; u++)
        users[u] = (uint32_t)u;
    qsort_r(users, d->nusers, sizeof *users, cmp_home_user, d);
    size_t g = 0, k = 0;
    for (size_t h = 0; h < d->npools; h++) {
        ufirst[h] = k;
        gfirst[h] = g;
        size_t from = g;
        for (; k < d->nusers && strcmp(d->users[users[k]].home, d->pools[h].fqdn) == 0; k++) {
            if (d->users[users[k]].has_group)
                groups[g++] = d->users[users[k]].pickup_group;
        }
        qsort(groups + from, g - from, sizeof *groups, cmp_number);
        size_t out = from;
        for (size_t i = from; i < g; i++) {
            if (out == from || orbit_number_compare(&groups[out - 1], &groups[i]) != 0)
                groups[out++] = groups[i];
        }
        g = out;
    }
    ufirst[d->npools] = k;
    gfirst[d->npools] = g;
    d->home_users = users;
    d->home_users_first = ufirst;
    d->home_groups = groups;
    d->home_groups_first = gfirst;
    return true;
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
    build_home_index(d);
}
