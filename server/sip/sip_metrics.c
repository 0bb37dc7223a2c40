/* sip_metrics: one table of (name, labels, help, type, value) rows, so a
 * new counter is one line here, in /metrics and in GET /v1/sip (where it
 * is named after its field of sip_edge_counters). Metric families with labels (dialogs by
 * state, RTP by direction, errors by kind) print their HELP and TYPE
 * once, before their first row. */
#include "sip_metrics.h"

#include <inttypes.h>
#include <stddef.h>
#include <string.h>

typedef struct {
    const char *name;
    const char *labels; /* "" or `state="early"` */
    const char *type;   /* gauge or counter */
    const char *help;
    size_t offset;   /* of the value in sip_edge_counters */
    const char *key; /* its name in JSON: the field's */
} metric_row;

#define ROW(n, l, t, h, field)                                                                     \
    {                                                                                              \
        n, l, t, h, offsetof(sip_edge_counters, field), #field                                     \
    }

static const metric_row ROWS[] = {
    ROW("orbit_sip_registrations", "", "gauge", "SIP registrations (bindings) held now.",
        registrations),
    ROW("orbit_sip_register_total", "result=\"ok\"", "counter", "REGISTER requests by result.",
        register_ok),
    ROW("orbit_sip_register_total", "result=\"moved\"", "counter", NULL, register_moved),
    ROW("orbit_sip_register_total", "result=\"unknown\"", "counter", NULL, register_unknown),
    ROW("orbit_sip_dialogs", "state=\"early\"", "gauge", "SIP call legs now, by dialog state.",
        dialogs_early),
    ROW("orbit_sip_dialogs", "state=\"confirmed\"", "gauge", NULL, dialogs_confirmed),
    ROW("orbit_sip_dialogs_total", "", "counter", "SIP call legs since start.", dialogs_total),
    ROW("orbit_sip_calls_total", "flow=\"park\"", "counter",
        "Calls parked, retrieved, rung back, forwarded and picked up over SIP.", parks),
    ROW("orbit_sip_calls_total", "flow=\"retrieve\"", "counter", NULL, retrieves),
    ROW("orbit_sip_calls_total", "flow=\"ringback\"", "counter", NULL, ringbacks),
    ROW("orbit_sip_calls_total", "flow=\"forward\"", "counter", NULL, forwards),
    ROW("orbit_sip_calls_total", "flow=\"pickup\"", "counter", NULL, pickups),
    ROW("orbit_sip_rtp_packets_total", "direction=\"in\"", "counter", "RTP packets by direction.",
        rtp_in),
    ROW("orbit_sip_rtp_packets_total", "direction=\"out\"", "counter", NULL, rtp_out),
    ROW("orbit_sip_errors_total", "kind=\"refused\"", "counter",
        "SIP and RTP input refused, dropped or failed, by kind.", refused),
    ROW("orbit_sip_errors_total", "kind=\"malformed\"", "counter", NULL, malformed),
    ROW("orbit_sip_errors_total", "kind=\"flood\"", "counter", NULL, flood_dropped),
    ROW("orbit_sip_errors_total", "kind=\"foreign_register\"", "counter", NULL, foreign_register),
    ROW("orbit_sip_errors_total", "kind=\"auth_challenge\"", "counter", NULL, auth_challenges),
    ROW("orbit_sip_errors_total", "kind=\"auth_failure\"", "counter", NULL, auth_failures),
    ROW("orbit_sip_errors_total", "kind=\"rtp_malformed\"", "counter", NULL, rtp_errors),
    ROW("orbit_sip_errors_total", "kind=\"rtp_foreign\"", "counter", NULL, rtp_foreign),
    ROW("orbit_sip_errors_total", "kind=\"media_timeout\"", "counter", NULL, media_timeouts),
    ROW("orbit_sip_errors_total", "kind=\"port\"", "counter", NULL, port_errors),
};

static uint64_t value_of(const sip_edge_counters *c, const metric_row *r)
{
    uint64_t value;
    memcpy(&value, (const char *)c + r->offset, sizeof value);
    return value;
}

void sip_metrics_render(const sip_edge_counters *c, orbit_buf *b)
{
    for (size_t i = 0; i < sizeof ROWS / sizeof ROWS[0]; i++) {
        const metric_row *r = &ROWS[i];
        uint64_t value = value_of(c, r);
        if (r->help)
            orbit_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", r->name, r->help, r->name, r->type);
        orbit_buf_printf(b, "%s%s%s%s %" PRIu64 "\n", r->name, *r->labels ? "{" : "", r->labels,
                         *r->labels ? "}" : "", value);
    }
}

json_t *sip_metrics_json(const sip_edge_counters *c)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < sizeof ROWS / sizeof ROWS[0]; i++) {
        if (json_object_set_new(o, ROWS[i].key, json_integer((json_int_t)value_of(c, &ROWS[i]))) !=
            0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}
