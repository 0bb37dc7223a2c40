/* topology: validation of a whole deployment description. */
#include "topology.h"

#include "orbit_deployment.h"
#include "orbit_file.h"
#include "orbit_json.h"

#include <errno.h>
#include <stdlib.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define TOPOLOGY_MAX_BYTES (256u * 1024u * 1024u)

static const char *const TOP_KEYS[] = {"sites", "pools",  "pairs", "ranges",
                                       "users", "groups", NULL};
static const char *const POOL_KEYS[] = {"fqdn", "site", "url", "sip", NULL};
static const char *const USER_KEYS[] = {"uri", "home", "sip_ha1_md5", "sip_ha1_sha256", NULL};
static const char *const GROUP_KEYS[] = {"number", "members", NULL};

/* Prefixes st's message with the entry it concerns. */
static orbit_err at(orbit_status *st, const char *what, size_t i)
{
    char msg[ORBIT_STATUS_MESSAGE_MAX];
    memcpy(msg, st->message, sizeof msg);
    char prefix[48];
    int n = snprintf(prefix, sizeof prefix, "%s[%zu]: ", what, i);
    size_t room = sizeof st->message - 1;
    size_t plen = n > 0 ? (size_t)n : 0;
    if (plen > room)
        plen = room;
    memcpy(st->message, prefix, plen);
    size_t mlen = strnlen(msg, sizeof msg);
    if (mlen > room - plen)
        mlen = room - plen;
    memcpy(st->message + plen, msg, mlen);
    st->message[plen + mlen] = '\0';
    return st->code;
}

static orbit_err need_array(const json_t *doc, const char *key, bool required, json_t **out,
                            orbit_status *st)
{
    *out = json_object_get(doc, key);
    if (!*out) {
        if (required)
            return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, key, "%s is required", key);
        return ORBIT_OK;
    }
    if (!json_is_array(*out))
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, key, "%s must be an array", key);
    return ORBIT_OK;
}

static orbit_err parse_sites(const json_t *sites, char (**names)[ORBIT_SITE_MAX + 1], size_t *n,
                             orbit_status *st)
{
    *n = json_array_size(sites);
    *names = calloc(*n ? *n : 1, sizeof **names);
    if (!*names)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    for (size_t i = 0; i < *n; i++) {
        json_t *s = json_array_get(sites, i);
        const char *name = json_is_string(s) ? json_string_value(s) : NULL;
        if (json_is_object(s))
            name = json_string_value(json_object_get(s, "name"));
        const char *why = orbit_site_check(name);
        if (why) {
            orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "sites", "%s", why);
            return at(st, "sites", i);
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp((*names)[j], name) == 0) {
                orbit_status_set(st, ORBIT_ERR_CONFLICT, "sites", "site %s is listed twice", name);
                return at(st, "sites", i);
            }
        }
        snprintf((*names)[i], sizeof(*names)[i], "%s", name);
    }
    return ORBIT_OK;
}

static orbit_err parse_pools(const json_t *pools, char (*sites)[ORBIT_SITE_MAX + 1], size_t nsites,
                             store_image *img, orbit_status *st)
{
    img->npools = json_array_size(pools);
    img->pools = calloc(img->npools ? img->npools : 1, sizeof *img->pools);
    if (!img->pools)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    for (size_t i = 0; i < img->npools; i++) {
        json_t *p = json_array_get(pools, i);
        pool_info *pi = &img->pools[i];
        if (orbit_json_need_object(p, "pool", st) || orbit_json_only_keys(p, POOL_KEYS, st) ||
            orbit_json_get_string(p, "fqdn", true, pi->fqdn, sizeof pi->fqdn, st) < 0 ||
            orbit_json_get_string(p, "site", true, pi->site, sizeof pi->site, st) < 0 ||
            orbit_json_get_string(p, "url", true, pi->url, sizeof pi->url, st) < 0 ||
            orbit_json_get_string(p, "sip", false, pi->sip, sizeof pi->sip, st) < 0)
            return at(st, "pools", i);
        const char *why = orbit_fqdn_check(pi->fqdn);
        if (why) {
            orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "fqdn", "%s", why);
            return at(st, "pools", i);
        }
        orbit_fqdn_lower(pi->fqdn);
        bool known = false;
        for (size_t s = 0; s < nsites; s++)
            known = known || strcmp(sites[s], pi->site) == 0;
        if (!known) {
            orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "site", "unknown site %s", pi->site);
            return at(st, "pools", i);
        }
        if (strncmp(pi->url, "ws://", 5) != 0 && strncmp(pi->url, "wss://", 6) != 0) {
            orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "url",
                             "url is the pool's ws:// or wss:// stream URL");
            return at(st, "pools", i);
        }
        why = pi->sip[0] ? orbit_sip_uri_check(pi->sip) : NULL;
        if (why) {
            orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "sip", "sip is the pool's SIP URI: %s",
                             why);
            return at(st, "pools", i);
        }
    }
    return ORBIT_OK;
}

static pool_info *find_pool(store_image *img, const char *fqdn)
{
    for (size_t i = 0; i < img->npools; i++) {
        if (strcmp(img->pools[i].fqdn, fqdn) == 0)
            return &img->pools[i];
    }
    return NULL;
}

static orbit_err parse_pairs(const json_t *pairs, store_image *img, orbit_status *st)
{
    for (size_t i = 0; i < json_array_size(pairs); i++) {
        json_t *pair = json_array_get(pairs, i);
        if (!json_is_array(pair) || json_array_size(pair) != 2 ||
            !json_is_string(json_array_get(pair, 0)) || !json_is_string(json_array_get(pair, 1))) {
            orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "pairs", "a pair is two pool FQDNs");
            return at(st, "pairs", i);
        }
        char a[ORBIT_FQDN_MAX + 1], b[ORBIT_FQDN_MAX + 1];
        snprintf(a, sizeof a, "%s", json_string_value(json_array_get(pair, 0)));
        snprintf(b, sizeof b, "%s", json_string_value(json_array_get(pair, 1)));
        orbit_fqdn_lower(a);
        orbit_fqdn_lower(b);
        pool_info *pa = find_pool(img, a), *pb = find_pool(img, b);
        if (!pa || !pb) {
            orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "pairs", "unknown pool %s", pa ? b : a);
            return at(st, "pairs", i);
        }
        if (pa == pb) {
            orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "pairs", "a pool cannot pair with itself");
            return at(st, "pairs", i);
        }
        if (pa->backup[0] || pb->backup[0]) {
            orbit_status_set(st, ORBIT_ERR_CONFLICT, "pairs", "pool %s is already paired",
                             pa->backup[0] ? a : b);
            return at(st, "pairs", i);
        }
        snprintf(pa->backup, sizeof pa->backup, "%s", b);
        snprintf(pb->backup, sizeof pb->backup, "%s", a);
    }
    return ORBIT_OK;
}

static orbit_err parse_ranges(const json_t *ranges, store_image *img, orbit_status *st)
{
    img->nranges = json_array_size(ranges);
    img->ranges = calloc(img->nranges ? img->nranges : 1, sizeof *img->ranges);
    if (!img->ranges)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    for (size_t i = 0; i < img->nranges; i++) {
        if (orbit_json_to_range(json_array_get(ranges, i), ORBIT_JSON_STRICT, &img->ranges[i], NULL,
                                st) != ORBIT_OK)
            return at(st, "ranges", i);
        if (!find_pool(img, img->ranges[i].pool)) {
            orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "pool", "unknown pool %s",
                             img->ranges[i].pool);
            return at(st, "ranges", i);
        }
    }
    return ORBIT_OK;
}

static int cmp_user_uri(const void *a, const void *b)
{
    return strcmp(((const orbit_user *)a)->uri, ((const orbit_user *)b)->uri);
}

/* Users are sorted by URI once parsed, so members resolve in O(log n). */
static orbit_user *find_user(store_image *img, const char *uri)
{
    orbit_user key;
    if (snprintf(key.uri, sizeof key.uri, "%s", uri) >= (int)sizeof key.uri || !img->nusers)
        return NULL;
    return bsearch(&key, img->users, img->nusers, sizeof *img->users, cmp_user_uri);
}

/* An optional HA1: exactly `digits` hex digits, kept in lower case. */
static orbit_err parse_ha1(const json_t *u, const char *key, size_t digits, char *out, size_t cap,
                           orbit_status *st)
{
    int got = orbit_json_get_string(u, key, false, out, cap, st);
    if (got < 0)
        return st->code;
    if (got == 0)
        return ORBIT_OK;
    size_t n = strlen(out);
    for (size_t i = 0; i < n; i++) {
        if (!isxdigit((unsigned char)out[i]))
            n = 0;
        out[i] = (char)tolower((unsigned char)out[i]);
    }
    if (n != digits)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, key,
                                "%s is not an HA1 of %zu hex digits", key, digits);
    return ORBIT_OK;
}

static orbit_err parse_users(const json_t *users, store_image *img, orbit_status *st)
{
    img->nusers = json_array_size(users);
    img->users = calloc(img->nusers ? img->nusers : 1, sizeof *img->users);
    if (!img->users)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    for (size_t i = 0; i < img->nusers; i++) {
        json_t *u = json_array_get(users, i);
        orbit_user *ou = &img->users[i];
        if (orbit_json_need_object(u, "user", st) || orbit_json_only_keys(u, USER_KEYS, st) ||
            orbit_json_get_string(u, "uri", true, ou->uri, sizeof ou->uri, st) < 0 ||
            orbit_json_get_string(u, "home", true, ou->home, sizeof ou->home, st) < 0 ||
            parse_ha1(u, "sip_ha1_md5", 32, ou->sip_ha1_md5, sizeof ou->sip_ha1_md5, st) ||
            parse_ha1(u, "sip_ha1_sha256", 64, ou->sip_ha1_sha256, sizeof ou->sip_ha1_sha256, st))
            return at(st, "users", i);
        orbit_fqdn_lower(ou->home);
    }
    qsort(img->users, img->nusers, sizeof *img->users, cmp_user_uri);
    return ORBIT_OK;
}

static orbit_err parse_groups(const json_t *groups, store_image *img, orbit_status *st)
{
    for (size_t i = 0; i < json_array_size(groups); i++) {
        json_t *g = json_array_get(groups, i);
        orbit_number number;
        json_t *members;
        if (orbit_json_need_object(g, "group", st) || orbit_json_only_keys(g, GROUP_KEYS, st) ||
            orbit_json_get_number(g, "number", true, &number, st) < 0)
            return at(st, "groups", i);
        members = json_object_get(g, "members");
        if (!json_is_array(members)) {
            orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "members",
                             "members is an array of user URIs");
            return at(st, "groups", i);
        }
        for (size_t m = 0; m < json_array_size(members); m++) {
            const char *uri = json_string_value(json_array_get(members, m));
            orbit_user *u = uri ? find_user(img, uri) : NULL;
            if (!u) {
                orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "members", "unknown user %s",
                                 uri ? uri : "(not a string)");
                return at(st, "groups", i);
            }
            if (u->has_group) {
                char a[ORBIT_NUMBER_BUF];
                orbit_status_set(st, ORBIT_ERR_CONFLICT, "members",
                                 "user %s is already in group %s; a user is in one group at most",
                                 uri, orbit_number_format(&u->pickup_group, a, sizeof a));
                return at(st, "groups", i);
            }
            u->has_group = true;
            u->pickup_group = number;
        }
    }
    return ORBIT_OK;
}

orbit_err topology_parse(const json_t *doc, store_image *img, orbit_status *st)
{
    memset(img, 0, sizeof *img);
    if (orbit_json_need_object(doc, "topology", st) || orbit_json_only_keys(doc, TOP_KEYS, st))
        return st->code;
    json_t *sites, *pools, *pairs, *ranges, *users, *groups;
    orbit_err e = need_array(doc, "sites", true, &sites, st);
    if (!e)
        e = need_array(doc, "pools", true, &pools, st);
    if (!e)
        e = need_array(doc, "pairs", false, &pairs, st);
    if (!e)
        e = need_array(doc, "ranges", false, &ranges, st);
    if (!e)
        e = need_array(doc, "users", false, &users, st);
    if (!e)
        e = need_array(doc, "groups", false, &groups, st);
    if (e)
        return e;
    char(*site_names)[ORBIT_SITE_MAX + 1] = NULL;
    size_t nsites = 0;
    e = parse_sites(sites, &site_names, &nsites, st);
    if (!e)
        e = parse_pools(pools, site_names, nsites, img, st);
    free(site_names);
    if (!e && pairs)
        e = parse_pairs(pairs, img, st);
    if (!e && ranges)
        e = parse_ranges(ranges, img, st);
    if (!e && users)
        e = parse_users(users, img, st);
    if (!e && groups)
        e = parse_groups(groups, img, st);
    if (e) {
        store_image_free(img);
        return e;
    }
    /* The whole set must hold together: pools and pairs, ranges across
     * pools, users against pools and GroupPickup ranges. */
    orbit_deployment *d = orbit_deployment_new();
    if (!d) {
        store_image_free(img);
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    }
    e = orbit_deployment_set_pools(d, img->pools, img->npools, st);
    if (!e)
        e = orbit_table_load(orbit_deployment_table(d), img->ranges, img->nranges, st);
    if (!e)
        e = orbit_deployment_set_users(d, img->users, img->nusers, st);
    orbit_deployment_free(d);
    if (e)
        store_image_free(img);
    return e;
}

orbit_err topology_load_file(const char *path, store_image *img, orbit_status *st)
{
    char *text = NULL;
    size_t len = 0;
    int rc = orbit_file_read_all(path, TOPOLOGY_MAX_BYTES, &text, &len);
    if (rc)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "", "%s: %s", path, strerror(rc));
    json_error_t jerr;
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    free(text);
    if (!doc)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "", "%s:%d:%d: %s", path, jerr.line,
                                jerr.column, jerr.text);
    orbit_err e = topology_parse(doc, img, st);
    json_decref(doc);
    return e;
}
