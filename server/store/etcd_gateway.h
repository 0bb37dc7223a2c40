/* etcd_gateway: a client of etcd v3's JSON gateway (the grpc-gateway every
 * etcd member serves under /v3/) over libcurl: requests and answers as
 * jansson objects, keys and values base64-encoded as the gateway wants,
 * TLS with a CA and a client certificate, user/password authentication,
 * and fail-over across the cluster's members: a member that does not
 * answer is left for the next one in the list. One handle per thread. */
#ifndef ETCD_GATEWAY_H
#define ETCD_GATEWAY_H

#include "orbit_error.h"
#include "store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct etcd_gateway etcd_gateway;

/* Members as "host:port[,host:port...]"; TLS (https) when opt names a CA
 * or a client certificate. Nothing is sent yet. */
orbit_err etcd_gateway_open(const char *members, const store_options *opt, etcd_gateway **out,
                            orbit_status *st);
void etcd_gateway_close(etcd_gateway *g);

/* POSTs body (borrowed) to path ("/v3/kv/range") and returns the answer
 * (new reference). A member that cannot be reached, or that has no
 * leader, is unavailable (the next member is tried first); an error the
 * cluster answered is internal with its message. */
orbit_err etcd_gateway_call(etcd_gateway *g, const char *path, const json_t *body, json_t **reply,
                            orbit_status *st);

/* Receives each message of a stream (POST /v3/watch): fn gets it
 * (borrowed) and returns false to stop. Returns when fn stops, after
 * wait_ms, or on an error. */
typedef bool (*etcd_stream_fn)(void *ctx, const json_t *msg);
orbit_err etcd_gateway_stream(etcd_gateway *g, const char *path, const json_t *body, int wait_ms,
                              etcd_stream_fn fn, void *ctx, orbit_status *st);

/* Base64 for keys and values. Both return new strings (NULL on OOM or, for
 * decoding, bad input); *len receives the decoded length. */
char *etcd_b64_encode(const void *data, size_t len);
char *etcd_b64_decode(const char *text, size_t *len);

/* A gateway number: int64 fields arrive as JSON strings. 0 when absent. */
int64_t etcd_int(const json_t *v);

#endif
