/* event_ring: epoch, revisions and the replay ring. */
#include "event_ring.h"

#include "orbit_frame.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

bool event_ring_init(event_ring *r, size_t capacity)
{
    memset(r, 0, sizeof *r);
    unsigned char bytes[EVENT_EPOCH_LEN / 2];
    if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes) {
        /* Unlikely; time and pid still make restarts distinct. */
        uint64_t x = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
        memcpy(bytes, &x, sizeof bytes);
    }
    for (size_t i = 0; i < sizeof bytes; i++)
        snprintf(r->epoch + 2 * i, 3, "%02x", bytes[i]);
    r->ring = calloc(capacity, sizeof *r->ring);
    if (!r->ring)
        return false;
    r->cap = capacity;
    return true;
}

void event_ring_free(event_ring *r)
{
    orbit_buf_free(&r->scratch);
    if (!r->ring)
        return;
    for (size_t i = 0; i < r->cap; i++)
        wire_msg_unref(r->ring[i]);
    free(r->ring);
    r->ring = NULL;
}

wire_msg *event_ring_append(event_ring *r, const char *kind, json_t *data, int64_t now_ms)
{
    orbit_buf_reset(&r->scratch);
    bool written = orbit_frame_write_event(&r->scratch, r->epoch, r->rev + 1, kind, data, now_ms);
    json_decref(data);
    wire_msg *m = written ? wire_msg_from_text(r->scratch.data, r->scratch.len) : NULL;
    if (r->scratch.cap > WIRE_MSG_SCRATCH_KEEP)
        orbit_buf_free(&r->scratch); /* a rare large event: do not hold its size */
    if (!m)
        return NULL;
    r->rev++;
    r->total++;
    size_t slot = (size_t)(r->rev % (int64_t)r->cap);
    wire_msg_unref(r->ring[slot]);
    r->ring[slot] = m;
    return wire_msg_ref(m);
}

bool event_ring_can_replay(const event_ring *r, const char *epoch, int64_t since_rev)
{
    if (strcmp(epoch, r->epoch) != 0 || since_rev > r->rev || since_rev < 0)
        return false;
    /* The ring holds revs (rev - cap, rev]; replay needs since_rev + 1. */
    return r->rev - since_rev <= (int64_t)r->cap;
}

wire_msg *event_ring_get(const event_ring *r, int64_t rev)
{
    if (rev <= 0 || rev > r->rev || r->rev - rev >= (int64_t)r->cap)
        return NULL;
    return r->ring[rev % (int64_t)r->cap];
}
