/* sip_metrics: the SIP edge's counters as Prometheus text, for the
 * pool's GET /metrics to append to what it renders. */
#ifndef SIP_METRICS_H
#define SIP_METRICS_H

#include "orbit_buf.h"
#include "sip_edge.h"

/* Appends HELP, TYPE and value lines for every counter of c (borrowed)
 * to b (borrowed; its `failed` flag tells of an allocation failure). */
void sip_metrics_render(const sip_edge_counters *c, orbit_buf *b);

#endif
