/* state_json: the pool's state as the protocol's snapshot `state` object
 * (also GET /v1/state), and the users list of GET /v1/users. */
#ifndef STATE_JSON_H
#define STATE_JSON_H

#include <jansson.h>

typedef struct orbit_server orbit_server;

/* The whole state; NULL on OOM. */
json_t *state_json_build(orbit_server *srv);

/* One pool entry of `pools`. */
json_t *state_json_pool(orbit_server *srv, const char *fqdn);

/* `pool`: this pool with capacity and counters. */
json_t *state_json_self(orbit_server *srv);

/* Users, optionally only those homed on `home` (NULL: all). */
json_t *state_json_users(orbit_server *srv, const char *home);

#endif
