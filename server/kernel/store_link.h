/* store_link: the pool's connection to the shared store, on threads of
 * its own so that the event loop never waits on the store: a busy store,
 * a lost etcd leader or a member that stopped answering delays only these
 * threads, while the loop keeps serving calls from local state.
 *
 * Three threads, each with its own store handle:
 *  - the watcher follows the change history from a cursor and hands each
 *    change over (or a whole image when the history was trimmed);
 *  - the writer commits batches, one at a time, conditional on a cursor;
 *  - the heart writes this pool's heartbeat on a steady beat and reads
 *    everyone's liveness, and never queues behind a commit.
 * They hand messages to the loop through one queue and wake it with the
 * pool's wake function; pool_drain() takes them in order. */
#ifndef STORE_LINK_H
#define STORE_LINK_H

#include "store.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct store_link store_link;

typedef enum {
    LINK_MSG_CHANGE = 0, /* one change of the history */
    LINK_MSG_IMAGE,      /* a whole image: the history was trimmed, or asked for */
    LINK_MSG_LIVENESS,   /* everyone's liveness and usage */
    LINK_MSG_COMMITTED,  /* a commit's outcome */
    LINK_MSG_HEALTH,     /* the watcher or the heart lost or regained the store */
} link_msg_kind;

typedef enum {
    LINK_THREAD_WATCHER = 0,
    LINK_THREAD_WRITER,
    LINK_THREAD_HEART,
    LINK_THREADS
} link_thread;

typedef struct link_msg {
    link_msg_kind kind;
    struct link_msg *next;
    /* CHANGE */
    store_cursor cursor;
    int64_t time_ms;
    char *origin, *who, *change_kind;
    json_t *data;
    /* IMAGE */
    store_image image;
    /* LIVENESS */
    store_liveness live;
    /* COMMITTED */
    uint64_t job;
    store_cursor committed;
    /* COMMITTED and HEALTH */
    orbit_status st;
    /* HEALTH */
    link_thread thread;
    bool ok;
} link_msg;

typedef struct {
    const char *fqdn;
    const char *epoch;
    const char *holder;
    int64_t ttl_ms;    /* how long a heartbeat keeps this pool alive */
    int64_t beat_ms;   /* how often the heart beats */
    int watch_wait_ms; /* how long one wait for changes lasts */
    void (*wake)(void *ctx);
    void *wake_ctx;
} store_link_config;

/* Opens three handles with opt and starts the threads, following the
 * history from `from` (the cursor of the image the pool loaded). cfg's
 * strings are copied. NULL with st on failure. */
store_link *store_link_start(const store_options *opt, const store_link_config *cfg,
                             store_cursor from, orbit_status *st);
/* Stops the threads; a commit in flight finishes first. */
void store_link_stop(store_link *l);

/* Every message waiting, oldest first (the caller frees each with
 * store_link_msg_free), or NULL. */
link_msg *store_link_take(store_link *l);
void store_link_msg_free(link_msg *m);

/* Queues a commit of b (stolen) conditional on expect; its outcome comes
 * back as LINK_MSG_COMMITTED with this job number. False on OOM (b is
 * freed). */
bool store_link_commit(store_link *l, uint64_t job, store_cursor expect, store_batch *b);

/* The in-use counts the next heartbeat publishes (stolen). */
void store_link_set_usage(store_link *l, store_usage *usage, size_t n);

/* Asks the heart to beat and read everyone's liveness now rather than at
 * its next beat (before a decision that depends on who is up). */
void store_link_beat_now(store_link *l);

/* Asks the watcher for a whole image (after a change could not be
 * applied), then to follow the history from its cursor. */
void store_link_reload(store_link *l);

#endif
