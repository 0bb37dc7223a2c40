/* sip_fake_port: ops are queued by the SIP thread and run here, on the
 * fake engine's own thread, which also fires the ring-back and voicemail
 * timers; answers and events go back through the edge's inbox, exactly
 * the path the kernel will use. */
#include "sip_fake_port.h"

#include "orbit_time.h"
#include "sip_digest.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FAKE_MAX_CALLS 256
#define FAKE_TEXT      256

typedef struct fake_op {
    struct fake_op *next;
    char *op;
    json_t *args;
    sip_port_call *call;
} fake_op;

typedef struct {
    char call_id[FAKE_TEXT], orbit[32], parker[FAKE_TEXT], parkee[FAKE_TEXT];
    int attempt;
    bool ringing_back;
    int64_t deadline_ms;
} fake_parked;

typedef struct {
    char call_id[FAKE_TEXT], caller[FAKE_TEXT], callee[FAKE_TEXT], group[32];
    int64_t since_ms;
} fake_queued;

struct sip_fake_port {
    FILE *trace;
    pthread_t thread;
    bool running;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stop;
    fake_op *head, *tail;
    sip_inbox *inbox;
    sip_directory *dir;
    json_t *config;
    char self[FAKE_TEXT];
    int64_t threshold_ms, ring_ms, voicemail_ms;
    int max_attempts;
    bool moh;
    char on_timeout_uri[FAKE_TEXT];
    fake_parked parked[FAKE_MAX_CALLS];
    size_t n_parked;
    fake_queued queued[FAKE_MAX_CALLS];
    size_t n_queued;
};

static void trace_line(sip_fake_port *f, const char *what, const char *name, json_t *a, json_t *b)
{
    if (!f->trace)
        return;
    char *ta = a ? json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    char *tb = b ? json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    fprintf(f->trace, "%s %s %s%s%s\n", what, name, ta ? ta : "{}", tb ? " -> " : "", tb ? tb : "");
    fflush(f->trace);
    free(ta);
    free(tb);
}

static void emit(sip_fake_port *f, const char *kind, json_t *data)
{
    trace_line(f, "event", kind, data, NULL);
    pthread_mutex_lock(&f->lock);
    if (f->inbox)
        sip_inbox_post_event(f->inbox, kind, data);
    else
        json_decref(data);
    pthread_mutex_unlock(&f->lock);
}

static json_t *ok(json_t *data)
{
    return json_pack("{s:b,s:o}", "ok", 1, "data", data ? data : json_object());
}

static json_t *refuse(const char *code, const char *message)
{
    return json_pack("{s:b,s:{s:s,s:s}}", "ok", 0, "error", "code", code, "message", message);
}

static const char *arg(json_t *args, const char *name)
{
    const char *v = json_string_value(json_object_get(args, name));
    return v ? v : "";
}

static json_t *parked_json(const fake_parked *p)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:i,s:s}", "call_id", p->call_id, "orbit", p->orbit,
                     "parker", p->parker, "parkee", p->parkee, "attempt", p->attempt, "state",
                     p->ringing_back ? "ringing_back" : "parked");
}

static fake_parked *find_parked(sip_fake_port *f, const char *call_id, const char *orbit)
{
    for (size_t i = 0; i < f->n_parked; i++)
        if ((call_id && strcmp(f->parked[i].call_id, call_id) == 0) ||
            (orbit && strcmp(f->parked[i].orbit, orbit) == 0))
            return &f->parked[i];
    return NULL;
}

static void remove_parked(sip_fake_port *f, fake_parked *p)
{
    *p = f->parked[--f->n_parked];
}

static bool home_in_resiliency(sip_fake_port *f, const char *home)
{
    json_t *list = json_object_get(f->config, "resiliency");
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) if (json_is_string(v) &&
                                       strcmp(json_string_value(v), home) == 0) return true;
    return false;
}

/* The first free orbit of this pool's CallPark ranges: deterministic, so
 * a test knows which number to dial. */
static bool free_orbit(sip_fake_port *f, char *out, size_t cap)
{
    json_t *ranges = json_object_get(f->config, "ranges");
    size_t i;
    json_t *r;
    json_array_foreach(ranges, i, r)
    {
        if (strcmp(json_string_value(json_object_get(r, "pool")), f->self) != 0 ||
            strcmp(json_string_value(json_object_get(r, "type")), "CallPark") != 0)
            continue;
        long start = atol(json_string_value(json_object_get(r, "start")));
        long end = atol(json_string_value(json_object_get(r, "end")));
        for (long n = start; n <= end; n++) {
            snprintf(out, cap, "%ld", n);
            if (!find_parked(f, NULL, out))
                return true;
        }
    }
    return false;
}

static json_t *op_park(sip_fake_port *f, json_t *args)
{
    const sip_dir_user *u = sip_directory_user(f->dir, arg(args, "parker"));
    if (!u)
        return refuse("not_found", "unknown parker");
    if (strcmp(u->serving, f->self) != 0)
        return refuse("not_served_here", "the parker is served by another pool");
    if (home_in_resiliency(f, u->home))
        return refuse("resiliency_mode", "the parker's pool is failing over");
    if (f->n_parked == FAKE_MAX_CALLS)
        return refuse("no_free_orbit", "no free orbit");
    fake_parked p = {0};
    if (!free_orbit(f, p.orbit, sizeof p.orbit))
        return refuse("no_free_orbit", "no free orbit");
    snprintf(p.call_id, sizeof p.call_id, "%s", arg(args, "call_id"));
    snprintf(p.parker, sizeof p.parker, "%s", u->uri);
    snprintf(p.parkee, sizeof p.parkee, "%s", arg(args, "parkee"));
    p.deadline_ms = orbit_time_mono_ms() + f->threshold_ms;
    f->parked[f->n_parked++] = p;
    return ok(json_pack("{s:s,s:s,s:b}", "call_id", p.call_id, "orbit", p.orbit, "music_on_hold",
                        f->moh));
}

static json_t *op_retrieve(sip_fake_port *f, json_t *args)
{
    fake_parked *p = find_parked(f, NULL, arg(args, "orbit"));
    if (!p)
        return refuse("not_found", "the orbit is empty");
    json_t *call = parked_json(p);
    emit(f, "call.retrieved",
         json_pack("{s:s,s:s,s:s}", "call_id", p->call_id, "orbit", p->orbit, "by",
                   arg(args, "by")));
    remove_parked(f, p);
    return ok(call);
}

static json_t *op_ringback_answer(sip_fake_port *f, json_t *args)
{
    fake_parked *p = find_parked(f, arg(args, "call_id"), NULL);
    if (!p || !p->ringing_back)
        return refuse("not_found", "not ringing back");
    json_t *call = parked_json(p);
    remove_parked(f, p);
    return ok(call);
}

static json_t *op_hangup(sip_fake_port *f, json_t *args)
{
    fake_parked *p = find_parked(f, arg(args, "call_id"), NULL);
    if (!p)
        return refuse("not_found", "no such parked call");
    emit(f, "call.disconnected",
         json_pack("{s:s,s:s,s:s}", "call_id", p->call_id, "orbit", p->orbit, "reason", "hangup"));
    remove_parked(f, p);
    return ok(NULL);
}

static fake_queued *find_queued(sip_fake_port *f, const char *call_id)
{
    for (size_t i = 0; i < f->n_queued; i++)
        if (strcmp(f->queued[i].call_id, call_id) == 0)
            return &f->queued[i];
    return NULL;
}

/* Removes keeping the FIFO order. */
static void remove_queued(sip_fake_port *f, fake_queued *q)
{
    size_t i = (size_t)(q - f->queued);
    memmove(&f->queued[i], &f->queued[i + 1], (f->n_queued - i - 1) * sizeof *q);
    f->n_queued--;
}

static json_t *op_ring(sip_fake_port *f, json_t *args)
{
    const sip_dir_user *callee = sip_directory_user(f->dir, arg(args, "callee"));
    if (!callee || !callee->pickup_group || f->n_queued == FAKE_MAX_CALLS)
        return ok(json_pack("{s:b}", "queued", 0));
    const sip_dir_range *r = sip_directory_range_of(f->dir, callee->pickup_group);
    if (!r || strcmp(r->pool, f->self) != 0)
        return ok(json_pack("{s:b}", "queued", 0));
    fake_queued q = {0};
    snprintf(q.call_id, sizeof q.call_id, "%s", arg(args, "call_id"));
    snprintf(q.caller, sizeof q.caller, "%s", arg(args, "caller"));
    snprintf(q.callee, sizeof q.callee, "%s", callee->uri);
    snprintf(q.group, sizeof q.group, "%s", callee->pickup_group);
    q.since_ms = orbit_time_mono_ms();
    f->queued[f->n_queued++] = q;
    return ok(
        json_pack("{s:b,s:s,s:i}", "queued", 1, "group", q.group, "position", (int)f->n_queued));
}

static json_t *op_take(sip_fake_port *f, json_t *args)
{
    const char *group = arg(args, "group");
    for (size_t i = 0; i < f->n_queued; i++) {
        fake_queued *q = &f->queued[i];
        if (strcmp(q->group, group) != 0)
            continue;
        json_t *call = json_pack("{s:s,s:s,s:s,s:s}", "call_id", q->call_id, "caller", q->caller,
                                 "callee", q->callee, "group", q->group);
        emit(f, "pickup.taken",
             json_pack("{s:s,s:s,s:s}", "call_id", q->call_id, "group", group, "by",
                       arg(args, "by")));
        remove_queued(f, q);
        return ok(call);
    }
    return refuse("not_found", "no call to pick up in this group");
}

static json_t *op_leave(sip_fake_port *f, json_t *args, const char *kind)
{
    fake_queued *q = find_queued(f, arg(args, "call_id"));
    if (!q)
        return refuse("not_found", "not queued");
    emit(f, kind, json_pack("{s:s,s:s}", "call_id", q->call_id, "group", q->group));
    remove_queued(f, q);
    return ok(NULL);
}

static json_t *run_op(sip_fake_port *f, const char *op, json_t *args)
{
    if (!strcmp(op, "call.park"))
        return op_park(f, args);
    if (!strcmp(op, "call.retrieve"))
        return op_retrieve(f, args);
    if (!strcmp(op, "call.ringback_answer"))
        return op_ringback_answer(f, args);
    if (!strcmp(op, "call.hangup"))
        return op_hangup(f, args);
    if (!strcmp(op, "pickup.ring"))
        return op_ring(f, args);
    if (!strcmp(op, "pickup.take"))
        return op_take(f, args);
    if (!strcmp(op, "pickup.answer"))
        return op_leave(f, args, "pickup.answered");
    if (!strcmp(op, "pickup.cancel"))
        return op_leave(f, args, "pickup.cancelled");
    return refuse("bad_request", "unknown op");
}

/* Ring-back, re-park, forward or disconnect; voicemail for old queues. */
static void run_timers(sip_fake_port *f)
{
    int64_t now = orbit_time_mono_ms();
    for (size_t i = 0; i < f->n_parked; i++) {
        fake_parked *p = &f->parked[i];
        if (now < p->deadline_ms)
            continue;
        if (!p->ringing_back) {
            p->ringing_back = true;
            p->attempt++;
            p->deadline_ms = now + f->ring_ms;
            emit(f, "call.ringback", parked_json(p));
        } else if (p->attempt < f->max_attempts) {
            p->ringing_back = false;
            p->deadline_ms = now + f->threshold_ms;
            emit(f, "call.reparked", parked_json(p));
        } else {
            if (*f->on_timeout_uri)
                emit(f, "call.forwarded",
                     json_pack("{s:s,s:s,s:s}", "call_id", p->call_id, "orbit", p->orbit, "uri",
                               f->on_timeout_uri));
            else
                emit(f, "call.disconnected",
                     json_pack("{s:s,s:s,s:s}", "call_id", p->call_id, "orbit", p->orbit, "reason",
                               "timeout"));
            remove_parked(f, p);
            i--;
        }
    }
    for (size_t i = 0; i < f->n_queued; i++) {
        fake_queued *q = &f->queued[i];
        if (now - q->since_ms < f->voicemail_ms)
            continue;
        emit(f, "pickup.voicemail",
             json_pack("{s:s,s:s}", "call_id", q->call_id, "group", q->group));
        remove_queued(f, q);
        i--;
    }
}

static void *fake_thread(void *arg)
{
    sip_fake_port *f = arg;
    pthread_mutex_lock(&f->lock);
    while (!f->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 20 * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        if (!f->head)
            pthread_cond_timedwait(&f->cond, &f->lock, &until);
        fake_op *ops = f->head;
        f->head = f->tail = NULL;
        pthread_mutex_unlock(&f->lock);
        while (ops) {
            fake_op *next = ops->next;
            json_t *result = run_op(f, ops->op, ops->args);
            trace_line(f, "op", ops->op, ops->args, result);
            sip_port_call_complete(ops->call, result);
            json_decref(ops->args);
            free(ops->op);
            free(ops);
            ops = next;
        }
        run_timers(f);
        pthread_mutex_lock(&f->lock);
    }
    pthread_mutex_unlock(&f->lock);
    return NULL;
}

static void fake_attach(void *port, sip_inbox *inbox)
{
    sip_fake_port *f = port;
    pthread_mutex_lock(&f->lock);
    f->inbox = sip_inbox_ref(inbox);
    sip_inbox_set_directory(inbox, sip_directory_ref(f->dir));
    pthread_mutex_unlock(&f->lock);
}

static void fake_submit(void *port, const char *op, json_t *args, sip_port_call *call)
{
    sip_fake_port *f = port;
    fake_op *o = calloc(1, sizeof *o);
    if (!o || !(o->op = strdup(op))) {
        free(o);
        json_decref(args);
        sip_port_call_complete(call, NULL);
        return;
    }
    o->args = args;
    o->call = call;
    pthread_mutex_lock(&f->lock);
    if (f->tail)
        f->tail->next = o;
    else
        f->head = o;
    f->tail = o;
    pthread_cond_signal(&f->cond);
    pthread_mutex_unlock(&f->lock);
}

static void fake_detach(void *port)
{
    sip_fake_port *f = port;
    pthread_mutex_lock(&f->lock);
    sip_inbox_unref(f->inbox);
    f->inbox = NULL;
    pthread_mutex_unlock(&f->lock);
}

static const sip_port_type FAKE_PORT_TYPE = {
    .name = "fake",
    .attach = fake_attach,
    .submit = fake_submit,
    .detach = fake_detach,
};

sip_port sip_fake_port_port(sip_fake_port *fake)
{
    return (sip_port){.type = &FAKE_PORT_TYPE, .ctx = fake};
}

/* "sip:alice@example.net" -> user "alice", realm "example.net". */
static orbit_err add_user(sip_directory_builder *b, json_t *u, orbit_status *st)
{
    const char *uri = json_string_value(json_object_get(u, "uri"));
    const char *password = json_string_value(json_object_get(u, "password"));
    const char *home = json_string_value(json_object_get(u, "home"));
    const char *serving = json_string_value(json_object_get(u, "serving"));
    char md5[SIP_DIGEST_HEX_MAX] = "", sha[SIP_DIGEST_HEX_MAX] = "";
    if (uri && password && strncmp(uri, "sip:", 4) == 0 && strchr(uri, '@')) {
        char user[FAKE_TEXT];
        const char *at = strchr(uri, '@');
        snprintf(user, sizeof user, "%.*s", (int)(at - uri - 4), uri + 4);
        if (!sip_digest_ha1(SIP_DIGEST_MD5, user, at + 1, password, md5) ||
            !sip_digest_ha1(SIP_DIGEST_SHA256, user, at + 1, password, sha))
            return orbit_status_set(st, ORBIT_ERR_INTERNAL, "users", "cannot hash");
    }
    sip_dir_user du = {
        .uri = uri,
        .home = home,
        .serving = serving ? serving : home,
        .pickup_group = json_string_value(json_object_get(u, "group")),
        .ha1_md5 = *md5 ? md5 : NULL,
        .ha1_sha256 = *sha ? sha : NULL,
    };
    return sip_directory_add_user(b, &du, st);
}

static orbit_err build_directory(sip_fake_port *f, orbit_status *st)
{
    sip_directory_builder *b = sip_directory_builder_new(f->self);
    if (!b)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "directory", "out of memory");
    size_t i;
    json_t *v;
    orbit_err err = ORBIT_OK;
    json_array_foreach(json_object_get(f->config, "pools"), i, v)
    {
        sip_dir_pool p = {json_string_value(json_object_get(v, "fqdn")),
                          json_string_value(json_object_get(v, "sip"))};
        if (!err)
            err = sip_directory_add_pool(b, &p, st);
    }
    json_array_foreach(json_object_get(f->config, "users"), i, v) if (!err) err =
        add_user(b, v, st);
    json_array_foreach(json_object_get(f->config, "ranges"), i, v)
    {
        const char *type = json_string_value(json_object_get(v, "type"));
        sip_dir_range r = {json_string_value(json_object_get(v, "start")),
                           json_string_value(json_object_get(v, "end")),
                           json_string_value(json_object_get(v, "pool")),
                           type && strcmp(type, "GroupPickup") == 0};
        if (!err)
            err = sip_directory_add_range(b, &r, st);
    }
    sip_dir_settings s = {.enable_music_on_hold = f->moh,
                          .call_pickup_timeout_threshold = (int)(f->threshold_ms / 1000),
                          .max_call_pickup_attempts = f->max_attempts};
    snprintf(s.on_timeout_uri, sizeof s.on_timeout_uri, "%s", f->on_timeout_uri);
    sip_directory_set_settings(b, &s);
    const char *moh_path = json_string_value(json_object_get(f->config, "moh"));
    if (!err && moh_path) {
        FILE *fp = fopen(moh_path, "rb");
        uint8_t *data = malloc(8 << 20);
        size_t n = fp && data ? fread(data, 1, 8 << 20, fp) : 0;
        media_moh *moh = NULL;
        if (!fp || !data)
            err = orbit_status_set(st, ORBIT_ERR_NOT_FOUND, "moh", "cannot read %s", moh_path);
        else
            err = media_moh_from_wav(data, n, &moh, st);
        if (fp)
            fclose(fp);
        free(data);
        sip_directory_set_moh(b, moh);
        media_moh_unref(moh);
    }
    if (err) {
        sip_directory_builder_free(b);
        return err;
    }
    f->dir = sip_directory_build(b);
    return f->dir ? ORBIT_OK
                  : orbit_status_set(st, ORBIT_ERR_INTERNAL, "directory", "out of memory");
}

orbit_err sip_fake_port_new(const json_t *config, FILE *trace, sip_fake_port **out,
                            orbit_status *st)
{
    *out = NULL;
    sip_fake_port *f = calloc(1, sizeof *f);
    if (!f)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "fake", "out of memory");
    f->trace = trace;
    f->config = json_deep_copy(config);
    const char *self = json_string_value(json_object_get(config, "self"));
    snprintf(f->self, sizeof f->self, "%s", self ? self : "");
    json_t *s = json_object_get(config, "settings");
    json_t *v;
    f->threshold_ms = (v = json_object_get(s, "threshold_ms")) ? json_integer_value(v) : 90000;
    f->ring_ms = (v = json_object_get(s, "ring_ms")) ? json_integer_value(v) : 20000;
    f->voicemail_ms = (v = json_object_get(s, "voicemail_ms")) ? json_integer_value(v) : 30000;
    f->max_attempts =
        (v = json_object_get(s, "max_call_pickup_attempts")) ? (int)json_integer_value(v) : 1;
    f->moh = !json_is_false(json_object_get(s, "enable_music_on_hold"));
    const char *uri = json_string_value(json_object_get(s, "on_timeout_uri"));
    snprintf(f->on_timeout_uri, sizeof f->on_timeout_uri, "%s", uri ? uri : "");
    pthread_mutex_init(&f->lock, NULL);
    pthread_cond_init(&f->cond, NULL);
    orbit_err err = f->config ? build_directory(f, st)
                              : orbit_status_set(st, ORBIT_ERR_INTERNAL, "fake", "out of memory");
    if (!err && pthread_create(&f->thread, NULL, fake_thread, f) != 0)
        err = orbit_status_set(st, ORBIT_ERR_INTERNAL, "fake", "cannot start the engine thread");
    if (err) {
        sip_fake_port_free(f);
        return err;
    }
    f->running = true;
    *out = f;
    return ORBIT_OK;
}

void sip_fake_port_free(sip_fake_port *f)
{
    if (!f)
        return;
    if (f->running) {
        pthread_mutex_lock(&f->lock);
        f->stop = true;
        pthread_cond_signal(&f->cond);
        pthread_mutex_unlock(&f->lock);
        pthread_join(f->thread, NULL);
    }
    while (f->head) {
        fake_op *next = f->head->next;
        sip_port_call_complete(f->head->call, NULL);
        json_decref(f->head->args);
        free(f->head->op);
        free(f->head);
        f->head = next;
    }
    sip_inbox_unref(f->inbox);
    sip_directory_unref(f->dir);
    json_decref(f->config);
    pthread_mutex_destroy(&f->lock);
    pthread_cond_destroy(&f->cond);
    free(f);
}
