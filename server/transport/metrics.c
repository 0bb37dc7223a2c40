/* metrics: Prometheus text exposition. */
#include "metrics.h"

#include "call_engine.h"
#include "orbit_buf.h"
#include "server.h"

#include <stdio.h>

/* Label values are FQDNs, identities and numbers; identities may hold
 * any printable character, so quote what the format requires. */
static void label(orbit_buf *b, const char *value)
{
    for (const char *p = value; *p; p++) {
        if (*p == '\\' || *p == '"')
            orbit_buf_printf(b, "\\%c", *p);
        else if (*p == '\n')
            orbit_buf_printf(b, "\\n");
        else
            orbit_buf_append(b, p, 1);
    }
}

static void queue_depth(void *ctx, const char *group, size_t depth)
{
    orbit_buf *b = ctx;
    orbit_buf_printf(b, "orbit_pickup_queue_depth{group=\"");
    label(b, group);
    orbit_buf_printf(b, "\"} %zu\n", depth);
}

char *metrics_render(orbit_server *srv, size_t *len)
{
    orbit_buf b;
    orbit_buf_init(&b);
    const char *me = server_fqdn(srv);
    orbit_buf_printf(&b,
                     "# HELP orbit_up Whether this pool's service runs (always 1).\n"
                     "# TYPE orbit_up gauge\norbit_up{pool=\"%s\"} 1\n",
                     me);
    orbit_buf_printf(&b,
                     "# HELP orbit_connections Open WebSocket sessions.\n"
                     "# TYPE orbit_connections gauge\norbit_connections %zu\n",
                     srv->nsessions);
    orbit_buf_printf(&b,
                     "# HELP orbit_events_total Events emitted since start.\n"
                     "# TYPE orbit_events_total counter\norbit_events_total %llu\n"
                     "# HELP orbit_event_rev Revision of the newest event.\n"
                     "# TYPE orbit_event_rev gauge\norbit_event_rev %lld\n",
                     (unsigned long long)srv->events.total, (long long)srv->events.rev);
    orbit_buf_printf(&b, "# HELP orbit_ops_total Ops run, by op and result.\n"
                         "# TYPE orbit_ops_total counter\n");
    for (int op = 0; op <= ORBIT_OP_COUNT; op++) {
        for (int r = 0; r < ORBIT_ERR_COUNT; r++) {
            if (!srv->metrics.ops[op][r])
                continue;
            orbit_buf_printf(&b, "orbit_ops_total{op=\"%s\",result=\"%s\"} %llu\n",
                             op == SERVER_OP_MOH_UPLOAD ? "moh.upload" : orbit_op_name(op),
                             orbit_err_name(r), (unsigned long long)srv->metrics.ops[op][r]);
        }
    }
    orbit_buf_printf(&b,
                     "# HELP orbit_resyncs_total Sessions told to resync (slow consumers).\n"
                     "# TYPE orbit_resyncs_total counter\norbit_resyncs_total %llu\n"
                     "# HELP orbit_bad_frames_total Inbound frames refused.\n"
                     "# TYPE orbit_bad_frames_total counter\norbit_bad_frames_total %llu\n"
                     "# HELP orbit_http_requests_total HTTP requests served.\n"
                     "# TYPE orbit_http_requests_total counter\norbit_http_requests_total %llu\n",
                     (unsigned long long)srv->metrics.resyncs,
                     (unsigned long long)srv->metrics.bad_frames,
                     (unsigned long long)srv->metrics.http_requests);
    orbit_buf_printf(&b,
                     "# HELP orbit_parked_calls Calls parked on this pool's orbits.\n"
                     "# TYPE orbit_parked_calls gauge\norbit_parked_calls %zu\n"
                     "# HELP orbit_pickup_queued_calls Calls waiting in pickup queues here.\n"
                     "# TYPE orbit_pickup_queued_calls gauge\norbit_pickup_queued_calls %zu\n",
                     call_engine_parked_count(srv->engine), call_engine_queued_count(srv->engine));
    orbit_buf_printf(&b, "# HELP orbit_pickup_queue_depth Calls waiting, per pickup group.\n"
                         "# TYPE orbit_pickup_queue_depth gauge\n");
    call_engine_each_queue(srv->engine, queue_depth, &b);
    orbit_buf_printf(&b, "# HELP orbit_range_in_use Numbers in use, per orbit range.\n"
                         "# TYPE orbit_range_in_use gauge\n"
                         "# HELP orbit_range_size Numbers in each orbit range.\n"
                         "# TYPE orbit_range_size gauge\n");
    const orbit_table *t = orbit_deployment_table_const(srv->dep);
    for (size_t i = 0; i < orbit_table_count(t); i++) {
        const orbit_range *r = orbit_table_at(t, i);
        for (int which = 0; which < 2; which++) {
            orbit_buf_printf(&b, "%s{range=\"", which ? "orbit_range_size" : "orbit_range_in_use");
            label(&b, r->identity);
            orbit_buf_printf(&b, "\",pool=\"%s\",type=\"%s\"} %u\n", r->pool,
                             orbit_type_name(r->type),
                             which ? orbit_range_size(r) : server_range_in_use(srv, r));
        }
    }
    orbit_buf_printf(&b, "# HELP orbit_dr_phase DR phase of each home pool's users (1 = current).\n"
                         "# TYPE orbit_dr_phase gauge\n"
                         "# HELP orbit_pool_up Pool liveness as seen from here.\n"
                         "# TYPE orbit_pool_up gauge\n");
    for (size_t i = 0; i < orbit_deployment_pool_count(srv->dep); i++) {
        const pool_info *p = orbit_deployment_pool_at(srv->dep, i);
        const dr_state *d = orbit_deployment_dr(srv->dep, p->fqdn);
        for (int ph = 0; ph < DR_PHASE_COUNT; ph++)
            orbit_buf_printf(&b, "orbit_dr_phase{home=\"%s\",phase=\"%s\"} %d\n", p->fqdn,
                             dr_phase_name((dr_phase)ph), d && d->phase == (dr_phase)ph);
        orbit_buf_printf(&b, "orbit_pool_up{pool=\"%s\"} %d\n", p->fqdn,
                         server_pool_status(srv, p->fqdn) == POOL_STATUS_UP);
    }
    return orbit_buf_take(&b, len);
}
