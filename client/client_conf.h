/* client_conf: the one reader of `key = value` files in the client
 * programs: orbitop's and orbitctl's configuration files under
 * $XDG_CONFIG_HOME/orbit/, and the console's theme files. Blank lines and
 * lines starting with # are skipped, keys and values are trimmed, and
 * every problem is reported as "file:line: what is wrong" so an operator
 * can fix it at once. */
#ifndef CLIENT_CONF_H
#define CLIENT_CONF_H

#include "orbit_error.h"

#include <stdbool.h>
#include <stddef.h>

/* One setting, from line `line`. Return false to refuse it, with the
 * reason in why (the reader adds the file and line). key and value are
 * borrowed for the call. */
typedef bool (*client_conf_fn)(void *ctx, const char *key, const char *value, int line, char *why,
                               size_t whylen);

/* Calls fn for each setting of path, in file order, and stops at the
 * first line that is not `key = value` or that fn refuses. A missing file
 * is no error when missing_ok. */
orbit_err client_conf_read(const char *path, bool missing_ok, client_conf_fn fn, void *ctx,
                           orbit_status *st);

/* The path of a configuration file: $XDG_CONFIG_HOME/orbit/<name>, else
 * ~/.config/orbit/<name>. False when neither variable is set or the path
 * does not fit. */
bool client_conf_path(const char *name, char *out, size_t len);

/* A yes/no value: 1 true yes on / 0 false no off. False when it is
 * neither. */
bool client_conf_bool(const char *value, bool *out);

/* Copies value into a fixed buffer; false (with why) when it does not
 * fit, so a long path is refused rather than silently cut. */
bool client_conf_copy(char *dst, size_t cap, const char *value, char *why, size_t whylen);

#endif
