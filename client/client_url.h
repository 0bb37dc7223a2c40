/* client_url: the pieces of a pool's stream URL (ws://host:port/path or
 * wss://...) that clients compare and derive from: whether two URLs name
 * the same endpoint, and the pool's HTTP base ("ws://h:p/v1/stream" ->
 * "http://h:p"), which every REST call is made against. */
#ifndef CLIENT_URL_H
#define CLIENT_URL_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    bool tls;       /* wss:// */
    char host[256]; /* lower case; an IPv6 address keeps its brackets */
    int port;       /* the scheme's default when the URL names none */
    char path[256]; /* "/v1/stream" when the URL has none */
} client_url;

/* Parses a ws:// or wss:// URL; false with a reason in why (may be
 * NULL) otherwise. */
bool client_url_parse(const char *url, client_url *out, char *why, size_t whylen);

/* True when both URLs parse and name the same scheme, host and port. */
bool client_url_same_endpoint(const char *a, const char *b);

/* The HTTP base of a stream URL: "http://host:port" or "https://...".
 * False when the URL does not parse or out is too small. */
bool client_url_http_base(const char *url, char *out, size_t len);

#endif
