/* client_rest: HTTP requests to the pools (state, users, commands, MOH
 * download and upload with progress and cancel) over libcurl's multi
 * interface, driven from the client hub's loop so no call blocks on the
 * network. */
#ifndef CLIENT_REST_H
#define CLIENT_REST_H

#include "client_hub.h"
#include "orbit_error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct client_rest client_rest;
typedef struct client_rest_req client_rest_req;

/* A finished request: the HTTP status and body (NULL for downloads to a
 * file), or err when no answer came (connection, timeout, cancel). */
typedef void (*client_rest_done_fn)(void *ctx, long status, const char *body, size_t len,
                                    const orbit_status *err);

/* Upload progress; return false to cancel. */
typedef bool (*client_rest_progress_fn)(void *ctx, uint64_t sent, uint64_t total);

client_rest *client_rest_new(client_hub *hub, const char *ca_file, orbit_status *st);
/* Cancels what is in flight (their callbacks run with an error). */
void client_rest_free(client_rest *r);

/* GET url into memory. */
client_rest_req *client_rest_get(client_rest *r, const char *url, const char *token,
                                 client_rest_done_fn done, void *ctx, orbit_status *st);

/* GET url into a file (written to a temporary name, renamed when whole);
 * the response's X-Orbit-Sha256 header, if any, is written to sha_out. */
client_rest_req *client_rest_download(client_rest *r, const char *url, const char *token,
                                      const char *path, char *sha_out, size_t sha_len,
                                      client_rest_done_fn done, void *ctx, orbit_status *st);

/* POST a JSON body (stolen). */
client_rest_req *client_rest_post_json(client_rest *r, const char *url, const char *token,
                                       json_t *body, client_rest_done_fn done, void *ctx,
                                       orbit_status *st);

/* PUT a file with extra headers ("Name: value", NULL-terminated). */
client_rest_req *client_rest_put_file(client_rest *r, const char *url, const char *token,
                                      const char *path, const char *const *headers,
                                      client_rest_progress_fn progress, client_rest_done_fn done,
                                      void *ctx, orbit_status *st);

/* Cancels one request; its callback runs with an error. */
void client_rest_cancel(client_rest *r, client_rest_req *req);

/* Requests in flight. */
size_t client_rest_active(const client_rest *r);

#endif
