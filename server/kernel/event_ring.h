/* event_ring: this pool's event stream: an epoch chosen at start, a
 * revision that grows by exactly one per event, and a bounded ring of the
 * newest events so a client that reconnects can be replayed what it
 * missed instead of taking a whole snapshot. */
#ifndef EVENT_RING_H
#define EVENT_RING_H

#include "wire_msg.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define EVENT_EPOCH_LEN 16

typedef struct {
    char epoch[EVENT_EPOCH_LEN + 1];
    int64_t rev; /* of the newest event; 0 before the first */
    wire_msg **ring;
    size_t cap;
    uint64_t total;    /* events since start, for metrics */
    orbit_buf scratch; /* where each frame is written before it is copied
                        * into a message of its exact size; reused */
} event_ring;

/* A fresh epoch from the kernel's entropy; capacity events kept. */
bool event_ring_init(event_ring *r, size_t capacity);
void event_ring_free(event_ring *r);

/* Makes the next event frame (rev + 1) from kind and data (stolen), keeps
 * it in the ring and returns a new reference for the caller to send (or
 * NULL on OOM, when the revision does not advance). */
wire_msg *event_ring_append(event_ring *r, const char *kind, json_t *data, int64_t now_ms);

/* True when every event after since_rev of this epoch is still held. */
bool event_ring_can_replay(const event_ring *r, const char *epoch, int64_t since_rev);

/* The event with revision rev (borrowed), or NULL if not held. */
wire_msg *event_ring_get(const event_ring *r, int64_t rev);

#endif
