/* ui_theme: theme files and colour pairs. */
#include "ui_theme.h"

#include "client_conf.h"

#include <ctype.h>
#include <curses.h>
#include <dirent.h>
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
    [UI_ROLE_BUTTON_FOCUS] = {COLOR_BLACK, COLOR_YELLOW, A_BOLD}, /* attention, not danger */
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
 * the name on 8-colour ones. Without a screen (colours < 0) it is only
 * checked. */
static bool parse_colour(const char *s, int colours, short *out)
{
    char copy[32];
    if (snprintf(copy, sizeof copy, "%s", s) >= (int)sizeof copy)
        return false;
    char *slash = strchr(copy, '/');
    if (slash) {
        *slash = '\0';
        short a, b;
        if (!parse_colour(copy, -1, &a) || !parse_colour(slash + 1, -1, &b) ||
            strchr(slash + 1, '/'))
            return false;
        return parse_colour(colours >= 256 ? copy : slash + 1, colours, out);
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
        /* A small terminal gets a basic colour. */
        *out = (short)(colours < 0 || v < colours ? v : v % 8);
        return true;
    }
    return false;
}

static bool parse_attrs(const char *text, int *out)
{
    static const struct {
        const char *name;
        int attr;
    } ATTRS[] = {{"bold", A_BOLD},
                 {"dim", A_DIM},
                 {"reverse", A_REVERSE},
                 {"underline", A_UNDERLINE},
                 {"blink", A_BLINK}};
    char copy[64], *save = NULL;
    snprintf(copy, sizeof copy, "%s", text);
    *out = 0;
    for (char *tok = strtok_r(copy, "+ ", &save); tok; tok = strtok_r(NULL, "+ ", &save)) {
        size_t i = 0;
        while (i < sizeof ATTRS / sizeof ATTRS[0] && strcmp(tok, ATTRS[i].name) != 0)
            i++;
        if (i == sizeof ATTRS / sizeof ATTRS[0])
            return false;
        *out |= ATTRS[i].attr;
    }
    return true;
}

/* The directories themes are looked for in, best first. */
static int theme_dirs(char dirs[4][PATH_MAX])
{
    const char *env = getenv("ORBIT_THEME_DIR");
    int n = 0;
    if (env && *env)
        snprintf(dirs[n++], PATH_MAX, "%s", env);
    char self[PATH_MAX];
    ssize_t r = readlink("/proc/self/exe", self, sizeof self - 1);
    if (r > 0) {
        self[r] = '\0';
        char *d = dirname(self);
        snprintf(dirs[n++], PATH_MAX, "%.*s/../themes", PATH_MAX - 20, d);
        snprintf(dirs[n++], PATH_MAX, "%.*s/../share/orbit/themes", PATH_MAX - 40, d);
    }
    snprintf(dirs[n++], PATH_MAX, "%s", ORBIT_THEME_INSTALL_DIR);
    return n;
}

static bool find_theme(const char *name, char *path, size_t len)
{
    if (strchr(name, '/')) {
        snprintf(path, len, "%s", name);
        return access(path, R_OK) == 0;
    }
    char dirs[4][PATH_MAX];
    int n = theme_dirs(dirs);
    for (int i = 0; i < n; i++) {
        if (snprintf(path, len, "%s/%s.theme", dirs[i], name) < (int)len && access(path, R_OK) == 0)
            return true;
    }
    return false;
}

/* "default, light, ..." as found in the first theme directory that has any. */
static void list_themes(char *out, size_t len)
{
    char dirs[4][PATH_MAX];
    int n = theme_dirs(dirs);
    snprintf(out, len, "default");
    for (int i = 0; i < n; i++) {
        struct dirent **names = NULL;
        int k = scandir(dirs[i], &names, NULL, alphasort);
        bool any = false;
        for (int j = 0; j < k; j++) {
            const char *dot = strrchr(names[j]->d_name, '.');
            size_t used = strlen(out);
            if (dot && strcmp(dot, ".theme") == 0 &&
                strncmp(names[j]->d_name, "default.", 8) != 0) {
                snprintf(out + used, len - used, ", %.*s", (int)(dot - names[j]->d_name),
                         names[j]->d_name);
                any = true;
            }
            free(names[j]);
        }
        free(names);
        if (any)
            return;
    }
}

typedef struct {
    ui_theme_spec *spec;
} read_ctx;

static bool take_role(void *ctx, const char *key, const char *value, int line, char *why,
                      size_t whylen)
{
    (void)line;
    ui_theme_spec *spec = ((read_ctx *)ctx)->spec;
    if (strcmp(key, "colours") == 0 || strcmp(key, "colors") == 0) {
        if (strcmp(value, "none") != 0) {
            snprintf(why, whylen, "colours = none is the only colours setting");
            return false;
        }
        spec->no_colours = true;
        return true;
    }
    int role = -1;
    for (int i = 0; i < UI_ROLE_COUNT && role < 0; i++) {
        if (strcmp(ROLE_NAMES[i], key) == 0)
            role = i;
    }
    if (role < 0) {
        snprintf(why, whylen, "unknown role '%s'", key);
        return false;
    }
    char copy[128], *parts[3] = {NULL, NULL, NULL}, *save = NULL;
    snprintf(copy, sizeof copy, "%s", value);
    int np = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok && np < 3; tok = strtok_r(NULL, ",", &save))
        parts[np++] = tok;
    char fg[32] = "default", bg[32] = "default";
    if (np > 0)
        sscanf(parts[0], "%31s", fg);
    if (np > 1)
        sscanf(parts[1], "%31s", bg);
    short c;
    int attr = 0;
    if (np < 1 || !parse_colour(fg, -1, &c) || !parse_colour(bg, -1, &c) ||
        (np > 2 && !parse_attrs(parts[2], &attr))) {
        snprintf(why, whylen, "%s: expected foreground, background[, bold+underline...]", key);
        return false;
    }
    spec->set[role] = true;
    snprintf(spec->fg[role], sizeof spec->fg[role], "%s", fg);
    snprintf(spec->bg[role], sizeof spec->bg[role], "%s", bg);
    spec->attr[role] = attr;
    return true;
}

bool ui_theme_read(const char *name, ui_theme_spec *spec, char *err, size_t errlen)
{
    memset(spec, 0, sizeof *spec);
    err[0] = '\0';
    if (!name || !*name)
        name = "default";
    snprintf(spec->name, sizeof spec->name, "%s", name);
    if (strcmp(name, "default") == 0)
        return true;
    char path[PATH_MAX];
    if (!find_theme(name, path, sizeof path)) {
        char themes[512];
        list_themes(themes, sizeof themes);
        snprintf(err, errlen, "theme %s not found (themes: %s, or a theme file's path)", name,
                 themes);
        return false;
    }
    orbit_status st;
    read_ctx rc = {spec};
    if (client_conf_read(path, false, take_role, &rc, &st) != ORBIT_OK) {
        snprintf(err, errlen, "%s", st.message);
        return false;
    }
    return true;
}

void ui_theme_apply(ui_theme *t, const ui_theme_spec *spec, bool colour)
{
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", spec->name);
    colour = colour && !spec->no_colours && has_colors();
    role_colour roles[UI_ROLE_COUNT];
    memcpy(roles, DEFAULTS, sizeof roles);
    for (int r = 0; r < UI_ROLE_COUNT; r++) {
        short fg, bg;
        if (spec->set[r] && parse_colour(spec->fg[r], COLORS, &fg) &&
            parse_colour(spec->bg[r], COLORS, &bg))
            roles[r] = (role_colour){fg, bg, spec->attr[r]};
    }
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
}

bool ui_theme_load(ui_theme *t, const char *name, bool colour, char *err, size_t errlen)
{
    ui_theme_spec spec;
    bool ok = ui_theme_read(name, &spec, err, errlen);
    if (!ok) {
        char why[512];
        snprintf(why, sizeof why, "%s", err);
        snprintf(err, errlen, "%s; using the default", why);
        ui_theme_read("default", &spec, why, sizeof why);
    }
    ui_theme_apply(t, &spec, colour);
    return ok;
}
