/* demo_etcd: starting and stopping a local three-member etcd cluster. */
#include "demo_etcd.h"

#include "demo_proc.h"
#include "orbit_file.h"
#include "orbit_time.h"

#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define ETCD_UP_TIMEOUT_MS 20000

int demo_etcd_client_port(int base_port, int m)
{
    return base_port + 80 + m;
}

int demo_etcd_peer_port(int base_port, int m)
{
    return base_port + 90 + m;
}

static const json_t *member(const json_t *doc, const char *name)
{
    const json_t *members = json_object_get(json_object_get(doc, "etcd"), "members"), *m;
    size_t i;
    json_array_foreach(members, i, m)
    {
        if (strcmp(json_string_value(json_object_get(m, "name")), name) == 0)
            return m;
    }
    return NULL;
}

static pid_t spawn_member(json_t *m, const char *initial_cluster, bool fresh)
{
    char etcd[PATH_MAX];
    if (!demo_find_program("etcd", etcd, sizeof etcd)) {
        fprintf(stderr, "orbit-demo: etcd is not installed (apt-get install etcd-server)\n");
        return -1;
    }
    char client[64], peer[64];
    snprintf(client, sizeof client, "http://127.0.0.1:%lld",
             (long long)json_integer_value(json_object_get(m, "client_port")));
    snprintf(peer, sizeof peer, "http://127.0.0.1:%lld",
             (long long)json_integer_value(json_object_get(m, "peer_port")));
    /* Transactions as large as a demo topology import or a bulk reassign,
     * and history kept long enough that a pool stopped for hours can
     * follow it without a reload (docs/deployment.md). */
    char *const argv[] = {etcd,
                          "--name",
                          (char *)json_string_value(json_object_get(m, "name")),
                          "--data-dir",
                          (char *)json_string_value(json_object_get(m, "data_dir")),
                          "--listen-client-urls",
                          client,
                          "--advertise-client-urls",
                          client,
                          "--listen-peer-urls",
                          peer,
                          "--initial-advertise-peer-urls",
                          peer,
                          "--initial-cluster",
                          (char *)initial_cluster,
                          "--initial-cluster-state",
                          fresh ? "new" : "existing",
                          "--initial-cluster-token",
                          "orbit-demo",
                          "--max-txn-ops",
                          "100000",
                          "--max-request-bytes",
                          "33554432",
                          "--auto-compaction-mode",
                          "revision",
                          "--auto-compaction-retention",
                          "100000",
                          "--log-level",
                          "warn",
                          NULL};
    pid_t pid = demo_spawn(etcd, argv, json_string_value(json_object_get(m, "log")));
    if (pid > 0)
        json_object_set_new(m, "pid", json_integer(pid));
    return pid;
}

static size_t keep(void *p, size_t size, size_t n, void *ctx)
{
    size_t len = size * n;
    char *buf = ctx;
    size_t have = strlen(buf);
    if (have + len < 256) {
        memcpy(buf + have, p, len);
        buf[have + len] = '\0';
    }
    return len;
}

/* True when the member answers /health with a leader in the cluster. */
static bool member_healthy(const json_t *m)
{
    CURL *c = curl_easy_init();
    if (!c)
        return false;
    char url[128], body[256] = "";
    snprintf(url, sizeof url, "http://127.0.0.1:%lld/health",
             (long long)json_integer_value(json_object_get(m, "client_port")));
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 1000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, (void *)body);
    bool ok = curl_easy_perform(c) == CURLE_OK && strstr(body, "\"health\":\"true\"") != NULL;
    curl_easy_cleanup(c);
    return ok;
}

static const char *initial_cluster(const json_t *doc)
{
    return json_string_value(json_object_get(json_object_get(doc, "etcd"), "initial_cluster"));
}

bool demo_etcd_up(const char *dir, int base_port, json_t *doc, char *store, size_t len)
{
    char root[PATH_MAX];
    if (!orbit_file_join(root, sizeof root, dir, "etcd"))
        return false;
    int rc = orbit_file_mkdirs(root, 0700);
    if (rc) {
        fprintf(stderr, "orbit-demo: %s: %s\n", root, strerror(rc));
        return false;
    }
    char cluster[512] = "", clients[256] = "";
    json_t *members = json_array();
    for (int m = 1; members && m <= DEMO_ETCD_MEMBERS; m++) {
        char name[8], data[PATH_MAX + 16], log_path[PATH_MAX + 16], part[96];
        snprintf(name, sizeof name, "m%d", m);
        snprintf(data, sizeof data, "%s/%s.data", root, name);
        snprintf(log_path, sizeof log_path, "%s/%s.log", root, name);
        snprintf(part, sizeof part, "%s%s=http://127.0.0.1:%d", m > 1 ? "," : "", name,
                 demo_etcd_peer_port(base_port, m));
        strncat(cluster, part, sizeof cluster - strlen(cluster) - 1);
        snprintf(part, sizeof part, "%s127.0.0.1:%d", m > 1 ? "," : "",
                 demo_etcd_client_port(base_port, m));
        strncat(clients, part, sizeof clients - strlen(clients) - 1);
        /* A fresh cluster: old member data would remember another one. */
        char cmd[PATH_MAX + 64];
        snprintf(cmd, sizeof cmd, "%s/member", data);
        if (access(cmd, F_OK) == 0) {
            fprintf(stderr, "orbit-demo: %s holds an old etcd member; remove %s first\n", data,
                    root);
            json_decref(members);
            return false;
        }
        json_array_append_new(members, json_pack("{s:s, s:i, s:i, s:s, s:s, s:i}", "name", name,
                                                 "client_port", demo_etcd_client_port(base_port, m),
                                                 "peer_port", demo_etcd_peer_port(base_port, m),
                                                 "data_dir", data, "log", log_path, "pid", 0));
    }
    if (!members)
        return false;
    char prefix[64];
    snprintf(prefix, sizeof prefix, "/orbit/demo-%lld", (long long)orbit_time_now_ms());
    json_object_set_new(doc, "etcd",
                        json_pack("{s:o, s:s, s:s, s:s}", "members", members, "initial_cluster",
                                  cluster, "clients", clients, "prefix", prefix));
    json_t *m;
    size_t i;
    json_array_foreach(members, i, m)
    {
        if (spawn_member(m, cluster, true) <= 0)
            return false;
    }
    int64_t until = orbit_time_mono_ms() + ETCD_UP_TIMEOUT_MS;
    bool all = false;
    while (!all && orbit_time_mono_ms() < until) {
        all = true;
        json_array_foreach(members, i, m) all = all && member_healthy(m);
        if (!all)
            demo_sleep_ms(100);
    }
    if (!all) {
        fprintf(stderr,
                "orbit-demo: the etcd cluster did not elect a leader within %d s (logs "
                "in %s)\n",
                ETCD_UP_TIMEOUT_MS / 1000, root);
        return false;
    }
    snprintf(store, len, "etcd://%s%s", clients, prefix);
    return true;
}

void demo_etcd_location(const json_t *doc, int k, char *out, size_t len)
{
    const json_t *etcd = json_object_get(doc, "etcd");
    const json_t *members = json_object_get(etcd, "members");
    size_t n = json_array_size(members);
    size_t first = n ? (size_t)(k - 1) % n : 0;
    int w = snprintf(out, len, "etcd://");
    for (size_t i = 0; i < n && w > 0 && (size_t)w < len; i++) {
        const json_t *m = json_array_get(members, (first + i) % n);
        w += snprintf(out + w, len - (size_t)w, "%s127.0.0.1:%lld", i ? "," : "",
                      (long long)json_integer_value(json_object_get(m, "client_port")));
    }
    if (w > 0 && (size_t)w < len)
        snprintf(out + w, len - (size_t)w, "%s",
                 json_string_value(json_object_get(etcd, "prefix")));
}

bool demo_etcd_start(const char *dir, json_t *doc, const char *name)
{
    (void)dir;
    json_t *m = (json_t *)member(doc, name);
    if (!m) {
        fprintf(stderr, "orbit-demo: no etcd member %s\n", name);
        return false;
    }
    if (demo_process_is((pid_t)json_integer_value(json_object_get(m, "pid")), "etcd"))
        return true;
    return spawn_member(m, initial_cluster(doc), false) > 0;
}

bool demo_etcd_stop(json_t *doc, const char *name)
{
    json_t *m = (json_t *)member(doc, name);
    if (!m) {
        fprintf(stderr, "orbit-demo: no etcd member %s\n", name);
        return false;
    }
    bool clean = demo_stop_process((pid_t)json_integer_value(json_object_get(m, "pid")), "etcd");
    json_object_set_new(m, "pid", json_integer(0));
    return clean;
}

bool demo_etcd_down(json_t *doc)
{
    bool clean = true;
    json_t *members = json_object_get(json_object_get(doc, "etcd"), "members"), *m;
    size_t i;
    json_array_foreach(members, i, m)
    {
        clean = demo_stop_process((pid_t)json_integer_value(json_object_get(m, "pid")), "etcd") &&
                clean;
        json_object_set_new(m, "pid", json_integer(0));
    }
    return clean;
}
