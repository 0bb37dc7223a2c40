/* http_api: request routing, bodies and responses over libwebsockets. */
#include "http_api.h"

#include "metrics.h"
#include "orbit_frame.h"
#include "orbit_json.h"
#include "orbit_json_dump.h"
#include "orbit_time.h"
#include "server.h"
#include "sip_transport.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef enum { M_OTHER, M_GET, M_POST, M_PUT } http_method;

typedef enum { ROUTE_NONE, ROUTE_CMD, ROUTE_MOH_PUT } body_route;

typedef struct {
    orbit_server *srv;
    struct lws *wsi;
    body_route route;
    pool_caller caller;
    pool_op *pending; /* a command the store has not answered yet */
    bool answered;
    json_t *upload_args; /* moh.upload's name, size and sha256 */
    /* request body */
    unsigned char *body;
    size_t body_len, body_cap;
    pool_upload *upload;
    bool failed; /* the response is decided; further body bytes are ignored */
    bool close_after;
    /* response */
    bool responding;
    bool headers_sent;
    unsigned status;
    const char *content_type;
    char *resp;
    size_t resp_len, resp_sent;
    int file_fd;
    uint64_t file_left;
    char extra_sha[ORBIT_SHA256_HEX + 1];
    char extra_name[ORBIT_MOH_NAME_MAX + 1];
} http_session;

size_t http_api_session_size(void)
{
    return sizeof(http_session);
}

static unsigned http_status_of(orbit_err code)
{
    switch (code) {
    case ORBIT_OK:
        return 200;
    case ORBIT_ERR_BAD_REQUEST:
    case ORBIT_ERR_INVALID_RANGE:
        return 400;
    case ORBIT_ERR_UNAUTHORIZED:
        return 401;
    case ORBIT_ERR_FORBIDDEN:
        return 403;
    case ORBIT_ERR_NOT_FOUND:
        return 404;
    case ORBIT_ERR_CONFLICT:
    case ORBIT_ERR_OVERLAP:
    case ORBIT_ERR_IN_USE:
    case ORBIT_ERR_LIMIT_EXCEEDED:
    case ORBIT_ERR_NO_FREE_ORBIT:
    case ORBIT_ERR_RESILIENCY_MODE:
    case ORBIT_ERR_PICKUP_UNAVAILABLE:
        return 409;
    case ORBIT_ERR_NOT_SERVED_HERE:
    case ORBIT_ERR_WRONG_POOL:
        return 421;
    case ORBIT_ERR_TOO_LARGE:
        return 413;
    case ORBIT_ERR_UNSUPPORTED_MEDIA:
        return 415;
    case ORBIT_ERR_RATE_LIMITED:
        return 429;
    case ORBIT_ERR_POOL_UNREACHABLE:
    case ORBIT_ERR_UNAVAILABLE:
        return 503;
    default:
        return 500;
    }
}

static void release(http_session *h)
{
    pool_op_detach(h->pending);
    h->pending = NULL;
    json_decref(h->upload_args);
    h->upload_args = NULL;
    free(h->body);
    h->body = NULL;
    h->body_len = h->body_cap = 0;
    pool_moh_upload_fail(
        h->upload, &(const orbit_status){ORBIT_ERR_BAD_REQUEST, "", "the upload was abandoned"});
    h->upload = NULL;
    free(h->resp);
    h->resp = NULL;
    if (h->file_fd >= 0)
        close(h->file_fd);
    h->file_fd = -1;
}

/* Starts a response with a JSON body (stolen). */
static void respond_json(struct lws *wsi, http_session *h, unsigned status, json_t *body)
{
    orbit_buf b;
    orbit_buf_init(&b);
    char *text = body && orbit_json_dump(&b, body) ? orbit_buf_take(&b, NULL) : NULL;
    orbit_buf_free(&b);
    json_decref(body);
    if (!text) {
        text = strdup("{\"ok\":false,\"error\":{\"code\":\"internal\",\"message\":\"out of "
                      "memory\"}}");
        status = 500;
        if (!text)
            return;
    }
    free(h->resp);
    h->resp = text;
    h->resp_len = strlen(text);
    h->resp_sent = 0;
    h->status = status;
    h->content_type = "application/json";
    h->responding = true;
    h->failed = true;
    lws_callback_on_writable(wsi);
}

static void respond_text(struct lws *wsi, http_session *h, unsigned status, char *text, size_t len,
                         const char *type)
{
    free(h->resp);
    h->resp = text;
    h->resp_len = len;
    h->resp_sent = 0;
    h->status = status;
    h->content_type = type;
    h->responding = true;
    h->failed = true;
    lws_callback_on_writable(wsi);
}

static void respond_error_status(struct lws *wsi, http_session *h, unsigned status,
                                 const orbit_status *st)
{
    json_t *err = orbit_frame_make_result_error(NULL, st);
    if (err) {
        json_object_del(err, "t");
        json_object_del(err, "id");
    }
    respond_json(wsi, h, status, err);
}

static void respond_error(struct lws *wsi, http_session *h, const orbit_status *st)
{
    respond_error_status(wsi, h, http_status_of(st->code), st);
}

static void respond_ok(struct lws *wsi, http_session *h, json_t *data)
{
    respond_json(wsi, h, 200, data);
}

static http_method method_of(struct lws *wsi)
{
    if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI))
        return M_GET;
    if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI))
        return M_POST;
    if (lws_hdr_total_length(wsi, WSI_TOKEN_PUT_URI))
        return M_PUT;
    return M_OTHER;
}

/* Resolves the bearer token. Returns ORBIT_OK with role NONE when no
 * Authorization header was sent. */
static orbit_err authenticate(struct lws *wsi, http_session *h, orbit_status *st)
{
    char auth[ORBIT_TOKEN_MAX + 32];
    char peer[64] = "";
    lws_get_peer_simple(wsi, peer, sizeof peer);
    server_caller_init(&h->caller, NULL, "", peer);
    int n = lws_hdr_copy(wsi, auth, sizeof auth, WSI_TOKEN_HTTP_AUTHORIZATION);
    if (n <= 0)
        return ORBIT_OK;
    if (strncasecmp(auth, "Bearer ", 7) != 0)
        return orbit_status_set(st, ORBIT_ERR_UNAUTHORIZED, "Authorization",
                                "use Authorization: Bearer <token>");
    const server_token *t = server_config_find_token(&h->srv->cfg, auth + 7);
    if (!t)
        return orbit_status_set(st, ORBIT_ERR_UNAUTHORIZED, "Authorization", "unknown token");
    char agent[64] = "";
    if (lws_hdr_copy(wsi, agent, sizeof agent, WSI_TOKEN_HTTP_USER_AGENT) < 0)
        agent[0] = '\0';
    server_caller_init(&h->caller, t, agent, peer);
    return ORBIT_OK;
}

static bool need_role(struct lws *wsi, http_session *h, orbit_role need)
{
    orbit_status st;
    if (h->caller.role == ORBIT_ROLE_NONE) {
        orbit_status_set(&st, ORBIT_ERR_UNAUTHORIZED, "Authorization",
                         "this endpoint needs Authorization: Bearer <token>");
        respond_error(wsi, h, &st);
        return false;
    }
    if (need == ORBIT_ROLE_OPERATOR && h->caller.role != ORBIT_ROLE_OPERATOR) {
        orbit_status_set(&st, ORBIT_ERR_FORBIDDEN, "", "this endpoint is for operators");
        respond_error(wsi, h, &st);
        return false;
    }
    return true;
}

static void get_state(struct lws *wsi, http_session *h)
{
    respond_ok(wsi, h, pool_state_json(h->srv->pool));
}

static void get_users(struct lws *wsi, http_session *h)
{
    char home[ORBIT_FQDN_MAX + 8];
    const char *filter = lws_get_urlarg_by_name(wsi, "pool=", home, sizeof home);
    json_t *users = pool_users_json(h->srv->pool, filter);
    respond_ok(wsi, h, users ? json_pack("{s:o}", "users", users) : NULL);
}

/* The SIP edge: its address and counters ({"enabled": false} without). */
static void get_sip(struct lws *wsi, http_session *h)
{
    respond_ok(wsi, h, sip_transport_status(h->srv->sip));
}

static void get_audit(struct lws *wsi, http_session *h)
{
    char arg[32];
    const char *v = lws_get_urlarg_by_name(wsi, "limit=", arg, sizeof arg);
    long limit = v ? strtol(v, NULL, 10) : 200;
    if (limit < 1 || limit > 10000)
        limit = 200;
    char lines[16];
    const char *all = lws_get_urlarg_by_name(wsi, "lines=", lines, sizeof lines);
    orbit_status st;
    json_t *entries =
        pool_audit_tail(h->srv->pool, (size_t)limit, all && strcmp(all, "all") == 0, &st);
    if (!entries) {
        respond_error(wsi, h, &st);
        return;
    }
    respond_ok(wsi, h, json_pack("{s:o}", "entries", entries));
}

static void get_moh(struct lws *wsi, http_session *h)
{
    const pool_local *pl = pool_local_state(h->srv->pool);
    int fd = open(pl->moh_file, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        if (fd >= 0)
            close(fd);
        orbit_status st;
        orbit_status_set(&st, ORBIT_ERR_INTERNAL, "", "MOH file unreadable: %s", strerror(errno));
        respond_error(wsi, h, &st);
        return;
    }
    h->file_fd = fd;
    h->file_left = (uint64_t)sb.st_size;
    h->status = 200;
    h->content_type = strstr(pl->moh_file, ".wma") ? "audio/x-ms-wma" : "audio/wav";
    snprintf(h->extra_sha, sizeof h->extra_sha, "%s", pl->moh.sha256);
    snprintf(h->extra_name, sizeof h->extra_name, "%s", pl->moh.name);
    h->responding = true;
    lws_callback_on_writable(wsi);
}

static void get_metrics(struct lws *wsi, http_session *h)
{
    size_t len;
    char *text = metrics_render(h->srv, &len);
    if (!text) {
        orbit_status st;
        orbit_status_set(&st, ORBIT_ERR_INTERNAL, "", "out of memory");
        respond_error(wsi, h, &st);
        return;
    }
    respond_text(wsi, h, 200, text, len, "text/plain; version=0.0.4");
}

static int64_t content_length(struct lws *wsi)
{
    char v[32];
    if (lws_hdr_copy(wsi, v, sizeof v, WSI_TOKEN_HTTP_CONTENT_LENGTH) <= 0)
        return -1;
    char *end;
    long long n = strtoll(v, &end, 10);
    return (*end || n < 0) ? -1 : (int64_t)n;
}

/* An upload refused or failed before its body ended: answer now and
 * close, so a huge or hostile body is not read to the end. */
static void upload_failed(struct lws *wsi, http_session *h, const orbit_status *st)
{
    pool_moh_upload_fail(h->upload, st);
    h->upload = NULL;
    h->close_after = true;
    respond_error(wsi, h, st);
}

static void put_moh_begin(struct lws *wsi, http_session *h)
{
    orbit_status st;
    orbit_status_clear(&st);
    char name[ORBIT_MOH_NAME_MAX + 2] = "", sha[80] = "";
    if (lws_hdr_custom_copy(wsi, name, sizeof name, "x-orbit-filename:", 17) < 0)
        name[0] = '\0';
    if (lws_hdr_custom_copy(wsi, sha, sizeof sha, "x-orbit-sha256:", 15) < 0)
        sha[0] = '\0';
    snprintf(h->extra_name, sizeof h->extra_name, "%.*s", ORBIT_MOH_NAME_MAX, name);
    /* The audit quotes the name: only when it is text fit to be read. */
    if (orbit_text_hazard_of(h->extra_name) != ORBIT_TEXT_SAFE)
        h->extra_name[0] = '\0';
    int64_t len = content_length(wsi);
    /* Headers are bytes; the op's arguments are JSON text. A name that is
     * not safe text is refused by the op's own rule, and recorded repaired. */
    const char *bad_name = orbit_moh_name_check(name);
    char shown_name[sizeof name], shown_sha[sizeof sha];
    snprintf(shown_name, sizeof shown_name, "%s", name);
    snprintf(shown_sha, sizeof shown_sha, "%s", sha);
    orbit_text_repair_utf8(shown_name);
    orbit_text_repair_utf8(shown_sha);
    h->upload_args = json_pack("{s:s, s:I, s:s}", "name", shown_name, "size", (json_int_t)len,
                               "sha256", shown_sha);
    if (!h->upload_args) {
        orbit_status_set(&st, ORBIT_ERR_INTERNAL, "", "out of memory");
        upload_failed(wsi, h, &st);
        return;
    }
    if (bad_name) {
        orbit_status_set(&st, ORBIT_ERR_BAD_REQUEST, "name", "name: %s", bad_name);
    } else if (len < 0) {
        /* libwebsockets hands chunked bodies over undecoded: refuse them. */
        orbit_status_set(&st, ORBIT_ERR_BAD_REQUEST, "Content-Length",
                         "uploads need a Content-Length (chunked bodies are not accepted)");
    } else if (len == 0) {
        orbit_status_set(&st, ORBIT_ERR_UNSUPPORTED_MEDIA, "", "the body is empty: not audio");
    }
    if (st.code == ORBIT_OK)
        h->upload = pool_moh_upload_open(h->srv->pool, &h->caller, h->upload_args, &st);
    else
        pool_moh_upload_refused(h->srv->pool, &h->caller, h->upload_args, &st);
    if (st.code != ORBIT_OK) {
        /* The op names its arguments; over HTTP they are these headers. */
        static const struct {
            const char *arg, *header;
        } HEADERS[] = {{"name", "X-Orbit-Filename"}, {"sha256", "X-Orbit-Sha256"}};
        for (size_t i = 0; i < sizeof HEADERS / sizeof HEADERS[0]; i++) {
            if (strcmp(st.field, HEADERS[i].arg) != 0)
                continue;
            char why[sizeof st.message];
            size_t skip = strlen(HEADERS[i].arg);
            bool prefixed = strncmp(st.message, HEADERS[i].arg, skip) == 0 &&
                            strncmp(st.message + skip, ": ", 2) == 0;
            snprintf(why, sizeof why, "%s", st.message + (prefixed ? skip + 2 : 0));
            orbit_status_set(&st, st.code, HEADERS[i].header, "%s: %s", HEADERS[i].header, why);
        }
        h->close_after = true;
        respond_error(wsi, h, &st);
        return;
    }
    h->route = ROUTE_MOH_PUT;
}

static void on_upload_done(void *ctx, const orbit_status *st, json_t *data)
{
    http_session *h = ctx;
    struct lws *wsi = h->wsi;
    if (st->code != ORBIT_OK) {
        respond_error(wsi, h, st);
        return;
    }
    respond_ok(wsi, h, json_pack("{s:b, s:o}", "ok", 1, "data", data));
}

static void put_moh_finish(struct lws *wsi, http_session *h)
{
    (void)wsi;
    pool_upload *u = h->upload;
    h->upload = NULL;
    pool_moh_upload_close(u, on_upload_done, h);
}

static void on_cmd_done(void *ctx, const orbit_status *st, json_t *data)
{
    http_session *h = ctx;
    h->answered = true;
    h->pending = NULL;
    if (st->code != ORBIT_OK) {
        respond_error(h->wsi, h, st);
        return;
    }
    json_t *result = orbit_frame_make_result_ok(NULL, data);
    if (result) {
        json_object_del(result, "t");
        json_object_del(result, "id");
    }
    respond_ok(h->wsi, h, result);
}

static void post_cmd_finish(struct lws *wsi, http_session *h)
{
    orbit_status st;
    orbit_status_clear(&st);
    json_error_t jerr;
    json_t *req = json_loadb((const char *)h->body, h->body_len, JSON_REJECT_DUPLICATES, &jerr);
    char op_name[48];
    orbit_op op_code = ORBIT_OP_COUNT;
    static const char *const keys[] = {"op", "args", "id", NULL};
    if (!req) {
        orbit_status_set(&st, ORBIT_ERR_BAD_REQUEST, "", "invalid JSON: %s", jerr.text);
    } else if (orbit_json_need_object(req, "body", &st) == ORBIT_OK &&
               orbit_json_only_keys(req, keys, &st) == ORBIT_OK &&
               orbit_json_get_string(req, "op", true, op_name, sizeof op_name, &st) > 0 &&
               !orbit_op_from_name(op_name, &op_code)) {
        orbit_status_set(&st, ORBIT_ERR_BAD_REQUEST, "op", "unknown op '%s'", op_name);
    } else if (!orbit_op_via_cmd(op_code)) {
        orbit_status_set(&st, ORBIT_ERR_BAD_REQUEST, "op",
                         "%s is not a command: send the file with PUT /v1/moh", op_name);
    }
    if (st.code != ORBIT_OK) {
        json_decref(req);
        respond_error(wsi, h, &st);
        return;
    }
    h->answered = false;
    pool_op *op = pool_op_submit(h->srv->pool, &h->caller, op_code, json_object_get(req, "args"),
                                 on_cmd_done, h);
    json_decref(req);
    if (!h->answered)
        h->pending = op; /* the store answers later */
}

static const char *const CUSTOM_HEADERS[] = {"x-orbit-filename:", "x-orbit-sha256:"};

/* The bytes of the request's headers that we can see: every header lws
 * knows and the custom ones we read (others are never looked at). */
static size_t header_bytes(struct lws *wsi)
{
    size_t total = 0;
    for (int t = 0; t < WSI_TOKEN_COUNT; t++)
        total += (size_t)lws_hdr_total_length(wsi, (enum lws_token_indexes)t);
    for (size_t i = 0; i < sizeof CUSTOM_HEADERS / sizeof CUSTOM_HEADERS[0]; i++) {
        int n = lws_hdr_custom_length(wsi, CUSTOM_HEADERS[i], (int)strlen(CUSTOM_HEADERS[i]));
        total += n > 0 ? (size_t)n : 0;
    }
    return total;
}

static int on_http(struct lws *wsi, http_session *h, const char *path)
{
    orbit_server *srv = lws_context_user(lws_get_context(wsi));
    memset(h, 0, sizeof *h);
    h->srv = srv;
    h->wsi = wsi;
    h->file_fd = -1;
    srv->metrics.http_requests++;
    http_method m = method_of(wsi);
    orbit_status st;
    orbit_status_clear(&st);
    if (header_bytes(wsi) > HTTP_HEADER_MAX_BYTES) {
        orbit_status_set(&st, ORBIT_ERR_TOO_LARGE, "", "request headers are limited to %u bytes",
                         HTTP_HEADER_MAX_BYTES);
        h->close_after = true;
        respond_error_status(wsi, h, 431, &st);
        return 0;
    }
    if (authenticate(wsi, h, &st) != ORBIT_OK) {
        h->close_after = m == M_POST || m == M_PUT;
        respond_error(wsi, h, &st);
        return 0;
    }
    bool known = true;
    if (strcmp(path, "/v1/health") == 0 && m == M_GET) {
        const event_ring *ring = pool_events(srv->pool);
        respond_ok(wsi, h,
                   json_pack("{s:s, s:s, s:I, s:s, s:b, s:I, s:I}", "status", "up", "pool",
                             srv->cfg.fqdn, "rev", (json_int_t)ring->rev, "epoch", ring->epoch,
                             "store_ok", pool_store_ok(srv->pool), "cursor",
                             (json_int_t)pool_cursor(srv->pool), "pools_up",
                             (json_int_t)pool_count_up(srv->pool)));
    } else if (strcmp(path, "/metrics") == 0 && m == M_GET) {
        get_metrics(wsi, h);
    } else if (strcmp(path, "/v1/state") == 0 && m == M_GET) {
        if (need_role(wsi, h, ORBIT_ROLE_VIEWER))
            get_state(wsi, h);
    } else if (strcmp(path, "/v1/users") == 0 && m == M_GET) {
        if (need_role(wsi, h, ORBIT_ROLE_VIEWER))
            get_users(wsi, h);
    } else if (strcmp(path, "/v1/sip") == 0 && m == M_GET) {
        if (need_role(wsi, h, ORBIT_ROLE_VIEWER))
            get_sip(wsi, h);
    } else if (strcmp(path, "/v1/audit") == 0 && m == M_GET) {
        if (need_role(wsi, h, ORBIT_ROLE_OPERATOR))
            get_audit(wsi, h);
    } else if (strcmp(path, "/v1/moh") == 0 && m == M_GET) {
        if (need_role(wsi, h, ORBIT_ROLE_VIEWER))
            get_moh(wsi, h);
    } else if (strcmp(path, "/v1/moh") == 0 && m == M_PUT) {
        h->close_after = true; /* until the body is fully read */
        /* Any known token: the kernel's gate refuses the wrong role, and
         * puts the refusal on record as it does for every operator op. */
        if (need_role(wsi, h, ORBIT_ROLE_VIEWER))
            put_moh_begin(wsi, h);
        if (h->route == ROUTE_MOH_PUT)
            h->close_after = false;
    } else if (strcmp(path, "/v1/cmd") == 0 && m == M_POST) {
        if (!need_role(wsi, h, ORBIT_ROLE_VIEWER)) {
            h->close_after = true;
        } else {
            int64_t len = content_length(wsi);
            if (len > (int64_t)HTTP_CMD_MAX_BYTES) {
                orbit_status_set(&st, ORBIT_ERR_TOO_LARGE, "",
                                 "command bodies are limited to %u "
                                 "bytes",
                                 HTTP_CMD_MAX_BYTES);
                h->close_after = true;
                respond_error(wsi, h, &st);
            } else if (len <= 0) {
                orbit_status_set(&st, ORBIT_ERR_BAD_REQUEST, "",
                                 "POST /v1/cmd needs a JSON body with Content-Length");
                h->close_after = len < 0;
                respond_error(wsi, h, &st);
            } else {
                h->route = ROUTE_CMD;
            }
        }
    } else {
        known = strcmp(path, "/v1/health") == 0 || strcmp(path, "/metrics") == 0 ||
                strcmp(path, "/v1/state") == 0 || strcmp(path, "/v1/users") == 0 ||
                strcmp(path, "/v1/sip") == 0 || strcmp(path, "/v1/audit") == 0 ||
                strcmp(path, "/v1/moh") == 0 || strcmp(path, "/v1/cmd") == 0;
        orbit_status_set(&st, known ? ORBIT_ERR_BAD_REQUEST : ORBIT_ERR_NOT_FOUND, "",
                         known ? "method not allowed on %s" : "no endpoint %s", path);
        h->close_after = m == M_POST || m == M_PUT;
        respond_json(wsi, h, known ? 405 : 404,
                     json_pack("{s:b, s:{s:s, s:s}}", "ok", 0, "error", "code",
                               orbit_err_name(st.code), "message", st.message));
    }
    return 0;
}

static int on_body(struct lws *wsi, http_session *h, const void *in, size_t len)
{
    if (h->failed)
        return 0;
    orbit_status st;
    if (h->route == ROUTE_MOH_PUT) {
        if (pool_moh_upload_feed(h->upload, in, len, &st) != ORBIT_OK)
            upload_failed(wsi, h, &st);
        return 0;
    }
    if (h->route != ROUTE_CMD)
        return 0;
    if (h->body_len + len > HTTP_CMD_MAX_BYTES) {
        orbit_status_set(&st, ORBIT_ERR_TOO_LARGE, "", "command bodies are limited to %u bytes",
                         HTTP_CMD_MAX_BYTES);
        h->close_after = true;
        respond_error(wsi, h, &st);
        return 0;
    }
    if (h->body_len + len > h->body_cap) {
        size_t cap = h->body_cap ? h->body_cap : 1024;
        while (cap < h->body_len + len)
            cap *= 2;
        unsigned char *nb = realloc(h->body, cap);
        if (!nb)
            return -1;
        h->body = nb;
        h->body_cap = cap;
    }
    memcpy(h->body + h->body_len, in, len);
    h->body_len += len;
    return 0;
}

static int on_body_done(struct lws *wsi, http_session *h)
{
    if (h->failed)
        return 0;
    if (h->route == ROUTE_MOH_PUT)
        put_moh_finish(wsi, h);
    else if (h->route == ROUTE_CMD)
        post_cmd_finish(wsi, h);
    return 0;
}

static int finish_transaction(struct lws *wsi, http_session *h)
{
    bool close_after = h->close_after;
    release(h);
    h->responding = false;
    if (close_after)
        return -1;
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int on_writable(struct lws *wsi, http_session *h)
{
    if (!h->responding)
        return 0;
    unsigned char buf[LWS_PRE + 16384];
    unsigned char *start = buf + LWS_PRE, *p = start, *end = buf + sizeof buf - 1;
    if (!h->headers_sent) {
        uint64_t length = h->file_fd >= 0 ? h->file_left : h->resp_len;
        if (lws_add_http_common_headers(wsi, h->status, h->content_type, length, &p, end))
            return -1;
        if (h->status == 401 &&
            lws_add_http_header_by_name(wsi, (const unsigned char *)"www-authenticate:",
                                        (const unsigned char *)"Bearer", 6, &p, end))
            return -1;
        if (h->file_fd >= 0) {
            if (lws_add_http_header_by_name(wsi, (const unsigned char *)"x-orbit-sha256:",
                                            (const unsigned char *)h->extra_sha,
                                            (int)strlen(h->extra_sha), &p, end) ||
                lws_add_http_header_by_name(wsi, (const unsigned char *)"x-orbit-filename:",
                                            (const unsigned char *)h->extra_name,
                                            (int)strlen(h->extra_name), &p, end))
                return -1;
        }
        if (h->close_after &&
            lws_add_http_header_by_token(wsi, WSI_TOKEN_CONNECTION, (const unsigned char *)"close",
                                         5, &p, end))
            return -1;
        if (lws_finalize_write_http_header(wsi, start, &p, end))
            return -1;
        h->headers_sent = true;
        lws_callback_on_writable(wsi);
        return 0;
    }
    size_t chunk;
    bool last;
    if (h->file_fd >= 0) {
        size_t want = h->file_left < sizeof buf - LWS_PRE - 1 ? (size_t)h->file_left
                                                              : sizeof buf - LWS_PRE - 1;
        ssize_t r = want ? read(h->file_fd, start, want) : 0;
        if (r < 0 || (r == 0 && want > 0))
            return -1;
        chunk = (size_t)r;
        h->file_left -= chunk;
        last = h->file_left == 0;
    } else {
        chunk = h->resp_len - h->resp_sent;
        if (chunk > sizeof buf - LWS_PRE - 1)
            chunk = sizeof buf - LWS_PRE - 1;
        memcpy(start, h->resp + h->resp_sent, chunk);
        h->resp_sent += chunk;
        last = h->resp_sent == h->resp_len;
    }
    if (lws_write(wsi, start, chunk, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)chunk)
        return -1;
    if (last)
        return finish_transaction(wsi, h);
    lws_callback_on_writable(wsi);
    return 0;
}

int http_api_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                      size_t len)
{
    http_session *h = user;
    switch (reason) {
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        /* A WebSocket upgrade that did not ask for orbit.v1 lands here. */
        return 1;
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED: {
        /* A store thread or the SIP edge has news (see server.c's wake_loop). */
        orbit_server *srv = lws_context_user(lws_get_context(wsi));
        if (srv)
            server_on_wake(srv);
        return 0;
    }
    case LWS_CALLBACK_HTTP:
        return on_http(wsi, h, in ? (const char *)in : "");
    case LWS_CALLBACK_HTTP_BODY:
        return h && h->srv ? on_body(wsi, h, in, len) : -1;
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        return h && h->srv ? on_body_done(wsi, h) : -1;
    case LWS_CALLBACK_HTTP_WRITEABLE:
        return h && h->srv ? on_writable(wsi, h) : -1;
    case LWS_CALLBACK_CLOSED_HTTP:
        if (h && h->srv) {
            if (h->upload) {
                orbit_status st;
                orbit_status_set(&st, ORBIT_ERR_BAD_REQUEST, "",
                                 "the client closed the connection mid-upload");
                pool_moh_upload_fail(h->upload, &st);
                h->upload = NULL;
            }
            release(h);
            h->srv = NULL;
        }
        return 0;
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}
