/* call_engine: parked calls, ring-back timers and pickup queues. */
#include "call_engine.h"

#include "orbit_alloc.h"
#include "orbit_json.h"
#include "orbit_map.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { TIMER_PARKED, TIMER_QUEUED } timer_kind;

/* A due time in the engine's min-heap; embedded in its call. */
typedef struct {
    int64_t due;
    uint32_t index;
    uint8_t kind; /* timer_kind */
} engine_timer;

/* A parked call, kept small: a pool holds tens of thousands. Its three
 * strings share one allocation with it, and its home pool's name is
 * interned once per engine (see intern_home). parked_view() gives the
 * protocol's parked_call when one is needed (events, snapshots). */
typedef struct {
    engine_timer timer;
    orbit_number orbit;
    int64_t parked_ms;
    int64_t deadline_ms; /* next ring-back or give-up time */
    const char *home;    /* the parker's home pool (interned) */
    uint16_t parker_at;  /* offsets into text */
    uint16_t parkee_at;
    uint8_t attempt;   /* ring-backs made so far */
    uint8_t state;     /* parked_state */
    uint8_t transport; /* call_transport: what brought the call */
    bool music_on_hold;
    char text[]; /* call_id, parker, parkee, each with its terminator */
} parked_entry;

#define PARKED_ID(p)     ((p)->text)
#define PARKED_PARKER(p) ((p)->text + (p)->parker_at)
#define PARKED_PARKEE(p) ((p)->text + (p)->parkee_at)

typedef struct group_queue group_queue;

typedef struct queued_entry {
    pickup_call call;
    char home[ORBIT_FQDN_MAX + 1]; /* the callee's home pool */
    engine_timer timer;            /* voicemail */
    struct queued_entry *prev, *next;
    group_queue *queue;
} queued_entry;

struct group_queue {
    orbit_number group;
    queued_entry *head, *tail; /* oldest first */
    size_t depth;
};

struct call_engine {
    call_engine_env env;
    const orbit_deployment *dep;
    orbit_map *homes; /* home pool FQDN -> its interned copy */
    orbit_map *parked_by_id;
    orbit_map *parked_by_orbit;
    orbit_map *queued_by_id;
    orbit_map *queues; /* group number text -> group_queue */
    orbit_alloc *alloc;
    engine_timer **heap;
    size_t nheap, capheap;
    size_t nqueued;
};

#define CONTAINER(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* ---- timer heap ---- */

static void heap_swap(call_engine *ce, size_t a, size_t b)
{
    engine_timer *t = ce->heap[a];
    ce->heap[a] = ce->heap[b];
    ce->heap[b] = t;
    ce->heap[a]->index = (uint32_t)a;
    ce->heap[b]->index = (uint32_t)b;
}

static void heap_up(call_engine *ce, size_t i)
{
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (ce->heap[parent]->due <= ce->heap[i]->due)
            break;
        heap_swap(ce, i, parent);
        i = parent;
    }
}

static void heap_down(call_engine *ce, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < ce->nheap && ce->heap[l]->due < ce->heap[m]->due)
            m = l;
        if (r < ce->nheap && ce->heap[r]->due < ce->heap[m]->due)
            m = r;
        if (m == i)
            break;
        heap_swap(ce, i, m);
        i = m;
    }
}

static bool heap_push(call_engine *ce, engine_timer *t)
{
    if (ce->nheap >= UINT32_MAX)
        return false;
    if (ce->nheap == ce->capheap) {
        size_t ncap = ce->capheap ? ce->capheap * 2 : 256;
        engine_timer **h = realloc(ce->heap, ncap * sizeof *h);
        if (!h)
            return false;
        ce->heap = h;
        ce->capheap = ncap;
    }
    t->index = (uint32_t)ce->nheap;
    ce->heap[ce->nheap++] = t;
    heap_up(ce, t->index);
    return true;
}

static void heap_remove(call_engine *ce, engine_timer *t)
{
    size_t i = t->index;
    if (i >= ce->nheap || ce->heap[i] != t)
        return;
    ce->nheap--;
    if (i != ce->nheap) {
        ce->heap[i] = ce->heap[ce->nheap];
        ce->heap[i]->index = (uint32_t)i;
        heap_down(ce, i);
        heap_up(ce, i);
    }
}

static void heap_reschedule(call_engine *ce, engine_timer *t, int64_t due)
{
    t->due = due;
    heap_down(ce, t->index);
    heap_up(ce, t->index);
}

/* ---- setup ---- */

static bool orbit_taken(void *ctx, const orbit_number *n)
{
    call_engine *ce = ctx;
    char key[ORBIT_NUMBER_BUF];
    return orbit_map_get(ce->parked_by_orbit, orbit_number_format(n, key, sizeof key)) != NULL;
}

static bool is_my_callpark(const call_engine *ce, const orbit_range *r)
{
    return r->type == ORBIT_TYPE_CALLPARK && strcmp(r->pool, ce->env.fqdn) == 0;
}

bool call_engine_set_deployment(call_engine *ce, const orbit_deployment *dep)
{
    const orbit_table *t = orbit_deployment_table_const(dep);
    orbit_type cp = ORBIT_TYPE_CALLPARK;
    size_t n = orbit_table_select(t, ce->env.fqdn, &cp, NULL, 0);
    orbit_range *ranges = malloc((n ? n : 1) * sizeof *ranges);
    if (!ranges)
        return false;
    orbit_table_select(t, ce->env.fqdn, &cp, ranges, n);
    bool ok = orbit_alloc_build(ce->alloc, ranges, n, orbit_taken, ce);
    free(ranges);
    if (ok)
        ce->dep = dep;
    return ok;
}

bool call_engine_range_added(call_engine *ce, const orbit_range *r)
{
    if (!is_my_callpark(ce, r))
        return true;
    /* The slots stay taken for calls still parked on them (a range that
     * comes back while its calls were never retrieved). */
    return orbit_alloc_add_range(ce->alloc, r, orbit_taken, ce);
}

void call_engine_range_removed(call_engine *ce, const orbit_range *r)
{
    if (is_my_callpark(ce, r))
        orbit_alloc_remove_range(ce->alloc, r);
}

call_engine *call_engine_new(const call_engine_env *env, const orbit_deployment *dep)
{
    call_engine *ce = calloc(1, sizeof *ce);
    if (!ce)
        return NULL;
    ce->env = *env;
    ce->homes = orbit_map_new();
    ce->parked_by_id = orbit_map_new();
    ce->parked_by_orbit = orbit_map_new();
    ce->queued_by_id = orbit_map_new();
    ce->queues = orbit_map_new();
    ce->alloc = orbit_alloc_new();
    if (!ce->homes || !ce->parked_by_id || !ce->parked_by_orbit || !ce->queued_by_id ||
        !ce->queues || !ce->alloc || !call_engine_set_deployment(ce, dep)) {
        call_engine_free(ce);
        return NULL;
    }
    return ce;
}

void call_engine_free(call_engine *ce)
{
    if (!ce)
        return;
    size_t pos = 0;
    void *v;
    if (ce->parked_by_id) {
        while (orbit_map_next(ce->parked_by_id, &pos, NULL, &v))
            free(v);
    }
    pos = 0;
    if (ce->queued_by_id) {
        while (orbit_map_next(ce->queued_by_id, &pos, NULL, &v))
            free(v);
    }
    pos = 0;
    if (ce->queues) {
        while (orbit_map_next(ce->queues, &pos, NULL, &v))
            free(v);
    }
    pos = 0;
    if (ce->homes) {
        while (orbit_map_next(ce->homes, &pos, NULL, &v))
            free(v);
    }
    orbit_map_free(ce->homes);
    orbit_map_free(ce->parked_by_id);
    orbit_map_free(ce->parked_by_orbit);
    orbit_map_free(ce->queued_by_id);
    orbit_map_free(ce->queues);
    orbit_alloc_free(ce->alloc);
    free(ce->heap);
    free(ce);
}

/* ---- helpers ---- */

static int64_t now_ms(const call_engine *ce)
{
    return ce->env.hooks.now_ms(ce->env.hooks.ctx);
}

static const char *me(const call_engine *ce)
{
    return ce->env.fqdn;
}

/* Milliseconds of real time a domain duration lasts under the clock scale. */
static int64_t scaled_ms(const call_engine *ce, double seconds)
{
    double ms = seconds * 1000.0 / ce->env.clock_scale;
    return ms < 1.0 ? (seconds > 0 ? 1 : 0) : (int64_t)ms;
}

static void emit(call_engine *ce, orbit_event_kind kind, json_t *data)
{
    ce->env.hooks.emit(ce->env.hooks.ctx, kind, data);
}

/* One copy of each home pool's name per engine: parked calls point at it
 * instead of carrying 254 bytes each. NULL on OOM. */
static const char *intern_home(call_engine *ce, const char *fqdn)
{
    char *known = orbit_map_get(ce->homes, fqdn);
    if (known)
        return known;
    char *copy = strdup(fqdn);
    if (!copy || !orbit_map_put(ce->homes, fqdn, copy)) {
        free(copy);
        return NULL;
    }
    return copy;
}

/* Copies text that was checked to fit when the call was parked; cut,
 * never overrun, if it somehow does not. */
static void copy_text(char *dst, size_t cap, const char *src)
{
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* The protocol's record of a parked call. */
static void parked_view(const parked_entry *p, parked_call *out)
{
    copy_text(out->call_id, sizeof out->call_id, PARKED_ID(p));
    copy_text(out->parker, sizeof out->parker, PARKED_PARKER(p));
    copy_text(out->parkee, sizeof out->parkee, PARKED_PARKEE(p));
    out->orbit = p->orbit;
    out->parked_ms = p->parked_ms;
    out->deadline_ms = p->deadline_ms;
    out->attempt = p->attempt;
    out->state = (parked_state)p->state;
    out->music_on_hold = p->music_on_hold;
    out->transport = (call_transport)p->transport;
}

static json_t *parked_json(const parked_entry *p)
{
    parked_call call;
    parked_view(p, &call);
    return orbit_json_from_parked(&call);
}

static void emit_parked(call_engine *ce, orbit_event_kind kind, const parked_entry *p)
{
    json_t *data = parked_json(p);
    if (data && orbit_json_put_text(data, "pool", me(ce)))
        emit(ce, kind, data);
    else
        json_decref(data);
}

static json_t *call_ref(const char *call_id, const orbit_number *n, const char *key)
{
    char num[ORBIT_NUMBER_BUF];
    json_t *o = json_object();
    if (o && orbit_json_put_text(o, "call_id", call_id) &&
        orbit_json_put_text(o, key, orbit_number_format(n, num, sizeof num)))
        return o;
    json_decref(o);
    return NULL;
}

/* {key: value}; NULL on OOM. */
static json_t *one_text(const char *key, const char *value)
{
    json_t *o = json_object();
    if (o && orbit_json_put_text(o, key, value))
        return o;
    json_decref(o);
    return NULL;
}

/* Removes a parked call, frees its orbit, and emits `kind` with extra
 * fields (stolen, may be NULL). */
static void end_parked(call_engine *ce, parked_entry *p, orbit_event_kind kind, json_t *extra)
{
    char num[ORBIT_NUMBER_BUF];
    orbit_number_format(&p->orbit, num, sizeof num);
    orbit_map_remove(ce->parked_by_id, PARKED_ID(p));
    orbit_map_remove(ce->parked_by_orbit, num);
    orbit_alloc_release(ce->alloc, &p->orbit);
    heap_remove(ce, &p->timer);
    json_t *data = call_ref(PARKED_ID(p), &p->orbit, "orbit");
    if (data && extra)
        json_object_update(data, extra);
    json_decref(extra);
    if (data)
        emit(ce, kind, data);
    ce->env.hooks.usage_changed(ce->env.hooks.ctx);
    free(p);
}

static group_queue *queue_for(call_engine *ce, const orbit_number *group, bool create)
{
    char key[ORBIT_NUMBER_BUF];
    orbit_number_format(group, key, sizeof key);
    group_queue *q = orbit_map_get(ce->queues, key);
    if (q || !create)
        return q;
    q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->group = *group;
    if (!orbit_map_put(ce->queues, key, q)) {
        free(q);
        return NULL;
    }
    return q;
}

static void end_queued(call_engine *ce, queued_entry *e, orbit_event_kind kind, json_t *extra)
{
    group_queue *q = e->queue;
    if (e->prev)
        e->prev->next = e->next;
    else
        q->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        q->tail = e->prev;
    q->depth--;
    ce->nqueued--;
    orbit_map_remove(ce->queued_by_id, e->call.call_id);
    heap_remove(ce, &e->timer);
    json_t *data = call_ref(e->call.call_id, &e->call.group, "group");
    if (data && extra)
        json_object_update(data, extra);
    json_decref(extra);
    if (data)
        emit(ce, kind, data);
    if (q->depth == 0) {
        char key[ORBIT_NUMBER_BUF];
        free(orbit_map_remove(ce->queues, orbit_number_format(&q->group, key, sizeof key)));
    }
    free(e);
}

/* Is `uri` a user now in resiliency mode? Unknown parties are not. */
static bool in_resiliency(const call_engine *ce, const char *uri)
{
    const orbit_user *u = orbit_deployment_user(ce->dep, uri);
    if (!u)
        return false;
    const dr_state *d = orbit_deployment_dr(ce->dep, u->home);
    return d && dr_phase_resiliency(d->phase);
}

/* Pickup availability for a callee of a group whose range is owned by
 * `owner` (core/dr_policy.c decides). */
static orbit_err pickup_check_callee(const call_engine *ce, const orbit_user *callee,
                                     const char *owner, orbit_status *st)
{
    const dr_state *d = orbit_deployment_dr(ce->dep, callee->home);
    if (!d)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "no DR state for %s", callee->home);
    return dr_pickup_check(d->phase, strcmp(owner, d->serving) == 0, st);
}

/* ---- ops ---- */

orbit_err call_engine_park(call_engine *ce, const orbit_cmd_args *a, json_t **data,
                           orbit_status *st)
{
    *data = NULL;
    const orbit_user *u = orbit_deployment_user(ce->dep, a->u.park.parker);
    if (!u)
        return orbit_status_set(st, ORBIT_ERR_NOT_FOUND, "parker", "unknown user %s",
                                a->u.park.parker);
    const dr_state *d = orbit_deployment_dr(ce->dep, u->home);
    if (!d)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "no DR state for %s", u->home);
    /* Only a pool known to be down refuses as unreachable; one not heard
     * from yet (just started) is not taken for dead. */
    bool serving_up = ce->env.hooks.pool_status(ce->env.hooks.ctx, d->serving) != POOL_STATUS_DOWN;
    orbit_err e = dr_park_check(d->phase, serving_up, strcmp(d->serving, me(ce)) == 0, st);
    if (e)
        return e;
    if (orbit_map_get(ce->parked_by_id, a->u.park.call_id))
        return orbit_status_set(st, ORBIT_ERR_CONFLICT, "call_id", "call %s is already parked",
                                a->u.park.call_id);
    size_t id_len = strlen(a->u.park.call_id), parker_len = strlen(a->u.park.parker);
    size_t parkee_len = strlen(a->u.park.parkee);
    const char *home = intern_home(ce, u->home);
    parked_entry *p = home ? malloc(sizeof *p + id_len + parker_len + parkee_len + 3) : NULL;
    if (!p)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    memset(p, 0, sizeof *p);
    if (!orbit_alloc_take_random(ce->alloc, ce->env.rng, &p->orbit)) {
        free(p);
        return orbit_status_set(st, ORBIT_ERR_NO_FREE_ORBIT, "",
                                "no free orbit in this pool's CallPark ranges; the call stays "
                                "connected");
    }
    const cps_settings *cfg = ce->env.settings;
    int64_t now = now_ms(ce);
    p->parker_at = (uint16_t)(id_len + 1);
    p->parkee_at = (uint16_t)(id_len + 1 + parker_len + 1);
    memcpy(PARKED_ID(p), a->u.park.call_id, id_len + 1);
    memcpy(PARKED_PARKER(p), a->u.park.parker, parker_len + 1);
    memcpy(PARKED_PARKEE(p), a->u.park.parkee, parkee_len + 1);
    p->home = home;
    p->parked_ms = now;
    p->deadline_ms = now + scaled_ms(ce, cfg->call_pickup_timeout_threshold);
    p->attempt = 0;
    p->state = PARKED_STATE_PARKED;
    p->music_on_hold = cfg->enable_music_on_hold;
    p->transport = (uint8_t)a->u.park.transport;
    p->timer = (engine_timer){.due = p->deadline_ms, .kind = TIMER_PARKED};
    char num[ORBIT_NUMBER_BUF];
    orbit_number_format(&p->orbit, num, sizeof num);
    if (!orbit_map_put(ce->parked_by_id, PARKED_ID(p), p) ||
        !orbit_map_put(ce->parked_by_orbit, num, p) || !heap_push(ce, &p->timer)) {
        orbit_map_remove(ce->parked_by_id, PARKED_ID(p));
        orbit_map_remove(ce->parked_by_orbit, num);
        orbit_alloc_release(ce->alloc, &p->orbit);
        free(p);
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    }
    ce->env.hooks.usage_changed(ce->env.hooks.ctx);
    emit_parked(ce, ORBIT_EV_CALL_PARKED, p);
    json_t *result = json_object();
    if (result && orbit_json_put_text(result, "call_id", PARKED_ID(p)) &&
        orbit_json_put_text(result, "orbit", num) &&
        orbit_json_put_int(result, "deadline_ms", p->deadline_ms) &&
        orbit_json_put_bool(result, "music_on_hold", p->music_on_hold) &&
        orbit_json_put_text(result, "moh", ce->env.moh->name))
        *data = result;
    else
        json_decref(result);
    return ORBIT_OK;
}

orbit_err call_engine_retrieve(call_engine *ce, const orbit_cmd_args *a, json_t **data,
                               orbit_status *st)
{
    *data = NULL;
    char num[ORBIT_NUMBER_BUF];
    orbit_number_format(&a->u.retrieve.orbit, num, sizeof num);
    const orbit_range *owner =
        orbit_table_owner_of(orbit_deployment_table_const(ce->dep), &a->u.retrieve.orbit);
    if (!owner)
        return orbit_status_set(st, ORBIT_ERR_NOT_FOUND, "orbit", "%s is in no orbit range", num);
    if (strcmp(owner->pool, me(ce)) != 0)
        return orbit_status_set(st, ORBIT_ERR_WRONG_POOL, "orbit",
                                "orbit %s belongs to pool %s (range '%s')", num, owner->pool,
                                owner->identity);
    parked_entry *p = orbit_map_get(ce->parked_by_orbit, num);
    if (!p)
        return orbit_status_set(st, ORBIT_ERR_NOT_FOUND, "orbit", "no call is parked on %s", num);
    *data = parked_json(p);
    end_parked(ce, p, ORBIT_EV_CALL_RETRIEVED, one_text("by", a->u.retrieve.by));
    return ORBIT_OK;
}

orbit_err call_engine_ringback_answer(call_engine *ce, const orbit_cmd_args *a, json_t **data,
                                      orbit_status *st)
{
    *data = NULL;
    parked_entry *p = orbit_map_get(ce->parked_by_id, a->u.call.call_id);
    if (!p)
        return orbit_status_set(st, ORBIT_ERR_NOT_FOUND, "call_id", "no parked call %s",
                                a->u.call.call_id);
    if (p->state != PARKED_STATE_RINGING_BACK)
        return orbit_status_set(st, ORBIT_ERR_CONFLICT, "call_id",
                                "call %s is parked, not ringing back", a->u.call.call_id);
    *data = parked_json(p);
    end_parked(ce, p, ORBIT_EV_CALL_RINGBACK_ANSWERED, one_text("by", PARKED_PARKER(p)));
    return ORBIT_OK;
}

orbit_err call_engine_hangup(call_engine *ce, const orbit_cmd_args *a, json_t **data,
                             orbit_status *st)
{
    *data = NULL;
    parked_entry *p = orbit_map_get(ce->parked_by_id, a->u.call.call_id);
    if (p) {
        *data = parked_json(p);
        end_parked(ce, p, ORBIT_EV_CALL_DISCONNECTED, one_text("reason", "hangup"));
        return ORBIT_OK;
    }
    queued_entry *e = orbit_map_get(ce->queued_by_id, a->u.call.call_id);
    if (e) {
        *data = orbit_json_from_pickup(&e->call);
        end_queued(ce, e, ORBIT_EV_PICKUP_CANCELLED, NULL);
        return ORBIT_OK;
    }
    return orbit_status_set(st, ORBIT_ERR_NOT_FOUND, "call_id", "no parked or queued call %s",
                            a->u.call.call_id);
}

orbit_err call_engine_pickup_ring(call_engine *ce, const orbit_cmd_args *a, json_t **data,
                                  orbit_status *st)
{
    *data = NULL;
    const orbit_user *callee = orbit_deployment_user(ce->dep, a->u.ring.callee);
    if (!callee)
        return orbit_status_set(st, ORBIT_ERR_NOT_FOUND, "callee", "unknown user %s",
                                a->u.ring.callee);
    if (!callee->has_group) {
        *data = json_pack("{s:b, s:s}", "queued", 0, "reason", "the callee is in no pickup group");
        return *data ? ORBIT_OK : orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    }
    char num[ORBIT_NUMBER_BUF];
    orbit_number_format(&callee->pickup_group, num, sizeof num);
    const orbit_range *owner =
        orbit_table_owner_of(orbit_deployment_table_const(ce->dep), &callee->pickup_group);
    if (!owner)
        return orbit_status_set(st, ORBIT_ERR_NOT_FOUND, "callee", "group %s is in no orbit range",
                                num);
    if (strcmp(owner->pool, me(ce)) != 0)
        return orbit_status_set(st, ORBIT_ERR_WRONG_POOL, "callee", "group %s is held by pool %s",
                                num, owner->pool);
    orbit_err e = pickup_check_callee(ce, callee, owner->pool, st);
    if (e)
        return e;
    if (orbit_map_get(ce->queued_by_id, a->u.ring.call_id))
        return orbit_status_set(st, ORBIT_ERR_CONFLICT, "call_id", "call %s is already queued",
                                a->u.ring.call_id);
    group_queue *q = queue_for(ce, &callee->pickup_group, true);
    queued_entry *qe = q ? calloc(1, sizeof *qe) : NULL;
    if (!qe)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    int64_t now = now_ms(ce);
    snprintf(qe->call.call_id, sizeof qe->call.call_id, "%s", a->u.ring.call_id);
    snprintf(qe->call.caller, sizeof qe->call.caller, "%s", a->u.ring.caller);
    snprintf(qe->call.callee, sizeof qe->call.callee, "%s", a->u.ring.callee);
    snprintf(qe->home, sizeof qe->home, "%s", callee->home);
    qe->call.group = callee->pickup_group;
    qe->call.ringing_since_ms = now;
    qe->call.pickable = true;
    qe->call.transport = a->u.ring.transport;
    qe->queue = q;
    qe->timer =
        (engine_timer){.due = now + scaled_ms(ce, CALL_PICKUP_RING_S), .kind = TIMER_QUEUED};
    if (!orbit_map_put(ce->queued_by_id, qe->call.call_id, qe) || !heap_push(ce, &qe->timer)) {
        orbit_map_remove(ce->queued_by_id, qe->call.call_id);
        free(qe);
        if (q->depth == 0)
            free(orbit_map_remove(ce->queues, num));
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
    }
    /* Calls ring in arrival order, so appending keeps the queue FIFO. */
    qe->prev = q->tail;
    if (q->tail)
        q->tail->next = qe;
    else
        q->head = qe;
    q->tail = qe;
    q->depth++;
    ce->nqueued++;
    json_t *ev = orbit_json_from_pickup(&qe->call);
    if (ev && orbit_json_put(ev, "pool", json_string(me(ce))))
        emit(ce, ORBIT_EV_PICKUP_QUEUED, ev);
    else
        json_decref(ev);
    *data =
        json_pack("{s:b, s:s, s:I}", "queued", 1, "group", num, "position", (json_int_t)q->depth);
    return ORBIT_OK;
}

orbit_err call_engine_pickup_take(call_engine *ce, const orbit_cmd_args *a, json_t **data,
                                  orbit_status *st)
{
    *data = NULL;
    char num[ORBIT_NUMBER_BUF];
    orbit_number_format(&a->u.take.group, num, sizeof num);
    const orbit_range *owner =
        orbit_table_owner_of(orbit_deployment_table_const(ce->dep), &a->u.take.group);
    if (!owner || owner->type != ORBIT_TYPE_GROUPPICKUP)
        return orbit_status_set(st, ORBIT_ERR_NOT_FOUND, "group",
                                "%s is not a Group Call Pickup number", num);
    if (strcmp(owner->pool, me(ce)) != 0)
        return orbit_status_set(st, ORBIT_ERR_WRONG_POOL, "group", "group %s is held by pool %s",
                                num, owner->pool);
    if (in_resiliency(ce, a->u.take.by))
        return orbit_status_set(st, ORBIT_ERR_PICKUP_UNAVAILABLE, "by",
                                "%s is in resiliency mode and cannot pick up calls", a->u.take.by);
    group_queue *q = queue_for(ce, &a->u.take.group, false);
    if (!q)
        return orbit_status_set(st, ORBIT_ERR_NOT_FOUND, "group", "no call is ringing in group %s",
                                num);
    orbit_status why;
    orbit_status_clear(&why);
    for (queued_entry *e = q->head; e; e = e->next) {
        if (!e->call.pickable) {
            orbit_status_set(&why, ORBIT_ERR_PICKUP_UNAVAILABLE, "group",
                             "calls queued before a failover or failback cannot be answered "
                             "by pickup");
            continue;
        }
        const orbit_user *callee = orbit_deployment_user(ce->dep, e->call.callee);
        if (callee && pickup_check_callee(ce, callee, owner->pool, &why) != ORBIT_OK)
            continue;
        *data = orbit_json_from_pickup(&e->call);
        end_queued(ce, e, ORBIT_EV_PICKUP_TAKEN, one_text("by", a->u.take.by));
        return ORBIT_OK;
    }
    if (why.code != ORBIT_OK) {
        *st = why;
        return why.code;
    }
    return orbit_status_set(st, ORBIT_ERR_NOT_FOUND, "group", "no call is ringing in group %s",
                            num);
}

static orbit_err pickup_leave(call_engine *ce, const orbit_cmd_args *a, orbit_event_kind kind,
                              json_t **data, orbit_status *st)
{
    *data = NULL;
    queued_entry *e = orbit_map_get(ce->queued_by_id, a->u.call.call_id);
    if (!e)
        return orbit_status_set(st, ORBIT_ERR_NOT_FOUND, "call_id", "no queued call %s",
                                a->u.call.call_id);
    *data = orbit_json_from_pickup(&e->call);
    end_queued(ce, e, kind, NULL);
    return ORBIT_OK;
}

orbit_err call_engine_pickup_answer(call_engine *ce, const orbit_cmd_args *a, json_t **data,
                                    orbit_status *st)
{
    return pickup_leave(ce, a, ORBIT_EV_PICKUP_ANSWERED, data, st);
}

orbit_err call_engine_pickup_cancel(call_engine *ce, const orbit_cmd_args *a, json_t **data,
                                    orbit_status *st)
{
    return pickup_leave(ce, a, ORBIT_EV_PICKUP_CANCELLED, data, st);
}

/* ---- timers ---- */

static void parked_due(call_engine *ce, parked_entry *p, int64_t now)
{
    const cps_settings *cfg = ce->env.settings;
    if (p->state == PARKED_STATE_PARKED) {
        /* Timeout: ring the parker back. */
        p->state = PARKED_STATE_RINGING_BACK;
        p->attempt++;
        p->deadline_ms = now + scaled_ms(ce, CALL_RINGBACK_RING_S);
        heap_reschedule(ce, &p->timer, p->deadline_ms);
        emit_parked(ce, ORBIT_EV_CALL_RINGBACK, p);
        return;
    }
    /* The ring-back went unanswered. */
    if (p->attempt < cfg->max_call_pickup_attempts) {
        p->state = PARKED_STATE_PARKED;
        p->deadline_ms = now + scaled_ms(ce, cfg->call_pickup_timeout_threshold);
        heap_reschedule(ce, &p->timer, p->deadline_ms);
        emit_parked(ce, ORBIT_EV_CALL_REPARKED, p);
        return;
    }
    if (cfg->on_timeout_uri[0])
        end_parked(ce, p, ORBIT_EV_CALL_FORWARDED, one_text("uri", cfg->on_timeout_uri));
    else
        end_parked(ce, p, ORBIT_EV_CALL_DISCONNECTED, one_text("reason", "timeout"));
}

void call_engine_tick(call_engine *ce, int64_t now)
{
    while (ce->nheap > 0 && ce->heap[0]->due <= now) {
        engine_timer *t = ce->heap[0];
        if (t->kind == TIMER_PARKED)
            parked_due(ce, CONTAINER(t, parked_entry, timer), now);
        else
            end_queued(ce, CONTAINER(t, queued_entry, timer), ORBIT_EV_PICKUP_VOICEMAIL, NULL);
    }
}

/* ---- DR ---- */

void call_engine_apply_dr(call_engine *ce, dr_event ev, const char *home)
{
    dr_fate parked_fate = dr_fate_of(ev, DR_CALL_PARKED);
    dr_fate queued_fate = dr_fate_of(ev, DR_CALL_PICKUP_QUEUED);
    const char *reason = dr_event_name(ev);
    /* Collect first: ending a call changes the maps being walked. */
    size_t n = orbit_map_count(ce->parked_by_id), k = 0, pos = 0;
    void **victims = malloc((n + orbit_map_count(ce->queued_by_id) + 1) * sizeof *victims);
    if (!victims)
        return;
    void *v;
    if (parked_fate == DR_FATE_DISCONNECTED || parked_fate == DR_FATE_NONE_LEFT) {
        while (orbit_map_next(ce->parked_by_id, &pos, NULL, &v)) {
            if (strcmp(((parked_entry *)v)->home, home) == 0)
                victims[k++] = v;
        }
        for (size_t i = 0; i < k; i++)
            end_parked(ce, victims[i], ORBIT_EV_CALL_DISCONNECTED, one_text("reason", reason));
    }
    k = 0;
    pos = 0;
    while (orbit_map_next(ce->queued_by_id, &pos, NULL, &v)) {
        if (strcmp(((queued_entry *)v)->home, home) == 0)
            victims[k++] = v;
    }
    for (size_t i = 0; i < k; i++) {
        queued_entry *e = victims[i];
        if (queued_fate == DR_FATE_UNPICKABLE && e->call.pickable) {
            e->call.pickable = false;
            json_t *data = call_ref(e->call.call_id, &e->call.group, "group");
            if (data && orbit_json_put(data, "reason", json_string(reason)))
                emit(ce, ORBIT_EV_PICKUP_UNPICKABLE, data);
            else
                json_decref(data);
        } else if (queued_fate == DR_FATE_NONE_LEFT || queued_fate == DR_FATE_DISCONNECTED) {
            end_queued(ce, e, ORBIT_EV_PICKUP_DROPPED, one_text("reason", reason));
        }
    }
    free(victims);
}

/* ---- queries ---- */

uint32_t call_engine_parked_in(const call_engine *ce, const orbit_range *r)
{
    return is_my_callpark(ce, r) ? orbit_alloc_taken_in(ce->alloc, r) : 0;
}

uint32_t call_engine_free_orbits(const call_engine *ce)
{
    return orbit_alloc_free_count(ce->alloc);
}

uint32_t call_engine_orbit_capacity(const call_engine *ce)
{
    return orbit_alloc_capacity(ce->alloc);
}

size_t call_engine_parked_count(const call_engine *ce)
{
    return orbit_map_count(ce->parked_by_id);
}

size_t call_engine_queued_count(const call_engine *ce)
{
    return ce->nqueued;
}

json_t *call_engine_parked_json(const call_engine *ce)
{
    json_t *arr = json_array();
    size_t pos = 0;
    void *v;
    while (arr && orbit_map_next(ce->parked_by_id, &pos, NULL, &v)) {
        if (json_array_append_new(arr, parked_json(v))) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

bool call_engine_parked_write(const call_engine *ce, orbit_buf *b)
{
    bool ok = orbit_buf_append(b, "[", 1);
    size_t pos = 0;
    void *v;
    for (bool first = true; ok && orbit_map_next(ce->parked_by_id, &pos, NULL, &v); first = false) {
        parked_call call;
        parked_view(v, &call);
        ok = (first || orbit_buf_append(b, ",", 1)) && orbit_json_write_parked(b, &call);
    }
    return ok && orbit_buf_append(b, "]", 1);
}

json_t *call_engine_queues_json(const call_engine *ce)
{
    json_t *arr = json_array();
    size_t pos = 0;
    void *v;
    while (arr && orbit_map_next(ce->queues, &pos, NULL, &v)) {
        group_queue *q = v;
        json_t *calls = json_array();
        for (queued_entry *e = q->head; calls && e; e = e->next) {
            if (json_array_append_new(calls, orbit_json_from_pickup(&e->call))) {
                json_decref(calls);
                calls = NULL;
            }
        }
        json_t *entry =
            calls ? json_pack("{s:o, s:o}", "group", orbit_json_number(&q->group), "calls", calls)
                  : NULL;
        if (!entry || json_array_append_new(arr, entry)) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

void call_engine_each_queue(const call_engine *ce,
                            void (*fn)(void *ctx, const char *group, size_t depth), void *ctx)
{
    size_t pos = 0;
    const char *key;
    void *v;
    while (orbit_map_next(ce->queues, &pos, &key, &v))
        fn(ctx, key, ((group_queue *)v)->depth);
}
