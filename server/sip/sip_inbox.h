/* sip_inbox: the edge's side of the thread-safe mailbox declared in
 * sip_port.h. Other threads post; the SIP thread, woken by an eventfd in
 * its loop, takes everything posted so far in one batch. */
#ifndef SIP_INBOX_H
#define SIP_INBOX_H

#include "sip_port.h"

#include <stdint.h>

typedef enum {
    SIP_INBOX_EVENT,
    SIP_INBOX_DIRECTORY,
    SIP_INBOX_COMPLETION,
} sip_inbox_kind;

/* One posted item; the taker frees it with sip_inbox_item_free. */
typedef struct sip_inbox_item {
    struct sip_inbox_item *next;
    sip_inbox_kind kind;
    char *event_kind;   /* EVENT */
    json_t *data;       /* EVENT data, COMPLETION result (owned) */
    sip_directory *dir; /* DIRECTORY (one reference) */
    uint64_t leg_id;    /* COMPLETION: the leg that asked */
    int op;             /* COMPLETION: the edge's code for the op */
    char *call_id;      /* COMPLETION: the call_id the op named, or NULL */
} sip_inbox_item;

/* A new open inbox with one reference (the edge's). NULL on failure. */
sip_inbox *sip_inbox_new(void);
/* The eventfd that becomes readable when something was posted. */
int sip_inbox_fd(const sip_inbox *inbox);
/* Takes every item posted so far, oldest first (NULL when none), and
 * clears the eventfd. */
sip_inbox_item *sip_inbox_take(sip_inbox *inbox);
/* Stops accepting posts and frees what is queued; later posts are freed
 * on arrival. */
void sip_inbox_close(sip_inbox *inbox);
void sip_inbox_item_free(sip_inbox_item *item);

/* A call record for submit(): it holds a reference on inbox; call_id
 * (copied, may be NULL) comes back with the answer, so an answer for a
 * leg that has gone can still be undone; addr (copied, may be NULL) is the
 * phone's address the port may record (sip_port_call_peer). */
sip_port_call *sip_port_call_new(sip_inbox *inbox, uint64_t leg_id, int op, const char *call_id,
                                 const char *addr);
/* Frees a call that was never handed to a port (submit failed). */
void sip_port_call_free(sip_port_call *call);

#endif
