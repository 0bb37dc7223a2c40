/* etcd_gateway: JSON over HTTP to etcd's v3 gateway with libcurl. */
#include "etcd_gateway.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ETCD_MEMBERS_MAX     16
#define ETCD_CONNECT_MS      700
#define ETCD_DEFAULT_TIMEOUT 3000
/* Largest answer kept in memory (a whole deployment's range read). */
#define ETCD_REPLY_MAX (256u * 1024u * 1024u)

struct etcd_gateway {
    CURL *curl;
    char members[ETCD_MEMBERS_MAX][128];
    size_t nmembers;
    size_t current; /* the member tried first */
    bool tls;
    store_options opt;
    char token[512]; /* from /v3/auth/authenticate, when a user is configured */
    int timeout_ms;
};

/* ---- base64 ---- */

char *etcd_b64_encode(const void *data, size_t len)
{
    if (len > (size_t)INT32_MAX / 2)
        return NULL;
    char *out = malloc(4 * ((len + 2) / 3) + 1);
    if (out)
        EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    return out;
}

char *etcd_b64_decode(const char *text, size_t *len)
{
    size_t n = strlen(text);
    if (n % 4 != 0 || n > (size_t)INT32_MAX / 2)
        return NULL;
    char *out = malloc(3 * (n / 4) + 1);
    if (!out)
        return NULL;
    int got = EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)text, (int)n);
    if (got < 0) {
        free(out);
        return NULL;
    }
    /* EVP_DecodeBlock counts the padding's zero bytes too. */
    if (n >= 1 && text[n - 1] == '=')
        got--;
    if (n >= 2 && text[n - 2] == '=')
        got--;
    out[got] = '\0';
    if (len)
        *len = (size_t)got;
    return out;
}

int64_t etcd_int(const json_t *v)
{
    if (json_is_integer(v))
        return json_integer_value(v);
    const char *s = json_string_value(v);
    return s ? strtoll(s, NULL, 10) : 0;
}

/* ---- opening ---- */

orbit_err etcd_gateway_open(const char *members, const store_options *opt, etcd_gateway **out,
                            orbit_status *st)
{
    *out = NULL;
    etcd_gateway *g = calloc(1, sizeof *g);
    if (!g)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    g->opt = *opt;
    g->tls = opt->ca[0] || opt->cert[0];
    g->timeout_ms = opt->timeout_ms > 0 ? opt->timeout_ms : ETCD_DEFAULT_TIMEOUT;
    for (const char *p = members; *p;) {
        size_t n = strcspn(p, ",");
        if (n == 0 || n >= sizeof g->members[0] || g->nmembers == ETCD_MEMBERS_MAX) {
            free(g);
            return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "store",
                                    "etcd members are host:port[,host:port...] (at most %d)",
                                    ETCD_MEMBERS_MAX);
        }
        memcpy(g->members[g->nmembers], p, n);
        g->members[g->nmembers++][n] = '\0';
        p += n;
        if (*p == ',')
            p++;
    }
    if (g->nmembers == 0) {
        free(g);
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "store", "no etcd member given");
    }
    g->curl = curl_easy_init();
    if (!g->curl) {
        free(g);
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "cannot start libcurl");
    }
    *out = g;
    return ORBIT_OK;
}

void etcd_gateway_close(etcd_gateway *g)
{
    if (!g)
        return;
    curl_easy_cleanup(g->curl);
    free(g);
}

/* ---- one request ---- */

typedef struct {
    char *buf;
    size_t len, cap;
    bool too_big;
    /* streaming */
    etcd_stream_fn fn;
    void *ctx;
    bool stopped;
    bool got_any;  /* a stream that times out after its first bytes simply ran its time */
    size_t parsed; /* bytes of buf already handed to fn */
} body_sink;

/* Hands every complete line (one JSON message) of a stream to fn. */
static void feed_stream(body_sink *b)
{
    while (!b->stopped) {
        char *start = b->buf + b->parsed;
        char *nl = memchr(start, '\n', b->len - b->parsed);
        if (!nl)
            break;
        json_t *msg = json_loadb(start, (size_t)(nl - start), 0, NULL);
        b->parsed = (size_t)(nl - b->buf) + 1;
        if (msg && !b->fn(b->ctx, msg))
            b->stopped = true;
        json_decref(msg);
    }
    if (b->parsed == b->len) {
        b->len = b->parsed = 0;
    }
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
    body_sink *b = ctx;
    size_t n = size * nmemb;
    b->got_any = b->got_any || n > 0;
    if (b->len + n + 1 > ETCD_REPLY_MAX) {
        b->too_big = true;
        return 0;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *grown = realloc(b->buf, cap);
        if (!grown)
            return 0;
        b->buf = grown;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, data, n);
    b->len += n;
    b->buf[b->len] = '\0';
    if (b->fn) {
        feed_stream(b);
        if (b->stopped)
            return 0; /* ends the transfer: the caller has what it wanted */
    }
    return n;
}

/* True for errors where another member may do better. */
static bool member_unreachable(CURLcode rc)
{
    return rc == CURLE_COULDNT_CONNECT || rc == CURLE_OPERATION_TIMEDOUT ||
           rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR ||
           rc == CURLE_GOT_NOTHING || rc == CURLE_SSL_CONNECT_ERROR;
}

/* The gateway's refusals carry {"error"|"message", "code"}; gRPC code 14
 * (unavailable) and 4 (deadline exceeded) mean "no leader" or "try again",
 * which another member or a moment later may answer. */
static orbit_err gateway_error(const json_t *reply, long http, const char *member, orbit_status *st)
{
    const char *msg = json_string_value(json_object_get(reply, "message"));
    if (!msg)
        msg = json_string_value(json_object_get(reply, "error"));
    int64_t code = etcd_int(json_object_get(reply, "code"));
    orbit_err e = code == 14 || code == 4 || http == 503 ? ORBIT_ERR_UNAVAILABLE
                  : code == 16 || http == 401            ? ORBIT_ERR_UNAUTHORIZED
                                                         : ORBIT_ERR_INTERNAL;
    return orbit_status_set(st, e, "", "etcd %s: %s (HTTP %ld)", member,
                            msg ? msg : "an error without a message", http);
}

static orbit_err authenticate(etcd_gateway *g, orbit_status *st);

/* POSTs to one member. *unreachable tells the caller to try the next. */
static orbit_err post(etcd_gateway *g, size_t member, const char *path, const char *body,
                      int timeout_ms, body_sink *sink, long *http, bool *unreachable,
                      orbit_status *st)
{
    char url[256];
    snprintf(url, sizeof url, "%s://%s%s", g->tls ? "https" : "http", g->members[member], path);
    CURL *c = g->curl;
    curl_easy_reset(c);
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    char auth[600];
    if (g->token[0]) {
        snprintf(auth, sizeof auth, "Authorization: %s", g->token);
        struct curl_slist *more = headers ? curl_slist_append(headers, auth) : NULL;
        if (more)
            headers = more;
    }
    if (!headers)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, sink);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)ETCD_CONNECT_MS);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, g->tls ? "https" : "http");
    if (g->opt.ca[0])
        curl_easy_setopt(c, CURLOPT_CAINFO, g->opt.ca);
    if (g->opt.cert[0]) {
        curl_easy_setopt(c, CURLOPT_SSLCERT, g->opt.cert);
        curl_easy_setopt(c, CURLOPT_SSLKEY, g->opt.key);
    }
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(headers);
    *http = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, http);
    *unreachable = false;
    if (rc == CURLE_WRITE_ERROR && sink->stopped)
        return ORBIT_OK; /* the stream's reader had enough */
    if (rc == CURLE_OPERATION_TIMEDOUT && sink->fn && sink->got_any && *http == 200)
        return ORBIT_OK; /* a stream that simply ran its time */
    if (rc != CURLE_OK) {
        *unreachable = member_unreachable(rc);
        return orbit_status_set(st, ORBIT_ERR_UNAVAILABLE, "store", "etcd %s: %s",
                                g->members[member],
                                sink->too_big ? "answer too large" : curl_easy_strerror(rc));
    }
    return ORBIT_OK;
}

/* One request, moving through the members until one answers. */
static orbit_err request(etcd_gateway *g, const char *path, const json_t *body, int timeout_ms,
                         etcd_stream_fn fn, void *ctx, json_t **reply, orbit_status *st)
{
    if (reply)
        *reply = NULL;
    char *text = json_dumps(body, JSON_COMPACT);
    if (!text)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    orbit_err e = ORBIT_ERR_UNAVAILABLE;
    bool reauthenticated = false;
    for (size_t tries = 0; tries < g->nmembers; tries++) {
        size_t m = (g->current + tries) % g->nmembers;
        body_sink sink = {.fn = fn, .ctx = ctx};
        long http = 0;
        bool unreachable = false;
        e = post(g, m, path, text, timeout_ms, &sink, &http, &unreachable, st);
        if (e == ORBIT_OK && !fn) {
            json_error_t jerr;
            json_t *doc = sink.buf ? json_loadb(sink.buf, sink.len, 0, &jerr) : NULL;
            if (!doc)
                e = orbit_status_set(st, ORBIT_ERR_UNAVAILABLE, "store",
                                     "etcd %s: an answer that is not JSON (HTTP %ld)",
                                     g->members[m], http);
            else if (http != 200)
                e = gateway_error(doc, http, g->members[m], st);
            if (e == ORBIT_OK) {
                *reply = doc;
            } else {
                json_decref(doc);
                /* An expired token: sign in again, once. */
                if (e == ORBIT_ERR_UNAUTHORIZED && g->opt.user[0] && !reauthenticated) {
                    reauthenticated = true;
                    g->token[0] = '\0';
                    if (authenticate(g, st) == ORBIT_OK)
                        tries--;
                }
                unreachable = e == ORBIT_ERR_UNAVAILABLE;
            }
        }
        free(sink.buf);
        if (e == ORBIT_OK) {
            /* An earlier member's failure is not this request's. */
            orbit_status_clear(st);
            g->current = m;
            break;
        }
        if (!unreachable)
            break;
    }
    free(text);
    return e;
}

static orbit_err authenticate(etcd_gateway *g, orbit_status *st)
{
    json_t *body = json_pack("{s:s, s:s}", "name", g->opt.user, "password", g->opt.password);
    if (!body)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    json_t *reply;
    char user[sizeof g->opt.user];
    snprintf(user, sizeof user, "%s", g->opt.user);
    g->opt.user[0] = '\0'; /* no recursion while signing in */
    orbit_err e = request(g, "/v3/auth/authenticate", body, g->timeout_ms, NULL, NULL, &reply, st);
    snprintf(g->opt.user, sizeof g->opt.user, "%s", user);
    json_decref(body);
    if (e)
        return e;
    const char *token = json_string_value(json_object_get(reply, "token"));
    if (!token || strlen(token) >= sizeof g->token) {
        json_decref(reply);
        return orbit_status_set(st, ORBIT_ERR_UNAUTHORIZED, "store",
                                "etcd refused user %s (no token)", g->opt.user);
    }
    snprintf(g->token, sizeof g->token, "%s", token);
    json_decref(reply);
    return ORBIT_OK;
}

orbit_err etcd_gateway_call(etcd_gateway *g, const char *path, const json_t *body, json_t **reply,
                            orbit_status *st)
{
    if (g->opt.user[0] && !g->token[0]) {
        orbit_err e = authenticate(g, st);
        if (e)
            return e;
    }
    return request(g, path, body, g->timeout_ms, NULL, NULL, reply, st);
}

orbit_err etcd_gateway_stream(etcd_gateway *g, const char *path, const json_t *body, int wait_ms,
                              etcd_stream_fn fn, void *ctx, orbit_status *st)
{
    if (g->opt.user[0] && !g->token[0]) {
        orbit_err e = authenticate(g, st);
        if (e)
            return e;
    }
    return request(g, path, body, wait_ms > 0 ? wait_ms : 1, fn, ctx, NULL, st);
}
