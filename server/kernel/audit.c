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
/* The tail is read from at most this many bytes at the end of a file. */
#define AUDIT_TAIL_WINDOW (4u * 1024u * 1024u)
/* Result lines kept in memory while the disk refuses them. Requests are
 * refused meanwhile, so only actions already under way can add to them. */
#define AUDIT_PENDING_MAX 1024

typedef struct {
    char *text; /* the whole line, newline included */
    size_t len;
} audit_pending;

struct audit_log {
    int fd;
    uint64_t next_action;
    uint64_t max_bytes;
    uint64_t size;
    audit_pending pending[AUDIT_PENDING_MAX]; /* oldest first */
    size_t npending;
    char path[4096];
};

static orbit_err io_error(orbit_status *st, const char *path, int err)
{
    return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "audit log %s: %s", path,
                            err == ENOSPC || err == EDQUOT ? "disk full" : strerror(err));
}

static int open_live(const char *path)
{
    return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
}

/* A crash in the middle of a write can leave the last line unfinished:
 * cut it off, so the next line starts on a line of its own. */
static int mend_tail(audit_log *a)
{
    int fd = open(a->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        int err = errno;
        close(fd);
        return err;
    }
    off_t end = sb.st_size;
    char buf[4096];
    while (end > 0) {
        off_t from = end > (off_t)sizeof buf ? end - (off_t)sizeof buf : 0;
        ssize_t got = pread(fd, buf, (size_t)(end - from), from);
        if (got <= 0)
            break;
        char *nl = memrchr(buf, '\n', (size_t)got);
        if (nl) {
            end = from + (nl - buf) + 1;
            break;
        }
        end = from;
    }
    close(fd);
    a->size = (uint64_t)end;
    if (end == sb.st_size)
        return 0;
    return truncate(a->path, end) == 0 ? 0 : errno;
}

orbit_err audit_open(const char *data_dir, uint64_t max_bytes, audit_log **out, orbit_status *st)
{
    *out = NULL;
    audit_log *a = calloc(1, sizeof *a);
    if (!a)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    a->max_bytes = max_bytes;
    if (!orbit_file_join(a->path, sizeof a->path, data_dir, AUDIT_FILE)) {
        free(a);
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "data_dir path too long");
    }
    a->fd = open_live(a->path);
    int err = a->fd < 0 ? errno : mend_tail(a);
    if (err) {
        if (a->fd >= 0)
            close(a->fd);
        free(a);
        return io_error(st, AUDIT_FILE, err);
    }
    /* Milliseconds since the epoch, times a thousand: later starts count
     * from above any number an earlier run could have reached. */
    a->next_action = (uint64_t)orbit_time_now_ms() * 1000u;
    *out = a;
    return ORBIT_OK;
}

uint64_t audit_next_action(audit_log *a)
{
    return ++a->next_action;
}

static int flush_pending(audit_log *a);

void audit_close(audit_log *a)
{
    if (!a)
        return;
    flush_pending(a); /* a last chance for results the disk refused */
    for (size_t i = 0; i < a->npending; i++)
        free(a->pending[i].text);
    close(a->fd);
    free(a);
}

/* audit.jsonl.N for N >= 1, audit.jsonl for 0. */
static void generation_path(const audit_log *a, int n, char *out, size_t len)
{
    if (n == 0)
        snprintf(out, len, "%s", a->path);
    else
        snprintf(out, len, "%s.%d", a->path, n);
}

/* Shifts the generations up by one and starts a new live file. Done
 * between appends, so every line is in exactly one file. */
static int rotate(audit_log *a)
{
    char from[sizeof a->path + 8], to[sizeof a->path + 8];
    for (int n = AUDIT_GENERATIONS; n >= 1; n--) {
        generation_path(a, n - 1, from, sizeof from);
        generation_path(a, n, to, sizeof to);
        if (rename(from, to) != 0 && errno != ENOENT)
            return errno;
    }
    int fd = open_live(a->path);
    if (fd < 0)
        return errno;
    close(a->fd);
    a->fd = fd;
    a->size = 0;
    return orbit_file_sync_dir(a->path);
}

static char *format_line(const audit_entry *e, size_t *len)
{
    char when[40];
    orbit_time_rfc3339(e->time_ms, when, sizeof when);
    json_t *line = json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "action",
                             (json_int_t)e->action, "time", when, "time_ms", (json_int_t)e->time_ms,
                             "who", e->who ? e->who : "", "role", e->role ? e->role : "", "client",
                             e->client ? e->client : "", "peer", e->peer ? e->peer : "", "op",
                             e->op, "phase", e->phase == AUDIT_REQUEST ? "request" : "result");
    bool built =
        line && json_object_set(line, "args", e->args ? (json_t *)e->args : json_null()) == 0;
    if (built && e->phase == AUDIT_RESULT) {
        bool ok = e->result && e->result->code == ORBIT_OK;
        built = json_object_set_new(line, "ok", json_boolean(ok)) == 0;
        if (built && !ok && e->result)
            built =
                json_object_set_new(line, "error",
                                    json_pack("{s:s, s:s}", "code", orbit_err_name(e->result->code),
                                              "message", e->result->message)) == 0;
    }
    char *text = built ? json_dumps(line, JSON_COMPACT) : NULL;
    json_decref(line);
    if (!text)
        return NULL;
    *len = strlen(text);
    text[*len] = '\n'; /* replaces the terminator; written with its length */
    (*len)++;
    return text;
}

/* Writes one line with its fsync; 0, or errno with the file cut back to
 * its last whole line, so a torn line never swallows the next one. */
static int write_line(audit_log *a, const char *text, size_t len)
{
    size_t done = 0;
    int err = 0;
    while (done < len) {
        ssize_t w = write(a->fd, text + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            err = w < 0 ? errno : EIO;
            break;
        }
        done += (size_t)w;
    }
    if (!err && fsync(a->fd) != 0)
        err = errno;
    if (err) {
        if (done > 0 && ftruncate(a->fd, (off_t)a->size) == 0)
            fsync(a->fd);
        return err;
    }
    a->size += len;
    return 0;
}

/* Writes the result lines the disk refused earlier, oldest first. */
static int flush_pending(audit_log *a)
{
    size_t written = 0;
    int err = 0;
    while (written < a->npending &&
           !(err = write_line(a, a->pending[written].text, a->pending[written].len)))
        free(a->pending[written++].text);
    a->npending -= written;
    memmove(a->pending, a->pending + written, a->npending * sizeof *a->pending);
    return err;
}

orbit_err audit_append(audit_log *a, const audit_entry *e, orbit_status *st)
{
    if (a->max_bytes && a->size >= a->max_bytes) {
        int err = rotate(a);
        if (err)
            return io_error(st, AUDIT_FILE, err);
    }
    size_t len;
    char *text = format_line(e, &len);
    if (!text)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    /* Earlier results first: a new request waits until they are on disk. */
    int err = flush_pending(a);
    if (!err)
        err = write_line(a, text, len);
    if (!err) {
        free(text);
        return ORBIT_OK;
    }
    /* The action already acted: its outcome is kept and written as soon
     * as the disk takes it, rather than lost. */
    if (e->phase == AUDIT_RESULT && a->npending < AUDIT_PENDING_MAX) {
        a->pending[a->npending++] = (audit_pending){text, len};
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "",
                                "audit log %s: %s (the result is kept and written once it can be)",
                                AUDIT_FILE,
                                err == ENOSPC || err == EDQUOT ? "disk full" : strerror(err));
    }
    free(text);
    return io_error(st, AUDIT_FILE, err);
}

/* Appends the lines of one file's tail to out, oldest first. */
static orbit_err read_lines(const char *path, json_t *out, orbit_status *st)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? ORBIT_OK : io_error(st, AUDIT_FILE, errno);
    struct stat sb;
    off_t size = fstat(fd, &sb) == 0 ? sb.st_size : 0;
    off_t start = size > (off_t)AUDIT_TAIL_WINDOW ? size - (off_t)AUDIT_TAIL_WINDOW : 0;
    size_t want = (size_t)(size - start);
    char *buf = malloc(want + 1);
    ssize_t got = buf ? pread(fd, buf, want, start) : -1;
    close(fd);
    if (got < 0) {
        free(buf);
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "audit log read failed");
    }
    buf[got] = '\0';
    char *end = buf + got;
    char *from = buf;
    if (start > 0) {
        char *nl = memchr(buf, '\n', (size_t)got); /* the window may start mid-line */
        from = nl ? nl + 1 : end;
    }
    for (char *line = from; line < end;) {
        char *nl = memchr(line, '\n', (size_t)(end - line));
        size_t len = nl ? (size_t)(nl - line) : (size_t)(end - line);
        /* A line that does not parse is skipped alone; the next is kept. */
        json_t *entry = len ? json_loadb(line, len, 0, NULL) : NULL;
        if (entry && json_array_append_new(out, entry) != 0) {
            free(buf);
            return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
        }
        line += len + 1;
    }
    free(buf);
    return ORBIT_OK;
}

/* Result lines, and requests that never got one, shown as unknown. */
static json_t *actions_of(json_t *lines)
{
    json_t *results = json_object(); /* action -> true */
    json_t *out = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(lines, i, e)
    {
        const char *phase = json_string_value(json_object_get(e, "phase"));
        char key[32];
        snprintf(key, sizeof key, "%lld",
                 (long long)json_integer_value(json_object_get(e, "action")));
        if (results && phase && strcmp(phase, "result") == 0)
            json_object_set_new(results, key, json_true());
    }
    json_array_foreach(lines, i, e)
    {
        if (!out)
            break;
        const char *phase = json_string_value(json_object_get(e, "phase"));
        char key[32];
        snprintf(key, sizeof key, "%lld",
                 (long long)json_integer_value(json_object_get(e, "action")));
        bool keep = !phase || strcmp(phase, "result") == 0;
        if (!keep && results && !json_object_get(results, key)) {
            keep = true;
            json_object_set_new(e, "ok", json_false());
            json_object_set_new(e, "error",
                                json_pack("{s:s, s:s}", "code", "unknown", "message",
                                          "no outcome was recorded: the pool "
                                          "stopped while this action ran"));
        }
        if (keep && json_array_append(out, e) != 0) {
            json_decref(out);
            out = NULL;
        }
    }
    json_decref(results);
    return out;
}

json_t *audit_tail(audit_log *a, size_t limit, bool requests, orbit_status *st)
{
    orbit_status_clear(st);
    json_t *live = json_array();
    json_t *older = json_array();
    char prev[sizeof a->path + 8];
    generation_path(a, 1, prev, sizeof prev);
    if (!live || !older || read_lines(a->path, live, st) != ORBIT_OK ||
        (json_array_size(live) < 2 * limit && read_lines(prev, older, st) != ORBIT_OK)) {
        json_decref(live);
        json_decref(older);
        if (st->code == ORBIT_OK)
            orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
        return NULL;
    }
    /* Results still waiting for the disk are part of the log too. */
    for (size_t i = 0; i < a->npending; i++) {
        json_t *entry = json_loadb(a->pending[i].text, a->pending[i].len, 0, NULL);
        if (entry && json_array_append_new(live, entry) != 0)
            json_decref(entry);
    }
    json_t *all = json_array_extend(older, live) == 0 ? older : NULL;
    json_decref(live);
    json_t *lines = all && !requests ? actions_of(all) : json_incref(all);
    json_decref(older);
    if (!lines) {
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
        return NULL;
    }
    size_t n = json_array_size(lines);
    if (n <= limit)
        return lines;
    json_t *newest = json_array();
    for (size_t i = n - limit; newest && i < n; i++) {
        if (json_array_append(newest, json_array_get(lines, i)) != 0) {
            json_decref(newest);
            newest = NULL;
        }
    }
    json_decref(lines);
    if (!newest)
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    return newest;
}
