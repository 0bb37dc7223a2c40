/* ui_theme: colours by role, read from the theme files in themes/, for
 * 8- and 256-colour terminals, and none at all under NO_COLOR,
 * --no-color or a terminal without colours (attributes only then). A
 * theme is read and checked before the terminal is taken over, so a
 * misspelt name or a bad line stops the program with a message instead
 * of being ignored. */
#ifndef UI_THEME_H
#define UI_THEME_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    UI_ROLE_NORMAL = 0,
    UI_ROLE_HEADER,
    UI_ROLE_BADGE, /* READ-ONLY and similar markers */
    UI_ROLE_TAB,
    UI_ROLE_TAB_ACTIVE,
    UI_ROLE_FOOTER,
    UI_ROLE_FOOTER_KEY,
    UI_ROLE_STATUS_OK,
    UI_ROLE_STATUS_ERROR,
    UI_ROLE_TABLE_HEADER,
    UI_ROLE_SELECTED,
    UI_ROLE_DIM, /* stale data, disabled actions */
    UI_ROLE_UP,
    UI_ROLE_DOWN,
    UI_ROLE_WARN, /* resiliency mode, unknown pools */
    UI_ROLE_FAILED_OVER,
    UI_ROLE_BAR,
    UI_ROLE_SPARK,
    UI_ROLE_BORDER,
    UI_ROLE_TITLE,
    UI_ROLE_DIALOG,
    UI_ROLE_BUTTON,
    UI_ROLE_BUTTON_FOCUS,
    UI_ROLE_INPUT,
    UI_ROLE_COUNT
} ui_role;

/* A theme file as written, before a terminal's colours resolve it. */
typedef struct {
    char name[64];
    bool no_colours;            /* "colours = none" */
    bool set[UI_ROLE_COUNT];    /* roles the file gives */
    char fg[UI_ROLE_COUNT][32]; /* colour words: "cyan", "75", "75/blue", "default" */
    char bg[UI_ROLE_COUNT][32];
    int attr[UI_ROLE_COUNT];
} ui_theme_spec;

typedef struct {
    bool colour;              /* colour pairs in use */
    int attrs[UI_ROLE_COUNT]; /* complete curses attribute per role */
    char name[64];
} ui_theme;

/* Role names as written in theme files ("normal", "header", ...). */
const char *ui_role_name(ui_role r);

/* Reads a theme by name (searched in $ORBIT_THEME_DIR, the themes
 * directory beside the program, then the installed one) or by path, and
 * checks every line. "default" is built in. False with the reason (the
 * file and line, or the themes there are) in err. Needs no terminal. */
bool ui_theme_read(const char *name_or_path, ui_theme_spec *spec, char *err, size_t errlen);

/* Applies a theme to the current screen (after initscr). colour=false
 * forces attributes only. */
void ui_theme_apply(ui_theme *t, const ui_theme_spec *spec, bool colour);

/* Both: falls back to the built-in default with the reason in err. */
bool ui_theme_load(ui_theme *t, const char *name_or_path, bool colour, char *err, size_t errlen);

/* The attribute of a role. */
int ui_theme_attr(const ui_theme *t, ui_role r);

#endif
