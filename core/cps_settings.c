/* cps_settings: defaults and validation of the Call Park settings. */
#include "cps_settings.h"

#include <stdio.h>
#include <string.h>

void cps_settings_default(cps_settings *s)
{
    s->call_pickup_timeout_threshold = CPS_TIMEOUT_DEFAULT_S;
    s->enable_music_on_hold = true;
    s->max_call_pickup_attempts = CPS_ATTEMPTS_DEFAULT;
    s->on_timeout_uri[0] = '\0';
}

static const char *uri_problem(const char *uri)
{
    size_t len = strnlen(uri, CPS_URI_MAX + 1);
    if (len == 0)
        return NULL;
    if (len > CPS_URI_MAX)
        return "on_timeout_uri has at most 255 characters";
    if (strncmp(uri, "sip:", 4) != 0)
        return "on_timeout_uri must be empty or begin with sip:";
    if (len == 4)
        return "on_timeout_uri needs an address after sip:";
    for (const char *p = uri; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c == 0x7f)
            return "on_timeout_uri cannot contain blanks or control characters";
    }
    return NULL;
}

static void add_error(cps_field_error *errs, size_t max, size_t *n, const char *field,
                      const char *reason)
{
    if (*n < max) {
        errs[*n].field = field;
        snprintf(errs[*n].reason, sizeof errs[*n].reason, "%s", reason);
    }
    (*n)++;
}

size_t cps_settings_validate(const cps_settings *s, cps_field_error *errs, size_t max)
{
    size_t n = 0;
    char why[160];
    if (s->call_pickup_timeout_threshold < CPS_TIMEOUT_MIN_S ||
        s->call_pickup_timeout_threshold > CPS_TIMEOUT_MAX_S) {
        snprintf(why, sizeof why, "call_pickup_timeout_threshold is %d s; allowed %d s to %d s",
                 s->call_pickup_timeout_threshold, CPS_TIMEOUT_MIN_S, CPS_TIMEOUT_MAX_S);
        add_error(errs, max, &n, "call_pickup_timeout_threshold", why);
    }
    if (s->max_call_pickup_attempts < CPS_ATTEMPTS_MIN ||
        s->max_call_pickup_attempts > CPS_ATTEMPTS_MAX) {
        snprintf(why, sizeof why, "max_call_pickup_attempts is %d; allowed %d to %d",
                 s->max_call_pickup_attempts, CPS_ATTEMPTS_MIN, CPS_ATTEMPTS_MAX);
        add_error(errs, max, &n, "max_call_pickup_attempts", why);
    }
    const char *uri = uri_problem(s->on_timeout_uri);
    if (uri)
        add_error(errs, max, &n, "on_timeout_uri", uri);
    return n;
}

orbit_err cps_settings_check(const cps_settings *s, orbit_status *st)
{
    cps_field_error errs[CPS_FIELD_COUNT];
    size_t n = cps_settings_validate(s, errs, CPS_FIELD_COUNT);
    if (n == 0)
        return ORBIT_OK;
    char msg[ORBIT_STATUS_MESSAGE_MAX] = "";
    size_t used = 0;
    for (size_t i = 0; i < n && i < CPS_FIELD_COUNT; i++) {
        int w = snprintf(msg + used, sizeof msg - used, "%s%s", i ? "; " : "", errs[i].reason);
        if (w < 0 || (size_t)w >= sizeof msg - used)
            break;
        used += (size_t)w;
    }
    return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, errs[0].field, "%s", msg);
}

bool cps_settings_equal(const cps_settings *a, const cps_settings *b)
{
    return a->call_pickup_timeout_threshold == b->call_pickup_timeout_threshold &&
           a->enable_music_on_hold == b->enable_music_on_hold &&
           a->max_call_pickup_attempts == b->max_call_pickup_attempts &&
           strcmp(a->on_timeout_uri, b->on_timeout_uri) == 0;
}
