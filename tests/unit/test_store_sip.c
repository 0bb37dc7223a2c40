/* test_store_sip: what the deployment store keeps for the SIP edge: each
 * user's digest HA1s and each pool's SIP URI survive both backends'
 * codecs, and a SQLite file written by an older orbitd (schema 2, with
 * neither) is upgraded when opened, its rows kept. */
#include "test_main.h"

#include "store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define MD5    "0123456789abcdef0123456789abcdef"
#define SHA256 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

typedef struct {
    char dir[64];
    char path[128];
} tmp_store;

static int setup(void **state)
{
    tmp_store *t = calloc(1, sizeof *t);
    assert_non_null(t);
    snprintf(t->dir, sizeof t->dir, "/tmp/orbit-store-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->path, sizeof t->path, "%s/store.db", t->dir);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    tmp_store *t = *state;
    const char *suffixes[] = {"", "-wal", "-shm", "-live", "-live-wal", "-live-shm"};
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
        char p[160];
        snprintf(p, sizeof p, "%s%s", t->path, suffixes[i]);
        unlink(p);
    }
    rmdir(t->dir);
    free(t);
    return 0;
}

static orbit_user user_with_ha1s(void)
{
    orbit_user u;
    memset(&u, 0, sizeof u);
    snprintf(u.uri, sizeof u.uri, "sip:alice@example.net");
    snprintf(u.home, sizeof u.home, "pool1.example.net");
    snprintf(u.sip_ha1_md5, sizeof u.sip_ha1_md5, MD5);
    snprintf(u.sip_ha1_sha256, sizeof u.sip_ha1_sha256, SHA256);
    return u;
}

static void etcd_rows_keep_ha1s_and_sip_uris(void **state)
{
    (void)state;
    orbit_status st;
    orbit_user u = user_with_ha1s();
    json_t *j = store_user_to_json(&u);
    orbit_user back;
    assert_int_equal(store_user_from_json(j, &back, &st), ORBIT_OK);
    assert_string_equal(back.sip_ha1_md5, MD5);
    assert_string_equal(back.sip_ha1_sha256, SHA256);
    /* A corrupt HA1 is refused, never used to check a digest. */
    json_object_set_new(j, "sip_ha1_md5", json_string("not hex"));
    assert_int_equal(store_user_from_json(j, &back, &st), ORBIT_ERR_INTERNAL);
    json_decref(j);
    /* Without HA1s, the row has none and reads back empty. */
    u.sip_ha1_md5[0] = u.sip_ha1_sha256[0] = '\0';
    j = store_user_to_json(&u);
    assert_false(json_is_string(json_object_get(j, "sip_ha1_md5")));
    assert_int_equal(store_user_from_json(j, &back, &st), ORBIT_OK);
    assert_string_equal(back.sip_ha1_md5, "");
    json_decref(j);

    pool_info p;
    memset(&p, 0, sizeof p);
    snprintf(p.fqdn, sizeof p.fqdn, "pool1.example.net");
    snprintf(p.site, sizeof p.site, "north");
    snprintf(p.sip, sizeof p.sip, "sip:127.0.0.1:5161");
    j = store_pool_to_json(&p);
    pool_info pb;
    assert_int_equal(store_pool_from_json(j, &pb, &st), ORBIT_OK);
    assert_string_equal(pb.sip, "sip:127.0.0.1:5161");
    json_decref(j);
}

/* The tables as orbitd wrote them before the SIP edge (schema 2). */
static void write_schema_2_file(const char *path)
{
    static const char *const sql =
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE pools(fqdn TEXT PRIMARY KEY, site TEXT NOT NULL,"
        " backup TEXT NOT NULL DEFAULT '', url TEXT NOT NULL DEFAULT '');"
        "CREATE TABLE ranges(identity TEXT PRIMARY KEY COLLATE NOCASE,"
        " start TEXT NOT NULL, \"end\" TEXT NOT NULL, pool TEXT NOT NULL, type TEXT NOT NULL);"
        "CREATE TABLE users(uri TEXT PRIMARY KEY, home TEXT NOT NULL, pickup_group TEXT);"
        "CREATE TABLE dr(home TEXT PRIMARY KEY, phase TEXT NOT NULL,"
        " since_ms INTEGER NOT NULL, ends_ms INTEGER NOT NULL, disaster_mode INTEGER NOT NULL,"
        " run_by TEXT NOT NULL DEFAULT '');"
        "CREATE TABLE changes(seq INTEGER PRIMARY KEY AUTOINCREMENT,"
        " time_ms INTEGER NOT NULL, origin TEXT NOT NULL, who TEXT NOT NULL, kind TEXT NOT NULL,"
        " data TEXT NOT NULL);"
        "INSERT INTO meta VALUES('schema', '2');"
        "INSERT INTO meta VALUES('initialised', '1');"
        "INSERT INTO pools VALUES('pool1.example.net', 'north', '', 'ws://127.0.0.1:7081/');"
        "INSERT INTO users VALUES('sip:bob@example.net', 'pool1.example.net', NULL);"
        "INSERT INTO dr VALUES('pool1.example.net', 'normal', 0, 0, 0, '');";
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static const char *schema_of(const char *path, char *out, size_t cap)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    out[0] = '\0';
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key='schema'", -1, &stmt, NULL),
        SQLITE_OK);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        snprintf(out, cap, "%s", (const char *)sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return out;
}

static void old_sqlite_file_is_upgraded_and_then_keeps_ha1s(void **state)
{
    tmp_store *t = *state;
    write_schema_2_file(t->path);
    store_options opt;
    store_options_init(&opt, t->path);
    orbit_store *s = NULL;
    orbit_status st;
    assert_int_equal(store_open(&opt, &s, &st), ORBIT_OK);
    store_image img;
    assert_int_equal(store_load(s, &img, &st), ORBIT_OK);
    assert_int_equal(img.nusers, 1);
    assert_string_equal(img.users[0].uri, "sip:bob@example.net");
    assert_string_equal(img.users[0].sip_ha1_md5, "");
    assert_int_equal(img.npools, 1);
    assert_string_equal(img.pools[0].sip, "");
    char version[16];
    assert_string_equal(schema_of(t->path, version, sizeof version), "3");

    /* Written now, the HA1s and the SIP URI come back. */
    orbit_user *users = realloc(img.users, 2 * sizeof *users);
    assert_non_null(users);
    img.users = users;
    img.users[img.nusers++] = user_with_ha1s();
    snprintf(img.pools[0].sip, sizeof img.pools[0].sip, "sip:127.0.0.1:5161");
    assert_int_equal(store_import(s, &img, true, &st), ORBIT_OK);
    store_image_free(&img);
    store_close(s);

    assert_int_equal(store_open(&opt, &s, &st), ORBIT_OK);
    assert_int_equal(store_load(s, &img, &st), ORBIT_OK);
    const orbit_user *alice = NULL;
    for (size_t i = 0; i < img.nusers; i++)
        if (strcmp(img.users[i].uri, "sip:alice@example.net") == 0)
            alice = &img.users[i];
    assert_non_null(alice);
    assert_string_equal(alice->sip_ha1_md5, MD5);
    assert_string_equal(alice->sip_ha1_sha256, SHA256);
    assert_string_equal(img.pools[0].sip, "sip:127.0.0.1:5161");
    store_image_free(&img);
    store_close(s);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(etcd_rows_keep_ha1s_and_sip_uris),
    cmocka_unit_test_setup_teardown(old_sqlite_file_is_upgraded_and_then_keeps_ha1s, setup,
                                    teardown),
};

ORBIT_TEST_MAIN(tests)
