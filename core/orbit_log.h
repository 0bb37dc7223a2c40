/* orbit_log: levelled log lines on stderr for the daemons and tools.
 * The logger is a value owned by the program's main and passed down. */
#ifndef ORBIT_LOG_H
#define ORBIT_LOG_H

#include <stdbool.h>

typedef enum {
    ORBIT_LOG_ERROR = 0,
    ORBIT_LOG_WARN,
    ORBIT_LOG_INFO,
    ORBIT_LOG_DEBUG,
} orbit_log_level;

typedef struct {
    orbit_log_level level;
    const char *program; /* prefix, e.g. "orbitd" */
    const char *name;    /* optional second prefix, e.g. the pool FQDN */
} orbit_log;

/* Parses "error", "warn", "info" or "debug". */
bool orbit_log_level_from_name(const char *name, orbit_log_level *out);

void orbit_log_write(const orbit_log *log, orbit_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define ORBIT_LOG_E(log, ...) orbit_log_write((log), ORBIT_LOG_ERROR, __VA_ARGS__)
#define ORBIT_LOG_W(log, ...) orbit_log_write((log), ORBIT_LOG_WARN, __VA_ARGS__)
#define ORBIT_LOG_I(log, ...) orbit_log_write((log), ORBIT_LOG_INFO, __VA_ARGS__)
#define ORBIT_LOG_D(log, ...) orbit_log_write((log), ORBIT_LOG_DEBUG, __VA_ARGS__)

#endif
