/* client_hub: the orbit.v1 client side: connections, resume, reconnect,
 * commands, discovery, and the shared libwebsockets loop. */
#include "client_hub.h"

#include "client_snapstream.h"
#include "client_snapworker.h"
#include "client_url.h"
#include "orbit_frame.h"
#include "orbit_map.h"
#include "orbit_rng.h"
#include "orbit_time.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HUB_TICK_US (100 * LWS_US_PER_MS)
/* A session that stayed up this long resets the backoff. */
#define HUB_SESSION_STABLE_MS 10000
/* Snapshots of big pools are large; anything beyond this is refused. */
#define HUB_MAX_FRAME   (256u * 1024u * 1024u)
#define HUB_READ_BYTES  (64u * 1024u)
#define HUB_PROTOCOL    "orbit.v1"
#define HUB_FD_PROTOCOL "orbit-fd"

typedef struct out_msg {
    struct out_msg *next;
    size_t len;
    unsigned char buf[]; /* LWS_PRE + len */
} out_msg;

typedef struct {
    char id[24];
    int64_t deadline_ms;
    client_result_fn fn;
    void *ctx;
} pending_cmd;

struct client_conn {
    client_hub *hub;
    char url[512];
    char fqdn[ORBIT_FQDN_MAX + 1];
    char role[16];
    char error[384];
    client_conn_state state;
    struct lws *wsi;
    bool tls;
    char host[256];
    int port;
    char path[256];
    /* session */
    char epoch[ORBIT_EPOCH_MAX + 1];
    int64_t rev;
    int heartbeat_ms;
    int64_t last_frame_ms;
    int64_t live_since_ms;
    bool stale;
    client_mirror *mirror;
    char sub_id[16];
    /* reconnect */
    int attempts;
    int64_t retry_at_ms;
    /* frames */
    unsigned char *rx;
    size_t rx_len, rx_cap;
    bool rx_keep;             /* the message's text is kept (not a streamed snapshot) */
    size_t rx_total;          /* bytes of the message so far */
    client_snapstream *snap;  /* a message longer than one read, parsed as it comes */
    client_snapworker *snapw; /* ... or by a worker, once known to be a snapshot */
    out_msg *out_head, *out_tail;
    orbit_map *pending; /* id -> pending_cmd */
    uint64_t next_id;
    uint64_t snapshots, replays, events;
};

typedef struct hub_timer {
    lws_sorted_usec_list_t sul;
    client_hub *hub;
    int period_ms;
    void (*fn)(void *ctx, int64_t now_ms);
    void *ctx;
    struct hub_timer *next;
} hub_timer;

typedef struct fd_watch {
    void (*fn)(void *ctx);
    void *ctx;
    struct fd_watch *next;
} fd_watch;

struct client_hub {
    client_options opt;
    char token[ORBIT_TOKEN_MAX + 1];
    char client_name[ORBIT_CLIENT_NAME_MAX + 1];
    char ca_file[1024];
    client_hooks hooks;
    void *ctx;
    struct lws_context *lws;
    struct lws_protocols protocols[3];
    lws_sorted_usec_list_t tick;
    client_conn **conns;
    size_t nconns, capconns;
    hub_timer *timers;
    fd_watch *watches;
    client_refusal *refused;
    size_t nrefused;
    orbit_rng rng;
    bool destroying;
};

/* ---- helpers ---- */

static void conn_changed(client_conn *c)
{
    if (c->hub->hooks.on_conn && !c->hub->destroying)
        c->hub->hooks.on_conn(c->hub->ctx, c);
}

static void set_state(client_conn *c, client_conn_state s)
{
    if (c->state == s)
        return;
    c->state = s;
    conn_changed(c);
}

static bool queue_text(client_conn *c, const char *text, size_t len)
{
    out_msg *m = malloc(sizeof *m + LWS_PRE + len);
    if (!m)
        return false;
    m->next = NULL;
    m->len = len;
    memcpy(m->buf + LWS_PRE, text, len);
    if (c->out_tail)
        c->out_tail->next = m;
    else
        c->out_head = m;
    c->out_tail = m;
    if (c->wsi)
        lws_callback_on_writable(c->wsi);
    return true;
}

static bool queue_json(client_conn *c, json_t *frame)
{
    if (!frame)
        return false;
    char *text = json_dumps(frame, JSON_COMPACT);
    json_decref(frame);
    if (!text)
        return false;
    bool ok = queue_text(c, text, strlen(text));
    free(text);
    return ok;
}

static void drop_outbound(client_conn *c)
{
    while (c->out_head) {
        out_msg *m = c->out_head;
        c->out_head = m->next;
        free(m);
    }
    c->out_tail = NULL;
}

/* Fails every command in flight: the session that would answer is gone. */
static void fail_pending(client_conn *c, const char *why)
{
    orbit_status st;
    orbit_status_set(&st, ORBIT_ERR_POOL_UNREACHABLE, "", "%s: %s", c->fqdn[0] ? c->fqdn : c->url,
                     why);
    /* Callbacks may send new commands: detach the map first. */
    orbit_map *old = c->pending;
    c->pending = orbit_map_new();
    size_t pos = 0;
    void *v;
    while (old && orbit_map_next(old, &pos, NULL, &v)) {
        pending_cmd *p = v;
        /* Always called, even when shutting down: callers free their
         * request contexts there. */
        if (p->fn)
            p->fn(p->ctx, c, false, NULL, &st);
        free(p);
    }
    orbit_map_free(old);
}

static void schedule_retry(client_conn *c)
{
    client_hub *hub = c->hub;
    int64_t now = orbit_time_mono_ms();
    if (c->live_since_ms && now - c->live_since_ms >= HUB_SESSION_STABLE_MS)
        c->attempts = 0;
    c->live_since_ms = 0;
    int base = hub->opt.backoff_base_ms, cap = hub->opt.backoff_cap_ms;
    int64_t delay = base;
    for (int i = 0; i < c->attempts && delay < cap; i++)
        delay *= 2;
    if (delay > cap)
        delay = cap;
    /* Jitter keeps many clients from reconnecting in step. */
    delay = (int64_t)((double)delay * (0.5 + 0.5 * orbit_rng_unit(&hub->rng)));
    c->attempts++;
    c->retry_at_ms = now + delay;
}

/* ---- connecting ---- */

static void conn_connect(client_conn *c)
{
    struct lws_client_connect_info ci;
    memset(&ci, 0, sizeof ci);
    ci.context = c->hub->lws;
    ci.address = c->host;
    ci.port = c->port;
    ci.path = c->path;
    ci.host = c->host;
    ci.origin = c->host;
    ci.protocol = HUB_PROTOCOL;
    ci.local_protocol_name = HUB_PROTOCOL;
    ci.ssl_connection = c->tls ? LCCSCF_USE_SSL : 0;
    ci.opaque_user_data = c;
    ci.pwsi = &c->wsi;
    c->rx_len = 0;
    client_snapstream_free(c->snap);
    c->snap = NULL;
    client_snapworker_cancel(c->snapw);
    c->snapw = NULL;
    set_state(c, CLIENT_CONN_CONNECTING);
    if (!lws_client_connect_via_info(&ci)) {
        c->wsi = NULL;
        snprintf(c->error, sizeof c->error, "cannot start a connection to %.200s", c->url);
        set_state(c, CLIENT_CONN_IDLE);
        schedule_retry(c);
    }
}

static void send_subscribe(client_conn *c)
{
    snprintf(c->sub_id, sizeof c->sub_id, "s%llu", (unsigned long long)++c->next_id);
    json_t *frame = json_pack("{s:s, s:s}", "t", "subscribe", "id", c->sub_id);
    if (frame && client_mirror_loaded(c->mirror) && c->epoch[0])
        json_object_set_new(frame, "since",
                            json_pack("{s:s, s:I}", "epoch", c->epoch, "rev", (json_int_t)c->rev));
    queue_json(c, frame);
    set_state(c, CLIENT_CONN_SYNCING);
}

/* Starts over without `since`: after a gap, a new epoch or a resync. */
static void resubscribe_fresh(client_conn *c)
{
    c->epoch[0] = '\0';
    c->rev = 0;
    send_subscribe(c);
}

/* ---- inbound frames ---- */

/* Remembers a URL discovery refused; true the first time it is seen. */
static bool note_refusal(client_hub *hub, const pool_info *p, const char *why)
{
    for (size_t i = 0; i < hub->nrefused; i++) {
        if (strcmp(hub->refused[i].fqdn, p->fqdn) == 0 && strcmp(hub->refused[i].url, p->url) == 0)
            return false;
    }
    client_refusal *grown = realloc(hub->refused, (hub->nrefused + 1) * sizeof *grown);
    if (!grown)
        return false;
    hub->refused = grown;
    client_refusal *r = &hub->refused[hub->nrefused++];
    snprintf(r->fqdn, sizeof r->fqdn, "%s", p->fqdn);
    snprintf(r->url, sizeof r->url, "%s", p->url);
    snprintf(r->why, sizeof r->why, "%s", why);
    return true;
}

/* Connects to the pools this one lists that we do not know yet. The list
 * comes from the network: a URL is dialled, and so receives the token,
 * only when the application's policy allows it. */
static void discover(client_conn *c)
{
    client_hub *hub = c->hub;
    if (!hub->opt.discover)
        return;
    for (size_t i = 0; i < client_mirror_pool_count(c->mirror); i++) {
        const pool_info *p = client_mirror_pool_at(c->mirror, i);
        if (!p->url[0] || client_hub_find(hub, p->fqdn))
            continue;
        bool known = false;
        for (size_t k = 0; k < hub->nconns && !known; k++)
            known = client_url_same_endpoint(hub->conns[k]->url, p->url);
        if (known)
            continue;
        char why[160] = "no policy allows discovered pools";
        if (!hub->opt.allow_url ||
            !hub->opt.allow_url(hub->opt.allow_ctx, p->url, why, sizeof why)) {
            if (note_refusal(hub, p, why) && hub->hooks.on_refused)
                hub->hooks.on_refused(hub->ctx, p->fqdn, p->url, why);
            continue;
        }
        orbit_status st;
        client_conn *added = client_hub_add(hub, p->url, &st);
        if (added) {
            snprintf(added->fqdn, sizeof added->fqdn, "%s", p->fqdn);
            if (hub->hooks.on_added)
                hub->hooks.on_added(hub->ctx, added);
        }
    }
}

static void on_welcome(client_conn *c, const json_t *f)
{
    const char *pool = json_string_value(json_object_get(f, "pool"));
    const char *role = json_string_value(json_object_get(f, "role"));
    snprintf(c->fqdn, sizeof c->fqdn, "%s", pool ? pool : "");
    snprintf(c->role, sizeof c->role, "%s", role ? role : "");
    json_int_t hb = json_integer_value(json_object_get(f, "heartbeat_ms"));
    c->heartbeat_ms = hb > 0 ? (int)hb : 1000;
    c->error[0] = '\0';
    const char *epoch = json_string_value(json_object_get(f, "epoch"));
    /* A restarted pool cannot replay our gap: start over. */
    if (epoch && c->epoch[0] && strcmp(epoch, c->epoch) != 0) {
        c->epoch[0] = '\0';
        c->rev = 0;
    }
    if (c->hub->opt.subscribe) {
        send_subscribe(c);
    } else {
        snprintf(c->epoch, sizeof c->epoch, "%s", epoch ? epoch : "");
        c->rev = json_integer_value(json_object_get(f, "rev"));
        c->live_since_ms = orbit_time_mono_ms();
        set_state(c, CLIENT_CONN_LIVE);
    }
}

/* The mirror holds the snapshot of epoch and rev: the session is live. */
static void snapshot_loaded(client_conn *c, const char *epoch, int64_t rev)
{
    snprintf(c->epoch, sizeof c->epoch, "%s", epoch ? epoch : "");
    c->rev = rev;
    c->snapshots++;
    if (!c->live_since_ms)
        c->live_since_ms = orbit_time_mono_ms();
    set_state(c, CLIENT_CONN_LIVE);
    if (c->hub->hooks.on_snapshot)
        c->hub->hooks.on_snapshot(c->hub->ctx, c);
    discover(c);
}

static void on_snapshot(client_conn *c, const json_t *f)
{
    orbit_status st;
    if (client_mirror_load(c->mirror, json_object_get(f, "state"), &st) != ORBIT_OK) {
        snprintf(c->error, sizeof c->error, "bad snapshot: %s", st.message);
        return;
    }
    snapshot_loaded(c, json_string_value(json_object_get(f, "epoch")),
                    json_integer_value(json_object_get(f, "rev")));
}

/* A snapshot that was applied while it arrived (client_snapstream.h). */
static void on_streamed_snapshot(client_conn *c, client_snapstream *snap)
{
    if (strcmp(client_snapstream_id(snap), c->sub_id) != 0)
        return; /* an earlier subscription's */
    orbit_status st;
    if (client_snapstream_apply(snap, c->mirror, &st) != ORBIT_OK) {
        snprintf(c->error, sizeof c->error, "bad snapshot: %s", st.message);
        return;
    }
    snapshot_loaded(c, client_snapstream_epoch(snap), client_snapstream_rev(snap));
}

static void on_event(client_conn *c, const json_t *f)
{
    if (c->state != CLIENT_CONN_LIVE)
        return; /* stale events of an earlier subscription */
    const char *epoch = json_string_value(json_object_get(f, "epoch"));
    int64_t rev = json_integer_value(json_object_get(f, "rev"));
    if (!epoch || strcmp(epoch, c->epoch) != 0 || rev != c->rev + 1) {
        if (rev <= c->rev && epoch && strcmp(epoch, c->epoch) == 0)
            return; /* already applied (a replay overlapping what we had) */
        resubscribe_fresh(c);
        return;
    }
    c->rev = rev;
    c->events++;
    const char *kind = json_string_value(json_object_get(f, "kind"));
    const json_t *data = json_object_get(f, "data");
    unsigned changed = client_mirror_apply(c->mirror, kind, data);
    if (c->hub->hooks.on_event)
        c->hub->hooks.on_event(c->hub->ctx, c, kind, data, changed);
}

static void on_result(client_conn *c, const json_t *f)
{
    const char *id = json_string_value(json_object_get(f, "id"));
    pending_cmd *p = id ? orbit_map_remove(c->pending, id) : NULL;
    if (!p)
        return; /* timed out already */
    bool ok = json_is_true(json_object_get(f, "ok"));
    orbit_status st;
    orbit_status_clear(&st);
    if (!ok) {
        const json_t *e = json_object_get(f, "error");
        const char *code = json_string_value(json_object_get(e, "code"));
        const char *msg = json_string_value(json_object_get(e, "message"));
        const char *field = json_string_value(json_object_get(e, "field"));
        orbit_err err = ORBIT_ERR_INTERNAL;
        orbit_err_from_name(code, &err);
        orbit_status_set(&st, err, field ? field : "", "%s", msg ? msg : code ? code : "refused");
    }
    /* A refusal comes with the pool's error object as data: the pool
     * answered (a failure to deliver has no data at all). */
    if (p->fn)
        p->fn(p->ctx, c, ok, json_object_get(f, ok ? "data" : "error"), ok ? NULL : &st);
    free(p);
}

static void on_frame(client_conn *c, const char *text, size_t len)
{
    json_t *f = json_loadb(text, len, 0, NULL);
    if (!json_is_object(f)) {
        json_decref(f);
        return;
    }
    const char *t = json_string_value(json_object_get(f, "t"));
    const char *id = json_string_value(json_object_get(f, "id"));
    if (!t) {
    } else if (strcmp(t, "welcome") == 0) {
        on_welcome(c, f);
    } else if (strcmp(t, "snapshot") == 0) {
        if (id && strcmp(id, c->sub_id) == 0)
            on_snapshot(c, f);
    } else if (strcmp(t, "replay") == 0) {
        if (id && strcmp(id, c->sub_id) == 0) {
            c->replays++;
            if (!c->live_since_ms)
                c->live_since_ms = orbit_time_mono_ms();
            set_state(c, CLIENT_CONN_LIVE);
        }
    } else if (strcmp(t, "event") == 0) {
        on_event(c, f);
    } else if (strcmp(t, "tick") == 0) {
        const char *epoch = json_string_value(json_object_get(f, "epoch"));
        int64_t rev = json_integer_value(json_object_get(f, "rev"));
        /* A tick ahead of us means events were lost. */
        if (c->state == CLIENT_CONN_LIVE && c->hub->opt.subscribe &&
            (!epoch || strcmp(epoch, c->epoch) != 0 || rev > c->rev))
            resubscribe_fresh(c);
    } else if (strcmp(t, "resync") == 0) {
        if (c->hub->opt.subscribe)
            resubscribe_fresh(c);
    } else if (strcmp(t, "result") == 0) {
        on_result(c, f);
    } else if (strcmp(t, "error") == 0) {
        const char *msg = json_string_value(json_object_get(f, "message"));
        const char *code = json_string_value(json_object_get(f, "code"));
        snprintf(c->error, sizeof c->error, "%s: %s", code ? code : "error", msg ? msg : "");
        conn_changed(c);
    }
    json_decref(f);
}

/* ---- the libwebsockets callback ---- */

static void conn_closed(client_conn *c, const char *why)
{
    c->wsi = NULL;
    if (why && !c->error[0])
        snprintf(c->error, sizeof c->error, "%s", why);
    drop_outbound(c);
    fail_pending(c, why ? why : "connection closed");
    c->rx_len = 0;
    client_snapstream_free(c->snap);
    c->snap = NULL;
    client_snapworker_cancel(c->snapw);
    c->snapw = NULL;
    set_state(c, CLIENT_CONN_IDLE);
    if (!c->hub->destroying)
        schedule_retry(c);
}

static void drop_rx(client_conn *c)
{
    c->rx_len = 0;
    if (c->rx_cap > (1u << 20)) {
        free(c->rx);
        c->rx = NULL;
        c->rx_cap = 0;
    }
}

static bool keep_rx(client_conn *c, const void *in, size_t len)
{
    if (c->rx_len + len + 1 > c->rx_cap) {
        size_t cap = c->rx_cap ? c->rx_cap : 65536;
        while (cap < c->rx_len + len + 1)
            cap *= 2;
        unsigned char *nrx = realloc(c->rx, cap);
        if (!nrx)
            return false;
        c->rx = nrx;
        c->rx_cap = cap;
    }
    memcpy(c->rx + c->rx_len, in, len);
    c->rx_len += len;
    return true;
}

/* One piece of a message. A message that does not arrive in one piece
 * (a snapshot of a big pool: megabytes) is also fed to a stream parser;
 * once that knows it is a snapshot, the text is no longer kept and the
 * state goes into the mirror as it arrives. Anything else is parsed
 * whole, from the text kept. */
static int conn_receive(client_conn *c, bool first, bool last, const void *in, size_t len)
{
    if (first) {
        c->rx_len = c->rx_total = 0;
        c->rx_keep = true;
        client_snapstream_free(c->snap);
        c->snap = NULL;
        client_snapworker_cancel(c->snapw);
        c->snapw = NULL;
        if (!last && c->hub->opt.subscribe)
            c->snap = client_snapstream_new(); /* NULL: the text is parsed whole */
    }
    c->rx_total += len;
    if (c->rx_total > HUB_MAX_FRAME) {
        snprintf(c->error, sizeof c->error, "frame from the pool is too large");
        return -1;
    }
    c->last_frame_ms = orbit_time_now_ms();
    if (c->snapw) {
        if (!client_snapworker_feed(c->snapw, in, len)) {
            snprintf(c->error, sizeof c->error, "out of memory reading a snapshot");
            return -1;
        }
    } else if (c->snap) {
        client_snapstream_kind k = client_snapstream_feed(c->snap, in, len);
        if (k == CLIENT_SNAPSTREAM_OTHER) {
            client_snapstream_free(c->snap);
            c->snap = NULL;
        } else if (k == CLIENT_SNAPSTREAM_SNAPSHOT) {
            if (c->rx_keep) {
                c->rx_keep = false;
                drop_rx(c);
            }
            /* The rest is parsed on a worker while this thread reads it;
             * without one it is parsed here, as it was. */
            client_snapworker *w = last ? NULL : client_snapworker_start(c->snap);
            if (w) {
                c->snap = NULL;
                c->snapw = w;
            }
        }
    }
    if (c->rx_keep && !keep_rx(c, in, len))
        return -1;
    if (!last)
        return 0;
    client_snapstream *snap = c->snap;
    c->snap = NULL;
    if (c->snapw) {
        snap = client_snapworker_finish(c->snapw);
        c->snapw = NULL;
    }
    if (snap && client_snapstream_end(snap) == CLIENT_SNAPSTREAM_SNAPSHOT) {
        on_streamed_snapshot(c, snap);
    } else if (c->rx_keep) {
        size_t n = c->rx_len;
        c->rx_len = 0;
        on_frame(c, (const char *)c->rx, n);
    } else if (snap && strcmp(client_snapstream_id(snap), c->sub_id) == 0) {
        snprintf(c->error, sizeof c->error, "bad snapshot: %s", client_snapstream_error(snap));
        conn_changed(c);
    }
    client_snapstream_free(snap);
    drop_rx(c);
    return 0;
}

static int conn_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                         size_t len)
{
    (void)user;
    client_conn *c = lws_get_opaque_user_data(wsi);
    switch (reason) {
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        if (c) {
            char why[400];
            const char *lws_why = in ? (const char *)in : "connection refused";
            /* OpenSSL's verify failures reach us as opaque codes; say what
             * an operator can check instead. */
            if (c->tls && strstr(lws_why, "SSL"))
                snprintf(why, sizeof why,
                         "cannot connect: TLS handshake failed (certificate not signed by the "
                         "CA file, not issued for %.80s, or not a TLS port): %.120s",
                         c->host, lws_why);
            else
                snprintf(why, sizeof why, "cannot connect: %.200s", lws_why);
            c->error[0] = '\0';
            conn_closed(c, why);
        }
        return 0;
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        if (!c)
            return -1;
        c->last_frame_ms = orbit_time_now_ms();
        set_state(c, CLIENT_CONN_GREETING);
        queue_json(c, json_pack("{s:s, s:s, s:s}", "t", "hello", "token", c->hub->token, "client",
                                c->hub->client_name));
        return 0;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        return c ? conn_receive(c, lws_is_first_fragment(wsi),
                                lws_is_final_fragment(wsi) &&
                                    lws_remaining_packet_payload(wsi) == 0,
                                in, len)
                 : -1;
    case LWS_CALLBACK_CLIENT_WRITEABLE: {
        if (!c)
            return -1;
        out_msg *m = c->out_head;
        if (!m)
            return 0;
        if (lws_write(wsi, m->buf + LWS_PRE, m->len, LWS_WRITE_TEXT) < (int)m->len)
            return -1;
        c->out_head = m->next;
        if (!c->out_head)
            c->out_tail = NULL;
        free(m);
        if (c->out_head)
            lws_callback_on_writable(wsi);
        return 0;
    }
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        if (c && len >= 2) {
            const unsigned char *p = in;
            int code = p[0] << 8 | p[1];
            snprintf(c->error, sizeof c->error, "closed by the pool (%d%s%.*s)", code,
                     len > 2 ? ": " : "", (int)(len - 2), (const char *)p + 2);
        }
        return 0;
    case LWS_CALLBACK_CLIENT_CLOSED:
        if (c)
            conn_closed(c, "connection closed");
        return 0;
    default:
        return 0;
    }
}

static int fd_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                       size_t len)
{
    (void)user;
    (void)in;
    (void)len;
    fd_watch *w = lws_get_opaque_user_data(wsi);
    /* A descriptor that closes (a terminal hung up, stdin at its end) is
     * reported too: the application reads it and sees the end. */
    if ((reason == LWS_CALLBACK_RAW_RX_FILE || reason == LWS_CALLBACK_RAW_CLOSE_FILE) && w)
        w->fn(w->ctx);
    return 0;
}

/* ---- timers ---- */

static void on_tick(lws_sorted_usec_list_t *sul)
{
    client_hub *hub = lws_container_of(sul, client_hub, tick);
    int64_t mono = orbit_time_mono_ms(), now = orbit_time_now_ms();
    for (size_t i = 0; i < hub->nconns; i++) {
        client_conn *c = hub->conns[i];
        if (c->state == CLIENT_CONN_IDLE && mono >= c->retry_at_ms)
            conn_connect(c);
        bool stale =
            c->state != CLIENT_CONN_LIVE || now - c->last_frame_ms > 3 * (int64_t)c->heartbeat_ms;
        if (stale != c->stale) {
            c->stale = stale;
            conn_changed(c);
        }
        /* Commands not answered in time. */
        size_t pos = 0;
        const char *id;
        void *v;
        char expired[64][24];
        size_t nexp = 0;
        while (nexp < 64 && orbit_map_next(c->pending, &pos, &id, &v)) {
            if (((pending_cmd *)v)->deadline_ms <= mono)
                snprintf(expired[nexp++], sizeof expired[0], "%s", id);
        }
        for (size_t k = 0; k < nexp; k++) {
            pending_cmd *p = orbit_map_remove(c->pending, expired[k]);
            if (!p)
                continue;
            orbit_status st;
            orbit_status_set(&st, ORBIT_ERR_POOL_UNREACHABLE, "", "%s: no answer within %d s",
                             c->fqdn[0] ? c->fqdn : c->url, hub->opt.cmd_timeout_ms / 1000);
            if (p->fn)
                p->fn(p->ctx, c, false, NULL, &st);
            free(p);
        }
    }
    if (!hub->destroying)
        lws_sul_schedule(hub->lws, 0, &hub->tick, on_tick, HUB_TICK_US);
}

static void on_timer(lws_sorted_usec_list_t *sul)
{
    hub_timer *t = lws_container_of(sul, hub_timer, sul);
    if (t->hub->destroying)
        return;
    t->fn(t->ctx, orbit_time_now_ms());
    lws_sul_schedule(t->hub->lws, 0, &t->sul, on_timer, (lws_usec_t)t->period_ms * 1000);
}

bool client_hub_every(client_hub *hub, int period_ms, void (*fn)(void *ctx, int64_t now_ms),
                      void *ctx)
{
    hub_timer *t = calloc(1, sizeof *t);
    if (!t)
        return false;
    t->hub = hub;
    t->period_ms = period_ms > 0 ? period_ms : 1;
    t->fn = fn;
    t->ctx = ctx;
    t->next = hub->timers;
    hub->timers = t;
    lws_sul_schedule(hub->lws, 0, &t->sul, on_timer, (lws_usec_t)t->period_ms * 1000);
    return true;
}

/* ---- hub ---- */

static void lws_log_quiet(int level, const char *line)
{
    (void)level;
    (void)line;
}

client_hub *client_hub_new(const client_options *o, const client_hooks *h, void *ctx,
                           orbit_status *st)
{
    client_hub *hub = calloc(1, sizeof *hub);
    if (!hub) {
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
        return NULL;
    }
    hub->opt = *o;
    if (!hub->opt.cmd_timeout_ms)
        hub->opt.cmd_timeout_ms = 10000;
    if (!hub->opt.backoff_base_ms)
        hub->opt.backoff_base_ms = 250;
    if (!hub->opt.backoff_cap_ms)
        hub->opt.backoff_cap_ms = 15000;
    snprintf(hub->token, sizeof hub->token, "%s", o->token ? o->token : "");
    snprintf(hub->client_name, sizeof hub->client_name, "%s",
             o->client_name ? o->client_name : "orbit-client");
    if (o->ca_file)
        snprintf(hub->ca_file, sizeof hub->ca_file, "%s", o->ca_file);
    if (h)
        hub->hooks = *h;
    hub->ctx = ctx;
    orbit_rng_seed_os(&hub->rng);
    hub->protocols[0] = (struct lws_protocols){HUB_PROTOCOL, conn_callback, 0, 65536, 0, NULL, 0};
    hub->protocols[1] = (struct lws_protocols){HUB_FD_PROTOCOL, fd_callback, 0, 0, 0, NULL, 0};
    lws_set_log_level(0, lws_log_quiet);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = hub->protocols;
    info.options = o->plaintext_only ? 0 : LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    if (hub->ca_file[0])
        info.client_ssl_ca_filepath = hub->ca_file;
    info.user = hub;
    info.timeout_secs = 10;
    /* Reads of 64 KiB, not the default 4 KiB: a big pool's snapshot is
     * megabytes, and each read is a trip round the loop. */
    info.pt_serv_buf_size = HUB_READ_BYTES;
    hub->lws = lws_create_context(&info);
    if (!hub->lws) {
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "cannot create the network context");
        free(hub);
        return NULL;
    }
    lws_sul_schedule(hub->lws, 0, &hub->tick, on_tick, HUB_TICK_US);
    return hub;
}

static void conn_free(client_conn *c)
{
    drop_outbound(c);
    size_t pos = 0;
    void *v;
    while (c->pending && orbit_map_next(c->pending, &pos, NULL, &v))
        free(v);
    orbit_map_free(c->pending);
    client_mirror_free(c->mirror);
    client_snapstream_free(c->snap);
    client_snapworker_cancel(c->snapw);
    free(c->rx);
    free(c);
}

void client_hub_free(client_hub *hub)
{
    if (!hub)
        return;
    hub->destroying = true;
    for (size_t i = 0; i < hub->nconns; i++)
        fail_pending(hub->conns[i], "shutting down");
    lws_context_destroy(hub->lws);
    for (size_t i = 0; i < hub->nconns; i++)
        conn_free(hub->conns[i]);
    free(hub->conns);
    while (hub->timers) {
        hub_timer *t = hub->timers;
        hub->timers = t->next;
        free(t);
    }
    while (hub->watches) {
        fd_watch *w = hub->watches;
        hub->watches = w->next;
        free(w);
    }
    free(hub->refused);
    free(hub);
}

static bool parse_url(client_conn *c, const char *url, orbit_status *st)
{
    client_url u;
    char why[300];
    if (!client_url_parse(url, &u, why, sizeof why)) {
        orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "url", "%s", why);
        return false;
    }
    c->tls = u.tls;
    c->port = u.port;
    /* The connection wants an IPv6 address without its brackets. */
    size_t hl = strlen(u.host);
    if (u.host[0] == '[' && hl > 2)
        snprintf(c->host, sizeof c->host, "%.*s", (int)(hl - 2), u.host + 1);
    else
        snprintf(c->host, sizeof c->host, "%s", u.host);
    snprintf(c->path, sizeof c->path, "%s", u.path);
    return true;
}

client_conn *client_hub_add(client_hub *hub, const char *url, orbit_status *st)
{
    for (size_t i = 0; i < hub->nconns; i++) {
        if (strcmp(hub->conns[i]->url, url) == 0 ||
            client_url_same_endpoint(hub->conns[i]->url, url))
            return hub->conns[i];
    }
    client_conn *c = calloc(1, sizeof *c);
    if (!c) {
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
        return NULL;
    }
    c->hub = hub;
    c->heartbeat_ms = 1000;
    c->stale = true;
    snprintf(c->url, sizeof c->url, "%s", url);
    c->mirror = client_mirror_new();
    c->pending = orbit_map_new();
    if (!c->mirror || !c->pending) {
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
        conn_free(c);
        return NULL;
    }
    if (!parse_url(c, url, st)) {
        conn_free(c);
        return NULL;
    }
    if (c->tls && hub->opt.plaintext_only) {
        orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "url",
                         "%s is wss://, but this client was started for plaintext pools only", url);
        conn_free(c);
        return NULL;
    }
    if (hub->nconns == hub->capconns) {
        size_t ncap = hub->capconns ? hub->capconns * 2 : 8;
        client_conn **nc = realloc(hub->conns, ncap * sizeof *nc);
        if (!nc) {
            orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
            conn_free(c);
            return NULL;
        }
        hub->conns = nc;
        hub->capconns = ncap;
    }
    hub->conns[hub->nconns++] = c;
    conn_connect(c);
    return c;
}

size_t client_hub_count(const client_hub *hub)
{
    return hub->nconns;
}

client_conn *client_hub_at(const client_hub *hub, size_t i)
{
    return i < hub->nconns ? hub->conns[i] : NULL;
}

client_conn *client_hub_find(const client_hub *hub, const char *fqdn)
{
    for (size_t i = 0; fqdn && *fqdn && i < hub->nconns; i++) {
        if (strcmp(hub->conns[i]->fqdn, fqdn) == 0)
            return hub->conns[i];
    }
    return NULL;
}

void client_hub_service(client_hub *hub)
{
    lws_service(hub->lws, 0);
}

void client_hub_wake(client_hub *hub)
{
    lws_cancel_service(hub->lws);
}

bool client_hub_watch_fd(client_hub *hub, int fd, void (*fn)(void *ctx), void *ctx)
{
    fd_watch *w = calloc(1, sizeof *w);
    if (!w)
        return false;
    w->fn = fn;
    w->ctx = ctx;
    lws_sock_file_fd_type d;
    d.filefd = fd;
    struct lws *wsi = lws_adopt_descriptor_vhost(lws_get_vhost_by_name(hub->lws, "default"),
                                                 LWS_ADOPT_RAW_FILE_DESC, d, HUB_FD_PROTOCOL, NULL);
    if (!wsi) {
        free(w);
        return false;
    }
    lws_set_opaque_user_data(wsi, w);
    w->next = hub->watches;
    hub->watches = w;
    return true;
}

struct lws_context *client_hub_lws(const client_hub *hub)
{
    return hub->lws;
}

bool client_hub_all_live(const client_hub *hub)
{
    for (size_t i = 0; i < hub->nconns; i++) {
        if (hub->conns[i]->state != CLIENT_CONN_LIVE)
            return false;
    }
    return hub->nconns > 0;
}

/* ---- connection accessors and commands ---- */

client_conn_state client_conn_get_state(const client_conn *c)
{
    return c->state;
}

const char *client_conn_state_name(client_conn_state s)
{
    static const char *const names[] = {"idle", "connecting", "greeting", "syncing", "live"};
    return (unsigned)s < 5 ? names[s] : "?";
}

const char *client_conn_url(const client_conn *c)
{
    return c->url;
}

const char *client_conn_fqdn(const client_conn *c)
{
    return c->fqdn;
}

const char *client_conn_role(const client_conn *c)
{
    return c->role;
}

bool client_conn_stale(const client_conn *c)
{
    /* Computed now, so a caller never sees a flag a tick old. */
    return c->state != CLIENT_CONN_LIVE ||
           orbit_time_now_ms() - c->last_frame_ms > 3 * (int64_t)c->heartbeat_ms;
}

int64_t client_conn_last_frame_ms(const client_conn *c)
{
    return c->last_frame_ms;
}

const char *client_conn_epoch(const client_conn *c)
{
    return c->epoch;
}

int64_t client_conn_rev(const client_conn *c)
{
    return c->rev;
}

const char *client_conn_error(const client_conn *c)
{
    return c->error;
}

int client_conn_attempts(const client_conn *c)
{
    return c->attempts;
}

uint64_t client_conn_snapshots(const client_conn *c)
{
    return c->snapshots;
}

uint64_t client_conn_replays(const client_conn *c)
{
    return c->replays;
}

uint64_t client_conn_events(const client_conn *c)
{
    return c->events;
}

client_mirror *client_conn_mirror(const client_conn *c)
{
    return c->mirror;
}

bool client_conn_cmd(client_conn *c, const char *op, json_t *args, client_result_fn fn, void *ctx,
                     orbit_status *st)
{
    if (c->state < CLIENT_CONN_SYNCING || !c->wsi) {
        json_decref(args);
        orbit_status_set(st, ORBIT_ERR_POOL_UNREACHABLE, "", "%s is not connected%s%s",
                         c->fqdn[0] ? c->fqdn : c->url, c->error[0] ? ": " : "", c->error);
        return false;
    }
    pending_cmd *p = calloc(1, sizeof *p);
    if (!p) {
        json_decref(args);
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
        return false;
    }
    snprintf(p->id, sizeof p->id, "c%llu", (unsigned long long)++c->next_id);
    p->deadline_ms = orbit_time_mono_ms() + c->hub->opt.cmd_timeout_ms;
    p->fn = fn;
    p->ctx = ctx;
    json_t *frame = json_pack("{s:s, s:s, s:s, s:o}", "t", "cmd", "id", p->id, "op", op, "args",
                              args ? args : json_object());
    if (!orbit_map_put(c->pending, p->id, p) || !queue_json(c, frame)) {
        orbit_map_remove(c->pending, p->id);
        free(p);
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
        return false;
    }
    return true;
}

bool client_conn_http_base(const client_conn *c, char *out, size_t len)
{
    return client_url_http_base(c->url, out, len);
}

size_t client_hub_refused_count(const client_hub *hub)
{
    return hub->nrefused;
}

const client_refusal *client_hub_refused_at(const client_hub *hub, size_t i)
{
    return i < hub->nrefused ? &hub->refused[i] : NULL;
}
