/* ui_table: filtered, sorted index over a row source, drawn lazily. */
#include "ui_table.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define UI_TABLE_MAX_COLS 16
#define UI_TABLE_KEY_MAX  128

struct ui_table {
    ui_column cols[UI_TABLE_MAX_COLS];
    int ncols;
    int sort_col;
    bool descending;
    bool follow;
    size_t *index; /* source rows, filtered and sorted */
    size_t nindex, cap;
    size_t selected; /* position in index */
    size_t top;      /* first visible position */
    int page;        /* rows on the last draw */
    int drawn_y;     /* screen line of the first row on the last draw */
    char filter[128];
    /* The selected row's key as of the last draw (when index and source
     * agreed); a rebuild finds the row again by it, unless the user has
     * moved the selection since. */
    char selected_key[UI_TABLE_KEY_MAX];
    bool moved;
};

ui_table *ui_table_new(const ui_column *cols, int ncols, int sort_col, bool descending)
{
    ui_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->ncols = ncols > UI_TABLE_MAX_COLS ? UI_TABLE_MAX_COLS : ncols;
    memcpy(t->cols, cols, (size_t)t->ncols * sizeof *cols);
    t->sort_col = sort_col < t->ncols ? sort_col : 0;
    t->descending = descending;
    t->page = 10;
    return t;
}

void ui_table_free(ui_table *t)
{
    if (!t)
        return;
    free(t->index);
    free(t);
}

typedef struct {
    const ui_table_source *src;
    void *ctx;
    int col;
    bool desc;
} sort_ctx;

static int cmp_rows(const void *a, const void *b, void *arg)
{
    sort_ctx *s = arg;
    size_t ra = *(const size_t *)a, rb = *(const size_t *)b;
    int c = s->src->compare(s->ctx, ra, rb, s->col);
    if (c == 0)
        c = ra < rb ? -1 : ra > rb; /* stable across rebuilds */
    return s->desc ? -c : c;
}

static bool passes(ui_table *t, const ui_table_source *src, void *ctx, size_t row)
{
    if (!t->filter[0])
        return true;
    char buf[512];
    for (int c = 0; c < t->ncols; c++) {
        ui_role role = UI_ROLE_NORMAL;
        src->cell(ctx, row, c, buf, sizeof buf, &role);
        if (strcasestr(buf, t->filter))
            return true;
    }
    return false;
}

void ui_table_rebuild(ui_table *t, const ui_table_source *src, void *ctx)
{
    size_t n = src->count(ctx);
    if (n > t->cap) {
        size_t cap = t->cap ? t->cap : 64;
        while (cap < n)
            cap *= 2;
        size_t *ni = realloc(t->index, cap * sizeof *ni);
        if (!ni)
            return; /* keep the old view rather than none */
        t->index = ni;
        t->cap = cap;
    }
    t->nindex = 0;
    for (size_t r = 0; r < n; r++) {
        if (passes(t, src, ctx, r))
            t->index[t->nindex++] = r;
    }
    sort_ctx sc = {src, ctx, t->sort_col, t->descending};
    if (t->nindex > 1)
        qsort_r(t->index, t->nindex, sizeof *t->index, cmp_rows, &sc);
    if (t->follow) {
        t->selected = t->top = 0;
        return;
    }
    size_t keep = 0;
    bool found = false;
    if (!t->moved && t->selected_key[0] && src->key) {
        char k[UI_TABLE_KEY_MAX];
        for (size_t i = 0; i < t->nindex && !found; i++) {
            src->key(ctx, t->index[i], k, sizeof k);
            if (strcmp(k, t->selected_key) == 0) {
                keep = i;
                found = true;
            }
        }
    }
    if (!found)
        keep = t->selected < t->nindex ? t->selected : (t->nindex ? t->nindex - 1 : 0);
    /* The selected row keeps its place on the screen: rows arriving above
     * it push the view, not the row the operator is reading. */
    size_t offset = t->selected >= t->top ? t->selected - t->top : 0;
    t->selected = keep;
    t->top = keep >= offset ? keep - offset : 0;
}

/* Column widths for a width; columns that do not fit are dropped from
 * the right, except the sort column, which is never hidden. w[c] is 0 for
 * a dropped column. */
static void layout(const ui_table *t, int width, int *w)
{
    int total = 0, flex = 0;
    for (int c = 0; c < t->ncols; c++) {
        /* The title and the sort arrow are never cut. */
        int title = ui_text_width(t->cols[c].title) + 1;
        w[c] = t->cols[c].min_width > title ? t->cols[c].min_width : title;
        total += w[c] + (c ? 1 : 0);
    }
    for (int c = t->ncols - 1; c > 0 && total > width; c--) {
        if (c == t->sort_col)
            continue;
        total -= w[c] + 1;
        w[c] = 0;
    }
    for (int c = 0; c < t->ncols; c++)
        flex += w[c] ? t->cols[c].flex : 0;
    int spare = width - total;
    for (int c = 0; c < t->ncols && spare > 0 && flex > 0; c++)
        if (w[c])
            w[c] += spare * t->cols[c].flex / flex;
}

void ui_table_draw(ui_table *t, const ui_table_source *src, void *ctx, WINDOW *win, int y, int x,
                   int h, int width, const ui_theme *th, const ui_glyphs *g)
{
    if (h < 2 || width < 4)
        return;
    int w[UI_TABLE_MAX_COLS];
    layout(t, width, w);
    int hdr = ui_theme_attr(th, UI_ROLE_TABLE_HEADER);
    ui_fill(win, y, x, width, hdr);
    int cx = x;
    for (int c = 0; c < t->ncols; c++) {
        if (!w[c])
            continue;
        char title[96];
        const char *mark = c == t->sort_col ? (t->descending ? g->down_arrow : g->up_arrow) : "";
        snprintf(title, sizeof title, "%s%s", t->cols[c].title, mark);
        ui_put(win, y, cx, w[c], hdr | (c == t->sort_col ? A_BOLD : 0), t->cols[c].align, title, g);
        cx += w[c] + 1;
    }
    int rows = h - 1;
    t->page = rows;
    t->drawn_y = y + 1;
    t->moved = false;
    t->selected_key[0] = '\0';
    if (t->selected < t->nindex && src->key)
        src->key(ctx, t->index[t->selected], t->selected_key, sizeof t->selected_key);
    if (t->selected < t->top)
        t->top = t->selected;
    if (t->selected >= t->top + (size_t)rows)
        t->top = t->selected - (size_t)rows + 1;
    if (t->top + (size_t)rows > t->nindex)
        t->top = t->nindex > (size_t)rows ? t->nindex - (size_t)rows : 0;
    for (int r = 0; r < rows; r++) {
        size_t pos = t->top + (size_t)r;
        int line = y + 1 + r;
        if (pos >= t->nindex) {
            ui_fill(win, line, x, width, ui_theme_attr(th, UI_ROLE_NORMAL));
            continue;
        }
        bool sel = pos == t->selected;
        int base = ui_theme_attr(th, sel ? UI_ROLE_SELECTED : UI_ROLE_NORMAL);
        ui_fill(win, line, x, width, base);
        cx = x;
        for (int c = 0; c < t->ncols; c++) {
            if (!w[c])
                continue;
            char buf[512];
            ui_role role = UI_ROLE_NORMAL;
            src->cell(ctx, t->index[pos], c, buf, sizeof buf, &role);
            int attr = sel ? base : ui_theme_attr(th, role);
            ui_put(win, line, cx, w[c], attr, t->cols[c].align, buf, g);
            cx += w[c] + 1;
        }
    }
}

static void select_pos(ui_table *t, size_t pos)
{
    t->selected = pos;
    t->moved = true;
}

void ui_table_move(ui_table *t, long delta)
{
    if (!t->nindex)
        return;
    long pos = (long)t->selected + delta;
    if (pos < 0)
        pos = 0;
    if (pos >= (long)t->nindex)
        pos = (long)t->nindex - 1;
    select_pos(t, (size_t)pos);
}

long ui_table_page(const ui_table *t)
{
    return t->page > 1 ? t->page - 1 : 1;
}

void ui_table_home(ui_table *t)
{
    select_pos(t, 0);
}

void ui_table_end(ui_table *t)
{
    select_pos(t, t->nindex ? t->nindex - 1 : 0);
}

bool ui_table_click(ui_table *t, int y)
{
    long pos = (long)t->top + (y - t->drawn_y);
    if (y < t->drawn_y || y >= t->drawn_y + t->page || pos < 0 || pos >= (long)t->nindex)
        return false;
    select_pos(t, (size_t)pos);
    return true;
}

void ui_table_sort_by(ui_table *t, int col, bool toggle)
{
    if (col < 0 || col >= t->ncols)
        return;
    if (col == t->sort_col && toggle)
        t->descending = !t->descending;
    t->sort_col = col;
}

bool ui_table_sort_by_key(ui_table *t, int key)
{
    for (int c = 0; c < t->ncols; c++) {
        if (t->cols[c].sort_key && tolower(t->cols[c].sort_key) == tolower(key)) {
            ui_table_sort_by(t, c, true);
            return true;
        }
    }
    return false;
}

void ui_table_sort_step(ui_table *t, int dir)
{
    t->sort_col = (t->sort_col + (dir < 0 ? t->ncols - 1 : 1)) % t->ncols;
}

void ui_table_sort_reverse(ui_table *t)
{
    t->descending = !t->descending;
}

int ui_table_sort_column(const ui_table *t)
{
    return t->sort_col;
}

bool ui_table_sort_descending(const ui_table *t)
{
    return t->descending;
}

int ui_table_columns(const ui_table *t)
{
    return t->ncols;
}

const ui_column *ui_table_column(const ui_table *t, int col)
{
    return col >= 0 && col < t->ncols ? &t->cols[col] : NULL;
}

void ui_table_set_follow(ui_table *t, bool follow)
{
    t->follow = follow;
    if (follow)
        t->selected = t->top = 0;
}

bool ui_table_following(const ui_table *t)
{
    return t->follow;
}

void ui_table_set_filter(ui_table *t, const char *text)
{
    snprintf(t->filter, sizeof t->filter, "%s", text ? text : "");
}

const char *ui_table_filter(const ui_table *t)
{
    return t->filter;
}

size_t ui_table_selected(const ui_table *t)
{
    return t->selected < t->nindex ? t->index[t->selected] : (size_t)-1;
}

size_t ui_table_selected_pos(const ui_table *t)
{
    return t->selected;
}

size_t ui_table_visible_rows(const ui_table *t)
{
    return t->nindex;
}
