/* audit: JSON lines appended with one write() and an fsync. */
#include "audit.h"

#include "orbit_file.h"
#include "orbit_time.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define AUDIT_FILE "audit.jsonl"
/* The tail is read from at most this many bytes at the end of the file. */
#define AUDIT_TAIL_WINDOW (4u * 1024u * 1024u)

struct audit_log {
    int fd;
    char path[4096];
};

orbit_err audit_open(const char *data_dir, audit_log **out, orbit_status *st)
{
    *out = NULL;
    audit_log *a = calloc(1, sizeof *a);
    if (!a)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    if (!orbit_file_join(a->path, sizeof a->path, data_dir, AUDIT_FILE)) {
        free(a);
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "data_dir path too long");
    }
    a->fd = open(a->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (a->fd < 0) {
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "audit log %s: %s", a->path, strerror(errno));
        free(a);
        return ORBIT_ERR_INTERNAL;
    }
    *out = a;
    return ORBIT_OK;
}

void audit_close(audit_log *a)
{
    if (!a)
        return;
    close(a->fd);
    free(a);
}

orbit_err audit_append(audit_log *a, int64_t now_ms, const char *who, const char *role,
                       const char *op, const json_t *args, const orbit_status *result,
                       orbit_status *st)
{
    char when[40];
    orbit_time_rfc3339(now_ms, when, sizeof when);
    bool ok = result->code == ORBIT_OK;
    json_t *line =
        json_pack("{s:s, s:I, s:s, s:s, s:s, s:b}", "time", when, "time_ms", (json_int_t)now_ms,
                  "who", who ? who : "", "role", role ? role : "", "op", op, "ok", ok);
    if (!line)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    bool built = json_object_set(line, "args", args ? (json_t *)args : json_null()) == 0;
    if (built && !ok)
        built = json_object_set_new(line, "error",
                                    json_pack("{s:s, s:s}", "code", orbit_err_name(result->code),
                                              "message", result->message)) == 0;
    char *text = built ? json_dumps(line, JSON_COMPACT) : NULL;
    json_decref(line);
    if (!text)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    size_t len = strlen(text);
    text[len] = '\n'; /* replaces the terminator; written with its length */
    ssize_t w;
    do {
        w = write(a->fd, text, len + 1);
    } while (w < 0 && errno == EINTR);
    int err = w < 0 ? errno : ((size_t)w != len + 1 ? EIO : 0);
    free(text);
    if (!err && fsync(a->fd) != 0)
        err = errno;
    if (err)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "audit log %s: %s", a->path,
                                err == ENOSPC ? "disk full" : strerror(err));
    return ORBIT_OK;
}

json_t *audit_tail(audit_log *a, size_t limit, orbit_status *st)
{
    json_t *out = json_array();
    if (!out) {
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
        return NULL;
    }
    int fd = open(a->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "audit log: %s", strerror(errno));
        json_decref(out);
        return NULL;
    }
    struct stat sb;
    off_t size = fstat(fd, &sb) == 0 ? sb.st_size : 0;
    off_t start = size > (off_t)AUDIT_TAIL_WINDOW ? size - (off_t)AUDIT_TAIL_WINDOW : 0;
    size_t want = (size_t)(size - start);
    char *buf = malloc(want + 1);
    ssize_t got = buf ? pread(fd, buf, want, start) : -1;
    close(fd);
    if (got < 0) {
        free(buf);
        json_decref(out);
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "audit log read failed");
        return NULL;
    }
    buf[got] = '\0';
    char *end = buf + got;
    char *from = buf;
    if (start > 0) {
        char *nl = strchr(buf, '\n'); /* the window may start mid-line */
        from = nl ? nl + 1 : end;
    }
    for (char *line = from; line < end;) {
        char *nl = memchr(line, '\n', (size_t)(end - line));
        size_t len = nl ? (size_t)(nl - line) : (size_t)(end - line);
        if (len > 0) {
            json_t *entry = json_loadb(line, len, 0, NULL);
            if (entry && json_array_append_new(out, entry) != 0) {
                free(buf);
                json_decref(out);
                orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
                return NULL;
            }
        }
        line += len + 1;
    }
    free(buf);
    size_t n = json_array_size(out);
    if (n <= limit)
        return out;
    /* Keep the newest `limit`. */
    json_t *newest = json_array();
    for (size_t i = n - limit; newest && i < n; i++) {
        if (json_array_append(newest, json_array_get(out, i)) != 0) {
            json_decref(newest);
            newest = NULL;
        }
    }
    json_decref(out);
    if (!newest)
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    return newest;
}
