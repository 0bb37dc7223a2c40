/* client_conf: key = value files. */
#include "client_conf.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONF_LINE_MAX 4096

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

orbit_err client_conf_read(const char *path, bool missing_ok, client_conf_fn fn, void *ctx,
                           orbit_status *st)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT && missing_ok)
            return ORBIT_OK;
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "config", "%s: %s", path,
                                strerror(errno));
    }
    char *line = malloc(CONF_LINE_MAX);
    if (!line) {
        fclose(f);
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    }
    orbit_err e = ORBIT_OK;
    int lineno = 0;
    while (!e && fgets(line, CONF_LINE_MAX, f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            e = orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "config", "%s:%d: line too long", path,
                                 lineno);
            break;
        }
        char *s = trim(line);
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            e = orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "config", "%s:%d: expected key = value",
                                 path, lineno);
            break;
        }
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1), why[200] = "";
        if (!*key) {
            e = orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "config",
                                 "%s:%d: no key before =", path, lineno);
        } else if (!fn(ctx, key, value, lineno, why, sizeof why)) {
            e = orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "config", "%s:%d: %s", path, lineno,
                                 why[0] ? why : "not understood");
        }
    }
    if (!e && ferror(f))
        e = orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "config", "%s: read error", path);
    free(line);
    fclose(f);
    return e;
}

bool client_conf_path(const char *name, char *out, size_t len)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    int n;
    if (xdg && *xdg)
        n = snprintf(out, len, "%s/orbit/%s", xdg, name);
    else if (home && *home)
        n = snprintf(out, len, "%s/.config/orbit/%s", home, name);
    else
        return false;
    return n >= 0 && (size_t)n < len;
}

bool client_conf_bool(const char *value, bool *out)
{
    static const char *const yes[] = {"1", "true", "yes", "on"}, *const no[] = {"0", "false", "no",
                                                                                "off"};
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(value, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcmp(value, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

bool client_conf_copy(char *dst, size_t cap, const char *value, char *why, size_t whylen)
{
    if (snprintf(dst, cap, "%s", value) < (int)cap)
        return true;
    snprintf(why, whylen, "value longer than %zu characters", cap - 1);
    return false;
}
