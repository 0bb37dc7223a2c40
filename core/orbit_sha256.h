/* orbit_sha256: SHA-256 of buffers and files as lower-case hex, for MOH
 * integrity checks (OpenSSL's EVP digest underneath). */
#ifndef ORBIT_SHA256_H
#define ORBIT_SHA256_H

#include <stdbool.h>
#include <stddef.h>

#define ORBIT_SHA256_HEX_BUF 65

typedef struct orbit_sha256 orbit_sha256;

/* Incremental use: new, update..., finish (writes hex, frees). NULL on OOM. */
orbit_sha256 *orbit_sha256_new(void);
bool orbit_sha256_update(orbit_sha256 *h, const void *data, size_t len);
bool orbit_sha256_finish(orbit_sha256 *h, char hex[ORBIT_SHA256_HEX_BUF]);
/* Frees without a result (on an error path). */
void orbit_sha256_abort(orbit_sha256 *h);

bool orbit_sha256_buffer(const void *data, size_t len, char hex[ORBIT_SHA256_HEX_BUF]);

/* Hashes a whole file; false (errno set) when it cannot be read. */
bool orbit_sha256_file(const char *path, char hex[ORBIT_SHA256_HEX_BUF]);

#endif
