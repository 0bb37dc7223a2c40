/* sip_port: the only way the SIP edge talks to its pool.
 *
 * The edge runs libre's loop in a thread of its own; the pool kernel is
 * single-threaded on the libwebsockets loop. They meet here, and only
 * here, through two one-way channels:
 *
 *   edge -> pool  sip_port_type.submit(): an orbit.v1 endpoint op, answered
 *                 later by sip_port_call_complete() (from any thread; the
 *                 edge handles the answer on its own thread).
 *   pool -> edge  a sip_inbox: events (the orbit.v1 event kinds and data)
 *                 and directory snapshots, posted from any thread.
 *
 * Nothing else is shared: the edge never reads kernel memory and the
 * kernel never touches libre objects. Like redis's ConnectionType, the
 * port is a table of functions plus an opaque context, so the same edge
 * runs on the real kernel (orbitd) and on tests' fake engine. */
#ifndef SIP_PORT_H
#define SIP_PORT_H

#include <jansson.h>

#include "sip_directory.h"

/* Thread-safe mailbox into one edge. Reference-counted: the port keeps
 * one for as long as it may post; posts after the edge stopped are
 * freed silently, so the port never races the edge's shutdown. */
typedef struct sip_inbox sip_inbox;

/* One op the edge is waiting for. Owned by the edge until it is handed
 * back by sip_port_call_complete(), which must happen exactly once. */
typedef struct sip_port_call sip_port_call;

typedef struct sip_port_type {
    const char *name; /* "kernel", "fake": for logs */

    /* The edge started: inbox is where the pool posts events and
     * directories (borrowed: take sip_inbox_ref to keep it). The pool
     * should post its first directory at once; until then the edge
     * answers every request 503. Called on the SIP thread, must not block. */
    void (*attach)(void *port, sip_inbox *inbox);

    /* Runs an orbit.v1 endpoint op on the pool's thread, exactly as a
     * `cmd` frame from an endpoint-role session would: op is one of
     * call.park, call.retrieve, call.ringback_answer, call.hangup,
     * pickup.ring, pickup.take, pickup.answer, pickup.cancel; args as in
     * docs/protocol.md (stolen). call_id is the SIP Call-ID; call.park and
     * pickup.ring carry "transport": "sip". Called on the SIP thread, must
     * not block: queue the op and return. The answer goes to
     * sip_port_call_complete(call, result). */
    void (*submit)(void *port, const char *op, json_t *args, sip_port_call *call);

    /* The edge is stopping: the port drops its inbox reference soon
     * (posting after this is harmless: it is freed). Every call the port
     * still holds must still be completed, now or later, since
     * completing is what frees it. Called on the SIP thread, must not
     * block. */
    void (*detach)(void *port);
} sip_port_type;

typedef struct {
    const sip_port_type *type;
    void *ctx; /* the port's own state, passed to every function */
} sip_port;

/* Hands back the answer to a submitted op, from any thread. result is
 * stolen and is the protocol's result body: {"ok":true,"data":{...}} or
 * {"ok":false,"error":{"code":"...","message":"..."}}. NULL means the
 * pool could not run it (answered as `internal`). */
void sip_port_call_complete(sip_port_call *call, json_t *result);

/* The address ("ip:port") of the phone whose request caused the op, ""
 * when none did (the pool may record it as the op's peer). Borrowed from
 * call, valid until it is completed. */
const char *sip_port_call_peer(const sip_port_call *call);

/* Posts an orbit.v1 event (kind as in docs/protocol.md, data stolen) from
 * any thread. The edge acts on call.ringback, call.reparked,
 * call.forwarded, call.disconnected, call.retrieved,
 * call.ringback_answered, pickup.voicemail and pickup.dropped for calls
 * it carries, and ignores the rest (DR changes reach it as those events
 * and as a new directory): posting every event is fine. */
void sip_inbox_post_event(sip_inbox *inbox, const char *kind, json_t *data);

/* Replaces the directory the edge reads (users, pools, ranges, settings,
 * MOH), from any thread; dir's reference is stolen. */
void sip_inbox_set_directory(sip_inbox *inbox, sip_directory *dir);

sip_inbox *sip_inbox_ref(sip_inbox *inbox);
void sip_inbox_unref(sip_inbox *inbox);

#endif
