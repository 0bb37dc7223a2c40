/* client_depfile: reading an orbit-demo deployment.json (pools with their
 * stream URLs, the tokens, the CA of a TLS demo, the clock scale), so
 * tools can be pointed at a local deployment by one path. client_target
 * is its one user; a pool's HTTP base is derived from its stream URL
 * (client_url), never taken from a second field that could disagree. */
#ifndef CLIENT_DEPFILE_H
#define CLIENT_DEPFILE_H

#include "orbit_error.h"
#include "orbit_text.h"

#include <stddef.h>

typedef struct {
    char fqdn[ORBIT_FQDN_MAX + 1];
    char url[512];
} client_depfile_pool;

typedef struct {
    client_depfile_pool *pools;
    size_t npools;
    char viewer[257];
    char operator_token[257];
    char endpoint[257];
    char ca[1024];
    double clock_scale;
} client_depfile;

orbit_err client_depfile_load(const char *path, client_depfile *out, orbit_status *st);
void client_depfile_free(client_depfile *d);

/* A pool by FQDN, or NULL. */
const client_depfile_pool *client_depfile_pool_find(const client_depfile *d, const char *fqdn);

/* The token for a role name ("viewer", "operator", "endpoint"), or NULL. */
const char *client_depfile_token(const client_depfile *d, const char *role);

#endif
