/* The SIP edge's metrics: every counter appears once with its value, and
 * each family's HELP and TYPE come once, before its first sample. */
#include "test_main.h"

#include "sip_metrics.h"

#include <stdlib.h>

static void counters_render_as_prometheus_text(void **state)
{
    (void)state;
    sip_edge_counters c;
    memset(&c, 0, sizeof c);
    c.registrations = 7;
    c.dialogs_early = 2;
    c.dialogs_confirmed = 3;
    c.rtp_in = 1000;
    c.rtp_out = 2000;
    c.malformed = 4;
    c.media_timeouts = 5;
    orbit_buf b;
    orbit_buf_init(&b);
    sip_metrics_render(&c, &b);
    assert_false(b.failed);
    const char *want[] = {
        "orbit_sip_registrations 7\n",
        "orbit_sip_dialogs{state=\"early\"} 2\n",
        "orbit_sip_dialogs{state=\"confirmed\"} 3\n",
        "orbit_sip_rtp_packets_total{direction=\"in\"} 1000\n",
        "orbit_sip_rtp_packets_total{direction=\"out\"} 2000\n",
        "orbit_sip_errors_total{kind=\"malformed\"} 4\n",
        "orbit_sip_errors_total{kind=\"media_timeout\"} 5\n",
        "# TYPE orbit_sip_dialogs gauge\n",
        "# TYPE orbit_sip_errors_total counter\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        assert_non_null(strstr(b.data, want[i]));
    /* One TYPE line per family, before its samples. */
    const char *type = strstr(b.data, "# TYPE orbit_sip_errors_total");
    assert_null(strstr(type + 1, "# TYPE orbit_sip_errors_total"));
    assert_true(type < strstr(b.data, "orbit_sip_errors_total{"));
    orbit_buf_free(&b);
}

/* GET /v1/sip names each counter after its field, with its value. */
static void counters_render_as_json_named_by_field(void **state)
{
    (void)state;
    sip_edge_counters c;
    memset(&c, 0, sizeof c);
    c.registrations = 7;
    c.parks = 3;
    c.auth_failures = 2;
    c.port_errors = 1;
    json_t *o = sip_metrics_json(&c);
    assert_non_null(o);
    assert_int_equal(json_integer_value(json_object_get(o, "registrations")), 7);
    assert_int_equal(json_integer_value(json_object_get(o, "parks")), 3);
    assert_int_equal(json_integer_value(json_object_get(o, "auth_failures")), 2);
    assert_int_equal(json_integer_value(json_object_get(o, "port_errors")), 1);
    assert_true(json_is_integer(json_object_get(o, "media_timeouts")));
    assert_int_equal(json_integer_value(json_object_get(o, "media_timeouts")), 0);
    /* Every row of /metrics has its key: 24 counters. */
    assert_int_equal(json_object_size(o), 24);
    json_decref(o);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(counters_render_as_prometheus_text),
    cmocka_unit_test(counters_render_as_json_named_by_field),
};

ORBIT_TEST_MAIN(tests)
