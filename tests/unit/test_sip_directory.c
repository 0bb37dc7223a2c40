/* The SIP edge's directory snapshot: users found by URI (host case
 * ignored) and by user part, pools by FQDN, orbit and group numbers by
 * range; refusals for bad entries; reference counting keeps a snapshot
 * alive while the edge reads it; a rebuilt snapshot shares its users. */
#include "test_main.h"

#include "sip_directory.h"

static sip_directory *sample(void)
{
    sip_directory_builder *b = sip_directory_builder_new("pool1.example.net");
    assert_non_null(b);
    sip_dir_pool p1 = {"pool1.example.net", "sip:127.0.0.1:5161"};
    sip_dir_pool p2 = {"pool2.example.net", "sip:127.0.0.1:5162"};
    assert_int_equal(sip_directory_add_pool(b, &p1, NULL), ORBIT_OK);
    assert_int_equal(sip_directory_add_pool(b, &p2, NULL), ORBIT_OK);
    sip_dir_user alice = {.uri = "sip:alice@example.net",
                          .home = "pool1.example.net",
                          .serving = "pool2.example.net",
                          .pickup_group = "17000",
                          .ha1_md5 = "939e7578ed9e3c518a452acee763bce9"};
    assert_int_equal(sip_directory_add_user(b, &alice, NULL), ORBIT_OK);
    sip_dir_range park = {"11000", "11099", "pool1.example.net", false};
    sip_dir_range star = {"*1000", "*1099", "pool2.example.net", false};
    sip_dir_range group = {"17000", "17009", "pool1.example.net", true};
    assert_int_equal(sip_directory_add_range(b, &park, NULL), ORBIT_OK);
    assert_int_equal(sip_directory_add_range(b, &star, NULL), ORBIT_OK);
    assert_int_equal(sip_directory_add_range(b, &group, NULL), ORBIT_OK);
    media_moh *moh = NULL;
    int16_t pcm[160] = {0};
    assert_int_equal(media_moh_from_pcm(pcm, 160, &moh, NULL), ORBIT_OK);
    sip_directory_set_moh(b, moh);
    media_moh_unref(moh);
    sip_directory *dir = sip_directory_build(b);
    assert_non_null(dir);
    return dir;
}

static void users_are_found_by_uri_and_by_name(void **state)
{
    (void)state;
    sip_directory *dir = sample();
    const sip_dir_user *u = sip_directory_user(dir, "sip:alice@EXAMPLE.net;transport=udp");
    assert_non_null(u);
    assert_string_equal(u->serving, "pool2.example.net");
    assert_string_equal(u->pickup_group, "17000");
    assert_null(u->ha1_sha256);
    assert_ptr_equal(sip_directory_user_by_name(dir, "alice"), u);
    assert_null(sip_directory_user(dir, "sip:alice@other.net"));
    assert_null(sip_directory_user_by_name(dir, "mallory"));
    assert_string_equal(sip_directory_pool(dir, "pool2.example.net")->sip_uri,
                        "sip:127.0.0.1:5162");
    assert_null(sip_directory_pool(dir, "pool3.example.net"));
    assert_string_equal(sip_directory_self(dir), "pool1.example.net");
    assert_int_equal(sip_directory_user_count(dir), 1);
    sip_directory_unref(dir);
}

static void numbers_are_found_in_their_range(void **state)
{
    (void)state;
    sip_directory *dir = sample();
    const sip_dir_range *r = sip_directory_range_of(dir, "11042");
    assert_non_null(r);
    assert_false(r->pickup);
    assert_true(sip_directory_range_of(dir, "17003")->pickup);
    assert_string_equal(sip_directory_range_of(dir, "*1050")->pool, "pool2.example.net");
    assert_null(sip_directory_range_of(dir, "11100"));
    assert_null(sip_directory_range_of(dir, "1104"));  /* shorter: another shape */
    assert_null(sip_directory_range_of(dir, "#1050")); /* another prefix */
    assert_null(sip_directory_range_of(dir, "park"));
    sip_directory_unref(dir);
}

static void bad_entries_are_refused(void **state)
{
    (void)state;
    sip_directory_builder *b = sip_directory_builder_new("p");
    orbit_status st;
    sip_dir_user no_sip = {.uri = "alice@example.net", .home = "p", .serving = "p"};
    assert_int_equal(sip_directory_add_user(b, &no_sip, &st), ORBIT_ERR_BAD_REQUEST);
    sip_dir_user bad_ha1 = {.uri = "sip:a@x", .home = "p", .serving = "p", .ha1_md5 = "xyz"};
    assert_int_equal(sip_directory_add_user(b, &bad_ha1, &st), ORBIT_ERR_BAD_REQUEST);
    sip_dir_user ok = {.uri = "sip:a@x", .home = "p", .serving = "p"};
    assert_int_equal(sip_directory_add_user(b, &ok, &st), ORBIT_OK);
    assert_int_equal(sip_directory_add_user(b, &ok, &st), ORBIT_ERR_CONFLICT);
    sip_dir_pool bad_pool = {"p", "http://x"};
    assert_int_equal(sip_directory_add_pool(b, &bad_pool, &st), ORBIT_ERR_BAD_REQUEST);
    sip_dir_range backwards = {"200", "100", "p", false};
    assert_int_equal(sip_directory_add_range(b, &backwards, &st), ORBIT_ERR_BAD_REQUEST);
    char long_pool[300];
    memset(long_pool, 'p', sizeof long_pool - 1);
    long_pool[sizeof long_pool - 1] = '\0';
    sip_dir_range too_long = {"100", "200", long_pool, false};
    assert_int_equal(sip_directory_add_range(b, &too_long, &st), ORBIT_ERR_BAD_REQUEST);
    sip_directory_builder_free(b);
}

static void a_reference_keeps_the_snapshot_and_its_moh(void **state)
{
    (void)state;
    sip_directory *dir = sample();
    sip_directory *held = sip_directory_ref(dir);
    media_moh *moh = media_moh_ref(sip_directory_moh(dir));
    sip_directory_unref(dir);
    assert_non_null(sip_directory_user(held, "sip:alice@example.net"));
    sip_directory_unref(held);
    assert_int_equal(media_moh_samples(moh), 160); /* still ours */
    media_moh_unref(moh);
}

/* A directory rebuilt for an orbit-table change shares its users with
 * the last one: they outlive the directory they came from, and the new
 * one takes no users of its own. */
static void a_rebuilt_directory_shares_the_users(void **state)
{
    (void)state;
    sip_directory *old = sample();
    sip_directory_builder *b = sip_directory_builder_new("pool1.example.net");
    assert_non_null(b);
    sip_directory_builder_share_users(b, old);
    sip_dir_range moved = {"11000", "11099", "pool2.example.net", false};
    assert_int_equal(sip_directory_add_range(b, &moved, NULL), ORBIT_OK);
    orbit_status st;
    sip_dir_user bob = {.uri = "sip:bob@example.net", .home = "p", .serving = "p"};
    assert_int_equal(sip_directory_add_user(b, &bob, &st), ORBIT_ERR_INTERNAL);
    sip_directory *fresh = sip_directory_build(b);
    assert_non_null(fresh);
    const sip_dir_user *alice = sip_directory_user(old, "sip:alice@example.net");
    assert_ptr_equal(sip_directory_user(fresh, "sip:alice@example.net"), alice);
    sip_directory_unref(old);
    alice = sip_directory_user_by_name(fresh, "alice");
    assert_non_null(alice);
    assert_string_equal(alice->serving, "pool2.example.net");
    assert_null(sip_directory_user(fresh, "sip:bob@example.net"));
    assert_int_equal(sip_directory_user_count(fresh), 1);
    assert_string_equal(sip_directory_range_of(fresh, "11050")->pool, "pool2.example.net");
    sip_directory_unref(fresh);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(users_are_found_by_uri_and_by_name),
    cmocka_unit_test(numbers_are_found_in_their_range),
    cmocka_unit_test(bad_entries_are_refused),
    cmocka_unit_test(a_reference_keeps_the_snapshot_and_its_moh),
    cmocka_unit_test(a_rebuilt_directory_shares_the_users),
};

ORBIT_TEST_MAIN(tests)
