/* demo_deploy: generating, starting and stopping a local deployment. */
#include "demo_deploy.h"

#include "demo_etcd.h"
#include "demo_proc.h"

#include "demo_tls.h"
#include "orbit_buf.h"
#include "orbit_file.h"
#include "sip_digest.h"
#include "orbit_json.h"
#include "orbit_sha256.h"
#include "orbit_time.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEMO_HEALTH_TIMEOUT_MS 15000
#define DEMO_SETTLE_TIMEOUT_MS 10000
#define DEMO_GROUP_SIZE        10
/* Pool K's SIP edge listens on P+100+K (docs/orbit-demo.md). */
#define DEMO_SIP_OFFSET 100
/* RTP ports: a slice each of 61000-65399, above the ports tests pick for
 * deployments and above Linux's ephemeral range, so a call's media never
 * holds a port a pool is about to listen on. */
#define DEMO_MEDIA_FIRST 61000
#define DEMO_MEDIA_SPAN  4400
/* The simulator's SIP phones: calls at once per pool, and how long a
 * call stays parked or ringing (in the domain's clock: divided by the
 * clock scale, like every timer of the pools). */
#define DEMO_SIP_CALLS_PER_POOL 2
#define DEMO_SIP_HOLD_S         15.0

static const char *const ROLES[3] = {"viewer", "operator", "endpoint"};

void demo_options_default(demo_options *o)
{
    memset(o, 0, sizeof *o);
    o->pools = 4;
    o->users = 40;
    o->sim_profile = "sip";
    o->clock_scale = 1.0;
    o->phase_seconds = 60.0;
    o->base_port = 7080;
}

static void pool_fqdn(int k, char *out, size_t len)
{
    snprintf(out, len, "pool%d.%s.example.net", k, k % 2 ? "north" : "south");
}

/* ---- files ---- */

static bool random_token(char *out, size_t len)
{
    unsigned char bytes[24];
    if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes || len < 49)
        return false;
    for (size_t i = 0; i < sizeof bytes; i++)
        snprintf(out + 2 * i, 3, "%02x", bytes[i]);
    return true;
}

static int write_json_file(const char *path, json_t *doc)
{
    char *text = json_dumps(doc, JSON_INDENT(2));
    if (!text)
        return ENOMEM;
    size_t len = strlen(text);
    char *nl = realloc(text, len + 2);
    if (!nl) {
        free(text);
        return ENOMEM;
    }
    nl[len] = '\n';
    int rc = orbit_file_write_atomic(path, nl, len + 1, 0600);
    free(nl);
    return rc;
}

static json_t *read_deployment(const char *dir)
{
    char path[PATH_MAX];
    if (!orbit_file_join(path, sizeof path, dir, "deployment.json"))
        return NULL;
    json_error_t err;
    json_t *doc = json_load_file(path, 0, &err);
    if (!doc)
        fprintf(stderr, "orbit-demo: %s: %s\n", path, err.text);
    return doc;
}

static int save_deployment(const char *dir, json_t *doc)
{
    char path[PATH_MAX];
    if (!orbit_file_join(path, sizeof path, dir, "deployment.json"))
        return ENAMETOOLONG;
    int rc = write_json_file(path, doc);
    if (rc)
        fprintf(stderr, "orbit-demo: writing %s: %s\n", path, strerror(rc));
    return rc;
}

/* A user's SIP password for the demo, its "URI PASSWORD" line appended
 * to passwords, and its HA1s set on user (realm: the URI's host). */
static bool sip_credentials(const char *uri, json_t *user, orbit_buf *passwords)
{
    unsigned char bytes[8];
    char password[17], name[64], md5[SIP_DIGEST_HEX_MAX], sha[SIP_DIGEST_HEX_MAX];
    const char *at = strchr(uri, '@');
    if (!at || getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes)
        return false;
    for (size_t i = 0; i < sizeof bytes; i++)
        snprintf(password + 2 * i, 3, "%02x", bytes[i]);
    snprintf(name, sizeof name, "%.*s", (int)(at - uri - 4), uri + 4);
    if (!sip_digest_ha1(SIP_DIGEST_MD5, name, at + 1, password, md5) ||
        !sip_digest_ha1(SIP_DIGEST_SHA256, name, at + 1, password, sha))
        return false;
    json_object_set_new(user, "sip_ha1_md5", json_string(md5));
    json_object_set_new(user, "sip_ha1_sha256", json_string(sha));
    return orbit_buf_printf(passwords, "%s %s\n", uri, password);
}

static json_t *topology(const demo_options *o, int (*ports)(int k, void *), void *ctx,
                        orbit_buf *passwords)
{
    json_t *pools = json_array(), *pairs = json_array(), *ranges = json_array(),
           *users = json_array(), *groups = json_array();
    json_t *doc =
        json_pack("{s:[s,s], s:o, s:o, s:o, s:o, s:o}", "sites", "north", "south", "pools", pools,
                  "pairs", pairs, "ranges", ranges, "users", users, "groups", groups);
    if (!doc)
        return NULL;
    const char *scheme = o->tls ? "wss" : "ws";
    for (int k = 1; k <= o->pools; k++) {
        char fqdn[64], url[128], id[64], start[16], end[16];
        pool_fqdn(k, fqdn, sizeof fqdn);
        char sip[64];
        snprintf(url, sizeof url, "%s://127.0.0.1:%d/v1/stream", scheme, ports(k, ctx));
        snprintf(sip, sizeof sip, "sip:127.0.0.1:%d", o->base_port + DEMO_SIP_OFFSET + k);
        json_array_append_new(pools, json_pack("{s:s, s:s, s:s, s:s}", "fqdn", fqdn, "site",
                                               k % 2 ? "north" : "south", "url", url, "sip", sip));
        if (k % 2 == 0) {
            char other[64];
            pool_fqdn(k - 1, other, sizeof other);
            json_array_append_new(pairs, json_pack("[s,s]", other, fqdn));
        }
        /* CallPark: 200 orbits; GroupPickup: 100 group numbers. */
        snprintf(id, sizeof id, "pool%d CallPark", k);
        snprintf(start, sizeof start, "%d1000", k);
        snprintf(end, sizeof end, "%d1199", k);
        json_array_append_new(ranges,
                              json_pack("{s:s, s:s, s:s, s:s, s:s}", "identity", id, "start", start,
                                        "end", end, "pool", fqdn, "type", "CallPark"));
        snprintf(id, sizeof id, "pool%d GroupPickup", k);
        snprintf(start, sizeof start, "%d7000", k);
        snprintf(end, sizeof end, "%d7099", k);
        json_array_append_new(ranges,
                              json_pack("{s:s, s:s, s:s, s:s, s:s}", "identity", id, "start", start,
                                        "end", end, "pool", fqdn, "type", "GroupPickup"));
        json_t *members = NULL;
        for (int u = 0; u < o->users; u++) {
            char uri[96];
            snprintf(uri, sizeof uri, "sip:user%d-%03d@example.net", k, u + 1);
            json_t *user = json_pack("{s:s, s:s}", "uri", uri, "home", fqdn);
            if (!user || !sip_credentials(uri, user, passwords)) {
                json_decref(user);
                json_decref(doc);
                return NULL;
            }
            json_array_append_new(users, user);
            if (u % DEMO_GROUP_SIZE == 0 && u / DEMO_GROUP_SIZE < 100) {
                char number[16];
                snprintf(number, sizeof number, "%d7%03d", k, u / DEMO_GROUP_SIZE);
                members = json_array();
                json_array_append_new(
                    groups, json_pack("{s:s, s:o}", "number", number, "members", members));
            }
            if (members && u / DEMO_GROUP_SIZE < 100)
                json_array_append_new(members, json_string(uri));
        }
    }
    return doc;
}

static int port_of(int k, void *ctx)
{
    return *(int *)ctx + k;
}

/* What a pool's configuration says besides its name and port. */
typedef struct {
    double clock_scale, phase_seconds;
    const char *store;
    const char *tokens[3];
    const char *cert, *key;      /* NULL without TLS */
    int sip_port;                /* the pool's SIP edge (UDP and TCP) */
    int media_first, media_last; /* its slice of the RTP ports */
} pool_conf;

/* Pool K's slice of the RTP ports when the deployment was made with
 * `pools` pools: even, at least 4 ports, at most 200. A pool added later
 * (K > pools) takes the slice after the last, clipped to the range. */
static void media_slice(int k, int pools, int *first, int *last)
{
    int span = DEMO_MEDIA_SPAN / pools;
    span = (span > 200 ? 200 : span) & ~1;
    *first = DEMO_MEDIA_FIRST + (k - 1) * span;
    *last = *first + span - 1;
    if (*last >= DEMO_MEDIA_FIRST + DEMO_MEDIA_SPAN)
        *last = DEMO_MEDIA_FIRST + DEMO_MEDIA_SPAN - 1;
}

static int write_pool_config(const char *dir, const char *fqdn, int port, const pool_conf *pc,
                             char *data_dir, size_t data_len, char *conf_path, size_t conf_len)
{
    char pool_dir[PATH_MAX];
    if (!orbit_file_join(pool_dir, sizeof pool_dir, dir, fqdn))
        return ENAMETOOLONG;
    int rc = orbit_file_mkdirs(pool_dir, 0700);
    if (rc)
        return rc;
    if (!orbit_file_join(data_dir, data_len, pool_dir, "data") ||
        !orbit_file_join(conf_path, conf_len, pool_dir, "orbitd.conf"))
        return ENAMETOOLONG;
    char text[8192];
    /* SIP with digest, challenging with MD5 only: libre 1.1 (hence
     * Debian's baresip and orbit-sim --sip) fails on any SHA-256
     * challenge, even beside an MD5 one (docs/sip.md). */
    int n = snprintf(text, sizeof text,
                     "# orbitd configuration written by orbit-demo\n"
                     "fqdn = %s\nlisten = 127.0.0.1\nport = %d\nstore = %s\ndata_dir = %s\n"
                     "clock_scale = %g\nphase_seconds = %g\nlog_level = info\n"
                     "sip_port = %d\nsip_bind = 127.0.0.1\nsip_auth = digest\n"
                     "sip_digest_offer = md5\nmedia_ports = %d-%d\n",
                     fqdn, port, pc->store, data_dir, pc->clock_scale, pc->phase_seconds,
                     pc->sip_port, pc->media_first, pc->media_last);
    if (pc->cert && n > 0 && n < (int)sizeof text)
        n += snprintf(text + n, sizeof text - (size_t)n, "tls_cert = %s\ntls_key = %s\n", pc->cert,
                      pc->key);
    for (int r = 0; r < 3 && n > 0 && n < (int)sizeof text; r++) {
        char hex[ORBIT_SHA256_HEX_BUF];
        if (!orbit_sha256_buffer(pc->tokens[r], strlen(pc->tokens[r]), hex))
            return EIO;
        n += snprintf(text + n, sizeof text - (size_t)n, "token = demo-%s %s sha256:%s\n", ROLES[r],
                      ROLES[r], hex);
    }
    if (n < 0 || n >= (int)sizeof text)
        return ENAMETOOLONG;
    return orbit_file_write_atomic(conf_path, text, (size_t)n, 0600);
}

/* ---- processes ---- */

static const char *ca_of(json_t *doc);

static size_t keep_body(void *p, size_t size, size_t n, void *ctx)
{
    size_t len = size * n;
    char *buf = ctx;
    size_t have = strlen(buf);
    if (have + len < 1024) {
        memcpy(buf + have, p, len);
        buf[have + len] = '\0';
    }
    return len;
}

/* GET /v1/health: -1 when the pool does not answer, else how many pools
 * of the deployment it sees up (itself included). */
static int health_pools_up(const char *http_base, const char *ca_file)
{
    CURL *c = curl_easy_init();
    if (!c)
        return -1;
    char url[300], body[1024] = "";
    snprintf(url, sizeof url, "%s/v1/health", http_base);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 1000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, (void *)body);
    if (ca_file && *ca_file)
        curl_easy_setopt(c, CURLOPT_CAINFO, ca_file);
    long code = 0;
    bool ok = curl_easy_perform(c) == CURLE_OK &&
              curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK && code == 200;
    curl_easy_cleanup(c);
    if (!ok)
        return -1;
    json_t *doc = json_loads(body, 0, NULL);
    int up = (int)json_integer_value(json_object_get(doc, "pools_up"));
    json_decref(doc);
    return up;
}

static bool healthy(const char *http_base, const char *ca_file)
{
    return health_pools_up(http_base, ca_file) >= 0;
}

/* Waits until every running pool sees every running pool up, so that a
 * deployment `up` or `start` hands over is settled: no pool is still
 * learning that its peers exist. Only a warning when it takes too long. */
static void wait_settled(json_t *doc)
{
    json_t *pools = json_object_get(doc, "pools"), *p;
    size_t i;
    int running = 0;
    json_array_foreach(pools, i, p) running +=
        demo_process_is((pid_t)json_integer_value(json_object_get(p, "pid")), "orbitd");
    int64_t until = orbit_time_mono_ms() + DEMO_SETTLE_TIMEOUT_MS;
    json_array_foreach(pools, i, p)
    {
        if (!demo_process_is((pid_t)json_integer_value(json_object_get(p, "pid")), "orbitd"))
            continue;
        const char *http = json_string_value(json_object_get(p, "http"));
        while (health_pools_up(http, ca_of(doc)) < running) {
            if (orbit_time_mono_ms() >= until) {
                fprintf(stderr, "orbit-demo: warning: %s does not see all %d pools up yet\n",
                        json_string_value(json_object_get(p, "fqdn")), running);
                return;
            }
            demo_sleep_ms(50);
        }
    }
}

static void show_log_tail(const char *log_path)
{
    char *text = NULL;
    size_t len = 0;
    if (orbit_file_read_all(log_path, 1u << 20, &text, &len) != 0)
        return;
    const char *from = len > 2000 ? text + len - 2000 : text;
    fprintf(stderr, "--- last lines of %s ---\n%s\n", log_path, from);
    free(text);
}

static bool wait_healthy(json_t *pool, pid_t pid, const char *ca_file)
{
    const char *http = json_string_value(json_object_get(pool, "http"));
    int64_t until = orbit_time_mono_ms() + DEMO_HEALTH_TIMEOUT_MS;
    while (orbit_time_mono_ms() < until) {
        if (healthy(http, ca_file))
            return true;
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            fprintf(stderr, "orbit-demo: orbitd for %s exited (status %d)\n",
                    json_string_value(json_object_get(pool, "fqdn")),
                    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
            show_log_tail(json_string_value(json_object_get(pool, "log")));
            return false;
        }
        demo_sleep_ms(100);
    }
    fprintf(stderr, "orbit-demo: %s did not answer %s/v1/health within %d s\n",
            json_string_value(json_object_get(pool, "fqdn")), http, DEMO_HEALTH_TIMEOUT_MS / 1000);
    show_log_tail(json_string_value(json_object_get(pool, "log")));
    return false;
}

static pid_t start_pool(json_t *pool)
{
    char orbitd[PATH_MAX];
    if (!demo_find_program("orbitd", orbitd, sizeof orbitd)) {
        fprintf(stderr, "orbit-demo: cannot find orbitd (set ORBIT_BIN_DIR)\n");
        return -1;
    }
    char *const argv[] = {orbitd, "-c", (char *)json_string_value(json_object_get(pool, "config")),
                          NULL};
    pid_t pid = demo_spawn(orbitd, argv, json_string_value(json_object_get(pool, "log")));
    if (pid > 0)
        json_object_set_new(pool, "pid", json_integer(pid));
    return pid;
}

static json_t *find_pool(json_t *doc, const char *fqdn)
{
    json_t *pools = json_object_get(doc, "pools"), *p;
    size_t i;
    json_array_foreach(pools, i, p)
    {
        if (strcmp(json_string_value(json_object_get(p, "fqdn")), fqdn) == 0)
            return p;
    }
    return NULL;
}

static const char *ca_of(json_t *doc)
{
    return json_string_value(json_object_get(doc, "ca"));
}

/* The simulator: SIP phones (profile "sip", the default), or orbit.v1
 * endpoint phones with one of orbit-sim's profiles. */
static pid_t start_sim(const char *dir, json_t *doc, const char *profile)
{
    char sim[PATH_MAX], deployment[PATH_MAX], log_path[PATH_MAX];
    if (!demo_find_program("orbit-sim", sim, sizeof sim)) {
        fprintf(stderr, "orbit-demo: cannot find orbit-sim (set ORBIT_BIN_DIR)\n");
        return -1;
    }
    if (!orbit_file_join(deployment, sizeof deployment, dir, "deployment.json") ||
        !orbit_file_join(log_path, sizeof log_path, dir, "orbit-sim.log"))
        return -1;
    char calls[16], hold[32];
    snprintf(calls, sizeof calls, "%zu",
             DEMO_SIP_CALLS_PER_POOL * json_array_size(json_object_get(doc, "pools")));
    double scale = json_number_value(json_object_get(doc, "clock_scale"));
    snprintf(hold, sizeof hold, "%.3f", DEMO_SIP_HOLD_S / (scale > 0 ? scale : 1.0));
    char *const sip_argv[] = {sim,   "--sip",  "--deployment", deployment, "--calls",
                              calls, "--hold", hold,           NULL};
    char *const api_argv[] = {sim, "--deployment", deployment, "--profile", (char *)profile, NULL};
    pid_t pid = demo_spawn(sim, strcmp(profile, "sip") == 0 ? sip_argv : api_argv, log_path);
    if (pid > 0)
        json_object_set_new(doc, "sim",
                            json_pack("{s:I, s:s, s:s}", "pid", (json_int_t)pid, "profile", profile,
                                      "log", log_path));
    return pid;
}

int demo_up(const char *dir_arg, const demo_options *o)
{
    if (o->pools < 1 || o->pools > 64 || o->users < 0 || o->users > 25000) {
        fprintf(stderr, "orbit-demo: --pools is 1..64, --users 0..25000\n");
        return 2;
    }
    int rc = orbit_file_mkdirs(dir_arg, 0700);
    char dir[PATH_MAX];
    if (rc || !realpath(dir_arg, dir)) {
        fprintf(stderr, "orbit-demo: %s: %s\n", dir_arg, strerror(rc ? rc : errno));
        return 1;
    }
    json_t *old = NULL;
    char dep_path[PATH_MAX];
    orbit_file_join(dep_path, sizeof dep_path, dir, "deployment.json");
    if (access(dep_path, F_OK) == 0 && (old = read_deployment(dir))) {
        bool running = false;
        json_t *p;
        size_t i;
        json_array_foreach(json_object_get(old, "pools"), i, p) running =
            running ||
            demo_process_is((pid_t)json_integer_value(json_object_get(p, "pid")), "orbitd");
        json_decref(old);
        if (running) {
            fprintf(stderr, "orbit-demo: %s already runs a deployment; run orbit-demo down %s\n",
                    dir, dir_arg);
            return 1;
        }
    }
    /* A fresh deployment: the old store and pool data go. */
    char store[PATH_MAX + 16];
    snprintf(store, sizeof store, "%s/store.db", dir);
    const char *suffixes[] = {"", "-wal", "-shm", "-live", "-live-wal", "-live-shm"};
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
        char p[PATH_MAX + 32];
        snprintf(p, sizeof p, "%s%s", store, suffixes[i]);
        unlink(p);
    }
    json_t *cluster = json_object();
    if (!cluster)
        return 1;
    if (o->store_etcd && !demo_etcd_up(dir, o->base_port, cluster, store, sizeof store)) {
        demo_etcd_down(cluster);
        json_decref(cluster);
        return 1;
    }
    char token_dir[PATH_MAX];
    orbit_file_join(token_dir, sizeof token_dir, dir, "tokens");
    if ((rc = orbit_file_mkdirs(token_dir, 0700))) {
        fprintf(stderr, "orbit-demo: %s: %s\n", token_dir, strerror(rc));
        return 1;
    }
    char tok[3][64];
    const char *tokens[3];
    for (int r = 0; r < 3; r++) {
        char path[PATH_MAX + 16];
        if (!random_token(tok[r], sizeof tok[r])) {
            fprintf(stderr, "orbit-demo: no randomness for tokens\n");
            return 1;
        }
        tokens[r] = tok[r];
        snprintf(path, sizeof path, "%s/%s", token_dir, ROLES[r]);
        char line[80];
        int n = snprintf(line, sizeof line, "%s\n", tok[r]);
        if ((rc = orbit_file_write_atomic(path, line, (size_t)n, 0600))) {
            fprintf(stderr, "orbit-demo: %s: %s\n", path, strerror(rc));
            return 1;
        }
    }
    char cert[PATH_MAX] = "", key[PATH_MAX] = "";
    if (o->tls) {
        orbit_file_join(cert, sizeof cert, dir, "tls-cert.pem");
        orbit_file_join(key, sizeof key, dir, "tls-key.pem");
        char why[256];
        if (!demo_tls_make_self_signed(cert, key, why, sizeof why)) {
            fprintf(stderr, "orbit-demo: TLS certificate: %s\n", why);
            return 1;
        }
    }
    int base = o->base_port;
    orbit_buf passwords;
    orbit_buf_init(&passwords);
    json_t *topo = topology(o, port_of, &base, &passwords);
    char topo_path[PATH_MAX + 16], passwords_path[PATH_MAX + 16];
    snprintf(topo_path, sizeof topo_path, "%s/topology.json", dir);
    snprintf(passwords_path, sizeof passwords_path, "%s/sip-passwords", dir);
    /* The phones' passwords, for orbit-sim --sip and for people trying a
     * softphone: the pools only ever see the HA1s in the topology. */
    if (!topo || passwords.failed || write_json_file(topo_path, topo) != 0 ||
        orbit_file_write_atomic(passwords_path, passwords.len ? passwords.data : "", passwords.len,
                                0600) != 0) {
        json_decref(topo);
        orbit_buf_free(&passwords);
        fprintf(stderr, "orbit-demo: cannot write %s or %s\n", topo_path, passwords_path);
        return 1;
    }
    json_decref(topo);
    orbit_buf_free(&passwords);
    char orbitd[PATH_MAX];
    if (!demo_find_program("orbitd", orbitd, sizeof orbitd)) {
        fprintf(stderr, "orbit-demo: cannot find orbitd (set ORBIT_BIN_DIR)\n");
        return 1;
    }
    pid_t imp = fork();
    if (imp == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0)
            dup2(devnull, STDOUT_FILENO);
        execl(orbitd, orbitd, "import", "--store", store, "--replace", topo_path, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    if (imp < 0 || waitpid(imp, &status, 0) != imp || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        fprintf(stderr, "orbit-demo: importing the topology failed\n");
        demo_etcd_down(cluster);
        json_decref(cluster);
        return 1;
    }
    json_t *pools = json_array();
    json_t *doc =
        json_pack("{s:s, s:o, s:{s:s, s:s, s:s}, s:n, s:f, s:f}", "store", store, "pools", pools,
                  "tokens", "viewer", tokens[0], "operator", tokens[1], "endpoint", tokens[2],
                  "sim", "clock_scale", o->clock_scale, "phase_seconds", o->phase_seconds);
    if (!doc || json_object_update(doc, cluster) != 0) {
        demo_etcd_down(cluster);
        json_decref(cluster);
        json_decref(doc);
        return 1;
    }
    json_decref(cluster);
    if (o->tls)
        json_object_set_new(doc, "ca", json_string(cert));
    json_object_set_new(doc, "sip_passwords", json_string(passwords_path));
    json_object_set_new(doc, "made_pools", json_integer(o->pools));
    for (int k = 1; k <= o->pools; k++) {
        char fqdn[64], backup[64] = "", data_dir[PATH_MAX], conf[PATH_MAX], log_path[PATH_MAX + 64];
        char url[128], http[128];
        pool_fqdn(k, fqdn, sizeof fqdn);
        if (k % 2 == 0)
            pool_fqdn(k - 1, backup, sizeof backup);
        else if (k + 1 <= o->pools)
            pool_fqdn(k + 1, backup, sizeof backup);
        /* With etcd, each pool talks to its own member first. */
        char location[PATH_MAX + 16];
        if (o->store_etcd)
            demo_etcd_location(doc, k, location, sizeof location);
        else
            snprintf(location, sizeof location, "%s", store);
        pool_conf pc = {o->clock_scale,
                        o->phase_seconds,
                        location,
                        {tokens[0], tokens[1], tokens[2]},
                        o->tls ? cert : NULL,
                        o->tls ? key : NULL,
                        o->base_port + DEMO_SIP_OFFSET + k,
                        0,
                        0};
        media_slice(k, o->pools, &pc.media_first, &pc.media_last);
        rc = write_pool_config(dir, fqdn, o->base_port + k, &pc, data_dir, sizeof data_dir, conf,
                               sizeof conf);
        if (rc) {
            fprintf(stderr, "orbit-demo: writing %s's configuration: %s\n", fqdn, strerror(rc));
            json_decref(doc);
            return 1;
        }
        char pool_dir[PATH_MAX];
        if (!orbit_file_join(pool_dir, sizeof pool_dir, dir, fqdn) ||
            !orbit_file_join(log_path, sizeof log_path, pool_dir, "orbitd.log")) {
            json_decref(doc);
            return 1;
        }
        snprintf(url, sizeof url, "%s://127.0.0.1:%d/v1/stream", o->tls ? "wss" : "ws",
                 o->base_port + k);
        snprintf(http, sizeof http, "%s://127.0.0.1:%d", o->tls ? "https" : "http",
                 o->base_port + k);
        /* Pool K's SIP edge: port P+100+K (docs/sip.md). */
        char sip[64];
        snprintf(sip, sizeof sip, "sip:127.0.0.1:%d", o->base_port + DEMO_SIP_OFFSET + k);
        json_array_append_new(
            pools, json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s, s:i, s:s, s:s, s:s}", "fqdn", fqdn,
                             "site", k % 2 ? "north" : "south", "backup", backup[0] ? backup : NULL,
                             "url", url, "http", http, "sip", sip, "pid", 0, "data_dir", data_dir,
                             "config", conf, "log", log_path));
    }
    json_t *p;
    size_t i;
    bool ok = true;
    json_array_foreach(pools, i, p) ok = ok && start_pool(p) > 0;
    save_deployment(dir, doc);
    json_array_foreach(pools, i, p) ok =
        ok && wait_healthy(p, (pid_t)json_integer_value(json_object_get(p, "pid")), ca_of(doc));
    if (ok)
        wait_settled(doc);
    if (ok && o->sim_profile)
        ok = start_sim(dir, doc, o->sim_profile) > 0;
    save_deployment(dir, doc);
    if (!ok) {
        fprintf(stderr, "orbit-demo: the deployment did not come up; stopping it\n");
        json_decref(doc);
        demo_down(dir);
        return 1;
    }
    printf("orbit-demo: %d pools up in %s (first: %s)\n", o->pools, dir,
           json_string_value(json_object_get(json_array_get(pools, 0), "http")));
    json_decref(doc);
    return 0;
}

int demo_start(const char *dir, const char *fqdn)
{
    json_t *doc = read_deployment(dir);
    if (!doc)
        return 1;
    json_t *pool = find_pool(doc, fqdn);
    if (!pool) {
        fprintf(stderr, "orbit-demo: no pool %s in %s\n", fqdn, dir);
        json_decref(doc);
        return 1;
    }
    pid_t old = (pid_t)json_integer_value(json_object_get(pool, "pid"));
    if (demo_process_is(old, "orbitd")) {
        fprintf(stderr, "orbit-demo: %s already runs (pid %d)\n", fqdn, (int)old);
        json_decref(doc);
        return 0;
    }
    pid_t pid = start_pool(pool);
    int rc = pid > 0 && wait_healthy(pool, pid, ca_of(doc)) ? 0 : 1;
    if (rc == 0)
        wait_settled(doc);
    save_deployment(dir, doc);
    json_decref(doc);
    return rc;
}

int demo_stop(const char *dir, const char *fqdn)
{
    json_t *doc = read_deployment(dir);
    if (!doc)
        return 1;
    json_t *pool = find_pool(doc, fqdn);
    if (!pool) {
        fprintf(stderr, "orbit-demo: no pool %s in %s\n", fqdn, dir);
        json_decref(doc);
        return 1;
    }
    bool clean =
        demo_stop_process((pid_t)json_integer_value(json_object_get(pool, "pid")), "orbitd");
    json_object_set_new(pool, "pid", json_integer(0));
    save_deployment(dir, doc);
    json_decref(doc);
    return clean ? 0 : 1;
}

int demo_down(const char *dir)
{
    json_t *doc = read_deployment(dir);
    if (!doc)
        return 1;
    bool clean = true;
    json_t *sim = json_object_get(doc, "sim");
    if (json_is_object(sim)) {
        clean = demo_stop_process((pid_t)json_integer_value(json_object_get(sim, "pid")),
                                  "orbit-sim") &&
                clean;
        json_object_set_new(sim, "pid", json_integer(0));
    }
    json_t *p;
    size_t i;
    json_array_foreach(json_object_get(doc, "pools"), i, p)
    {
        clean = demo_stop_process((pid_t)json_integer_value(json_object_get(p, "pid")), "orbitd") &&
                clean;
        json_object_set_new(p, "pid", json_integer(0));
    }
    clean = demo_etcd_down(doc) && clean; /* after the pools: they would see it go */
    save_deployment(dir, doc);
    json_decref(doc);
    return clean ? 0 : 1;
}

int demo_etcd_member(const char *dir, const char *name, bool start)
{
    json_t *doc = read_deployment(dir);
    if (!doc)
        return 1;
    if (!json_object_get(doc, "etcd")) {
        fprintf(stderr, "orbit-demo: %s has no etcd cluster (it was made without --store etcd)\n",
                dir);
        json_decref(doc);
        return 1;
    }
    bool ok = start ? demo_etcd_start(dir, doc, name) : demo_etcd_stop(doc, name);
    save_deployment(dir, doc);
    json_decref(doc);
    return ok ? 0 : 1;
}

/* The port in a pool's http base ("http://127.0.0.1:7081"), or 0. */
static int port_in(const char *http)
{
    const char *colon = http ? strrchr(http, ':') : NULL;
    return colon ? atoi(colon + 1) : 0;
}

int demo_add(const char *dir, const char *fqdn, const char *site)
{
    json_t *doc = read_deployment(dir);
    if (!doc)
        return 1;
    int rc = 1;
    json_t *pools = json_object_get(doc, "pools"), *p;
    size_t i;
    int port = 0;
    json_array_foreach(pools, i, p)
    {
        int pp = port_in(json_string_value(json_object_get(p, "http")));
        port = pp > port ? pp : port;
    }
    const json_t *tok = json_object_get(doc, "tokens");
    const char *ca = ca_of(doc);
    size_t k = json_array_size(pools) + 1;
    char location[PATH_MAX + 16], data_dir[PATH_MAX], conf[PATH_MAX], pool_dir[PATH_MAX];
    char log_path[PATH_MAX + 64], cert[PATH_MAX] = "", key[PATH_MAX] = "";
    const char *why = orbit_fqdn_check(fqdn);
    if (why || (why = orbit_site_check(site))) {
        fprintf(stderr, "orbit-demo: %s %s: %s\n", fqdn, site, why);
        goto out;
    }
    if (find_pool(doc, fqdn)) {
        fprintf(stderr, "orbit-demo: %s is in %s already\n", fqdn, dir);
        goto out;
    }
    if (!port || !json_is_object(tok)) {
        fprintf(stderr, "orbit-demo: %s is not a deployment orbit-demo made\n", dir);
        goto out;
    }
    port++;
    if (json_object_get(doc, "etcd"))
        demo_etcd_location(doc, (int)k, location, sizeof location);
    else
        snprintf(location, sizeof location, "%s", json_string_value(json_object_get(doc, "store")));
    if (ca) {
        orbit_file_join(cert, sizeof cert, dir, "tls-cert.pem");
        orbit_file_join(key, sizeof key, dir, "tls-key.pem");
    }
    pool_conf pc = {json_number_value(json_object_get(doc, "clock_scale")),
                    json_number_value(json_object_get(doc, "phase_seconds")),
                    location,
                    {json_string_value(json_object_get(tok, "viewer")),
                     json_string_value(json_object_get(tok, "operator")),
                     json_string_value(json_object_get(tok, "endpoint"))},
                    ca ? cert : NULL,
                    ca ? key : NULL,
                    port + DEMO_SIP_OFFSET,
                    0,
                    0};
    /* The slices were cut for the pools orbit-demo up made: their count
     * is in the deployment as "made_pools" (older ones: every pool there). */
    json_int_t made = json_integer_value(json_object_get(doc, "made_pools"));
    media_slice((int)k, made > 0 ? (int)made : (int)k - 1, &pc.media_first, &pc.media_last);
    if (pc.media_first >= DEMO_MEDIA_FIRST + DEMO_MEDIA_SPAN - 4) {
        fprintf(stderr, "orbit-demo: no RTP ports left for another pool\n");
        goto out;
    }
    if (!pc.tokens[0] || !pc.tokens[1] || !pc.tokens[2] || pc.clock_scale <= 0) {
        fprintf(stderr, "orbit-demo: %s/deployment.json lacks tokens or the clock scale\n", dir);
        goto out;
    }
    int err = write_pool_config(dir, fqdn, port, &pc, data_dir, sizeof data_dir, conf, sizeof conf);
    if (err || !orbit_file_join(pool_dir, sizeof pool_dir, dir, fqdn) ||
        !orbit_file_join(log_path, sizeof log_path, pool_dir, "orbitd.log")) {
        fprintf(stderr, "orbit-demo: writing %s's configuration: %s\n", fqdn,
                strerror(err ? err : ENAMETOOLONG));
        goto out;
    }
    char url[128], http[128], sip[64];
    snprintf(url, sizeof url, "%s://127.0.0.1:%d/v1/stream", ca ? "wss" : "ws", port);
    snprintf(http, sizeof http, "%s://127.0.0.1:%d", ca ? "https" : "http", port);
    snprintf(sip, sizeof sip, "sip:127.0.0.1:%d", pc.sip_port);
    if (json_array_append_new(pools, json_pack("{s:s, s:s, s:n, s:s, s:s, s:s, s:i, s:s, s:s, s:s}",
                                               "fqdn", fqdn, "site", site, "backup", "url", url,
                                               "http", http, "sip", sip, "pid", 0, "data_dir",
                                               data_dir, "config", conf, "log", log_path)) != 0) {
        fprintf(stderr, "orbit-demo: out of memory\n");
        goto out;
    }
    if (save_deployment(dir, doc) == 0) {
        printf("orbit-demo: %s (site %s) configured at %s; add it to the deployment (orbitctl dr "
               "replace), then orbit-demo start %s %s\n",
               fqdn, site, url, dir, fqdn);
        rc = 0;
    }
out:
    json_decref(doc);
    return rc;
}
