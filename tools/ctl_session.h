/* ctl_session: what every orbitctl command stands on: where the pool is
 * (--url, ORBIT_URL, --deployment, the config file), the token (never
 * from argv alone), a connection through the client library, and the
 * exit code a script can rely on for each kind of failure. */
#ifndef CTL_SESSION_H
#define CTL_SESSION_H

#include "client_hub.h"
#include "client_rest.h"
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
};

typedef struct {
    char url[512];
    char deployment[1024];
    char pool[256];
    char token_file[1024];
    char ca[1024];
    char vault_dir[1024];
    bool json;
    double timeout_s;
} ctl_options;

typedef struct {
    ctl_options opt;
    char token[300];
    char url[512];  /* the chosen pool's stream URL */
    char http[512]; /* and its HTTP base */
    char who[128];  /* recorded in the vault */
    client_hub *hub;
    client_rest *rest;
    client_vault *vault;
    client_conn *conn;
} ctl;

/* Fills options from the config file ($XDG_CONFIG_HOME/orbit/orbitctl.conf),
 * then the environment; flags parsed later override. */
int ctl_defaults(ctl_options *o, char *err, size_t errlen);

/* Room for a message that quotes one of the paths above in full plus its
 * reason, so no build type's truncation check can fire. */
#define CTL_ERR_MAX 1536

/* Resolves the pool and the token; starts the network context. */
int ctl_open(ctl *c, bool subscribe, bool discover);
void ctl_close(ctl *c);

/* Connects to the chosen pool (waits until welcomed or snapshot). */
int ctl_connect(ctl *c);

/* Runs an op at a connection, waiting for its result. data receives a
 * new reference on success. */
int ctl_cmd(ctl *c, client_conn *conn, const char *op, json_t *args, json_t **data);

/* GET base+path (base NULL: the chosen pool), parsed JSON into *out. */
int ctl_get(ctl *c, const char *base, const char *path, json_t **out);

/* The vault, opened on first use. */
int ctl_vault(ctl *c, client_vault **out);

/* Runs the loop until *done, or the timeout (then UNREACHABLE). */
int ctl_wait(ctl *c, const bool *done);

/* Maps a refusal to an exit code and prints it (JSON or text). */
int ctl_fail(ctl *c, const orbit_status *st);

/* Prints a local failure (a file, the vault) and returns CTL_EXIT_FAILED. */
int ctl_fail_local(ctl *c, const orbit_status *st);

/* Prints a JSON value (pretty) to stdout. */
void ctl_print_json(const json_t *v);

int ctl_exit_for(orbit_err code);

#endif
