/* sip_registrar: REGISTER for the users this pool serves (200 and a
 * binding until it expires), 301 to the serving pool for users served
 * elsewhere, 404 for strangers. Bindings live on the SIP thread only:
 * they are soft state that phones refresh, so a restart loses nothing a
 * phone does not resend within its expiry. */
#include "sip_edge_internal.h"

#include "orbit_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_EXPIRES       3600
#define MAX_BINDINGS_PER_USER 8

static sip_binding *find_binding(sip_edge *edge, const char *aor, const char *contact)
{
    for (struct le *le = list_head(&edge->bindings); le; le = le->next) {
        sip_binding *b = le->data;
        if (strcmp(b->aor, aor) == 0 && strcmp(b->contact, contact) == 0)
            return b;
    }
    return NULL;
}

static void binding_destroy(void *arg)
{
    sip_binding *b = arg;
    list_unlink(&b->le);
}

static size_t user_bindings(sip_edge *edge, const char *aor)
{
    size_t n = 0;
    for (struct le *le = list_head(&edge->bindings); le; le = le->next)
        n += strcmp(((sip_binding *)le->data)->aor, aor) == 0;
    return n;
}

static void count_bindings(sip_edge *edge)
{
    atomic_store(&edge->ctr.registrations, list_count(&edge->bindings));
}

/* Expires of one Contact: its ;expires= parameter, else the Expires
 * header, else the default; capped by configuration. */
static uint32_t contact_expires(const sip_edge *edge, const struct sip_msg *msg,
                                const struct sip_addr *addr)
{
    uint32_t expires = DEFAULT_EXPIRES;
    struct pl val;
    if (msg_param_decode(&addr->params, "expires", &val) == 0)
        expires = pl_u32(&val);
    else if (pl_isset(&msg->expires))
        expires = pl_u32(&msg->expires);
    if (expires > edge->cfg.max_register_expires)
        expires = edge->cfg.max_register_expires;
    return expires;
}

typedef struct {
    sip_edge *edge;
    const struct sip_msg *msg;
    const char *aor;
    int64_t now_ms;
    bool failed;
    bool wildcard;
} apply_ctx;

static bool apply_contact(const struct sip_hdr *hdr, const struct sip_msg *msg, void *arg)
{
    apply_ctx *ctx = arg;
    struct sip_addr addr;
    if (pl_strcmp(&hdr->val, "*") == 0) {
        ctx->wildcard = true;
        return false;
    }
    if (sip_addr_decode(&addr, &hdr->val) != 0) {
        ctx->failed = true;
        return true;
    }
    char contact[SIP_URI_MAX];
    if (re_snprintf(contact, sizeof contact, "%r", &addr.auri) < 0) {
        ctx->failed = true;
        return true;
    }
    uint32_t expires = contact_expires(ctx->edge, msg, &addr);
    sip_binding *b = find_binding(ctx->edge, ctx->aor, contact);
    if (expires == 0) {
        mem_deref(b);
        return false;
    }
    if (!b) {
        if (user_bindings(ctx->edge, ctx->aor) >= MAX_BINDINGS_PER_USER) {
            ctx->failed = true;
            return true;
        }
        b = mem_zalloc(sizeof *b, binding_destroy);
        if (!b) {
            ctx->failed = true;
            return true;
        }
        snprintf(b->aor, sizeof b->aor, "%s", ctx->aor);
        snprintf(b->contact, sizeof b->contact, "%s", contact);
    } else {
        list_unlink(&b->le);
    }
    b->expires_ms = ctx->now_ms + (int64_t)expires * 1000;
    list_prepend(&ctx->edge->bindings, &b->le, b); /* newest first */
    return false;
}

/* 200 OK lists every current binding of the user with its expiry. */
static void reply_bindings(sip_edge *edge, const struct sip_msg *msg, const char *aor,
                           int64_t now_ms)
{
    char contacts[MAX_BINDINGS_PER_USER * (SIP_URI_MAX + 32)] = ""; /* all fit */
    size_t used = 0;
    for (struct le *le = list_head(&edge->bindings); le; le = le->next) {
        sip_binding *b = le->data;
        if (strcmp(b->aor, aor) != 0)
            continue;
        int n = snprintf(contacts + used, sizeof contacts - used, "Contact: <%s>;expires=%lld\r\n",
                         b->contact, (long long)((b->expires_ms - now_ms + 999) / 1000));
        if (n < 0 || (size_t)n >= sizeof contacts - used)
            break;
        used += (size_t)n;
    }
    (void)sip_replyf(edge->sip, msg, 200, "OK", "%sContent-Length: 0\r\n\r\n", contacts);
}

void sip_registrar_handle(sip_edge *edge, const struct sip_msg *msg)
{
    char aor[SIP_URI_MAX];
    if (!sip_edge_addr_uri(&msg->to.uri, aor, sizeof aor)) {
        atomic_fetch_add(&edge->ctr.malformed, 1);
        (void)sip_reply(edge->sip, msg, 400, "Bad To");
        return;
    }
    const sip_dir_user *user = sip_directory_user(edge->dir, aor);
    if (!user) {
        atomic_fetch_add(&edge->ctr.register_unknown, 1);
        (void)sip_reply(edge->sip, msg, 404, "Not Found");
        return;
    }
    const char *self = sip_directory_self(edge->dir);
    if (strcmp(user->serving, self) != 0) {
        /* Failed over or back: the phone must register where it is served. */
        atomic_fetch_add(&edge->ctr.foreign_register, 1);
        const sip_dir_pool *pool = sip_directory_pool(edge->dir, user->serving);
        if (!pool || !pool->sip_uri) {
            sip_edge_refuse(edge, msg, 503, "Service Unavailable",
                            "not_served_here: the serving pool has no SIP address");
            return;
        }
        atomic_fetch_add(&edge->ctr.register_moved, 1);
        (void)sip_replyf(edge->sip, msg, 301, "Moved Permanently",
                         "Contact: <%s>\r\nContent-Length: 0\r\n\r\n", pool->sip_uri);
        return;
    }
    if (!sip_edge_authorised(edge, msg, user->uri))
        return;
    int64_t now = orbit_time_mono_ms();
    apply_ctx ctx = {.edge = edge, .msg = msg, .aor = user->uri, .now_ms = now};
    (void)sip_msg_hdr_apply(msg, true, SIP_HDR_CONTACT, apply_contact, &ctx);
    if (ctx.wildcard && pl_u32(&msg->expires) == 0 && pl_isset(&msg->expires)) {
        struct le *le = list_head(&edge->bindings);
        while (le) {
            sip_binding *b = le->data;
            le = le->next;
            if (strcmp(b->aor, user->uri) == 0)
                mem_deref(b);
        }
    } else if (ctx.failed) {
        count_bindings(edge);
        atomic_fetch_add(&edge->ctr.malformed, 1);
        (void)sip_reply(edge->sip, msg, 400, "Bad Contact");
        return;
    }
    count_bindings(edge);
    atomic_fetch_add(&edge->ctr.register_ok, 1);
    reply_bindings(edge, msg, user->uri, now);
}

size_t sip_registrar_contacts(sip_edge *edge, const char *aor, const char **out, size_t max)
{
    size_t n = 0;
    int64_t now = orbit_time_mono_ms();
    for (struct le *le = list_head(&edge->bindings); le && n < max; le = le->next) {
        sip_binding *b = le->data;
        if (strcmp(b->aor, aor) == 0 && b->expires_ms > now)
            out[n++] = b->contact;
    }
    return n;
}

const char *sip_registrar_contact(sip_edge *edge, const char *aor)
{
    const char *one = NULL;
    return sip_registrar_contacts(edge, aor, &one, 1) ? one : NULL;
}

void sip_registrar_expire(sip_edge *edge, int64_t now_ms)
{
    struct le *le = list_head(&edge->bindings);
    while (le) {
        sip_binding *b = le->data;
        le = le->next;
        if (b->expires_ms <= now_ms)
            mem_deref(b);
    }
    count_bindings(edge);
}

void sip_registrar_clear(sip_edge *edge)
{
    list_flush(&edge->bindings);
    count_bindings(edge);
}
