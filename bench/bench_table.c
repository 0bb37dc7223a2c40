/* bench_table: cost of the console's table widget at 1,000 and 50,000 rows:
 * a rebuild (sort, with and without a filter), drawing one screen of rows
 * and paging from top to bottom. Draws into an ncurses screen whose output
 * goes to /dev/null, so only the widget's own work is timed. Prints one
 * line per case: microseconds per operation (median of 5 runs). */
#include "ui_glyphs.h"
#include "ui_table.h"
#include "ui_theme.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Rows shaped like the parked-calls view: orbit, parker, parkee, seconds
 * parked, attempt. */
typedef struct {
    char orbit[12];
    char parker[32];
    char parkee[32];
    int parked_s;
    int attempt;
} bench_row;

typedef struct {
    bench_row *rows;
    size_t n;
} bench_rows;

static size_t rows_count(void *ctx)
{
    return ((bench_rows *)ctx)->n;
}

static void rows_cell(void *ctx, size_t row, int col, char *buf, size_t len, ui_role *role)
{
    const bench_row *r = &((bench_rows *)ctx)->rows[row];
    (void)role;
    switch (col) {
    case 0:
        snprintf(buf, len, "%s", r->orbit);
        break;
    case 1:
        snprintf(buf, len, "%s", r->parker);
        break;
    case 2:
        snprintf(buf, len, "%s", r->parkee);
        break;
    case 3:
        snprintf(buf, len, "%d:%02d", r->parked_s / 60, r->parked_s % 60);
        break;
    default:
        snprintf(buf, len, "%d", r->attempt);
        break;
    }
}

static int rows_compare(void *ctx, size_t a, size_t b, int col)
{
    const bench_row *x = &((bench_rows *)ctx)->rows[a], *y = &((bench_rows *)ctx)->rows[b];
    switch (col) {
    case 0:
        return strcmp(x->orbit, y->orbit);
    case 1:
        return strcmp(x->parker, y->parker);
    case 2:
        return strcmp(x->parkee, y->parkee);
    case 3:
        return (x->parked_s > y->parked_s) - (x->parked_s < y->parked_s);
    default:
        return (x->attempt > y->attempt) - (x->attempt < y->attempt);
    }
}

static void rows_key(void *ctx, size_t row, char *buf, size_t len)
{
    snprintf(buf, len, "%s", ((bench_rows *)ctx)->rows[row].orbit);
}

static const ui_table_source BENCH_SOURCE = {rows_count, rows_cell, rows_compare, rows_key};

static const ui_column BENCH_COLUMNS[] = {
    {"ORBIT", 8, 0, UI_LEFT, 'o'},   {"PARKER", 12, 1, UI_LEFT, 'k'},
    {"PARKEE", 12, 1, UI_LEFT, 'e'}, {"PARKED", 6, 0, UI_RIGHT, 'd'},
    {"TRY", 3, 0, UI_RIGHT, 'y'},
};

/* Rows of data on one screen (plus the header row). */
#define BENCH_PAGE_ROWS 50

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static bool rows_fill(bench_rows *br, size_t n)
{
    br->rows = calloc(n, sizeof *br->rows);
    if (!br->rows)
        return false;
    br->n = n;
    /* A fixed LCG keeps the shuffle identical between runs. */
    unsigned long long s = 12345;
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        bench_row *r = &br->rows[i];
        snprintf(r->orbit, sizeof r->orbit, "*%05zu", (size_t)(s >> 33) % 100000);
        snprintf(r->parker, sizeof r->parker, "sip:+1555%07zu", i);
        snprintf(r->parkee, sizeof r->parkee, "sip:+1444%07zu", (size_t)(s >> 20) % n);
        r->parked_s = (int)((s >> 40) % 3600);
        r->attempt = (int)((s >> 50) % 3) + 1;
    }
    return true;
}

typedef enum { CASE_REBUILD, CASE_REBUILD_FILTERED, CASE_DRAW, CASE_PAGE_THROUGH } bench_case;

static const char *CASE_NAMES[] = {"rebuild (sort by parker)", "rebuild with filter \"+1555000\"",
                                   "draw one 50-row screen", "page down through every row"};

static double run_case(bench_case which, ui_table *t, bench_rows *br, WINDOW *w, const ui_theme *th,
                       const ui_glyphs *g, int *ops)
{
    double t0 = now_us();
    switch (which) {
    case CASE_REBUILD:
    case CASE_REBUILD_FILTERED:
        ui_table_rebuild(t, &BENCH_SOURCE, br);
        *ops = 1;
        break;
    case CASE_DRAW:
        *ops = 100;
        for (int i = 0; i < *ops; i++)
            ui_table_draw(t, &BENCH_SOURCE, br, w, 0, 0, BENCH_PAGE_ROWS + 1, 160, th, g);
        break;
    case CASE_PAGE_THROUGH:
        ui_table_home(t);
        ui_table_draw(t, &BENCH_SOURCE, br, w, 0, 0, BENCH_PAGE_ROWS + 1, 160, th, g);
        /* A page is one key and one draw, as the console does per frame;
         * PgDn moves one screen less a row of context. */
        *ops = (int)((ui_table_visible_rows(t) + BENCH_PAGE_ROWS - 2) / (BENCH_PAGE_ROWS - 1));
        for (int i = 0; i < *ops; i++) {
            ui_table_move(t, ui_table_page(t));
            ui_table_draw(t, &BENCH_SOURCE, br, w, 0, 0, BENCH_PAGE_ROWS + 1, 160, th, g);
        }
        break;
    }
    return now_us() - t0;
}

static int bench(size_t n, WINDOW *w, const ui_theme *th, const ui_glyphs *g)
{
    bench_rows br = {0};
    if (!rows_fill(&br, n))
        return 1;
    ui_table *t = ui_table_new(BENCH_COLUMNS, 5, 1, false);
    if (!t) {
        free(br.rows);
        return 1;
    }
    for (int c = CASE_REBUILD; c <= CASE_PAGE_THROUGH; c++) {
        ui_table_set_filter(t, c == CASE_REBUILD_FILTERED ? "+1555000" : "");
        ui_table_rebuild(t, &BENCH_SOURCE, &br);
        ui_table_home(t);
        double runs[5];
        int ops = 1;
        for (int r = 0; r < 5; r++)
            runs[r] = run_case((bench_case)c, t, &br, w, th, g, &ops) / ops;
        qsort(runs, 5, sizeof runs[0], cmp_double);
        printf("table %6zu rows  %-34s %10.1f us/op", n, CASE_NAMES[c], runs[2]);
        if (c == CASE_REBUILD_FILTERED)
            printf("  (%zu rows pass)", ui_table_visible_rows(t));
        if (c == CASE_PAGE_THROUGH)
            printf("  (%d pages)", ops);
        printf("\n");
    }
    ui_table_free(t);
    free(br.rows);
    return 0;
}

int main(void)
{
    FILE *sink = fopen("/dev/null", "w");
    if (!sink) {
        perror("bench_table: /dev/null");
        return 1;
    }
    SCREEN *scr = newterm("xterm-256color", sink, stdin);
    if (!scr) {
        fprintf(stderr, "bench_table: cannot open an xterm-256color screen\n");
        fclose(sink);
        return 1;
    }
    WINDOW *w = newwin(BENCH_PAGE_ROWS + 1, 160, 0, 0);
    ui_theme th;
    char err[256];
    /* A missing theme file falls back to the built-in roles; timing is the same. */
    ui_theme_load(&th, "default", false, err, sizeof err);
    ui_glyphs g;
    ui_glyphs_init(&g, true);
    int rc = w ? 0 : 1;
    if (w) {
        rc = bench(1000, w, &th, &g);
        if (rc == 0)
            rc = bench(50000, w, &th, &g);
        delwin(w);
    }
    endwin();
    delscreen(scr);
    fclose(sink);
    return rc;
}
