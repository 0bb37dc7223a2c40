/* demo_tls: a self-signed certificate for a TLS demo deployment on
 * loopback (subject localhost, IP 127.0.0.1), made with OpenSSL. */
#ifndef DEMO_TLS_H
#define DEMO_TLS_H

#include <stdbool.h>
#include <stddef.h>

/* Writes a certificate and its private key (mode 0600) in PEM. */
bool demo_tls_make_self_signed(const char *cert_path, const char *key_path, char *why,
                               size_t why_len);

#endif
