/* metrics: GET /metrics in the Prometheus text format: the transports'
 * own counters (connections, frames, resyncs, requests), the kernel's
 * (see pool_metrics_render) and the SIP edge's (sip_metrics_render). */
#ifndef METRICS_H
#define METRICS_H

#include <stddef.h>

typedef struct orbit_server orbit_server;

/* The exposition text (malloc'd), or NULL on OOM. */
char *metrics_render(orbit_server *srv, size_t *len);

#endif
