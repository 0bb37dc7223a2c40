/* sip_edge: the edge's thread and its libre stack: transports, the guard
 * that counts and sheds hostile input before anything else sees it,
 * request routing (REGISTER, INVITE, MESSAGE, OPTIONS), digest
 * authentication, the port's inbox, and the pacing and housekeeping
 * timers. Call handling is in sip_calls.c, bindings in sip_registrar.c. */
#include "sip_edge_internal.h"

#include "orbit_sha256.h"
#include "orbit_text.h"
#include "orbit_time.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

/* Pacing granularity: half a frame, so no MOH frame is more than 10 ms
 * late. Housekeeping (expiry, media timeouts) once a second. */
#define MEDIA_TICK_MS 10
#define HOUSE_TICK_MS 1000
#define ALLOW_HDR     "Allow: INVITE, ACK, CANCEL, BYE, REFER, NOTIFY, MESSAGE, OPTIONS, REGISTER\r\n"

static pthread_once_t libre_once = PTHREAD_ONCE_INIT;
static int libre_status;

static void libre_global_init(void)
{
    libre_status = libre_init();
}

void sip_edge_config_defaults(sip_edge_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->bind_ip = "127.0.0.1";
    cfg->media_ports = (media_port_range){40000, 40999};
    cfg->media_timeout_ms = 60000;
    cfg->max_dialogs = 1000;
    cfg->max_new_per_second = 50;
    /* libre reads at most 8192 bytes of a datagram and drops a longer
     * one unanswered: below that, an oversized request gets its 513
     * over UDP as well as over TCP. */
    cfg->max_message_bytes = 8000;
    cfg->max_register_expires = 3600;
}

bool sip_edge_addr_uri(const struct uri *u, char *out, size_t cap)
{
    if (!pl_isset(&u->user) || !pl_isset(&u->host))
        return false;
    int n = re_snprintf(out, cap, "sip:%r@%r", &u->user, &u->host);
    if (n < 0 || (size_t)n >= cap - 1)
        return false;
    for (char *p = strchr(out, '@'); p && *p; p++)
        *p = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
    return true;
}

void sip_edge_warning(const sip_edge *edge, const char *why, char *out, size_t cap)
{
    /* RFC 3261 20.43: code 399 (miscellaneous), the agent, quoted text. */
    char text[300];
    size_t n = 0;
    for (const char *p = why; *p && n < sizeof text - 1; p++)
        text[n++] = (*p == '"' || *p == '\\' || *p == '\r' || *p == '\n') ? '\'' : *p;
    text[n] = '\0';
    snprintf(out, cap, "Warning: 399 %s \"%s\"\r\n",
             edge->dir ? sip_directory_self(edge->dir) : "orbit", text);
}

void sip_edge_refuse(sip_edge *edge, const struct sip_msg *msg, uint16_t scode, const char *reason,
                     const char *why)
{
    char warning[SIP_WARNING_MAX];
    sip_edge_warning(edge, why, warning, sizeof warning);
    (void)sip_replyf(edge->sip, msg, scode, reason, "%sContent-Length: 0\r\n\r\n", warning);
}

/* The HA1 to check a response against, from the directory. */
static const char *user_ha1(const sip_dir_user *user, sip_digest_alg alg)
{
    return alg == SIP_DIGEST_SHA256 ? user->ha1_sha256 : user->ha1_md5;
}

bool sip_digest_offer_from_name(const char *name, sip_digest_offer *out)
{
    static const char *const names[] = {"sha256,md5", "md5,sha256", "md5", "sha256"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (name && strcmp(name, names[i]) == 0) {
            *out = (sip_digest_offer)i;
            return true;
        }
    return false;
}

static void challenge(sip_edge *edge, const struct sip_msg *msg, const char *realm, bool stale)
{
    static const sip_digest_alg orders[][2] = {
        [SIP_DIGEST_OFFER_SHA256_MD5] = {SIP_DIGEST_SHA256, SIP_DIGEST_MD5},
        [SIP_DIGEST_OFFER_MD5_SHA256] = {SIP_DIGEST_MD5, SIP_DIGEST_SHA256},
        [SIP_DIGEST_OFFER_MD5] = {SIP_DIGEST_MD5, SIP_DIGEST_MD5},
        [SIP_DIGEST_OFFER_SHA256] = {SIP_DIGEST_SHA256, SIP_DIGEST_SHA256},
    };
    const sip_digest_alg *order = orders[edge->cfg.digest_offer];
    bool two = order[0] != order[1];
    char first[512], second[512] = "";
    int64_t now = orbit_time_now_ms();
    if (!sip_digest_challenge(&edge->keys, order[0], realm, now, stale, first, sizeof first) ||
        (two &&
         !sip_digest_challenge(&edge->keys, order[1], realm, now, stale, second, sizeof second))) {
        (void)sip_reply(edge->sip, msg, 500, "Server Internal Error");
        return;
    }
    atomic_fetch_add(&edge->ctr.auth_challenges, 1);
    (void)sip_replyf(edge->sip, msg, 401, "Unauthorized",
                     "WWW-Authenticate: %s\r\n%s%s%sContent-Length: 0\r\n\r\n", first,
                     two ? "WWW-Authenticate: " : "", second, two ? "\r\n" : "");
}

bool sip_edge_authorised(sip_edge *edge, const struct sip_msg *msg, const char *aor)
{
    if (!edge->cfg.digest)
        return true;
    const char *at = strchr(aor, '@');
    const char *realm = at ? at + 1 : aor;
    const struct sip_hdr *hdr = sip_msg_hdr(msg, SIP_HDR_AUTHORIZATION);
    if (!hdr)
        hdr = sip_msg_hdr(msg, SIP_HDR_PROXY_AUTHORIZATION);
    if (!hdr) {
        challenge(edge, msg, realm, false);
        return false;
    }
    sip_digest_credentials cred;
    orbit_status st;
    if (sip_digest_parse(hdr->val.p, hdr->val.l, &cred, &st) != ORBIT_OK) {
        atomic_fetch_add(&edge->ctr.auth_failures, 1);
        challenge(edge, msg, realm, false);
        return false;
    }
    /* The digest names the user: it must be the one who asks, in its realm. */
    char claimed[2 * SIP_DIGEST_FIELD_MAX + 8];
    snprintf(claimed, sizeof claimed, "sip:%s@%s", cred.username, cred.realm);
    const sip_dir_user *user = sip_directory_user(edge->dir, claimed);
    char method[16];
    (void)pl_strcpy(&msg->met, method, sizeof method);
    sip_digest_verdict v = SIP_DIGEST_WRONG;
    if (user && strcmp(cred.realm, realm) == 0 && strcmp(user->uri, aor) == 0)
        v = sip_digest_check(&edge->keys, &cred, method, user_ha1(user, cred.alg),
                             orbit_time_now_ms());
    if (v == SIP_DIGEST_VALID)
        return true;
    if (v == SIP_DIGEST_STALE) {
        challenge(edge, msg, realm, true);
        return false;
    }
    atomic_fetch_add(&edge->ctr.auth_failures, 1);
    ORBIT_LOG_I(edge->log, "sip: digest refused for %s", claimed);
    (void)sip_reply(edge->sip, msg, 403, "Forbidden");
    return false;
}

void sip_edge_call_id(const struct pl *sip_call_id, char *out, size_t cap)
{
    char raw[SIP_CALL_ID_MAX];
    bool fits = sip_call_id->l < sizeof raw && pl_strcpy(sip_call_id, raw, sizeof raw) == 0 &&
                orbit_call_id_check(raw) == NULL;
    if (fits) {
        snprintf(out, cap, "%s", raw);
        return;
    }
    char hex[ORBIT_SHA256_HEX_BUF] = "";
    if (!orbit_sha256_buffer(sip_call_id->p, sip_call_id->l, hex))
        snprintf(hex, sizeof hex, "%016llx", (unsigned long long)sip_call_id->l);
    snprintf(out, cap, "sip-%.40s", hex);
}

bool sip_edge_submit(sip_edge *edge, uint64_t leg_id, const char *addr, sip_op op, json_t *args)
{
    static const char *const names[] = {
        [SIP_OP_PARK] = "call.park",
        [SIP_OP_RETRIEVE] = "call.retrieve",
        [SIP_OP_RINGBACK_ANSWER] = "call.ringback_answer",
        [SIP_OP_HANGUP] = "call.hangup",
        [SIP_OP_PICKUP_RING] = "pickup.ring",
        [SIP_OP_PICKUP_TAKE] = "pickup.take",
        [SIP_OP_PICKUP_ANSWER] = "pickup.answer",
        [SIP_OP_PICKUP_CANCEL] = "pickup.cancel",
    };
    sip_port_call *call =
        args ? sip_port_call_new(edge->inbox, leg_id, (int)op,
                                 json_string_value(json_object_get(args, "call_id")), addr)
             : NULL;
    if (!call) {
        json_decref(args);
        atomic_fetch_add(&edge->ctr.port_errors, 1);
        return false;
    }
    edge->port.type->submit(edge->port.ctx, names[op], args, call);
    return true;
}

/* A MESSAGE in flight, kept on edge->messages until its final answer
 * (or the edge stops), so the request is freed exactly once. */
typedef struct {
    struct le le;
    sip_edge *edge;
    struct sip_request *req;
} edge_message;

static void message_destroy(void *arg)
{
    edge_message *m = arg;
    list_unlink(&m->le);
    mem_deref(m->req);
}

static void message_response(int err, const struct sip_msg *msg, void *arg)
{
    edge_message *m = arg;
    if (!err && msg && msg->scode < 200)
        return;
    if (err || (msg && msg->scode >= 300))
        ORBIT_LOG_I(m->edge->log, "sip: MESSAGE not delivered (%d, %u)", err, msg ? msg->scode : 0);
    mem_deref(m);
}

void sip_edge_send_message(sip_edge *edge, const char *contact, const char *to_uri,
                           const char *text)
{
    struct sip_dialog *dlg = NULL;
    char from[160];
    snprintf(from, sizeof from, "sip:park@%s", edge->local_uri_host);
    edge_message *m = mem_zalloc(sizeof *m, message_destroy);
    if (!m)
        return;
    m->edge = edge;
    if (sip_dialog_alloc(&dlg, contact, to_uri, "Call Park", from, NULL, 0) != 0 ||
        sip_drequestf(&m->req, edge->sip, true, "MESSAGE", dlg, 0, NULL, NULL, message_response, m,
                      "Content-Type: text/plain\r\nContent-Length: %zu\r\n\r\n%s", strlen(text),
                      text) != 0) {
        mem_deref(dlg);
        mem_deref(m);
        return;
    }
    mem_deref(dlg);
    list_append(&edge->messages, &m->le, m);
}

static void source_destroy(void *arg)
{
    sip_source *s = arg;
    list_unlink(&s->le);
}

/* New requests per source address and second: floods are shed before
 * any parsing beyond libre's own. In-dialog requests are never limited. */
static bool over_rate(sip_edge *edge, const struct sa *src, int64_t now)
{
    sip_source *hit = NULL;
    struct le *le = list_head(&edge->sources);
    while (le) {
        sip_source *s = le->data;
        le = le->next;
        if (now - s->window_ms >= 1000 && s != hit) {
            if (sa_cmp(&s->addr, src, SA_ADDR)) {
                s->window_ms = now;
                s->count = 0;
                hit = s;
            } else {
                mem_deref(s); /* idle sources are forgotten */
            }
        } else if (sa_cmp(&s->addr, src, SA_ADDR)) {
            hit = s;
        }
    }
    if (!hit) {
        hit = mem_zalloc(sizeof *hit, source_destroy);
        if (!hit)
            return true;
        hit->addr = *src;
        hit->window_ms = now;
        list_append(&edge->sources, &hit->le, hit);
    }
    return ++hit->count > edge->cfg.max_new_per_second;
}

static bool guard_handler(const struct sip_msg *msg, void *arg)
{
    sip_edge *edge = arg;
    if (msg->mb->end > edge->cfg.max_message_bytes) {
        atomic_fetch_add(&edge->ctr.malformed, 1);
        (void)sip_reply(edge->sip, msg, 513, "Message Too Large");
        return true;
    }
    if (!pl_isset(&msg->callid) || !pl_isset(&msg->from.auri) || !pl_isset(&msg->to.auri)) {
        atomic_fetch_add(&edge->ctr.malformed, 1);
        (void)sip_reply(edge->sip, msg, 400, "Bad Request");
        return true;
    }
    bool in_dialog = pl_isset(&msg->to.tag);
    bool is_new =
        !in_dialog && (!pl_strcmp(&msg->met, "INVITE") || !pl_strcmp(&msg->met, "REGISTER") ||
                       !pl_strcmp(&msg->met, "MESSAGE") || !pl_strcmp(&msg->met, "OPTIONS"));
    if (is_new && over_rate(edge, &msg->src, orbit_time_mono_ms())) {
        atomic_fetch_add(&edge->ctr.flood_dropped, 1);
        return true; /* dropped: answering a flood would feed it */
    }
    if (!edge->dir && pl_strcmp(&msg->met, "ACK") != 0) {
        sip_edge_refuse(edge, msg, 503, "Service Unavailable",
                        "pool_unreachable: the pool has not loaded its directory yet");
        return true;
    }
    if (!pl_strcmp(&msg->met, "INVITE") && !in_dialog &&
        list_count(&edge->legs) >= edge->cfg.max_dialogs) {
        atomic_fetch_add(&edge->ctr.flood_dropped, 1);
        (void)sip_replyf(edge->sip, msg, 503, "Service Unavailable",
                         "Retry-After: 5\r\nWarning: 399 %s \"rate_limited: too many calls\"\r\n"
                         "Content-Length: 0\r\n\r\n",
                         sip_directory_self(edge->dir));
        return true;
    }
    return false;
}

/* Out-of-dialog requests the session layer did not take. */
static bool request_handler(const struct sip_msg *msg, void *arg)
{
    sip_edge *edge = arg;
    if (!pl_strcmp(&msg->met, "REGISTER")) {
        sip_registrar_handle(edge, msg);
    } else if (!pl_strcmp(&msg->met, "OPTIONS")) {
        (void)sip_replyf(edge->sip, msg, 200, "OK",
                         ALLOW_HDR
                         "Accept: application/sdp, text/plain\r\nContent-Length: 0\r\n\r\n");
    } else if (!pl_strcmp(&msg->met, "NOTIFY")) {
        /* Progress of a REFER we sent (RFC 3515): nothing to do with it. */
        (void)sip_reply(edge->sip, msg, 200, "OK");
    } else if (!pl_strcmp(&msg->met, "MESSAGE")) {
        (void)sip_reply(edge->sip, msg, 202, "Accepted");
    } else if (!pl_strcmp(&msg->met, "ACK")) {
        /* A stray ACK has no answer. */
    } else if (pl_isset(&msg->to.tag)) {
        (void)sip_reply(edge->sip, msg, 481, "Call/Transaction Does Not Exist");
    } else {
        (void)sip_replyf(edge->sip, msg, 405, "Method Not Allowed",
                         ALLOW_HDR "Content-Length: 0\r\n\r\n");
    }
    return true;
}

static void conn_handler(const struct sip_msg *msg, void *arg)
{
    sip_calls_on_invite(arg, msg);
}

static void take_directory(sip_edge *edge, sip_directory *dir)
{
    sip_directory *old = edge->dir;
    edge->dir = dir;
    sip_directory_unref(old);
    /* Users who moved away keep no binding here: a phone that re-registers
     * is sent to its new pool with a 301. */
    struct le *le = list_head(&edge->bindings);
    while (le) {
        sip_binding *b = le->data;
        le = le->next;
        const sip_dir_user *u = sip_directory_user(dir, b->aor);
        if (!u || strcmp(u->serving, sip_directory_self(dir)) != 0)
            mem_deref(b);
    }
    atomic_store(&edge->ctr.registrations, list_count(&edge->bindings));
    atomic_fetch_add(&edge->ctr.directories, 1);
}

static void inbox_readable(int flags, void *arg)
{
    (void)flags;
    sip_edge *edge = arg;
    sip_inbox_item *item = sip_inbox_take(edge->inbox);
    while (item) {
        sip_inbox_item *next = item->next;
        switch (item->kind) {
        case SIP_INBOX_DIRECTORY:
            take_directory(edge, item->dir);
            item->dir = NULL;
            break;
        case SIP_INBOX_EVENT:
            if (edge->dir)
                sip_calls_on_event(edge, item->event_kind, item->data);
            break;
        case SIP_INBOX_COMPLETION:
            sip_calls_on_completion(edge, item->leg_id, item->op, item->call_id, item->data);
            break;
        }
        sip_inbox_item_free(item);
        item = next;
    }
}

static void media_tick(void *arg)
{
    sip_edge *edge = arg;
    sip_legs_tick_media(edge, orbit_time_mono_ms());
    tmr_start(&edge->media_tmr, MEDIA_TICK_MS, media_tick, edge);
}

static void house_tick(void *arg)
{
    sip_edge *edge = arg;
    int64_t now = orbit_time_mono_ms();
    sip_registrar_expire(edge, now);
    sip_legs_check_timeouts(edge, now);
    tmr_start(&edge->house_tmr, HOUSE_TICK_MS, house_tick, edge);
}

/* The last transactions (BYE, CANCEL) get this long to finish; whether
 * sessions still wait for their peers is looked at this often. */
#define STOP_GRACE_MS 1500
#define STOP_POLL_MS  20

static void sip_closed(void *arg)
{
    (void)arg;
    re_cancel();
}

/* libre keeps an ended session alive while its peer owes it an answer (a
 * 487 after our CANCEL, the ACK of our 200): each holds the session
 * socket. Once none does, the stack may close as its transactions end. */
static void stop_poll(void *arg)
{
    sip_edge *edge = arg;
    if (mem_nrefs(edge->sess_sock) > 1) {
        tmr_start(&edge->house_tmr, STOP_POLL_MS, stop_poll, edge);
        return;
    }
    edge->sess_sock = mem_deref(edge->sess_sock);
    sip_close(edge->sip, false); /* calls sip_closed when nothing is pending */
}

/* The grace is over: sessions whose peers never answered are closed
 * anyway (a peer must not keep the process, or its memory, past stop). */
static void stop_overdue(void *arg)
{
    sip_edge *edge = arg;
    tmr_cancel(&edge->house_tmr);
    if (edge->sess_sock) {
        sipsess_close_all(edge->sess_sock);
        edge->sess_sock = mem_deref(edge->sess_sock);
        sip_close(edge->sip, false);
    }
    sip_close(edge->sip, true);
    re_cancel();
}

/* Stopping happens inside the loop, so that the BYEs and CANCELs it
 * sends can complete their transactions before the loop ends. */
static void stop_handler(int id, void *data, void *arg)
{
    (void)id;
    (void)data;
    sip_edge *edge = arg;
    edge->port.type->detach(edge->port.ctx);
    tmr_cancel(&edge->media_tmr);
    tmr_cancel(&edge->house_tmr);
    fd_close(sip_inbox_fd(edge->inbox));
    sip_inbox_close(edge->inbox);
    sip_legs_end_all(edge);
    sip_registrar_clear(edge);
    list_flush(&edge->sources);
    list_flush(&edge->messages);
    edge->request_lsnr = mem_deref(edge->request_lsnr);
    edge->guard_lsnr = mem_deref(edge->guard_lsnr);
    tmr_start(&edge->media_tmr, STOP_GRACE_MS, stop_overdue, edge);
    stop_poll(edge);
}

static int setup_stack(sip_edge *edge, struct mqueue **stopq)
{
    struct sa ns, laddr;
    int rc = sa_set_str(&ns, "127.0.0.1", 53);
    /* Only numeric URIs are dialled in tests and demos; a resolver is
     * still required by libre and answers names in deployments. */
    if (!rc)
        rc = dnsc_alloc(&edge->dnsc, NULL, &ns, 1);
    if (!rc)
        rc = sip_alloc(&edge->sip, edge->dnsc, 32, 32, 32, "orbitd/" ORBIT_VERSION, sip_closed,
                       edge);
    if (!rc)
        rc = sa_set_str(&laddr, edge->bind_ip, edge->cfg.sip_port);
    if (!rc)
        rc = sip_transp_add(edge->sip, SIP_TRANSP_UDP, &laddr);
    if (!rc) {
        struct sa bound;
        rc = sip_transp_laddr(edge->sip, &bound, SIP_TRANSP_UDP, NULL);
        if (!rc) {
            edge->bound_port = sa_port(&bound);
            sa_set_port(&laddr, edge->bound_port);
            rc = sip_transp_add(edge->sip, SIP_TRANSP_TCP, &laddr);
        }
    }
    if (!rc)
        rc = sip_listen(&edge->guard_lsnr, edge->sip, true, guard_handler, edge);
    if (!rc)
        rc = sipsess_listen(&edge->sess_sock, edge->sip, 32, conn_handler, edge);
    if (!rc)
        rc = sip_listen(&edge->request_lsnr, edge->sip, true, request_handler, edge);
    if (!rc)
        rc = fd_listen(sip_inbox_fd(edge->inbox), FD_READ, inbox_readable, edge);
    if (!rc)
        rc = mqueue_alloc(stopq, stop_handler, edge);
    if (!rc) {
        if (strchr(edge->bind_ip, ':'))
            snprintf(edge->local_uri_host, sizeof edge->local_uri_host, "[%s]:%u", edge->bind_ip,
                     edge->bound_port);
        else
            snprintf(edge->local_uri_host, sizeof edge->local_uri_host, "%s:%u", edge->bind_ip,
                     edge->bound_port);
        tmr_start(&edge->media_tmr, MEDIA_TICK_MS, media_tick, edge);
        tmr_start(&edge->house_tmr, HOUSE_TICK_MS, house_tick, edge);
    }
    return rc;
}

static void *edge_thread(void *arg)
{
    sip_edge *edge = arg;
    struct mqueue *stopq = NULL;
    int rc = re_thread_init();
    if (!rc)
        rc = setup_stack(edge, &stopq);
    if (rc) {
        /* Undo what setup_stack got done. */
        tmr_cancel(&edge->media_tmr);
        tmr_cancel(&edge->house_tmr);
        fd_close(sip_inbox_fd(edge->inbox));
        edge->request_lsnr = mem_deref(edge->request_lsnr);
        edge->sess_sock = mem_deref(edge->sess_sock);
        edge->guard_lsnr = mem_deref(edge->guard_lsnr);
        if (edge->sip)
            sip_close(edge->sip, true);
        orbit_status_set(&edge->start_status, ORBIT_ERR_INTERNAL, "sip",
                         "cannot listen for SIP on %s:%u: %s", edge->bind_ip, edge->cfg.sip_port,
                         strerror(rc));
    }
    /* Tell the starter; it reads the stop queue's address too. */
    ssize_t w = write(edge->ready_pipe[1], &stopq, sizeof stopq);
    if (w == (ssize_t)sizeof stopq && !rc) {
        edge->port.type->attach(edge->port.ctx, edge->inbox);
        (void)re_main(NULL);
        tmr_cancel(&edge->media_tmr);
    }
    sip_inbox_close(edge->inbox);
    mem_deref(stopq);
    edge->sip = mem_deref(edge->sip);
    edge->dnsc = mem_deref(edge->dnsc);
    sip_directory_unref(edge->dir);
    edge->dir = NULL;
    re_thread_close();
    return NULL;
}

orbit_err sip_edge_start(const sip_edge_config *cfg, sip_port port, const orbit_log *log,
                         sip_edge **out, orbit_status *st)
{
    *out = NULL;
    if (!port.type || !port.type->submit || !port.type->attach || !port.type->detach)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "port", "incomplete port table");
    pthread_once(&libre_once, libre_global_init);
    if (libre_status)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "sip", "libre_init: %s",
                                strerror(libre_status));
    sip_edge *edge = calloc(1, sizeof *edge);
    if (!edge)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "sip", "out of memory");
    edge->cfg = *cfg;
    snprintf(edge->bind_ip, sizeof edge->bind_ip, "%s", cfg->bind_ip ? cfg->bind_ip : "127.0.0.1");
    snprintf(edge->media_ip, sizeof edge->media_ip, "%s",
             cfg->media_ip ? cfg->media_ip : edge->bind_ip);
    edge->cfg.bind_ip = edge->bind_ip;
    edge->cfg.media_ip = edge->media_ip;
    edge->port = port;
    edge->log = log;
    edge->ready_pipe[0] = edge->ready_pipe[1] = -1;
    orbit_rng_seed_os(&edge->rng);
    if (getrandom(edge->keys.secret, sizeof edge->keys.secret, 0) !=
        (ssize_t)sizeof edge->keys.secret) {
        for (size_t i = 0; i < sizeof edge->keys.secret; i++)
            edge->keys.secret[i] = (uint8_t)orbit_rng_next(&edge->rng);
    }
    edge->inbox = sip_inbox_new();
    if (!edge->inbox || pipe2(edge->ready_pipe, O_CLOEXEC) != 0) {
        sip_inbox_unref(edge->inbox);
        free(edge);
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "sip", "cannot create the inbox");
    }
    if (pthread_create(&edge->thread, NULL, edge_thread, edge) != 0) {
        close(edge->ready_pipe[0]);
        close(edge->ready_pipe[1]);
        sip_inbox_unref(edge->inbox);
        free(edge);
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "sip", "cannot start the SIP thread");
    }
    edge->thread_started = true;
    struct mqueue *stopq = NULL;
    ssize_t got = read(edge->ready_pipe[0], &stopq, sizeof stopq);
    if (got != (ssize_t)sizeof stopq || edge->start_status.code != ORBIT_OK) {
        if (st && edge->start_status.code != ORBIT_OK)
            *st = edge->start_status;
        orbit_err code = edge->start_status.code ? edge->start_status.code : ORBIT_ERR_INTERNAL;
        pthread_join(edge->thread, NULL);
        close(edge->ready_pipe[0]);
        close(edge->ready_pipe[1]);
        sip_inbox_unref(edge->inbox);
        free(edge);
        return code;
    }
    edge->stopq = stopq;
    *out = edge;
    return ORBIT_OK;
}

void sip_edge_stop(sip_edge *edge)
{
    if (!edge)
        return;
    (void)mqueue_push(edge->stopq, 0, NULL);
    pthread_join(edge->thread, NULL);
    close(edge->ready_pipe[0]);
    close(edge->ready_pipe[1]);
    sip_inbox_unref(edge->inbox);
    free(edge);
}

uint16_t sip_edge_port(const sip_edge *edge)
{
    return edge->bound_port;
}

void sip_edge_read_counters(const sip_edge *edge, sip_edge_counters *out)
{
    sip_edge *e = (sip_edge *)edge; /* atomics are read, never written */
    memset(out, 0, sizeof *out);
    out->directories = atomic_load(&e->ctr.directories);
    out->registrations = atomic_load(&e->ctr.registrations);
    out->register_ok = atomic_load(&e->ctr.register_ok);
    out->register_moved = atomic_load(&e->ctr.register_moved);
    out->register_unknown = atomic_load(&e->ctr.register_unknown);
    out->auth_challenges = atomic_load(&e->ctr.auth_challenges);
    out->auth_failures = atomic_load(&e->ctr.auth_failures);
    out->dialogs_early = atomic_load(&e->ctr.dialogs_early);
    out->dialogs_confirmed = atomic_load(&e->ctr.dialogs_confirmed);
    out->dialogs_total = atomic_load(&e->ctr.dialogs_total);
    out->parks = atomic_load(&e->ctr.parks);
    out->retrieves = atomic_load(&e->ctr.retrieves);
    out->ringbacks = atomic_load(&e->ctr.ringbacks);
    out->forwards = atomic_load(&e->ctr.forwards);
    out->pickups = atomic_load(&e->ctr.pickups);
    out->refused = atomic_load(&e->ctr.refused);
    out->malformed = atomic_load(&e->ctr.malformed);
    out->flood_dropped = atomic_load(&e->ctr.flood_dropped);
    out->foreign_register = atomic_load(&e->ctr.foreign_register);
    out->port_errors = atomic_load(&e->ctr.port_errors);
    out->rtp_in = atomic_load(&e->media.packets_in);
    out->rtp_out = atomic_load(&e->media.packets_out);
    out->rtp_errors = atomic_load(&e->media.rx_malformed) + atomic_load(&e->media.tx_errors);
    out->rtp_foreign = atomic_load(&e->media.rx_foreign);
    out->media_timeouts = atomic_load(&e->media.timeouts);
}
