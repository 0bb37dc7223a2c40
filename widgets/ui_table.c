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
    size_t *index; /* source rows, filtered and sorted */
    size_t nindex, cap;
    size_t selected; /* position in index */
    size_t top;      /* first visible position */
    int page;        /* rows on the last draw */
    char filter[128];
    /* The selected row's key as of the last draw (when index and source
     * agreed); a rebuild finds the row again by it, unless the user has
     * moved the selection since. */
    char selected_key[UI_TABLE_KEY_MAX];
    bool moved;
};

ui_table *ui_table_new(const ui_column *cols, int ncols, int sort_col)
{
    ui_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->ncols = ncols > UI_TABLE_MAX_COLS ? UI_TABLE_MAX_COLS : ncols;
    memcpy(t->cols, cols, (size_t)t->ncols * sizeof *cols);
    t->sort_col = sort_col;
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
    t->selected = keep;
}

static int layout(const ui_table *t, int width, int *w)
{
    int total = 0, flex = 0;
    for (int c = 0; c < t->ncols; c++) {
        w[c] = t->cols[c].min_width;
        total += w[c] + (c ? 1 : 0);
        flex += t->cols[c].flex;
    }
    int spare = width - total;
    /* Too narrow: drop columns from the right. */
    int shown = t->ncols;
    while (spare < 0 && shown > 1) {
        shown--;
        spare += w[shown] + 1;
    }
    for (int c = 0; c < shown && spare > 0 && flex > 0; c++)
        w[c] += spare * t->cols[c].flex / flex;
    return shown;
}

void ui_table_draw(ui_table *t, const ui_table_source *src, void *ctx, WINDOW *win, int y, int x,
                   int h, int width, const ui_theme *th, const ui_glyphs *g)
{
    if (h < 2 || width < 4)
        return;
    int w[UI_TABLE_MAX_COLS];
    int shown = layout(t, width, w);
    int hdr = ui_theme_attr(th, UI_ROLE_TABLE_HEADER);
    ui_fill(win, y, x, width, hdr);
    int cx = x;
    for (int c = 0; c < shown; c++) {
        char title[96];
        const char *mark = c == t->sort_col ? (t->descending ? g->down_arrow : g->up_arrow) : "";
        snprintf(title, sizeof title, "%s%s", t->cols[c].title, mark);
        ui_put(win, y, cx, w[c], hdr | (c == t->sort_col ? A_BOLD : 0), t->cols[c].align, title, g);
        cx += w[c] + 1;
    }
    int rows = h - 1;
    t->page = rows;
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
        for (int c = 0; c < shown; c++) {
            char buf[512];
            ui_role role = UI_ROLE_NORMAL;
            src->cell(ctx, t->index[pos], c, buf, sizeof buf, &role);
            int attr = sel ? base : ui_theme_attr(th, role);
            ui_put(win, line, cx, w[c], attr, t->cols[c].align, buf, g);
            cx += w[c] + 1;
        }
    }
}

bool ui_table_key(ui_table *t, int key)
{
    size_t page = t->page > 1 ? (size_t)t->page - 1 : 1;
    switch (key) {
    case KEY_UP:
    case 'k':
        if (t->selected > 0)
            t->selected--;
        break;
    case KEY_DOWN:
    case 'j':
        if (t->selected + 1 < t->nindex)
            t->selected++;
        break;
    case KEY_PPAGE:
        t->selected = t->selected > page ? t->selected - page : 0;
        break;
    case KEY_NPAGE:
        t->selected =
            t->selected + page < t->nindex ? t->selected + page : (t->nindex ? t->nindex - 1 : 0);
        break;
    case KEY_HOME:
    case 'g':
        t->selected = 0;
        break;
    case KEY_END:
    case 'G':
        t->selected = t->nindex ? t->nindex - 1 : 0;
        break;
    case 's':
        t->sort_col = (t->sort_col + 1) % t->ncols;
        return true;
    case 'S':
        t->descending = !t->descending;
        return true;
    default:
        return false;
    }
    t->moved = true;
    return true;
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

size_t ui_table_visible_rows(const ui_table *t)
{
    return t->nindex;
}

int ui_table_sort_column(const ui_table *t)
{
    return t->sort_col;
}

bool ui_table_sort_descending(const ui_table *t)
{
    return t->descending;
}
