/* ui_dialog: modal dialogs with fields and safe-by-default buttons. */
#include "ui_dialog.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_ESCAPE 27
#define KEY_TAB    9
#define MAX_WIDTH  160

void ui_dialog_init(ui_dialog *d, const char *title, const char *ok_label)
{
    memset(d, 0, sizeof *d);
    snprintf(d->title, sizeof d->title, "%s", title);
    snprintf(d->ok_label, sizeof d->ok_label, "%s", ok_label);
}

void ui_dialog_line(ui_dialog *d, const char *fmt, ...)
{
    if (d->nlines >= UI_DIALOG_LINES)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->lines[d->nlines++], sizeof d->lines[0], fmt, ap);
    va_end(ap);
}

static ui_field *add_field(ui_dialog *d, ui_field_kind kind, const char *label)
{
    if (d->nfields >= UI_DIALOG_FIELDS)
        return NULL;
    ui_field *f = &d->fields[d->nfields++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    snprintf(f->label, sizeof f->label, "%s", label);
    /* The focus stays on Cancel, which moves as fields are added. */
    d->focus = d->nfields;
    return f;
}

ui_field *ui_dialog_text(ui_dialog *d, const char *label, const char *initial,
                         const char *must_equal)
{
    ui_field *f = add_field(d, UI_FIELD_TEXT, label);
    if (f) {
        snprintf(f->text, sizeof f->text, "%s", initial ? initial : "");
        snprintf(f->must_equal, sizeof f->must_equal, "%s", must_equal ? must_equal : "");
    }
    return f;
}

ui_field *ui_dialog_number(ui_dialog *d, const char *label, long initial, long min, long max)
{
    ui_field *f = add_field(d, UI_FIELD_TEXT, label);
    if (f) {
        snprintf(f->text, sizeof f->text, "%ld", initial);
        f->number = true;
        f->min = min;
        f->max = max;
    }
    return f;
}

ui_field *ui_dialog_check(ui_dialog *d, const char *label, bool checked)
{
    ui_field *f = add_field(d, UI_FIELD_CHECK, label);
    if (f)
        f->checked = checked;
    return f;
}

ui_field *ui_dialog_choice(ui_dialog *d, const char *label, bool placeholder)
{
    ui_field *f = add_field(d, UI_FIELD_CHOICE, label);
    if (f)
        f->placeholder = placeholder;
    return f;
}

void ui_field_add_choice(ui_field *f, const char *choice)
{
    if (f && f->nchoices < UI_DIALOG_CHOICES)
        snprintf(f->choices[f->nchoices++], sizeof f->choices[0], "%s", choice);
}

void ui_dialog_focus(ui_dialog *d, int field)
{
    if (field >= 0 && field < d->nfields)
        d->focus = field;
}

/* Checks one field, writing the reason into its error. */
static bool field_valid(ui_field *f)
{
    if (f->kind == UI_FIELD_TEXT && f->must_equal[0] && strcmp(f->text, f->must_equal) != 0) {
        /* Through a copy: gcc cannot tell two fields of f do not overlap. */
        char want[104];
        snprintf(want, sizeof want, "%.100s", f->must_equal);
        snprintf(f->error, sizeof f->error, "type %s exactly to confirm", want);
        return false;
    }
    if (f->kind == UI_FIELD_TEXT && f->number) {
        char *end;
        errno = 0;
        long v = strtol(f->text, &end, 10);
        if (errno || end == f->text || *end || v < f->min || v > f->max) {
            snprintf(f->error, sizeof f->error, "a whole number from %ld to %ld", f->min, f->max);
            return false;
        }
    }
    if (f->kind == UI_FIELD_CHOICE && f->placeholder && f->choice == 0) {
        snprintf(f->error, sizeof f->error, "choose one (Left, Right or Space)");
        return false;
    }
    return true;
}

static bool all_valid(ui_dialog *d)
{
    bool ok = true;
    for (int i = 0; i < d->nfields; i++) {
        if (!field_valid(&d->fields[i])) {
            if (ok)
                d->focus = i;
            ok = false;
        }
    }
    return ok;
}

static ui_field *first_text(ui_dialog *d, int *at)
{
    for (int i = 0; i < d->nfields; i++) {
        if (d->fields[i].kind == UI_FIELD_TEXT) {
            *at = i;
            return &d->fields[i];
        }
    }
    return NULL;
}

static ui_dialog_result press(ui_dialog *d)
{
    if (d->focus == d->nfields)
        return UI_DIALOG_CANCELLED;
    if (d->focus == d->nfields + 1)
        return all_valid(d) ? UI_DIALOG_ACCEPTED : UI_DIALOG_OPEN;
    /* Enter in a field: a valid one moves to the default button, an
     * invalid one says why and keeps the focus. */
    ui_field *f = &d->fields[d->focus];
    if (field_valid(f)) {
        f->error[0] = '\0';
        d->focus = d->nfields + 1;
    }
    return UI_DIALOG_OPEN;
}

ui_dialog_result ui_dialog_key(ui_dialog *d, int key)
{
    int stops = d->nfields + 2;
    ui_field *f = d->focus < d->nfields ? &d->fields[d->focus] : NULL;
    bool editing =
        key == KEY_BACKSPACE || key == 127 || key == 8 || key == 21 || (key > 32 && key < 127);
    /* Typing or erasing while on a button, a check box or a choice goes
     * to the first text field: a pool's name can be typed straight away,
     * and still only OK confirms. */
    if ((!f || f->kind != UI_FIELD_TEXT) && editing) {
        int at;
        if ((f = first_text(d, &at)))
            d->focus = at;
    }
    switch (key) {
    case KEY_ESCAPE:
        return UI_DIALOG_CANCELLED;
    case KEY_TAB:
    case KEY_DOWN:
        d->focus = (d->focus + 1) % stops;
        return UI_DIALOG_OPEN;
    case KEY_BTAB:
    case KEY_UP:
        d->focus = (d->focus + stops - 1) % stops;
        return UI_DIALOG_OPEN;
    case KEY_LEFT:
    case KEY_RIGHT:
        if (f && f->kind == UI_FIELD_CHOICE && f->nchoices) {
            f->choice = (f->choice + (key == KEY_RIGHT ? 1 : f->nchoices - 1)) % f->nchoices;
            f->error[0] = '\0';
        } else if (!f) {
            d->focus = d->focus == d->nfields ? d->nfields + 1 : d->nfields;
        }
        return UI_DIALOG_OPEN;
    case '\n':
    case '\r':
    case KEY_ENTER:
        return press(d);
    case ' ':
        if (f && f->kind == UI_FIELD_CHECK) {
            f->checked = !f->checked;
            return UI_DIALOG_OPEN;
        }
        if (f && f->kind == UI_FIELD_CHOICE && f->nchoices) {
            f->choice = (f->choice + 1) % f->nchoices;
            f->error[0] = '\0';
            return UI_DIALOG_OPEN;
        }
        if (!f)
            return press(d); /* Space presses a button, as in most toolkits */
        break;
    case KEY_BACKSPACE:
    case 127:
    case 8:
        if (f && f->kind == UI_FIELD_TEXT && f->text[0]) {
            f->text[strlen(f->text) - 1] = '\0';
            f->error[0] = '\0';
        }
        return UI_DIALOG_OPEN;
    case 21: /* Ctrl-U clears the field */
        if (f && f->kind == UI_FIELD_TEXT) {
            f->text[0] = '\0';
            f->error[0] = '\0';
        }
        return UI_DIALOG_OPEN;
    default:
        break;
    }
    if (f && f->kind == UI_FIELD_TEXT && key >= 32 && key < 127) {
        size_t n = strlen(f->text);
        if (n + 1 < sizeof f->text) {
            f->text[n] = (char)key;
            f->text[n + 1] = '\0';
        }
        f->error[0] = '\0';
    }
    return UI_DIALOG_OPEN;
}

ui_dialog_result ui_dialog_click(ui_dialog *d, int y, int x)
{
    if (y == d->drawn.button_y) {
        if (x >= d->drawn.cancel_x && x < d->drawn.cancel_x + d->drawn.cancel_w) {
            d->focus = d->nfields;
            return press(d);
        }
        if (x >= d->drawn.ok_x && x < d->drawn.ok_x + d->drawn.ok_w) {
            d->focus = d->nfields + 1;
            return press(d);
        }
    }
    for (int i = 0; i < d->nfields; i++) {
        if (d->drawn.field_y[i] == y) {
            d->focus = i;
            if (d->fields[i].kind == UI_FIELD_CHECK)
                d->fields[i].checked = !d->fields[i].checked;
            else if (d->fields[i].kind == UI_FIELD_CHOICE && d->fields[i].nchoices)
                d->fields[i].choice = (d->fields[i].choice + 1) % d->fields[i].nchoices;
        }
    }
    return UI_DIALOG_OPEN;
}

void ui_dialog_draw(ui_dialog *d, WINDOW *w, const ui_theme *th, const ui_glyphs *g)
{
    int rows, cols;
    getmaxyx(w, rows, cols);
    /* As wide as the longest line wants, up to what the terminal has. */
    int want = ui_text_width(d->title) + 8;
    for (int i = 0; i < d->nlines; i++) {
        int lw = ui_text_width(d->lines[i]) + 4;
        want = lw > want ? lw : want;
    }
    want = want < 60 ? 60 : want;
    int width = cols - 4 < want ? cols - 4 : want;
    width = width > MAX_WIDTH ? MAX_WIDTH : width;
    int inner = width - 4;
    int text_lines = 0;
    for (int i = 0; i < d->nlines; i++)
        text_lines += ui_wrap_count(d->lines[i], inner);
    int error_lines = d->error[0] ? ui_wrap_count(d->error, inner) : 0;
    int height = 4 + text_lines + (d->nlines ? 1 : 0) + d->nfields * 2 + 1 +
                 (error_lines ? error_lines + 1 : 0);
    if (height > rows - 2)
        height = rows - 2;
    int y = (rows - height) / 2, x = (cols - width) / 2;
    int base = ui_theme_attr(th, UI_ROLE_DIALOG);
    for (int r = 0; r < height; r++)
        ui_fill(w, y + r, x, width, base);
    ui_box(w, y, x, height, width, base, d->title, base | A_BOLD, g);
    /* Rows for the fields, the error and the buttons are kept first; the
     * message lines get the rest. */
    int reserved = d->nfields * 2 + 2 + (error_lines ? error_lines + 1 : 0);
    int line = y + 2, text_end = y + height - 1 - reserved;
    for (int i = 0; i < d->nlines && line < text_end; i++)
        line += ui_put_wrapped(w, line, x + 2, inner, text_end - line, base, d->lines[i], g);
    if (d->nlines)
        line++;
    int label_w = 8;
    for (int i = 0; i < d->nfields; i++) {
        int lw = ui_text_width(d->fields[i].label) + 3;
        label_w = lw > label_w ? lw : label_w;
    }
    if (label_w > inner / 2)
        label_w = inner / 2;
    for (int i = 0; i < d->nfields; i++)
        d->drawn.field_y[i] = -1;
    for (int i = 0; i < d->nfields && line < y + height - 2; i++) {
        const ui_field *f = &d->fields[i];
        bool focus = d->focus == i;
        char label[64];
        snprintf(label, sizeof label, "%s%s", focus ? "> " : "  ", f->label);
        ui_put(w, line, x + 2, label_w, base | (focus ? A_BOLD : 0), UI_LEFT, label, g);
        int vx = x + 2 + label_w, vw = inner - label_w;
        int in = ui_theme_attr(th, focus ? UI_ROLE_BUTTON_FOCUS : UI_ROLE_INPUT);
        char buf[300];
        switch (f->kind) {
        case UI_FIELD_TEXT:
            /* Brackets keep an empty field visible without colour. */
            snprintf(buf, sizeof buf, "[%s%s", f->text, focus ? "_" : "");
            break;
        case UI_FIELD_CHECK:
            snprintf(buf, sizeof buf, "[%s] (space)", f->checked ? "x" : " ");
            break;
        case UI_FIELD_CHOICE:
            snprintf(buf, sizeof buf, "< %s >", f->nchoices ? f->choices[f->choice] : "-");
            break;
        }
        d->drawn.field_y[i] = line;
        if (f->kind == UI_FIELD_TEXT) {
            ui_put(w, line, vx, vw - 1, in, UI_LEFT, buf, g);
            ui_put(w, line++, vx + vw - 1, 1, in, UI_LEFT, "]", g);
        } else {
            ui_put(w, line++, vx, vw, in, UI_LEFT, buf, g);
        }
        if (f->error[0]) /* the whole width: reasons can be long */
            ui_put(w, line, x + 2, inner, ui_theme_attr(th, UI_ROLE_STATUS_ERROR) | A_BOLD, UI_LEFT,
                   f->error, g);
        line++;
    }
    if (error_lines)
        ui_put_wrapped(w, y + height - 3 - error_lines, x + 2, inner, error_lines,
                       ui_theme_attr(th, UI_ROLE_STATUS_ERROR) | A_BOLD, d->error, g);
    /* The focused button is marked >[ like this ]< too, so it shows
     * without colour. */
    bool cancel_focus = d->focus == d->nfields, ok_focus = d->focus == d->nfields + 1;
    char cancel[48], ok[48];
    snprintf(cancel, sizeof cancel, "%s[ Cancel ]%s", cancel_focus ? ">" : " ",
             cancel_focus ? "<" : " ");
    snprintf(ok, sizeof ok, "%s[ %s ]%s", ok_focus ? ">" : " ", d->ok_label, ok_focus ? "<" : " ");
    int by = y + height - 2;
    int cw = ui_text_width(cancel), ow = ui_text_width(ok);
    int bx = x + width - 2 - ow - 1 - cw;
    ui_put(w, by, bx, cw, ui_theme_attr(th, cancel_focus ? UI_ROLE_BUTTON_FOCUS : UI_ROLE_BUTTON),
           UI_LEFT, cancel, g);
    ui_put(w, by, bx + cw + 1, ow,
           ui_theme_attr(th, ok_focus ? UI_ROLE_BUTTON_FOCUS : UI_ROLE_BUTTON), UI_LEFT, ok, g);
    d->drawn.button_y = by;
    d->drawn.cancel_x = bx;
    d->drawn.cancel_w = cw;
    d->drawn.ok_x = bx + cw + 1;
    d->drawn.ok_w = ow;
}
