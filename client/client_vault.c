/* client_vault: content-addressed backups with a JSON-lines manifest. */
#include "client_vault.h"

#include "client_url.h"
#include "orbit_file.h"
#include "orbit_json.h"
#include "orbit_sha256.h"
#include "orbit_text.h"
#include "orbit_time.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define VAULT_PATH_MAX 4096
#define MANIFEST       "manifest.jsonl"
#define MANIFEST_MAX   (64u * 1024u * 1024u)

struct client_vault {
    char dir[VAULT_PATH_MAX];
};

static int cmp_lines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void client_vault_deployment_id(const client_vault_pool *pools, size_t n,
                                char out[CLIENT_VAULT_NAME_MAX + 1])
{
    /* "fqdn scheme://host:port" per pool, sorted, hashed. */
    char **lines = calloc(n ? n : 1, sizeof *lines);
    size_t total = 0, used = 0;
    for (size_t i = 0; lines && i < n; i++) {
        client_url u;
        char line[ORBIT_FQDN_MAX + 300];
        if (client_url_parse(pools[i].url, &u, NULL, 0))
            snprintf(line, sizeof line, "%s %s://%s:%d", pools[i].fqdn, u.tls ? "wss" : "ws",
                     u.host, u.port);
        else
            snprintf(line, sizeof line, "%s", pools[i].fqdn);
        if ((lines[used] = strdup(line)))
            total += strlen(lines[used++]) + 1;
    }
    char *text = malloc(total + 1), sha[ORBIT_SHA256_HEX_BUF] = "";
    if (lines && text) {
        qsort(lines, used, sizeof *lines, cmp_lines);
        size_t at = 0;
        for (size_t i = 0; i < used; i++)
            at += (size_t)sprintf(text + at, "%s\n", lines[i]);
        orbit_sha256_buffer(text, at, sha);
    }
    for (size_t i = 0; lines && i < used; i++)
        free(lines[i]);
    free(lines);
    free(text);
    snprintf(out, CLIENT_VAULT_NAME_MAX + 1, "d-%.16s", sha[0] ? sha : "unknown");
}

const char *client_vault_name_check(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > CLIENT_VAULT_NAME_MAX)
        return "a deployment name has 1 to 64 characters";
    if (name[0] == '.')
        return "a deployment name does not start with '.'";
    if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n)
        return "a deployment name is made of letters, digits, '.', '_' and '-'";
    return NULL;
}

/* Opens a deployment's vault, creating its directory or, for a reader
 * that must write nothing, only when it exists (NOT_FOUND otherwise). */
static orbit_err open_vault(const char *dir, const char *deployment, bool create,
                            client_vault **out, orbit_status *st)
{
    *out = NULL;
    const char *bad = deployment ? client_vault_name_check(deployment) : "no deployment named";
    if (bad)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "deployment", "backup vault: %s", bad);
    client_vault *v = calloc(1, sizeof *v);
    if (!v)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    const char *env = getenv("ORBIT_VAULT_DIR"), *xdg = getenv("XDG_DATA_HOME"),
               *home = getenv("HOME");
    int n;
    if (dir)
        n = snprintf(v->dir, sizeof v->dir, "%s/%s", dir, deployment);
    else if (env && *env)
        n = snprintf(v->dir, sizeof v->dir, "%s/%s", env, deployment);
    else if (xdg && *xdg)
        n = snprintf(v->dir, sizeof v->dir, "%s/orbit/backup/%s", xdg, deployment);
    else if (home && *home)
        n = snprintf(v->dir, sizeof v->dir, "%s/.local/share/orbit/backup/%s", home, deployment);
    else
        n = -1;
    if (n < 0 || n >= (int)sizeof v->dir) {
        free(v);
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "",
                                "no place for the backup vault "
                                "(set XDG_DATA_HOME or HOME)");
    }
    struct stat sb;
    if (!create && (stat(v->dir, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
        orbit_status_set(st, ORBIT_ERR_NOT_FOUND, "", "backup vault %s: nothing kept yet", v->dir);
        free(v);
        return ORBIT_ERR_NOT_FOUND;
    }
    int rc = create ? orbit_file_mkdirs(v->dir, 0700) : 0;
    if (rc) {
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "backup vault %s: %s", v->dir, strerror(rc));
        free(v);
        return ORBIT_ERR_INTERNAL;
    }
    *out = v;
    return ORBIT_OK;
}

orbit_err client_vault_open(const char *dir, const char *deployment, client_vault **out,
                            orbit_status *st)
{
    return open_vault(dir, deployment, true, out, st);
}

orbit_err client_vault_open_existing(const char *dir, const char *deployment, client_vault **out,
                                     orbit_status *st)
{
    return open_vault(dir, deployment, false, out, st);
}

void client_vault_close(client_vault *v)
{
    free(v);
}

const char *client_vault_dir(const client_vault *v)
{
    return v->dir;
}

static orbit_err pool_dir(client_vault *v, const char *pool, char *out, size_t len,
                          orbit_status *st)
{
    const char *why = orbit_fqdn_check(pool);
    if (why)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "pool", "%s: %s", pool, why);
    char objects[VAULT_PATH_MAX];
    if (snprintf(out, len, "%s/%s", v->dir, pool) >= (int)len ||
        snprintf(objects, sizeof objects, "%s/objects", out) >= (int)sizeof objects)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "vault path too long");
    int rc = orbit_file_mkdirs(objects, 0700);
    if (rc)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "%s: %s", objects, strerror(rc));
    return ORBIT_OK;
}

static orbit_err append_manifest(const char *pdir, json_t *entry, orbit_status *st)
{
    char path[VAULT_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/" MANIFEST, pdir);
    char *text = json_dumps(entry, JSON_COMPACT);
    if (!text)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    size_t len = strlen(text);
    text[len] = '\n';
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    int err = fd < 0 ? errno : 0;
    if (!err) {
        ssize_t w = write(fd, text, len + 1);
        err = w < 0 ? errno : ((size_t)w != len + 1 ? EIO : 0);
        if (!err && fsync(fd) != 0)
            err = errno;
        close(fd);
    }
    free(text);
    if (err)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "%s: %s", path,
                                err == ENOSPC ? "disk full" : strerror(err));
    return ORBIT_OK;
}

/* Serialises the read-compare-append of one pool's manifest between
 * processes (several consoles see the same change). Returns the lock's
 * descriptor (close it to release), or -1 with st set. */
static int lock_pool(const char *pdir, orbit_status *st)
{
    char path[VAULT_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/.lock", pdir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || flock(fd, LOCK_EX) != 0) {
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static json_t *entry_base(const char *pool, const char *kind, const char *sha, const char *name,
                          uint64_t size, const char *who)
{
    int64_t now = orbit_time_now_ms();
    char when[40];
    orbit_time_rfc3339(now, when, sizeof when);
    return json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:I, s:s}", "pool", pool, "kind", kind,
                     "sha256", sha, "name", name ? name : "", "size", (json_int_t)size, "time",
                     when, "time_ms", (json_int_t)now, "who", who ? who : "");
}

/* Copies src into objects/<sha> unless it is there: tmp, fsync, rename. */
static orbit_err put_object(const char *pdir, const char *sha, const char *src, const void *data,
                            size_t len, orbit_status *st)
{
    char dst[VAULT_PATH_MAX + 96];
    snprintf(dst, sizeof dst, "%s/objects/%s", pdir, sha);
    if (access(dst, F_OK) == 0)
        return ORBIT_OK;
    if (data) {
        int rc = orbit_file_write_atomic(dst, data, len, 0600);
        return rc ? orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "%s: %s", dst,
                                     rc == ENOSPC ? "disk full" : strerror(rc))
                  : ORBIT_OK;
    }
    char tmp[VAULT_PATH_MAX + 128];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", dst, (long)getpid());
    FILE *in = fopen(src, "rb");
    int out = in ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
    int err = !in ? errno : (out < 0 ? errno : 0);
    char buf[65536];
    size_t n;
    while (!err && (n = fread(buf, 1, sizeof buf, in)) > 0) {
        for (size_t off = 0; off < n && !err;) {
            ssize_t w = write(out, buf + off, n - off);
            if (w < 0 && errno != EINTR)
                err = errno;
            else if (w > 0)
                off += (size_t)w;
        }
    }
    if (!err && in && ferror(in))
        err = EIO;
    if (!err && fsync(out) != 0)
        err = errno;
    if (out >= 0 && close(out) != 0 && !err)
        err = errno;
    if (in)
        fclose(in);
    if (!err && rename(tmp, dst) != 0)
        err = errno;
    if (err) {
        unlink(tmp);
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "backing up %s: %s", src,
                                err == ENOSPC ? "disk full" : strerror(err));
    }
    orbit_file_sync_dir(dst);
    return ORBIT_OK;
}

orbit_err client_vault_keep_moh(client_vault *v, const char *pool, const char *path,
                                char sha_out[65], orbit_status *st)
{
    char pdir[VAULT_PATH_MAX];
    orbit_err e = pool_dir(v, pool, pdir, sizeof pdir, st);
    if (e)
        return e;
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "file", "%s: %s", path,
                                errno ? strerror(errno) : "not a regular file");
    if (!orbit_sha256_file(path, sha_out))
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "file", "%s: %s", path, strerror(errno));
    return put_object(pdir, sha_out, path, NULL, 0, st);
}

orbit_err client_vault_record_moh(client_vault *v, const char *pool, const char *sha256,
                                  const char *name, uint64_t size, const char *who, bool verified,
                                  const char *failure, orbit_status *st)
{
    char pdir[VAULT_PATH_MAX];
    orbit_err e = pool_dir(v, pool, pdir, sizeof pdir, st);
    if (e)
        return e;
    json_t *entry = entry_base(pool, "moh", sha256, name, size, who);
    if (!entry || !orbit_json_put(entry, "verified", json_boolean(verified)) ||
        (!verified && !orbit_json_put(entry, "failure", json_string(failure ? failure : ""))))
        e = orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    int lock = e ? -1 : lock_pool(pdir, st);
    if (!e && lock < 0)
        e = ORBIT_ERR_INTERNAL;
    if (!e)
        e = append_manifest(pdir, entry, st);
    if (lock >= 0)
        close(lock);
    json_decref(entry);
    return e;
}

/* Reads a pool's manifest (or every pool's) into an array. */
static json_t *read_manifest(client_vault *v, const char *pool, orbit_status *st)
{
    json_t *all = json_array();
    if (!all) {
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
        return NULL;
    }
    char path[VAULT_PATH_MAX + 300];
    snprintf(path, sizeof path, "%s/%s/" MANIFEST, v->dir, pool);
    char *text;
    size_t len;
    int rc = orbit_file_read_all(path, MANIFEST_MAX, &text, &len);
    if (rc == ENOENT)
        return all;
    if (rc) {
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "%s: %s", path, strerror(rc));
        json_decref(all);
        return NULL;
    }
    for (char *line = text; line < text + len;) {
        char *nl = memchr(line, '\n', (size_t)(text + len - line));
        size_t ll = nl ? (size_t)(nl - line) : (size_t)(text + len - line);
        json_t *e = ll ? json_loadb(line, ll, 0, NULL) : NULL;
        if (json_is_object(e)) {
            char obj[VAULT_PATH_MAX + 400];
            const char *sha = json_string_value(json_object_get(e, "sha256"));
            snprintf(obj, sizeof obj, "%s/%s/objects/%s", v->dir, pool, sha ? sha : "-");
            bool have = sha && access(obj, R_OK) == 0;
            const char *kind = json_string_value(json_object_get(e, "kind"));
            /* An upload the pool refused, or never confirmed, is kept but
             * is no backup of what a pool ran. */
            bool confirmed =
                !kind || strcmp(kind, "moh") != 0 || json_is_true(json_object_get(e, "verified"));
            json_object_set_new(e, "have", json_boolean(have));
            json_object_set_new(e, "restorable", json_boolean(have && confirmed));
            json_array_append_new(all, e);
        } else {
            json_decref(e); /* a line cut by a crash is skipped */
        }
        line += ll + 1;
    }
    free(text);
    return all;
}

orbit_err client_vault_store_settings(client_vault *v, const char *pool, const cps_settings *s,
                                      const char *who, orbit_status *st)
{
    char pdir[VAULT_PATH_MAX];
    orbit_err e = pool_dir(v, pool, pdir, sizeof pdir, st);
    if (e)
        return e;
    json_t *settings = orbit_json_from_settings(s);
    char *text = settings ? json_dumps(settings, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    if (!text) {
        json_decref(settings);
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    }
    char sha[ORBIT_SHA256_HEX_BUF];
    orbit_sha256_buffer(text, strlen(text), sha);
    int lock = lock_pool(pdir, st);
    if (lock < 0) {
        free(text);
        json_decref(settings);
        return ORBIT_ERR_INTERNAL;
    }
    /* Nothing new when the newest settings entry is the same content. */
    json_t *entries = read_manifest(v, pool, st);
    const char *newest = NULL;
    for (size_t i = json_array_size(entries); entries && i-- > 0;) {
        json_t *en = json_array_get(entries, i);
        const char *k = json_string_value(json_object_get(en, "kind"));
        if (k && strcmp(k, "settings") == 0) {
            newest = json_string_value(json_object_get(en, "sha256"));
            break;
        }
    }
    bool same = newest && strcmp(newest, sha) == 0;
    json_decref(entries);
    if (!same)
        e = put_object(pdir, sha, NULL, text, strlen(text), st);
    if (!same && !e) {
        json_t *entry = entry_base(pool, "settings", sha, "settings.json", strlen(text), who);
        if (entry && orbit_json_put(entry, "settings", json_incref(settings)))
            e = append_manifest(pdir, entry, st);
        else
            e = orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
        json_decref(entry);
    }
    close(lock);
    free(text);
    json_decref(settings);
    return e;
}

json_t *client_vault_list(client_vault *v, const char *pool, orbit_status *st)
{
    if (pool)
        return read_manifest(v, pool, st);
    json_t *all = json_array();
    if (!all) {
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
        return NULL;
    }
    /* Every pool directory of the vault. */
    struct dirent **names = NULL;
    int n = scandir(v->dir, &names, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.' && !orbit_fqdn_check(names[i]->d_name)) {
            json_t *one = read_manifest(v, names[i]->d_name, st);
            if (one)
                json_array_extend(all, one);
            json_decref(one);
        }
        free(names[i]);
    }
    free(names);
    return all;
}

json_t *client_vault_find(client_vault *v, const char *pool, const char *kind,
                          const char *sha_prefix, char *path, size_t path_len, orbit_status *st)
{
    json_t *entries = read_manifest(v, pool, st);
    json_t *found = NULL;
    for (size_t i = json_array_size(entries); entries && i-- > 0 && !found;) {
        json_t *e = json_array_get(entries, i);
        const char *k = json_string_value(json_object_get(e, "kind"));
        const char *sha = json_string_value(json_object_get(e, "sha256"));
        if (!k || !sha || strcmp(k, kind) != 0 || !json_is_true(json_object_get(e, "restorable")))
            continue;
        if (sha_prefix && *sha_prefix && strncmp(sha, sha_prefix, strlen(sha_prefix)) != 0)
            continue;
        found = json_incref(e);
        snprintf(path, path_len, "%s/%s/objects/%s", v->dir, pool, sha);
    }
    json_decref(entries);
    if (!found)
        orbit_status_set(
            st, ORBIT_ERR_NOT_FOUND, "", "the vault holds no restorable %s backup of %s%s%s", kind,
            pool, sha_prefix && *sha_prefix ? " matching " : "", sha_prefix ? sha_prefix : "");
    return found;
}

bool client_vault_has(client_vault *v, const char *pool, const char *sha256)
{
    char path[VAULT_PATH_MAX + 400];
    snprintf(path, sizeof path, "%s/%s/objects/%s", v->dir, pool, sha256);
    return access(path, R_OK) == 0;
}
