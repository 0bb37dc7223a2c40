/* ui_dialog: modal dialogs with fields and safe-by-default buttons. */
#include "ui_dialog.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define KEY_ESCAPE 27
#define KEY_TAB    9

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

ui_field *ui_dialog_check(ui_dialog *d, const char *label, bool checked)
{
    ui_field *f = add_field(d, UI_FIELD_CHECK, label);
    if (f)
        f->checked = checked;
    return f;
}

ui_field *ui_dialog_choice(ui_dialog *d, const char *label)
{
    return add_field(d, UI_FIELD_CHOICE, label);
}

void ui_field_add_choice(ui_field *f, const char *choice)
{
    if (f && f->nchoices < UI_DIALOG_CHOICES)
        snprintf(f->choices[f->nchoices++], sizeof f->choices[0], "%s", choice);
}

static bool confirmations_match(ui_dialog *d)
{
    bool ok = true;
    for (int i = 0; i < d->nfields; i++) {
        ui_field *f = &d->fields[i];
        if (f->kind == UI_FIELD_TEXT && f->must_equal[0] && strcmp(f->text, f->must_equal) != 0) {
            char want[128];
            snprintf(want, sizeof want, "%.100s", f->must_equal);
            snprintf(f->error, sizeof f->error, "type %s exactly to confirm", want);
            if (ok)
                d->focus = i;
            ok = false;
        }
    }
    return ok;
}

ui_dialog_result ui_dialog_key(ui_dialog *d, int key)
{
    int stops = d->nfields + 2;
    ui_field *f = d->focus < d->nfields ? &d->fields[d->focus] : NULL;
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
        } else if (!f) {
            d->focus = d->focus == d->nfields ? d->nfields + 1 : d->nfields;
        }
        return UI_DIALOG_OPEN;
    case '\n':
    case '\r':
    case KEY_ENTER:
        if (d->focus == d->nfields)
            return UI_DIALOG_CANCELLED;
        if (d->focus == d->nfields + 1)
            return confirmations_match(d) ? UI_DIALOG_ACCEPTED : UI_DIALOG_OPEN;
        d->focus++; /* Enter in a field moves on, towards the buttons */
        return UI_DIALOG_OPEN;
    case ' ':
        if (f && f->kind == UI_FIELD_CHECK) {
            f->checked = !f->checked;
            return UI_DIALOG_OPEN;
        }
        if (f && f->kind == UI_FIELD_CHOICE && f->nchoices) {
            f->choice = (f->choice + 1) % f->nchoices;
            return UI_DIALOG_OPEN;
        }
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
    /* Typing while on a button goes to the first text field: a pool's
     * name can be typed straight away, and still only OK confirms. */
    if (!f && key > 32 && key < 127) {
        for (int i = 0; i < d->nfields && !f; i++) {
            if (d->fields[i].kind == UI_FIELD_TEXT) {
                d->focus = i;
                f = &d->fields[i];
            }
        }
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

void ui_dialog_draw(const ui_dialog *d, WINDOW *w, const ui_theme *th, const ui_glyphs *g)
{
    int rows, cols;
    getmaxyx(w, rows, cols);
    int width = cols - 4 < 76 ? cols - 4 : 76;
    int height = 4 + d->nlines + (d->nlines ? 1 : 0) + d->nfields * 2 + 2 + (d->error[0] ? 2 : 0);
    if (height > rows - 2)
        height = rows - 2;
    int y = (rows - height) / 2, x = (cols - width) / 2;
    int base = ui_theme_attr(th, UI_ROLE_DIALOG);
    for (int r = 0; r < height; r++)
        ui_fill(w, y + r, x, width, base);
    ui_box(w, y, x, height, width, base, d->title, base | A_BOLD, g);
    int line = y + 2, inner = width - 4;
    for (int i = 0; i < d->nlines && line < y + height - 3; i++)
        ui_put(w, line++, x + 2, inner, base, UI_LEFT, d->lines[i], g);
    if (d->nlines)
        line++;
    int label_w = 8;
    for (int i = 0; i < d->nfields; i++) {
        int lw = ui_text_width(d->fields[i].label) + 2;
        label_w = lw > label_w ? lw : label_w;
    }
    if (label_w > inner / 2)
        label_w = inner / 2;
    for (int i = 0; i < d->nfields && line < y + height - 3; i++) {
        const ui_field *f = &d->fields[i];
        bool focus = d->focus == i;
        ui_put(w, line, x + 2, label_w, base | (focus ? A_BOLD : 0), UI_LEFT, f->label, g);
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
    if (d->error[0]) {
        ui_put(w, y + height - 4, x + 2, inner, ui_theme_attr(th, UI_ROLE_STATUS_ERROR) | A_BOLD,
               UI_LEFT, d->error, g);
    }
    char cancel[48], ok[48];
    snprintf(cancel, sizeof cancel, "[ Cancel ]");
    snprintf(ok, sizeof ok, "[ %s ]", d->ok_label);
    int by = y + height - 2;
    int cw = ui_text_width(cancel), ow = ui_text_width(ok);
    int bx = x + width - 2 - ow - 2 - cw;
    ui_put(w, by, bx, cw,
           ui_theme_attr(th, d->focus == d->nfields ? UI_ROLE_BUTTON_FOCUS : UI_ROLE_BUTTON),
           UI_LEFT, cancel, g);
    ui_put(w, by, bx + cw + 2, ow,
           ui_theme_attr(th, d->focus == d->nfields + 1 ? UI_ROLE_BUTTON_FOCUS : UI_ROLE_BUTTON),
           UI_LEFT, ok, g);
}
