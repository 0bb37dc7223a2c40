/* metrics: GET /metrics in the Prometheus text format: connections,
 * events, ops by result, parked calls, queue depth, orbit use per range
 * and the DR phase of every home pool. */
#ifndef METRICS_H
#define METRICS_H

#include <stddef.h>

typedef struct orbit_server orbit_server;

/* The exposition text (malloc'd), or NULL on OOM. */
char *metrics_render(orbit_server *srv, size_t *len);

#endif
