/* ops_admin: the operator ops: orbit table changes (through the shared
 * store, so every pool sees them), this pool's Call Park settings, and
 * the start of failover and failback together with their completion when
 * the phase's time is up. */
#ifndef OPS_ADMIN_H
#define OPS_ADMIN_H

#include "orbit_ops.h"

#include <jansson.h>

typedef struct orbit_server orbit_server;

/* Runs an operator op (args decoded). `who` is the token name. */
orbit_err ops_admin_run(orbit_server *srv, const char *who, const orbit_cmd_args *args,
                        json_t **data, orbit_status *st);

/* Completes failover / failback phases this pool runs whose time is up. */
void ops_admin_complete_phases(orbit_server *srv, int64_t now_ms);

#endif
