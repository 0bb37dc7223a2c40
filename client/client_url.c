/* client_url: stream URL parsing for comparison and HTTP bases. */
#include "client_url.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Records why a URL is refused, when the caller wants to know. */
static bool refuse(char *why, size_t whylen, const char *url, const char *what)
{
    if (why && whylen)
        snprintf(why, whylen, "%.200s: %s", url, what);
    return false;
}

bool client_url_parse(const char *url, client_url *out, char *why, size_t whylen)
{
    memset(out, 0, sizeof *out);
    const char *rest;
    if (strncmp(url, "ws://", 5) == 0) {
        rest = url + 5;
    } else if (strncmp(url, "wss://", 6) == 0) {
        rest = url + 6;
        out->tls = true;
    } else {
        return refuse(why, whylen, url, "pool URLs begin with ws:// or wss://");
    }
    size_t auth = strcspn(rest, "/?#");
    const char *colon = NULL;
    size_t hostlen;
    if (rest[0] == '[') { /* [v6]:port */
        const char *close = memchr(rest, ']', auth);
        if (!close) {
            return refuse(why, whylen, url, "unclosed [ in the address");
        }
        hostlen = (size_t)(close - rest) + 1;
        if (hostlen < auth)
            colon = rest + hostlen;
    } else {
        colon = memchr(rest, ':', auth);
        hostlen = colon ? (size_t)(colon - rest) : auth;
    }
    if (hostlen == 0 || hostlen >= sizeof out->host) {
        return refuse(why, whylen, url, "no host, or a host too long");
    }
    for (size_t i = 0; i < hostlen; i++)
        out->host[i] = (char)tolower((unsigned char)rest[i]);
    out->port = out->tls ? 443 : 80;
    if (colon) {
        if (*colon != ':' || colon + 1 == rest + auth) {
            return refuse(why, whylen, url, "bad port");
        }
        char *end;
        long port = strtol(colon + 1, &end, 10);
        if (end != rest + auth || port < 1 || port > 65535) {
            return refuse(why, whylen, url, "bad port");
        }
        out->port = (int)port;
    }
    const char *path = rest + auth;
    if (snprintf(out->path, sizeof out->path, "%s", *path == '/' ? path : "/v1/stream") >=
        (int)sizeof out->path) {
        return refuse(why, whylen, url, "path too long");
    }
    return true;
}

bool client_url_same_endpoint(const char *a, const char *b)
{
    client_url x, y;
    return client_url_parse(a, &x, NULL, 0) && client_url_parse(b, &y, NULL, 0) && x.tls == y.tls &&
           x.port == y.port && strcmp(x.host, y.host) == 0;
}

bool client_url_http_base(const char *url, char *out, size_t len)
{
    client_url u;
    if (!client_url_parse(url, &u, NULL, 0))
        return false;
    int n = snprintf(out, len, "%s://%s:%d", u.tls ? "https" : "http", u.host, u.port);
    return n >= 0 && (size_t)n < len;
}
