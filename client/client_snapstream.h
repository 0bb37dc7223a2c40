/* client_snapstream: a snapshot frame applied while it arrives, never
 * held whole. jansson, the client's JSON library everywhere else, parses
 * only complete texts into trees: a pool with 50,000 parked calls sends
 * an 11 MB snapshot, which as a jansson tree took 270 ms of CPU and 78 MB
 * before the mirror could read it. Here a yajl stream parser is fed each
 * piece of the frame as the network delivers it; every member of the
 * state goes into a fresh mirror as soon as it closes (one parked call
 * at a time, decoded straight from the parser's tokens, the other
 * members as small jansson values for client_mirror_load_member), and
 * the frame's own members (t, id, epoch, rev) are kept. The text is
 * never stored, so memory is the mirror's, and the rules are the
 * mirror's (client_mirror_load_*), so a streamed snapshot loads exactly
 * what client_mirror_load would. */
#ifndef CLIENT_SNAPSTREAM_H
#define CLIENT_SNAPSTREAM_H

#include "client_mirror.h"
#include "orbit_error.h"

#include <stddef.h>
#include <stdint.h>

typedef struct client_snapstream client_snapstream;

/* What the frame is, as far as it has been read. */
typedef enum {
    CLIENT_SNAPSTREAM_UNKNOWN = 0, /* no "t" yet */
    CLIENT_SNAPSTREAM_SNAPSHOT,    /* "t" is "snapshot" */
    CLIENT_SNAPSTREAM_OTHER,       /* not a snapshot: nothing more is read */
    CLIENT_SNAPSTREAM_BROKEN,      /* bad JSON or a state the mirror refuses */
} client_snapstream_kind;

/* NULL when out of memory. */
client_snapstream *client_snapstream_new(void);
void client_snapstream_free(client_snapstream *s);

/* Reads the next bytes of the frame (borrowed); returns what the frame
 * is known to be so far. Once OTHER or BROKEN, further bytes are
 * ignored. */
client_snapstream_kind client_snapstream_feed(client_snapstream *s, const void *bytes, size_t len);

/* The frame has ended: SNAPSHOT only for a whole, well-formed snapshot
 * whose state the mirror accepted. */
client_snapstream_kind client_snapstream_end(client_snapstream *s);

/* What went wrong when BROKEN ("" otherwise); borrowed. */
const char *client_snapstream_error(const client_snapstream *s);
/* The frame's members ("" or 0 when absent); borrowed. */
const char *client_snapstream_id(const client_snapstream *s);
const char *client_snapstream_epoch(const client_snapstream *s);
int64_t client_snapstream_rev(const client_snapstream *s);
/* State members loaded so far (the parked calls count as they come). */
size_t client_snapstream_parked(const client_snapstream *s);

/* After end() said SNAPSHOT: moves the state into m
 * (client_mirror_load_finish); at most once. */
orbit_err client_snapstream_apply(client_snapstream *s, client_mirror *m, orbit_status *st);

#endif
