/* orbit_frame: frame envelope parsing and building. */
#include "orbit_frame.h"

#include "orbit_json.h"
#include "orbit_json_dump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const FRAME_NAMES[ORBIT_FRAME_TYPE_COUNT] = {
    [ORBIT_FRAME_HELLO] = "hello",
    [ORBIT_FRAME_WELCOME] = "welcome",
    [ORBIT_FRAME_SUBSCRIBE] = "subscribe",
    [ORBIT_FRAME_SNAPSHOT] = "snapshot",
    [ORBIT_FRAME_REPLAY] = "replay",
    [ORBIT_FRAME_EVENT] = "event",
    [ORBIT_FRAME_TICK] = "tick",
    [ORBIT_FRAME_RESYNC] = "resync",
    [ORBIT_FRAME_CMD] = "cmd",
    [ORBIT_FRAME_RESULT] = "result",
    [ORBIT_FRAME_ERROR] = "error",
};

const char *orbit_frame_type_name(orbit_frame_type t)
{
    return (unsigned)t < ORBIT_FRAME_TYPE_COUNT ? FRAME_NAMES[t] : "?";
}

static bool id_ok(const char *id)
{
    for (const char *p = id; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7f)
            return false;
    }
    return true;
}

orbit_err orbit_frame_parse(const char *text, size_t len, orbit_frame *f, orbit_status *st)
{
    memset(f, 0, sizeof *f);
    if (len > ORBIT_FRAME_MAX_BYTES)
        return orbit_status_set(st, ORBIT_ERR_TOO_LARGE, "", "frame over %u bytes",
                                ORBIT_FRAME_MAX_BYTES);
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "", "invalid JSON at %d:%d: %s",
                                jerr.line, jerr.column, jerr.text);
    if (!json_is_object(root)) {
        json_decref(root);
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "", "a frame is a JSON object");
    }
    char t[32];
    if (orbit_json_get_string(root, "t", true, t, sizeof t, st) < 0) {
        json_decref(root);
        return ORBIT_ERR_BAD_REQUEST;
    }
    int type = -1;
    for (int i = 0; i < ORBIT_FRAME_TYPE_COUNT; i++) {
        if (strcmp(FRAME_NAMES[i], t) == 0)
            type = i;
    }
    if (type < 0) {
        json_decref(root);
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "t", "unknown frame type '%s'", t);
    }
    if (orbit_json_get_string(root, "id", false, f->id, sizeof f->id, st) < 0 || !id_ok(f->id)) {
        json_decref(root);
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "id",
                                "id is a string of at most %d printable characters",
                                ORBIT_FRAME_ID_MAX);
    }
    f->type = (orbit_frame_type)type;
    f->root = root;
    return ORBIT_OK;
}

void orbit_frame_release(orbit_frame *f)
{
    json_decref(f->root);
    f->root = NULL;
}

orbit_err orbit_frame_hello(const orbit_frame *f, orbit_hello *out, orbit_status *st)
{
    memset(out, 0, sizeof *out);
    if (orbit_json_get_string(f->root, "token", true, out->token, sizeof out->token, st) < 0)
        return orbit_status_set(st, ORBIT_ERR_UNAUTHORIZED, "token",
                                "hello needs a token (a string of at most %d characters)",
                                ORBIT_TOKEN_MAX);
    if (orbit_json_get_string(f->root, "client", false, out->client, sizeof out->client, st) < 0)
        return ORBIT_ERR_BAD_REQUEST;
    return ORBIT_OK;
}

orbit_err orbit_frame_subscribe(const orbit_frame *f, orbit_subscribe *out, orbit_status *st)
{
    memset(out, 0, sizeof *out);
    snprintf(out->id, sizeof out->id, "%s", f->id);
    json_t *since = json_object_get(f->root, "since");
    if (!since || json_is_null(since))
        return ORBIT_OK;
    if (orbit_json_need_object(since, "since", st) != ORBIT_OK)
        return ORBIT_ERR_BAD_REQUEST;
    int64_t rev;
    if (orbit_json_get_string(since, "epoch", true, out->epoch, sizeof out->epoch, st) < 0 ||
        orbit_json_get_int(since, "rev", true, 0, INT64_MAX, &rev, st) < 0)
        return ORBIT_ERR_BAD_REQUEST;
    out->rev = rev;
    out->has_since = true;
    return ORBIT_OK;
}

orbit_err orbit_frame_cmd(const orbit_frame *f, orbit_cmd *out, orbit_status *st)
{
    memset(out, 0, sizeof *out);
    snprintf(out->id, sizeof out->id, "%s", f->id);
    char op[48];
    if (orbit_json_get_string(f->root, "op", true, op, sizeof op, st) < 0)
        return ORBIT_ERR_BAD_REQUEST;
    if (!orbit_op_from_name(op, &out->op))
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "op", "unknown op '%s'", op);
    if (!orbit_op_via_cmd(out->op))
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "op",
                                "%s is not a command: send the file with PUT /v1/moh", op);
    out->args = json_object_get(f->root, "args");
    return ORBIT_OK;
}

json_t *orbit_frame_make_result_ok(const char *id, json_t *data)
{
    if (!data)
        data = json_object();
    json_t *o =
        json_pack("{s:s, s:s, s:b, s:o}", "t", "result", "id", id ? id : "", "ok", 1, "data", data);
    return o;
}

static json_t *error_object(const orbit_status *st)
{
    json_t *e = json_pack("{s:s, s:s}", "code", orbit_err_name(st->code), "message",
                          st->message[0] ? st->message : orbit_err_name(st->code));
    if (e && st->field[0] && !orbit_json_put(e, "field", json_string(st->field))) {
        json_decref(e);
        return NULL;
    }
    return e;
}

json_t *orbit_frame_make_result_error(const char *id, const orbit_status *st)
{
    json_t *e = error_object(st);
    if (!e)
        return NULL;
    return json_pack("{s:s, s:s, s:b, s:o}", "t", "result", "id", id ? id : "", "ok", 0, "error",
                     e);
}

json_t *orbit_frame_make_error(const char *id, const orbit_status *st)
{
    json_t *o = json_pack("{s:s, s:s, s:s}", "t", "error", "code", orbit_err_name(st->code),
                          "message", st->message[0] ? st->message : orbit_err_name(st->code));
    if (!o)
        return NULL;
    if (id && id[0] && !orbit_json_put(o, "id", json_string(id))) {
        json_decref(o);
        return NULL;
    }
    if (st->field[0] && !orbit_json_put(o, "field", json_string(st->field))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *orbit_frame_make_event(const char *epoch, int64_t rev, const char *kind, json_t *data,
                               int64_t time_ms)
{
    if (!data)
        data = json_object();
    return json_pack("{s:s, s:s, s:I, s:s, s:I, s:o}", "t", "event", "epoch", epoch, "rev",
                     (json_int_t)rev, "kind", kind, "time_ms", (json_int_t)time_ms, "data", data);
}

static bool write_key(orbit_buf *b, const char *text)
{
    return orbit_buf_append(b, text, strlen(text));
}

static bool write_string(orbit_buf *b, const char *s)
{
    return orbit_json_dump_string(b, s, strlen(s));
}

static bool write_data(orbit_buf *b, const json_t *data)
{
    return data ? orbit_json_dump(b, data) : orbit_buf_append(b, "{}", 2);
}

bool orbit_frame_write_result_ok(orbit_buf *b, const char *id, const json_t *data)
{
    return write_key(b, "{\"t\":\"result\",\"id\":") && write_string(b, id ? id : "") &&
           write_key(b, ",\"ok\":true,\"data\":") && write_data(b, data) &&
           orbit_buf_append(b, "}", 1);
}

bool orbit_frame_write_event(orbit_buf *b, const char *epoch, int64_t rev, const char *kind,
                             const json_t *data, int64_t time_ms)
{
    return write_key(b, "{\"t\":\"event\",\"epoch\":") && write_string(b, epoch) &&
           write_key(b, ",\"rev\":") && orbit_json_dump_int(b, rev) && write_key(b, ",\"kind\":") &&
           write_string(b, kind) && write_key(b, ",\"time_ms\":") &&
           orbit_json_dump_int(b, time_ms) && write_key(b, ",\"data\":") && write_data(b, data) &&
           orbit_buf_append(b, "}", 1);
}

json_t *orbit_frame_make_tick(const char *epoch, int64_t rev, int64_t time_ms)
{
    return json_pack("{s:s, s:s, s:I, s:I}", "t", "tick", "epoch", epoch, "rev", (json_int_t)rev,
                     "time_ms", (json_int_t)time_ms);
}

char *orbit_frame_dump(const json_t *frame, size_t *len)
{
    char *s = json_dumps(frame, JSON_COMPACT);
    if (s && len)
        *len = strlen(s);
    return s;
}
