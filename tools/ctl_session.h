/* ctl_session: what every orbitctl command stands on: where the pool is
 * (--url, ORBIT_URL, --deployment, the config file, resolved by
 * client_target), the token (never from argv alone), a connection through
 * the client library, output that never passes a server's terminal
 * controls through, and the exit code a script can rely on for each kind
 * of failure. */
#ifndef CTL_SESSION_H
#define CTL_SESSION_H

#include "client_hub.h"
#include "client_rest.h"
#include "client_target.h"
#include "client_vault.h"
#include "orbit_error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* Exit codes (orbitctl(1)). */
enum {
    CTL_EXIT_OK = 0,
    CTL_EXIT_FAILED = 1,      /* a local problem: file, vault, internal */
    CTL_EXIT_USAGE = 2,       /* bad command line or configuration */
    CTL_EXIT_AUTH = 3,        /* the token was refused or lacks the role */
    CTL_EXIT_REFUSED = 4,     /* the pool refused the operation */
    CTL_EXIT_UNREACHABLE = 5, /* no answer from the pool */
    CTL_EXIT_NOT_READY = 6,   /* dr check: a pair is not ready for disaster recovery */
};

typedef struct {
    char url[CLIENT_URL_MAX];
    char deployment[CLIENT_PATH_MAX];
    char pool[ORBIT_FQDN_MAX + 1];
    char token_file[CLIENT_PATH_MAX];
    char ca[CLIENT_PATH_MAX];
    char vault_dir[CLIENT_PATH_MAX];
    char deployment_name[CLIENT_VAULT_NAME_MAX + 1]; /* the vault's name for it, "" derived */
    bool json;
    double timeout_s;
} ctl_options;

typedef struct {
    ctl_options opt;
    client_target *target;           /* resolved by ctl_open (owned) */
    char token[ORBIT_TOKEN_MAX + 1]; /* the target's token */
    char url[CLIENT_URL_MAX];        /* the chosen pool's stream URL */
    char http[CLIENT_URL_MAX];       /* and its HTTP base */
    char who[128];                   /* recorded in the vault */
    client_hub *hub;
    client_rest *rest;
    client_vault *vault;
    client_conn *conn;
    /* A pool left out of the vault's name for the deployment: the new pool
     * of a replacement, so its backups are those the deployment had. */
    char vault_exclude[ORBIT_FQDN_MAX + 1];
} ctl;

/* Room for a message that quotes one of the paths above in full plus its
 * reason, so no build type's truncation check can fire. */
#define CTL_ERR_MAX 1536

/* Fills options from the config file ($XDG_CONFIG_HOME/orbit/orbitctl.conf),
 * then the environment; flags parsed later override. */
int ctl_defaults(ctl_options *o, char *err, size_t errlen);

/* Resolves the pool and the token; starts the network context (once: a
 * second call keeps the first session). Without --pool, the pool used is
 * the first of the configured ones that answers (a note on stderr names
 * it when that is not the first). Hooks (may be NULL) and ctx go to
 * the hub; discovery dials only pools of the configured deployment. */
int ctl_open_with(ctl *c, bool subscribe, bool discover, const client_hooks *hooks, void *ctx);
int ctl_open(ctl *c, bool subscribe, bool discover);
void ctl_close(ctl *c);

/* Points the session at a pool named by a pool's state: allowed only when
 * the URL is one of the configured pools (the token goes there). */
int ctl_use_pool_url(ctl *c, const char *fqdn, const char *url);

/* Connects to the chosen pool (waits until welcomed or snapshot). */
int ctl_connect(ctl *c);

/* Runs an op at a connection, waiting for its result. data receives a
 * new reference on success. */
int ctl_cmd(ctl *c, client_conn *conn, const char *op, json_t *args, json_t **data);

/* GET base+path (base NULL: the chosen pool), parsed JSON into *out. */
int ctl_get(ctl *c, const char *base, const char *path, json_t **out);

/* The deployment's vault, opened on first use: named by deployment_name,
 * else by the deployment file's pools, else by the pools the chosen pool
 * lists (one GET /v1/state). */
int ctl_vault(ctl *c, client_vault **out);

/* Runs the loop until *done, or the timeout (then UNREACHABLE). */
int ctl_wait(ctl *c, const bool *done);

/* Maps a refusal to an exit code and prints it (JSON or text). */
int ctl_fail(ctl *c, const orbit_status *st);

/* Prints a refusal a pool answered and returns its exit code: 3 for the
 * token, else 4, whatever the code (a pool answering pool_unreachable
 * about another pool did answer: retrying will not help). */
int ctl_fail_answered(ctl *c, const orbit_status *st);

/* Prints a local failure (a file, the vault) and returns CTL_EXIT_FAILED. */
int ctl_fail_local(ctl *c, const orbit_status *st);

/* Prints a JSON value (pretty, ASCII only) to stdout. */
void ctl_print_json(const json_t *v);

/* Prints one line (the newline is added) that may hold strings from the
 * network: every control character in it is shown visibly. */
void ctl_line(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int ctl_exit_for(orbit_err code);

#endif
