/* http_api: the HTTP endpoints of a pool: health, state, users, commands,
 * music-on-hold download and upload, the audit log and metrics, with
 * bearer-token roles enforced on each. */
#ifndef HTTP_API_H
#define HTTP_API_H

#include <libwebsockets.h>
#include <stddef.h>

/* Largest POST /v1/cmd body. */
#define HTTP_CMD_MAX_BYTES (1024u * 1024u)

/* Request headers over this many bytes are answered 431 and the
 * connection closed. */
#define HTTP_HEADER_MAX_BYTES 4000u

/* The room lws must give a request's headers (its context's
 * max_http_header_data) so that a request over HTTP_HEADER_MAX_BYTES is
 * still parsed and can be answered 431; past this lws closes the
 * connection without a status. */
#define HTTP_HEADER_BUFFER_BYTES (16u * 1024u)

int http_api_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                      size_t len);

/* Bytes lws allocates per HTTP connection for our state. */
size_t http_api_session_size(void);

#endif
