/* server_config: parsing and checking orbitd.conf. */
#include "server_config.h"

#include "orbit_sha256.h"
#include "store.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void server_config_defaults(server_config *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->listen, sizeof c->listen, "127.0.0.1");
    c->port = 7081;
    c->heartbeat_ms = 1000;
    c->down_after_ms = 2000;
    c->clock_scale = 1.0;
    c->phase_seconds = 60.0;
    c->moh_max_bytes = 32u * 1024u * 1024u;
    c->replay_events = 4096;
    c->queue_max_bytes = 8u * 1024u * 1024u;
    c->queue_max_messages = 2048;
    c->log_level = ORBIT_LOG_INFO;
    c->audit_max_bytes = 8u * 1024u * 1024u;
    /* Operators act by hand; an endpoint connection may carry a whole
     * site's phones (a PBX adapter, the SIP edge). */
    c->cmd_rate[ORBIT_ROLE_VIEWER] = 50;
    c->cmd_rate[ORBIT_ROLE_OPERATOR] = 200;
    c->cmd_rate[ORBIT_ROLE_ENDPOINT] = 200000;
    snprintf(c->sip_digest_offer, sizeof c->sip_digest_offer, "sha256,md5");
    c->media_port_min = 40000;
    c->media_port_max = 40999;
    c->media_timeout_s = 60;
    c->sip_max_new_per_second = 50;
}

/* The orders of digest challenges the SIP edge can offer (its
 * sip_digest_offer_from_name reads the same names). */
static const char *const DIGEST_OFFERS[] = {"sha256,md5", "md5,sha256", "md5", "sha256"};

static bool parse_long(const char *v, long min, long max, long *out);

/* The SIP edge's keys; false when key is not one of them. */
static bool set_sip(server_config *c, const char *key, const char *value, bool *ok, char *err,
                    size_t errlen)
{
    long l, hi;
    *ok = true;
    if (strcmp(key, "sip_port") == 0) {
        if (!(*ok = parse_long(value, 0, 65535, &l)))
            snprintf(err, errlen, "sip_port is 0 (no SIP edge) to 65535");
        else
            c->sip_port = (int)l;
    } else if (strcmp(key, "sip_bind") == 0 || strcmp(key, "media_ip") == 0) {
        char *dst = key[0] == 's' ? c->sip_bind : c->media_ip;
        size_t n = strlen(value);
        if (!(*ok = n > 0 && n < sizeof c->sip_bind &&
                    strspn(value, "0123456789abcdefABCDEF.:") == n))
            snprintf(err, errlen, "%s is a numeric address such as 127.0.0.1", key);
        else
            memcpy(dst, value, n + 1);
    } else if (strcmp(key, "sip_auth") == 0) {
        if (!(*ok = strcmp(value, "none") == 0 || strcmp(value, "digest") == 0))
            snprintf(err, errlen, "sip_auth is none or digest");
        else
            c->sip_digest = strcmp(value, "digest") == 0;
    } else if (strcmp(key, "sip_digest_offer") == 0) {
        *ok = false;
        for (size_t i = 0; i < sizeof DIGEST_OFFERS / sizeof *DIGEST_OFFERS; i++)
            *ok = *ok || strcmp(value, DIGEST_OFFERS[i]) == 0;
        if (!*ok)
            snprintf(err, errlen, "sip_digest_offer is sha256,md5, md5,sha256, md5 or sha256");
        else
            snprintf(c->sip_digest_offer, sizeof c->sip_digest_offer, "%s", value);
    } else if (strcmp(key, "media_ports") == 0) {
        char lo[16], rest[16];
        const char *dash = strchr(value, '-');
        *ok = dash && dash - value < (long)sizeof lo && strlen(dash + 1) < sizeof rest;
        if (*ok) {
            snprintf(lo, sizeof lo, "%.*s", (int)(dash - value), value);
            snprintf(rest, sizeof rest, "%s", dash + 1);
            *ok = parse_long(lo, 1024, 65534, &l) && parse_long(rest, 1025, 65535, &hi) && hi > l;
        }
        if (!*ok) {
            snprintf(err, errlen, "media_ports is MIN-MAX, 1024 to 65535, at least two ports");
        } else {
            c->media_port_min = (int)l;
            c->media_port_max = (int)hi;
        }
    } else if (strcmp(key, "sip_max_new_per_second") == 0) {
        if (!(*ok = parse_long(value, 1, 1000000, &l)))
            snprintf(err, errlen, "sip_max_new_per_second is 1 to 1000000");
        else
            c->sip_max_new_per_second = (int)l;
    } else if (strcmp(key, "media_timeout") == 0) {
        if (!(*ok = parse_long(value, 0, 86400, &l)))
            snprintf(err, errlen, "media_timeout is 0 (never) to 86400 seconds");
        else
            c->media_timeout_s = (int)l;
    } else {
        return false;
    }
    return true;
}

void server_config_free(server_config *c)
{
    free(c->tokens);
    c->tokens = NULL;
    c->ntokens = 0;
}

static bool parse_long(const char *v, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end || x < min || x > max)
        return false;
    *out = x;
    return true;
}

static bool parse_double(const char *v, double min, double max, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (errno || end == v || *end || !(x >= min && x <= max))
        return false;
    *out = x;
    return true;
}

static bool copy_value(char *dst, size_t cap, const char *v)
{
    size_t n = strlen(v);
    if (n >= cap)
        return false;
    memcpy(dst, v, n + 1);
    return true;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* "NAME ROLE sha256:HEX" */
static bool add_token(server_config *c, const char *v, char *err, size_t errlen)
{
    char name[SERVER_TOKEN_NAME_MAX + 2], role[32], hash[128];
    if (sscanf(v, "%65s %31s %127s", name, role, hash) != 3) {
        snprintf(err, errlen, "token is: NAME ROLE sha256:HEX");
        return false;
    }
    if (strlen(name) > SERVER_TOKEN_NAME_MAX) {
        snprintf(err, errlen, "token name has at most %d characters", SERVER_TOKEN_NAME_MAX);
        return false;
    }
    /* The name is shown to operators (audit log, sessions): the same rule
     * as every other name they read. */
    const char *why = orbit_text_hazard_message(orbit_text_hazard_of(name));
    if (why) {
        snprintf(err, errlen, "token name: %s", why);
        return false;
    }
    server_token t;
    memset(&t, 0, sizeof t);
    snprintf(t.name, sizeof t.name, "%.*s", SERVER_TOKEN_NAME_MAX, name);
    if (!orbit_role_from_name(role, &t.role)) {
        snprintf(err, errlen, "token role is viewer, operator or endpoint, not '%s'", role);
        return false;
    }
    if (strncmp(hash, "sha256:", 7) != 0 || strlen(hash) != 7 + 64) {
        snprintf(err, errlen, "token hash is sha256: and 64 hex digits (orbitd hash-token)");
        return false;
    }
    for (int i = 0; i < 32; i++) {
        int hi = hex_digit(hash[7 + 2 * i]), lo = hex_digit(hash[8 + 2 * i]);
        if (hi < 0 || lo < 0) {
            snprintf(err, errlen, "token hash has a non-hex digit");
            return false;
        }
        t.sha256[i] = (unsigned char)(hi << 4 | lo);
    }
    for (size_t i = 0; i < c->ntokens; i++) {
        if (strcmp(c->tokens[i].name, t.name) == 0) {
            snprintf(err, errlen, "token name '%s' is used twice", t.name);
            return false;
        }
    }
    server_token *grown = realloc(c->tokens, (c->ntokens + 1) * sizeof *grown);
    if (!grown) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    c->tokens = grown;
    c->tokens[c->ntokens++] = t;
    return true;
}

bool server_config_set(server_config *c, const char *key, const char *value, char *err,
                       size_t errlen)
{
    long l;
    double d;
    if (strcmp(key, "fqdn") == 0) {
        const char *why = orbit_fqdn_check(value);
        if (why) {
            snprintf(err, errlen, "fqdn: %s", why);
            return false;
        }
        snprintf(c->fqdn, sizeof c->fqdn, "%s", value);
        orbit_fqdn_lower(c->fqdn);
        return true;
    }
    if (strcmp(key, "listen") == 0) {
        if (!copy_value(c->listen, sizeof c->listen, value) || !*value) {
            snprintf(err, errlen, "listen is an address such as 127.0.0.1");
            return false;
        }
        return true;
    }
    if (strcmp(key, "port") == 0) {
        if (!parse_long(value, 1, 65535, &l)) {
            snprintf(err, errlen, "port is 1 to 65535");
            return false;
        }
        c->port = (int)l;
        return true;
    }
    struct {
        const char *key;
        char *dst;
    } paths[] = {{"store", c->store},         {"data_dir", c->data_dir},
                 {"tls_cert", c->tls_cert},   {"tls_key", c->tls_key},
                 {"store_ca", c->store_ca},   {"store_cert", c->store_cert},
                 {"store_key", c->store_key}, {"store_password_file", c->store_password_file}};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        if (strcmp(key, paths[i].key) == 0) {
            if (!copy_value(paths[i].dst, SERVER_PATH_MAX, value)) {
                snprintf(err, errlen, "%s: path too long", key);
                return false;
            }
            return true;
        }
    }
    struct {
        const char *key;
        long min, max;
        int *dst;
    } ints[] = {{"heartbeat_ms", 100, 60000, &c->heartbeat_ms},
                {"down_after_ms", 500, 600000, &c->down_after_ms},
                {"replay_events", 16, 1000000, &c->replay_events},
                {"queue_max_messages", 16, 1000000, &c->queue_max_messages}};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        if (strcmp(key, ints[i].key) == 0) {
            if (!parse_long(value, ints[i].min, ints[i].max, &l)) {
                snprintf(err, errlen, "%s is %ld to %ld", key, ints[i].min, ints[i].max);
                return false;
            }
            *ints[i].dst = (int)l;
            return true;
        }
    }
    struct {
        const char *key;
        uint64_t *dst;
    } sizes[] = {{"moh_max_bytes", &c->moh_max_bytes},
                 {"queue_max_bytes", &c->queue_max_bytes},
                 {"audit_max_bytes", &c->audit_max_bytes}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        if (strcmp(key, sizes[i].key) == 0) {
            if (!parse_long(value, 1024, 1L << 32, &l)) {
                snprintf(err, errlen, "%s is 1024 to 4294967296", key);
                return false;
            }
            *sizes[i].dst = (uint64_t)l;
            return true;
        }
    }
    if (strcmp(key, "store_user") == 0) {
        if (!copy_value(c->store_user, sizeof c->store_user, value)) {
            snprintf(err, errlen, "store_user: too long");
            return false;
        }
        return true;
    }
    static const struct {
        const char *key;
        orbit_role role;
    } rates[] = {{"cmd_rate_viewer", ORBIT_ROLE_VIEWER},
                 {"cmd_rate_operator", ORBIT_ROLE_OPERATOR},
                 {"cmd_rate_endpoint", ORBIT_ROLE_ENDPOINT}};
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        if (strcmp(key, rates[i].key) == 0) {
            if (!parse_double(value, 1.0, 10000000.0, &d)) {
                snprintf(err, errlen, "%s is 1 to 10000000 commands a second", key);
                return false;
            }
            c->cmd_rate[rates[i].role] = d;
            return true;
        }
    }
    if (strcmp(key, "clock_scale") == 0) {
        if (!parse_double(value, 0.01, 10000.0, &d)) {
            snprintf(err, errlen, "clock_scale is 0.01 to 10000");
            return false;
        }
        c->clock_scale = d;
        return true;
    }
    if (strcmp(key, "phase_seconds") == 0) {
        if (!parse_double(value, 0.0, 86400.0, &d)) {
            snprintf(err, errlen, "phase_seconds is 0 to 86400");
            return false;
        }
        c->phase_seconds = d;
        return true;
    }
    if (strcmp(key, "log_level") == 0) {
        if (!orbit_log_level_from_name(value, &c->log_level)) {
            snprintf(err, errlen, "log_level is error, warn, info or debug");
            return false;
        }
        return true;
    }
    if (strcmp(key, "token") == 0)
        return add_token(c, value, err, errlen);
    bool ok;
    if (set_sip(c, key, value, &ok, err, errlen))
        return ok;
    snprintf(err, errlen, "unknown setting '%s'", key);
    return false;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

bool server_config_load(server_config *c, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return false;
    }
    char line[2048];
    int lineno = 0;
    bool ok = true;
    while (ok && fgets(line, sizeof line, f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            snprintf(err, errlen, "%s:%d: line too long", path, lineno);
            ok = false;
            break;
        }
        char *s = trim(line);
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, errlen, "%s:%d: expected key = value", path, lineno);
            ok = false;
            break;
        }
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        char why[256];
        if (!server_config_set(c, key, value, why, sizeof why)) {
            snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
            ok = false;
        }
    }
    fclose(f);
    return ok;
}

bool server_config_store_options(const server_config *c, store_options *opt, char *err,
                                 size_t errlen)
{
    store_options_init(opt, c->store);
    snprintf(opt->ca, sizeof opt->ca, "%s", c->store_ca);
    snprintf(opt->cert, sizeof opt->cert, "%s", c->store_cert);
    snprintf(opt->key, sizeof opt->key, "%s", c->store_key);
    snprintf(opt->user, sizeof opt->user, "%s", c->store_user);
    if (!c->store_password_file[0])
        return true;
    FILE *f = fopen(c->store_password_file, "r");
    if (!f) {
        snprintf(err, errlen, "store_password_file %s: %s", c->store_password_file,
                 strerror(errno));
        return false;
    }
    bool ok = fgets(opt->password, sizeof opt->password, f) != NULL;
    fclose(f);
    opt->password[strcspn(opt->password, "\r\n")] = '\0';
    if (!ok || !opt->password[0]) {
        snprintf(err, errlen, "store_password_file %s is empty", c->store_password_file);
        return false;
    }
    return true;
}

bool server_config_check(const server_config *c, char *err, size_t errlen)
{
    if (!c->fqdn[0]) {
        snprintf(err, errlen, "fqdn is required");
        return false;
    }
    if (!c->store[0]) {
        snprintf(err, errlen,
                 "store is required (a SQLite file path, or etcd://host:port[,host:port...])");
        return false;
    }
    if (!c->data_dir[0]) {
        snprintf(err, errlen, "data_dir is required");
        return false;
    }
    if ((c->store_cert[0] != '\0') != (c->store_key[0] != '\0')) {
        snprintf(err, errlen, "store_cert and store_key go together");
        return false;
    }
    if ((c->tls_cert[0] != '\0') != (c->tls_key[0] != '\0')) {
        snprintf(err, errlen, "tls_cert and tls_key go together");
        return false;
    }
    if (c->sip_port && c->sip_port == c->port) {
        snprintf(err, errlen, "sip_port must differ from port (SIP listens on TCP too)");
        return false;
    }
    if (c->down_after_ms <= c->heartbeat_ms / 2) {
        snprintf(err, errlen, "down_after_ms must exceed half of heartbeat_ms");
        return false;
    }
    return true;
}

const server_token *server_config_find_token(const server_config *c, const char *secret)
{
    unsigned char digest[32];
    char hex[ORBIT_SHA256_HEX_BUF];
    if (!orbit_sha256_buffer(secret, strlen(secret), hex))
        return NULL;
    for (int i = 0; i < 32; i++)
        digest[i] = (unsigned char)(hex_digit(hex[2 * i]) << 4 | hex_digit(hex[2 * i + 1]));
    const server_token *found = NULL;
    for (size_t t = 0; t < c->ntokens; t++) {
        unsigned char diff = 0;
        for (int i = 0; i < 32; i++)
            diff |= (unsigned char)(digest[i] ^ c->tokens[t].sha256[i]);
        if (diff == 0 && !found)
            found = &c->tokens[t];
    }
    return found;
}

bool server_token_hash_text(const char *secret, char *out, size_t len)
{
    char hex[ORBIT_SHA256_HEX_BUF];
    if (!orbit_sha256_buffer(secret, strlen(secret), hex))
        return false;
    return snprintf(out, len, "sha256:%s", hex) < (int)len;
}
