/* sip_transport: the SIP edge's port on the pool kernel. Three threads
 * meet here: the loop (the kernel's), the edge's libre thread, and a
 * short-lived thread converting the MOH file. One mutex guards what they
 * share: the queue of submitted ops, the edge's inbox and the finished
 * MOH conversion. Everything else belongs to the loop. */
#include "sip_transport.h"

#include "media_moh.h"
#include "orbit_file.h"
#include "orbit_frame.h"
#include "sip_call_filter.h"
#include "sip_edge.h"
#include "sip_metrics.h"
#include "sip_port.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Who the edge is in the pool's records (audit, logs): an endpoint. */
#define SIP_TRANSPORT_TOKEN  "sip-edge"
#define SIP_TRANSPORT_CLIENT "sip"

/* One op from the edge: queued by the SIP thread, run on the loop. */
typedef struct sip_queued_op {
    struct sip_queued_op *next, *prev;
    struct sip_transport *t;
    char op[32];
    char peer[64];
    json_t *args;
    sip_port_call *call; /* completed exactly once, then NULL */
    pool_op *pending;    /* while the store must answer first */
    bool answered;
    bool waiting; /* linked in t->waiting */
} sip_queued_op;

/* A MOH conversion: the file's path and checksum in, the media out. */
typedef struct {
    char path[SERVER_PATH_MAX];
    char sha256[ORBIT_SHA256_HEX + 1];
    media_moh *moh;                     /* NULL when the file cannot be played */
    char why[ORBIT_STATUS_MESSAGE_MAX]; /* why not */
} moh_job;

struct sip_transport {
    pool *pool;
    const server_config *cfg;
    orbit_log *log;
    pool_wake wake;
    sip_edge *edge;
    char self_uri[96]; /* this pool's edge when the topology names none */

    pthread_mutex_t lock; /* guards the fields down to moh_result */
    sip_queued_op *head, *tail;
    sip_inbox *inbox;   /* while the edge is attached */
    sip_directory *dir; /* the newest directory built */
    bool moh_done;      /* moh_result holds a finished conversion */
    moh_job moh_result;

    /* the loop's own */
    sip_queued_op *waiting;
    bool dirty;             /* the directory is stale */
    bool users_dirty;       /* ... and so are its users (else they are shared) */
    sip_call_filter *calls; /* the calls the edge carries: loop thread only */
    media_moh *moh;
    char moh_sha256[ORBIT_SHA256_HEX + 1]; /* the file moh was made from */
    pthread_t moh_thread;
    bool moh_busy;
};

/* ---------------------------------------------------------------- MOH */

/* The pool's MOH file as G.711: only RIFF WAVE, 16-bit PCM, mono, 8 or
 * 16 kHz plays (docs/sip.md); anything else is silence, said once. */
static void convert_moh(moh_job *job, uint64_t max_bytes)
{
    char *data = NULL;
    size_t len = 0;
    job->moh = NULL;
    job->why[0] = '\0';
    int rc = orbit_file_read_all(job->path, (size_t)max_bytes, &data, &len);
    orbit_status st;
    if (rc != 0)
        snprintf(job->why, sizeof job->why, "cannot read it: %s", strerror(rc));
    else if (media_moh_from_wav((const uint8_t *)data, len, &job->moh, &st) != ORBIT_OK)
        snprintf(job->why, sizeof job->why, "%s", st.message);
    free(data);
}

static void *moh_thread_main(void *arg)
{
    sip_transport *t = arg;
    moh_job job;
    pthread_mutex_lock(&t->lock);
    job = t->moh_result;
    pthread_mutex_unlock(&t->lock);
    convert_moh(&job, t->cfg->moh_max_bytes);
    pthread_mutex_lock(&t->lock);
    t->moh_result = job;
    t->moh_done = true;
    pthread_mutex_unlock(&t->lock);
    t->wake.fn(t->wake.ctx);
    return NULL;
}

/* Threads the transport starts must not take the process's SIGTERM or
 * SIGINT: the loop's thread handles them. */
static void block_stop_signals(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

static void take_moh(sip_transport *t, moh_job *job)
{
    if (!job->moh)
        ORBIT_LOG_W(t->log,
                    "sip: music on hold %s is not played over SIP (%s): parked callers "
                    "hear silence",
                    job->path, job->why);
    media_moh_unref(t->moh);
    t->moh = job->moh;
    job->moh = NULL;
    snprintf(t->moh_sha256, sizeof t->moh_sha256, "%s", job->sha256);
    t->dirty = true;
}

/* Installs a finished conversion, and starts one when the pool's MOH is
 * not the one converted last. */
static void follow_moh(sip_transport *t)
{
    if (t->moh_busy) {
        pthread_mutex_lock(&t->lock);
        bool done = t->moh_done;
        moh_job job = t->moh_result;
        t->moh_done = false;
        t->moh_result.moh = NULL;
        pthread_mutex_unlock(&t->lock);
        if (!done)
            return;
        pthread_join(t->moh_thread, NULL);
        t->moh_busy = false;
        take_moh(t, &job);
    }
    const pool_local *local = pool_local_state(t->pool);
    if (strcmp(local->moh.sha256, t->moh_sha256) == 0)
        return;
    pthread_mutex_lock(&t->lock);
    memset(&t->moh_result, 0, sizeof t->moh_result);
    snprintf(t->moh_result.path, sizeof t->moh_result.path, "%s", local->moh_file);
    snprintf(t->moh_result.sha256, sizeof t->moh_result.sha256, "%s", local->moh.sha256);
    pthread_mutex_unlock(&t->lock);
    sigset_t old;
    block_stop_signals(&old);
    int rc = pthread_create(&t->moh_thread, NULL, moh_thread_main, t);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc == 0) {
        t->moh_busy = true;
        return;
    }
    /* No thread: convert here rather than never. */
    moh_job job = t->moh_result;
    convert_moh(&job, t->cfg->moh_max_bytes);
    take_moh(t, &job);
}

/* ----------------------------------------------------------- directory */

static void add_pools(sip_transport *t, sip_directory_builder *b, const orbit_deployment *dep)
{
    orbit_status st;
    for (size_t i = 0; i < orbit_deployment_pool_count(dep); i++) {
        const pool_info *info = orbit_deployment_pool_at(dep, i);
        bool self = strcmp(info->fqdn, pool_fqdn(t->pool)) == 0;
        sip_dir_pool dp = {
            .fqdn = info->fqdn,
            .sip_uri = info->sip[0] ? info->sip : (self ? t->self_uri : NULL),
        };
        if (sip_directory_add_pool(b, &dp, &st) != ORBIT_OK)
            ORBIT_LOG_W(t->log, "sip: pool %s left out of the directory: %s", info->fqdn,
                        st.message);
    }
}

static void add_users(sip_transport *t, sip_directory_builder *b, const orbit_deployment *dep)
{
    orbit_status st;
    for (size_t i = 0; i < orbit_deployment_user_count(dep); i++) {
        const orbit_user *u = orbit_deployment_user_at(dep, i);
        char group[ORBIT_NUMBER_BUF];
        sip_dir_user du = {
            .uri = u->uri,
            .home = u->home,
            .serving = u->serving[0] ? u->serving : u->home,
            .pickup_group =
                u->has_group ? orbit_number_format(&u->pickup_group, group, sizeof group) : NULL,
            .ha1_md5 = u->sip_ha1_md5[0] ? u->sip_ha1_md5 : NULL,
            .ha1_sha256 = u->sip_ha1_sha256[0] ? u->sip_ha1_sha256 : NULL,
        };
        if (sip_directory_add_user(b, &du, &st) != ORBIT_OK)
            ORBIT_LOG_W(t->log, "sip: user %s left out of the directory: %s", u->uri, st.message);
    }
}

static void add_ranges(sip_transport *t, sip_directory_builder *b, const orbit_deployment *dep)
{
    orbit_status st;
    const orbit_table *table = orbit_deployment_table_const(dep);
    for (size_t i = 0; i < orbit_table_count(table); i++) {
        const orbit_range *r = orbit_table_at(table, i);
        char start[ORBIT_NUMBER_BUF], end[ORBIT_NUMBER_BUF];
        sip_dir_range dr = {
            .start = orbit_number_format(&r->start, start, sizeof start),
            .end = orbit_number_format(&r->end, end, sizeof end),
            .pool = r->pool,
            .pickup = r->type == ORBIT_TYPE_GROUPPICKUP,
        };
        if (sip_directory_add_range(b, &dr, &st) != ORBIT_OK)
            ORBIT_LOG_W(t->log, "sip: range '%s' left out of the directory: %s", r->identity,
                        st.message);
    }
}

/* A directory of the pool as it is now; NULL on OOM. */
static sip_directory *build_directory(sip_transport *t)
{
    const orbit_deployment *dep = pool_deployment(t->pool);
    sip_directory_builder *b = sip_directory_builder_new(pool_fqdn(t->pool));
    if (!b)
        return NULL;
    add_pools(t, b, dep);
    if (t->dir && !t->users_dirty)
        sip_directory_builder_share_users(b, t->dir);
    else
        add_users(t, b, dep);
    add_ranges(t, b, dep);
    const cps_settings *cps = &pool_local_state(t->pool)->settings;
    sip_dir_settings s = {
        .enable_music_on_hold = cps->enable_music_on_hold,
        .call_pickup_timeout_threshold = cps->call_pickup_timeout_threshold,
        .max_call_pickup_attempts = cps->max_call_pickup_attempts,
    };
    snprintf(s.on_timeout_uri, sizeof s.on_timeout_uri, "%s", cps->on_timeout_uri);
    sip_directory_set_settings(b, &s);
    sip_directory_set_moh(b, t->moh);
    return sip_directory_build(b);
}

/* Builds and posts a directory when the last one is stale. */
static void refresh_directory(sip_transport *t)
{
    if (!t->dirty)
        return;
    sip_directory *dir = build_directory(t);
    if (!dir) {
        ORBIT_LOG_E(t->log, "sip: cannot build the directory (out of memory); will try again");
        return;
    }
    t->dirty = false;
    t->users_dirty = false;
    pthread_mutex_lock(&t->lock);
    sip_directory_unref(t->dir);
    t->dir = dir;
    if (t->inbox)
        sip_inbox_set_directory(t->inbox, sip_directory_ref(dir));
    pthread_mutex_unlock(&t->lock);
}

/* --------------------------------------------------------- pool sink */

/* What the directory shows: the deployment (pools, users, the orbit
 * table, DR), this pool's settings and its MOH. Calls and liveness are
 * not in it. */
static bool changes_directory(orbit_event_kind kind)
{
    switch (orbit_event_class_of(kind)) {
    case ORBIT_EVCLASS_ORBITS:
    case ORBIT_EVCLASS_DR:
    case ORBIT_EVCLASS_USERS:
    case ORBIT_EVCLASS_CONFIG:
    case ORBIT_EVCLASS_MOH:
    case ORBIT_EVCLASS_TOPOLOGY:
        return true;
    case ORBIT_EVCLASS_POOLS:
        return kind != ORBIT_EV_POOL_STATUS;
    default:
        return false;
    }
}

/* Of those, what can change a user's entry: where users are served (DR),
 * who they are (users, topology) and which pools exist. The orbit table,
 * settings and MOH never do, and they are what changes most often. */
static bool changes_users(orbit_event_kind kind)
{
    switch (orbit_event_class_of(kind)) {
    case ORBIT_EVCLASS_ORBITS:
    case ORBIT_EVCLASS_CONFIG:
    case ORBIT_EVCLASS_MOH:
        return false;
    default:
        return changes_directory(kind);
    }
}

static void on_event(void *ctx, wire_msg *m, orbit_event_kind kind, const json_t *data)
{
    (void)m;
    sip_transport *t = ctx;
    if (sip_call_filter_wants(t->calls, kind, data)) {
        /* A copy of its own: the SIP thread reads it while this one goes on. */
        json_t *copy = json_deep_copy(data);
        pthread_mutex_lock(&t->lock);
        if (t->inbox && copy) {
            sip_inbox_post_event(t->inbox, orbit_event_name(kind), copy);
            copy = NULL;
        }
        pthread_mutex_unlock(&t->lock);
        json_decref(copy);
    }
    if (changes_users(kind))
        t->users_dirty = true;
    if (changes_directory(kind) && !t->dirty) {
        t->dirty = true;
        t->wake.fn(t->wake.ctx); /* rebuilt once the change is fully applied */
    }
}

static void on_resync(void *ctx)
{
    sip_transport *t = ctx;
    t->dirty = true;
    t->users_dirty = true;
    t->wake.fn(t->wake.ctx);
}

/* -------------------------------------------------------------- port */

static void port_attach(void *port, sip_inbox *inbox)
{
    sip_transport *t = port;
    pthread_mutex_lock(&t->lock);
    t->inbox = sip_inbox_ref(inbox);
    if (t->dir)
        sip_inbox_set_directory(inbox, sip_directory_ref(t->dir));
    pthread_mutex_unlock(&t->lock);
}

static void port_submit(void *port, const char *op, json_t *args, sip_port_call *call)
{
    sip_transport *t = port;
    sip_queued_op *q = calloc(1, sizeof *q);
    if (!q || strlen(op) >= sizeof q->op) {
        free(q);
        json_decref(args);
        sip_port_call_complete(call, NULL);
        return;
    }
    q->t = t;
    snprintf(q->op, sizeof q->op, "%s", op);
    snprintf(q->peer, sizeof q->peer, "%s", sip_port_call_peer(call));
    q->args = args;
    q->call = call;
    pthread_mutex_lock(&t->lock);
    if (t->tail)
        t->tail->next = q;
    else
        t->head = q;
    t->tail = q;
    pthread_mutex_unlock(&t->lock);
    t->wake.fn(t->wake.ctx);
}

static void port_detach(void *port)
{
    sip_transport *t = port;
    pthread_mutex_lock(&t->lock);
    sip_inbox_unref(t->inbox);
    t->inbox = NULL;
    pthread_mutex_unlock(&t->lock);
}

static const sip_port_type KERNEL_PORT = {
    .name = "kernel",
    .attach = port_attach,
    .submit = port_submit,
    .detach = port_detach,
};

/* --------------------------------------------------------------- ops */

static void complete(sip_queued_op *q, json_t *result)
{
    sip_port_call_complete(q->call, result);
    q->call = NULL;
}

static void free_op(sip_queued_op *q)
{
    if (q->call)
        complete(q, NULL);
    json_decref(q->args);
    free(q);
}

static void unlink_waiting(sip_queued_op *q)
{
    sip_transport *t = q->t;
    if (q->prev)
        q->prev->next = q->next;
    else
        t->waiting = q->next;
    if (q->next)
        q->next->prev = q->prev;
    q->waiting = false;
}

/* The kernel's answer, as the protocol's result body. */
static void op_done(void *ctx, const orbit_status *st, json_t *data)
{
    sip_queued_op *q = ctx;
    json_t *result = st->code == ORBIT_OK ? orbit_frame_make_result_ok(NULL, data)
                                          : orbit_frame_make_result_error(NULL, st);
    if (result) {
        json_object_del(result, "t");
        json_object_del(result, "id");
    }
    complete(q, result);
    q->answered = true;
    if (q->waiting) {
        unlink_waiting(q);
        free_op(q);
    }
}

static void run_op(sip_transport *t, sip_queued_op *q)
{
    orbit_op op;
    if (!orbit_op_from_name(q->op, &op) || !orbit_op_via_cmd(op)) {
        orbit_status st;
        orbit_status_set(&st, ORBIT_ERR_BAD_REQUEST, "op", "unknown op '%s'", q->op);
        op_done(q, &st, NULL);
        free_op(q);
        return;
    }
    pool_caller caller;
    memset(&caller, 0, sizeof caller);
    snprintf(caller.token, sizeof caller.token, SIP_TRANSPORT_TOKEN);
    caller.role = ORBIT_ROLE_ENDPOINT;
    snprintf(caller.client, sizeof caller.client, SIP_TRANSPORT_CLIENT);
    snprintf(caller.peer, sizeof caller.peer, "%s", q->peer);
    pool_op *pending = pool_op_submit(t->pool, &caller, op, q->args, op_done, q);
    if (q->answered) {
        free_op(q);
        return;
    }
    /* The store answers later (no endpoint op waits for it today). */
    q->pending = pending;
    q->waiting = true;
    q->prev = NULL;
    q->next = t->waiting;
    if (t->waiting)
        t->waiting->prev = q;
    t->waiting = q;
}

static sip_queued_op *take_queue(sip_transport *t)
{
    pthread_mutex_lock(&t->lock);
    sip_queued_op *q = t->head;
    t->head = t->tail = NULL;
    pthread_mutex_unlock(&t->lock);
    return q;
}

void sip_transport_drain(sip_transport *t)
{
    if (!t)
        return;
    sip_queued_op *q = take_queue(t);
    while (q) {
        sip_queued_op *next = q->next;
        q->next = NULL;
        run_op(t, q);
        q = next;
    }
    follow_moh(t);
    refresh_directory(t);
}

/* -------------------------------------------------------- lifecycle */

static bool edge_config(const server_config *cfg, sip_edge_config *out, char *err, size_t errlen)
{
    sip_edge_config_defaults(out);
    out->bind_ip = cfg->sip_bind[0] ? cfg->sip_bind : cfg->listen;
    out->sip_port = (uint16_t)cfg->sip_port;
    out->media_ip = cfg->media_ip[0] ? cfg->media_ip : NULL;
    out->media_ports =
        (media_port_range){(uint16_t)cfg->media_port_min, (uint16_t)cfg->media_port_max};
    out->digest = cfg->sip_digest;
    out->media_timeout_ms = (int64_t)cfg->media_timeout_s * 1000;
    out->max_new_per_second = (unsigned)cfg->sip_max_new_per_second;
    if (!sip_digest_offer_from_name(cfg->sip_digest_offer, &out->digest_offer)) {
        snprintf(err, errlen, "sip_digest_offer '%s' is not known", cfg->sip_digest_offer);
        return false;
    }
    return true;
}

bool sip_transport_start(pool *p, const server_config *cfg, orbit_log *log, const pool_wake *wake,
                         sip_transport **out, char *err, size_t errlen)
{
    *out = NULL;
    if (cfg->sip_port == 0)
        return true;
    sip_edge_config ec;
    if (!edge_config(cfg, &ec, err, errlen))
        return false;
    sip_transport *t = calloc(1, sizeof *t);
    if (t && !(t->calls = sip_call_filter_new())) {
        free(t);
        t = NULL;
    }
    if (!t || pthread_mutex_init(&t->lock, NULL) != 0) {
        if (t)
            sip_call_filter_free(t->calls);
        free(t);
        snprintf(err, errlen, "out of memory");
        return false;
    }
    t->pool = p;
    t->cfg = cfg;
    t->log = log;
    t->wake = *wake;
    t->dirty = true;
    t->users_dirty = true;
    const char *bind = ec.bind_ip;
    snprintf(t->self_uri, sizeof t->self_uri, strchr(bind, ':') ? "sip:[%s]:%d" : "sip:%s:%d", bind,
             cfg->sip_port);
    /* The first directory carries the music: convert it now, before the
     * pool serves anyone. */
    const pool_local *local = pool_local_state(p);
    moh_job job;
    memset(&job, 0, sizeof job);
    snprintf(job.path, sizeof job.path, "%s", local->moh_file);
    snprintf(job.sha256, sizeof job.sha256, "%s", local->moh.sha256);
    convert_moh(&job, cfg->moh_max_bytes);
    take_moh(t, &job);
    refresh_directory(t);
    pool_sink sink = {on_event, on_resync, t};
    orbit_status st;
    sigset_t old;
    block_stop_signals(&old);
    orbit_err e = pool_add_sink(p, &sink)
                      ? sip_edge_start(&ec, (sip_port){&KERNEL_PORT, t}, log, &t->edge, &st)
                      : orbit_status_set(&st, ORBIT_ERR_INTERNAL, "", "out of memory");
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (e != ORBIT_OK) {
        snprintf(err, errlen, "SIP edge: %s", st.message);
        sip_transport_stop(t);
        return false;
    }
    ORBIT_LOG_I(log, "SIP edge on %s:%u (UDP and TCP), RTP on %s ports %d-%d, %s", bind,
                sip_edge_port(t->edge), ec.media_ip ? ec.media_ip : bind, cfg->media_port_min,
                cfg->media_port_max,
                cfg->sip_digest ? "digest authentication" : "no authentication");
    *out = t;
    return true;
}

void sip_transport_metrics(const sip_transport *t, orbit_buf *out)
{
    if (!t || !t->edge)
        return;
    sip_edge_counters c;
    sip_edge_read_counters(t->edge, &c);
    sip_metrics_render(&c, out);
}

json_t *sip_transport_status(const sip_transport *t)
{
    if (!t || !t->edge)
        return json_pack("{s:b}", "enabled", 0);
    sip_edge_counters c;
    sip_edge_read_counters(t->edge, &c);
    json_t *counters = sip_metrics_json(&c);
    if (!counters)
        return NULL;
    return json_pack("{s:b, s:s, s:s, s:i, s:i, s:b, s:o}", "enabled", 1, "uri", t->self_uri,
                     "auth", t->cfg->sip_digest ? "digest" : "none", "media_port_min",
                     t->cfg->media_port_min, "media_port_max", t->cfg->media_port_max, "serving",
                     c.directories > 0, "counters", counters);
}

void sip_transport_stop(sip_transport *t)
{
    if (!t)
        return;
    /* After this no op arrives and no event is read. */
    sip_edge_stop(t->edge);
    t->edge = NULL;
    pool_remove_sink(t->pool, t);
    sip_queued_op *q = take_queue(t);
    while (q) {
        sip_queued_op *next = q->next;
        free_op(q); /* completed unanswered: the edge has gone */
        q = next;
    }
    while (t->waiting) {
        q = t->waiting;
        unlink_waiting(q);
        pool_op_detach(q->pending);
        free_op(q);
    }
    if (t->moh_busy)
        pthread_join(t->moh_thread, NULL);
    media_moh_unref(t->moh_result.moh);
    media_moh_unref(t->moh);
    sip_inbox_unref(t->inbox);
    sip_directory_unref(t->dir);
    sip_call_filter_free(t->calls);
    pthread_mutex_destroy(&t->lock);
    free(t);
}
