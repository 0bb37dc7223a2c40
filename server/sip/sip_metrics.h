/* sip_metrics: the SIP edge's counters as Prometheus text, for the
 * pool's GET /metrics to append to what it renders, and as JSON for GET
 * /v1/sip (the console's pool view). */
#ifndef SIP_METRICS_H
#define SIP_METRICS_H

#include "orbit_buf.h"
#include "sip_edge.h"

#include <jansson.h>

/* Appends HELP, TYPE and value lines for every counter of c (borrowed)
 * to b (borrowed; its `failed` flag tells of an allocation failure). */
void sip_metrics_render(const sip_edge_counters *c, orbit_buf *b);

/* The same counters as {field: value}, a new reference; NULL on OOM. */
json_t *sip_metrics_json(const sip_edge_counters *c);

#endif
