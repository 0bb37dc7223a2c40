/* client_vault: the operator's local backup of what a pool does not back
 * up itself: its music-on-hold files and its Call Park settings, kept
 * per deployment and pool under
 * $XDG_DATA_HOME/orbit/backup/<deployment>/<pool>/. Two deployments often
 * share pool names (two labs, or a lab and production), so the deployment
 * is part of the key: a restore never takes another deployment's copy.
 * Content is stored by SHA-256 (objects/<sha256>), and manifest.jsonl
 * records each entry: pool, kind, original name, size, time and who.
 * Every write is durable (write, fsync, rename), the manifest is
 * append-only, and writers of one pool take a lock, so consoles watching
 * the same change record it once. */
#ifndef CLIENT_VAULT_H
#define CLIENT_VAULT_H

#include "cps_settings.h"
#include "orbit_error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct client_vault client_vault;

#define CLIENT_VAULT_NAME_MAX 64

/* A pool of a deployment as the vault names deployments by: its FQDN and
 * stream URL (borrowed). */
typedef struct {
    const char *fqdn;
    const char *url;
} client_vault_pool;

/* The vault's name for a deployment: "d-" and 16 hex digits of the
 * SHA-256 of its pools' FQDNs and endpoints (scheme, host, port), in any
 * order. The same for every client of the deployment, whichever pool it
 * asked and whether it read a deployment file or a pool's state. */
void client_vault_deployment_id(const client_vault_pool *pools, size_t n,
                                char out[CLIENT_VAULT_NAME_MAX + 1]);

/* NULL when name can name a deployment's directory (1..64 of
 * [A-Za-z0-9._-], not starting with '.'), else the reason. */
const char *client_vault_name_check(const char *name);

/* Opens the vault of one deployment. dir NULL: $ORBIT_VAULT_DIR, else
 * $XDG_DATA_HOME/orbit/backup, else ~/.local/share/orbit/backup; the
 * deployment's directory is created (mode 0700) as needed. */
orbit_err client_vault_open(const char *dir, const char *deployment, client_vault **out,
                            orbit_status *st);
/* The same for a reader that must write nothing (a watch console): the
 * directory is not created; NOT_FOUND when the deployment has none yet. */
orbit_err client_vault_open_existing(const char *dir, const char *deployment, client_vault **out,
                                     orbit_status *st);
void client_vault_close(client_vault *v);
/* The deployment's directory (borrowed). */
const char *client_vault_dir(const client_vault *v);

/* Copies an audio file into the pool's vault before it is uploaded
 * (unless that content is there already); sha_out receives its SHA-256.
 * Nothing is listed until client_vault_record_moh says how it went. */
orbit_err client_vault_keep_moh(client_vault *v, const char *pool, const char *path,
                                char sha_out[65], orbit_status *st);

/* Records an upload of kept content: verified (the pool reported this
 * very SHA-256) or not, with the failure (the pool's refusal, a lost
 * connection). Only verified uploads are restorable; the others are
 * listed so the operator sees them. */
orbit_err client_vault_record_moh(client_vault *v, const char *pool, const char *sha256,
                                  const char *name, uint64_t size, const char *who, bool verified,
                                  const char *failure, orbit_status *st);

/* Records a pool's settings when they differ from the newest recorded
 * (checked and appended under the pool's lock). */
orbit_err client_vault_store_settings(client_vault *v, const char *pool, const cps_settings *s,
                                      const char *who, orbit_status *st);

/* Entries of one pool (or every pool of the deployment when pool is
 * NULL), oldest first: {pool, kind: "moh"|"settings", sha256, name, size,
 * time, time_ms, who, settings (for settings entries), verified and
 * failure (for MOH entries), have (content present), restorable}. */
json_t *client_vault_list(client_vault *v, const char *pool, orbit_status *st);

/* The newest restorable entry of a kind for a pool, or the one whose
 * sha256 starts with sha_prefix; the content's path goes to path. NULL
 * when none. */
json_t *client_vault_find(client_vault *v, const char *pool, const char *kind,
                          const char *sha_prefix, char *path, size_t path_len, orbit_status *st);

/* True when the pool's vault holds content with this SHA-256. */
bool client_vault_has(client_vault *v, const char *pool, const char *sha256);

#endif
