/* sip_inbox: a mutex-protected FIFO and an eventfd. Posting never
 * blocks on the SIP thread's work, only on the short list splice. */
#include "sip_inbox.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct sip_inbox {
    atomic_int refs;
    pthread_mutex_t lock;
    bool closed;
    sip_inbox_item *head, *tail;
    int fd;
};

struct sip_port_call {
    sip_inbox *inbox;
    uint64_t leg_id;
    int op;
    char *call_id;
    char peer[64];
};

sip_inbox *sip_inbox_new(void)
{
    sip_inbox *in = calloc(1, sizeof *in);
    if (!in)
        return NULL;
    in->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (in->fd < 0 || pthread_mutex_init(&in->lock, NULL) != 0) {
        if (in->fd >= 0)
            close(in->fd);
        free(in);
        return NULL;
    }
    atomic_init(&in->refs, 1);
    return in;
}

int sip_inbox_fd(const sip_inbox *inbox)
{
    return inbox->fd;
}

void sip_inbox_item_free(sip_inbox_item *item)
{
    if (!item)
        return;
    free(item->event_kind);
    free(item->call_id);
    json_decref(item->data);
    sip_directory_unref(item->dir);
    free(item);
}

static void free_list(sip_inbox_item *item)
{
    while (item) {
        sip_inbox_item *next = item->next;
        sip_inbox_item_free(item);
        item = next;
    }
}

/* Queues item (stolen), or frees it when the inbox is closed. */
static void post(sip_inbox *in, sip_inbox_item *item)
{
    pthread_mutex_lock(&in->lock);
    bool accepted = !in->closed, was_empty = !in->head;
    if (accepted) {
        if (in->tail)
            in->tail->next = item;
        else
            in->head = item;
        in->tail = item;
    }
    pthread_mutex_unlock(&in->lock);
    if (!accepted) {
        sip_inbox_item_free(item);
        return;
    }
    /* Only the post that made the list non-empty signals: the reader
     * reads the eventfd before it takes the whole list, so an item
     * posted after its take finds the list empty and signals again. A
     * write per item was a system call per pool event. */
    if (!was_empty)
        return;
    uint64_t one = 1;
    /* Only EAGAIN (counter at its maximum, already readable) can fail. */
    if (write(in->fd, &one, sizeof one) < 0)
        return;
}

sip_inbox_item *sip_inbox_take(sip_inbox *inbox)
{
    uint64_t count;
    if (read(inbox->fd, &count, sizeof count) < 0) {
        /* EAGAIN: nothing signalled; the list may still hold items
         * posted between a previous take and its read. */
    }
    pthread_mutex_lock(&inbox->lock);
    sip_inbox_item *head = inbox->head;
    inbox->head = inbox->tail = NULL;
    pthread_mutex_unlock(&inbox->lock);
    return head;
}

void sip_inbox_close(sip_inbox *inbox)
{
    pthread_mutex_lock(&inbox->lock);
    inbox->closed = true;
    sip_inbox_item *head = inbox->head;
    inbox->head = inbox->tail = NULL;
    pthread_mutex_unlock(&inbox->lock);
    free_list(head);
}

sip_inbox *sip_inbox_ref(sip_inbox *inbox)
{
    if (inbox)
        atomic_fetch_add(&inbox->refs, 1);
    return inbox;
}

void sip_inbox_unref(sip_inbox *inbox)
{
    if (!inbox || atomic_fetch_sub(&inbox->refs, 1) != 1)
        return;
    free_list(inbox->head);
    pthread_mutex_destroy(&inbox->lock);
    close(inbox->fd);
    free(inbox);
}

void sip_inbox_post_event(sip_inbox *inbox, const char *kind, json_t *data)
{
    sip_inbox_item *item = calloc(1, sizeof *item);
    if (!item || !kind || !(item->event_kind = strdup(kind))) {
        free(item);
        json_decref(data);
        return;
    }
    item->kind = SIP_INBOX_EVENT;
    item->data = data;
    post(inbox, item);
}

void sip_inbox_set_directory(sip_inbox *inbox, sip_directory *dir)
{
    sip_inbox_item *item = calloc(1, sizeof *item);
    if (!item) {
        sip_directory_unref(dir);
        return;
    }
    item->kind = SIP_INBOX_DIRECTORY;
    item->dir = dir;
    post(inbox, item);
}

sip_port_call *sip_port_call_new(sip_inbox *inbox, uint64_t leg_id, int op, const char *call_id,
                                 const char *addr)
{
    sip_port_call *call = malloc(sizeof *call);
    if (!call)
        return NULL;
    call->call_id = call_id ? strdup(call_id) : NULL;
    if (call_id && !call->call_id) {
        free(call);
        return NULL;
    }
    call->inbox = sip_inbox_ref(inbox);
    call->leg_id = leg_id;
    call->op = op;
    snprintf(call->peer, sizeof call->peer, "%s", addr ? addr : "");
    return call;
}

const char *sip_port_call_peer(const sip_port_call *call)
{
    return call ? call->peer : "";
}

void sip_port_call_free(sip_port_call *call)
{
    if (!call)
        return;
    sip_inbox_unref(call->inbox);
    free(call->call_id);
    free(call);
}

void sip_port_call_complete(sip_port_call *call, json_t *result)
{
    if (!call) {
        json_decref(result);
        return;
    }
    sip_inbox_item *item = calloc(1, sizeof *item);
    if (!item) {
        /* The leg that waits is torn down by its own timeout. */
        json_decref(result);
        sip_port_call_free(call);
        return;
    }
    item->kind = SIP_INBOX_COMPLETION;
    item->data = result;
    item->leg_id = call->leg_id;
    item->op = call->op;
    item->call_id = call->call_id; /* moved */
    sip_inbox *inbox = call->inbox;
    free(call);
    post(inbox, item);
    sip_inbox_unref(inbox);
}
