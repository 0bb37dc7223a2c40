/* orbitd.conf: token names follow the rule for operator-chosen names. */
#include "test_main.h"

#include "server_config.h"

#define HASH "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

static bool add_token(server_config *c, const char *name, char *err, size_t errlen)
{
    char value[256];
    snprintf(value, sizeof value, "%s viewer " HASH, name);
    return server_config_set(c, "token", value, err, errlen);
}

static void token_names_may_be_any_safe_text(void **state)
{
    (void)state;
    server_config c;
    server_config_defaults(&c);
    char err[256] = "";
    assert_true(add_token(&c, "noc-wall", err, sizeof err));
    assert_true(add_token(&c, "z\xc3\xbcrich-noc", err, sizeof err));
    assert_int_equal(c.ntokens, 2);
    assert_string_equal(c.tokens[1].name, "z\xc3\xbcrich-noc");
    server_config_free(&c);
}

static void token_names_with_c1_controls_are_refused(void **state)
{
    (void)state;
    server_config c;
    server_config_defaults(&c);
    char err[256] = "";
    assert_false(add_token(&c,
                           "noc\xc2\x9b"
                           "2J",
                           err, sizeof err));
    assert_non_null(strstr(err, "control"));
    assert_false(add_token(&c, "noc\xc2\x85", err, sizeof err));
    assert_int_equal(c.ntokens, 0);
    server_config_free(&c);
}

static void token_names_with_bidi_overrides_are_refused(void **state)
{
    (void)state;
    server_config c;
    server_config_defaults(&c);
    char err[256] = "";
    assert_false(add_token(&c, "admin\xe2\x80\xaeresu", err, sizeof err));
    assert_non_null(strstr(err, "bidirectional"));
    assert_false(add_token(&c, "\xe2\x81\xa7noc", err, sizeof err));
    assert_int_equal(c.ntokens, 0);
    server_config_free(&c);
}

static void token_names_in_invalid_utf8_are_refused(void **state)
{
    (void)state;
    server_config c;
    server_config_defaults(&c);
    char err[256] = "";
    assert_false(add_token(&c, "caf\xe9", err, sizeof err));
    assert_non_null(strstr(err, "UTF-8"));
    assert_int_equal(c.ntokens, 0);
    server_config_free(&c);
}

static void sip_edge_keys_are_read_and_checked(void **state)
{
    (void)state;
    server_config c;
    server_config_defaults(&c);
    char err[256] = "";
    assert_int_equal(c.sip_port, 0); /* no edge unless asked */
    assert_string_equal(c.sip_digest_offer, "sha256,md5");
    assert_true(server_config_set(&c, "sip_port", "5161", err, sizeof err));
    assert_true(server_config_set(&c, "sip_bind", "127.0.0.1", err, sizeof err));
    assert_true(server_config_set(&c, "sip_auth", "digest", err, sizeof err));
    assert_true(server_config_set(&c, "sip_digest_offer", "md5", err, sizeof err));
    assert_true(server_config_set(&c, "media_ip", "::1", err, sizeof err));
    assert_true(server_config_set(&c, "media_ports", "50000-50099", err, sizeof err));
    assert_true(server_config_set(&c, "media_timeout", "0", err, sizeof err));
    assert_int_equal(c.sip_max_new_per_second, 50);
    assert_true(server_config_set(&c, "sip_max_new_per_second", "2000", err, sizeof err));
    assert_int_equal(c.sip_max_new_per_second, 2000);
    assert_int_equal(c.sip_port, 5161);
    assert_true(c.sip_digest);
    assert_string_equal(c.sip_digest_offer, "md5");
    assert_string_equal(c.media_ip, "::1");
    assert_int_equal(c.media_port_min, 50000);
    assert_int_equal(c.media_port_max, 50099);
    assert_int_equal(c.media_timeout_s, 0);
    static const char *const bad[][2] = {
        {"sip_port", "70000"},    {"sip_bind", "pool1.example.net"},
        {"sip_auth", "basic"},    {"sip_digest_offer", "sha512"},
        {"media_ports", "50000"}, {"media_ports", "50100-50000"},
        {"media_ports", "80-90"}, {"media_timeout", "-1"},
        {"media_ip", ""},         {"sip_max_new_per_second", "0"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        assert_false(server_config_set(&c, bad[i][0], bad[i][1], err, sizeof err));
        assert_non_null(strstr(err, bad[i][0]));
    }
    /* SIP listens on TCP too: not on the HTTP port. */
    snprintf(c.fqdn, sizeof c.fqdn, "pool1.example.net");
    snprintf(c.store, sizeof c.store, "/tmp/store.db");
    snprintf(c.data_dir, sizeof c.data_dir, "/tmp/data");
    assert_true(server_config_check(&c, err, sizeof err));
    assert_true(server_config_set(&c, "sip_port", "7081", err, sizeof err));
    assert_false(server_config_check(&c, err, sizeof err));
    assert_non_null(strstr(err, "sip_port"));
    server_config_free(&c);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(token_names_may_be_any_safe_text),
    cmocka_unit_test(token_names_with_c1_controls_are_refused),
    cmocka_unit_test(token_names_with_bidi_overrides_are_refused),
    cmocka_unit_test(token_names_in_invalid_utf8_are_refused),
    cmocka_unit_test(sip_edge_keys_are_read_and_checked),
};

ORBIT_TEST_MAIN(tests)
