/* demo_tls: EC P-256 key and a one-year self-signed certificate. */
#include "demo_tls.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <unistd.h>

static bool add_san(X509 *cert)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
    X509_EXTENSION *ext =
        X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
    if (!ext)
        return false;
    bool ok = X509_add_ext(cert, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

static FILE *open_private(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "w");
    if (!f)
        close(fd);
    return f;
}

bool demo_tls_make_self_signed(const char *cert_path, const char *key_path, char *why,
                               size_t why_len)
{
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *cert = key ? X509_new() : NULL;
    bool ok = cert != NULL;
    if (ok) {
        X509_NAME *name = X509_get_subject_name(cert);
        ok = X509_set_version(cert, 2) == 1 &&
             ASN1_INTEGER_set(X509_get_serialNumber(cert), (long)getpid()) == 1 &&
             X509_gmtime_adj(X509_getm_notBefore(cert), -3600) &&
             X509_gmtime_adj(X509_getm_notAfter(cert), 365L * 24 * 3600) &&
             X509_set_pubkey(cert, key) == 1 &&
             X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                        (const unsigned char *)"localhost", -1, -1, 0) == 1 &&
             X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                        (const unsigned char *)"orbit-demo", -1, -1, 0) == 1 &&
             X509_set_issuer_name(cert, name) == 1 && add_san(cert) &&
             X509_sign(cert, key, EVP_sha256()) > 0;
    }
    if (ok) {
        FILE *kf = open_private(key_path);
        ok = kf && PEM_write_PrivateKey(kf, key, NULL, NULL, 0, NULL, NULL) == 1;
        if (kf && fclose(kf) != 0)
            ok = false;
        FILE *cf = ok ? fopen(cert_path, "w") : NULL;
        ok = ok && cf && PEM_write_X509(cf, cert) == 1;
        if (cf && fclose(cf) != 0)
            ok = false;
        if (!ok)
            snprintf(why, why_len, "cannot write %s or %s", cert_path, key_path);
    } else {
        snprintf(why, why_len, "OpenSSL could not make a key and certificate");
    }
    X509_free(cert);
    EVP_PKEY_free(key);
    return ok;
}
