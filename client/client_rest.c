/* client_rest: libcurl multi transfers pumped by a libwebsockets timer. */
#include "client_rest.h"

#include "orbit_buf.h"
#include "orbit_file.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* How often transfers are pumped while any is active. */
#define REST_PUMP_US (5 * LWS_US_PER_MS)

struct client_rest_req {
    client_rest *r;
    CURL *easy;
    client_rest_done_fn done;
    client_rest_progress_fn progress;
    void *ctx;
    orbit_buf body;
    struct curl_slist *headers;
    FILE *sink;   /* download target */
    FILE *source; /* upload source */
    char tmp_path[4096];
    char final_path[4096];
    char *sha_out;
    size_t sha_len;
    char *post; /* JSON body of a POST */
    bool cancelled;
    client_rest_req *prev, *next;
};

struct client_rest {
    client_hub *hub;
    CURLM *multi;
    lws_sorted_usec_list_t pump;
    bool pumping;
    char ca[1024];
    client_rest_req *reqs;
    size_t active;
};

static void pump(lws_sorted_usec_list_t *sul);

static void schedule(client_rest *r, lws_usec_t us)
{
    r->pumping = true;
    lws_sul_schedule(client_hub_lws(r->hub), 0, &r->pump, pump, us);
}

static void unlink_req(client_rest *r, client_rest_req *q)
{
    if (q->prev)
        q->prev->next = q->next;
    else
        r->reqs = q->next;
    if (q->next)
        q->next->prev = q->prev;
    r->active--;
}

static void free_req(client_rest_req *q)
{
    if (q->easy)
        curl_easy_cleanup(q->easy);
    curl_slist_free_all(q->headers);
    if (q->sink)
        fclose(q->sink);
    if (q->source)
        fclose(q->source);
    if (q->tmp_path[0])
        unlink(q->tmp_path);
    orbit_buf_free(&q->body);
    free(q->post);
    free(q);
}

/* Completes a request: rename a download, call back, free. */
static void finish(client_rest *r, client_rest_req *q, CURLcode rc)
{
    curl_multi_remove_handle(r->multi, q->easy);
    unlink_req(r, q);
    long status = 0;
    curl_easy_getinfo(q->easy, CURLINFO_RESPONSE_CODE, &status);
    orbit_status st;
    orbit_status_clear(&st);
    bool failed = rc != CURLE_OK || q->cancelled;
    if (failed) {
        if (q->cancelled || rc == CURLE_ABORTED_BY_CALLBACK)
            orbit_status_set(&st, ORBIT_ERR_BAD_REQUEST, "", "cancelled");
        else
            orbit_status_set(&st, ORBIT_ERR_POOL_UNREACHABLE, "", "%s", curl_easy_strerror(rc));
    }
    if (q->final_path[0] && q->sink) {
        bool keep = !failed && status == 200;
        if (keep && (fflush(q->sink) != 0 || fsync(fileno(q->sink)) != 0)) {
            keep = false;
            orbit_status_set(&st, ORBIT_ERR_INTERNAL, "", "writing %s: %s", q->final_path,
                             strerror(errno));
            failed = true;
        }
        fclose(q->sink);
        q->sink = NULL;
        if (keep && rename(q->tmp_path, q->final_path) == 0) {
            q->tmp_path[0] = '\0';
            orbit_file_sync_dir(q->final_path);
        }
    }
    if (q->done)
        q->done(q->ctx, failed ? 0 : status, failed ? NULL : q->body.data, failed ? 0 : q->body.len,
                failed ? &st : NULL);
    free_req(q);
}

static void pump(lws_sorted_usec_list_t *sul)
{
    client_rest *r = lws_container_of(sul, client_rest, pump);
    r->pumping = false;
    int running = 0;
    curl_multi_perform(r->multi, &running);
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(r->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        client_rest_req *q = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&q);
        if (q)
            finish(r, q, msg->data.result);
    }
    if (r->active)
        schedule(r, REST_PUMP_US);
}

client_rest *client_rest_new(client_hub *hub, const char *ca_file, orbit_status *st)
{
    client_rest *r = calloc(1, sizeof *r);
    if (!r || !(r->multi = curl_multi_init())) {
        free(r);
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "cannot initialise libcurl");
        return NULL;
    }
    r->hub = hub;
    if (ca_file)
        snprintf(r->ca, sizeof r->ca, "%s", ca_file);
    return r;
}

void client_rest_free(client_rest *r)
{
    if (!r)
        return;
    while (r->reqs) {
        r->reqs->cancelled = true;
        finish(r, r->reqs, CURLE_ABORTED_BY_CALLBACK);
    }
    if (r->pumping)
        lws_sul_cancel(&r->pump);
    curl_multi_cleanup(r->multi);
    free(r);
}

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    client_rest_req *q = ctx;
    size_t len = size * n;
    if (q->sink)
        return fwrite(data, 1, len, q->sink);
    return orbit_buf_append(&q->body, data, len) ? len : 0;
}

static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
    client_rest_req *q = ctx;
    size_t len = size * n;
    static const char name[] = "x-orbit-sha256:";
    if (q->sha_out && len > sizeof name - 1 && strncasecmp(data, name, sizeof name - 1) == 0) {
        const char *v = data + sizeof name - 1;
        while (*v == ' ')
            v++;
        size_t vl = 0;
        while (v + vl < data + len && isxdigit((unsigned char)v[vl]))
            vl++;
        snprintf(q->sha_out, q->sha_len, "%.*s", (int)vl, v);
    }
    return len;
}

static int on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)dltotal;
    (void)dlnow;
    client_rest_req *q = ctx;
    if (q->cancelled)
        return 1;
    if (q->progress && ultotal > 0 && !q->progress(q->ctx, (uint64_t)ulnow, (uint64_t)ultotal))
        return 1;
    return 0;
}

static client_rest_req *start(client_rest *r, const char *url, const char *token,
                              client_rest_done_fn done, void *ctx, orbit_status *st)
{
    client_rest_req *q = calloc(1, sizeof *q);
    if (!q || !(q->easy = curl_easy_init())) {
        free(q);
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
        return NULL;
    }
    q->r = r;
    q->done = done;
    q->ctx = ctx;
    orbit_buf_init(&q->body);
    CURL *e = q->easy;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, q);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    /* Slow is fine, stalled is not: 30 s under 1 byte/s aborts. */
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 30L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, q);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, q);
    curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(e, CURLOPT_XFERINFODATA, q);
    curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
    if (r->ca[0])
        curl_easy_setopt(e, CURLOPT_CAINFO, r->ca);
    /* Demo certificates name 127.0.0.1 as an IP address; curl checks
     * that, so host verification stays on. */
    char auth[512];
    if (token && *token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        q->headers = curl_slist_append(q->headers, auth);
    }
    q->headers = curl_slist_append(q->headers, "Expect:");
    return q;
}

static client_rest_req *launch(client_rest *r, client_rest_req *q, orbit_status *st)
{
    curl_easy_setopt(q->easy, CURLOPT_HTTPHEADER, q->headers);
    if (curl_multi_add_handle(r->multi, q->easy) != CURLM_OK) {
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "cannot start the transfer");
        free_req(q);
        return NULL;
    }
    q->next = r->reqs;
    if (r->reqs)
        r->reqs->prev = q;
    r->reqs = q;
    r->active++;
    schedule(r, 0);
    return q;
}

client_rest_req *client_rest_get(client_rest *r, const char *url, const char *token,
                                 client_rest_done_fn done, void *ctx, orbit_status *st)
{
    client_rest_req *q = start(r, url, token, done, ctx, st);
    return q ? launch(r, q, st) : NULL;
}

client_rest_req *client_rest_download(client_rest *r, const char *url, const char *token,
                                      const char *path, char *sha_out, size_t sha_len,
                                      client_rest_done_fn done, void *ctx, orbit_status *st)
{
    client_rest_req *q = start(r, url, token, done, ctx, st);
    if (!q)
        return NULL;
    snprintf(q->final_path, sizeof q->final_path, "%s", path);
    snprintf(q->tmp_path, sizeof q->tmp_path, "%s.part.%ld", path, (long)getpid());
    q->sink = fopen(q->tmp_path, "wb");
    if (!q->sink) {
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "%s: %s", q->tmp_path, strerror(errno));
        q->tmp_path[0] = '\0';
        free_req(q);
        return NULL;
    }
    q->sha_out = sha_out;
    q->sha_len = sha_len;
    if (sha_out && sha_len)
        sha_out[0] = '\0';
    return launch(r, q, st);
}

client_rest_req *client_rest_post_json(client_rest *r, const char *url, const char *token,
                                       json_t *body, client_rest_done_fn done, void *ctx,
                                       orbit_status *st)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text) {
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
        return NULL;
    }
    client_rest_req *q = start(r, url, token, done, ctx, st);
    if (!q) {
        free(text);
        return NULL;
    }
    q->post = text;
    curl_easy_setopt(q->easy, CURLOPT_POSTFIELDS, q->post);
    curl_easy_setopt(q->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(q->post));
    q->headers = curl_slist_append(q->headers, "Content-Type: application/json");
    return launch(r, q, st);
}

client_rest_req *client_rest_put_file(client_rest *r, const char *url, const char *token,
                                      const char *path, const char *const *headers,
                                      client_rest_progress_fn progress, client_rest_done_fn done,
                                      void *ctx, orbit_status *st)
{
    client_rest_req *q = start(r, url, token, done, ctx, st);
    if (!q)
        return NULL;
    struct stat sb;
    q->source = fopen(path, "rb");
    if (!q->source || fstat(fileno(q->source), &sb) != 0) {
        orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "file", "%s: %s", path, strerror(errno));
        free_req(q);
        return NULL;
    }
    for (const char *const *h = headers; h && *h; h++)
        q->headers = curl_slist_append(q->headers, *h);
    q->headers = curl_slist_append(q->headers, "Content-Type: application/octet-stream");
    q->progress = progress;
    curl_easy_setopt(q->easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(q->easy, CURLOPT_READDATA, q->source);
    curl_easy_setopt(q->easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t)sb.st_size);
    return launch(r, q, st);
}

void client_rest_cancel(client_rest *r, client_rest_req *req)
{
    for (client_rest_req *q = r->reqs; q; q = q->next) {
        if (q == req) {
            q->cancelled = true;
            finish(r, q, CURLE_ABORTED_BY_CALLBACK);
            return;
        }
    }
}

size_t client_rest_active(const client_rest *r)
{
    return r->active;
}
