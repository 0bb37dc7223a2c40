/* client_moh: the MOH upload as an operator should run it: first the file
 * goes into the backup vault, then it is uploaded with progress and can
 * be cancelled, then the SHA-256 the pool reports is compared with the
 * file's. Also the download of a pool's current MOH. */
#ifndef CLIENT_MOH_H
#define CLIENT_MOH_H

#include "client_rest.h"
#include "client_vault.h"
#include "orbit_model.h"

typedef struct client_moh_upload client_moh_upload;

typedef struct {
    bool ok;
    orbit_status err;     /* when !ok */
    char sha256[65];      /* of the file */
    char pool_sha256[65]; /* as the pool reports it (empty when no answer) */
    moh_info moh;         /* the pool's MOH after the upload */
    char vault_path[1024];
} client_moh_result;

typedef void (*client_moh_done_fn)(void *ctx, const client_moh_result *r);

/* http_base: "http://host:port" of the pool; name: the file name shown to
 * operators (NULL: the path's base name). Backs the file up to the vault
 * synchronously (a local disk write), then starts the upload. NULL with
 * st on failure (then nothing was uploaded). */
client_moh_upload *client_moh_upload_start(client_rest *rest, client_vault *vault, const char *pool,
                                           const char *http_base, const char *token,
                                           const char *path, const char *name, const char *who,
                                           client_rest_progress_fn progress,
                                           client_moh_done_fn done, void *ctx, orbit_status *st);

/* Cancels an upload in flight; done runs with a "cancelled" error. */
void client_moh_upload_cancel(client_moh_upload *u);

#endif
