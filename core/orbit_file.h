/* orbit_file: durable file writes. A state file is written to a temporary
 * name in the same directory, fsync'd, renamed over the old one, and the
 * directory fsync'd, so a crash at any moment leaves the old or the new
 * content, never a mix. */
#ifndef ORBIT_FILE_H
#define ORBIT_FILE_H

#include <stdbool.h>
#include <stddef.h>

/* Replaces path with data atomically; mode for a new file (e.g. 0600).
 * Returns 0, or an errno value (ENOSPC for a full disk) with path intact. */
int orbit_file_write_atomic(const char *path, const void *data, size_t len, unsigned mode);

/* fsyncs the directory holding path (after a rename or unlink). */
int orbit_file_sync_dir(const char *path);

/* Reads a whole file (at most max bytes) into a new NUL-terminated buffer.
 * Returns 0 or an errno value (EFBIG when over max). */
int orbit_file_read_all(const char *path, size_t max, char **out, size_t *len);

/* mkdir -p with the given mode for new directories; 0 or errno. */
int orbit_file_mkdirs(const char *path, unsigned mode);

/* Joins dir and name into buf; false when it does not fit. */
bool orbit_file_join(char *buf, size_t cap, const char *dir, const char *name);

#endif
