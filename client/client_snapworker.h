/* client_snapworker: a big snapshot parsed on a thread of its own while
 * the network thread goes on reading it. At 49,400 parked calls the
 * client spends about as long in libwebsockets' frame reader (byte at a
 * time) as in the JSON reader and the mirror (client_snapstream); done
 * one after the other on one thread they made orbitop's first screen
 * 250-350 ms. Here the network thread copies each piece into a bounded
 * queue and the worker feeds it to the stream, so the two overlap. The
 * stream and its fresh mirror are the worker's alone until
 * client_snapworker_finish hands them back. */
#ifndef CLIENT_SNAPWORKER_H
#define CLIENT_SNAPWORKER_H

#include "client_snapstream.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct client_snapworker client_snapworker;

/* Starts a worker that feeds stream (stolen) from here on. NULL when no
 * thread or memory could be had; the stream is then still the caller's. */
client_snapworker *client_snapworker_start(client_snapstream *stream);

/* Queues a copy of the next bytes (borrowed). Waits while the queue holds
 * more than a few megabytes, so memory stays bounded when the worker is
 * the slower. false when out of memory (the stream is then broken). */
bool client_snapworker_feed(client_snapworker *w, const void *bytes, size_t len);

/* Waits until every queued byte is fed, stops the worker and returns the
 * stream (new reference: the caller frees it), ready for
 * client_snapstream_end. */
client_snapstream *client_snapworker_finish(client_snapworker *w);

/* Stops the worker, dropping what is queued, and frees the stream.
 * NULL is ignored. */
void client_snapworker_cancel(client_snapworker *w);

#endif
