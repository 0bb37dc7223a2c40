/* metrics: Prometheus text exposition: the transports' counters, the
 * kernel's, and the SIP edge's when it runs. */
#include "metrics.h"

#include "orbit_buf.h"
#include "server.h"
#include "sip_transport.h"

char *metrics_render(orbit_server *srv, size_t *len)
{
    orbit_buf b;
    orbit_buf_init(&b);
    const server_metrics *m = &srv->metrics;
    orbit_buf_printf(&b,
                     "# HELP orbit_connections Open WebSocket sessions.\n"
                     "# TYPE orbit_connections gauge\norbit_connections %zu\n"
                     "# HELP orbit_resyncs_total Sessions told to resync (slow consumers).\n"
                     "# TYPE orbit_resyncs_total counter\norbit_resyncs_total %llu\n"
                     "# HELP orbit_bad_frames_total Inbound frames refused.\n"
                     "# TYPE orbit_bad_frames_total counter\norbit_bad_frames_total %llu\n"
                     "# HELP orbit_frames_total WebSocket frames, by direction.\n"
                     "# TYPE orbit_frames_total counter\n"
                     "orbit_frames_total{direction=\"in\"} %llu\n"
                     "orbit_frames_total{direction=\"out\"} %llu\n"
                     "# HELP orbit_rate_limited_total Commands refused for their rate.\n"
                     "# TYPE orbit_rate_limited_total counter\norbit_rate_limited_total %llu\n"
                     "# HELP orbit_http_requests_total HTTP requests served.\n"
                     "# TYPE orbit_http_requests_total counter\norbit_http_requests_total %llu\n"
                     "# HELP orbit_heap_trims_total Times freed memory was handed back.\n"
                     "# TYPE orbit_heap_trims_total counter\norbit_heap_trims_total %llu\n",
                     srv->nsessions, (unsigned long long)m->resyncs,
                     (unsigned long long)m->bad_frames, (unsigned long long)m->frames_in,
                     (unsigned long long)m->frames_out, (unsigned long long)m->rate_limited,
                     (unsigned long long)m->http_requests, (unsigned long long)srv->heap.trims);
    pool_metrics_render(srv->pool, &b);
    sip_transport_metrics(srv->sip, &b);
    return orbit_buf_take(&b, len);
}
