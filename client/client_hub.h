/* client_hub: a client's connections to the pools of a deployment over
 * orbit.v1: one libwebsockets client context and event loop, a connection
 * per pool that greets, subscribes, resumes with `since` after a
 * reconnect, keeps a mirror of the pool's state current, reconnects
 * forever with capped exponential backoff and jitter, and correlates
 * commands with their results. Nothing here blocks on the network; a UI
 * shares the loop by adopting its terminal's descriptor. */
#ifndef CLIENT_HUB_H
#define CLIENT_HUB_H

#include "client_mirror.h"
#include "orbit_error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct client_hub client_hub;
typedef struct client_conn client_conn;

typedef enum {
    CLIENT_CONN_IDLE = 0,   /* waiting to (re)connect */
    CLIENT_CONN_CONNECTING, /* TCP / TLS / upgrade under way */
    CLIENT_CONN_GREETING,   /* hello sent, waiting for welcome */
    CLIENT_CONN_SYNCING,    /* subscribed, waiting for snapshot or replay */
    CLIENT_CONN_LIVE,       /* mirror current, events flowing */
} client_conn_state;

typedef struct {
    const char *token;       /* sent in hello */
    const char *client_name; /* "orbitop/0.1" */
    const char *ca_file;     /* PEM file to verify wss:// servers with; NULL: system */
    /* Every URL is ws://: no TLS client context is made, which saves
     * loading the system's CA certificates at start (about 50 ms); a
     * wss:// URL is then refused by client_hub_add. */
    bool plaintext_only;
    /* Also connect to the pools a pool lists, each only when allow_url
     * says its URL may receive the token (see client_target.h); without
     * allow_url nothing is discovered. why receives a refusal's reason. */
    bool discover;
    bool (*allow_url)(void *ctx, const char *url, char *why, size_t whylen);
    void *allow_ctx;     /* borrowed for the hub's life */
    bool subscribe;      /* keep mirrors (false: commands only) */
    int cmd_timeout_ms;  /* 0: 10 s */
    int backoff_base_ms; /* 0: 250 ms */
    int backoff_cap_ms;  /* 0: 15 s */
} client_options;

/* Callbacks into the application; any may be NULL. */
typedef struct {
    /* Connection state, staleness or identity changed. */
    void (*on_conn)(void *ctx, client_conn *c);
    /* The mirror was replaced by a snapshot. */
    void (*on_snapshot)(void *ctx, client_conn *c);
    /* An event was applied (changed: CLIENT_CHANGED_* flags). */
    void (*on_event)(void *ctx, client_conn *c, const char *kind, const json_t *data,
                     unsigned changed);
    /* A connection was added by discovery. */
    void (*on_added)(void *ctx, client_conn *c);
    /* A pool listed a URL that allow_url refused (once per FQDN and URL). */
    void (*on_refused)(void *ctx, const char *fqdn, const char *url, const char *why);
} client_hooks;

/* A pool's URL that discovery did not dial, and why. */
typedef struct {
    char fqdn[ORBIT_FQDN_MAX + 1];
    char url[512];
    char why[160];
} client_refusal;

/* The result of a command: ok with data, or a refusal (err) with the
 * pool's `error` object as data. A command that cannot be delivered or is
 * not answered in time fails with pool_unreachable and NULL data: so a
 * refusal the pool answered (even pool_unreachable, a pool saying that
 * another is down) is told apart from no answer. Use
 * client_result_answered(). */
typedef void (*client_result_fn)(void *ctx, client_conn *c, bool ok, const json_t *data,
                                 const orbit_status *err);

/* Did the pool answer (ok, or a refusal it sent)? */
static inline bool client_result_answered(bool ok, const json_t *data)
{
    return ok || data != NULL;
}

client_hub *client_hub_new(const client_options *o, const client_hooks *h, void *ctx,
                           orbit_status *st);
void client_hub_free(client_hub *hub);

/* Adds a pool by its stream URL (ws:// or wss://host:port/v1/stream);
 * connecting starts at once. Returns the existing one for a known URL. */
client_conn *client_hub_add(client_hub *hub, const char *url, orbit_status *st);

size_t client_hub_count(const client_hub *hub);
client_conn *client_hub_at(const client_hub *hub, size_t i);
/* The connection to a pool by FQDN (known once welcomed or listed). */
client_conn *client_hub_find(const client_hub *hub, const char *fqdn);

/* Runs the loop once: waits for network activity, a timer or a wake-up. */
void client_hub_service(client_hub *hub);
/* Makes a waiting client_hub_service() return (any thread). */
void client_hub_wake(client_hub *hub);

/* Watches a descriptor (a terminal's stdin) in the same loop: fn runs
 * when it is readable, and when it closes. */
bool client_hub_watch_fd(client_hub *hub, int fd, void (*fn)(void *ctx), void *ctx);

/* Runs fn every period_ms from the loop (UI frames, simulators). */
bool client_hub_every(client_hub *hub, int period_ms, void (*fn)(void *ctx, int64_t now_ms),
                      void *ctx);

/* The libwebsockets context, for modules that schedule their own timers
 * on the same loop (REST transfers). */
struct lws_context *client_hub_lws(const client_hub *hub);

/* True when every connection is live. */
bool client_hub_all_live(const client_hub *hub);

/* URLs listed by pools that discovery refused to dial. */
size_t client_hub_refused_count(const client_hub *hub);
const client_refusal *client_hub_refused_at(const client_hub *hub, size_t i);

/* ---- one connection ---- */

client_conn_state client_conn_get_state(const client_conn *c);
const char *client_conn_state_name(client_conn_state s);
const char *client_conn_url(const client_conn *c);
/* The pool's FQDN ("" until known). */
const char *client_conn_fqdn(const client_conn *c);
/* The role the pool granted this token ("" before welcome). */
const char *client_conn_role(const client_conn *c);
/* No frame for 3 heartbeats. */
bool client_conn_stale(const client_conn *c);
int64_t client_conn_last_frame_ms(const client_conn *c);
const char *client_conn_epoch(const client_conn *c);
int64_t client_conn_rev(const client_conn *c);
/* The last connection problem, "" when none. */
const char *client_conn_error(const client_conn *c);
/* Reconnection attempts since the last good session. */
int client_conn_attempts(const client_conn *c);
/* Snapshots and replays taken, for tests and diagnostics. */
uint64_t client_conn_snapshots(const client_conn *c);
uint64_t client_conn_replays(const client_conn *c);
uint64_t client_conn_events(const client_conn *c);
client_mirror *client_conn_mirror(const client_conn *c);

/* Sends a command; args is stolen. False (st: pool_unreachable) when the
 * connection is not open; fn is then not called. */
bool client_conn_cmd(client_conn *c, const char *op, json_t *args, client_result_fn fn, void *ctx,
                     orbit_status *st);

/* The pool's HTTP base URL derived from its stream URL
 * ("ws://h:p/v1/stream" -> "http://h:p"). */
bool client_conn_http_base(const client_conn *c, char *out, size_t len);

#endif
