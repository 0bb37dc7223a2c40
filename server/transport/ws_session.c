/* ws_session: the orbit.v1 WebSocket protocol on the server side. */
#include "ws_session.h"

#include "orbit_frame.h"
#include "orbit_time.h"
#include "server.h"
#include "ws_outq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* A session may save up this many seconds of its role's command rate
 * (cmd_rate_* in the configuration) as a burst. */
#define WS_CMD_BURST_SECONDS 2.0
/* Kernel send buffer per session. Bounding it keeps a stalled reader's
 * backlog in our queue, where the limits see it, rather than in megabytes
 * of socket buffer. */
#define WS_SOCKET_SNDBUF (256 * 1024)

/* A command the pool has not answered yet. */
typedef struct ws_pending {
    ws_session *s;
    struct ws_pending *prev, *next;
    pool_op *op;
    bool linked; /* in the session's list: the answer comes later */
    bool answered;
    char id[ORBIT_FRAME_ID_MAX + 1];
} ws_pending;

struct ws_session {
    struct lws *wsi;
    orbit_server *srv;
    ws_session *prev, *next;
    int64_t connected_ms;
    bool authed;
    bool subscribed;
    pool_caller caller;
    char peer[64];
    ws_pending *pending;
    /* inbound message being assembled */
    unsigned char *rx;
    size_t rx_len, rx_cap;
    bool rx_binary;
    ws_outq out; /* what waits to be sent */
    int64_t last_sent_ms;
    int bad_frames;
    double cmd_tokens;
    int64_t cmd_refill_ms;
    int close_code;
    char close_reason[96];
};

size_t ws_session_size(void)
{
    return sizeof(ws_session);
}

static orbit_server *server_of(struct lws *wsi)
{
    return lws_context_user(lws_get_context(wsi));
}

/* ---- outbound queue ---- */

static bool queue_push(ws_session *s, wire_msg *m)
{
    if (!ws_outq_push(&s->out, m, 0, m->len, WS_OUTQ_WHOLE, false))
        return false;
    lws_callback_on_writable(s->wsi);
    return true;
}

/* Queues a frame built here; the frame is released. */
static void send_json(ws_session *s, json_t *frame)
{
    if (!frame)
        return;
    wire_msg *m = wire_msg_from_json(frame);
    json_decref(frame);
    if (!m)
        return;
    queue_push(s, m);
    wire_msg_unref(m);
}

/* The answer every command gets, written without building its envelope
 * as JSON values (the hot path of every park and retrieve). data is
 * stolen, may be NULL. */
static void send_result_ok(ws_session *s, const char *id, json_t *data)
{
    orbit_buf *b = &s->srv->result_scratch;
    orbit_buf_reset(b);
    wire_msg *m = NULL;
    if (orbit_frame_write_result_ok(b, id, data))
        m = wire_msg_from_text(b->data, b->len);
    if (b->cap > WIRE_MSG_SCRATCH_KEEP)
        orbit_buf_free(b); /* a rare large answer: do not hold its size */
    json_decref(data);
    if (!m)
        return;
    queue_push(s, m);
    wire_msg_unref(m);
}

static void send_error(ws_session *s, const char *id, const orbit_status *st)
{
    send_json(s, orbit_frame_make_error(id, st));
}

/* Drops the backlog of a consumer that cannot keep up and tells it to
 * re-subscribe; events stop until it does. */
static void resync(ws_session *s)
{
    ws_outq_clear(&s->out);
    s->subscribed = false;
    s->srv->metrics.resyncs++;
    ORBIT_LOG_I(&s->srv->log, "session %s (%s): slow consumer, resync", s->peer, s->caller.token);
    send_json(s, json_pack("{s:s}", "t", "resync"));
}

static void queue_event(ws_session *s, wire_msg *m)
{
    const server_config *c = &s->srv->cfg;
    if (s->out.count + 1 > (size_t)c->queue_max_messages ||
        s->out.bytes + m->len > c->queue_max_bytes) {
        resync(s);
        return;
    }
    if (!queue_push(s, m))
        resync(s);
}

void ws_session_broadcast(orbit_server *srv, wire_msg *msg)
{
    for (ws_session *s = srv->sessions; s; s = s->next) {
        if (s->subscribed)
            queue_event(s, msg);
    }
}

void ws_session_resync_all(orbit_server *srv)
{
    for (ws_session *s = srv->sessions; s; s = s->next) {
        if (s->subscribed)
            resync(s);
    }
}

static void close_with(ws_session *s, int code, const char *reason)
{
    if (s->close_code)
        return;
    s->close_code = code;
    snprintf(s->close_reason, sizeof s->close_reason, "%s", reason);
    lws_callback_on_writable(s->wsi);
}

void ws_session_tick(orbit_server *srv, int64_t now)
{
    for (ws_session *s = srv->sessions; s; s = s->next) {
        if (!s->authed && now - s->connected_ms > WS_HELLO_TIMEOUT_MS) {
            close_with(s, 4408, "no hello within 5 s");
            continue;
        }
        if (s->subscribed && s->out.count == 0 && now - s->last_sent_ms >= srv->cfg.heartbeat_ms) {
            const event_ring *ring = pool_events(srv->pool);
            send_json(s, orbit_frame_make_tick(ring->epoch, ring->rev, now));
        }
    }
}

/* ---- inbound frames ---- */

static void bad_frame(ws_session *s, const char *id, const orbit_status *st)
{
    s->srv->metrics.bad_frames++;
    send_error(s, id, st);
    if (++s->bad_frames >= WS_BAD_FRAME_LIMIT)
        close_with(s, 4400, "too many bad frames");
}

static void on_hello(ws_session *s, const orbit_frame *f)
{
    orbit_status st;
    orbit_hello h;
    if (orbit_frame_hello(f, &h, &st) != ORBIT_OK) {
        send_error(s, f->id, &st);
        close_with(s, 4401, "unauthorized");
        return;
    }
    const server_token *t = server_config_find_token(&s->srv->cfg, h.token);
    if (!t) {
        orbit_status_set(&st, ORBIT_ERR_UNAUTHORIZED, "token", "unknown token");
        send_error(s, f->id, &st);
        ORBIT_LOG_W(&s->srv->log, "session %s: refused an unknown token", s->peer);
        close_with(s, 4401, "unauthorized");
        return;
    }
    s->authed = true;
    server_caller_init(&s->caller, t, h.client, s->peer);
    s->cmd_tokens = s->srv->cfg.cmd_rate[t->role] * WS_CMD_BURST_SECONDS;
    s->cmd_refill_ms = orbit_time_mono_ms();
    ORBIT_LOG_I(&s->srv->log, "session %s: %s (%s) as %s", s->peer, t->name,
                h.client[0] ? h.client : "unnamed client", orbit_role_name(t->role));
    orbit_server *srv = s->srv;
    const event_ring *ring = pool_events(srv->pool);
    send_json(s, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:i}", "t", "welcome", "pool",
                           srv->cfg.fqdn, "role", orbit_role_name(t->role), "server",
                           "orbitd/" ORBIT_VERSION, "epoch", ring->epoch, "rev",
                           (json_int_t)ring->rev, "heartbeat_ms", srv->cfg.heartbeat_ms));
}

/* A snapshot frame streams as one WebSocket message in three parts: this
 * session's header, the state every subscriber at this revision shares
 * (serialised once, not counted against this session's queue limits),
 * and the closing brace. */
static bool queue_snapshot(ws_session *s, const char *id, orbit_status *st)
{
    int64_t rev;
    wire_msg *state = pool_snapshot_state(s->srv->pool, &rev, st);
    if (!state)
        return false;
    json_t *head = json_pack("{s:s, s:s, s:s, s:I}", "t", "snapshot", "id", id, "epoch",
                             pool_events(s->srv->pool)->epoch, "rev", (json_int_t)rev);
    char *text = head ? json_dumps(head, JSON_COMPACT) : NULL;
    json_decref(head);
    size_t len = text ? strlen(text) : 0;
    /* {"t":...,"rev":N}  becomes  {"t":...,"rev":N,"state":  */
    wire_msg *first = NULL;
    if (text && len > 1 && text[len - 1] == '}') {
        static const char key[] = ",\"state\":";
        char *open = realloc(text, len + sizeof key);
        if (open) {
            text = open;
            memcpy(text + len - 1, key, sizeof key);
            first = wire_msg_from_text(text, len - 1 + sizeof key - 1);
        }
    }
    free(text);
    wire_msg *last = wire_msg_from_text("}", 1);
    bool ok = first && last && ws_outq_push(&s->out, first, 0, first->len, WS_OUTQ_FIRST, false) &&
              ws_outq_push(&s->out, state, 0, state->len, WS_OUTQ_MIDDLE, true) &&
              ws_outq_push(&s->out, last, 0, last->len, WS_OUTQ_LAST, false);
    wire_msg_unref(first);
    wire_msg_unref(last);
    wire_msg_unref(state);
    if (!ok) {
        ws_outq_clear(&s->out);
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
        return false;
    }
    lws_callback_on_writable(s->wsi);
    return true;
}

static void on_subscribe(ws_session *s, const orbit_frame *f)
{
    orbit_status st;
    orbit_subscribe sub;
    if (orbit_frame_subscribe(f, &sub, &st) != ORBIT_OK) {
        bad_frame(s, f->id, &st);
        return;
    }
    orbit_server *srv = s->srv;
    event_ring *ring = pool_events(srv->pool);
    /* A fresh start for this session: nothing stale stays queued. */
    ws_outq_clear(&s->out);
    if (sub.has_since && event_ring_can_replay(ring, sub.epoch, sub.rev)) {
        send_json(s, json_pack("{s:s, s:s, s:I, s:I}", "t", "replay", "id", sub.id, "from_rev",
                               (json_int_t)(sub.rev + 1), "to_rev", (json_int_t)ring->rev));
        for (int64_t rev = sub.rev + 1; rev <= ring->rev; rev++) {
            wire_msg *m = event_ring_get(ring, rev);
            if (m && !queue_push(s, m)) {
                resync(s);
                return;
            }
        }
    } else if (!queue_snapshot(s, sub.id, &st)) {
        send_error(s, sub.id, &st);
        return;
    }
    s->subscribed = true;
}

static bool take_cmd_token(ws_session *s, int64_t now)
{
    double rate = s->srv->cfg.cmd_rate[s->caller.role];
    double elapsed = (double)(now - s->cmd_refill_ms) / 1000.0;
    s->cmd_refill_ms = now;
    s->cmd_tokens += elapsed * rate;
    double burst = rate * WS_CMD_BURST_SECONDS;
    if (s->cmd_tokens > burst)
        s->cmd_tokens = burst;
    if (s->cmd_tokens < 1.0)
        return false;
    s->cmd_tokens -= 1.0;
    return true;
}

static void pending_unlink(ws_pending *p)
{
    ws_session *s = p->s;
    if (p->prev)
        p->prev->next = p->next;
    else
        s->pending = p->next;
    if (p->next)
        p->next->prev = p->prev;
    p->linked = false;
}

/* The pool's answer to a command, now or later. */
static void on_cmd_done(void *ctx, const orbit_status *st, json_t *data)
{
    ws_pending *p = ctx;
    ws_session *s = p->s;
    if (st->code == ORBIT_OK)
        send_result_ok(s, p->id, data);
    else
        send_json(s, orbit_frame_make_result_error(p->id, st));
    p->answered = true;
    if (p->linked) {
        pending_unlink(p);
        free(p);
    }
}

static void on_cmd(ws_session *s, const orbit_frame *f)
{
    orbit_status st;
    orbit_status_clear(&st);
    orbit_cmd cmd;
    if (orbit_frame_cmd(f, &cmd, &st) != ORBIT_OK) {
        s->srv->metrics.bad_frames++;
        send_json(s, orbit_frame_make_result_error(f->id, &st));
        return;
    }
    if (!take_cmd_token(s, orbit_time_mono_ms())) {
        orbit_status_set(&st, ORBIT_ERR_RATE_LIMITED, "", "more than %.0f commands a second",
                         s->srv->cfg.cmd_rate[s->caller.role]);
        s->srv->metrics.rate_limited++;
        send_json(s, orbit_frame_make_result_error(cmd.id, &st));
        return;
    }
    ws_pending *p = calloc(1, sizeof *p);
    if (!p) {
        orbit_status_set(&st, ORBIT_ERR_INTERNAL, "", "out of memory");
        send_json(s, orbit_frame_make_result_error(cmd.id, &st));
        return;
    }
    p->s = s;
    snprintf(p->id, sizeof p->id, "%s", cmd.id);
    pool_op *op = pool_op_submit(s->srv->pool, &s->caller, cmd.op, cmd.args, on_cmd_done, p);
    if (p->answered) {
        free(p);
        return;
    }
    /* The store must commit it first: keep it until the answer comes. */
    p->op = op;
    p->linked = true;
    p->next = s->pending;
    if (s->pending)
        s->pending->prev = p;
    s->pending = p;
}

static void on_message(ws_session *s)
{
    orbit_status st;
    s->srv->metrics.frames_in++;
    if (s->rx_binary) {
        orbit_status_set(&st, ORBIT_ERR_BAD_REQUEST, "", "frames are JSON text, not binary");
        bad_frame(s, NULL, &st);
        return;
    }
    orbit_frame f;
    if (orbit_frame_parse((const char *)s->rx, s->rx_len, &f, &st) != ORBIT_OK) {
        bad_frame(s, NULL, &st);
        return;
    }
    /* Only a frame that is not itself refused ends a run of bad ones:
     * parseable frames that break the protocol (anything before hello)
     * count as much as unparseable ones. */
    int bad_before = s->bad_frames;
    if (!s->authed) {
        if (f.type == ORBIT_FRAME_HELLO) {
            on_hello(s, &f);
        } else {
            orbit_status_set(&st, ORBIT_ERR_UNAUTHORIZED, "t", "send hello first");
            bad_frame(s, f.id, &st);
        }
        if (s->bad_frames == bad_before)
            s->bad_frames = 0;
        orbit_frame_release(&f);
        return;
    }
    switch (f.type) {
    case ORBIT_FRAME_SUBSCRIBE:
        on_subscribe(s, &f);
        break;
    case ORBIT_FRAME_CMD:
        on_cmd(s, &f);
        break;
    case ORBIT_FRAME_HELLO:
        orbit_status_set(&st, ORBIT_ERR_CONFLICT, "t", "this session already said hello");
        send_error(s, f.id, &st);
        break;
    default:
        orbit_status_set(&st, ORBIT_ERR_BAD_REQUEST, "t", "a client does not send '%s'",
                         orbit_frame_type_name(f.type));
        bad_frame(s, f.id, &st);
        break;
    }
    if (s->bad_frames == bad_before)
        s->bad_frames = 0;
    orbit_frame_release(&f);
}

/* Accumulates fragments; returns -1 to close (oversized message). */
static int on_receive(ws_session *s, const void *in, size_t len)
{
    if (lws_is_first_fragment(s->wsi)) {
        s->rx_len = 0;
        s->rx_binary = lws_frame_is_binary(s->wsi);
    }
    if (s->rx_len + len > ORBIT_FRAME_MAX_BYTES) {
        static const char why[] = "frame over 1 MiB";
        ORBIT_LOG_W(&s->srv->log, "session %s: closing, %s", s->peer, why);
        s->srv->metrics.bad_frames++;
        lws_close_reason(s->wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, (unsigned char *)why,
                         sizeof why - 1);
        return -1;
    }
    if (s->rx_len + len > s->rx_cap) {
        size_t cap = s->rx_cap ? s->rx_cap : 4096;
        while (cap < s->rx_len + len)
            cap *= 2;
        unsigned char *nrx = realloc(s->rx, cap);
        if (!nrx)
            return -1;
        s->rx = nrx;
        s->rx_cap = cap;
    }
    memcpy(s->rx + s->rx_len, in, len);
    s->rx_len += len;
    if (lws_is_final_fragment(s->wsi) && lws_remaining_packet_payload(s->wsi) == 0) {
        on_message(s);
        /* Large buffers are not kept for the session's lifetime. */
        if (s->rx_cap > 65536) {
            free(s->rx);
            s->rx = NULL;
            s->rx_cap = 0;
        }
        s->rx_len = 0;
    }
    return 0;
}

/* Sends as many queued messages as fit in one buffer, framed here, in
 * one write: a burst of events costs one send, not one each. */
static int on_writable(ws_session *s)
{
    if (s->out.count) {
        unsigned char *buf = s->srv->ws_scratch;
        size_t frames = 0;
        size_t n = ws_outq_fill(&s->out, buf + LWS_PRE, SERVER_WS_SCRATCH, &frames);
        /* Already framed: lws writes the bytes as they are, and keeps
         * whatever the socket does not take for the next writable. */
        if (n && lws_write(s->wsi, buf + LWS_PRE, n, LWS_WRITE_RAW) < (int)n)
            return -1;
        s->srv->metrics.frames_out += frames;
        s->last_sent_ms = orbit_time_now_ms();
        if (s->out.count || s->close_code)
            lws_callback_on_writable(s->wsi);
        return 0;
    }
    if (s->close_code) {
        lws_close_reason(s->wsi, (enum lws_close_status)s->close_code,
                         (unsigned char *)s->close_reason, strlen(s->close_reason));
        return -1;
    }
    return 0;
}

static bool uri_is_stream(struct lws *wsi)
{
    char uri[64];
    if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) <= 0)
        return false;
    return strcmp(uri, "/v1/stream") == 0;
}

int ws_session_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                        size_t len)
{
    ws_session *s = user;
    switch (reason) {
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        return uri_is_stream(wsi) ? 0 : 1;
    case LWS_CALLBACK_ESTABLISHED: {
        orbit_server *srv = server_of(wsi);
        memset(s, 0, sizeof *s);
        s->wsi = wsi;
        s->srv = srv;
        s->connected_ms = orbit_time_now_ms();
        s->last_sent_ms = s->connected_ms;
        s->cmd_tokens = 1.0;
        s->cmd_refill_ms = orbit_time_mono_ms();
        lws_get_peer_simple(wsi, s->peer, sizeof s->peer);
        int sndbuf = WS_SOCKET_SNDBUF;
        if (setsockopt(lws_get_socket_fd(wsi), SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf))
            ORBIT_LOG_D(&srv->log, "session %s: SO_SNDBUF not set", s->peer);
        s->next = srv->sessions;
        if (srv->sessions)
            srv->sessions->prev = s;
        srv->sessions = s;
        srv->nsessions++;
        return 0;
    }
    case LWS_CALLBACK_RECEIVE:
        if (!s || !s->srv)
            return -1;
        return on_receive(s, in, len);
    case LWS_CALLBACK_SERVER_WRITEABLE:
        if (!s || !s->srv)
            return -1;
        return on_writable(s);
    case LWS_CALLBACK_CLOSED: {
        if (!s || !s->srv)
            return 0;
        orbit_server *srv = s->srv;
        if (s->prev)
            s->prev->next = s->next;
        else
            srv->sessions = s->next;
        if (s->next)
            s->next->prev = s->prev;
        srv->nsessions--;
        /* Ops still at the store complete without us. */
        while (s->pending) {
            ws_pending *p = s->pending;
            pending_unlink(p);
            pool_op_detach(p->op);
            free(p);
        }
        ws_outq_free(&s->out);
        free(s->rx);
        s->srv = NULL;
        return 0;
    }
    default:
        return 0;
    }
}
