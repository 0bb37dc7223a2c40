/* tui_view_parked: the calls parked on every pool, with the time each has
 * been parked, the count-down to its ring-back, its attempt and state,
 * and whether a SIP phone or an orbit.v1 endpoint carries it (VIA).
 * A pool that went away took its calls with it: only live pools count.
 * A row points at the call in its pool's mirror (rows are rebuilt before
 * every draw after the mirrors change), so the view costs 16 bytes a
 * call, not a copy of each. */
#include "tui_keys.h"
#include "tui_model.h"
#include "tui_tableview.h"

#include "orbit_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const client_parked *call; /* borrowed from the mirror */
    const char *pool;          /* its connection's FQDN, borrowed */
} parked_row;

typedef tui_tablestate parked_view; /* rows: parked_row */

static parked_row *rows_of(void *ctx)
{
    return ((parked_view *)ctx)->rows;
}

static const ui_column COLUMNS[] = {
    {"ORBIT", 9, 0, UI_LEFT, 'o'},   {"POOL", 12, 2, UI_LEFT, 'p'},
    {"PARKER", 14, 3, UI_LEFT, 'k'}, {"PARKEE", 10, 2, UI_LEFT, 'e'},
    {"PARKED", 7, 0, UI_RIGHT, 'd'}, {"RING-BACK", 11, 0, UI_RIGHT, 'r'},
    {"TRY", 3, 0, UI_RIGHT, 'y'},    {"STATE", 12, 1, UI_LEFT, 's'},
    {"VIA", 3, 0, UI_LEFT, 'v'},
};

static size_t count(void *ctx)
{
    return ((parked_view *)ctx)->n;
}

static void cell(void *ctx, size_t row, int col, char *buf, size_t len, ui_role *role)
{
    const parked_row *r = &rows_of(ctx)[row];
    int64_t now = orbit_time_now_ms();
    char d[32];
    switch (col) {
    case 0:
        orbit_number_format(&r->call->orbit, buf, len);
        break;
    case 1:
        snprintf(buf, len, "%s", r->pool);
        break;
    case 2:
        snprintf(buf, len, "%s", client_parked_parker(r->call));
        break;
    case 3:
        snprintf(buf, len, "%s", client_parked_parkee(r->call));
        break;
    case 4:
        ui_duration_coarse(now - r->call->parked_ms, d, sizeof d);
        snprintf(buf, len, "%s", d);
        break;
    case 5:
        ui_duration(r->call->deadline_ms - now, d, sizeof d);
        if (r->call->state == PARKED_STATE_RINGING_BACK) {
            snprintf(buf, len, "ringing %s", d);
            *role = UI_ROLE_WARN;
        } else {
            snprintf(buf, len, "%s", d);
            if (r->call->deadline_ms - now < 10000)
                *role = UI_ROLE_WARN;
        }
        break;
    case 6:
        snprintf(buf, len, "%d", r->call->attempt);
        break;
    case 7:
        snprintf(buf, len, "%s%s", parked_state_name((parked_state)r->call->state),
                 r->call->music_on_hold ? "" : " (no MOH)");
        break;
    default:
        snprintf(buf, len, "%s", call_transport_name((call_transport)r->call->transport));
    }
}

static int compare(void *ctx, size_t x, size_t y, int col)
{
    const parked_row *p = &rows_of(ctx)[x], *q = &rows_of(ctx)[y];
    switch (col) {
    case 0:
        return orbit_number_compare(&p->call->orbit, &q->call->orbit);
    case 1:
        return strcmp(p->pool, q->pool);
    case 2:
        return strcmp(client_parked_parker(p->call), client_parked_parker(q->call));
    case 3:
        return strcmp(client_parked_parkee(p->call), client_parked_parkee(q->call));
    case 4: /* parked the longest first when ascending */
        return tui_cmp_i64(q->call->parked_ms, p->call->parked_ms);
    case 5:
        return tui_cmp_i64(p->call->deadline_ms, q->call->deadline_ms);
    case 6:
        return p->call->attempt - q->call->attempt;
    case 7:
        return (int)p->call->state - (int)q->call->state;
    default:
        return (int)p->call->transport - (int)q->call->transport;
    }
}

static void key_of(void *ctx, size_t row, char *buf, size_t len)
{
    snprintf(buf, len, "%s", client_parked_call_id(rows_of(ctx)[row].call));
}

static const ui_table_source SOURCE = {count, cell, compare, key_of};

static bool init(tui_app *a, void **state)
{
    (void)a;
    /* The calls closest to their ring-back first. */
    return tui_tablestate_new(state, sizeof(parked_view), COLUMNS,
                              sizeof COLUMNS / sizeof COLUMNS[0], 5, false);
}

static void rebuild(tui_app *a, void *state)
{
    parked_view *s = state;
    s->n = 0;
    for (size_t i = 0; i < client_hub_count(a->net.hub); i++) {
        client_conn *c = client_hub_at(a->net.hub, i);
        if (client_conn_get_state(c) != CLIENT_CONN_LIVE)
            continue; /* a pool that went away took its calls with it */
        const client_mirror *m = client_conn_mirror(c);
        if (!tui_tablestate_reserve(s, s->n + client_mirror_parked_count(m), sizeof(parked_row)))
            break;
        size_t pos = 0;
        const client_parked *pc;
        while ((pc = client_mirror_parked_next(m, &pos)))
            rows_of(s)[s->n++] = (parked_row){pc, client_conn_fqdn(c)};
    }
    ui_table_rebuild(s->table, &SOURCE, s);
}

static void draw(tui_app *a, void *state, tui_rect r)
{
    parked_view *s = state;
    tui_tableview_draw(a, s->table, &SOURCE, s, r, "parked calls", NULL);
}

static void select_row(tui_app *a, void *state, tui_selection *sel)
{
    parked_view *s = state;
    size_t row = ui_table_selected(s->table);
    snprintf(sel->pool, sizeof sel->pool, "%s",
             row < s->n ? rows_of(s)[row].pool : a->model.selected);
}

const tui_view_def TUI_VIEW_PARKED = {
    .tab = "Parked",
    .word = "parked",
    .summary = "parked calls of every pool, with the count-down to each ring-back",
    .init = init,
    .fini = tui_tablestate_free,
    .rebuild = rebuild,
    .draw = draw,
    .key = tui_tableview_keys,
    .table = tui_tableview_table,
    .select = select_row,
    .click = tui_tableview_click,
};
