/* pool_local: the state that belongs to one pool only and lives in its
 * data directory: its Call Park settings and its music-on-hold file with
 * metadata. Every write is atomic (write, fsync, rename, fsync dir), so a
 * kill -9 at any moment leaves the old or the new state, never a mix. */
#ifndef POOL_LOCAL_H
#define POOL_LOCAL_H

#include "cps_settings.h"
#include "orbit_error.h"
#include "orbit_model.h"
#include "server_config.h"

#include <stdint.h>

typedef struct {
    char data_dir[SERVER_PATH_MAX];
    cps_settings settings;
    moh_info moh;
    char moh_file[SERVER_PATH_MAX]; /* absolute path of the current audio */
} pool_local;

/* Loads settings and MOH from data_dir, creating the directory, the
 * default settings and the default MOH on first start, and removing files
 * left behind by an interrupted write. A corrupt file is an error; a
 * missing MOH audio file is not: the default replaces it, with a warning. */
orbit_err pool_local_open(pool_local *pl, const char *data_dir, orbit_status *st);

/* Replaces the settings on disk and in pl (already validated). */
orbit_err pool_local_save_settings(pool_local *pl, const cps_settings *s, orbit_status *st);

/* An upload in progress: streamed to a temporary file while hashed and
 * checked, installed only once complete and verified. */
typedef struct moh_upload moh_upload;

/* The upload's headers: the file name follows the rule for names
 * operators read (orbit_file_name_check), the checksum is 64 hex digits
 * in either case, written lower-case into expected. bad_request naming
 * the header otherwise. */
orbit_err moh_upload_check_headers(const char *name, const char *expected_sha256,
                                   char expected[ORBIT_SHA256_HEX + 1], orbit_status *st);

/* Starts an upload after moh_upload_check_headers. */
orbit_err moh_upload_begin(pool_local *pl, const char *name, const char *expected_sha256,
                           uint64_t max_bytes, moh_upload **out, orbit_status *st);

/* Appends bytes: too_large past the limit, unsupported_media once the
 * header shows neither WAVE nor ASF, internal on a write error (a full
 * disk says so). After an error the upload must be aborted. */
orbit_err moh_upload_feed(moh_upload *u, const void *data, size_t len, orbit_status *st);

/* Bytes received so far. */
uint64_t moh_upload_received(const moh_upload *u);

/* Verifies and installs: unsupported_media when the whole file is not a
 * well-formed WAVE or ASF (moh_audio_check), bad_request on a checksum
 * mismatch. Frees u. */
orbit_err moh_upload_finish(moh_upload *u, int64_t now_ms, orbit_status *st);

/* Drops the temporary file and frees u. NULL is ignored. */
void moh_upload_abort(moh_upload *u);

#endif
