/* tui_model: the deployment merged from every pool's mirror, as rows the
 * console's tables show, plus the event log and per-pool event rates. */
#include "tui_app.h"

#include "client_view.h"

#include "orbit_json.h"
#include "orbit_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const client_mirror *tui_any_mirror(const tui_app *a)
{
    return client_view_mirror(a->hub);
}

client_conn *tui_conn(const tui_app *a, const char *fqdn)
{
    return client_hub_find(a->hub, fqdn);
}

static bool live(const client_conn *c)
{
    return c && client_conn_get_state(c) == CLIENT_CONN_LIVE;
}

static bool grow(void **arr, size_t *cap, size_t want, size_t elem)
{
    if (want <= *cap)
        return true;
    size_t ncap = *cap ? *cap : 256;
    while (ncap < want)
        ncap *= 2;
    void *p = realloc(*arr, ncap * elem);
    if (!p)
        return false;
    *arr = p;
    *cap = ncap;
    return true;
}

static void rebuild_orbits(tui_app *a)
{
    a->norbit_rows = 0;
    const client_mirror *m = tui_any_mirror(a);
    if (!m)
        return;
    const orbit_table *t = client_mirror_orbits(m);
    size_t n = orbit_table_count(t);
    if (!grow((void **)&a->orbit_rows, &a->cap_orbit_rows, n, sizeof *a->orbit_rows))
        return;
    for (size_t i = 0; i < n; i++) {
        const orbit_range *r = orbit_table_at(t, i);
        if (a->orbit_pool_filter[0] && strcmp(r->pool, a->orbit_pool_filter) != 0)
            continue;
        if (a->orbit_type_filter >= 0 && (int)r->type != a->orbit_type_filter)
            continue;
        tui_orbit_row *row = &a->orbit_rows[a->norbit_rows++];
        row->range = *r;
        row->in_use = client_view_in_use(a->hub, r);
    }
}

static void rebuild_calls(tui_app *a)
{
    a->nparked_rows = 0;
    a->nqueue_rows = 0;
    for (size_t i = 0; i < client_hub_count(a->hub); i++) {
        client_conn *c = client_hub_at(a->hub, i);
        if (!live(c))
            continue; /* a pool that went away took its calls with it */
        const client_mirror *m = client_conn_mirror(c);
        size_t np = client_mirror_parked_count(m);
        if (!grow((void **)&a->parked_rows, &a->cap_parked_rows, a->nparked_rows + np,
                  sizeof *a->parked_rows))
            return;
        size_t pos = 0;
        const parked_call *pc;
        while ((pc = client_mirror_parked_next(m, &pos))) {
            tui_parked_row *row = &a->parked_rows[a->nparked_rows++];
            row->call = *pc;
            snprintf(row->pool, sizeof row->pool, "%s", client_conn_fqdn(c));
        }
        size_t nq = client_mirror_queued_calls(m);
        if (!grow((void **)&a->queue_rows, &a->cap_queue_rows, a->nqueue_rows + nq,
                  sizeof *a->queue_rows))
            return;
        pos = 0;
        const client_queue *q;
        while ((q = client_mirror_queue_next(m, &pos))) {
            for (size_t k = 0; k < q->ncalls; k++) {
                tui_queue_row *row = &a->queue_rows[a->nqueue_rows++];
                row->call = q->calls[k];
                snprintf(row->pool, sizeof row->pool, "%s", client_conn_fqdn(c));
            }
        }
    }
}

void tui_model_rebuild(tui_app *a)
{
    rebuild_orbits(a);
    rebuild_calls(a);
    ui_table_rebuild(a->orbits_table, &TUI_ORBITS_SOURCE, a);
    ui_table_rebuild(a->parked_table, &TUI_PARKED_SOURCE, a);
    ui_table_rebuild(a->queues_table, &TUI_QUEUES_SOURCE, a);
    ui_table_rebuild(a->events_table, &TUI_EVENTS_SOURCE, a);
    ui_table_rebuild(a->audit_table, &TUI_AUDIT_SOURCE, a);
}

/* ---- event log and rates ---- */

tui_rate *tui_model_rate(tui_app *a, const char *fqdn)
{
    for (size_t i = 0; i < a->nrates; i++) {
        if (strcmp(a->rates[i].fqdn, fqdn) == 0)
            return &a->rates[i];
    }
    tui_rate *grown = realloc(a->rates, (a->nrates + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    a->rates = grown;
    tui_rate *r = &a->rates[a->nrates++];
    memset(r, 0, sizeof *r);
    snprintf(r->fqdn, sizeof r->fqdn, "%s", fqdn);
    r->second = orbit_time_now_ms() / 1000;
    return r;
}

void tui_model_rate_now(tui_rate *r, int64_t now_ms)
{
    int64_t sec = now_ms / 1000;
    int64_t shift = sec - r->second;
    if (shift <= 0)
        return;
    if (shift >= TUI_SPARK) {
        memset(r->counts, 0, sizeof r->counts);
    } else {
        memmove(r->counts, r->counts + shift, (size_t)(TUI_SPARK - shift) * sizeof r->counts[0]);
        memset(r->counts + TUI_SPARK - shift, 0, (size_t)shift * sizeof r->counts[0]);
    }
    r->second = sec;
}

static const char *text(const json_t *d, const char *key)
{
    const char *v = json_string_value(json_object_get(d, key));
    return v ? v : "";
}

static void summarise(const char *kind, const json_t *d, char *out, size_t len)
{
    if (strncmp(kind, "call.", 5) == 0) {
        if (strcmp(kind, "call.parked") == 0)
            snprintf(out, len, "%s parked on %s by %s", text(d, "call_id"), text(d, "orbit"),
                     text(d, "parker"));
        else if (strcmp(kind, "call.ringback") == 0)
            snprintf(out, len, "%s on %s rings %s back (attempt %lld)", text(d, "call_id"),
                     text(d, "orbit"), text(d, "parker"),
                     (long long)json_integer_value(json_object_get(d, "attempt")));
        else if (strcmp(kind, "call.disconnected") == 0)
            snprintf(out, len, "%s on %s disconnected (%s)", text(d, "call_id"), text(d, "orbit"),
                     text(d, "reason"));
        else if (strcmp(kind, "call.forwarded") == 0)
            snprintf(out, len, "%s on %s forwarded to %s", text(d, "call_id"), text(d, "orbit"),
                     text(d, "uri"));
        else
            snprintf(out, len, "%s on %s%s%s", text(d, "call_id"), text(d, "orbit"),
                     *text(d, "by") ? " by " : "", text(d, "by"));
    } else if (strncmp(kind, "pickup.", 7) == 0) {
        snprintf(out, len, "%s group %s%s%s%s%s", text(d, "call_id"), text(d, "group"),
                 *text(d, "callee") ? " for " : "", text(d, "callee"), *text(d, "by") ? " by " : "",
                 text(d, "by"));
    } else if (strncmp(kind, "orbit.", 6) == 0) {
        if (strcmp(kind, "orbit.reassigned") == 0)
            snprintf(out, len, "%lld range(s) %s %s %s by %s",
                     (long long)json_integer_value(json_object_get(d, "moved")),
                     text(d, "from_pool"), "->", text(d, "to_pool"), text(d, "who"));
        else
            snprintf(out, len, "'%s' %s..%s %s on %s by %s", text(d, "identity"), text(d, "start"),
                     text(d, "end"), text(d, "type"), text(d, "pool"), text(d, "who"));
    } else if (strcmp(kind, "dr.changed") == 0) {
        snprintf(out, len, "%s: %s -> %s, served by %s", text(d, "home"), text(d, "event"),
                 text(d, "phase"), text(d, "serving"));
    } else if (strcmp(kind, "pool.status") == 0) {
        snprintf(out, len, "%s is %s", text(d, "fqdn"), text(d, "status"));
    } else if (strcmp(kind, "config.changed") == 0) {
        snprintf(out, len, "timeout %llds, %s music, %lld attempt(s), forward to %s",
                 (long long)json_integer_value(json_object_get(d, "call_pickup_timeout_threshold")),
                 json_is_true(json_object_get(d, "enable_music_on_hold")) ? "with" : "no",
                 (long long)json_integer_value(json_object_get(d, "max_call_pickup_attempts")),
                 *text(d, "on_timeout_uri") ? text(d, "on_timeout_uri") : "nobody");
    } else if (strcmp(kind, "moh.changed") == 0) {
        snprintf(out, len, "%s (%lld bytes, %.12s)", text(d, "name"),
                 (long long)json_integer_value(json_object_get(d, "size")), text(d, "sha256"));
    } else {
        char *j = json_dumps(d, JSON_COMPACT);
        snprintf(out, len, "%s", j ? j : "");
        free(j);
    }
}

void tui_model_note_event(tui_app *a, client_conn *c, const char *kind, const json_t *data)
{
    int64_t now = orbit_time_now_ms();
    tui_rate *r = tui_model_rate(a, client_conn_fqdn(c));
    if (r) {
        tui_model_rate_now(r, now);
        r->counts[TUI_SPARK - 1]++;
    }
    size_t slot = (a->events_head + a->events_count) % TUI_EVENT_LOG;
    if (a->events_count == TUI_EVENT_LOG)
        a->events_head = (a->events_head + 1) % TUI_EVENT_LOG;
    else
        a->events_count++;
    tui_event *e = &a->events[slot];
    e->time_ms = now;
    snprintf(e->pool, sizeof e->pool, "%s", client_conn_fqdn(c));
    snprintf(e->kind, sizeof e->kind, "%s", kind ? kind : "?");
    summarise(e->kind, data, e->summary, sizeof e->summary);
}

const tui_event *tui_model_event_at(const tui_app *a, size_t i)
{
    if (i >= a->events_count)
        return NULL;
    return &a->events[(a->events_head + a->events_count - 1 - i) % TUI_EVENT_LOG];
}

/* ---- table sources ---- */

static int cmp_u64(uint64_t x, uint64_t y)
{
    return (x > y) - (x < y);
}

static int cmp_i64(int64_t x, int64_t y)
{
    return (x > y) - (x < y);
}

/* Orbits: identity, range, type, owner, in use / size, utilisation. */
static size_t orbits_count(void *ctx)
{
    return ((tui_app *)ctx)->norbit_rows;
}

static void orbits_cell(void *ctx, size_t row, int col, char *buf, size_t len, ui_role *role)
{
    tui_app *a = ctx;
    const tui_orbit_row *r = &a->orbit_rows[row];
    char s[ORBIT_NUMBER_BUF], e[ORBIT_NUMBER_BUF];
    uint32_t size = orbit_range_size(&r->range);
    double util = size ? (double)r->in_use / size : 0;
    switch (col) {
    case 0:
        snprintf(buf, len, "%s", r->range.identity);
        break;
    case 1:
        snprintf(buf, len, "%s-%s", orbit_number_format(&r->range.start, s, sizeof s),
                 orbit_number_format(&r->range.end, e, sizeof e));
        break;
    case 2:
        snprintf(buf, len, "%s", orbit_type_name(r->range.type));
        break;
    case 3:
        snprintf(buf, len, "%s", r->range.pool);
        break;
    case 4:
        snprintf(buf, len, "%u/%u", r->in_use, size);
        break;
    default: {
        int cells = 10, full = (int)(util * cells + 0.5);
        if (util > 0 && full == 0)
            full = 1;
        size_t used = 0;
        for (int i = 0; i < cells && used + 8 < len; i++)
            used += (size_t)snprintf(buf + used, len - used, "%s",
                                     i < full ? a->glyphs.bar_full : a->glyphs.bar_empty);
        snprintf(buf + used, len - used, " %3.0f%%", util * 100);
        *role = util >= 0.9 ? UI_ROLE_STATUS_ERROR : util >= 0.7 ? UI_ROLE_WARN : UI_ROLE_BAR;
    }
    }
}

static int orbits_compare(void *ctx, size_t x, size_t y, int col)
{
    tui_app *a = ctx;
    const tui_orbit_row *p = &a->orbit_rows[x], *q = &a->orbit_rows[y];
    uint32_t ps = orbit_range_size(&p->range), qs = orbit_range_size(&q->range);
    switch (col) {
    case 0:
        return strcasecmp(p->range.identity, q->range.identity);
    case 1:
        return orbit_number_compare(&p->range.start, &q->range.start);
    case 2:
        return (int)p->range.type - (int)q->range.type;
    case 3:
        return strcmp(p->range.pool, q->range.pool);
    case 4:
        return cmp_u64(p->in_use, q->in_use);
    default:
        return cmp_u64((uint64_t)p->in_use * qs, (uint64_t)q->in_use * ps);
    }
}

static void orbits_key(void *ctx, size_t row, char *buf, size_t len)
{
    snprintf(buf, len, "%s", ((tui_app *)ctx)->orbit_rows[row].range.identity);
}

const ui_table_source TUI_ORBITS_SOURCE = {orbits_count, orbits_cell, orbits_compare, orbits_key};

/* Parked calls: orbit, pool, parker, parkee, parked for, ring-back in,
 * attempt, state. */
static size_t parked_count(void *ctx)
{
    return ((tui_app *)ctx)->nparked_rows;
}

static void parked_cell(void *ctx, size_t row, int col, char *buf, size_t len, ui_role *role)
{
    tui_app *a = ctx;
    const tui_parked_row *r = &a->parked_rows[row];
    int64_t now = orbit_time_now_ms();
    char d[32];
    switch (col) {
    case 0:
        orbit_number_format(&r->call.orbit, buf, len);
        break;
    case 1:
        snprintf(buf, len, "%s", r->pool);
        break;
    case 2:
        snprintf(buf, len, "%s", r->call.parker);
        break;
    case 3:
        snprintf(buf, len, "%s", r->call.parkee);
        break;
    case 4:
        ui_duration(now - r->call.parked_ms, d, sizeof d);
        snprintf(buf, len, "%s", d);
        break;
    case 5:
        if (r->call.state == PARKED_STATE_RINGING_BACK) {
            ui_duration(r->call.deadline_ms - now, d, sizeof d);
            snprintf(buf, len, "ringing %s", d);
            *role = UI_ROLE_WARN;
        } else {
            ui_duration(r->call.deadline_ms - now, d, sizeof d);
            snprintf(buf, len, "%s", d);
            if (r->call.deadline_ms - now < 10000)
                *role = UI_ROLE_WARN;
        }
        break;
    case 6:
        snprintf(buf, len, "%d", r->call.attempt);
        break;
    default:
        snprintf(buf, len, "%s%s", parked_state_name(r->call.state),
                 r->call.music_on_hold ? "" : " (no MOH)");
    }
}

static int parked_compare(void *ctx, size_t x, size_t y, int col)
{
    tui_app *a = ctx;
    const tui_parked_row *p = &a->parked_rows[x], *q = &a->parked_rows[y];
    switch (col) {
    case 0:
        return orbit_number_compare(&p->call.orbit, &q->call.orbit);
    case 1:
        return strcmp(p->pool, q->pool);
    case 2:
        return strcmp(p->call.parker, q->call.parker);
    case 3:
        return strcmp(p->call.parkee, q->call.parkee);
    case 4:
        return cmp_i64(q->call.parked_ms, p->call.parked_ms);
    case 5:
        return cmp_i64(p->call.deadline_ms, q->call.deadline_ms);
    case 6:
        return p->call.attempt - q->call.attempt;
    default:
        return (int)p->call.state - (int)q->call.state;
    }
}

static void parked_key(void *ctx, size_t row, char *buf, size_t len)
{
    snprintf(buf, len, "%s", ((tui_app *)ctx)->parked_rows[row].call.call_id);
}

const ui_table_source TUI_PARKED_SOURCE = {parked_count, parked_cell, parked_compare, parked_key};

/* Queues: group, pool, caller, callee, ringing for, answerable by pickup. */
static size_t queues_count(void *ctx)
{
    return ((tui_app *)ctx)->nqueue_rows;
}

static void queues_cell(void *ctx, size_t row, int col, char *buf, size_t len, ui_role *role)
{
    tui_app *a = ctx;
    const tui_queue_row *r = &a->queue_rows[row];
    char d[32];
    switch (col) {
    case 0:
        orbit_number_format(&r->call.group, buf, len);
        break;
    case 1:
        snprintf(buf, len, "%s", r->pool);
        break;
    case 2:
        snprintf(buf, len, "%s", r->call.caller);
        break;
    case 3:
        snprintf(buf, len, "%s", r->call.callee);
        break;
    case 4:
        ui_duration(orbit_time_now_ms() - r->call.ringing_since_ms, d, sizeof d);
        snprintf(buf, len, "%s", d);
        break;
    default:
        snprintf(buf, len, "%s", r->call.pickable ? "yes" : "no (DR)");
        if (!r->call.pickable)
            *role = UI_ROLE_WARN;
    }
}

static int queues_compare(void *ctx, size_t x, size_t y, int col)
{
    tui_app *a = ctx;
    const tui_queue_row *p = &a->queue_rows[x], *q = &a->queue_rows[y];
    int c;
    switch (col) {
    case 0:
        /* Group, then ringing longest first: the order pickup answers. */
        c = orbit_number_compare(&p->call.group, &q->call.group);
        return c ? c : cmp_i64(p->call.ringing_since_ms, q->call.ringing_since_ms);
    case 1:
        return strcmp(p->pool, q->pool);
    case 2:
        return strcmp(p->call.caller, q->call.caller);
    case 3:
        return strcmp(p->call.callee, q->call.callee);
    case 4:
        return cmp_i64(p->call.ringing_since_ms, q->call.ringing_since_ms);
    default:
        return (int)p->call.pickable - (int)q->call.pickable;
    }
}

static void queues_key(void *ctx, size_t row, char *buf, size_t len)
{
    snprintf(buf, len, "%s", ((tui_app *)ctx)->queue_rows[row].call.call_id);
}

const ui_table_source TUI_QUEUES_SOURCE = {queues_count, queues_cell, queues_compare, queues_key};

/* Events: time, pool, kind, what. Row 0 is the newest. */
static size_t events_count(void *ctx)
{
    return ((tui_app *)ctx)->events_count;
}

static void events_cell(void *ctx, size_t row, int col, char *buf, size_t len, ui_role *role)
{
    const tui_event *e = tui_model_event_at(ctx, row);
    if (!e) {
        buf[0] = '\0';
        return;
    }
    switch (col) {
    case 0: {
        char t[40];
        orbit_time_rfc3339(e->time_ms, t, sizeof t);
        snprintf(buf, len, "%.8s", t + 11);
        break;
    }
    case 1:
        snprintf(buf, len, "%s", e->pool);
        break;
    case 2:
        snprintf(buf, len, "%s", e->kind);
        if (strstr(e->kind, "disconnected") || strstr(e->kind, "dropped") ||
            strcmp(e->kind, "pool.status") == 0)
            *role = UI_ROLE_WARN;
        else if (strncmp(e->kind, "dr.", 3) == 0)
            *role = UI_ROLE_FAILED_OVER;
        break;
    default:
        snprintf(buf, len, "%s", e->summary);
    }
}

static int events_compare(void *ctx, size_t x, size_t y, int col)
{
    const tui_event *p = tui_model_event_at(ctx, x), *q = tui_model_event_at(ctx, y);
    switch (col) {
    case 1:
        return strcmp(p->pool, q->pool);
    case 2:
        return strcmp(p->kind, q->kind);
    case 3:
        return strcmp(p->summary, q->summary);
    default:
        return cmp_i64(q->time_ms, p->time_ms); /* newest first */
    }
}

static void events_key(void *ctx, size_t row, char *buf, size_t len)
{
    const tui_event *e = tui_model_event_at(ctx, row);
    snprintf(buf, len, "%lld %s %s", e ? (long long)e->time_ms : 0LL, e ? e->pool : "",
             e ? e->kind : "");
}

const ui_table_source TUI_EVENTS_SOURCE = {events_count, events_cell, events_compare, events_key};

/* Audit: time, who, op, result, arguments. Row 0 is the newest. */
static const json_t *audit_at(const tui_app *a, size_t row)
{
    size_t n = json_array_size(a->audit);
    return row < n ? json_array_get(a->audit, n - 1 - row) : NULL;
}

static size_t audit_count(void *ctx)
{
    return json_array_size(((tui_app *)ctx)->audit);
}

static void audit_cell(void *ctx, size_t row, int col, char *buf, size_t len, ui_role *role)
{
    const json_t *e = audit_at(ctx, row);
    bool ok = json_is_true(json_object_get(e, "ok"));
    switch (col) {
    case 0:
        snprintf(buf, len, "%.19s", text(e, "time"));
        break;
    case 1:
        snprintf(buf, len, "%s", text(e, "who"));
        break;
    case 2:
        snprintf(buf, len, "%s", text(e, "op"));
        break;
    case 3:
        snprintf(buf, len, "%s", ok ? "ok" : text(json_object_get(e, "error"), "code"));
        if (!ok)
            *role = UI_ROLE_STATUS_ERROR;
        break;
    default: {
        char *j = json_dumps(json_object_get(e, "args"), JSON_COMPACT);
        snprintf(buf, len, "%s", j ? j : "");
        free(j);
    }
    }
}

static int audit_compare(void *ctx, size_t x, size_t y, int col)
{
    const json_t *p = audit_at(ctx, x), *q = audit_at(ctx, y);
    static const char *const keys[] = {"time", "who", "op", "ok", "op"};
    if (col == 0)
        return cmp_i64(json_integer_value(json_object_get(q, "time_ms")),
                       json_integer_value(json_object_get(p, "time_ms")));
    return strcmp(text(p, keys[col < 5 ? col : 4]), text(q, keys[col < 5 ? col : 4]));
}

static void audit_key(void *ctx, size_t row, char *buf, size_t len)
{
    const json_t *e = audit_at(ctx, row);
    snprintf(buf, len, "%lld", (long long)json_integer_value(json_object_get(e, "time_ms")));
}

const ui_table_source TUI_AUDIT_SOURCE = {audit_count, audit_cell, audit_compare, audit_key};
