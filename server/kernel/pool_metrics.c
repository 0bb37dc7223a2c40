/* pool_metrics: the kernel's part of GET /metrics in the Prometheus text
 * format: events, ops by result, the store, parked calls, queue depths,
 * orbit use per range, liveness and the DR phase of every home pool. */
#include "pool_internal.h"

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

void pool_metrics_render(pool *p, orbit_buf *b)
{
    const char *me = pool_fqdn(p);
    orbit_buf_printf(b,
                     "# HELP orbit_up Whether this pool's service runs (always 1).\n"
                     "# TYPE orbit_up gauge\norbit_up{pool=\"%s\"} 1\n"
                     "# HELP orbit_store_ok Whether this pool reaches the deployment store.\n"
                     "# TYPE orbit_store_ok gauge\norbit_store_ok %d\n",
                     me, p->store_ok ? 1 : 0);
    orbit_buf_printf(b,
                     "# HELP orbit_events_total Events emitted since start.\n"
                     "# TYPE orbit_events_total counter\norbit_events_total %llu\n"
                     "# HELP orbit_event_rev Revision of the newest event.\n"
                     "# TYPE orbit_event_rev gauge\norbit_event_rev %lld\n",
                     (unsigned long long)p->events.total, (long long)p->events.rev);
    orbit_buf_printf(b, "# HELP orbit_ops_total Ops run, by op and result.\n"
                        "# TYPE orbit_ops_total counter\n");
    for (int op = 0; op < ORBIT_OP_COUNT; op++) {
        for (int r = 0; r < ORBIT_ERR_COUNT; r++) {
            if (p->metrics.ops[op][r])
                orbit_buf_printf(b, "orbit_ops_total{op=\"%s\",result=\"%s\"} %llu\n",
                                 orbit_op_name((orbit_op)op), orbit_err_name((orbit_err)r),
                                 (unsigned long long)p->metrics.ops[op][r]);
        }
    }
    orbit_buf_printf(
        b,
        "# HELP orbit_store_conflicts_total Commits judged again after another pool's change.\n"
        "# TYPE orbit_store_conflicts_total counter\norbit_store_conflicts_total %llu\n"
        "# HELP orbit_store_errors_total Times the store was lost, or refused a commit.\n"
        "# TYPE orbit_store_errors_total counter\norbit_store_errors_total %llu\n"
        "# HELP orbit_store_changes_total Changes applied from the store.\n"
        "# TYPE orbit_store_changes_total counter\norbit_store_changes_total %llu\n"
        "# HELP orbit_store_reloads_total Whole reloads from the store.\n"
        "# TYPE orbit_store_reloads_total counter\norbit_store_reloads_total %llu\n",
        (unsigned long long)p->metrics.conflicts, (unsigned long long)p->metrics.store_errors,
        (unsigned long long)p->metrics.changes_applied, (unsigned long long)p->metrics.reloads);
    orbit_buf_printf(b,
                     "# HELP orbit_parked_calls Calls parked on this pool's orbits.\n"
                     "# TYPE orbit_parked_calls gauge\norbit_parked_calls %zu\n"
                     "# HELP orbit_pickup_queued_calls Calls waiting in pickup queues here.\n"
                     "# TYPE orbit_pickup_queued_calls gauge\norbit_pickup_queued_calls %zu\n",
                     call_engine_parked_count(p->engine), call_engine_queued_count(p->engine));
    orbit_buf_printf(b, "# HELP orbit_pickup_queue_depth Calls waiting, per pickup group.\n"
                        "# TYPE orbit_pickup_queue_depth gauge\n");
    call_engine_each_queue(p->engine, queue_depth, b);
    orbit_buf_printf(b, "# HELP orbit_range_in_use Numbers in use, per orbit range.\n"
                        "# TYPE orbit_range_in_use gauge\n"
                        "# HELP orbit_range_size Numbers in each orbit range.\n"
                        "# TYPE orbit_range_size gauge\n");
    const orbit_table *t = orbit_deployment_table_const(p->dep);
    for (size_t i = 0; i < orbit_table_count(t); i++) {
        const orbit_range *r = orbit_table_at(t, i);
        for (int which = 0; which < 2; which++) {
            orbit_buf_printf(b, "%s{range=\"", which ? "orbit_range_size" : "orbit_range_in_use");
            label(b, r->identity);
            orbit_buf_printf(b, "\",pool=\"%s\",type=\"%s\"} %u\n", r->pool,
                             orbit_type_name(r->type),
                             which ? orbit_range_size(r) : pool_range_in_use(p, r));
        }
    }
    orbit_buf_printf(b, "# HELP orbit_dr_phase DR phase of each home pool's users (1 = current).\n"
                        "# TYPE orbit_dr_phase gauge\n"
                        "# HELP orbit_pool_up Pool liveness as seen from here.\n"
                        "# TYPE orbit_pool_up gauge\n");
    for (size_t i = 0; i < orbit_deployment_pool_count(p->dep); i++) {
        const pool_info *info = orbit_deployment_pool_at(p->dep, i);
        const dr_state *d = orbit_deployment_dr(p->dep, info->fqdn);
        for (int ph = 0; ph < DR_PHASE_COUNT; ph++)
            orbit_buf_printf(b, "orbit_dr_phase{home=\"%s\",phase=\"%s\"} %d\n", info->fqdn,
                             dr_phase_name((dr_phase)ph), d && d->phase == (dr_phase)ph);
        orbit_buf_printf(b, "orbit_pool_up{pool=\"%s\"} %d\n", info->fqdn,
                         pool_status_of(p, info->fqdn) == POOL_STATUS_UP);
    }
}
