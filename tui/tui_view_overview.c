/* tui_view_overview: every pool at a glance, paired with its backup, in
 * cards that fit the terminal: on a short or narrow terminal one line per
 * pool, whose essential words (the pool's state, its users' DR phase with
 * its duration, a pickup redirect still to do) are never cut (the line
 * wraps instead, and the less important counts go first); on a tall one
 * boxed cards with more rows: the capacity bar, the settings, the music
 * on hold, and sparklines of each pool's events, parked and queued calls
 * over the last two minutes. Rows left over show the latest events.
 * Arrows and clicks select a pool; Enter or a double click opens it. */
#include "tui_keys.h"
#include "tui_model.h"
#include "tui_view.h"

#include "client_view.h"
#include "orbit_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_POOLS    128
#define BOX_MIN_ROWS 7  /* a boxed card needs this many rows */
#define BOX_MAX_ROWS 14 /* rows past this go to the latest events */
#define TWO_COLUMNS  120
#define EVENTS_MIN   4 /* fewer spare rows than this show no events */

/* The pools in the order shown: each pair's left then its right. */
typedef struct {
    const pool_info *pool[MAX_POOLS];
    int pair[MAX_POOLS]; /* the pair's index */
    int side[MAX_POOLS]; /* 0 left, 1 right */
    int n, npairs;
} pool_order;

typedef struct {
    char fqdn[ORBIT_FQDN_MAX + 1];
    tui_rect at;
} card_hit;

typedef struct {
    int top; /* first card row shown */
    card_hit hits[MAX_POOLS];
    int nhits;
    /* The latest events move once a second, not with every event: a
     * list scrolling ten times a second would cost an ssh link dearly. */
    uint64_t latest_seq;
    int64_t latest_second;
} overview_state;

static int attr(const tui_app *a, ui_role r)
{
    return ui_theme_attr(&a->scr.theme, r);
}

static void order_pools(const tui_app *a, pool_order *o)
{
    client_pair pairs[MAX_POOLS];
    size_t np = client_view_pairs(a->net.hub, pairs, MAX_POOLS);
    o->n = o->npairs = 0;
    for (size_t i = 0; i < np && i < MAX_POOLS && o->n < MAX_POOLS - 1; i++) {
        o->pool[o->n] = pairs[i].left, o->pair[o->n] = (int)i, o->side[o->n++] = 0;
        if (pairs[i].right)
            o->pool[o->n] = pairs[i].right, o->pair[o->n] = (int)i, o->side[o->n++] = 1;
        o->npairs++;
    }
}

static int selected_index(const tui_app *a, const pool_order *o)
{
    for (int i = 0; i < o->n; i++) {
        if (strcmp(o->pool[i]->fqdn, a->model.selected) == 0)
            return i;
    }
    return -1;
}

static ui_role phase_role(dr_phase p)
{
    return p == DR_PHASE_NORMAL        ? UI_ROLE_UP
           : p == DR_PHASE_FAILED_OVER ? UI_ROLE_FAILED_OVER
                                       : UI_ROLE_WARN;
}

/* The first label of an FQDN, when the whole name is too long. */
static void short_name(const char *fqdn, char *out, size_t len)
{
    snprintf(out, len, "%.*s", (int)strcspn(fqdn, "."), fqdn);
}

/* "failed_over -> pool2.south.example.net 1m05s (disaster)"; with the
 * serving pool's first label only when short. */
static void phase_text(const tui_app *a, const dr_state *d, bool shorter, char *out, size_t len)
{
    char since[32], serving[ORBIT_FQDN_MAX + 1];
    ui_duration(orbit_time_now_ms() - d->since_ms, since, sizeof since);
    if (d->phase == DR_PHASE_NORMAL) {
        snprintf(out, len, "normal %s", since);
        return;
    }
    if (shorter)
        short_name(d->serving, serving, sizeof serving);
    else
        snprintf(serving, sizeof serving, "%s", d->serving);
    snprintf(out, len, "%s %s %s %s%s", dr_phase_name(d->phase), a->scr.glyphs.arrow, serving,
             since, d->disaster_mode ? " (disaster)" : "");
}

/* ---- compact: one line per pool ---- */

typedef struct {
    int name_w, state_w, phase_w;
} compact_widths;

/* Lays one pool's words out on one line of width w, the essential ones
 * first; returns the rows it took (2 when they had to wrap). */
static int draw_compact(tui_app *a, overview_state *s, const pool_info *p, int y, int max_rows,
                        tui_rect r, const compact_widths *cw)
{
    const ui_glyphs *g = &a->scr.glyphs;
    const client_mirror *m = tui_model_mirror(a);
    const client_mirror *own = tui_model_own(a, p->fqdn);
    const dr_state *d = m ? client_mirror_dr(m, p->fqdn) : NULL;
    bool selected = strcmp(a->model.selected, p->fqdn) == 0;
    tui_pool_words words;
    tui_model_pool_words(a, p, &words);
    int base = attr(a, words.old ? UI_ROLE_DIM : UI_ROLE_NORMAL);
    int x = r.x, w = r.w;
    ui_fill(stdscr, y, x, w, base);
    /* marker and name */
    char head[ORBIT_FQDN_MAX + 8];
    snprintf(head, sizeof head, "%s%s", selected ? ">" : " ", p->fqdn);
    int hw = cw->name_w + 1;
    ui_put(stdscr, y, x, hw, selected ? attr(a, UI_ROLE_SELECTED) | A_BOLD : base | A_BOLD, UI_LEFT,
           head, g);
    int cx = x + hw + 1, end = x + w;
    ui_put(stdscr, y, cx, cw->state_w, attr(a, words.role), UI_LEFT, words.text, g);
    cx += cw->state_w + 1;
    /* The phase and the pickup redirect: never cut; they wrap. */
    char phase[400] = "", pickup[64] = "";
    if (d) {
        phase_text(a, d, false, phase, sizeof phase);
        if (cx + ui_text_width(phase) > end)
            phase_text(a, d, true, phase, sizeof phase);
        if (!d->pickup_ranges_redirected)
            snprintf(pickup, sizeof pickup, "%s",
                     dr_phase_resiliency(d->phase) ? "pickup: redirect after the phase"
                                                   : "pickup ranges NOT redirected (R)");
    } else {
        snprintf(phase, sizeof phase, "DR state unknown");
    }
    int rows = 1;
    int pw = ui_text_width(phase);
    if (cx + pw > end && max_rows > 1) { /* the next row, under the state */
        rows = 2;
        ui_fill(stdscr, y + 1, x, w, base);
        cx = x + hw + 1;
        y++;
    }
    ui_role prole = d ? phase_role(d->phase) : UI_ROLE_WARN;
    ui_put(stdscr, y, cx, pw < end - cx ? pw : end - cx, words.old ? base : attr(a, prole), UI_LEFT,
           phase, g);
    cx += (cw->phase_w > pw ? cw->phase_w : pw) + 2;
    if (pickup[0]) {
        /* Whole on this row, whole on the next, or shortened there. */
        int kw = ui_text_width(pickup);
        if (cx + kw > end && rows == 1 && max_rows > 1) {
            rows = 2;
            y++;
            ui_fill(stdscr, y, x, w, base);
            cx = x + hw + 1;
        }
        if (cx + kw > end) {
            snprintf(pickup, sizeof pickup, "pickup NOT redirected");
            kw = ui_text_width(pickup);
        }
        ui_put(stdscr, y, cx, kw < end - cx ? kw : end - cx, attr(a, UI_ROLE_WARN), UI_LEFT, pickup,
               g);
        cx += kw + 2;
    }
    /* Then what fits: parked, queued, the events sparkline; for a pool
     * that is down, what its users can do instead (its counts are gone). */
    if (p->status == POOL_STATUS_DOWN) {
        char cell[3][320];
        int n = tui_model_seed_cell(a, p, d, true, cell);
        for (int i = 0; i < n; i++) {
            int cw2 = ui_text_width(cell[i]);
            if (cx + cw2 > end && rows == 1 && max_rows > 1) {
                /* What the users can do matters more than a row saved. */
                rows = 2;
                y++;
                ui_fill(stdscr, y, x, w, base);
                cx = x + hw + 1;
            }
            if (cx + cw2 > end)
                break;
            ui_put(stdscr, y, cx, cw2, attr(a, UI_ROLE_WARN), UI_LEFT, cell[i], g);
            cx += cw2 + 2;
        }
    } else if (own) {
        char parked[64], queued[64];
        snprintf(parked, sizeof parked, "parked %zu/%u", client_mirror_parked_count(own),
                 client_mirror_self(own)->callpark_orbits);
        snprintf(queued, sizeof queued, "queued %zu", client_mirror_queued_calls(own));
        const char *parts[2] = {parked, queued};
        for (int i = 0; i < 2; i++) {
            int pw2 = ui_text_width(parts[i]);
            if (cx + pw2 > end)
                break;
            ui_put(stdscr, y, cx, pw2, base, UI_LEFT, parts[i], g);
            cx += pw2 + 2;
        }
    } else if (cx + 13 <= end) {
        ui_put(stdscr, y, cx, 13, base, UI_LEFT, "no data here", g);
        cx += 15;
    }
    tui_history *h = tui_model_history(a, p->fqdn);
    if (h && end - cx >= 6 && p->status != POOL_STATUS_DOWN)
        ui_spark(stdscr, y, cx, end - cx, h->events, TUI_SPARK,
                 words.old ? base : attr(a, UI_ROLE_SPARK), g);
    if (s->nhits < MAX_POOLS) {
        card_hit *hit = &s->hits[s->nhits++];
        snprintf(hit->fqdn, sizeof hit->fqdn, "%s", p->fqdn);
        hit->at = (tui_rect){y - rows + 1, x, rows, w};
    }
    return rows;
}

/* ---- boxed cards ---- */

/* A labelled sparkline row: "events/s ▁▂▅ 12". */
static void spark_row(tui_app *a, int y, int x, int w, const char *label, const uint32_t *v,
                      int base, bool old)
{
    const ui_glyphs *g = &a->scr.glyphs;
    char now[24];
    snprintf(now, sizeof now, "%u", v[TUI_SPARK - 1]);
    ui_put(stdscr, y, x, 10, base, UI_LEFT, label, g);
    int sw = w - 10 - 7;
    if (sw > 0)
        ui_spark(stdscr, y, x + 10, sw, v, TUI_SPARK, old ? base : attr(a, UI_ROLE_SPARK), g);
    ui_put(stdscr, y, x + w - 6, 6, base, UI_RIGHT, now, g);
}

static void draw_box(tui_app *a, overview_state *s, const pool_info *p, tui_rect r)
{
    const ui_glyphs *g = &a->scr.glyphs;
    const client_mirror *m = tui_model_mirror(a);
    const client_mirror *own = tui_model_own(a, p->fqdn);
    const client_pool_self *self = own ? client_mirror_self(own) : NULL;
    const dr_state *d = m ? client_mirror_dr(m, p->fqdn) : NULL;
    client_conn *c = tui_model_conn(a, p->fqdn);
    bool selected = strcmp(a->model.selected, p->fqdn) == 0;
    tui_pool_words words;
    tui_model_pool_words(a, p, &words);
    int base = attr(a, words.old ? UI_ROLE_DIM : UI_ROLE_NORMAL);
    for (int row = 0; row < r.h; row++)
        ui_fill(stdscr, r.y + row, r.x, r.w, base);
    char title[ORBIT_FQDN_MAX + 8];
    snprintf(title, sizeof title, "%s%s%s", selected ? "> " : "", p->fqdn, selected ? " <" : "");
    ui_box(stdscr, r.y, r.x, r.h, r.w,
           attr(a, selected ? UI_ROLE_TITLE : UI_ROLE_BORDER) | (selected ? A_BOLD : 0), title,
           attr(a, selected ? UI_ROLE_SELECTED : UI_ROLE_TITLE), g);
    int iw = r.w - 4, ix = r.x + 2, y = r.y + 1, end = r.y + r.h - 1;
    int64_t now = orbit_time_now_ms();
    /* state, site, data age */
    char age[32] = "-", line[600];
    if (c && client_conn_last_frame_ms(c))
        ui_duration(now - client_conn_last_frame_ms(c), age, sizeof age);
    int sw = ui_text_width(words.text);
    ui_putf(stdscr, y, ix, iw, base, g, "%s %-*s  site %s  data %s old", g->dot, sw, "", p->site,
            age);
    ui_put(stdscr, y++, ix + 2, sw, attr(a, words.role), UI_LEFT, words.text, g);
    /* the DR phase of the users homed here, wrapped rather than cut */
    if (d && y < end) {
        char phase[400];
        phase_text(a, d, false, phase, sizeof phase);
        snprintf(line, sizeof line, "users %s", phase);
        y += ui_put_wrapped(stdscr, y, ix, iw, end - y > 2 ? 2 : end - y,
                            words.old ? base : attr(a, phase_role(d->phase)), line, g);
    }
    /* A pool that is down: its users' cell of the seed tables, not the
     * counts it had (its parked and queued calls are gone). */
    if (p->status == POOL_STATUS_DOWN) {
        char cell[3][320];
        int n = tui_model_seed_cell(a, p, d, false, cell);
        for (int i = 0; i < n && y < end; i++)
            y += ui_put_wrapped(stdscr, y, ix, iw, end - y > 2 ? 2 : end - y, attr(a, UI_ROLE_WARN),
                                cell[i], g);
        if (s->nhits < MAX_POOLS) {
            card_hit *hit = &s->hits[s->nhits++];
            snprintf(hit->fqdn, sizeof hit->fqdn, "%s", p->fqdn);
            hit->at = r;
        }
        return;
    }
    /* users, or the redirect still to do */
    if (y < end) {
        bool away = d && !d->pickup_ranges_redirected;
        if (!self)
            snprintf(line, sizeof line, "no data from this pool here");
        else if (away && dr_phase_resiliency(d->phase))
            snprintf(line, sizeof line, "pickup ranges: redirect once the phase completes");
        else if (away)
            snprintf(line, sizeof line, "pickup ranges NOT redirected (R)");
        else
            snprintf(line, sizeof line, "users homed %u  served %u", self->users_homed,
                     client_view_users_served(a->net.hub, p->fqdn));
        ui_put(stdscr, y++, ix, iw, away && !words.old ? attr(a, UI_ROLE_WARN) : base, UI_LEFT,
               line, g);
    }
    /* parked calls against capacity */
    size_t parked = own ? client_mirror_parked_count(own) : 0;
    uint32_t cap = self ? self->callpark_orbits : 0;
    if (y < end) {
        snprintf(line, sizeof line, "parked %zu/%u", parked, cap);
        ui_put(stdscr, y, ix, 18, base, UI_LEFT, line, g);
        int bw = iw - 18 - 6;
        if (bw > 4) {
            double f = cap ? (double)parked / cap : 0;
            ui_bar(stdscr, y, ix + 18, bw, f, words.old ? base : attr(a, UI_ROLE_BAR), g);
            ui_putf(stdscr, y, ix + 18 + bw, 6, base, g, " %3.0f%%", f * 100);
        }
        y++;
    }
    /* queues */
    if (y < end) {
        ui_putf(stdscr, y++, ix, iw, base, g, "queued %zu in %zu group(s)",
                own ? client_mirror_queued_calls(own) : 0,
                own ? client_mirror_queue_count(own) : 0);
    }
    /* More rows: each pool's history, then its settings and music. */
    tui_history *h = tui_model_history(a, p->fqdn);
    if (h) {
        if (y < end)
            spark_row(a, y++, ix, iw, "events/s", h->events, base, words.old);
        if (y < end)
            spark_row(a, y++, ix, iw, "parked", h->parked, base, words.old);
        if (y < end)
            spark_row(a, y++, ix, iw, "queued", h->queued, base, words.old);
    }
    if (own && y < end) {
        const cps_settings *st = client_mirror_config(own);
        snprintf(line, sizeof line, "timeout %d s, %d attempt(s), music %s, then %s",
                 st->call_pickup_timeout_threshold, st->max_call_pickup_attempts,
                 st->enable_music_on_hold ? "on" : "off",
                 st->on_timeout_uri[0] ? st->on_timeout_uri : "disconnect");
        ui_put(stdscr, y++, ix, iw, base, UI_LEFT, line, g);
    }
    if (own && y < end) {
        const moh_info *moh = client_mirror_moh(own);
        snprintf(line, sizeof line, "music on hold %s%s", moh->name,
                 moh->is_default ? " (the default)" : "");
        ui_put(stdscr, y++, ix, iw, base, UI_LEFT, line, g);
    }
    if (c && y < end) {
        snprintf(line, sizeof line, "%s as %s", client_conn_url(c),
                 client_conn_role(c)[0] ? client_conn_role(c) : "?");
        ui_put(stdscr, y++, ix, iw, attr(a, UI_ROLE_DIM), UI_LEFT, line, g);
    }
    if (s->nhits < MAX_POOLS) {
        card_hit *hit = &s->hits[s->nhits++];
        snprintf(hit->fqdn, sizeof hit->fqdn, "%s", p->fqdn);
        hit->at = r;
    }
}

/* ---- the latest events, in the rows the cards leave ---- */

static void draw_latest(tui_app *a, overview_state *s, tui_rect r)
{
    const ui_glyphs *g = &a->scr.glyphs;
    int64_t second = orbit_time_now_ms() / 1000;
    if (second != s->latest_second) {
        s->latest_second = second;
        s->latest_seq = a->model.events_seen;
    }
    char key[16], title[120];
    tui_keys_name_of(a, -1, TUI_CMD_VIEW_FIRST + tui_view_find("events"), key, sizeof key);
    snprintf(title, sizeof title, " latest events (%s: every event)", key[0] ? key : ":events");
    ui_put(stdscr, r.y, r.x, r.w, attr(a, UI_ROLE_TITLE), UI_LEFT, title, g);
    size_t skip = 0; /* events newer than this second's list */
    const tui_event *e;
    while ((e = tui_model_event_at(a, skip)) && e->seq > s->latest_seq)
        skip++;
    for (int i = 0; i + 1 < r.h; i++) {
        e = tui_model_event_at(a, skip + (size_t)i);
        if (!e)
            break;
        char t[40], line[600];
        orbit_time_rfc3339(e->time_ms, t, sizeof t);
        char pool[ORBIT_FQDN_MAX + 1];
        short_name(e->pool, pool, sizeof pool);
        snprintf(line, sizeof line, " %.8s  %-6s %-18s %s", t + 11, pool, e->kind, e->summary);
        ui_put(stdscr, r.y + 1 + i, r.x, r.w, attr(a, UI_ROLE_DIM), UI_LEFT, line, g);
    }
}

/* ---- the view ---- */

static void draw(tui_app *a, void *state, tui_rect r)
{
    overview_state *s = state;
    s->nhits = 0;
    if (!tui_model_mirror(a)) {
        ui_put(stdscr, r.y + 1, 2, r.w - 4, attr(a, UI_ROLE_WARN), UI_LEFT,
               "waiting for the first pool to answer...", &a->scr.glyphs);
        for (size_t i = 0; i < client_hub_count(a->net.hub) && 3 + (int)i < r.h; i++) {
            client_conn *c = client_hub_at(a->net.hub, i);
            ui_putf(stdscr, r.y + 3 + (int)i, 4, r.w - 8, attr(a, UI_ROLE_DIM), &a->scr.glyphs,
                    "%s: %s %s", client_conn_url(c),
                    client_conn_state_name(client_conn_get_state(c)), client_conn_error(c));
        }
        return;
    }
    pool_order o;
    order_pools(a, &o);
    if (!a->model.selected[0] && o.n)
        tui_model_select(a, o.pool[0]->fqdn);
    bool two = r.w >= TWO_COLUMNS;
    int card_rows = two ? o.npairs : o.n; /* rows of cards */
    int per = card_rows ? r.h / card_rows : r.h;
    if (per >= BOX_MIN_ROWS) {
        /* Boxed cards, as tall as the terminal allows (up to a limit). */
        int h = per > BOX_MAX_ROWS ? BOX_MAX_ROWS : per;
        for (int i = 0; i < o.n; i++) {
            int row = two ? o.pair[i] : i;
            int x = two && o.side[i] ? r.w / 2 : 0,
                w = two ? (o.side[i] ? r.w - r.w / 2 : r.w / 2) : r.w;
            draw_box(a, s, o.pool[i], (tui_rect){r.y + row * h, r.x + x, h, w});
        }
        int used = card_rows * h;
        if (r.h - used >= EVENTS_MIN)
            draw_latest(a, s, (tui_rect){r.y + used, r.x, r.h - used, r.w});
        return;
    }
    /* Compact: a line per pool (two when its words must wrap), a blank
     * row between pairs when there is room, scrolled to the selection. */
    compact_widths cw = {8, 5, 0};
    for (int i = 0; i < o.n; i++) {
        int nw = ui_text_width(o.pool[i]->fqdn);
        cw.name_w = nw > cw.name_w ? nw : cw.name_w;
        tui_pool_words words;
        tui_model_pool_words(a, o.pool[i], &words);
        int tw = ui_text_width(words.text);
        cw.state_w = tw > cw.state_w ? tw : cw.state_w;
    }
    if (cw.name_w > r.w / 3)
        cw.name_w = r.w / 3;
    cw.phase_w = 24;
    bool gaps = o.n + o.npairs + 1 <= r.h;
    int sel = selected_index(a, &o);
    if (sel >= 0 && sel < s->top)
        s->top = sel;
    if (s->top < 0 || s->top >= o.n)
        s->top = 0;
    char header[300];
    snprintf(header, sizeof header, " %-*s %-*s %-*s %s", cw.name_w, "POOL", cw.state_w, "STATE",
             cw.phase_w + 1, "USERS' DR PHASE, SINCE", "CALLS");
    ui_put(stdscr, r.y, r.x, r.w, attr(a, UI_ROLE_TABLE_HEADER), UI_LEFT, header, &a->scr.glyphs);
    int y = r.y + 1, end = r.y + r.h, shown = 0;
    int cards_end = o.n - s->top + 1 > r.h ? end - 1 : end; /* room for "more below" */
    for (int i = s->top; i < o.n && y < cards_end; i++) {
        if (gaps && i > s->top && o.side[i] == 0)
            y++; /* a new pair */
        if (y >= cards_end)
            break;
        y += draw_compact(a, s, o.pool[i], y, cards_end - y, r, &cw);
        shown++;
    }
    if (sel >= s->top + shown && shown > 0) {
        /* The selection went below the screen: scroll, draw again. */
        s->top = sel - shown + 1;
        a->scr.screen_dirty = true;
    }
    int more = o.n - s->top - shown;
    if (more > 0) {
        ui_putf(stdscr, end - 1, 2, r.w - 4, attr(a, UI_ROLE_DIM), &a->scr.glyphs,
                "%s %d more pool(s) below (Down)", a->scr.glyphs.down_arrow, more);
    } else if (end - y - 1 >= EVENTS_MIN) {
        draw_latest(a, s, (tui_rect){y + 1, r.x, end - y - 1, r.w});
    }
}

static void move_selection(tui_app *a, int cmd)
{
    pool_order o;
    order_pools(a, &o);
    if (!o.n)
        return;
    int i = selected_index(a, &o);
    if (i < 0)
        i = 0;
    int pair = o.pair[i], side = o.side[i];
    /* Up and Down go from pair to pair on two columns, pool to pool on one. */
    bool two = a->scr.cols >= TWO_COLUMNS;
    int next = i;
    switch (cmd) {
    case TUI_CMD_UP:
        if (two) {
            for (int k = 0; k < o.n; k++)
                if (o.pair[k] == pair - 1 && (o.side[k] == side || next == i))
                    next = k;
        } else if (i > 0) {
            next = i - 1;
        }
        break;
    case TUI_CMD_DOWN:
        if (two) {
            for (int k = o.n - 1; k >= 0; k--)
                if (o.pair[k] == pair + 1 && (o.side[k] == side || next == i))
                    next = k;
        } else if (i + 1 < o.n) {
            next = i + 1;
        }
        break;
    case TUI_CMD_LEFT:
    case TUI_CMD_RIGHT:
        for (int k = 0; k < o.n; k++)
            if (o.pair[k] == pair && o.side[k] == (cmd == TUI_CMD_RIGHT))
                next = k;
        break;
    case TUI_CMD_TOP:
    case TUI_CMD_PAGE_UP:
        next = 0;
        break;
    case TUI_CMD_BOTTOM:
    case TUI_CMD_PAGE_DOWN:
        next = o.n - 1;
        break;
    default:
        break;
    }
    tui_model_select(a, o.pool[next]->fqdn);
}

static bool key(tui_app *a, void *state, int cmd, int k)
{
    (void)state;
    (void)k;
    switch (cmd) {
    case TUI_CMD_UP:
    case TUI_CMD_DOWN:
    case TUI_CMD_LEFT:
    case TUI_CMD_RIGHT:
    case TUI_CMD_TOP:
    case TUI_CMD_BOTTOM:
    case TUI_CMD_PAGE_UP:
    case TUI_CMD_PAGE_DOWN:
        move_selection(a, cmd);
        return true;
    case TUI_CMD_OPEN:
        if (a->model.selected[0])
            tui_view_show(a, tui_view_find("pool"));
        return true;
    default:
        return false;
    }
}

static void click(tui_app *a, void *state, int y, int x, bool twice)
{
    overview_state *s = state;
    for (int i = 0; i < s->nhits; i++) {
        const tui_rect *r = &s->hits[i].at;
        if (y >= r->y && y < r->y + r->h && x >= r->x && x < r->x + r->w) {
            tui_model_select(a, s->hits[i].fqdn);
            if (twice)
                tui_view_show(a, tui_view_find("pool"));
            return;
        }
    }
}

static bool init(tui_app *a, void **state)
{
    (void)a;
    *state = calloc(1, sizeof(overview_state));
    return *state != NULL;
}

static void fini(void *state)
{
    free(state);
}

const tui_view_def TUI_VIEW_OVERVIEW = {
    .tab = "Overview",
    .word = "overview",
    .summary = "every pool with its backup: state, DR phase, calls, history",
    .init = init,
    .fini = fini,
    .draw = draw,
    .key = key,
    .click = click,
};
