/* client_vault: backups are kept per deployment and pool, so two
 * deployments with the same pool names never restore each other's; the
 * deployment's name is the same whichever pool or file named its pools;
 * only uploads the pool verified are restorable; and consoles recording
 * the same settings at the same moment record them once. */
#include "test_main.h"

#include "client_vault.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static char *temp_dir(void)
{
    static char dir[64];
    snprintf(dir, sizeof dir, "/tmp/orbit-vault-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return dir;
}

static void remove_dir(const char *dir)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static size_t entries(client_vault *v, const char *pool)
{
    orbit_status st;
    json_t *list = client_vault_list(v, pool, &st);
    size_t n = json_array_size(list);
    json_decref(list);
    return n;
}

static void a_deployment_is_named_by_its_pools_in_any_order(void **state)
{
    (void)state;
    client_vault_pool one[] = {{"p1.example.net", "ws://10.0.0.1:7081/v1/stream"},
                               {"p2.example.net", "ws://10.0.0.2:7081/v1/stream"}};
    client_vault_pool other_order[] = {{"p2.example.net", "ws://10.0.0.2:7081"},
                                       {"p1.example.net", "ws://10.0.0.1:7081/"}};
    client_vault_pool other_lab[] = {{"p1.example.net", "ws://127.0.0.1:9081/v1/stream"},
                                     {"p2.example.net", "ws://127.0.0.1:9082/v1/stream"}};
    char a[CLIENT_VAULT_NAME_MAX + 1], b[CLIENT_VAULT_NAME_MAX + 1], c[CLIENT_VAULT_NAME_MAX + 1];
    client_vault_deployment_id(one, 2, a);
    client_vault_deployment_id(other_order, 2, b);
    client_vault_deployment_id(other_lab, 2, c);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_int_equal(strlen(a), 18);
    assert_null(client_vault_name_check(a));
    assert_non_null(client_vault_name_check("../etc"));
    assert_non_null(client_vault_name_check(".hidden"));
}

static void two_deployments_with_the_same_pool_names_are_kept_apart(void **state)
{
    (void)state;
    char *dir = temp_dir();
    client_vault *lab, *prod;
    orbit_status st;
    assert_int_equal(client_vault_open(dir, "lab", &lab, &st), ORBIT_OK);
    assert_int_equal(client_vault_open(dir, "prod", &prod, &st), ORBIT_OK);
    cps_settings s;
    cps_settings_default(&s);
    s.max_call_pickup_attempts = 7;
    assert_int_equal(client_vault_store_settings(lab, "p1.example.net", &s, "me", &st), ORBIT_OK);
    char path[1024];
    json_t *e = client_vault_find(prod, "p1.example.net", "settings", NULL, path, sizeof path, &st);
    assert_null(e); /* prod's p1 has no backup: lab's is not offered */
    assert_int_equal(st.code, ORBIT_ERR_NOT_FOUND);
    e = client_vault_find(lab, "p1.example.net", "settings", NULL, path, sizeof path, &st);
    assert_non_null(e);
    json_decref(e);
    client_vault_close(prod);
    assert_int_equal(client_vault_open(dir, "../x", &prod, &st), ORBIT_ERR_BAD_REQUEST);
    /* A reader that must write nothing opens only what is there. */
    assert_int_equal(client_vault_open_existing(dir, "staging", &prod, &st), ORBIT_ERR_NOT_FOUND);
    char staging[128];
    snprintf(staging, sizeof staging, "%s/staging", dir);
    assert_int_not_equal(access(staging, F_OK), 0);
    assert_int_equal(client_vault_open_existing(dir, "lab", &prod, &st), ORBIT_OK);
    client_vault_close(prod);
    client_vault_close(lab);
    remove_dir(dir);
}

static void only_verified_uploads_are_restorable(void **state)
{
    (void)state;
    char *dir = temp_dir();
    client_vault *v;
    orbit_status st;
    assert_int_equal(client_vault_open(dir, "lab", &v, &st), ORBIT_OK);
    char file[128], sha[65];
    snprintf(file, sizeof file, "%s/hold.wav", dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fputs("RIFF....WAVEfmt ", f);
    fclose(f);
    assert_int_equal(client_vault_keep_moh(v, "p1.example.net", file, sha, &st), ORBIT_OK);
    assert_int_equal(entries(v, "p1.example.net"), 0); /* kept, not listed yet */
    assert_int_equal(client_vault_record_moh(v, "p1.example.net", sha, "hold.wav", 16, "me", false,
                                             "unsupported_media: not audio", &st),
                     ORBIT_OK);
    char path[1024];
    assert_null(client_vault_find(v, "p1.example.net", "moh", NULL, path, sizeof path, &st));
    json_t *list = client_vault_list(v, "p1.example.net", &st);
    json_t *only = json_array_get(list, 0);
    assert_false(json_is_true(json_object_get(only, "restorable")));
    assert_true(json_is_true(json_object_get(only, "have")));
    assert_string_equal(json_string_value(json_object_get(only, "failure")),
                        "unsupported_media: not audio");
    json_decref(list);
    assert_int_equal(
        client_vault_record_moh(v, "p1.example.net", sha, "hold.wav", 16, "me", true, NULL, &st),
        ORBIT_OK);
    json_t *e = client_vault_find(v, "p1.example.net", "moh", NULL, path, sizeof path, &st);
    assert_non_null(e);
    assert_true(json_is_true(json_object_get(e, "verified")));
    json_decref(e);
    client_vault_close(v);
    remove_dir(dir);
}

static void consoles_recording_the_same_change_record_it_once(void **state)
{
    (void)state;
    char *dir = temp_dir();
    cps_settings s;
    cps_settings_default(&s);
    s.call_pickup_timeout_threshold = 45;
    /* Eight processes see the same change at once. */
    pid_t kids[8];
    for (int i = 0; i < 8; i++) {
        kids[i] = fork();
        assert_true(kids[i] >= 0);
        if (kids[i] == 0) {
            client_vault *v;
            orbit_status st;
            int ok =
                client_vault_open(dir, "lab", &v, &st) == ORBIT_OK &&
                client_vault_store_settings(v, "p1.example.net", &s, "console", &st) == ORBIT_OK;
            _exit(ok ? 0 : 1);
        }
    }
    for (int i = 0; i < 8; i++) {
        int status;
        assert_int_equal(waitpid(kids[i], &status, 0), kids[i]);
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    client_vault *v;
    orbit_status st;
    assert_int_equal(client_vault_open(dir, "lab", &v, &st), ORBIT_OK);
    assert_int_equal(entries(v, "p1.example.net"), 1);
    client_vault_close(v);
    remove_dir(dir);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(a_deployment_is_named_by_its_pools_in_any_order),
    cmocka_unit_test(two_deployments_with_the_same_pool_names_are_kept_apart),
    cmocka_unit_test(only_verified_uploads_are_restorable),
    cmocka_unit_test(consoles_recording_the_same_change_record_it_once),
};

ORBIT_TEST_MAIN(tests)
