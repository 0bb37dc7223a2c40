/* sip_calls: the flows that join the edge's legs (sip_legs.c): park
 * (INVITE sip:park@POOL, or REFER to it), retrieve (sip:ORBIT@POOL),
 * ring-back and forwarding on the engine's events, and Group Call Pickup
 * (a call to a user forks to their contacts; sip:GROUP@POOL takes the
 * oldest). The engine decides; a leg only asks (sip_edge_submit) and
 * obeys its answers and events. Legs refer to each other by id, never by
 * pointer, because either side may end while an op is in flight. */
#include "sip_edge_internal.h"

#include "orbit_time.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define CONTACT_FORK_MAX 8

/* ------------------------------------------------- session handlers */

void sip_calls_leg_closed(int err, const struct sip_msg *msg, void *arg)
{
    sip_leg *leg = arg;
    sip_edge *edge = leg->edge;
    (void)err;
    (void)msg;
    /* The session is over on the wire: nothing to send for it. */
    leg->sess = mem_deref(leg->sess);
    if (leg->role == LEG_FORK) {
        /* One phone of the callee gave up ringing: the caller keeps
         * ringing the others and stays in the queue for a pickup. */
        sip_leg_end(leg, 0, NULL, NULL);
        return;
    }
    if (leg->role == LEG_FORWARD && !leg->bridged) {
        sip_leg *parked = sip_leg_find(edge, leg->peer);
        sip_leg_end(leg, 0, NULL, NULL);
        if (parked)
            sip_leg_end(parked, 0, NULL, NULL); /* nowhere to send it: hang up */
        return;
    }
    sip_leg_end(leg, 0, NULL, NULL);
}

static void outgoing_answered(sip_leg *leg);

void sip_calls_leg_established(const struct sip_msg *msg, void *arg)
{
    (void)msg;
    sip_leg *leg = arg;
    bool outgoing = leg->role == LEG_RINGBACK || leg->role == LEG_FORWARD || leg->role == LEG_FORK;
    leg->state = LEG_UP;
    sip_legs_count(leg->edge);
    if (outgoing)
        outgoing_answered(leg);
}

static void notify_response(int err, const struct sip_msg *msg, void *arg)
{
    sip_leg *leg = arg;
    if (!err && msg && msg->scode < 200)
        return;
    leg->refer = NULL; /* libre frees the request after its final answer */
    if (leg->transfer_done)
        sip_leg_end(leg, 0, NULL, NULL); /* transferred: hang up on the transferor */
}

/* Tells a transferor how its REFER ended (RFC 3515 2.4.5: a sipfrag of
 * the status line), then hangs up on it when the transfer is done. */
static void notify_transfer(sip_leg *transferor, uint16_t scode, const char *reason, bool done)
{
    sip_edge *edge = transferor->edge;
    char frag[80];
    int n = snprintf(frag, sizeof frag, "SIP/2.0 %u %s", scode, reason);
    transferor->transfer_done = done;
    if (!transferor->sess || transferor->refer ||
        sip_drequestf(&transferor->refer, edge->sip, true, "NOTIFY",
                      sipsess_dialog(transferor->sess), 0, NULL, NULL, notify_response, transferor,
                      "Event: refer\r\nSubscription-State: terminated;reason=noresource\r\n"
                      "Content-Type: message/sipfrag\r\nContent-Length: %d\r\n\r\n%s",
                      n, frag) != 0) {
        if (done)
            sip_leg_end(transferor, 0, NULL, NULL);
    }
}

/* A phone talking through the pool transfers the other party to
 * sip:park@...: the pool, already holding that party's leg, parks it
 * itself (no new INVITE), then tells the transferor and hangs up on it.
 * Any other transfer target is declined: the pool is not a PBX. */
void sip_calls_leg_refer(struct sip *sip, const struct sip_msg *msg, void *arg)
{
    sip_leg *leg = arg;
    sip_edge *edge = leg->edge;
    const struct sip_hdr *rt = sip_msg_hdr(msg, SIP_HDR_REFER_TO);
    struct sip_addr target;
    char user[16];
    sip_leg *parkee = leg->bridged ? sip_leg_find(edge, leg->peer) : NULL;
    if (!rt || sip_addr_decode(&target, &rt->val) != 0 ||
        pl_strcpy(&target.uri.user, user, sizeof user) != 0 || strcmp(user, "park") != 0 ||
        !parkee || parkee->ended || parkee->transferor) {
        (void)sip_reply(sip, msg, 603, "Decline");
        return;
    }
    /* The parker: Referred-By, else who this leg reaches. */
    char parker[SIP_URI_MAX];
    snprintf(parker, sizeof parker, "%s", leg->remote);
    const struct sip_hdr *rb = sip_msg_xhdr(msg, "Referred-By");
    struct sip_addr rb_addr;
    if (rb && sip_addr_decode(&rb_addr, &rb->val) == 0)
        (void)sip_edge_addr_uri(&rb_addr.uri, parker, sizeof parker);
    const sip_dir_user *u = sip_directory_user(edge->dir, parker);
    (void)sip_reply(sip, msg, 202, "Accepted");
    /* Apart at once: a transferor may hang up as soon as it has the 202. */
    leg->bridged = parkee->bridged = false;
    media_session_unbridge(parkee->stream.media);
    parkee->transferor = leg->id;
    snprintf(parkee->party, sizeof parkee->party, "%s", u ? u->uri : parker);
    (void)sip_edge_submit(edge, parkee->id, leg->addr, SIP_OP_PARK,
                          json_pack("{s:s,s:s,s:s,s:s}", "call_id", parkee->call_id, "parker",
                                    parkee->party, "parkee", parkee->remote, "transport", "sip"));
}

/* ------------------------------------------------------------ helpers */

static const char *result_error_code(json_t *result)
{
    const char *code = json_string_value(json_object_get(json_object_get(result, "error"), "code"));
    return code ? code : "internal";
}

static const char *result_error_message(json_t *result)
{
    const char *m = json_string_value(json_object_get(json_object_get(result, "error"), "message"));
    return m ? m : "the pool could not run the operation";
}

static bool result_ok(json_t *result)
{
    return result && json_is_true(json_object_get(result, "ok"));
}

static bool uri_with_user(const char *pool_uri, const char *user, char *out, size_t cap);

/* A park at a pool that does not serve the parker (a proxy's stale
 * routing, or a phone that has not re-registered since a failover): 302
 * to sip:park@ the serving pool, which the directory names. */
static bool redirect_park(sip_leg *leg)
{
    sip_edge *edge = leg->edge;
    const sip_dir_user *user = sip_directory_user(edge->dir, leg->party);
    const sip_dir_pool *pool = user ? sip_directory_pool(edge->dir, user->serving) : NULL;
    char target[SIP_URI_MAX];
    if (!pool || strcmp(user->serving, sip_directory_self(edge->dir)) == 0 ||
        !uri_with_user(pool->sip_uri, "park", target, sizeof target))
        return false;
    atomic_fetch_add(&edge->ctr.refused, 1);
    sip_leg_redirect(leg, 302, target);
    return true;
}

/* A refusal from the pool, as SIP: 480 while users cannot be served
 * (resiliency, pickup unavailable), 503 when the pool cannot serve. */
static void refuse_from_result(sip_leg *leg, json_t *result)
{
    const char *code = result_error_code(result);
    if (leg->role == LEG_PARKED && strcmp(code, "not_served_here") == 0 && redirect_park(leg))
        return;
    uint16_t scode = 500;
    const char *reason = "Server Internal Error";
    static const struct {
        const char *code;
        uint16_t scode;
        const char *reason;
    } map[] = {
        {"resiliency_mode", 480, "Temporarily Unavailable"},
        {"pickup_unavailable", 480, "Temporarily Unavailable"},
        {"not_served_here", 480, "Temporarily Unavailable"},
        {"wrong_pool", 480, "Temporarily Unavailable"},
        {"no_free_orbit", 503, "Service Unavailable"},
        {"pool_unreachable", 503, "Service Unavailable"},
        {"rate_limited", 503, "Service Unavailable"},
        {"limit_exceeded", 503, "Service Unavailable"},
        {"not_found", 404, "Not Found"},
        {"forbidden", 403, "Forbidden"},
        {"unauthorized", 403, "Forbidden"},
        {"bad_request", 400, "Bad Request"},
        {"conflict", 486, "Busy Here"},
        {"in_use", 486, "Busy Here"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].code, code) == 0) {
            scode = map[i].scode;
            reason = map[i].reason;
        }
    char why[300];
    snprintf(why, sizeof why, "%s: %s", code, result_error_message(result));
    atomic_fetch_add(&leg->edge->ctr.refused, 1);
    if (!result)
        atomic_fetch_add(&leg->edge->ctr.port_errors, 1);
    sip_leg_end(leg, scode, reason, why);
}

/* "sip:127.0.0.1:5162" and "11042" -> "sip:11042@127.0.0.1:5162". */
static bool uri_with_user(const char *pool_uri, const char *user, char *out, size_t cap)
{
    if (!pool_uri || strncmp(pool_uri, "sip:", 4) != 0)
        return false;
    const char *host = strchr(pool_uri, '@');
    host = host ? host + 1 : pool_uri + 4;
    int n = snprintf(out, cap, "sip:%s@%s", user, host);
    return n > 0 && (size_t)n < cap;
}

static void redirect(sip_edge *edge, const struct sip_msg *msg, uint16_t scode,
                     const char *pool_fqdn, const char *user)
{
    const sip_dir_pool *pool = sip_directory_pool(edge->dir, pool_fqdn);
    char target[SIP_URI_MAX];
    atomic_fetch_add(&edge->ctr.refused, 1);
    if (!pool || !uri_with_user(pool->sip_uri, user, target, sizeof target)) {
        sip_edge_refuse(edge, msg, 503, "Service Unavailable",
                        "wrong_pool: the owning pool has no SIP address");
        return;
    }
    (void)sip_replyf(edge->sip, msg, scode,
                     scode == 301 ? "Moved Permanently" : "Moved Temporarily",
                     "Contact: <%s>\r\nContent-Length: 0\r\n\r\n", target);
}

/* A new incoming leg with its SDP answer ready, provisionally accepted. */
static sip_leg *incoming_leg(sip_edge *edge, const struct sip_msg *msg, sip_leg_role role,
                             uint16_t scode, const char *reason)
{
    char call_id[SIP_CALL_ID_MAX];
    sip_edge_call_id(&msg->callid, call_id, sizeof call_id);
    sip_leg *leg = sip_leg_new(edge, role, call_id);
    if (!leg) {
        (void)sip_reply(edge->sip, msg, 500, "Server Internal Error");
        return NULL;
    }
    (void)sip_edge_addr_uri(&msg->from.uri, leg->remote, sizeof leg->remote);
    (void)re_snprintf(leg->addr, sizeof leg->addr, "%J", &msg->src);
    orbit_status st;
    if (sip_leg_open_stream(leg, &st) != ORBIT_OK) {
        sip_edge_refuse(edge, msg, 503, "Service Unavailable", st.message);
        mem_deref(leg);
        return NULL;
    }
    if (sip_sdp_answer(&leg->stream, msg, &leg->answer, &st) != ORBIT_OK) {
        atomic_fetch_add(&edge->ctr.refused, 1);
        sip_edge_refuse(edge, msg, 488, "Not Acceptable Here", st.message);
        mem_deref(leg);
        return NULL;
    }
    if (!sip_leg_accept(leg, msg, scode, reason)) {
        (void)sip_reply(edge->sip, msg, 500, "Server Internal Error");
        mem_deref(leg);
        return NULL;
    }
    sip_legs_count(edge);
    return leg;
}

/* ------------------------------------------------------------ routing */

static void invite_park(sip_edge *edge, const struct sip_msg *msg, const char *from_uri)
{
    /* The parker: Referred-By after a blind transfer, else the sender. */
    char parker[SIP_URI_MAX];
    snprintf(parker, sizeof parker, "%s", from_uri);
    const struct sip_hdr *rb = sip_msg_xhdr(msg, "Referred-By");
    struct sip_addr rb_addr;
    if (rb && sip_addr_decode(&rb_addr, &rb->val) == 0)
        (void)sip_edge_addr_uri(&rb_addr.uri, parker, sizeof parker);
    const sip_dir_user *user = sip_directory_user(edge->dir, parker);
    /* Even for a parker served elsewhere the pool decides (the engine
     * knows whether that pool is up): not_served_here becomes a 302 to
     * it, pool_unreachable a 503 (refuse_from_result). */
    sip_leg *leg = incoming_leg(edge, msg, LEG_PARKED, 183, "Session Progress");
    if (!leg)
        return;
    snprintf(leg->party, sizeof leg->party, "%s", user ? user->uri : parker);
    (void)sip_edge_submit(edge, leg->id, leg->addr, SIP_OP_PARK,
                          json_pack("{s:s,s:s,s:s,s:s}", "call_id", leg->call_id, "parker",
                                    leg->party, "parkee", from_uri, "transport", "sip"));
}

static void invite_retrieve(sip_edge *edge, const struct sip_msg *msg, const char *number,
                            const sip_dir_range *range, const char *from_uri)
{
    if (strcmp(range->pool, sip_directory_self(edge->dir)) != 0) {
        redirect(edge, msg, 302, range->pool, number);
        return;
    }
    sip_leg *leg = incoming_leg(edge, msg, LEG_RETRIEVER, 183, "Session Progress");
    if (!leg)
        return;
    snprintf(leg->orbit, sizeof leg->orbit, "%.*s", SIP_NUMBER_MAX - 1, number);
    snprintf(leg->party, sizeof leg->party, "%s", from_uri);
    (void)sip_edge_submit(edge, leg->id, leg->addr, SIP_OP_RETRIEVE,
                          json_pack("{s:s,s:s}", "orbit", number, "by", from_uri));
}

static void invite_group(sip_edge *edge, const struct sip_msg *msg, const char *number,
                         const sip_dir_range *range, const char *from_uri)
{
    if (strcmp(range->pool, sip_directory_self(edge->dir)) != 0) {
        redirect(edge, msg, 302, range->pool, number);
        return;
    }
    sip_leg *leg = incoming_leg(edge, msg, LEG_PICKER, 183, "Session Progress");
    if (!leg)
        return;
    snprintf(leg->orbit, sizeof leg->orbit, "%.*s", SIP_NUMBER_MAX - 1, number);
    snprintf(leg->party, sizeof leg->party, "%s", from_uri);
    (void)sip_edge_submit(edge, leg->id, leg->addr, SIP_OP_PICKUP_TAKE,
                          json_pack("{s:s,s:s}", "group", number, "by", from_uri));
}

static void invite_user(sip_edge *edge, const struct sip_msg *msg, const sip_dir_user *callee,
                        const char *from_uri)
{
    if (strcmp(callee->serving, sip_directory_self(edge->dir)) != 0) {
        char name[SIP_URI_MAX];
        const char *at = strchr(callee->uri + 4, '@');
        snprintf(name, sizeof name, "%.*s", (int)(at ? at - callee->uri - 4 : 0), callee->uri + 4);
        redirect(edge, msg, 302, callee->serving, name);
        return;
    }
    sip_leg *leg = incoming_leg(edge, msg, LEG_CALLER, 180, "Ringing");
    if (!leg)
        return;
    snprintf(leg->party, sizeof leg->party, "%s", callee->uri);
    (void)sip_edge_submit(edge, leg->id, leg->addr, SIP_OP_PICKUP_RING,
                          json_pack("{s:s,s:s,s:s,s:s}", "call_id", leg->call_id, "caller",
                                    from_uri, "callee", callee->uri, "transport", "sip"));
    /* Ring the callee's phones now; the queue answer only says whether a
     * group pickup may take the call meanwhile. */
    const char *contacts[CONTACT_FORK_MAX];
    size_t n = sip_registrar_contacts(edge, callee->uri, contacts, CONTACT_FORK_MAX);
    for (size_t i = 0; i < n; i++) {
        sip_leg *fork = sip_leg_new(edge, LEG_FORK, leg->call_id);
        if (!fork)
            break;
        fork->peer = leg->id;
        snprintf(fork->party, sizeof fork->party, "%s", callee->uri);
        snprintf(fork->remote, sizeof fork->remote, "%s", callee->uri);
        if (!sip_leg_connect(fork, contacts[i], NULL, from_uri))
            sip_leg_end(fork, 0, NULL, NULL);
    }
    sip_legs_count(edge);
}

void sip_calls_on_invite(sip_edge *edge, const struct sip_msg *msg)
{
    char from_uri[SIP_URI_MAX], user[SIP_URI_MAX];
    if (!sip_edge_addr_uri(&msg->from.uri, from_uri, sizeof from_uri) ||
        pl_strcpy(&msg->uri.user, user, sizeof user) != 0 || !*user) {
        atomic_fetch_add(&edge->ctr.malformed, 1);
        (void)sip_reply(edge->sip, msg, 400, "Bad Request-URI or From");
        return;
    }
    if (edge->cfg.digest) {
        const sip_dir_user *caller = sip_directory_user(edge->dir, from_uri);
        if (!caller) {
            atomic_fetch_add(&edge->ctr.auth_failures, 1);
            (void)sip_reply(edge->sip, msg, 403, "Forbidden");
            return;
        }
        if (!sip_edge_authorised(edge, msg, caller->uri))
            return;
    }
    const sip_dir_range *range = sip_directory_range_of(edge->dir, user);
    const sip_dir_user *callee = NULL;
    if (strcmp(user, "park") == 0)
        invite_park(edge, msg, from_uri);
    else if (range && !range->pickup)
        invite_retrieve(edge, msg, user, range, from_uri);
    else if (range)
        invite_group(edge, msg, user, range, from_uri);
    else if ((callee = sip_directory_user_by_name(edge->dir, user)))
        invite_user(edge, msg, callee, from_uri);
    else {
        atomic_fetch_add(&edge->ctr.refused, 1);
        (void)sip_reply(edge->sip, msg, 404, "Not Found");
    }
}

/* -------------------------------------------------------- completions */

/* The pool parked (or refused) a party a phone transferred to park@:
 * the party's leg is already up and bridged with the transferor. */
static bool park_by_refer_done(sip_leg *leg, json_t *result)
{
    sip_edge *edge = leg->edge;
    sip_leg *transferor = sip_leg_find(edge, leg->transferor);
    leg->transferor = 0;
    if (!result_ok(result)) {
        /* Not parked: the call stays connected, the transferor is told. */
        atomic_fetch_add(&edge->ctr.refused, 1);
        if (transferor) {
            sip_leg_bridge(leg, transferor);
            notify_transfer(transferor, 480, "Temporarily Unavailable", false);
        } else {
            sip_leg_end(leg, 0, NULL, NULL); /* nobody left to talk to */
        }
        return false;
    }
    if (transferor)
        transferor->peer = 0;
    leg->peer = 0;
    leg->role = LEG_PARKED;
    if (transferor)
        notify_transfer(transferor, 200, "OK", true);
    return true;
}

static void park_done(sip_leg *leg, json_t *result)
{
    sip_edge *edge = leg->edge;
    bool by_refer = leg->transferor != 0;
    if (by_refer && !park_by_refer_done(leg, result))
        return;
    if (!by_refer && !result_ok(result)) {
        refuse_from_result(leg, result);
        return;
    }
    json_t *data = json_object_get(result, "data");
    const char *orbit = json_string_value(json_object_get(data, "orbit"));
    snprintf(leg->orbit, sizeof leg->orbit, "%s", orbit ? orbit : "");
    leg->parked = true;
    json_t *moh_flag = json_object_get(data, "music_on_hold");
    leg->moh =
        moh_flag ? json_is_true(moh_flag) : sip_directory_settings(edge->dir)->enable_music_on_hold;
    if (!by_refer && !sip_leg_answer_200(leg)) {
        sip_leg_end(leg, 500, "Server Internal Error", NULL);
        return;
    }
    atomic_fetch_add(&edge->ctr.parks, 1);
    if (leg->moh && sip_directory_moh(edge->dir))
        media_session_play(leg->stream.media, sip_directory_moh(edge->dir), orbit_time_mono_ms());
    const char *contact = sip_registrar_contact(edge, leg->party);
    if (contact) {
        char text[96];
        snprintf(text, sizeof text, "Call parked at orbit %s", leg->orbit);
        sip_edge_send_message(edge, contact, leg->party, text);
    }
}

static void retrieve_done(sip_leg *leg, json_t *result)
{
    sip_edge *edge = leg->edge;
    if (!result_ok(result)) {
        refuse_from_result(leg, result);
        return;
    }
    const char *call_id =
        json_string_value(json_object_get(json_object_get(result, "data"), "call_id"));
    sip_leg *parked = call_id ? sip_leg_find_call(edge, call_id, LEG_PARKED) : NULL;
    if (!sip_leg_answer_200(leg)) {
        sip_leg_end(leg, 500, "Server Internal Error", NULL);
        return;
    }
    atomic_fetch_add(&edge->ctr.retrieves, 1);
    if (parked) {
        parked->parked = false; /* the engine freed the orbit */
        sip_leg_bridge(parked, leg);
    }
}

static void ringback_answer_done(sip_leg *leg, json_t *result)
{
    sip_edge *edge = leg->edge;
    sip_leg *parked = sip_leg_find(edge, leg->peer);
    if (!result_ok(result) || !parked) {
        sip_leg_end(leg, 0, NULL, NULL);
        return;
    }
    parked->parked = false;
    atomic_fetch_add(&edge->ctr.ringbacks, 1);
    sip_leg_bridge(parked, leg);
}

static void pickup_ring_done(sip_leg *leg, json_t *result)
{
    if (!result_ok(result)) {
        /* Not pickable here (resiliency, or the group's range is held by
         * another pool): the callee's phones still ring, only no group
         * member can pick the call up. With no phone ringing, the caller
         * is told why. */
        if (result && sip_leg_has_forks(leg->edge, leg)) {
            ORBIT_LOG_I(leg->edge->log, "sip: call %s to %s rings, not pickable: %s", leg->call_id,
                        leg->party, result_error_message(result));
            return;
        }
        refuse_from_result(leg, result);
        return;
    }
    bool queued = json_is_true(json_object_get(json_object_get(result, "data"), "queued"));
    if (queued && leg->state == LEG_UP) {
        /* A phone answered before the pool had queued the call. */
        (void)sip_edge_submit(leg->edge, 0, leg->addr, SIP_OP_PICKUP_ANSWER,
                              json_pack("{s:s}", "call_id", leg->call_id));
        return;
    }
    leg->in_queue = queued;
}

static void pickup_take_done(sip_leg *picker, json_t *result)
{
    sip_edge *edge = picker->edge;
    if (!result_ok(result)) {
        refuse_from_result(picker, result);
        return;
    }
    const char *call_id =
        json_string_value(json_object_get(json_object_get(result, "data"), "call_id"));
    sip_leg *caller = call_id ? sip_leg_find_call(edge, call_id, LEG_CALLER) : NULL;
    if (caller) {
        caller->in_queue = false; /* taken: the engine removed it */
        sip_leg_end_forks(edge, caller, 0);
        if (!sip_leg_answer_200(caller)) {
            sip_leg_end(caller, 500, "Server Internal Error", NULL);
            caller = NULL;
        }
    }
    if (!sip_leg_answer_200(picker)) {
        sip_leg_end(picker, 500, "Server Internal Error", NULL);
        return;
    }
    atomic_fetch_add(&edge->ctr.pickups, 1);
    if (caller)
        sip_leg_bridge(caller, picker);
}

void sip_calls_on_completion(sip_edge *edge, uint64_t leg_id, int op, const char *call_id,
                             json_t *result)
{
    if (result && !result_ok(result))
        atomic_fetch_add(&edge->ctr.port_errors, 1);
    sip_leg *leg = sip_leg_find(edge, leg_id);
    if (!leg || leg->ended) {
        /* The leg went away while the pool worked: undo what it got. */
        json_t *data = json_object_get(result, "data");
        if (result_ok(result) && call_id && op == SIP_OP_PARK)
            (void)sip_edge_submit(edge, 0, NULL, SIP_OP_HANGUP,
                                  json_pack("{s:s}", "call_id", call_id));
        if (result_ok(result) && call_id && op == SIP_OP_PICKUP_RING &&
            json_is_true(json_object_get(data, "queued")))
            (void)sip_edge_submit(edge, 0, NULL, SIP_OP_PICKUP_CANCEL,
                                  json_pack("{s:s}", "call_id", call_id));
        return;
    }
    switch ((sip_op)op) {
    case SIP_OP_PARK:
        park_done(leg, result);
        break;
    case SIP_OP_RETRIEVE:
        retrieve_done(leg, result);
        break;
    case SIP_OP_RINGBACK_ANSWER:
        ringback_answer_done(leg, result);
        break;
    case SIP_OP_PICKUP_RING:
        pickup_ring_done(leg, result);
        break;
    case SIP_OP_PICKUP_TAKE:
        pickup_take_done(leg, result);
        break;
    case SIP_OP_HANGUP:
    case SIP_OP_PICKUP_ANSWER:
    case SIP_OP_PICKUP_CANCEL:
        break;
    }
    sip_legs_count(edge);
}

/* An outgoing leg was answered (200 and ACK). */
static void outgoing_answered(sip_leg *leg)
{
    sip_edge *edge = leg->edge;
    sip_leg *peer = sip_leg_find(edge, leg->peer);
    if (!peer) {
        sip_leg_end(leg, 0, NULL, NULL);
        return;
    }
    switch (leg->role) {
    case LEG_RINGBACK:
        (void)sip_edge_submit(edge, leg->id, leg->addr, SIP_OP_RINGBACK_ANSWER,
                              json_pack("{s:s}", "call_id", leg->call_id));
        break;
    case LEG_FORWARD:
        atomic_fetch_add(&edge->ctr.forwards, 1);
        sip_leg_bridge(peer, leg);
        break;
    case LEG_FORK:
        /* The callee answered: the call leaves the queue and the caller
         * is connected to this phone; the other phones stop ringing. */
        if (peer->state == LEG_UP) {
            sip_leg_end(leg, 0, NULL, NULL); /* picked up meanwhile */
            return;
        }
        if (peer->in_queue) {
            peer->in_queue = false;
            (void)sip_edge_submit(edge, 0, leg->addr, SIP_OP_PICKUP_ANSWER,
                                  json_pack("{s:s}", "call_id", peer->call_id));
        }
        sip_leg_end_forks(edge, peer, leg->id);
        if (!sip_leg_answer_200(peer)) {
            sip_leg_end(peer, 500, NULL, NULL);
            return;
        }
        sip_leg_bridge(peer, leg);
        break;
    default:
        break;
    }
}

/* ------------------------------------------------------------- events */

static void end_role_of_call(sip_edge *edge, const char *call_id, sip_leg_role role)
{
    sip_leg *leg;
    while ((leg = sip_leg_find_call(edge, call_id, role)))
        sip_leg_end(leg, 0, NULL, NULL);
}

static void on_ringback(sip_edge *edge, sip_leg *parked, json_t *data)
{
    const char *parker = json_string_value(json_object_get(data, "parker"));
    const sip_dir_user *user = parker ? sip_directory_user(edge->dir, parker) : NULL;
    const char *contact = user ? sip_registrar_contact(edge, user->uri) : NULL;
    if (!contact || sip_leg_find_call(edge, parked->call_id, LEG_RINGBACK))
        return; /* nobody to ring: the engine reparks after its ring time */
    sip_leg *leg = sip_leg_new(edge, LEG_RINGBACK, parked->call_id);
    if (!leg)
        return;
    leg->peer = parked->id;
    snprintf(leg->orbit, sizeof leg->orbit, "%s", parked->orbit);
    snprintf(leg->remote, sizeof leg->remote, "%s", user->uri);
    char from[SIP_URI_MAX];
    snprintf(from, sizeof from, "sip:%s@%s", parked->orbit, edge->local_uri_host);
    if (!sip_leg_connect(leg, contact, "Parked call", from))
        sip_leg_end(leg, 0, NULL, NULL);
    sip_legs_count(edge);
}

static void refer_response(int err, const struct sip_msg *msg, void *arg)
{
    sip_leg *parked = arg;
    if (!err && msg && msg->scode < 200)
        return;
    sip_edge *edge = parked->edge;
    parked->refer = NULL; /* libre frees the request after its final answer */
    if (!err && msg && msg->scode < 300) {
        /* Accepted (202): the caller now calls the target itself. */
        atomic_fetch_add(&edge->ctr.forwards, 1);
        sip_leg_end(parked, 0, NULL, NULL);
        return;
    }
    /* REFER refused: call the target ourselves and bridge. */
    sip_leg *fwd = sip_leg_new(edge, LEG_FORWARD, parked->call_id);
    if (!fwd) {
        sip_leg_end(parked, 0, NULL, NULL);
        return;
    }
    fwd->peer = parked->id;
    snprintf(fwd->remote, sizeof fwd->remote, "%s", parked->forward_uri);
    char from[SIP_URI_MAX];
    snprintf(from, sizeof from, "sip:park@%s", edge->local_uri_host);
    if (!sip_leg_connect(fwd, parked->forward_uri, "Parked call", from)) {
        sip_leg_end(fwd, 0, NULL, NULL);
        sip_leg_end(parked, 0, NULL, NULL);
    }
}

static void on_forwarded(sip_edge *edge, sip_leg *parked, json_t *data)
{
    const char *uri = json_string_value(json_object_get(data, "uri"));
    parked->parked = false; /* the engine already freed the orbit */
    end_role_of_call(edge, parked->call_id, LEG_RINGBACK);
    if (!uri || !parked->sess || parked->state != LEG_UP) {
        sip_leg_end(parked, 0, NULL, NULL);
        return;
    }
    snprintf(parked->forward_uri, sizeof parked->forward_uri, "%s", uri);
    char from[SIP_URI_MAX];
    snprintf(from, sizeof from, "sip:park@%s", edge->local_uri_host);
    if (sip_drequestf(&parked->refer, edge->sip, true, "REFER", sipsess_dialog(parked->sess), 0,
                      NULL, NULL, refer_response, parked,
                      "Refer-To: <%s>\r\nReferred-By: <%s>\r\nContent-Length: 0\r\n\r\n", uri,
                      from) != 0)
        refer_response(EPROTO, NULL, parked);
}

static void on_pickup_gone(sip_edge *edge, json_t *data, const char *kind)
{
    const char *call_id = json_string_value(json_object_get(data, "call_id"));
    sip_leg *caller = call_id ? sip_leg_find_call(edge, call_id, LEG_CALLER) : NULL;
    if (!caller || caller->state == LEG_UP)
        return;
    caller->in_queue = false; /* the engine already took it out */
    const char *reason = json_string_value(json_object_get(data, "reason"));
    char why[200];
    snprintf(why, sizeof why, "%s: %s", kind, reason ? reason : "nobody answered");
    atomic_fetch_add(&edge->ctr.refused, 1);
    sip_leg_end(caller, 480, "Temporarily Unavailable", why);
}

void sip_calls_on_event(sip_edge *edge, const char *kind, json_t *data)
{
    const char *call_id = json_string_value(json_object_get(data, "call_id"));
    if (!call_id)
        return;
    if (strncmp(kind, "pickup.", 7) == 0) {
        if (!strcmp(kind, "pickup.voicemail"))
            on_pickup_gone(edge, data, "voicemail");
        else if (!strcmp(kind, "pickup.dropped"))
            on_pickup_gone(edge, data, "pickup_unavailable");
        return; /* taken/answered/cancelled: this edge caused them or they need nothing */
    }
    sip_leg *parked = sip_leg_find_call(edge, call_id, LEG_PARKED);
    if (!parked)
        return;
    if (!strcmp(kind, "call.ringback")) {
        on_ringback(edge, parked, data);
    } else if (!strcmp(kind, "call.reparked")) {
        end_role_of_call(edge, call_id, LEG_RINGBACK);
    } else if (!strcmp(kind, "call.forwarded")) {
        on_forwarded(edge, parked, data);
    } else if (!strcmp(kind, "call.disconnected")) {
        parked->parked = false;
        end_role_of_call(edge, call_id, LEG_RINGBACK);
        sip_leg_end(parked, 0, NULL, NULL);
    } else if (!strcmp(kind, "call.retrieved") || !strcmp(kind, "call.ringback_answered")) {
        /* Retrieved elsewhere (orbit.v1): stop the music, keep the call. */
        parked->parked = false;
        if (!parked->bridged)
            media_session_play(parked->stream.media, NULL, 0);
    }
}
