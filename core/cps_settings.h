/* cps_settings: one pool's Call Park settings (Get-CsCpsConfiguration),
 * their defaults and their validation with a reason per field. */
#ifndef CPS_SETTINGS_H
#define CPS_SETTINGS_H

#include "orbit_error.h"

#include <stdbool.h>
#include <stddef.h>

#define CPS_TIMEOUT_MIN_S     10
#define CPS_TIMEOUT_MAX_S     600
#define CPS_TIMEOUT_DEFAULT_S 90
#define CPS_ATTEMPTS_MIN      1
#define CPS_ATTEMPTS_MAX      10
#define CPS_ATTEMPTS_DEFAULT  1
#define CPS_URI_MAX           255

typedef struct {
    int call_pickup_timeout_threshold; /* seconds before ringing the parker back */
    bool enable_music_on_hold;
    int max_call_pickup_attempts;         /* ring-backs before forward/disconnect */
    char on_timeout_uri[CPS_URI_MAX + 1]; /* "" or sip:... */
} cps_settings;

/* One rejected field and why. */
typedef struct {
    const char *field;
    char reason[160];
} cps_field_error;

#define CPS_FIELD_COUNT 4

void cps_settings_default(cps_settings *s);

/* Checks every field; writes up to max errors (CPS_FIELD_COUNT is always
 * enough) and returns how many fields are invalid. */
size_t cps_settings_validate(const cps_settings *s, cps_field_error *errs, size_t max);

/* Validates and, on failure, summarises every reason into st
 * (bad_request, the first field named). */
orbit_err cps_settings_check(const cps_settings *s, orbit_status *st);

/* Field-by-field equality. */
bool cps_settings_equal(const cps_settings *a, const cps_settings *b);

#endif
