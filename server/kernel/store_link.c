/* store_link: three store threads and the queue back to the loop. */
#include "store_link.h"

#include "orbit_time.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* After a failure a thread waits this long before it tries again. */
#define LINK_RETRY_MS 250

typedef struct commit_job {
    uint64_t job;
    store_cursor expect;
    store_batch batch;
    struct commit_job *next;
} commit_job;

struct store_link {
    store_options opt;
    char fqdn[ORBIT_FQDN_MAX + 1];
    char epoch[STORE_EPOCH_MAX + 1];
    char holder[STORE_HOLDER_MAX + 1];
    int64_t ttl_ms, beat_ms;
    int watch_wait_ms;
    void (*wake)(void *ctx);
    void *wake_ctx;

    orbit_store *handles[LINK_THREADS];
    pthread_t threads[LINK_THREADS];
    bool started[LINK_THREADS];

    pthread_mutex_t mu;
    pthread_cond_t cv; /* jobs for the writer; stop for everyone */
    bool stopping;
    /* to the loop */
    link_msg *out_head, *out_tail;
    /* to the writer */
    commit_job *jobs_head, *jobs_tail;
    /* to the heart */
    store_usage *usage;
    size_t nusage;
    bool usage_new;
    /* to the heart */
    bool beat_now;
    /* to the watcher */
    bool reload;
    store_cursor from;
};

/* ---- the queue to the loop ---- */

static void post(store_link *l, link_msg *m)
{
    pthread_mutex_lock(&l->mu);
    if (l->out_tail)
        l->out_tail->next = m;
    else
        l->out_head = m;
    l->out_tail = m;
    pthread_mutex_unlock(&l->mu);
    l->wake(l->wake_ctx);
}

static link_msg *msg_new(link_msg_kind kind)
{
    link_msg *m = calloc(1, sizeof *m);
    if (m)
        m->kind = kind;
    return m;
}

void store_link_msg_free(link_msg *m)
{
    if (!m)
        return;
    free(m->origin);
    free(m->who);
    free(m->change_kind);
    json_decref(m->data);
    store_image_free(&m->image);
    store_liveness_free(&m->live);
    free(m);
}

link_msg *store_link_take(store_link *l)
{
    pthread_mutex_lock(&l->mu);
    link_msg *m = l->out_head;
    l->out_head = l->out_tail = NULL;
    pthread_mutex_unlock(&l->mu);
    return m;
}

/* What a thread last told the loop of the store, and since when it has
 * been failing (0: it is not). */
typedef struct {
    bool ok;
    int64_t failing_since_ms;
} link_health;

/* Tells the loop a thread lost or regained the store, once per change. A
 * loss is told once the thread has failed for the liveness TTL without a
 * success in between: a heartbeat that waited too long for the lock, or
 * one read that failed, leaves this pool alive to its peers, and must not
 * make it refuse operator writes. Regaining is told at once. */
static void report_health(store_link *l, link_thread t, link_health *h, bool ok,
                          const orbit_status *st)
{
    int64_t now = orbit_time_mono_ms();
    if (ok)
        h->failing_since_ms = 0;
    else if (!h->failing_since_ms)
        h->failing_since_ms = now;
    if (ok == h->ok || (!ok && now - h->failing_since_ms < l->ttl_ms))
        return;
    h->ok = ok;
    link_msg *m = msg_new(LINK_MSG_HEALTH);
    if (!m)
        return;
    m->thread = t;
    m->ok = ok;
    if (st)
        m->st = *st;
    post(l, m);
}

/* Waits until `ms` have passed, the link stops, or (when *early is
 * given) *early turns true; true when stopping. */
static bool pause_or_stop_early(store_link *l, int64_t ms, bool *early)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&l->mu);
    while (!l->stopping && !(early && *early) &&
           pthread_cond_timedwait(&l->cv, &l->mu, &until) != ETIMEDOUT)
        ;
    if (early)
        *early = false;
    bool stop = l->stopping;
    pthread_mutex_unlock(&l->mu);
    return stop;
}

static bool pause_or_stop(store_link *l, int64_t ms)
{
    return pause_or_stop_early(l, ms, NULL);
}

static bool stopping(store_link *l)
{
    pthread_mutex_lock(&l->mu);
    bool stop = l->stopping;
    pthread_mutex_unlock(&l->mu);
    return stop;
}

/* ---- the watcher ---- */

typedef struct {
    store_link *l;
    store_cursor last;
    bool failed;
} watch_ctx;

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

static void on_change(void *ctx, const store_change *c)
{
    watch_ctx *w = ctx;
    if (w->failed)
        return;
    link_msg *m = msg_new(LINK_MSG_CHANGE);
    if (m) {
        m->cursor = c->cursor;
        m->time_ms = c->time_ms;
        m->origin = dup_or_empty(c->origin);
        m->who = dup_or_empty(c->who);
        m->change_kind = dup_or_empty(c->kind);
        m->data = json_incref(c->data);
    }
    if (!m || !m->origin || !m->who || !m->change_kind) {
        /* Without memory this change cannot be handed over: stop here and
         * read it again, rather than let the loop skip it. */
        store_link_msg_free(m);
        w->failed = true;
        return;
    }
    w->last = c->cursor;
    post(w->l, m);
}

static void *watcher_main(void *arg)
{
    store_link *l = arg;
    orbit_store *s = l->handles[LINK_THREAD_WATCHER];
    link_health health = {true, 0};
    pthread_mutex_lock(&l->mu);
    store_cursor cursor = l->from;
    pthread_mutex_unlock(&l->mu);
    while (!stopping(l)) {
        orbit_status st;
        orbit_status_clear(&st);
        pthread_mutex_lock(&l->mu);
        bool want_image = l->reload;
        l->reload = false;
        pthread_mutex_unlock(&l->mu);
        if (want_image) {
            link_msg *m = msg_new(LINK_MSG_IMAGE);
            if (m && store_load(s, &m->image, &st) == ORBIT_OK) {
                cursor = m->image.cursor;
                report_health(l, LINK_THREAD_WATCHER, &health, true, NULL);
                post(l, m);
            } else {
                store_link_msg_free(m);
                report_health(l, LINK_THREAD_WATCHER, &health, false, &st);
                pthread_mutex_lock(&l->mu);
                l->reload = true;
                pthread_mutex_unlock(&l->mu);
                pause_or_stop(l, LINK_RETRY_MS);
            }
            continue;
        }
        watch_ctx w = {l, cursor, false};
        bool trimmed = false;
        orbit_err e = store_changes(s, cursor, l->watch_wait_ms, on_change, &w, &trimmed, &st);
        cursor = w.last;
        if (e == ORBIT_OK && !w.failed) {
            report_health(l, LINK_THREAD_WATCHER, &health, true, NULL);
            if (trimmed) {
                pthread_mutex_lock(&l->mu);
                l->reload = true;
                pthread_mutex_unlock(&l->mu);
            }
            continue;
        }
        if (e != ORBIT_OK)
            report_health(l, LINK_THREAD_WATCHER, &health, false, &st);
        pause_or_stop(l, LINK_RETRY_MS);
    }
    return NULL;
}

/* ---- the writer ---- */

static void *writer_main(void *arg)
{
    store_link *l = arg;
    orbit_store *s = l->handles[LINK_THREAD_WRITER];
    for (;;) {
        pthread_mutex_lock(&l->mu);
        while (!l->stopping && !l->jobs_head)
            pthread_cond_wait(&l->cv, &l->mu);
        commit_job *j = l->jobs_head;
        if (j) {
            l->jobs_head = j->next;
            if (!l->jobs_head)
                l->jobs_tail = NULL;
        }
        bool stop = l->stopping && !j;
        pthread_mutex_unlock(&l->mu);
        if (stop)
            break;
        link_msg *m = msg_new(LINK_MSG_COMMITTED);
        orbit_status st;
        orbit_status_clear(&st);
        store_cursor committed = 0;
        orbit_err e = store_commit(s, j->expect, &j->batch, &committed, &st);
        if (e == ORBIT_OK)
            orbit_status_clear(&st); /* the outcome is the code returned */
        /* A failed commit answers its op with the store's reason (locked
         * by another process, disk full, out of reach) and says nothing of
         * the pool's health: the watcher and the heart judge that, and
         * keep trying by themselves. A writer that marked the pool
         * degraded would never hear it recovered, as a degraded pool
         * sends it no more commits. */
        if (m) {
            m->job = j->job;
            m->committed = committed;
            m->st = st;
            post(l, m);
        }
        /* Without memory for the answer the op times out in the loop. */
        store_batch_free(&j->batch);
        free(j);
    }
    return NULL;
}

bool store_link_commit(store_link *l, uint64_t job, store_cursor expect, store_batch *b)
{
    commit_job *j = calloc(1, sizeof *j);
    if (!j) {
        store_batch_free(b);
        return false;
    }
    j->job = job;
    j->expect = expect;
    j->batch = *b;
    memset(b, 0, sizeof *b);
    pthread_mutex_lock(&l->mu);
    if (l->jobs_tail)
        l->jobs_tail->next = j;
    else
        l->jobs_head = j;
    l->jobs_tail = j;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
    return true;
}

/* ---- the heart ---- */

static void *heart_main(void *arg)
{
    store_link *l = arg;
    orbit_store *s = l->handles[LINK_THREAD_HEART];
    link_health health = {true, 0};
    do {
        int64_t began = orbit_time_mono_ms();
        pthread_mutex_lock(&l->mu);
        store_usage *usage = l->usage_new ? l->usage : NULL;
        size_t nusage = l->nusage;
        l->usage = NULL;
        l->nusage = 0;
        l->usage_new = false;
        pthread_mutex_unlock(&l->mu);
        store_beat beat = {.fqdn = l->fqdn,
                           .epoch = l->epoch,
                           .holder = l->holder,
                           .ttl_ms = l->ttl_ms,
                           .usage = usage,
                           .nusage = nusage};
        orbit_status st;
        orbit_status_clear(&st);
        orbit_err e = store_heartbeat(s, &beat, &st);
        if (e != ORBIT_OK && usage) {
            /* Publish these counts with the next beat instead. */
            pthread_mutex_lock(&l->mu);
            if (!l->usage_new) {
                l->usage = usage;
                l->nusage = nusage;
                l->usage_new = true;
                usage = NULL;
            }
            pthread_mutex_unlock(&l->mu);
        }
        free(usage);
        link_msg *m = e == ORBIT_OK ? msg_new(LINK_MSG_LIVENESS) : NULL;
        if (m && (e = store_liveness_read(s, &m->live, &st)) == ORBIT_OK) {
            post(l, m);
            m = NULL;
        }
        store_link_msg_free(m);
        report_health(l, LINK_THREAD_HEART, &health, e == ORBIT_OK, e == ORBIT_OK ? NULL : &st);
        int64_t spent = orbit_time_mono_ms() - began;
        int64_t rest = l->beat_ms - spent;
        if (rest < 1)
            rest = 1;
        if (pause_or_stop_early(l, rest, &l->beat_now))
            break;
    } while (true);
    return NULL;
}

void store_link_set_usage(store_link *l, store_usage *usage, size_t n)
{
    pthread_mutex_lock(&l->mu);
    free(l->usage);
    l->usage = usage;
    l->nusage = n;
    l->usage_new = true;
    pthread_mutex_unlock(&l->mu);
}

void store_link_beat_now(store_link *l)
{
    pthread_mutex_lock(&l->mu);
    l->beat_now = true;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
}

void store_link_reload(store_link *l)
{
    pthread_mutex_lock(&l->mu);
    l->reload = true;
    pthread_mutex_unlock(&l->mu);
}

/* ---- lifecycle ---- */

store_link *store_link_start(const store_options *opt, const store_link_config *cfg,
                             store_cursor from, orbit_status *st)
{
    store_link *l = calloc(1, sizeof *l);
    if (!l) {
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "out of memory");
        return NULL;
    }
    l->opt = *opt;
    snprintf(l->fqdn, sizeof l->fqdn, "%s", cfg->fqdn);
    snprintf(l->epoch, sizeof l->epoch, "%s", cfg->epoch);
    snprintf(l->holder, sizeof l->holder, "%s", cfg->holder);
    l->ttl_ms = cfg->ttl_ms;
    l->beat_ms = cfg->beat_ms;
    l->watch_wait_ms = cfg->watch_wait_ms;
    l->wake = cfg->wake;
    l->wake_ctx = cfg->wake_ctx;
    l->from = from;
    if (pthread_mutex_init(&l->mu, NULL) != 0) {
        free(l);
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "cannot create a mutex");
        return NULL;
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    if (pthread_cond_init(&l->cv, &ca) != 0) {
        pthread_condattr_destroy(&ca);
        pthread_mutex_destroy(&l->mu);
        free(l);
        orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "cannot create a condition variable");
        return NULL;
    }
    pthread_condattr_destroy(&ca);
    for (int t = 0; t < LINK_THREADS; t++) {
        if (store_open(opt, &l->handles[t], st) != ORBIT_OK) {
            store_link_stop(l);
            return NULL;
        }
    }
    void *(*mains[LINK_THREADS])(void *) = {watcher_main, writer_main, heart_main};
    for (int t = 0; t < LINK_THREADS; t++) {
        if (pthread_create(&l->threads[t], NULL, mains[t], l) != 0) {
            orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "cannot start a store thread");
            store_link_stop(l);
            return NULL;
        }
        l->started[t] = true;
    }
    return l;
}

void store_link_stop(store_link *l)
{
    if (!l)
        return;
    pthread_mutex_lock(&l->mu);
    l->stopping = true;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
    for (int t = 0; t < LINK_THREADS; t++) {
        if (l->started[t])
            pthread_join(l->threads[t], NULL);
        store_close(l->handles[t]);
    }
    link_msg *m = l->out_head;
    while (m) {
        link_msg *next = m->next;
        store_link_msg_free(m);
        m = next;
    }
    commit_job *j = l->jobs_head;
    while (j) {
        commit_job *next = j->next;
        store_batch_free(&j->batch);
        free(j);
        j = next;
    }
    free(l->usage);
    pthread_cond_destroy(&l->cv);
    pthread_mutex_destroy(&l->mu);
    free(l);
}
