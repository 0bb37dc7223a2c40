/* client_conf: the one key = value reader of the client programs: keys
 * and values trimmed, comments and blank lines skipped, and every problem
 * reported with the file and the line. */
#include "test_main.h"

#include "client_conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct {
    char seen[8][2][64];
    int n;
} collected;

static bool collect(void *ctx, const char *key, const char *value, int line, char *why,
                    size_t whylen)
{
    collected *c = ctx;
    (void)line;
    if (strcmp(key, "refuse") == 0) {
        snprintf(why, whylen, "unknown setting '%s'", key);
        return false;
    }
    if (c->n < 8) {
        snprintf(c->seen[c->n][0], 64, "%s", key);
        snprintf(c->seen[c->n][1], 64, "%s", value);
        c->n++;
    }
    return true;
}

static char *write_temp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/orbit-conf-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void settings_are_trimmed_and_comments_skipped(void **state)
{
    (void)state;
    char *path = write_temp("# a comment\n\n  url =  ws://h:1/v1/stream  \ntheme=light\n"
                            "empty =\nuri = sip:a=b@example.net\n");
    collected c = {0};
    orbit_status st;
    assert_int_equal(client_conf_read(path, false, collect, &c, &st), ORBIT_OK);
    unlink(path);
    assert_int_equal(c.n, 4);
    assert_string_equal(c.seen[0][0], "url");
    assert_string_equal(c.seen[0][1], "ws://h:1/v1/stream");
    assert_string_equal(c.seen[1][1], "light");
    assert_string_equal(c.seen[2][0], "empty");
    assert_string_equal(c.seen[2][1], "");
    assert_string_equal(c.seen[3][1], "sip:a=b@example.net"); /* only the first = splits */
}

static void problems_name_the_file_and_line(void **state)
{
    (void)state;
    char *path = write_temp("a = 1\nno equals sign here\n");
    collected c = {0};
    orbit_status st;
    assert_int_equal(client_conf_read(path, false, collect, &c, &st), ORBIT_ERR_BAD_REQUEST);
    char want[128];
    snprintf(want, sizeof want, "%s:2: expected key = value", path);
    assert_string_equal(st.message, want);
    unlink(path);
    path = write_temp("a = 1\n\nrefuse = x\nb = 2\n");
    memset(&c, 0, sizeof c);
    assert_int_equal(client_conf_read(path, false, collect, &c, &st), ORBIT_ERR_BAD_REQUEST);
    snprintf(want, sizeof want, "%s:3: unknown setting 'refuse'", path);
    assert_string_equal(st.message, want);
    assert_int_equal(c.n, 1); /* stops at the refused line */
    unlink(path);
}

static void a_missing_file_is_an_error_only_when_required(void **state)
{
    (void)state;
    collected c = {0};
    orbit_status st;
    assert_int_equal(client_conf_read("/nonexistent/orbit.conf", true, collect, &c, &st), ORBIT_OK);
    assert_int_equal(client_conf_read("/nonexistent/orbit.conf", false, collect, &c, &st),
                     ORBIT_ERR_BAD_REQUEST);
    assert_non_null(strstr(st.message, "/nonexistent/orbit.conf"));
}

static void yes_and_no_words(void **state)
{
    (void)state;
    bool v = false;
    assert_true(client_conf_bool("yes", &v));
    assert_true(v);
    assert_true(client_conf_bool("off", &v));
    assert_false(v);
    assert_false(client_conf_bool("maybe", &v));
    char small[4], why[64];
    assert_true(client_conf_copy(small, sizeof small, "abc", why, sizeof why));
    assert_false(client_conf_copy(small, sizeof small, "abcd", why, sizeof why));
    assert_string_equal(why, "value longer than 3 characters");
}

static void the_config_path_follows_xdg(void **state)
{
    (void)state;
    char path[256];
    setenv("XDG_CONFIG_HOME", "/x", 1);
    assert_true(client_conf_path("orbitop.conf", path, sizeof path));
    assert_string_equal(path, "/x/orbit/orbitop.conf");
    unsetenv("XDG_CONFIG_HOME");
    setenv("HOME", "/home/op", 1);
    assert_true(client_conf_path("orbitctl.conf", path, sizeof path));
    assert_string_equal(path, "/home/op/.config/orbit/orbitctl.conf");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(settings_are_trimmed_and_comments_skipped),
    cmocka_unit_test(problems_name_the_file_and_line),
    cmocka_unit_test(a_missing_file_is_an_error_only_when_required),
    cmocka_unit_test(yes_and_no_words),
    cmocka_unit_test(the_config_path_follows_xdg),
};

ORBIT_TEST_MAIN(tests)
