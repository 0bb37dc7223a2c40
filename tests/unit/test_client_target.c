/* client_target and client_url: which pools a client may send its token
 * to. A deployment file or the URLs given name the deployment; a URL a
 * pool lists is allowed only when it is one of those, and never over
 * plaintext when the deployment uses TLS; a deployment mixing ws:// and
 * wss:// is refused; the token comes from a token file, else ORBIT_TOKEN,
 * else the deployment's token for the program's role. */
#include "test_main.h"

#include "client_target.h"
#include "client_url.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char *write_temp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/orbit-target-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static const char DEPLOYMENT[] =
    "{\"pools\":[{\"fqdn\":\"pool1.north.example.net\",\"url\":\"ws://127.0.0.1:7081/v1/stream\"},"
    "{\"fqdn\":\"pool2.south.example.net\",\"url\":\"ws://127.0.0.1:7082/v1/stream\"}],"
    "\"tokens\":{\"viewer\":\"v\",\"operator\":\"op\",\"endpoint\":\"ep\"}}";

static void urls_parse_and_compare_by_endpoint(void **state)
{
    (void)state;
    client_url u;
    char why[200];
    assert_true(client_url_parse("wss://Pool1.Example.NET/v1/stream", &u, why, sizeof why));
    assert_true(u.tls);
    assert_int_equal(u.port, 443);
    assert_string_equal(u.host, "pool1.example.net");
    assert_true(client_url_parse("ws://[::1]:7081", &u, why, sizeof why));
    assert_string_equal(u.host, "[::1]");
    assert_int_equal(u.port, 7081);
    assert_string_equal(u.path, "/v1/stream");
    assert_false(client_url_parse("http://h:1/", &u, why, sizeof why));
    assert_false(client_url_parse("ws://h:99999/", &u, why, sizeof why));
    assert_false(client_url_parse("ws://:80/", &u, why, sizeof why));
    assert_true(client_url_same_endpoint("ws://H:80/v1/stream", "ws://h/other"));
    assert_false(client_url_same_endpoint("ws://h:81/", "ws://h:80/"));
    assert_false(client_url_same_endpoint("ws://h:443/", "wss://h/"));
    char base[64];
    assert_true(client_url_http_base("wss://h.example.net:7443/v1/stream", base, sizeof base));
    assert_string_equal(base, "https://h.example.net:7443");
    assert_true(client_url_http_base("ws://127.0.0.1:7081/v1/stream", base, sizeof base));
    assert_string_equal(base, "http://127.0.0.1:7081");
}

static void a_deployment_file_names_the_pools_and_the_token(void **state)
{
    (void)state;
    unsetenv("ORBIT_TOKEN");
    client_target_request r = {.program = "test", .token_role = "operator"};
    snprintf(r.deployment, sizeof r.deployment, "%s", write_temp(DEPLOYMENT));
    client_target *t = calloc(1, sizeof *t);
    orbit_status st;
    assert_int_equal(client_target_resolve(&r, t, &st), ORBIT_OK);
    unlink(r.deployment);
    assert_int_equal(t->npools, 2);
    assert_string_equal(t->pools[1].http, "http://127.0.0.1:7082");
    assert_string_equal(t->token, "op");
    assert_true(t->from_file);
    assert_false(t->tls);
    assert_non_null(client_target_find(t, "pool2.south.example.net"));
    char why[200];
    assert_true(client_target_allows(t, "ws://127.0.0.1:7082/v1/stream", why, sizeof why));
    /* A snapshot listing a foreign URL: the token does not go there. */
    assert_false(client_target_allows(t, "ws://198.51.100.7:7082/v1/stream", why, sizeof why));
    assert_string_equal(why, "not a pool of the configured deployment");
    assert_false(client_target_allows(t, "ws://127.0.0.1:7083/v1/stream", why, sizeof why));
    /* ORBIT_TOKEN wins over the file's token. */
    setenv("ORBIT_TOKEN", "from-env", 1);
    snprintf(r.deployment, sizeof r.deployment, "%s", write_temp(DEPLOYMENT));
    assert_int_equal(client_target_resolve(&r, t, &st), ORBIT_OK);
    unlink(r.deployment);
    assert_string_equal(t->token, "from-env");
    unsetenv("ORBIT_TOKEN");
    free(t);
}

static void plaintext_is_never_allowed_in_a_tls_deployment(void **state)
{
    (void)state;
    setenv("ORBIT_TOKEN", "t", 1);
    client_target_request r = {.program = "test"};
    client_target_add_url(&r, "wss://pool1.example.net:7443/v1/stream");
    client_target_add_url(&r, "wss://pool2.example.net:7443/v1/stream");
    client_target *t = calloc(1, sizeof *t);
    orbit_status st;
    assert_int_equal(client_target_resolve(&r, t, &st), ORBIT_OK);
    assert_true(t->tls);
    char why[200];
    assert_true(client_target_allows(t, "wss://pool2.example.net:7443/", why, sizeof why));
    assert_false(client_target_allows(t, "ws://pool2.example.net:7443/", why, sizeof why));
    assert_string_equal(why, "plaintext ws:// while the deployment uses TLS");
    /* A deployment that mixes the two is refused before anything is sent. */
    client_target_add_url(&r, "ws://pool3.example.net:7080/v1/stream");
    assert_int_equal(client_target_resolve(&r, t, &st), ORBIT_ERR_BAD_REQUEST);
    assert_non_null(strstr(st.message, "plaintext"));
    unsetenv("ORBIT_TOKEN");
    free(t);
}

static void no_pool_or_no_token_says_what_to_give(void **state)
{
    (void)state;
    unsetenv("ORBIT_TOKEN");
    client_target_request r = {.program = "test"};
    client_target *t = calloc(1, sizeof *t);
    orbit_status st;
    assert_int_equal(client_target_resolve(&r, t, &st), ORBIT_ERR_BAD_REQUEST);
    assert_non_null(strstr(st.message, "--deployment FILE"));
    client_target_add_url(&r, "ws://127.0.0.1:7081/v1/stream");
    assert_int_equal(client_target_resolve(&r, t, &st), ORBIT_ERR_BAD_REQUEST);
    assert_non_null(strstr(st.message, "ORBIT_TOKEN"));
    snprintf(r.token_file, sizeof r.token_file, "%s", write_temp("secret\n"));
    assert_int_equal(client_target_resolve(&r, t, &st), ORBIT_OK);
    assert_string_equal(t->token, "secret");
    unlink(r.token_file);
    assert_int_equal(client_target_resolve(&r, t, &st), ORBIT_ERR_BAD_REQUEST);
    assert_non_null(strstr(st.message, "token file"));
    free(t);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(urls_parse_and_compare_by_endpoint),
    cmocka_unit_test(a_deployment_file_names_the_pools_and_the_token),
    cmocka_unit_test(plaintext_is_never_allowed_in_a_tls_deployment),
    cmocka_unit_test(no_pool_or_no_token_says_what_to_give),
};

ORBIT_TEST_MAIN(tests)
