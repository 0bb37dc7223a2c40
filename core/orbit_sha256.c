/* orbit_sha256: SHA-256 through OpenSSL's EVP interface. */
#include "orbit_sha256.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

struct orbit_sha256 {
    EVP_MD_CTX *ctx;
};

orbit_sha256 *orbit_sha256_new(void)
{
    orbit_sha256 *h = malloc(sizeof *h);
    if (!h)
        return NULL;
    h->ctx = EVP_MD_CTX_new();
    if (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(h->ctx);
        free(h);
        return NULL;
    }
    return h;
}

bool orbit_sha256_update(orbit_sha256 *h, const void *data, size_t len)
{
    return EVP_DigestUpdate(h->ctx, data, len) == 1;
}

bool orbit_sha256_finish(orbit_sha256 *h, char hex[ORBIT_SHA256_HEX_BUF])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    bool ok = EVP_DigestFinal_ex(h->ctx, md, &n) == 1 && n == 32;
    if (ok) {
        static const char digits[] = "0123456789abcdef";
        for (unsigned i = 0; i < n; i++) {
            hex[2 * i] = digits[md[i] >> 4];
            hex[2 * i + 1] = digits[md[i] & 15];
        }
        hex[64] = '\0';
    }
    orbit_sha256_abort(h);
    return ok;
}

void orbit_sha256_abort(orbit_sha256 *h)
{
    if (!h)
        return;
    EVP_MD_CTX_free(h->ctx);
    free(h);
}

bool orbit_sha256_buffer(const void *data, size_t len, char hex[ORBIT_SHA256_HEX_BUF])
{
    orbit_sha256 *h = orbit_sha256_new();
    if (!h)
        return false;
    if (!orbit_sha256_update(h, data, len)) {
        orbit_sha256_abort(h);
        return false;
    }
    return orbit_sha256_finish(h, hex);
}

bool orbit_sha256_file(const char *path, char hex[ORBIT_SHA256_HEX_BUF])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    orbit_sha256 *h = orbit_sha256_new();
    if (!h) {
        fclose(f);
        errno = ENOMEM;
        return false;
    }
    unsigned char buf[65536];
    size_t n;
    bool ok = true;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        if (!orbit_sha256_update(h, buf, n)) {
            ok = false;
            break;
        }
    }
    if (ferror(f))
        ok = false;
    fclose(f);
    if (!ok) {
        orbit_sha256_abort(h);
        return false;
    }
    return orbit_sha256_finish(h, hex);
}
