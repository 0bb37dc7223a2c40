/* client_snapstream: yajl's tokens to the mirror's loader, one member
 * (and one parked call) at a time. Each open container has a role that
 * says what its values are: the frame's members, the state's members, the
 * parked calls, one call's fields, a value being built for the loader, or
 * something skipped. */
#include "client_snapstream.h"

#include "orbit_frame.h"
#include "orbit_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

/* Deeper than any state: a frame nested past this is refused. */
#define MAX_DEPTH 256
#define KEY_MAX   32 /* the longest member name this reads */

typedef enum {
    ROLE_FRAME,  /* the frame object */
    ROLE_STATE,  /* its "state" */
    ROLE_PARKED, /* the state's "parked" array */
    ROLE_CALL,   /* one parked call */
    ROLE_BUILD,  /* inside a member built as a jansson value */
    ROLE_SKIP,   /* inside a value nothing reads */
} role;

/* The fields of a parked call, in the order orbit_json_to_parked checks
 * them. */
typedef enum {
    F_CALL_ID,
    F_PARKER,
    F_PARKEE,
    F_ORBIT,
    F_PARKED_MS,
    F_DEADLINE_MS,
    F_ATTEMPT,
    F_STATE,
    F_MOH,
    F_TRANSPORT,
    F_COUNT,
    F_OTHER = F_COUNT,
} field;

#define NAMED(text)                                                                                \
    {                                                                                              \
        text, sizeof text - 1                                                                      \
    }
static const struct {
    const char *name;
    size_t len;
} FIELDS[F_COUNT] = {NAMED("call_id"),       NAMED("parker"),      NAMED("parkee"),  NAMED("orbit"),
                     NAMED("parked_ms"),     NAMED("deadline_ms"), NAMED("attempt"), NAMED("state"),
                     NAMED("music_on_hold"), NAMED("transport")};

typedef enum { V_NONE = 0, V_NULL, V_BOOL, V_INT, V_REAL, V_STRING, V_CONTAINER } value_kind;

/* The last value of one field of the call being read (JSON's last
 * duplicate wins, as in jansson). Strings longer than any field allows
 * keep only their length, which is enough to refuse them. */
typedef struct {
    value_kind kind;
    long long i;
    bool b;
    size_t len;
    bool nul; /* the string holds a NUL */
    char s[ORBIT_URI_MAX + 2];
} field_value;

typedef struct {
    role role;
    char key[KEY_MAX + 1]; /* the current member's name ("" if longer) */
    json_t *node;          /* ROLE_BUILD: the container (borrowed, but owned at the root) */
    char *build_key;       /* ROLE_BUILD in an object: the pending key */
} level;

struct client_snapstream {
    yajl_handle parser;
    client_snapstream_kind kind;
    bool ended, applied;
    level stack[MAX_DEPTH];
    int depth;
    bool seen_t, seen_state;
    char id[64];
    char epoch[ORBIT_EPOCH_MAX + 1];
    int64_t rev;
    client_mirror *fresh;
    size_t parked;
    field_value call[F_COUNT];
    field current_field;
    char error[ORBIT_STATUS_MESSAGE_MAX + 64];
};

/* ---- outcomes ---- */

static int broken(client_snapstream *s, const char *fmt, const char *arg)
{
    if (s->kind != CLIENT_SNAPSTREAM_BROKEN) {
        snprintf(s->error, sizeof s->error, fmt, arg);
        s->kind = CLIENT_SNAPSTREAM_BROKEN;
    }
    return 0; /* stops the parser */
}

static int refused(client_snapstream *s, const orbit_status *st)
{
    char why[sizeof s->error];
    snprintf(why, sizeof why, "%s%s%s", st->field, st->field[0] ? ": " : "", st->message);
    return broken(s, "%s", why);
}

/* ---- keys ---- */

static void set_key(char *out, const unsigned char *key, size_t len)
{
    if (len > KEY_MAX || memchr(key, '\0', len)) {
        out[0] = '\0';
        return;
    }
    memcpy(out, key, len);
    out[len] = '\0';
}

/* Called for every key of every call: lengths first, then the bytes. */
static field field_of(const unsigned char *key, size_t len)
{
    for (int f = 0; f < F_COUNT; f++) {
        if (FIELDS[f].len == len && memcmp(FIELDS[f].name, key, len) == 0)
            return (field)f;
    }
    return F_OTHER;
}

/* ---- one parked call, checked as orbit_json_to_parked checks it ---- */

static bool call_string(client_snapstream *s, field f, size_t cap, bool required, const char **out)
{
    const field_value *v = &s->call[f];
    const char *name = FIELDS[f].name;
    *out = NULL;
    if (v->kind == V_NONE)
        return required ? !broken(s, "%s is required", name) : true;
    if (v->kind != V_STRING)
        return !broken(s, "%s must be a string", name);
    if (v->len >= cap)
        return !broken(s, "%s is too long", name);
    if (v->nul)
        return !broken(s, "%s cannot contain NUL", name);
    *out = v->s;
    return true;
}

static bool call_int(client_snapstream *s, field f, long long max, bool required, int64_t *out)
{
    const field_value *v = &s->call[f];
    if (v->kind == V_NONE)
        return required ? !broken(s, "%s is required", FIELDS[f].name) : true;
    if (v->kind != V_INT)
        return !broken(s, "%s must be an integer", FIELDS[f].name);
    if (v->i < 0 || v->i > max)
        return !broken(s, "%s is out of range", FIELDS[f].name);
    *out = v->i;
    return true;
}

static int finish_call(client_snapstream *s)
{
    parked_call c;
    memset(&c, 0, sizeof c);
    const char *id, *parker, *parkee, *orbit, *state;
    static const field CHECKED[] = {F_CALL_ID, F_PARKER, F_PARKEE};
    static const size_t CAPS[] = {ORBIT_CALL_ID_MAX + 1, ORBIT_URI_MAX + 1, ORBIT_URI_MAX + 1};
    char *dest[] = {c.call_id, c.parker, c.parkee};
    const char **got[] = {&id, &parker, &parkee};
    for (size_t i = 0; i < 3; i++) {
        if (!call_string(s, CHECKED[i], CAPS[i], true, got[i]))
            return 0;
        const char *why = i == 0 ? orbit_call_id_check(*got[i]) : orbit_party_check(*got[i]);
        if (why)
            return broken(s, "%s", why);
        memcpy(dest[i], *got[i], strlen(*got[i]) + 1);
    }
    if (!call_string(s, F_ORBIT, ORBIT_NUMBER_BUF + 8, true, &orbit))
        return 0;
    orbit_number_status ns = orbit_number_parse(orbit, &c.orbit);
    if (ns != ORBIT_NUMBER_OK)
        return broken(s, "orbit: %s", orbit_number_status_message(ns));
    int64_t v = 0;
    if (!call_int(s, F_PARKED_MS, INT64_MAX, true, &v))
        return 0;
    c.parked_ms = v;
    if (!call_int(s, F_DEADLINE_MS, INT64_MAX, true, &v))
        return 0;
    c.deadline_ms = v;
    v = 0;
    if (!call_int(s, F_ATTEMPT, 100, false, &v))
        return 0;
    c.attempt = (int)v;
    if (!call_string(s, F_STATE, 32, false, &state))
        return 0;
    if (!parked_state_from_name(state ? state : "parked", &c.state))
        return broken(s, "%s", "state is parked or ringing_back");
    const field_value *moh = &s->call[F_MOH];
    if (moh->kind != V_NONE && moh->kind != V_BOOL)
        return broken(s, "%s", "music_on_hold must be true or false");
    c.music_on_hold = moh->kind == V_BOOL && moh->b;
    const char *transport;
    if (!call_string(s, F_TRANSPORT, 16, false, &transport))
        return 0;
    if (!call_transport_from_name(transport ? transport : "api", &c.transport))
        return broken(s, "transport is sip or api, not '%s'", transport);
    orbit_status st;
    if (client_mirror_load_parked(s->fresh, &c, &st) != ORBIT_OK)
        return refused(s, &st);
    s->parked++;
    return 1;
}

/* ---- building members as jansson values ---- */

/* Hands a whole member of the state to the mirror; value is stolen. */
static int load_member(client_snapstream *s, const char *name, json_t *value)
{
    if (!value)
        return broken(s, "%s", "out of memory");
    orbit_status st;
    orbit_err e = client_mirror_load_member(s->fresh, name, value, &st);
    json_decref(value);
    return e == ORBIT_OK ? 1 : refused(s, &st);
}

/* Adds value (stolen) to the container being built at the top. */
static int build_add(client_snapstream *s, json_t *value)
{
    level *l = &s->stack[s->depth - 1];
    if (!value)
        return broken(s, "%s", "out of memory");
    int rc = json_is_object(l->node)
                 ? json_object_set_new_nocheck(l->node, l->build_key ? l->build_key : "", value)
                 : json_array_append_new(l->node, value);
    free(l->build_key);
    l->build_key = NULL;
    return rc == 0 ? 1 : broken(s, "%s", "out of memory");
}

/* ---- values ---- */

typedef struct {
    value_kind kind;
    const unsigned char *s;
    size_t len;
    long long i;
    double d;
    bool b;
} token;

static json_t *json_of(const token *t)
{
    switch (t->kind) {
    case V_NULL:
        return json_null();
    case V_BOOL:
        return json_boolean(t->b);
    case V_INT:
        return json_integer(t->i);
    case V_REAL:
        return json_real(t->d);
    default:
        return json_stringn((const char *)t->s, t->len);
    }
}

static void keep_field(client_snapstream *s, const token *t)
{
    if (s->current_field == F_OTHER)
        return;
    field_value *v = &s->call[s->current_field];
    v->kind = t->kind;
    v->i = t->i;
    v->b = t->b;
    if (t->kind == V_STRING) {
        v->len = t->len;
        v->nul = memchr(t->s, '\0', t->len) != NULL;
        size_t n = t->len < sizeof v->s - 1 ? t->len : sizeof v->s - 1;
        memcpy(v->s, t->s, n);
        v->s[n] = '\0';
    }
}

static int frame_member(client_snapstream *s, const char *key, const token *t)
{
    if (strcmp(key, "t") == 0) {
        if (s->seen_t)
            return broken(s, "%s", "the frame names its type twice");
        s->seen_t = true;
        bool snap = t->kind == V_STRING && t->len == 8 && memcmp(t->s, "snapshot", 8) == 0;
        if (!snap) {
            s->kind = CLIENT_SNAPSTREAM_OTHER;
            return 0;
        }
        if (s->kind == CLIENT_SNAPSTREAM_UNKNOWN)
            s->kind = CLIENT_SNAPSTREAM_SNAPSHOT;
    } else if (strcmp(key, "id") == 0 || strcmp(key, "epoch") == 0) {
        char *out = key[0] == 'i' ? s->id : s->epoch;
        size_t cap = key[0] == 'i' ? sizeof s->id : sizeof s->epoch;
        if (t->kind == V_STRING && t->len < cap && !memchr(t->s, '\0', t->len)) {
            memcpy(out, t->s, t->len);
            out[t->len] = '\0';
        } else {
            out[0] = '\0';
        }
    } else if (strcmp(key, "rev") == 0) {
        s->rev = t->kind == V_INT ? t->i : 0;
    } else if (strcmp(key, "state") == 0) {
        return broken(s, "%s", "state must be a JSON object");
    }
    return 1;
}

static int on_value(client_snapstream *s, const token *t)
{
    if (s->depth == 0) {
        s->kind = CLIENT_SNAPSTREAM_OTHER; /* not an object: not a frame of ours */
        return 0;
    }
    level *l = &s->stack[s->depth - 1];
    switch (l->role) {
    case ROLE_FRAME:
        return frame_member(s, l->key, t);
    case ROLE_STATE:
        return load_member(s, l->key, json_of(t));
    case ROLE_PARKED:
        return broken(s, "%s", "parked must be a JSON object");
    case ROLE_CALL:
        keep_field(s, t);
        return 1;
    case ROLE_BUILD:
        return build_add(s, json_of(t));
    default:
        return 1;
    }
}

/* ---- containers ---- */

static int push(client_snapstream *s, role r, json_t *node)
{
    if (s->depth == MAX_DEPTH) {
        json_decref(node);
        return broken(s, "%s", "the frame is nested too deeply");
    }
    level *l = &s->stack[s->depth++];
    l->role = r;
    l->key[0] = '\0';
    l->node = node;
    l->build_key = NULL;
    return 1;
}

static int open_container(client_snapstream *s, bool object)
{
    if (s->depth == 0)
        return object ? push(s, ROLE_FRAME, NULL) : (s->kind = CLIENT_SNAPSTREAM_OTHER, 0);
    level *l = &s->stack[s->depth - 1];
    switch (l->role) {
    case ROLE_FRAME:
        if (strcmp(l->key, "state") != 0)
            return push(s, ROLE_SKIP, NULL);
        if (!object)
            return broken(s, "%s", "state must be a JSON object");
        if (s->seen_state)
            return broken(s, "%s", "the frame has two states");
        s->seen_state = true;
        return push(s, ROLE_STATE, NULL);
    case ROLE_STATE:
        if (strcmp(l->key, "parked") == 0 && !object) {
            /* Starts the member empty; its calls follow one by one. */
            json_t *none = json_array();
            if (!load_member(s, "parked", none))
                return 0;
            return push(s, ROLE_PARKED, NULL);
        }
        return push(s, ROLE_BUILD, object ? json_object() : json_array());
    case ROLE_PARKED:
        if (!object)
            return broken(s, "%s", "parked must be a JSON object");
        memset(s->call, 0, sizeof s->call);
        return push(s, ROLE_CALL, NULL);
    case ROLE_CALL:
        /* A field the call has must not be a container; others are skipped. */
        if (s->current_field != F_OTHER)
            s->call[s->current_field].kind = V_CONTAINER;
        return push(s, ROLE_SKIP, NULL);
    case ROLE_BUILD: {
        json_t *node = object ? json_object() : json_array();
        if (!node || !build_add(s, json_incref(node))) {
            json_decref(node);
            return broken(s, "%s", "out of memory");
        }
        json_decref(node); /* the parent holds it */
        return push(s, ROLE_BUILD, node);
    }
    default:
        return push(s, ROLE_SKIP, NULL);
    }
}

static int close_container(client_snapstream *s)
{
    level *l = &s->stack[--s->depth];
    free(l->build_key);
    l->build_key = NULL;
    switch (l->role) {
    case ROLE_CALL:
        return finish_call(s);
    case ROLE_BUILD:
        if (s->stack[s->depth - 1].role == ROLE_STATE)
            return load_member(s, s->stack[s->depth - 1].key, l->node);
        return 1;
    default:
        return 1;
    }
}

/* ---- yajl callbacks ---- */

static int cb_null(void *ctx)
{
    token t = {.kind = V_NULL};
    return on_value(ctx, &t);
}

static int cb_bool(void *ctx, int b)
{
    token t = {.kind = V_BOOL, .b = b != 0};
    return on_value(ctx, &t);
}

static int cb_int(void *ctx, long long i)
{
    token t = {.kind = V_INT, .i = i};
    return on_value(ctx, &t);
}

static int cb_real(void *ctx, double d)
{
    token t = {.kind = V_REAL, .d = d};
    return on_value(ctx, &t);
}

static int cb_string(void *ctx, const unsigned char *str, size_t len)
{
    token t = {.kind = V_STRING, .s = str, .len = len};
    return on_value(ctx, &t);
}

static int cb_key(void *ctx, const unsigned char *key, size_t len)
{
    client_snapstream *s = ctx;
    level *l = &s->stack[s->depth - 1];
    if (l->role == ROLE_BUILD) {
        free(l->build_key);
        l->build_key = strndup((const char *)key, len);
        return l->build_key ? 1 : broken(s, "%s", "out of memory");
    }
    if (l->role == ROLE_CALL) {
        s->current_field = field_of(key, len);
        return 1;
    }
    set_key(l->key, key, len);
    return 1;
}

static int cb_start_map(void *ctx)
{
    return open_container(ctx, true);
}

static int cb_start_array(void *ctx)
{
    return open_container(ctx, false);
}

static int cb_end(void *ctx)
{
    return close_container(ctx);
}

static const yajl_callbacks CALLBACKS = {cb_null, cb_bool,        cb_int,       cb_real,
                                         NULL,    cb_string,      cb_start_map, cb_key,
                                         cb_end,  cb_start_array, cb_end};

/* ---- the stream ---- */

client_snapstream *client_snapstream_new(void)
{
    client_snapstream *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->fresh = client_mirror_new();
    s->parser = yajl_alloc(&CALLBACKS, NULL, s);
    if (!s->fresh || !s->parser) {
        client_snapstream_free(s);
        return NULL;
    }
    return s;
}

void client_snapstream_free(client_snapstream *s)
{
    if (!s)
        return;
    if (s->parser)
        yajl_free(s->parser);
    while (s->depth > 0) {
        level *l = &s->stack[--s->depth];
        free(l->build_key);
        /* Only a member's root is owned here; inner nodes are its children. */
        if (l->role == ROLE_BUILD && (s->depth == 0 || s->stack[s->depth - 1].role != ROLE_BUILD))
            json_decref(l->node);
    }
    client_mirror_free(s->fresh);
    free(s);
}

static void parser_error(client_snapstream *s, const unsigned char *bytes, size_t len)
{
    unsigned char *msg = yajl_get_error(s->parser, 0, bytes, len);
    broken(s, "bad JSON: %s", msg ? (const char *)msg : "?");
    if (msg)
        yajl_free_error(s->parser, msg);
}

client_snapstream_kind client_snapstream_feed(client_snapstream *s, const void *bytes, size_t len)
{
    if (s->kind == CLIENT_SNAPSTREAM_OTHER || s->kind == CLIENT_SNAPSTREAM_BROKEN || s->ended)
        return s->kind;
    yajl_status ys = yajl_parse(s->parser, bytes, len);
    if (ys == yajl_status_error)
        parser_error(s, bytes, len);
    return s->kind;
}

client_snapstream_kind client_snapstream_end(client_snapstream *s)
{
    if (s->ended || s->kind == CLIENT_SNAPSTREAM_OTHER || s->kind == CLIENT_SNAPSTREAM_BROKEN)
        return s->kind;
    s->ended = true;
    if (yajl_complete_parse(s->parser) == yajl_status_error)
        parser_error(s, NULL, 0);
    else if (s->kind == CLIENT_SNAPSTREAM_UNKNOWN)
        s->kind = CLIENT_SNAPSTREAM_OTHER; /* no "t": not a snapshot */
    else if (s->kind == CLIENT_SNAPSTREAM_SNAPSHOT && !s->seen_state)
        broken(s, "%s", "state must be a JSON object");
    return s->kind;
}

const char *client_snapstream_error(const client_snapstream *s)
{
    return s->error;
}

const char *client_snapstream_id(const client_snapstream *s)
{
    return s->id;
}

const char *client_snapstream_epoch(const client_snapstream *s)
{
    return s->epoch;
}

int64_t client_snapstream_rev(const client_snapstream *s)
{
    return s->rev;
}

size_t client_snapstream_parked(const client_snapstream *s)
{
    return s->parked;
}

orbit_err client_snapstream_apply(client_snapstream *s, client_mirror *m, orbit_status *st)
{
    if (!s->ended || s->kind != CLIENT_SNAPSTREAM_SNAPSHOT || s->applied || !s->fresh)
        return orbit_status_set(st, ORBIT_ERR_INTERNAL, "", "no snapshot to apply");
    s->applied = true;
    client_mirror *fresh = s->fresh;
    s->fresh = NULL;
    return client_mirror_load_finish(m, fresh, st);
}
