/* ui_dialog: a modal dialog: message lines, a few fields (text inputs,
 * numbers, check boxes, choices), and Cancel / OK buttons, with the focus
 * on Cancel unless the dialog is a form. It uses the width the terminal
 * has and wraps its lines, so nothing an operator must read is cut. A
 * text field can demand an exact confirmation (typing a pool's name
 * before a failover), a choice can start on a placeholder that must be
 * changed, and Enter in a valid field moves to OK. The focus is marked
 * with > < as well as colour. Per-field errors are shown in place. */
#ifndef UI_DIALOG_H
#define UI_DIALOG_H

#include "ui_draw.h"
#include "ui_theme.h"

#include <stdbool.h>

#define UI_DIALOG_LINES   16
#define UI_DIALOG_FIELDS  6
#define UI_DIALOG_CHOICES 16

typedef enum { UI_FIELD_TEXT = 0, UI_FIELD_CHECK, UI_FIELD_CHOICE } ui_field_kind;

typedef struct {
    ui_field_kind kind;
    char label[48];
    char text[256];       /* TEXT: the value */
    char must_equal[256]; /* TEXT: required exact value, "" for any */
    bool number;          /* TEXT: a whole number from min to max */
    long min, max;
    bool checked;                        /* CHECK */
    char choices[UI_DIALOG_CHOICES][96]; /* CHOICE */
    int nchoices;
    int choice;
    bool placeholder; /* CHOICE: choices[0] only asks for a choice */
    char error[160];  /* shown under the field */
} ui_field;

typedef struct {
    char title[300];
    char lines[UI_DIALOG_LINES][320];
    int nlines;
    ui_field fields[UI_DIALOG_FIELDS];
    int nfields;
    char ok_label[32];
    char error[1024]; /* the whole dialog's message (e.g. the pool's refusal) */
    int focus;        /* 0..nfields-1 fields, nfields Cancel, nfields+1 OK */
    struct {          /* where the last draw put things, for clicks */
        int field_y[UI_DIALOG_FIELDS];
        int button_y, cancel_x, cancel_w, ok_x, ok_w;
    } drawn;
} ui_dialog;

typedef enum { UI_DIALOG_OPEN = 0, UI_DIALOG_CANCELLED, UI_DIALOG_ACCEPTED } ui_dialog_result;

void ui_dialog_init(ui_dialog *d, const char *title, const char *ok_label);
void ui_dialog_line(ui_dialog *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
ui_field *ui_dialog_text(ui_dialog *d, const char *label, const char *initial,
                         const char *must_equal);
ui_field *ui_dialog_number(ui_dialog *d, const char *label, long initial, long min, long max);
ui_field *ui_dialog_check(ui_dialog *d, const char *label, bool checked);
/* A choice; with placeholder, the first choice added is "(choose)"-like
 * and cannot be accepted. */
ui_field *ui_dialog_choice(ui_dialog *d, const char *label, bool placeholder);
void ui_field_add_choice(ui_field *f, const char *choice);

/* Puts the focus on a field (a form starts on its first field). */
void ui_dialog_focus(ui_dialog *d, int field);

/* Handles a key; ACCEPTED only when OK is pressed and every field is
 * valid (confirmations match, numbers in range, choices made). */
ui_dialog_result ui_dialog_key(ui_dialog *d, int key);

/* The button or field under a click at (y, x) of the last draw: the
 * focus moves there; OK or Cancel answer as Enter on them would. */
ui_dialog_result ui_dialog_click(ui_dialog *d, int y, int x);

void ui_dialog_draw(ui_dialog *d, WINDOW *w, const ui_theme *th, const ui_glyphs *g);

#endif
