/* sip_legs: the edge's call legs: one SIP dialog (libre's sipsess) and
 * its RTP stream each, created, found, answered, bridged and ended here.
 * What a leg is for (park, retrieve, pickup...) is sip_calls.c's
 * business; this file only keeps legs consistent with the wire: an
 * ended leg is refused, cancelled or hung up, its bridge undone, and the
 * engine told when a call it holds lost its leg. */
#include "sip_edge_internal.h"

#include "orbit_time.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- legs */

static void leg_destroy(void *arg)
{
    sip_leg *leg = arg;
    list_unlink(&leg->le);
    if (leg->stream.media && leg->media_listening)
        fd_close(media_session_fd(leg->stream.media));
    sip_sdp_close(&leg->stream);
    mem_deref(leg->refer);
    mem_deref(leg->sess);
    mem_deref((void *)leg->invite);
    mem_deref(leg->answer);
}

sip_leg *sip_leg_new(sip_edge *edge, sip_leg_role role, const char *call_id)
{
    sip_leg *leg = mem_zalloc(sizeof *leg, leg_destroy);
    if (!leg)
        return NULL;
    leg->edge = edge;
    leg->role = role;
    leg->id = ++edge->next_leg_id;
    leg->state = LEG_WAITING;
    snprintf(leg->call_id, sizeof leg->call_id, "%s", call_id);
    list_append(&edge->legs, &leg->le, leg);
    atomic_fetch_add(&edge->ctr.dialogs_total, 1);
    return leg;
}

sip_leg *sip_leg_find(sip_edge *edge, uint64_t id)
{
    for (struct le *le = list_head(&edge->legs); le && id; le = le->next)
        if (((sip_leg *)le->data)->id == id)
            return le->data;
    return NULL;
}

sip_leg *sip_leg_find_call(sip_edge *edge, const char *call_id, sip_leg_role role)
{
    for (struct le *le = list_head(&edge->legs); le; le = le->next) {
        sip_leg *leg = le->data;
        if (leg->role == role && !leg->ended && strcmp(leg->call_id, call_id) == 0)
            return leg;
    }
    return NULL;
}

void sip_legs_count(sip_edge *edge)
{
    uint64_t early = 0, up = 0;
    for (struct le *le = list_head(&edge->legs); le; le = le->next) {
        const sip_leg *leg = le->data;
        if (leg->ended)
            continue;
        if (leg->state == LEG_UP)
            up++;
        else
            early++;
    }
    atomic_store(&edge->ctr.dialogs_early, early);
    atomic_store(&edge->ctr.dialogs_confirmed, up);
}

orbit_err sip_leg_open_stream(sip_leg *leg, orbit_status *st)
{
    sip_edge *edge = leg->edge;
    return sip_sdp_open(&leg->stream, edge->media_ip, edge->cfg.media_ports,
                        orbit_rng_next(&edge->rng), &edge->media, st);
}

static void media_readable(int flags, void *arg)
{
    (void)flags;
    sip_leg *leg = arg;
    media_session_on_readable(leg->stream.media, orbit_time_mono_ms());
}

/* Once the far end's address is known: watch the socket. */
void sip_leg_media_start(sip_leg *leg)
{
    if (leg->stream.media && !leg->media_listening &&
        fd_listen(media_session_fd(leg->stream.media), FD_READ, media_readable, leg) == 0)
        leg->media_listening = true;
}

void sip_leg_bridge(sip_leg *a, sip_leg *b)
{
    a->peer = b->id;
    b->peer = a->id;
    a->bridged = b->bridged = true;
    a->moh = b->moh = false;
    media_session_play(a->stream.media, NULL, 0);
    media_session_play(b->stream.media, NULL, 0);
    media_session_bridge(a->stream.media, b->stream.media);
}

/* Tells the engine that a call it holds lost its SIP leg. */
static void leg_release_engine(sip_leg *leg)
{
    sip_edge *edge = leg->edge;
    if (leg->parked) {
        leg->parked = false;
        (void)sip_edge_submit(edge, 0, leg->addr, SIP_OP_HANGUP,
                              json_pack("{s:s}", "call_id", leg->call_id));
    }
    if (leg->in_queue) {
        leg->in_queue = false;
        (void)sip_edge_submit(edge, 0, leg->addr, SIP_OP_PICKUP_CANCEL,
                              json_pack("{s:s}", "call_id", leg->call_id));
    }
}

void sip_leg_end_forks(sip_edge *edge, const sip_leg *caller, uint64_t except)
{
    struct le *le = list_head(&edge->legs);
    while (le) {
        sip_leg *leg = le->data;
        le = le->next;
        if (leg->role == LEG_FORK && leg->peer == caller->id && leg->id != except && !leg->ended)
            sip_leg_end(leg, 0, NULL, NULL);
    }
}

/* Ends a leg: an incoming INVITE not yet answered is refused with scode
 * (and a Warning when why is given), an outgoing one is cancelled, an
 * established one gets BYE. A bridged peer goes down with it. */
bool sip_leg_has_forks(sip_edge *edge, const sip_leg *caller)
{
    for (struct le *le = list_head(&edge->legs); le; le = le->next) {
        const sip_leg *leg = le->data;
        if (leg->role == LEG_FORK && leg->peer == caller->id && !leg->ended)
            return true;
    }
    return false;
}

/* sip_leg_end's work; headers go with a refusal of an unanswered INVITE. */
static void leg_end(sip_leg *leg, uint16_t scode, const char *reason, const char *headers)
{
    if (leg->ended)
        return;
    leg->ended = true;
    sip_edge *edge = leg->edge;
    leg_release_engine(leg);
    if (leg->sess && leg->invite && leg->state != LEG_UP)
        (void)sipsess_reject(leg->sess, scode ? scode : 480,
                             reason ? reason : "Temporarily Unavailable", "%s", headers);
    if (leg->role == LEG_CALLER)
        sip_leg_end_forks(edge, leg, 0);
    sip_leg *peer = leg->bridged ? sip_leg_find(edge, leg->peer) : NULL;
    if (leg->stream.media)
        media_session_unbridge(leg->stream.media);
    mem_deref(leg);
    if (peer)
        sip_leg_end(peer, 0, NULL, NULL);
    sip_legs_count(edge);
}

void sip_leg_end(sip_leg *leg, uint16_t scode, const char *reason, const char *why)
{
    char warning[SIP_WARNING_MAX] = "";
    if (why)
        sip_edge_warning(leg->edge, why, warning, sizeof warning);
    leg_end(leg, scode, reason, warning);
}

void sip_leg_redirect(sip_leg *leg, uint16_t scode, const char *contact)
{
    char header[SIP_URI_MAX + 16];
    snprintf(header, sizeof header, "Contact: <%s>\r\n", contact);
    leg_end(leg, scode, scode == 301 ? "Moved Permanently" : "Moved Temporarily", header);
}

static int leg_offer(struct mbuf **descp, const struct sip_msg *msg, void *arg)
{
    sip_leg *leg = arg;
    orbit_status st;
    /* A re-INVITE: same stream, maybe a new address or codec. */
    return sip_sdp_answer(&leg->stream, msg, descp, &st) ? EPROTO : 0;
}

static int leg_answer(const struct sip_msg *msg, void *arg)
{
    sip_leg *leg = arg;
    orbit_status st;
    int rc = sip_sdp_apply_answer(&leg->stream, msg, &st) ? EPROTO : 0;
    if (!rc)
        sip_leg_media_start(leg);
    return rc;
}

static void leg_progress(const struct sip_msg *msg, void *arg)
{
    (void)msg;
    sip_leg *leg = arg;
    leg->state = LEG_EARLY;
}

/* Accepts an incoming INVITE provisionally, keeping it for the answer. */
bool sip_leg_accept(sip_leg *leg, const struct sip_msg *msg, uint16_t scode, const char *reason)
{
    sip_edge *edge = leg->edge;
    int rc =
        sipsess_accept(&leg->sess, edge->sess_sock, msg, scode, reason, "orbit", "application/sdp",
                       NULL, NULL, NULL, false, leg_offer, NULL, sip_calls_leg_established, NULL,
                       sip_calls_leg_refer, sip_calls_leg_closed, leg, "");
    if (rc) {
        ORBIT_LOG_W(edge->log, "sip: cannot accept INVITE: %s", strerror(rc));
        return false;
    }
    leg->invite = mem_ref((void *)msg);
    leg->state = LEG_EARLY;
    return true;
}

bool sip_leg_answer_200(sip_leg *leg)
{
    if (!leg->sess || !leg->answer)
        return false;
    int rc = sipsess_answer(leg->sess, 200, "OK", leg->answer, "");
    leg->answer = mem_deref(leg->answer);
    leg->invite = mem_deref((void *)leg->invite);
    if (rc)
        return false;
    leg->state = LEG_UP;
    sip_leg_media_start(leg);
    sip_legs_count(leg->edge);
    return true;
}

/* Sends an INVITE with our offer from a freshly prepared leg. */
bool sip_leg_connect(sip_leg *leg, const char *target, const char *from_name, const char *from_uri)
{
    sip_edge *edge = leg->edge;
    orbit_status st;
    struct mbuf *offer = NULL;
    if (sip_leg_open_stream(leg, &st) != ORBIT_OK ||
        sip_sdp_offer(&leg->stream, &offer, &st) != ORBIT_OK)
        return false;
    int rc = sipsess_connect(&leg->sess, edge->sess_sock, target, from_name, from_uri, "orbit",
                             NULL, 0, "application/sdp", offer, NULL, NULL, false, leg_offer,
                             leg_answer, leg_progress, sip_calls_leg_established, NULL,
                             sip_calls_leg_refer, sip_calls_leg_closed, leg, "");
    mem_deref(offer);
    /* The phone's address as far as the URI tells it: its host and port. */
    const char *at = strchr(target, '@');
    const char *host = at ? at + 1 : (strncmp(target, "sip:", 4) == 0 ? target + 4 : target);
    snprintf(leg->addr, sizeof leg->addr, "%.*s", (int)strcspn(host, ";>?"), host);
    return rc == 0;
}

/* -------------------------------------------------------------- media */

void sip_legs_tick_media(sip_edge *edge, int64_t now_ms)
{
    for (struct le *le = list_head(&edge->legs); le; le = le->next) {
        sip_leg *leg = le->data;
        if (leg->stream.media && leg->state == LEG_UP && !leg->ended)
            media_session_tick(leg->stream.media, now_ms);
    }
}

void sip_legs_check_timeouts(sip_edge *edge, int64_t now_ms)
{
    if (edge->cfg.media_timeout_ms <= 0)
        return;
    struct le *le = list_head(&edge->legs);
    while (le) {
        sip_leg *leg = le->data;
        le = le->next;
        if (leg->ended || leg->state != LEG_UP || !leg->stream.media)
            continue;
        if (media_session_silent_for(leg->stream.media, now_ms, edge->cfg.media_timeout_ms)) {
            media_session_count_timeout(leg->stream.media);
            ORBIT_LOG_I(edge->log, "sip: call %s silent for %lld ms: ended", leg->call_id,
                        (long long)edge->cfg.media_timeout_ms);
            sip_leg_end(leg, 0, NULL, NULL);
            le = list_head(&edge->legs); /* ending may have removed the next leg */
        }
    }
}

void sip_legs_end_all(sip_edge *edge)
{
    struct le *le;
    while ((le = list_head(&edge->legs))) {
        sip_leg *leg = le->data;
        leg->parked = leg->in_queue = false; /* stopping: the pool is told by detach */
        sip_leg_end(leg, 503, "Service Unavailable", NULL);
    }
}
