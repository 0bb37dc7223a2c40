/* pool_local: settings.json, moh.json and the MOH audio in a data dir. */
#include "pool_local.h"

#include "moh_audio.h"
#include "orbit_file.h"
#include "orbit_json.h"
#include "orbit_log.h"
#include "orbit_sha256.h"
#include "orbit_time.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SETTINGS_FILE  "settings.json"
#define MOH_META_FILE  "moh.json"
#define MOH_DIR        "moh"
#define STATE_FILE_MAX (64u * 1024u)

static orbit_err io_error(orbit_status *st, int err, const char *what, const char *path)
{
    if (err == ENOSPC || err == EDQUOT)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "%s %s: disk full", what, path);
    return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "%s %s: %s", what, path, strerror(err));
}

static bool path_in(char *buf, size_t cap, const pool_local *pl, const char *name)
{
    return orbit_file_join(buf, cap, pl->data_dir, name);
}

static orbit_err write_json(const char *path, json_t *doc, orbit_status *st)
{
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (!text)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    size_t len = strlen(text);
    /* A trailing newline keeps the files pleasant to read. */
    char *withnl = realloc(text, len + 2);
    if (!withnl) {
        free(text);
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    }
    withnl[len] = '\n';
    withnl[len + 1] = '\0';
    int rc = orbit_file_write_atomic(path, withnl, len + 1, 0600);
    free(withnl);
    return rc ? io_error(st, rc, "write", path) : ORBIT_OK;
}

static orbit_err read_json(const char *path, json_t **doc, orbit_status *st)
{
    char *text;
    size_t len;
    int rc = orbit_file_read_all(path, STATE_FILE_MAX, &text, &len);
    if (rc)
        return rc == ENOENT ? ORBIT_ERR_NOT_FOUND : io_error(st, rc, "read", path);
    json_error_t jerr;
    *doc = json_loadb(text, len, 0, &jerr);
    free(text);
    if (!*doc)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "%s is corrupt: %s", path, jerr.text);
    return ORBIT_OK;
}

orbit_err pool_local_save_settings(pool_local *pl, const cps_settings *s, orbit_status *st)
{
    char path[SERVER_PATH_MAX + 32];
    if (!path_in(path, sizeof path, pl, SETTINGS_FILE))
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "data_dir path too long");
    json_t *doc = orbit_json_from_settings(s);
    if (!doc)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    orbit_err e = write_json(path, doc, st);
    json_decref(doc);
    if (e == ORBIT_OK)
        pl->settings = *s;
    return e;
}

static orbit_err load_settings(pool_local *pl, orbit_status *st)
{
    char path[SERVER_PATH_MAX + 32];
    if (!path_in(path, sizeof path, pl, SETTINGS_FILE))
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "data_dir path too long");
    json_t *doc = NULL;
    orbit_err e = read_json(path, &doc, st);
    cps_settings_default(&pl->settings);
    if (e == ORBIT_ERR_NOT_FOUND) {
        cps_settings defaults;
        cps_settings_default(&defaults);
        return pool_local_save_settings(pl, &defaults, st);
    }
    if (e)
        return e;
    e = orbit_json_to_settings(doc, ORBIT_JSON_STRICT, true, &pl->settings, st);
    json_decref(doc);
    if (e) {
        char why[ORBIT_STATUS_MESSAGE_MAX];
        snprintf(why, sizeof why, "%s", st->message);
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "%s: %s", path, why);
    }
    return ORBIT_OK;
}

/* MOH metadata: the protocol's moh object plus the audio file name. */
static orbit_err save_moh_meta(pool_local *pl, const moh_info *m, const char *file,
                               orbit_status *st)
{
    char path[SERVER_PATH_MAX + 32];
    if (!path_in(path, sizeof path, pl, MOH_META_FILE))
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "data_dir path too long");
    json_t *doc = orbit_json_from_moh(m);
    if (!doc || !orbit_json_put(doc, "file", json_string(file))) {
        json_decref(doc);
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    }
    orbit_err e = write_json(path, doc, st);
    json_decref(doc);
    return e;
}

static orbit_err set_current(pool_local *pl, const moh_info *m, const char *file, orbit_status *st)
{
    char rel[SERVER_PATH_MAX];
    if (!orbit_file_join(rel, sizeof rel, MOH_DIR, file) ||
        !path_in(pl->moh_file, sizeof pl->moh_file, pl, rel))
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "data_dir path too long");
    pl->moh = *m;
    return ORBIT_OK;
}

static orbit_err install_default_moh(pool_local *pl, orbit_status *st)
{
    size_t len;
    unsigned char *wav = moh_audio_default(&len);
    if (!wav)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    moh_info m;
    memset(&m, 0, sizeof m);
    snprintf(m.name, sizeof m.name, "orbit-default.wav");
    m.size = len;
    m.is_default = true;
    m.uploaded_ms = 0;
    if (!orbit_sha256_buffer(wav, len, m.sha256)) {
        free(wav);
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "sha256 failed");
    }
    char file[96], rel[128], path[SERVER_PATH_MAX + 160];
    snprintf(file, sizeof file, "%s.wav", m.sha256);
    snprintf(rel, sizeof rel, MOH_DIR "/%s", file);
    if (!path_in(path, sizeof path, pl, rel)) {
        free(wav);
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "data_dir path too long");
    }
    int rc = orbit_file_write_atomic(path, wav, len, 0600);
    free(wav);
    if (rc)
        return io_error(st, rc, "write", path);
    orbit_err e = save_moh_meta(pl, &m, file, st);
    return e ? e : set_current(pl, &m, file, st);
}

static bool safe_file_name(const char *name)
{
    if (!*name || strlen(name) > 80)
        return false;
    for (const char *p = name; *p; p++) {
        if (!isalnum((unsigned char)*p) && *p != '.')
            return false;
    }
    return name[0] != '.';
}

static orbit_err load_moh(pool_local *pl, orbit_status *st)
{
    char path[SERVER_PATH_MAX + 32];
    if (!path_in(path, sizeof path, pl, MOH_META_FILE))
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "data_dir path too long");
    json_t *doc = NULL;
    orbit_err e = read_json(path, &doc, st);
    if (e == ORBIT_ERR_NOT_FOUND)
        return install_default_moh(pl, st);
    if (e)
        return e;
    moh_info m;
    char file[128] = "";
    e = orbit_json_to_moh(doc, ORBIT_JSON_LENIENT, &m, st);
    if (!e && (orbit_json_get_string(doc, "file", true, file, sizeof file, st) < 0 ||
               !safe_file_name(file)))
        e = orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "%s: bad file entry", path);
    json_decref(doc);
    if (e)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "%s is corrupt", path);
    e = set_current(pl, &m, file, st);
    if (e)
        return e;
    if (access(pl->moh_file, R_OK) != 0) {
        /* Calls must still hear something: a lost upload is the operator's
         * to redo (from the vault), not a reason to keep the pool down.
         * pool_local_open has no logger of the server's, so this one
         * line goes to stderr (the service's log) at warn. */
        if (!m.is_default) {
            const orbit_log log = {.level = ORBIT_LOG_WARN, .program = "orbitd", .name = NULL};
            ORBIT_LOG_W(
                &log,
                "MOH file %s (%s) is unreadable: %s; playing the default until one is uploaded",
                pl->moh_file, m.name, strerror(errno));
        }
        return install_default_moh(pl, st);
    }
    return ORBIT_OK;
}

/* Removes temporary files of interrupted writes and audio no longer
 * referenced by moh.json. */
static void sweep(pool_local *pl)
{
    const char *current = strrchr(pl->moh_file, '/');
    current = current ? current + 1 : "";
    char dir[SERVER_PATH_MAX + 8];
    const char *dirs[2] = {"", MOH_DIR};
    for (int i = 0; i < 2; i++) {
        if (!path_in(dir, sizeof dir, pl, dirs[i]))
            continue;
        DIR *d = opendir(dir);
        if (!d)
            continue;
        struct dirent *de;
        while ((de = readdir(d))) {
            bool stray = strstr(de->d_name, ".tmp.") != NULL ||
                         strncmp(de->d_name, ".upload-", 8) == 0 ||
                         (i == 1 && de->d_name[0] != '.' && strcmp(de->d_name, current) != 0);
            if (!stray)
                continue;
            char path[SERVER_PATH_MAX + 300];
            if (orbit_file_join(path, sizeof path, dir, de->d_name))
                unlink(path);
        }
        closedir(d);
    }
}

orbit_err pool_local_open(pool_local *pl, const char *data_dir, orbit_status *st)
{
    memset(pl, 0, sizeof *pl);
    if (snprintf(pl->data_dir, sizeof pl->data_dir, "%s", data_dir) >= (int)sizeof pl->data_dir)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "data_dir path too long");
    char moh_dir[SERVER_PATH_MAX + 8];
    int rc = orbit_file_mkdirs(data_dir, 0700);
    if (!rc && path_in(moh_dir, sizeof moh_dir, pl, MOH_DIR))
        rc = orbit_file_mkdirs(moh_dir, 0700);
    if (rc)
        return io_error(st, rc, "create", data_dir);
    orbit_err e = load_settings(pl, st);
    if (!e)
        e = load_moh(pl, st);
    if (!e)
        sweep(pl);
    return e;
}

struct moh_upload {
    pool_local *pl;
    char name[ORBIT_MOH_NAME_MAX + 1];
    char expected[ORBIT_SHA256_HEX + 1];
    uint64_t max_bytes;
    uint64_t received;
    unsigned char head[MOH_AUDIO_SNIFF_BYTES];
    moh_audio_kind kind;
    orbit_sha256 *hash;
    int fd;
    char tmp_path[SERVER_PATH_MAX + 64];
};

orbit_err moh_upload_check_headers(const char *name, const char *expected_sha256,
                                   char expected[ORBIT_SHA256_HEX + 1], orbit_status *st)
{
    if (!name || !*name || strlen(name) > ORBIT_MOH_NAME_MAX)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "X-Orbit-Filename",
                                "X-Orbit-Filename is required (at most %d characters)",
                                ORBIT_MOH_NAME_MAX);
    const char *why = orbit_file_name_check(name, ORBIT_MOH_NAME_MAX);
    if (why)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "X-Orbit-Filename",
                                "X-Orbit-Filename: %s", why);
    if (!expected_sha256 || strlen(expected_sha256) != ORBIT_SHA256_HEX)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "X-Orbit-Sha256",
                                "X-Orbit-Sha256 is required: the file's SHA-256 in hex");
    for (int i = 0; i < ORBIT_SHA256_HEX; i++) {
        char c = (char)tolower((unsigned char)expected_sha256[i]);
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "X-Orbit-Sha256",
                                    "X-Orbit-Sha256 is 64 hexadecimal digits");
        expected[i] = c;
    }
    expected[ORBIT_SHA256_HEX] = '\0';
    return ORBIT_OK;
}

orbit_err moh_upload_begin(pool_local *pl, const char *name, const char *expected_sha256,
                           uint64_t max_bytes, moh_upload **out, orbit_status *st)
{
    *out = NULL;
    char expected[ORBIT_SHA256_HEX + 1];
    orbit_err e = moh_upload_check_headers(name, expected_sha256, expected, st);
    if (e)
        return e;
    moh_upload *u = calloc(1, sizeof *u);
    if (!u)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    memcpy(u->expected, expected, sizeof u->expected);
    u->pl = pl;
    u->max_bytes = max_bytes;
    snprintf(u->name, sizeof u->name, "%s", name);
    u->hash = orbit_sha256_new();
    char pattern[SERVER_PATH_MAX + 64];
    snprintf(pattern, sizeof pattern, "%s/" MOH_DIR "/.upload-XXXXXX", pl->data_dir);
    u->fd = u->hash ? mkstemp(pattern) : -1;
    if (u->fd < 0) {
        int err = errno;
        orbit_sha256_abort(u->hash);
        free(u);
        return io_error(st, err, "create", pattern);
    }
    snprintf(u->tmp_path, sizeof u->tmp_path, "%s", pattern);
    *out = u;
    return ORBIT_OK;
}

uint64_t moh_upload_received(const moh_upload *u)
{
    return u->received;
}

orbit_err moh_upload_feed(moh_upload *u, const void *data, size_t len, orbit_status *st)
{
    if (u->received + len > u->max_bytes)
        return orbit_status_set(st, ORBIT_ERR_TOO_LARGE, "", "MOH files are limited to %llu bytes",
                                (unsigned long long)u->max_bytes);
    const unsigned char *p = data;
    if (u->received < MOH_AUDIO_SNIFF_BYTES) {
        size_t take = MOH_AUDIO_SNIFF_BYTES - (size_t)u->received;
        if (take > len)
            take = len;
        memcpy(u->head + u->received, p, take);
        size_t have = (size_t)u->received + take;
        if (have >= 12) {
            u->kind = moh_audio_detect(u->head, have);
            if (u->kind == MOH_AUDIO_UNKNOWN && have >= MOH_AUDIO_SNIFF_BYTES)
                return orbit_status_set(st, ORBIT_ERR_UNSUPPORTED_MEDIA, "",
                                        "not a WMA/ASF or RIFF WAVE file");
        }
    }
    if (!orbit_sha256_update(u->hash, data, len))
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "sha256 failed");
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(u->fd, p + off, len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return io_error(st, errno, "write", u->tmp_path);
        }
        off += (size_t)w;
    }
    u->received += len;
    return ORBIT_OK;
}

void moh_upload_abort(moh_upload *u)
{
    if (!u)
        return;
    if (u->fd >= 0)
        close(u->fd);
    unlink(u->tmp_path);
    orbit_sha256_abort(u->hash);
    free(u);
}

/* The first bytes only said what the file claims to be; its structure is
 * checked once it is complete, mapped rather than read so a 32 MiB file
 * costs no copy. why stays NULL when the file could not be mapped. */
static moh_audio_kind check_whole_file(const moh_upload *u, const char **why)
{
    if (u->received < MOH_AUDIO_SNIFF_BYTES) {
        *why = "too short to be a WMA/ASF or RIFF WAVE file";
        return MOH_AUDIO_UNKNOWN;
    }
    size_t len = (size_t)u->received;
    void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, u->fd, 0);
    if (map == MAP_FAILED)
        return MOH_AUDIO_UNKNOWN;
    moh_audio_kind kind = moh_audio_check(map, len, why);
    munmap(map, len);
    return kind;
}

orbit_err moh_upload_finish(moh_upload *u, int64_t now_ms, orbit_status *st)
{
    orbit_err e = ORBIT_OK;
    char actual[ORBIT_SHA256_HEX_BUF];
    const char *why = NULL;
    moh_audio_kind kind = check_whole_file(u, &why);
    if (kind == MOH_AUDIO_UNKNOWN) {
        int err = errno;
        moh_upload_abort(u);
        if (!why)
            return io_error(st, err, "map", "the uploaded file");
        return orbit_status_set(st, ORBIT_ERR_UNSUPPORTED_MEDIA, "", "%s", why);
    }
    bool hashed = orbit_sha256_finish(u->hash, actual);
    u->hash = NULL;
    if (!hashed) {
        moh_upload_abort(u);
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "sha256 failed");
    }
    if (strcmp(actual, u->expected) != 0) {
        moh_upload_abort(u);
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "X-Orbit-Sha256",
                                "checksum mismatch: received %s", actual);
    }
    if (fsync(u->fd) != 0) {
        e = io_error(st, errno, "sync", u->tmp_path);
        moh_upload_abort(u);
        return e;
    }
    close(u->fd);
    u->fd = -1;
    pool_local *pl = u->pl;
    char file[96], final_path[SERVER_PATH_MAX + 128];
    snprintf(file, sizeof file, "%s.%s", actual, moh_audio_extension(kind));
    snprintf(final_path, sizeof final_path, "%s/" MOH_DIR "/%s", pl->data_dir, file);
    if (rename(u->tmp_path, final_path) != 0) {
        e = io_error(st, errno, "install", final_path);
        moh_upload_abort(u);
        return e;
    }
    orbit_file_sync_dir(final_path);
    char old[SERVER_PATH_MAX];
    snprintf(old, sizeof old, "%s", pl->moh_file);
    moh_info m;
    memset(&m, 0, sizeof m);
    snprintf(m.name, sizeof m.name, "%s", u->name);
    snprintf(m.sha256, sizeof m.sha256, "%s", actual);
    m.size = u->received;
    m.uploaded_ms = now_ms;
    m.is_default = false;
    free(u);
    /* moh.json is the switch: until it is replaced the old audio stays. */
    e = save_moh_meta(pl, &m, file, st);
    if (e) {
        if (strcmp(old, final_path) != 0)
            unlink(final_path);
        return e;
    }
    e = set_current(pl, &m, file, st);
    if (!e && strcmp(old, pl->moh_file) != 0) {
        unlink(old);
        orbit_file_sync_dir(old);
    }
    return e;
}
