/* orbit_frame: the envelope of orbit.v1 frames: parsing an inbound text
 * frame into its type and fields with the protocol's error codes, and
 * building the frames both sides send. */
#ifndef ORBIT_FRAME_H
#define ORBIT_FRAME_H

#include "orbit_buf.h"
#include "orbit_error.h"
#include "orbit_ops.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Frames over this size are refused (WebSocket close 1009). */
#define ORBIT_FRAME_MAX_BYTES (1024u * 1024u)
#define ORBIT_FRAME_ID_MAX    64
#define ORBIT_EPOCH_MAX       40
#define ORBIT_TOKEN_MAX       256
#define ORBIT_CLIENT_NAME_MAX 64

typedef enum {
    ORBIT_FRAME_HELLO = 0,
    ORBIT_FRAME_WELCOME,
    ORBIT_FRAME_SUBSCRIBE,
    ORBIT_FRAME_SNAPSHOT,
    ORBIT_FRAME_REPLAY,
    ORBIT_FRAME_EVENT,
    ORBIT_FRAME_TICK,
    ORBIT_FRAME_RESYNC,
    ORBIT_FRAME_CMD,
    ORBIT_FRAME_RESULT,
    ORBIT_FRAME_ERROR,
    ORBIT_FRAME_TYPE_COUNT
} orbit_frame_type;

typedef struct {
    orbit_frame_type type;
    json_t *root; /* owned: release with orbit_frame_release */
    char id[ORBIT_FRAME_ID_MAX + 1];
} orbit_frame;

typedef struct {
    char token[ORBIT_TOKEN_MAX + 1];
    char client[ORBIT_CLIENT_NAME_MAX + 1];
} orbit_hello;

typedef struct {
    char id[ORBIT_FRAME_ID_MAX + 1];
    bool has_since;
    char epoch[ORBIT_EPOCH_MAX + 1];
    int64_t rev;
} orbit_subscribe;

typedef struct {
    char id[ORBIT_FRAME_ID_MAX + 1];
    orbit_op op;
    const json_t *args; /* borrowed from the frame; may be NULL */
} orbit_cmd;

const char *orbit_frame_type_name(orbit_frame_type t);

/* Parses a text frame: bad JSON, a non-object, a missing or unknown `t`
 * or a bad `id` are bad_request. On success f->root is owned by f. */
orbit_err orbit_frame_parse(const char *text, size_t len, orbit_frame *f, orbit_status *st);
void orbit_frame_release(orbit_frame *f);

/* Field decoders for the client-to-server frames. */
orbit_err orbit_frame_hello(const orbit_frame *f, orbit_hello *out, orbit_status *st);
orbit_err orbit_frame_subscribe(const orbit_frame *f, orbit_subscribe *out, orbit_status *st);
/* An unknown op is bad_request; arguments are decoded later with
 * orbit_args_decode once the role has been checked. */
orbit_err orbit_frame_cmd(const orbit_frame *f, orbit_cmd *out, orbit_status *st);

/* Builders. Each returns a new object or NULL on OOM; `data` and `state`
 * arguments are stolen. */
json_t *orbit_frame_make_result_ok(const char *id, json_t *data);
json_t *orbit_frame_make_result_error(const char *id, const orbit_status *st);
json_t *orbit_frame_make_error(const char *id, const orbit_status *st);
json_t *orbit_frame_make_event(const char *epoch, int64_t rev, const char *kind, json_t *data,
                               int64_t time_ms);
json_t *orbit_frame_make_tick(const char *epoch, int64_t rev, int64_t time_ms);

/* Writers for the frames every command and event sends: the same text
 * the builders above give after a compact dump, appended to b without
 * building the envelope as JSON values. data is borrowed and may be NULL
 * (written as {}). false on OOM. */
bool orbit_frame_write_result_ok(orbit_buf *b, const char *id, const json_t *data);
bool orbit_frame_write_event(orbit_buf *b, const char *epoch, int64_t rev, const char *kind,
                             const json_t *data, int64_t time_ms);

/* Serialises compactly; the caller frees. NULL on OOM. */
char *orbit_frame_dump(const json_t *frame, size_t *len);

#endif
