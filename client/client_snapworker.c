/* client_snapworker: a mutex and two condition variables around a list of
 * copied pieces. The feeder waits for room, the worker for pieces. */
#include "client_snapworker.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Enough to keep the worker busy for several reads, small against the
 * snapshot it is part of. */
#define QUEUE_MAX_BYTES (4u * 1024u * 1024u)

typedef struct piece {
    struct piece *next;
    size_t len;
    unsigned char bytes[];
} piece;

struct client_snapworker {
    client_snapstream *stream;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t has_piece; /* the worker waits on it */
    pthread_cond_t has_room;  /* the feeder waits on it */
    piece *head, *tail;
    size_t queued;
    bool ending;    /* no more pieces: drain and stop */
    bool cancelled; /* drop what is left and stop */
};

static void *worker_main(void *arg)
{
    client_snapworker *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->head && !w->ending && !w->cancelled)
            pthread_cond_wait(&w->has_piece, &w->lock);
        if (w->cancelled || !w->head)
            break;
        piece *p = w->head;
        w->head = p->next;
        if (!w->head)
            w->tail = NULL;
        pthread_mutex_unlock(&w->lock);
        /* The stream ignores what follows once it is broken or not a
         * snapshot, so it is fed whatever it says. */
        client_snapstream_feed(w->stream, p->bytes, p->len);
        pthread_mutex_lock(&w->lock);
        w->queued -= p->len;
        free(p);
        pthread_cond_signal(&w->has_room);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

static void drop_queue(client_snapworker *w)
{
    while (w->head) {
        piece *p = w->head;
        w->head = p->next;
        free(p);
    }
    w->tail = NULL;
    w->queued = 0;
}

client_snapworker *client_snapworker_start(client_snapstream *stream)
{
    client_snapworker *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->stream = stream;
    if (pthread_mutex_init(&w->lock, NULL) != 0) {
        free(w);
        return NULL;
    }
    if (pthread_cond_init(&w->has_piece, NULL) != 0) {
        pthread_mutex_destroy(&w->lock);
        free(w);
        return NULL;
    }
    if (pthread_cond_init(&w->has_room, NULL) != 0) {
        pthread_cond_destroy(&w->has_piece);
        pthread_mutex_destroy(&w->lock);
        free(w);
        return NULL;
    }
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        pthread_cond_destroy(&w->has_room);
        pthread_cond_destroy(&w->has_piece);
        pthread_mutex_destroy(&w->lock);
        free(w);
        return NULL;
    }
    return w;
}

bool client_snapworker_feed(client_snapworker *w, const void *bytes, size_t len)
{
    if (len == 0)
        return true;
    piece *p = malloc(sizeof *p + len);
    if (!p)
        return false;
    p->next = NULL;
    p->len = len;
    memcpy(p->bytes, bytes, len);
    pthread_mutex_lock(&w->lock);
    while (w->queued > QUEUE_MAX_BYTES)
        pthread_cond_wait(&w->has_room, &w->lock);
    if (w->tail)
        w->tail->next = p;
    else
        w->head = p;
    w->tail = p;
    w->queued += len;
    pthread_cond_signal(&w->has_piece);
    pthread_mutex_unlock(&w->lock);
    return true;
}

/* Stops the thread (after draining unless cancelled) and frees all but
 * the stream, which it returns. */
static client_snapstream *stop(client_snapworker *w, bool cancel)
{
    pthread_mutex_lock(&w->lock);
    w->ending = true;
    w->cancelled = cancel;
    pthread_cond_signal(&w->has_piece);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    drop_queue(w);
    client_snapstream *s = w->stream;
    pthread_cond_destroy(&w->has_room);
    pthread_cond_destroy(&w->has_piece);
    pthread_mutex_destroy(&w->lock);
    free(w);
    return s;
}

client_snapstream *client_snapworker_finish(client_snapworker *w)
{
    return stop(w, false);
}

void client_snapworker_cancel(client_snapworker *w)
{
    if (w)
        client_snapstream_free(stop(w, true));
}
