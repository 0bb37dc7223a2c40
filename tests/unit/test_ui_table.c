/* The console's table widget: only visible rows are read and drawn, even
 * at 50,000 rows; sorting by any column both ways, by its key or a step
 * left or right, with the sort arrow never cutting a title and the sort
 * column never dropped on a narrow screen; the / filter;
 * the selection staying on its row, and at its place on the screen,
 * across refreshes; following the first row of a live log; clicks; paging
 * to the end. */
#include "test_main.h"

#include "ui_glyphs.h"
#include "ui_table.h"
#include "ui_theme.h"

#include <curses.h>
#include <stdlib.h>

enum { MANY = 50000, NCOLUMNS = 3 };

typedef struct {
    int *value; /* row r shows "row-<r>", "<value>", and "odd"/"even" */
    size_t n;
    size_t cell_calls;
} rows;

static size_t rows_count(void *ctx)
{
    return ((rows *)ctx)->n;
}

static void rows_cell(void *ctx, size_t r, int col, char *buf, size_t len, ui_role *role)
{
    rows *s = ctx;
    (void)role;
    s->cell_calls++;
    if (col == 0)
        snprintf(buf, len, "row-%zu", r);
    else if (col == 1)
        snprintf(buf, len, "%d", s->value[r]);
    else
        snprintf(buf, len, "%s", s->value[r] % 2 ? "Odd" : "even");
}

static int rows_compare(void *ctx, size_t a, size_t b, int col)
{
    rows *s = ctx;
    if (col == 0)
        return (a > b) - (a < b);
    if (col == 1)
        return (s->value[a] > s->value[b]) - (s->value[a] < s->value[b]);
    return (s->value[a] % 2) - (s->value[b] % 2);
}

static void rows_key(void *ctx, size_t r, char *buf, size_t len)
{
    (void)ctx;
    snprintf(buf, len, "row-%zu", r);
}

static const ui_table_source SOURCE = {rows_count, rows_cell, rows_compare, rows_key};

static const ui_column COLUMNS[NCOLUMNS] = {
    {"NAME", 10, 1, UI_LEFT, 'n'},
    {"VALUE", 8, 0, UI_RIGHT, 'v'},
    {"PARITY", 6, 0, UI_LEFT, 'p'},
};

typedef struct {
    FILE *sink;
    SCREEN *scr;
    WINDOW *win;
    ui_theme theme;
    ui_glyphs glyphs;
    rows data;
    ui_table *table;
} fixture;

/* Values descend as rows ascend, so sorting by VALUE reverses NAME order. */
static int setup_rows(void **state, size_t n)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    f->sink = fopen("/dev/null", "w");
    f->scr = f->sink ? newterm("vt100", f->sink, stdin) : NULL;
    f->win = f->scr ? newwin(24, 80, 0, 0) : NULL;
    f->data.value = calloc(n ? n : 1, sizeof *f->data.value);
    f->table = ui_table_new(COLUMNS, NCOLUMNS, 0, false);
    if (!f->win || !f->data.value || !f->table)
        return -1;
    f->data.n = n;
    for (size_t i = 0; i < n; i++)
        f->data.value[i] = (int)(n - i);
    char err[128];
    ui_theme_load(&f->theme, "default", false, err, sizeof err);
    ui_glyphs_init(&f->glyphs, false);
    *state = f;
    return 0;
}

static int setup_many(void **state)
{
    return setup_rows(state, MANY);
}

static int setup_empty(void **state)
{
    return setup_rows(state, 0);
}

static int teardown(void **state)
{
    fixture *f = *state;
    if (!f)
        return 0;
    ui_table_free(f->table);
    free(f->data.value);
    if (f->win)
        delwin(f->win);
    if (f->scr) {
        endwin();
        delscreen(f->scr);
    }
    if (f->sink)
        fclose(f->sink);
    free(f);
    return 0;
}

static void draw(fixture *f)
{
    ui_table_draw(f->table, &SOURCE, &f->data, f->win, 0, 0, 24, 80, &f->theme, &f->glyphs);
}

/* The text of a window line, trailing blanks dropped. */
static void line_text(fixture *f, int y, char *buf, int len)
{
    int got = mvwinnstr(f->win, y, 0, buf, len - 1);
    buf[got > 0 ? got : 0] = '\0';
    for (int i = got - 1; i >= 0 && buf[i] == ' '; i--)
        buf[i] = '\0';
}

static void draw_of_50000_rows_reads_only_visible_cells(void **state)
{
    fixture *f = *state;
    ui_table_rebuild(f->table, &SOURCE, &f->data);
    assert_int_equal(ui_table_visible_rows(f->table), MANY);
    f->data.cell_calls = 0;
    draw(f);
    /* 24 lines: a header and 23 rows of 3 cells each. */
    assert_int_equal(f->data.cell_calls, 23 * NCOLUMNS);
    ui_table_end(f->table);
    f->data.cell_calls = 0;
    draw(f);
    assert_int_equal(f->data.cell_calls, 23 * NCOLUMNS);
}

static void end_key_shows_the_last_of_50000_rows_at_the_bottom(void **state)
{
    fixture *f = *state;
    ui_table_rebuild(f->table, &SOURCE, &f->data);
    draw(f);
    ui_table_end(f->table);
    draw(f);
    assert_int_equal(ui_table_selected(f->table), MANY - 1);
    char line[96];
    line_text(f, 23, line, sizeof line);
    assert_non_null(strstr(line, "row-49999"));
    line_text(f, 1, line, sizeof line);
    assert_non_null(strstr(line, "row-49977"));
    ui_table_home(f->table);
    draw(f);
    assert_int_equal(ui_table_selected(f->table), 0);
    line_text(f, 1, line, sizeof line);
    assert_non_null(strstr(line, "row-0 "));
}

static void page_down_moves_a_screen_less_one_row(void **state)
{
    fixture *f = *state;
    ui_table_rebuild(f->table, &SOURCE, &f->data);
    draw(f); /* the table learns its page height from a draw */
    ui_table_move(f->table, ui_table_page(f->table));
    assert_int_equal(ui_table_selected(f->table), 22);
    ui_table_move(f->table, ui_table_page(f->table));
    assert_int_equal(ui_table_selected(f->table), 44);
    ui_table_move(f->table, -ui_table_page(f->table));
    assert_int_equal(ui_table_selected(f->table), 22);
    ui_table_move(f->table, -1);
    assert_int_equal(ui_table_selected(f->table), 21);
}

static void sorts_by_any_column_in_both_directions(void **state)
{
    fixture *f = *state;
    ui_table_rebuild(f->table, &SOURCE, &f->data);
    ui_table_home(f->table);
    assert_int_equal(ui_table_selected(f->table), 0);
    /* >: next column (VALUE ascending puts the last row first). */
    ui_table_sort_step(f->table, 1);
    assert_int_equal(ui_table_sort_column(f->table), 1);
    ui_table_home(f->table);
    ui_table_rebuild(f->table, &SOURCE, &f->data);
    assert_int_equal(ui_table_selected(f->table), MANY - 1);
    /* S: reverse. */
    ui_table_sort_reverse(f->table);
    assert_true(ui_table_sort_descending(f->table));
    ui_table_home(f->table);
    ui_table_rebuild(f->table, &SOURCE, &f->data);
    assert_int_equal(ui_table_selected(f->table), 0);
    /* PARITY descending: odd values first, ties in row order. */
    ui_table_sort_step(f->table, 1);
    assert_int_equal(ui_table_sort_column(f->table), 2);
    ui_table_home(f->table);
    ui_table_rebuild(f->table, &SOURCE, &f->data);
    assert_int_equal(f->data.value[ui_table_selected(f->table)] % 2, 1);
    /* Wraps back to the first column, and < goes the other way. */
    ui_table_sort_step(f->table, 1);
    assert_int_equal(ui_table_sort_column(f->table), 0);
    ui_table_sort_step(f->table, -1);
    assert_int_equal(ui_table_sort_column(f->table), 2);
    /* A column's own key sorts by it; pressed again, the other way. */
    assert_true(ui_table_sort_by_key(f->table, 'v'));
    assert_int_equal(ui_table_sort_column(f->table), 1);
    bool desc = ui_table_sort_descending(f->table);
    assert_true(ui_table_sort_by_key(f->table, 'V'));
    assert_int_equal(ui_table_sort_descending(f->table), !desc);
    assert_false(ui_table_sort_by_key(f->table, 'x'));
}

static void the_sort_arrow_never_cuts_a_title(void **state)
{
    fixture *f = *state;
    static const ui_column narrow[] = {{"TRY", 3, 0, UI_RIGHT, 't'}, {"NAME", 10, 1, UI_LEFT, 'n'}};
    ui_table *t = ui_table_new(narrow, 2, 0, false);
    assert_non_null(t);
    ui_table_rebuild(t, &SOURCE, &f->data);
    ui_table_draw(t, &SOURCE, &f->data, f->win, 0, 0, 24, 80, &f->theme, &f->glyphs);
    char line[96];
    line_text(f, 0, line, sizeof line);
    assert_non_null(strstr(line, "TRY^")); /* ASCII glyphs: ^ is the up arrow */
    ui_table_free(t);
}

static void following_keeps_the_first_row_selected(void **state)
{
    fixture *f = *state;
    ui_table_set_follow(f->table, true);
    ui_table_rebuild(f->table, &SOURCE, &f->data);
    draw(f);
    ui_table_move(f->table, 5); /* ignored by the next rebuild while following */
    ui_table_rebuild(f->table, &SOURCE, &f->data);
    assert_int_equal(ui_table_selected_pos(f->table), 0);
    assert_true(ui_table_following(f->table));
    ui_table_set_follow(f->table, false);
    ui_table_move(f->table, 5);
    draw(f);
    ui_table_rebuild(f->table, &SOURCE, &f->data);
    assert_int_equal(ui_table_selected_pos(f->table), 5);
}

static void rows_arriving_above_do_not_move_the_selected_row_on_screen(void **state)
{
    fixture *f = *state;
    /* NAME descending: the highest row numbers first, as a log's newest. */
    ui_table_sort_by(f->table, 0, false);
    ui_table_sort_reverse(f->table);
    f->data.n = 1000;
    ui_table_rebuild(f->table, &SOURCE, &f->data);
    draw(f);
    ui_table_move(f->table, 3);
    draw(f);
    char before[96], after[96];
    line_text(f, 4, before, sizeof before);
    assert_non_null(strstr(before, "row-996"));
    f->data.n = 1010; /* ten newer rows above */
    ui_table_rebuild(f->table, &SOURCE, &f->data);
    draw(f);
    line_text(f, 4, after, sizeof after);
    assert_string_equal(before, after);
    assert_int_equal(ui_table_selected_pos(f->table), 13);
}

static void a_click_selects_the_row_under_it(void **state)
{
    fixture *f = *state;
    ui_table_rebuild(f->table, &SOURCE, &f->data);
    draw(f);
    assert_true(ui_table_click(f->table, 6));
    assert_int_equal(ui_table_selected(f->table), 5);
    assert_false(ui_table_click(f->table, 0));  /* the header */
    assert_false(ui_table_click(f->table, 24)); /* below the table */
}

static void filter_matches_any_cell_ignoring_case(void **state)
{
    fixture *f = *state;
    ui_table_set_filter(f->table, "row-4999");
    ui_table_rebuild(f->table, &SOURCE, &f->data);
    /* row-4999 and row-49990..row-49999 */
    assert_int_equal(ui_table_visible_rows(f->table), 11);
    ui_table_set_filter(f->table, "ODD");
    ui_table_rebuild(f->table, &SOURCE, &f->data);
    assert_int_equal(ui_table_visible_rows(f->table), MANY / 2);
    ui_table_set_filter(f->table, "no such text");
    ui_table_rebuild(f->table, &SOURCE, &f->data);
    assert_int_equal(ui_table_visible_rows(f->table), 0);
    assert_int_equal(ui_table_selected(f->table), (size_t)-1);
    ui_table_set_filter(f->table, "");
    ui_table_rebuild(f->table, &SOURCE, &f->data);
    assert_int_equal(ui_table_visible_rows(f->table), MANY);
    assert_string_equal(ui_table_filter(f->table), "");
}

static void selection_stays_on_its_row_when_rows_reorder(void **state)
{
    fixture *f = *state;
    ui_table_sort_step(f->table, 1); /* sort by VALUE */
    ui_table_rebuild(f->table, &SOURCE, &f->data);
    ui_table_home(f->table);
    ui_table_move(f->table, 1);
    draw(f); /* remembers the selected row's key */
    size_t row = ui_table_selected(f->table);
    assert_int_equal(row, MANY - 2);
    /* Data changes move that row to the far end of the sort order. */
    f->data.value[row] = MANY * 10;
    ui_table_rebuild(f->table, &SOURCE, &f->data);
    assert_int_equal(ui_table_selected(f->table), row);
    draw(f);
    char line[96];
    line_text(f, 23, line, sizeof line);
    assert_non_null(strstr(line, "row-49998"));
}

static void empty_table_draws_and_has_no_selection(void **state)
{
    fixture *f = *state;
    ui_table_rebuild(f->table, &SOURCE, &f->data);
    draw(f);
    assert_int_equal(ui_table_visible_rows(f->table), 0);
    assert_int_equal(ui_table_selected(f->table), (size_t)-1);
    ui_table_end(f->table);
    ui_table_move(f->table, ui_table_page(f->table));
    assert_int_equal(ui_table_selected(f->table), (size_t)-1);
    char line[96];
    line_text(f, 0, line, sizeof line);
    assert_non_null(strstr(line, "NAME"));
}

static void narrow_width_drops_columns_from_the_right(void **state)
{
    fixture *f = *state;
    ui_table_rebuild(f->table, &SOURCE, &f->data);
    f->data.cell_calls = 0;
    /* 10 + 1 + 8 = 19 columns fit NAME and VALUE, not PARITY. */
    ui_table_draw(f->table, &SOURCE, &f->data, f->win, 0, 0, 24, 19, &f->theme, &f->glyphs);
    assert_int_equal(f->data.cell_calls, 23 * 2);
    char line[96];
    line_text(f, 0, line, sizeof line);
    assert_non_null(strstr(line, "VALUE"));
    assert_null(strstr(line, "PARITY"));
}

static void the_sort_column_is_never_the_one_dropped(void **state)
{
    fixture *f = *state;
    ui_table_sort_by(f->table, 2, false); /* PARITY, the rightmost */
    ui_table_rebuild(f->table, &SOURCE, &f->data);
    ui_table_draw(f->table, &SOURCE, &f->data, f->win, 0, 0, 24, 19, &f->theme, &f->glyphs);
    char line[96];
    line_text(f, 0, line, sizeof line);
    assert_non_null(strstr(line, "PARITY^"));
    assert_null(strstr(line, "VALUE")); /* dropped in its place */
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(draw_of_50000_rows_reads_only_visible_cells, setup_many,
                                    teardown),
    cmocka_unit_test_setup_teardown(end_key_shows_the_last_of_50000_rows_at_the_bottom, setup_many,
                                    teardown),
    cmocka_unit_test_setup_teardown(page_down_moves_a_screen_less_one_row, setup_many, teardown),
    cmocka_unit_test_setup_teardown(sorts_by_any_column_in_both_directions, setup_many, teardown),
    cmocka_unit_test_setup_teardown(the_sort_arrow_never_cuts_a_title, setup_many, teardown),
    cmocka_unit_test_setup_teardown(following_keeps_the_first_row_selected, setup_many, teardown),
    cmocka_unit_test_setup_teardown(rows_arriving_above_do_not_move_the_selected_row_on_screen,
                                    setup_many, teardown),
    cmocka_unit_test_setup_teardown(a_click_selects_the_row_under_it, setup_many, teardown),
    cmocka_unit_test_setup_teardown(filter_matches_any_cell_ignoring_case, setup_many, teardown),
    cmocka_unit_test_setup_teardown(selection_stays_on_its_row_when_rows_reorder, setup_many,
                                    teardown),
    cmocka_unit_test_setup_teardown(empty_table_draws_and_has_no_selection, setup_empty, teardown),
    cmocka_unit_test_setup_teardown(narrow_width_drops_columns_from_the_right, setup_many,
                                    teardown),
    cmocka_unit_test_setup_teardown(the_sort_column_is_never_the_one_dropped, setup_many, teardown),
};

ORBIT_TEST_MAIN(tests)
