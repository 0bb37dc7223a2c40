/* sip_transport: the pool's SIP edge (server/sip) as a transport of the
 * pool kernel, beside the WebSocket and HTTP ones. It starts the edge's
 * libre thread when the configuration sets sip_port, and implements the
 * edge's port (sip_port.h) on the kernel:
 *
 *   ops        the SIP thread queues them; the loop runs each through
 *              pool_op_submit() as the endpoint "sip-edge" and completes
 *              the port call exactly once, even after the edge detached;
 *   events     a pool sink posts every event to the edge's inbox;
 *   directory  built from the kernel's accessors on the loop, posted at
 *              start and again whenever an import, a reload, a DR change,
 *              an orbit change, the settings or the MOH change it.
 *
 * The MOH file is converted to G.711 on a thread of its own, so a large
 * upload never stalls the loop. Every function here runs on the loop's
 * thread. */
#ifndef SIP_TRANSPORT_H
#define SIP_TRANSPORT_H

#include "orbit_buf.h"
#include "orbit_log.h"
#include "pool.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct sip_transport sip_transport;

/* Starts the edge of pool p (borrowed, must outlive the transport) with
 * cfg and log (borrowed likewise). wake is how the SIP thread wakes the
 * loop when it queued an op (thread-safe). *out stays NULL when
 * cfg->sip_port is 0. False with a reason in err when the edge cannot
 * start (its port is taken, say). */
bool sip_transport_start(pool *p, const server_config *cfg, orbit_log *log, const pool_wake *wake,
                         sip_transport **out, char *err, size_t errlen);

/* Runs the ops the edge queued, installs a finished MOH conversion, and
 * posts a new directory when something it shows changed. Cheap when
 * there is nothing to do; call it when woken and on every tick. NULL is
 * ignored. */
void sip_transport_drain(sip_transport *t);

/* The edge's counters in Prometheus text, appended to out. NULL is
 * ignored. */
void sip_transport_metrics(const sip_transport *t, orbit_buf *out);

/* The edge for GET /v1/sip: {"enabled": false} without one (t NULL), else
 * its address, authentication, RTP ports, whether it serves yet and its
 * counters. A new reference; NULL on OOM. */
json_t *sip_transport_status(const sip_transport *t);

/* Stops the edge (it ends its calls and lets the last BYEs go), completes
 * every op it still waits for, leaves the pool's sinks and frees. NULL is
 * ignored. */
void sip_transport_stop(sip_transport *t);

#endif
