/* SIP digest on the server side: the published examples of RFC 2617
 * (MD5) and RFC 7616 (SHA-256) come out right, a response to one of our
 * nonces is valid, a forged or foreign nonce and a wrong password are
 * not, an old nonce is stale, and the Authorization parser refuses what
 * it cannot take. */
#include "test_main.h"

#include "sip_digest.h"

#include <stdio.h>

static void rfc2617_md5_example(void **state)
{
    (void)state;
    char ha1[SIP_DIGEST_HEX_MAX], resp[SIP_DIGEST_HEX_MAX];
    assert_true(
        sip_digest_ha1(SIP_DIGEST_MD5, "Mufasa", "testrealm@host.com", "Circle Of Life", ha1));
    assert_string_equal(ha1, "939e7578ed9e3c518a452acee763bce9");
    assert_true(sip_digest_response(SIP_DIGEST_MD5, ha1, "dcd98b7102dd2f0e8b11d0f600bfb0c093",
                                    "00000001", "0a4f113b", "auth", "GET", "/dir/index.html",
                                    resp));
    assert_string_equal(resp, "6629fae49393a05397450978507c4ef1");
}

static void rfc7616_sha256_example(void **state)
{
    (void)state;
    char ha1[SIP_DIGEST_HEX_MAX], resp[SIP_DIGEST_HEX_MAX];
    assert_true(sip_digest_ha1(SIP_DIGEST_SHA256, "Mufasa", "http-auth@example.org",
                               "Circle of Life", ha1));
    assert_true(sip_digest_response(
        SIP_DIGEST_SHA256, ha1, "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", "00000001",
        "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", "auth", "GET", "/dir/index.html", resp));
    assert_string_equal(resp, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}

/* Answers a challenge the way a phone would, into an Authorization value. */
static void answer(const char *challenge, sip_digest_alg alg, const char *password, char *out,
                   size_t cap)
{
    const char *n = strstr(challenge, "nonce=\"");
    assert_non_null(n);
    char nonce[80];
    assert_int_equal(sscanf(n, "nonce=\"%79[^\"]\"", nonce), 1);
    char ha1[SIP_DIGEST_HEX_MAX], resp[SIP_DIGEST_HEX_MAX];
    assert_true(sip_digest_ha1(alg, "alice", "example.net", password, ha1));
    assert_true(sip_digest_response(alg, ha1, nonce, "00000001", "c0ffee", "auth", "REGISTER",
                                    "sip:pool1", resp));
    snprintf(out, cap,
             "Digest username=\"alice\", realm=\"example.net\", nonce=\"%s\", uri=\"sip:pool1\", "
             "response=\"%s\", algorithm=%s, qop=auth, nc=00000001, cnonce=\"c0ffee\"",
             nonce, resp, sip_digest_alg_name(alg));
}

static sip_digest_verdict verdict(const sip_digest_keys *keys, const char *auth, sip_digest_alg alg,
                                  const char *password, int64_t now)
{
    sip_digest_credentials cred;
    assert_int_equal(sip_digest_parse(auth, strlen(auth), &cred, NULL), ORBIT_OK);
    assert_int_equal(cred.alg, alg);
    char ha1[SIP_DIGEST_HEX_MAX];
    assert_true(sip_digest_ha1(alg, "alice", "example.net", password, ha1));
    return sip_digest_check(keys, &cred, "REGISTER", ha1, now);
}

static void our_nonce_is_accepted_then_stale(void **state)
{
    (void)state;
    sip_digest_keys keys = {{1, 2, 3}};
    const int64_t now = 1800000000000;
    for (int a = 0; a < 2; a++) {
        sip_digest_alg alg = a ? SIP_DIGEST_SHA256 : SIP_DIGEST_MD5;
        char chal[512], auth[1024];
        assert_true(sip_digest_challenge(&keys, alg, "example.net", now, false, chal, sizeof chal));
        assert_non_null(strstr(chal, sip_digest_alg_name(alg)));
        assert_non_null(strstr(chal, "qop=\"auth\""));
        answer(chal, alg, "secret", auth, sizeof auth);
        assert_int_equal(verdict(&keys, auth, alg, "secret", now + 1000), SIP_DIGEST_VALID);
        assert_int_equal(verdict(&keys, auth, alg, "wrong", now + 1000), SIP_DIGEST_WRONG);
        assert_int_equal(
            verdict(&keys, auth, alg, "secret", now + SIP_DIGEST_NONCE_LIFETIME_MS + 1),
            SIP_DIGEST_STALE);
    }
}

static void forged_or_foreign_nonces_are_wrong(void **state)
{
    (void)state;
    sip_digest_keys ours = {{1}}, theirs = {{2}};
    const int64_t now = 1800000000000;
    char chal[512], auth[1024];
    /* A nonce another edge issued. */
    assert_true(sip_digest_challenge(&theirs, SIP_DIGEST_MD5, "example.net", now, false, chal,
                                     sizeof chal));
    answer(chal, SIP_DIGEST_MD5, "secret", auth, sizeof auth);
    assert_int_equal(verdict(&ours, auth, SIP_DIGEST_MD5, "secret", now), SIP_DIGEST_WRONG);
    /* Our nonce with its time rewritten to look fresh. */
    assert_true(
        sip_digest_challenge(&ours, SIP_DIGEST_MD5, "example.net", now, true, chal, sizeof chal));
    assert_non_null(strstr(chal, "stale=true"));
    char *n = strstr(chal, "nonce=\"") + 7;
    n[15] = n[15] == '0' ? '1' : '0';
    answer(chal, SIP_DIGEST_MD5, "secret", auth, sizeof auth);
    assert_int_equal(verdict(&ours, auth, SIP_DIGEST_MD5, "secret", now), SIP_DIGEST_WRONG);
}

static void parser_refuses_what_it_cannot_take(void **state)
{
    (void)state;
    sip_digest_credentials cred;
    orbit_status st;
    const char *ok = "Digest username=\"a\\\"b\", realm=\"r\", nonce=\"n\", uri=\"sip:x\", "
                     "response=\"00\", opaque=\"ignored, with comma\"";
    assert_int_equal(sip_digest_parse(ok, strlen(ok), &cred, &st), ORBIT_OK);
    assert_string_equal(cred.username, "a\"b");
    assert_int_equal(cred.alg, SIP_DIGEST_MD5); /* the default */
    const char *bad[] = {
        "Basic YWxpY2U6c2VjcmV0",
        "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"sip:x\"",
        "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"sip:x\", response=\"0",
        ("Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"sip:x\", response=0, "
         "algorithm=SHA-512-256"),
        "Digest username",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(sip_digest_parse(bad[i], strlen(bad[i]), &cred, &st),
                         ORBIT_ERR_BAD_REQUEST);
    char huge[2048];
    snprintf(huge, sizeof huge, "Digest username=\"%0600d\", realm=\"r\"", 0);
    assert_int_equal(sip_digest_parse(huge, strlen(huge), &cred, &st), ORBIT_ERR_BAD_REQUEST);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(rfc2617_md5_example),
    cmocka_unit_test(rfc7616_sha256_example),
    cmocka_unit_test(our_nonce_is_accepted_then_stale),
    cmocka_unit_test(forged_or_foreign_nonces_are_wrong),
    cmocka_unit_test(parser_refuses_what_it_cannot_take),
};

ORBIT_TEST_MAIN(tests)
