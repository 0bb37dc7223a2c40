/* sip_digest: SIP digest authentication (RFC 3261 22, RFC 7616 for
 * SHA-256) on the server side: stateless nonces, challenges, parsing an
 * Authorization header and checking its response against a stored HA1,
 * so the pool never sees a password. libre only implements the client
 * side (and MD5 only), hence this file; the hashes are OpenSSL's. */
#ifndef SIP_DIGEST_H
#define SIP_DIGEST_H

#include "orbit_error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { SIP_DIGEST_MD5 = 0, SIP_DIGEST_SHA256 } sip_digest_alg;

/* Big enough for a SHA-256 hex digest and NUL. */
#define SIP_DIGEST_HEX_MAX   65
#define SIP_DIGEST_FIELD_MAX 256
/* Nonces older than this are answered with stale=true. */
#define SIP_DIGEST_NONCE_LIFETIME_MS (5 * 60 * 1000)

/* The edge's nonce key: nonces are HMACs of their issue time, so any
 * nonce this edge issued is recognised without remembering it. */
typedef struct {
    uint8_t secret[32];
} sip_digest_keys;

typedef struct {
    sip_digest_alg alg;
    char username[SIP_DIGEST_FIELD_MAX];
    char realm[SIP_DIGEST_FIELD_MAX];
    char nonce[SIP_DIGEST_FIELD_MAX];
    char uri[SIP_DIGEST_FIELD_MAX];
    char response[SIP_DIGEST_FIELD_MAX];
    char qop[SIP_DIGEST_FIELD_MAX];
    char nc[SIP_DIGEST_FIELD_MAX];
    char cnonce[SIP_DIGEST_FIELD_MAX];
} sip_digest_credentials;

typedef enum {
    SIP_DIGEST_VALID = 0,
    SIP_DIGEST_STALE, /* right answer to an expired nonce: challenge again, stale=true */
    SIP_DIGEST_WRONG, /* wrong response, foreign nonce, unknown algorithm */
} sip_digest_verdict;

/* "MD5" / "SHA-256". */
const char *sip_digest_alg_name(sip_digest_alg alg);

/* Hex of H(user:realm:password) into hex (SIP_DIGEST_HEX_MAX bytes). */
bool sip_digest_ha1(sip_digest_alg alg, const char *user, const char *realm, const char *password,
                    char hex[SIP_DIGEST_HEX_MAX]);

/* A WWW-Authenticate value: Digest realm, nonce, algorithm, qop="auth",
 * stale=true when asked. False when it does not fit in cap. */
bool sip_digest_challenge(const sip_digest_keys *keys, sip_digest_alg alg, const char *realm,
                          int64_t now_ms, bool stale, char *out, size_t cap);

/* Parses an Authorization (or Proxy-Authorization) value starting
 * "Digest". Refuses (bad_request) another scheme, a missing username,
 * realm, nonce, uri or response, or a field longer than the limits. */
orbit_err sip_digest_parse(const char *value, size_t len, sip_digest_credentials *out,
                           orbit_status *st);

/* The response a client computes (RFC 7616 3.4.1, qop=auth, or RFC 2069
 * without qop when qop is NULL or empty), as hex into out. */
bool sip_digest_response(sip_digest_alg alg, const char *ha1_hex, const char *nonce, const char *nc,
                         const char *cnonce, const char *qop, const char *method, const char *uri,
                         char out[SIP_DIGEST_HEX_MAX]);

/* Checks a parsed response to method against ha1_hex (of cred->alg). */
sip_digest_verdict sip_digest_check(const sip_digest_keys *keys, const sip_digest_credentials *cred,
                                    const char *method, const char *ha1_hex, int64_t now_ms);

#endif
