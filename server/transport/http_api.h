/* http_api: the HTTP endpoints of a pool: health, state, users, commands,
 * music-on-hold download and upload, the audit log and metrics, with
 * bearer-token roles enforced on each. */
#ifndef HTTP_API_H
#define HTTP_API_H

#include <libwebsockets.h>
#include <stddef.h>

/* Largest POST /v1/cmd body. */
#define HTTP_CMD_MAX_BYTES (1024u * 1024u)

int http_api_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                      size_t len);

/* Bytes lws allocates per HTTP connection for our state. */
size_t http_api_session_size(void);

#endif
