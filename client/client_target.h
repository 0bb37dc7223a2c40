/* client_target: the one place where orbitop, orbitctl and orbit-sim work
 * out which deployment they talk to and with what: the pools (from an
 * orbit-demo deployment.json and from URLs given in the configuration or
 * on the command line), the token (a token file, else ORBIT_TOKEN, else
 * the deployment's token for the program's role) and the CA for TLS.
 *
 * The pools named here are the configured deployment: a token goes to
 * them and to nothing else. A pool's snapshot lists every pool's URL, and
 * a pool that is compromised or misconfigured could list any URL at all,
 * so a discovered URL is dialled only when it is one of these, and never
 * in plaintext when the deployment uses TLS. */
#ifndef CLIENT_TARGET_H
#define CLIENT_TARGET_H

#include "orbit_error.h"
#include "orbit_frame.h"
#include "orbit_text.h"

#include <stdbool.h>
#include <stddef.h>

#define CLIENT_TARGET_URLS 64
#define CLIENT_URL_MAX     512
#define CLIENT_PATH_MAX    1024

/* What the operator asked for, from flags, environment and config file. */
typedef struct {
    const char *program;    /* "orbitop": names the program in messages */
    const char *token_role; /* the deployment's token to fall back on: "operator", "endpoint" */
    char deployment[CLIENT_PATH_MAX]; /* an orbit-demo deployment.json, or "" */
    char token_file[CLIENT_PATH_MAX];
    char ca[CLIENT_PATH_MAX];
    char urls[CLIENT_TARGET_URLS][CLIENT_URL_MAX];
    size_t nurls;
} client_target_request;

typedef struct {
    char fqdn[ORBIT_FQDN_MAX + 1]; /* "" for a pool given by URL only */
    char url[CLIENT_URL_MAX];      /* its stream URL */
    char http[CLIENT_URL_MAX];     /* its HTTP base */
} client_target_pool;

typedef struct {
    client_target_pool pools[CLIENT_TARGET_URLS]; /* the deployment's, then the URLs given */
    size_t npools;
    bool from_file; /* the pools came from a deployment file: the list is whole */
    bool tls;       /* the deployment uses wss:// (and so https://) */
    char token[ORBIT_TOKEN_MAX + 1];
    char ca[CLIENT_PATH_MAX];
    double clock_scale; /* the deployment's, 1 when it says nothing */
} client_target;

/* Adds a URL to the request; false when the request is full. */
bool client_target_add_url(client_target_request *r, const char *url);

/* Resolves a request. Refuses (bad_request, with a message naming the
 * fix) a deployment file that cannot be read, an unreadable or empty
 * token file, a URL that is not ws:// or wss://, a deployment mixing
 * plaintext and TLS pools, no pool at all and no token at all. */
orbit_err client_target_resolve(const client_target_request *r, client_target *t, orbit_status *st);

/* True when url may receive the token: it names one of the configured
 * pools (scheme, host and port), and uses TLS if the deployment does.
 * Otherwise why says which rule it broke. */
bool client_target_allows(const client_target *t, const char *url, char *why, size_t whylen);

/* Adds a pool the operator names while working (the new pool of a pool
 * replacement): from now on the token may go there. Refused when its URL
 * is not ws:// or wss://, or does not use TLS as the deployment does. */
orbit_err client_target_add_pool(client_target *t, const char *fqdn, const char *url,
                                 orbit_status *st);

/* The configured pool with this FQDN, or NULL. */
const client_target_pool *client_target_find(const client_target *t, const char *fqdn);

/* For client_options.allow_url: ctx is a const client_target. */
bool client_target_allow_hook(void *ctx, const char *url, char *why, size_t whylen);

#endif
