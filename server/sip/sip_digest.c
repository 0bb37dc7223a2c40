/* sip_digest: nonce = 16 hex digits of the issue time (ms) followed by 32
 * hex digits of HMAC-SHA-256(secret, those 16 digits). */
#include "sip_digest.h"

#include <ctype.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NONCE_TIME_HEX 16
#define NONCE_MAC_HEX  32

const char *sip_digest_alg_name(sip_digest_alg alg)
{
    return alg == SIP_DIGEST_SHA256 ? "SHA-256" : "MD5";
}

static void to_hex(const unsigned char *bytes, size_t n, char *hex)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        hex[2 * i] = digits[bytes[i] >> 4];
        hex[2 * i + 1] = digits[bytes[i] & 15];
    }
    hex[2 * n] = '\0';
}

/* Hex of H(parts joined by ':'); parts end with NULL. */
static bool hash_joined(sip_digest_alg alg, char hex[SIP_DIGEST_HEX_MAX], const char *const *parts)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx)
        return false;
    bool ok = EVP_DigestInit_ex(ctx, alg == SIP_DIGEST_SHA256 ? EVP_sha256() : EVP_md5(), NULL);
    for (size_t i = 0; ok && parts[i]; i++) {
        if (i > 0)
            ok = EVP_DigestUpdate(ctx, ":", 1);
        ok = ok && EVP_DigestUpdate(ctx, parts[i], strlen(parts[i]));
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    ok = ok && EVP_DigestFinal_ex(ctx, md, &len);
    EVP_MD_CTX_free(ctx);
    if (ok)
        to_hex(md, len, hex);
    return ok;
}

bool sip_digest_ha1(sip_digest_alg alg, const char *user, const char *realm, const char *password,
                    char hex[SIP_DIGEST_HEX_MAX])
{
    const char *parts[] = {user, realm, password, NULL};
    return hash_joined(alg, hex, parts);
}

static bool nonce_mac(const sip_digest_keys *keys, const char *time_hex,
                      char mac_hex[NONCE_MAC_HEX + 1])
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (!HMAC(EVP_sha256(), keys->secret, sizeof keys->secret, (const unsigned char *)time_hex,
              NONCE_TIME_HEX, mac, &len))
        return false;
    to_hex(mac, NONCE_MAC_HEX / 2, mac_hex);
    return true;
}

bool sip_digest_challenge(const sip_digest_keys *keys, sip_digest_alg alg, const char *realm,
                          int64_t now_ms, bool stale, char *out, size_t cap)
{
    char time_hex[NONCE_TIME_HEX + 1], mac_hex[NONCE_MAC_HEX + 1];
    snprintf(time_hex, sizeof time_hex, "%016" PRIx64, (uint64_t)now_ms);
    if (!nonce_mac(keys, time_hex, mac_hex))
        return false;
    int n =
        snprintf(out, cap, "Digest realm=\"%s\", nonce=\"%s%s\", algorithm=%s, qop=\"auth\"%s",
                 realm, time_hex, mac_hex, sip_digest_alg_name(alg), stale ? ", stale=true" : "");
    return n > 0 && (size_t)n < cap;
}

/* Copies one parameter value (quoted or token) into dst. */
static bool take_value(const char **p, const char *end, char *dst, size_t cap)
{
    const char *s = *p;
    size_t n = 0;
    if (s < end && *s == '"') {
        s++;
        while (s < end && *s != '"') {
            if (*s == '\\' && s + 1 < end)
                s++;
            if (n + 1 >= cap)
                return false;
            dst[n++] = *s++;
        }
        if (s >= end)
            return false; /* unterminated quote */
        s++;
    } else {
        while (s < end && *s != ',' && !isspace((unsigned char)*s)) {
            if (n + 1 >= cap)
                return false;
            dst[n++] = *s++;
        }
    }
    dst[n] = '\0';
    *p = s;
    return true;
}

orbit_err sip_digest_parse(const char *value, size_t len, sip_digest_credentials *out,
                           orbit_status *st)
{
    memset(out, 0, sizeof *out);
    const char *p = value, *end = value + len;
    while (p < end && isspace((unsigned char)*p))
        p++;
    if (end - p < 7 || strncasecmp(p, "Digest", 6) != 0 || !isspace((unsigned char)p[6]))
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "authorization", "not Digest");
    p += 7;
    char algorithm[SIP_DIGEST_FIELD_MAX] = "MD5";
    struct {
        const char *name;
        char *dst;
    } fields[] = {{"username", out->username},
                  {"realm", out->realm},
                  {"nonce", out->nonce},
                  {"uri", out->uri},
                  {"response", out->response},
                  {"qop", out->qop},
                  {"nc", out->nc},
                  {"cnonce", out->cnonce},
                  {"algorithm", algorithm}};
    while (p < end) {
        while (p < end && (isspace((unsigned char)*p) || *p == ','))
            p++;
        const char *name = p;
        while (p < end && *p != '=' && *p != ',' && !isspace((unsigned char)*p))
            p++;
        size_t name_len = (size_t)(p - name);
        while (p < end && isspace((unsigned char)*p))
            p++;
        if (name_len == 0)
            break;
        if (p >= end || *p != '=')
            return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "authorization",
                                    "parameter without a value");
        p++;
        while (p < end && isspace((unsigned char)*p))
            p++;
        char scratch[SIP_DIGEST_FIELD_MAX];
        char *dst = scratch;
        for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
            if (strlen(fields[i].name) == name_len &&
                strncasecmp(name, fields[i].name, name_len) == 0)
                dst = fields[i].dst;
        if (!take_value(&p, end, dst, SIP_DIGEST_FIELD_MAX))
            return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "authorization",
                                    "%.*s: value too long or unterminated", (int)name_len, name);
    }
    if (!*out->username || !*out->realm || !*out->nonce || !*out->uri || !*out->response)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "authorization",
                                "username, realm, nonce, uri and response are required");
    if (strcasecmp(algorithm, "MD5") == 0)
        out->alg = SIP_DIGEST_MD5;
    else if (strcasecmp(algorithm, "SHA-256") == 0)
        out->alg = SIP_DIGEST_SHA256;
    else
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "authorization",
                                "algorithm %s is not offered", algorithm);
    return ORBIT_OK;
}

bool sip_digest_response(sip_digest_alg alg, const char *ha1_hex, const char *nonce, const char *nc,
                         const char *cnonce, const char *qop, const char *method, const char *uri,
                         char out[SIP_DIGEST_HEX_MAX])
{
    char ha2[SIP_DIGEST_HEX_MAX];
    const char *a2[] = {method, uri, NULL};
    if (!hash_joined(alg, ha2, a2))
        return false;
    const char *with[] = {ha1_hex, nonce, nc, cnonce, qop, ha2, NULL};
    const char *without[] = {ha1_hex, nonce, ha2, NULL};
    return hash_joined(alg, out, qop && *qop ? with : without);
}

/* Constant time, so the comparison does not tell how much was right. */
static bool same_text(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = la != lb;
    for (size_t i = 0; i < la && i < lb; i++)
        diff |= (unsigned char)(tolower((unsigned char)a[i]) ^ tolower((unsigned char)b[i]));
    return diff == 0;
}

sip_digest_verdict sip_digest_check(const sip_digest_keys *keys, const sip_digest_credentials *cred,
                                    const char *method, const char *ha1_hex, int64_t now_ms)
{
    if (!ha1_hex || strlen(cred->nonce) != NONCE_TIME_HEX + NONCE_MAC_HEX)
        return SIP_DIGEST_WRONG;
    char time_hex[NONCE_TIME_HEX + 1], mac_hex[NONCE_MAC_HEX + 1];
    memcpy(time_hex, cred->nonce, NONCE_TIME_HEX);
    time_hex[NONCE_TIME_HEX] = '\0';
    if (!nonce_mac(keys, time_hex, mac_hex) || !same_text(mac_hex, cred->nonce + NONCE_TIME_HEX))
        return SIP_DIGEST_WRONG;
    if (*cred->qop && strcasecmp(cred->qop, "auth") != 0)
        return SIP_DIGEST_WRONG; /* auth-int is not offered */
    char want[SIP_DIGEST_HEX_MAX];
    if (!sip_digest_response(cred->alg, ha1_hex, cred->nonce, cred->nc, cred->cnonce, cred->qop,
                             method, cred->uri, want) ||
        !same_text(want, cred->response))
        return SIP_DIGEST_WRONG;
    uint64_t issued = strtoull(time_hex, NULL, 16);
    if (now_ms < 0 || (uint64_t)now_ms - issued > SIP_DIGEST_NONCE_LIFETIME_MS)
        return SIP_DIGEST_STALE;
    return SIP_DIGEST_VALID;
}
