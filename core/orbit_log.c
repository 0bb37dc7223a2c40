/* orbit_log: one line per message: time, level, program, text. */
#include "orbit_log.h"

#include "orbit_time.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const LEVEL_NAMES[] = {"error", "warn", "info", "debug"};

bool orbit_log_level_from_name(const char *name, orbit_log_level *out)
{
    for (int i = 0; i <= ORBIT_LOG_DEBUG; i++) {
        if (name && strcmp(name, LEVEL_NAMES[i]) == 0) {
            *out = (orbit_log_level)i;
            return true;
        }
    }
    return false;
}

void orbit_log_write(const orbit_log *log, orbit_log_level level, const char *fmt, ...)
{
    if (!log || level > log->level)
        return;
    char when[40], text[1024];
    orbit_time_rfc3339(orbit_time_now_ms(), when, sizeof when);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    /* One fprintf per line keeps concurrent writers from interleaving. */
    fprintf(stderr, "%s %-5s %s%s%s: %s\n", when, LEVEL_NAMES[level],
            log->program ? log->program : "orbit", log->name ? " " : "", log->name ? log->name : "",
            text);
}
