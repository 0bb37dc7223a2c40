/* ws_session: one WebSocket session on /v1/stream (subprotocol orbit.v1):
 * hello and authentication, subscribe with snapshot or replay, commands
 * and their results, ticks, and a bounded outbound queue that turns a
 * slow consumer into a resync instead of unbounded memory. */
#ifndef WS_SESSION_H
#define WS_SESSION_H

#include "wire_msg.h"

#include <libwebsockets.h>
#include <stdint.h>

typedef struct orbit_server orbit_server;

#define WS_PROTOCOL_NAME    "orbit.v1"
#define WS_HELLO_TIMEOUT_MS 5000
/* Consecutive bad frames before the session is closed with 4400. */
#define WS_BAD_FRAME_LIMIT 5

/* The libwebsockets callback of the orbit.v1 protocol. */
int ws_session_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                        size_t len);

/* Bytes lws allocates per session for our state. */
size_t ws_session_size(void);

/* Queues an event for every subscribed session. */
void ws_session_broadcast(orbit_server *srv, wire_msg *msg);

/* Hello timeouts and idle ticks. */
void ws_session_tick(orbit_server *srv, int64_t now_ms);

/* Tells every subscribed session to resync (after a store reload). */
void ws_session_resync_all(orbit_server *srv);

#endif
