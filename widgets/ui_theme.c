/* ui_theme: theme files and colour pairs. */
#include "ui_theme.h"

#include <ctype.h>
#include <curses.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const ROLE_NAMES[UI_ROLE_COUNT] = {
    "normal",     "header",    "badge",        "tab",          "tab_active",   "footer",
    "footer_key", "status_ok", "status_error", "table_header", "selected",     "dim",
    "up",         "down",      "warn",         "failed_over",  "bar",          "spark",
    "border",     "title",     "dialog",       "button",       "button_focus", "input",
};

/* Attributes when there is no colour at all: still readable. */
static const int MONO[UI_ROLE_COUNT] = {
    [UI_ROLE_HEADER] = A_REVERSE,
    [UI_ROLE_BADGE] = A_BOLD | A_BLINK,
    [UI_ROLE_TAB] = 0,
    [UI_ROLE_TAB_ACTIVE] = A_REVERSE | A_BOLD,
    [UI_ROLE_FOOTER] = A_REVERSE,
    [UI_ROLE_FOOTER_KEY] = A_BOLD,
    [UI_ROLE_STATUS_OK] = A_BOLD,
    [UI_ROLE_STATUS_ERROR] = A_BOLD | A_UNDERLINE,
    [UI_ROLE_TABLE_HEADER] = A_BOLD | A_UNDERLINE,
    [UI_ROLE_SELECTED] = A_REVERSE,
    [UI_ROLE_DIM] = A_DIM,
    [UI_ROLE_UP] = A_BOLD,
    [UI_ROLE_DOWN] = A_BOLD | A_REVERSE,
    [UI_ROLE_WARN] = A_BOLD | A_UNDERLINE,
    [UI_ROLE_FAILED_OVER] = A_UNDERLINE,
    [UI_ROLE_BAR] = A_BOLD,
    [UI_ROLE_SPARK] = 0,
    [UI_ROLE_BORDER] = 0,
    [UI_ROLE_TITLE] = A_BOLD,
    [UI_ROLE_DIALOG] = 0,
    [UI_ROLE_BUTTON] = 0,
    [UI_ROLE_BUTTON_FOCUS] = A_REVERSE | A_BOLD,
    [UI_ROLE_INPUT] = A_UNDERLINE,
};

/* Built-in colours, the same as themes/default.theme: fg, bg, attrs. */
typedef struct {
    short fg, bg;
    int attr;
} role_colour;

static const role_colour DEFAULTS[UI_ROLE_COUNT] = {
    [UI_ROLE_NORMAL] = {-1, -1, 0},
    [UI_ROLE_HEADER] = {COLOR_BLACK, COLOR_CYAN, 0},
    [UI_ROLE_BADGE] = {COLOR_WHITE, COLOR_RED, A_BOLD},
    [UI_ROLE_TAB] = {COLOR_BLACK, COLOR_CYAN, 0},
    [UI_ROLE_TAB_ACTIVE] = {COLOR_WHITE, COLOR_BLUE, A_BOLD},
    [UI_ROLE_FOOTER] = {COLOR_BLACK, COLOR_CYAN, 0},
    [UI_ROLE_FOOTER_KEY] = {COLOR_WHITE, COLOR_BLACK, A_BOLD},
    [UI_ROLE_STATUS_OK] = {COLOR_GREEN, -1, A_BOLD},
    [UI_ROLE_STATUS_ERROR] = {COLOR_RED, -1, A_BOLD},
    [UI_ROLE_TABLE_HEADER] = {COLOR_BLACK, COLOR_GREEN, 0},
    [UI_ROLE_SELECTED] = {COLOR_BLACK, COLOR_CYAN, 0},
    [UI_ROLE_DIM] = {COLOR_WHITE, -1, A_DIM},
    [UI_ROLE_UP] = {COLOR_GREEN, -1, A_BOLD},
    [UI_ROLE_DOWN] = {COLOR_WHITE, COLOR_RED, A_BOLD},
    [UI_ROLE_WARN] = {COLOR_YELLOW, -1, A_BOLD},
    [UI_ROLE_FAILED_OVER] = {COLOR_MAGENTA, -1, A_BOLD},
    [UI_ROLE_BAR] = {COLOR_CYAN, -1, 0},
    [UI_ROLE_SPARK] = {COLOR_BLUE, -1, A_BOLD},
    [UI_ROLE_BORDER] = {COLOR_BLUE, -1, 0},
    [UI_ROLE_TITLE] = {COLOR_CYAN, -1, A_BOLD},
    [UI_ROLE_DIALOG] = {COLOR_WHITE, COLOR_BLUE, 0},
    [UI_ROLE_BUTTON] = {COLOR_BLACK, COLOR_WHITE, 0},
    [UI_ROLE_BUTTON_FOCUS] = {COLOR_WHITE, COLOR_RED, A_BOLD},
    [UI_ROLE_INPUT] = {COLOR_BLACK, COLOR_WHITE, 0},
};

const char *ui_role_name(ui_role r)
{
    return (unsigned)r < UI_ROLE_COUNT ? ROLE_NAMES[r] : "?";
}

int ui_theme_attr(const ui_theme *t, ui_role r)
{
    return (unsigned)r < UI_ROLE_COUNT ? t->attrs[r] : 0;
}

static const struct {
    const char *name;
    short value;
} COLOUR_NAMES[] = {
    {"default", -1},
    {"black", COLOR_BLACK},
    {"red", COLOR_RED},
    {"green", COLOR_GREEN},
    {"yellow", COLOR_YELLOW},
    {"blue", COLOR_BLUE},
    {"magenta", COLOR_MAGENTA},
    {"cyan", COLOR_CYAN},
    {"white", COLOR_WHITE},
};

/* A colour name, a number, or "N/name": N on 256-colour terminals and
 * the name on 8-colour ones. */
static bool parse_colour(const char *s, short *out)
{
    char copy[32];
    snprintf(copy, sizeof copy, "%s", s);
    char *slash = strchr(copy, '/');
    if (slash) {
        *slash = '\0';
        if (COLORS >= 256)
            return parse_colour(copy, out);
        return parse_colour(slash + 1, out);
    }
    for (size_t i = 0; i < sizeof COLOUR_NAMES / sizeof COLOUR_NAMES[0]; i++) {
        if (strcmp(copy, COLOUR_NAMES[i].name) == 0) {
            *out = COLOUR_NAMES[i].value;
            return true;
        }
    }
    char *end;
    long v = strtol(copy, &end, 10);
    if (*copy && !*end && v >= -1 && v < 256) {
        *out = (short)(v < COLORS ? v : v % 8); /* a small terminal gets a basic colour */
        return true;
    }
    return false;
}

static int parse_attrs(char *s)
{
    int a = 0;
    for (char *tok = strtok(s, "+ "); tok; tok = strtok(NULL, "+ ")) {
        if (strcmp(tok, "bold") == 0)
            a |= A_BOLD;
        else if (strcmp(tok, "dim") == 0)
            a |= A_DIM;
        else if (strcmp(tok, "reverse") == 0)
            a |= A_REVERSE;
        else if (strcmp(tok, "underline") == 0)
            a |= A_UNDERLINE;
        else if (strcmp(tok, "blink") == 0)
            a |= A_BLINK;
    }
    return a;
}

static bool find_theme(const char *name, char *path, size_t len)
{
    if (strchr(name, '/')) {
        snprintf(path, len, "%s", name);
        return access(path, R_OK) == 0;
    }
    const char *env = getenv("ORBIT_THEME_DIR");
    char dirs[4][PATH_MAX];
    int n = 0;
    if (env && *env)
        snprintf(dirs[n++], sizeof dirs[0], "%s", env);
    char self[PATH_MAX];
    ssize_t r = readlink("/proc/self/exe", self, sizeof self - 1);
    if (r > 0) {
        self[r] = '\0';
        char *d = dirname(self);
        snprintf(dirs[n++], sizeof dirs[0], "%.*s/../themes", PATH_MAX - 20, d);
        snprintf(dirs[n++], sizeof dirs[0], "%.*s/../share/orbit/themes", PATH_MAX - 40, d);
    }
    snprintf(dirs[n++], sizeof dirs[0], "%s", ORBIT_THEME_INSTALL_DIR);
    for (int i = 0; i < n; i++) {
        if (snprintf(path, len, "%s/%s.theme", dirs[i], name) < (int)len && access(path, R_OK) == 0)
            return true;
    }
    return false;
}

bool ui_theme_load(ui_theme *t, const char *name, bool colour, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name ? name : "default");
    err[0] = '\0';
    colour = colour && has_colors();
    role_colour roles[UI_ROLE_COUNT];
    memcpy(roles, DEFAULTS, sizeof roles);
    bool mono_theme = false;
    char path[PATH_MAX];
    bool ok = true;
    if (name && strcmp(name, "default") != 0 && !find_theme(name, path, sizeof path)) {
        snprintf(err, errlen, "theme %s not found; using the default", name);
        ok = false;
    } else if (name && find_theme(name, path, sizeof path)) {
        FILE *f = fopen(path, "r");
        char line[256];
        int lineno = 0;
        while (f && fgets(line, sizeof line, f)) {
            lineno++;
            char *s = line;
            while (isspace((unsigned char)*s))
                s++;
            if (!*s || *s == '#')
                continue;
            s[strcspn(s, "\r\n")] = '\0';
            if (strncmp(s, "colours", 7) == 0 && strstr(s, "none")) {
                mono_theme = true;
                continue;
            }
            char *eq = strchr(s, '=');
            if (!eq)
                continue;
            *eq = '\0';
            char key[40], fg[32] = "default", bg[32] = "default", attrs[64] = "";
            sscanf(s, "%39s", key);
            char *v = eq + 1;
            char *parts[3] = {NULL, NULL, NULL};
            int np = 0;
            for (char *tok = strtok(v, ","); tok && np < 3; tok = strtok(NULL, ","))
                parts[np++] = tok;
            if (np > 0)
                sscanf(parts[0], "%31s", fg);
            if (np > 1)
                sscanf(parts[1], "%31s", bg);
            if (np > 2)
                snprintf(attrs, sizeof attrs, "%s", parts[2]);
            int role = -1;
            for (int i = 0; i < UI_ROLE_COUNT; i++) {
                if (strcmp(ROLE_NAMES[i], key) == 0)
                    role = i;
            }
            short cf, cb;
            if (role < 0 || !parse_colour(fg, &cf) || !parse_colour(bg, &cb)) {
                snprintf(err, errlen, "%s:%d: not understood", path, lineno);
                ok = false;
                continue;
            }
            roles[role] = (role_colour){cf, cb, parse_attrs(attrs)};
        }
        if (f)
            fclose(f);
        else
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
    }
    if (mono_theme)
        colour = false;
    t->colour = colour;
    if (colour) {
        start_color();
        use_default_colors();
    }
    for (int r = 0; r < UI_ROLE_COUNT; r++) {
        if (!colour) {
            t->attrs[r] = MONO[r];
            continue;
        }
        if (init_pair((short)(r + 1), roles[r].fg, roles[r].bg) == ERR) {
            t->attrs[r] = MONO[r];
            continue;
        }
        t->attrs[r] = (int)COLOR_PAIR(r + 1) | roles[r].attr;
    }
    return ok;
}
