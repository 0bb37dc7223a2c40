/* tui_view_queues: the calls waiting in the pickup queues of every pool,
 * per group in the order pickup answers them, with how long each has
 * rung, whether pickup can answer it now (not during DR) and whether a
 * SIP phone or an orbit.v1 endpoint carries it (VIA). */
#include "tui_keys.h"
#include "tui_model.h"
#include "tui_tableview.h"

#include "orbit_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    pickup_call call;
    char pool[ORBIT_FQDN_MAX + 1];
} queue_row;

typedef tui_tablestate queues_state; /* rows: queue_row */

static queue_row *rows_of(void *ctx)
{
    return ((queues_state *)ctx)->rows;
}

static const ui_column COLUMNS[] = {
    {"GROUP", 9, 0, UI_LEFT, 'g'},    {"POOL", 14, 2, UI_LEFT, 'p'},
    {"CALLER", 14, 2, UI_LEFT, 'c'},  {"CALLEE", 16, 3, UI_LEFT, 'e'},
    {"RINGING", 8, 0, UI_RIGHT, 'r'}, {"PICKUP", 9, 0, UI_LEFT, 'k'},
    {"VIA", 3, 0, UI_LEFT, 'v'},
};

static size_t count(void *ctx)
{
    return ((queues_state *)ctx)->n;
}

static void cell(void *ctx, size_t row, int col, char *buf, size_t len, ui_role *role)
{
    const queue_row *r = &rows_of(ctx)[row];
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
    case 5:
        snprintf(buf, len, "%s", r->call.pickable ? "yes" : "no (DR)");
        if (!r->call.pickable)
            *role = UI_ROLE_WARN;
        break;
    default:
        snprintf(buf, len, "%s", call_transport_name(r->call.transport));
    }
}

static int compare(void *ctx, size_t x, size_t y, int col)
{
    const queue_row *p = &rows_of(ctx)[x], *q = &rows_of(ctx)[y];
    int c;
    switch (col) {
    case 0:
        /* Group, then ringing longest first: the order pickup answers. */
        c = orbit_number_compare(&p->call.group, &q->call.group);
        return c ? c : tui_cmp_i64(p->call.ringing_since_ms, q->call.ringing_since_ms);
    case 1:
        return strcmp(p->pool, q->pool);
    case 2:
        return strcmp(p->call.caller, q->call.caller);
    case 3:
        return strcmp(p->call.callee, q->call.callee);
    case 4:
        return tui_cmp_i64(p->call.ringing_since_ms, q->call.ringing_since_ms);
    case 5:
        return (int)p->call.pickable - (int)q->call.pickable;
    default:
        return (int)p->call.transport - (int)q->call.transport;
    }
}

static void key_of(void *ctx, size_t row, char *buf, size_t len)
{
    snprintf(buf, len, "%s", rows_of(ctx)[row].call.call_id);
}

static const ui_table_source SOURCE = {count, cell, compare, key_of};

static bool init(tui_app *a, void **state)
{
    (void)a;
    return tui_tablestate_new(state, sizeof(queues_state), COLUMNS,
                              sizeof COLUMNS / sizeof COLUMNS[0], 0, false);
}

static void rebuild(tui_app *a, void *state)
{
    queues_state *s = state;
    s->n = 0;
    for (size_t i = 0; i < client_hub_count(a->net.hub); i++) {
        client_conn *c = client_hub_at(a->net.hub, i);
        if (client_conn_get_state(c) != CLIENT_CONN_LIVE)
            continue;
        const client_mirror *m = client_conn_mirror(c);
        if (!tui_tablestate_reserve(s, s->n + client_mirror_queued_calls(m), sizeof(queue_row)))
            break;
        size_t pos = 0;
        const client_queue *q;
        while ((q = client_mirror_queue_next(m, &pos))) {
            for (size_t k = 0; k < q->ncalls; k++) {
                queue_row *row = &rows_of(s)[s->n++];
                row->call = q->calls[k];
                snprintf(row->pool, sizeof row->pool, "%s", client_conn_fqdn(c));
            }
        }
    }
    ui_table_rebuild(s->table, &SOURCE, s);
}

static void draw(tui_app *a, void *state, tui_rect r)
{
    queues_state *s = state;
    tui_tableview_draw(a, s->table, &SOURCE, s, r, "calls waiting in pickup queues", NULL);
}

static void select_row(tui_app *a, void *state, tui_selection *sel)
{
    queues_state *s = state;
    size_t row = ui_table_selected(s->table);
    snprintf(sel->pool, sizeof sel->pool, "%s",
             row < s->n ? rows_of(s)[row].pool : a->model.selected);
}

const tui_view_def TUI_VIEW_QUEUES = {
    .tab = "Queues",
    .word = "queues",
    .summary = "calls waiting in pickup queues, per group, in the order pickup answers them",
    .init = init,
    .fini = tui_tablestate_free,
    .rebuild = rebuild,
    .draw = draw,
    .key = tui_tableview_keys,
    .table = tui_tableview_table,
    .select = select_row,
    .click = tui_tableview_click,
};
