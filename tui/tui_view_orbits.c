/* tui_view_orbits: the orbit table of the deployment: each range with its
 * type, owner, use and utilisation; p shows one pool's ranges, t one
 * type; R moves the selected range (the actions take it from here). */
#include "tui_keys.h"
#include "tui_model.h"
#include "tui_tableview.h"

#include "client_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { CMD_POOL = TUI_CMD_OWN, CMD_TYPE };

typedef struct {
    orbit_range range;
    uint32_t in_use;
} orbit_row;

typedef struct {
    tui_tablestate base; /* rows: orbit_row */
    tui_app *a;
    char pool[ORBIT_FQDN_MAX + 1]; /* "" for every pool */
    int type;                      /* -1 every type, else orbit_type */
} orbits_state;

static orbit_row *rows_of(void *ctx)
{
    return ((orbits_state *)ctx)->base.rows;
}

static const ui_column COLUMNS[] = {
    {"IDENTITY", 14, 3, UI_LEFT, 'i'}, {"RANGE", 13, 1, UI_LEFT, 'r'},
    {"TYPE", 11, 0, UI_LEFT, 't'},     {"OWNER", 14, 3, UI_LEFT, 'o'},
    {"IN USE", 11, 0, UI_RIGHT, 'u'},  {"UTILISATION", 15, 1, UI_LEFT, '%'},
};

static size_t count(void *ctx)
{
    return ((orbits_state *)ctx)->base.n;
}

static void cell(void *ctx, size_t row, int col, char *buf, size_t len, ui_role *role)
{
    orbits_state *s = ctx;
    const orbit_row *r = &rows_of(s)[row];
    char st[ORBIT_NUMBER_BUF], en[ORBIT_NUMBER_BUF];
    uint32_t size = orbit_range_size(&r->range);
    double util = size ? (double)r->in_use / size : 0;
    switch (col) {
    case 0:
        snprintf(buf, len, "%s", r->range.identity);
        break;
    case 1:
        snprintf(buf, len, "%s-%s", orbit_number_format(&r->range.start, st, sizeof st),
                 orbit_number_format(&r->range.end, en, sizeof en));
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
        const ui_glyphs *g = &s->a->scr.glyphs;
        int cells = 10, full = (int)(util * cells + 0.5);
        if (util > 0 && full == 0)
            full = 1;
        size_t used = 0;
        for (int i = 0; i < cells && used + 8 < len; i++)
            used += (size_t)snprintf(buf + used, len - used, "%s",
                                     i < full ? g->bar_full : g->bar_empty);
        snprintf(buf + used, len - used, " %3.0f%%", util * 100);
        *role = util >= 0.9 ? UI_ROLE_STATUS_ERROR : util >= 0.7 ? UI_ROLE_WARN : UI_ROLE_BAR;
    }
    }
}

static int compare(void *ctx, size_t x, size_t y, int col)
{
    const orbit_row *p = &rows_of(ctx)[x], *q = &rows_of(ctx)[y];
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
        return tui_cmp_i64(p->in_use, q->in_use);
    default:
        return tui_cmp_i64((int64_t)p->in_use * qs, (int64_t)q->in_use * ps);
    }
}

static void key_of(void *ctx, size_t row, char *buf, size_t len)
{
    snprintf(buf, len, "%s", rows_of(ctx)[row].range.identity);
}

static const ui_table_source SOURCE = {count, cell, compare, key_of};

static bool init(tui_app *a, void **state)
{
    if (!tui_tablestate_new(state, sizeof(orbits_state), COLUMNS,
                            sizeof COLUMNS / sizeof COLUMNS[0], 0, false))
        return false;
    orbits_state *s = *state;
    s->a = a;
    s->type = -1;
    return true;
}

static void rebuild(tui_app *a, void *state)
{
    orbits_state *s = state;
    s->base.n = 0;
    const client_mirror *m = tui_model_mirror(a);
    const orbit_table *t = m ? client_mirror_orbits(m) : NULL;
    size_t n = t ? orbit_table_count(t) : 0;
    if (tui_tablestate_reserve(&s->base, n, sizeof(orbit_row))) {
        for (size_t i = 0; i < n; i++) {
            const orbit_range *r = orbit_table_at(t, i);
            if ((s->pool[0] && strcmp(r->pool, s->pool) != 0) ||
                (s->type >= 0 && (int)r->type != s->type))
                continue;
            orbit_row *row = &rows_of(s)[s->base.n++];
            row->range = *r;
            row->in_use = client_view_in_use(a->net.hub, r);
        }
    }
    ui_table_rebuild(s->base.table, &SOURCE, s);
}

static void draw(tui_app *a, void *state, tui_rect r)
{
    orbits_state *s = state;
    char title[400];
    snprintf(title, sizeof title, "orbit ranges (pool: %s, type: %s)", s->pool[0] ? s->pool : "all",
             s->type < 0 ? "all" : orbit_type_name((orbit_type)s->type));
    tui_tableview_draw(a, s->base.table, &SOURCE, s, r, title, NULL);
}

/* The next pool of the deployment after the one shown ("" is every pool). */
static void next_pool(tui_app *a, orbits_state *s)
{
    const client_mirror *m = tui_model_mirror(a);
    size_t n = m ? client_mirror_pool_count(m) : 0;
    long at = -1;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(client_mirror_pool_at(m, i)->fqdn, s->pool) == 0)
            at = (long)i;
    }
    if (at + 1 >= (long)n)
        s->pool[0] = '\0';
    else
        snprintf(s->pool, sizeof s->pool, "%s", client_mirror_pool_at(m, (size_t)(at + 1))->fqdn);
}

static bool key(tui_app *a, void *state, int cmd, int k)
{
    (void)k;
    orbits_state *s = state;
    if (cmd == CMD_POOL) {
        next_pool(a, s);
    } else if (cmd == CMD_TYPE) {
        s->type = s->type < 0                      ? ORBIT_TYPE_CALLPARK
                  : s->type == ORBIT_TYPE_CALLPARK ? ORBIT_TYPE_GROUPPICKUP
                                                   : -1;
    } else {
        return tui_tableview_key(a, s->base.table, cmd);
    }
    a->scr.data_dirty = a->scr.screen_dirty = true;
    return true;
}

static void select_row(tui_app *a, void *state, tui_selection *sel)
{
    orbits_state *s = state;
    size_t row = ui_table_selected(s->base.table);
    snprintf(sel->pool, sizeof sel->pool, "%s", a->model.selected);
    if (row < s->base.n) {
        snprintf(sel->range, sizeof sel->range, "%s", rows_of(s)[row].range.identity);
        snprintf(sel->pool, sizeof sel->pool, "%s", rows_of(s)[row].range.pool);
    }
}

/* ":orbits pool3" shows one pool's ranges; ":orbits all" every pool's. */
static bool arg(tui_app *a, void *state, const char *text, char *why, size_t whylen)
{
    orbits_state *s = state;
    if (strcmp(text, "all") == 0) {
        s->pool[0] = '\0';
        return true;
    }
    const pool_info *p = tui_model_pool_named(a, text, why, whylen);
    if (p)
        snprintf(s->pool, sizeof s->pool, "%s", p->fqdn);
    return p != NULL;
}

static const ui_key KEYS[] = {
    {'p', CMD_POOL, "pool", "Pool", "show one pool's ranges, cycling through the pools", 0},
    {'t', CMD_TYPE, "type", "Type", "show CallPark, GroupPickup or every type of range", 0},
};

const tui_view_def TUI_VIEW_ORBITS = {
    .tab = "Orbits",
    .word = "orbits",
    .summary = "the orbit table: every range, its owner and use (:orbits POOL shows one pool's)",
    .init = init,
    .fini = tui_tablestate_free,
    .rebuild = rebuild,
    .draw = draw,
    .key = key,
    .table = tui_tableview_table,
    .select = select_row,
    .arg = arg,
    .click = tui_tableview_click,
    .keys = KEYS,
    .nkeys = sizeof KEYS / sizeof KEYS[0],
};
