/* client_vault: the operator's local backup of what a pool does not back
 * up itself: its music-on-hold files and its Call Park settings, kept
 * per pool under $XDG_DATA_HOME/orbit/backup/<pool>/. Content is stored
 * by SHA-256 (objects/<sha256>), and manifest.jsonl records each entry:
 * pool, kind, original name, size, time and who. Every write is durable
 * (write, fsync, rename) and the manifest is append-only. */
#ifndef CLIENT_VAULT_H
#define CLIENT_VAULT_H

#include "cps_settings.h"
#include "orbit_error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct client_vault client_vault;

/* dir NULL: $ORBIT_VAULT_DIR, else $XDG_DATA_HOME/orbit/backup, else
 * ~/.local/share/orbit/backup. Created (mode 0700) as needed. */
orbit_err client_vault_open(const char *dir, client_vault **out, orbit_status *st);
void client_vault_close(client_vault *v);
const char *client_vault_dir(const client_vault *v);

/* Copies an audio file into the pool's vault (unless that content is
 * already there) and records it; sha_out receives its SHA-256. */
orbit_err client_vault_store_moh(client_vault *v, const char *pool, const char *path,
                                 const char *name, const char *who, char sha_out[65],
                                 orbit_status *st);

/* Records a pool's settings when they differ from the newest recorded. */
orbit_err client_vault_store_settings(client_vault *v, const char *pool, const cps_settings *s,
                                      const char *who, orbit_status *st);

/* Entries of one pool (or every pool when pool is NULL), oldest first:
 * {pool, kind: "moh"|"settings", sha256, name, size, time, time_ms, who,
 * settings (for settings entries), have (content present)}. */
json_t *client_vault_list(client_vault *v, const char *pool, orbit_status *st);

/* The newest entry of a kind for a pool, or the one whose sha256 starts
 * with sha_prefix; the content's path goes to path. NULL when none. */
json_t *client_vault_find(client_vault *v, const char *pool, const char *kind,
                          const char *sha_prefix, char *path, size_t path_len, orbit_status *st);

/* True when the pool's vault holds content with this SHA-256. */
bool client_vault_has(client_vault *v, const char *pool, const char *sha256);

#endif
