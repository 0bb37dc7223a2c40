/* tui_view_dr: disaster-recovery readiness and runbooks. A row per pair
 * says whether it is ready; for the selected pool's pair, the runbook
 * that holds it (or the last one) as a timeline, each step with its
 * state, elapsed time and what it did or why it stopped, then the six
 * readiness checks with what is wrong and how to fix it. The checks are
 * evaluated live, once a second, on the mirrors and the vault; the
 * runbook keys (guided failover, failback, replace, abandon) act on the
 * selected pool from here as from any view. Up and Down choose the pool;
 * PgUp, PgDn, g and G scroll the detail. */
#include "tui_keys.h"
#include "tui_model.h"
#include "tui_view.h"

#include "client_readiness.h"
#include "client_view.h"
#include "orbit_time.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DR_PAIRS   64
#define DR_LINES   160
#define LINE_BYTES 1200

typedef struct {
    char text[LINE_BYTES];
    ui_role role;
    int indent;
} dr_line;

typedef struct {
    client_ready_pair pairs[DR_PAIRS];
    size_t npairs;
    int64_t evaluated_ms;
    dr_line lines[DR_LINES]; /* the detail of the selected pair */
    int nlines;
    int top; /* first detail line shown */
} dr_view;

static int attr(const tui_app *a, ui_role r)
{
    return ui_theme_attr(&a->scr.theme, r);
}

static void add(dr_view *s, ui_role role, int indent, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void add(dr_view *s, ui_role role, int indent, const char *fmt, ...)
{
    if (s->nlines >= DR_LINES)
        return;
    dr_line *l = &s->lines[s->nlines++];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->text, sizeof l->text, fmt, ap);
    va_end(ap);
    l->role = role;
    l->indent = indent;
}

static const client_ready_pair *pair_of(const dr_view *s, const char *fqdn)
{
    for (size_t i = 0; i < s->npairs && i < DR_PAIRS; i++) {
        if (strcmp(s->pairs[i].left, fqdn) == 0 || strcmp(s->pairs[i].right, fqdn) == 0)
            return &s->pairs[i];
    }
    return NULL;
}

/* The runbook to show for a pair: this console's own while it runs (its
 * details move every second), else the newest the deployment records. */
static const dr_runbook *runbook_of(const tui_app *a, const client_ready_pair *p, bool *local)
{
    *local = false;
    if (a->act.runbook) {
        const dr_runbook *r = client_runbook_record(a->act.runbook);
        if (dr_runbook_touches(r, p->left) || dr_runbook_touches(r, p->right)) {
            *local = true;
            return r;
        }
    }
    const client_mirror *m = tui_model_mirror(a);
    const dr_runbook *best = NULL;
    for (size_t i = 0; m && i < client_mirror_runbook_count(m); i++) {
        const dr_runbook *r = client_mirror_runbook_at(m, i);
        if ((dr_runbook_touches(r, p->left) || dr_runbook_touches(r, p->right)) &&
            (!best || r->updated_ms > best->updated_ms))
            best = r;
    }
    return best;
}

static ui_role step_role(dr_step_state st)
{
    return st == DR_STEP_DONE      ? UI_ROLE_UP
           : st == DR_STEP_FAILED  ? UI_ROLE_DOWN
           : st == DR_STEP_RUNNING ? UI_ROLE_WARN
                                   : UI_ROLE_DIM;
}

static void runbook_lines(tui_app *a, dr_view *s, const dr_runbook *r, bool local)
{
    int64_t now = orbit_time_now_ms();
    char since[40], took[32];
    orbit_time_rfc3339(r->started_ms, since, sizeof since);
    ui_duration(now - r->started_ms, took, sizeof took);
    add(s, UI_ROLE_TITLE, 0, "Runbook: %s of %s%s%s, %s (%s ago), held by %s",
        dr_runbook_kind_name(r->kind), r->home, r->replacement[0] ? " by " : "", r->replacement,
        dr_runbook_state_name(r->state), took, r->holder);
    for (size_t i = 0; i < r->nsteps; i++) {
        const dr_runbook_step *st = &r->steps[i];
        char elapsed[32] = "";
        if (st->started_ms)
            ui_duration((st->ended_ms ? st->ended_ms : now) - st->started_ms, elapsed,
                        sizeof elapsed);
        const char *mark = st->state == DR_STEP_DONE      ? a->scr.glyphs.check
                           : st->state == DR_STEP_FAILED  ? a->scr.glyphs.cross
                           : st->state == DR_STEP_RUNNING ? a->scr.glyphs.arrow
                                                          : " ";
        add(s, step_role(st->state), 1, "%s %-15s %-8s %6s  %s", mark, st->name,
            dr_step_state_name(st->state), elapsed,
            st->detail[0] ? st->detail : client_runbook_step_title(r->kind, i));
    }
    if (!local && dr_runbook_active(r)) {
        char key[16];
        int cmd = r->kind == DR_RUNBOOK_FAILOVER   ? TUI_CMD_RB_FAILOVER
                  : r->kind == DR_RUNBOOK_FAILBACK ? TUI_CMD_RB_FAILBACK
                                                   : TUI_CMD_RB_REPLACE;
        tui_keys_name_of(a, -1, cmd, key, sizeof key);
        char abandon[16];
        tui_keys_name_of(a, -1, TUI_CMD_RB_ABANDON, abandon, sizeof abandon);
        add(s, UI_ROLE_DIM, 1, "(%s resumes it if this console holds it; %s abandons it)", key,
            abandon);
    }
}

static void checks_lines(dr_view *s, const client_ready_pair *p)
{
    add(s, UI_ROLE_TITLE, 0, "Readiness of %s / %s: %s", p->left,
        p->right[0] ? p->right : "(no backup)", p->ready ? "ready" : "NOT READY");
    for (int c = 0; c < CLIENT_READY_CHECK_COUNT; c++) {
        client_ready_verdict v = p->verdict[c];
        add(s,
            v == CLIENT_READY_OK     ? UI_ROLE_UP
            : v == CLIENT_READY_FAIL ? UI_ROLE_DOWN
                                     : UI_ROLE_WARN,
            1, "%-7s %-16s %s", client_ready_verdict_name(v),
            client_ready_check_name((client_ready_check)c),
            client_ready_check_title((client_ready_check)c));
        for (size_t k = 0; k < p->nproblems; k++) {
            const client_ready_problem *pr = &p->problems[k];
            if ((int)pr->check != c)
                continue;
            add(s, UI_ROLE_NORMAL, 9, "%s", pr->what);
            add(s, UI_ROLE_DIM, 9, "fix: %s", pr->fix);
        }
    }
}

static void evaluate(tui_app *a, dr_view *s)
{
    s->npairs = client_readiness_evaluate(a->net.hub, tui_model_vault(a), s->pairs, DR_PAIRS);
    if (s->npairs > DR_PAIRS)
        s->npairs = DR_PAIRS;
    s->evaluated_ms = orbit_time_now_ms();
}

static void rebuild(tui_app *a, void *state)
{
    dr_view *s = state;
    int64_t now = orbit_time_now_ms();
    /* The checks read the vault's manifest: once a second is plenty. */
    if (now - s->evaluated_ms >= 1000)
        evaluate(a, s);
    s->nlines = 0;
    const client_ready_pair *p = pair_of(s, a->model.selected);
    if (!p && s->npairs) {
        tui_model_select(a, s->pairs[0].left);
        p = &s->pairs[0];
    }
    if (!p)
        return;
    bool local;
    const dr_runbook *r = runbook_of(a, p, &local);
    if (r) {
        runbook_lines(a, s, r, local);
        add(s, UI_ROLE_NORMAL, 0, "%s", "");
    }
    checks_lines(s, p);
}

static void draw(tui_app *a, void *state, tui_rect r)
{
    dr_view *s = state;
    const ui_glyphs *g = &a->scr.glyphs;
    if (!tui_model_mirror(a)) {
        ui_put(stdscr, r.y + 1, 2, r.w - 4, attr(a, UI_ROLE_WARN), UI_LEFT,
               "waiting for the first pool to answer...", g);
        return;
    }
    /* Live elapsed times: this console's runbook moves every second. */
    rebuild(a, state);
    int y = r.y, end = r.y + r.h;
    const client_ready_pair *sel = pair_of(s, a->model.selected);
    for (size_t i = 0; i < s->npairs && y < end; i++) {
        const client_ready_pair *p = &s->pairs[i];
        char failing[200] = "";
        size_t used = 0;
        for (int c = 0; c < CLIENT_READY_CHECK_COUNT && used < sizeof failing; c++) {
            if (p->verdict[c] == CLIENT_READY_OK)
                continue;
            int w = snprintf(failing + used, sizeof failing - used, "%s%s", used ? ", " : "",
                             client_ready_check_name((client_ready_check)c));
            used += w > 0 ? (size_t)w : 0;
        }
        char line[LINE_BYTES];
        snprintf(line, sizeof line, "%s%s / %s  %s%s%s", p == sel ? ">" : " ", p->left,
                 p->right[0] ? p->right : "-", p->ready ? "ready" : "NOT READY",
                 failing[0] ? ": " : "", failing);
        ui_put(stdscr, y++, r.x, r.w,
               p == sel ? attr(a, UI_ROLE_SELECTED) : attr(a, p->ready ? UI_ROLE_UP : UI_ROLE_WARN),
               UI_LEFT, line, g);
    }
    if (y < end)
        ui_fill(stdscr, y++, r.x, r.w, attr(a, UI_ROLE_NORMAL));
    int rows = end - y;
    if (s->top > s->nlines - rows)
        s->top = s->nlines - rows;
    if (s->top < 0)
        s->top = 0;
    for (int i = s->top; i < s->nlines && y < end; i++) {
        const dr_line *l = &s->lines[i];
        int x = r.x + l->indent;
        ui_put(stdscr, y++, x, r.w - l->indent, attr(a, l->role), UI_LEFT, l->text, g);
    }
    if (s->top + rows < s->nlines && end - 1 > r.y)
        ui_putf(stdscr, end - 1, r.x, r.w, attr(a, UI_ROLE_DIM), g, "%s %d more line(s) (PgDn)",
                g->down_arrow, s->nlines - s->top - rows);
}

/* The pools in pair order, to move the selection through them. */
static void move_selection(tui_app *a, dr_view *s, int delta)
{
    const char *order[2 * DR_PAIRS];
    int n = 0, at = -1;
    for (size_t i = 0; i < s->npairs; i++) {
        order[n++] = s->pairs[i].left;
        if (s->pairs[i].right[0])
            order[n++] = s->pairs[i].right;
    }
    for (int i = 0; i < n; i++) {
        if (strcmp(order[i], a->model.selected) == 0)
            at = i;
    }
    if (!n)
        return;
    int next = at < 0 ? 0 : at + delta;
    next = next < 0 ? 0 : next >= n ? n - 1 : next;
    tui_model_select(a, order[next]);
    s->top = 0;
}

static bool key(tui_app *a, void *state, int cmd, int k)
{
    (void)k;
    dr_view *s = state;
    int page = a->scr.rows > 10 ? a->scr.rows - 10 : 1;
    switch (cmd) {
    case TUI_CMD_UP:
    case TUI_CMD_LEFT:
        move_selection(a, s, -1);
        return true;
    case TUI_CMD_DOWN:
    case TUI_CMD_RIGHT:
        move_selection(a, s, 1);
        return true;
    case TUI_CMD_PAGE_DOWN:
        s->top += page;
        a->scr.screen_dirty = true;
        return true;
    case TUI_CMD_PAGE_UP:
        s->top -= page;
        a->scr.screen_dirty = true;
        return true;
    case TUI_CMD_TOP:
        s->top = 0;
        a->scr.screen_dirty = true;
        return true;
    case TUI_CMD_BOTTOM:
        s->top = DR_LINES;
        a->scr.screen_dirty = true;
        return true;
    default:
        return false;
    }
}

static void tick(tui_app *a, void *state, int64_t now)
{
    dr_view *s = state;
    /* Checks are live: a problem fixed elsewhere clears within a second. */
    if (now - s->evaluated_ms >= 1000)
        a->scr.screen_dirty = true;
}

static bool init(tui_app *a, void **state)
{
    (void)a;
    *state = calloc(1, sizeof(dr_view));
    return *state != NULL;
}

static void fini(void *state)
{
    free(state);
}

const tui_view_def TUI_VIEW_DR = {
    .tab = "DR",
    .word = "dr",
    .summary = "disaster recovery: each pair's readiness (what is wrong, how to fix it) and the "
               "runbook timeline",
    .init = init,
    .fini = fini,
    .rebuild = rebuild,
    .draw = draw,
    .key = key,
    .tick = tick,
};
