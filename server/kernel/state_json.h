/* state_json: the pool's state as the protocol's snapshot `state` object
 * (also GET /v1/state), and the users list of GET /v1/users. The
 * functions are declared in pool_internal.h: they read the kernel's own
 * state and are part of it. */
#ifndef STATE_JSON_H
#define STATE_JSON_H

#include "pool_internal.h"

#endif
