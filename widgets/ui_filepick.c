/* ui_filepick: a small directory browser with a path line. */
#include "ui_filepick.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    char name[256];
    bool dir;
    long long size;
} pick_entry;

struct ui_filepick {
    char title[300];
    char dir[PATH_MAX];
    char chosen[PATH_MAX];
    char typed[PATH_MAX]; /* the path line */
    pick_entry *entries;  /* the directory, sorted */
    size_t n, cap;
    size_t *shown; /* entries matching the typed prefix */
    size_t nshown;
    size_t selected, top; /* positions in shown */
    bool all_files;
    char error[300];
};

static bool audio_name(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (strcasecmp(dot, ".wav") == 0 || strcasecmp(dot, ".wma") == 0);
}

static int cmp_entry(const void *a, const void *b)
{
    const pick_entry *x = a, *y = b;
    if (x->dir != y->dir)
        return x->dir ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* The typed text when it is a prefix of names here (no / in it). */
static const char *prefix(const ui_filepick *p)
{
    return strchr(p->typed, '/') || (p->typed[0] == '~') ? "" : p->typed;
}

static void narrow(ui_filepick *p)
{
    const char *pre = prefix(p);
    size_t plen = strlen(pre);
    p->nshown = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (!plen || strncasecmp(p->entries[i].name, pre, plen) == 0)
            p->shown[p->nshown++] = i;
    }
    /* The first thing worth choosing: past "..", which heads the list. */
    p->selected = 0;
    if (!plen && p->nshown > 1 && strcmp(p->entries[p->shown[0]].name, "..") == 0)
        p->selected = 1;
    p->top = 0;
}

static void load(ui_filepick *p)
{
    p->n = 0;
    p->error[0] = '\0';
    DIR *d = opendir(p->dir);
    if (!d) {
        snprintf(p->error, sizeof p->error, "%.200s: %s", p->dir, strerror(errno));
        p->nshown = 0;
        return;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || (de->d_name[0] == '.' && strcmp(de->d_name, "..")))
            continue;
        char path[PATH_MAX + 260];
        snprintf(path, sizeof path, "%s/%s", p->dir, de->d_name);
        struct stat sb;
        if (stat(path, &sb) != 0)
            continue;
        bool dir = S_ISDIR(sb.st_mode);
        if (!dir && (!S_ISREG(sb.st_mode) || (!p->all_files && !audio_name(de->d_name))))
            continue;
        if (p->n == p->cap) {
            size_t cap = p->cap ? p->cap * 2 : 64;
            pick_entry *ne = realloc(p->entries, cap * sizeof *ne);
            size_t *ns = realloc(p->shown, cap * sizeof *ns);
            if (ne)
                p->entries = ne;
            if (ns)
                p->shown = ns;
            if (!ne || !ns)
                break;
            p->cap = cap;
        }
        pick_entry *e = &p->entries[p->n++];
        snprintf(e->name, sizeof e->name, "%s", de->d_name);
        e->dir = dir;
        e->size = (long long)sb.st_size;
    }
    closedir(d);
    qsort(p->entries, p->n, sizeof *p->entries, cmp_entry);
    narrow(p);
}

ui_filepick *ui_filepick_new(const char *dir, const char *title)
{
    ui_filepick *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    snprintf(p->title, sizeof p->title, "%s", title);
    if (!(dir && realpath(dir, p->dir)) && !realpath(".", p->dir))
        snprintf(p->dir, sizeof p->dir, "/");
    load(p);
    return p;
}

void ui_filepick_free(ui_filepick *p)
{
    if (!p)
        return;
    free(p->entries);
    free(p->shown);
    free(p);
}

const char *ui_filepick_path(const ui_filepick *p)
{
    return p->chosen;
}

const char *ui_filepick_dir(const ui_filepick *p)
{
    return p->dir;
}

/* Resolves a typed path: absolute, ~/..., or relative to the directory. */
static bool resolve(const ui_filepick *p, const char *typed, char *out, size_t len)
{
    char joined[PATH_MAX * 2];
    const char *home = getenv("HOME");
    if (typed[0] == '/')
        snprintf(joined, sizeof joined, "%s", typed);
    else if (typed[0] == '~' && (typed[1] == '/' || !typed[1]) && home)
        snprintf(joined, sizeof joined, "%s%s", home, typed + 1);
    else
        snprintf(joined, sizeof joined, "%s/%s", p->dir, typed);
    char real[PATH_MAX];
    if (!realpath(joined, real))
        return false;
    snprintf(out, len, "%s", real);
    return true;
}

static ui_pick_result go_or_choose(ui_filepick *p, const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        snprintf(p->error, sizeof p->error, "%.200s: %s", path, strerror(errno));
        return UI_PICK_OPEN;
    }
    if (S_ISDIR(sb.st_mode)) {
        snprintf(p->dir, sizeof p->dir, "%s", path);
        p->typed[0] = '\0';
        load(p);
        return UI_PICK_OPEN;
    }
    snprintf(p->chosen, sizeof p->chosen, "%s", path);
    return UI_PICK_CHOSEN;
}

static ui_pick_result enter(ui_filepick *p)
{
    char path[PATH_MAX];
    if (!prefix(p)[0] && p->typed[0]) { /* a path: go where it says */
        if (!resolve(p, p->typed, path, sizeof path)) {
            snprintf(p->error, sizeof p->error, "%.200s: %s", p->typed, strerror(errno));
            return UI_PICK_OPEN;
        }
        return go_or_choose(p, path);
    }
    if (p->selected >= p->nshown)
        return UI_PICK_OPEN;
    const pick_entry *e = &p->entries[p->shown[p->selected]];
    char joined[PATH_MAX + 260];
    snprintf(joined, sizeof joined, "%s/%s", p->dir, e->name);
    if (!realpath(joined, path)) {
        snprintf(p->error, sizeof p->error, "%.200s: %s", e->name, strerror(errno));
        return UI_PICK_OPEN;
    }
    return go_or_choose(p, path);
}

/* Tab: completes the typed prefix as far as every match agrees. */
static void complete(ui_filepick *p)
{
    if (!p->nshown || !prefix(p)[0])
        return;
    const char *first = p->entries[p->shown[0]].name;
    size_t common = strlen(first);
    for (size_t i = 1; i < p->nshown; i++) {
        const char *other = p->entries[p->shown[i]].name;
        size_t k = 0;
        while (k < common && first[k] == other[k])
            k++;
        common = k;
    }
    if (common > strlen(p->typed) && common < sizeof p->typed) {
        memcpy(p->typed, first, common);
        p->typed[common] = '\0';
    }
    if (p->nshown == 1 && p->entries[p->shown[0]].dir)
        enter(p);
}

ui_pick_result ui_filepick_key(ui_filepick *p, int key)
{
    size_t len = strlen(p->typed);
    switch (key) {
    case 27:
        return UI_PICK_CANCELLED;
    case KEY_UP:
        if (p->selected > 0)
            p->selected--;
        break;
    case KEY_DOWN:
        if (p->selected + 1 < p->nshown)
            p->selected++;
        break;
    case KEY_PPAGE:
        p->selected = p->selected > 10 ? p->selected - 10 : 0;
        break;
    case KEY_NPAGE:
        p->selected =
            p->selected + 10 < p->nshown ? p->selected + 10 : (p->nshown ? p->nshown - 1 : 0);
        break;
    case KEY_HOME:
        p->selected = 0;
        break;
    case KEY_END:
        p->selected = p->nshown ? p->nshown - 1 : 0;
        break;
    case KEY_BACKSPACE:
    case 127:
    case 8:
        if (len) {
            p->typed[len - 1] = '\0';
            narrow(p);
        } else {
            char up[PATH_MAX];
            if (resolve(p, "..", up, sizeof up))
                go_or_choose(p, up);
        }
        break;
    case KEY_LEFT:
        if (!len) {
            char up[PATH_MAX];
            if (resolve(p, "..", up, sizeof up))
                go_or_choose(p, up);
        }
        break;
    case 21: /* Ctrl-U clears the line */
        p->typed[0] = '\0';
        narrow(p);
        break;
    case 1: /* Ctrl-A: every file, or only audio again */
        p->all_files = !p->all_files;
        load(p);
        break;
    case '\t':
        complete(p);
        break;
    case '\n':
    case '\r':
    case KEY_ENTER:
        return enter(p);
    case KEY_RIGHT:
        if (p->selected < p->nshown && p->entries[p->shown[p->selected]].dir)
            return enter(p);
        break;
    default:
        if (key >= 32 && key < 127 && len + 1 < sizeof p->typed) {
            p->typed[len] = (char)key;
            p->typed[len + 1] = '\0';
            p->error[0] = '\0';
            narrow(p);
        }
        break;
    }
    return UI_PICK_OPEN;
}

void ui_filepick_draw(ui_filepick *p, WINDOW *w, const ui_theme *th, const ui_glyphs *g)
{
    int rows, cols;
    getmaxyx(w, rows, cols);
    int width = cols - 4 < 110 ? cols - 4 : 110, height = rows - 4;
    int y = 2, x = (cols - width) / 2;
    int base = ui_theme_attr(th, UI_ROLE_DIALOG);
    for (int r = 0; r < height; r++)
        ui_fill(w, y + r, x, width, base);
    ui_box(w, y, x, height, width, base, p->title, base | A_BOLD, g);
    ui_put(w, y + 1, x + 2, width - 4, base | A_BOLD, UI_LEFT, p->dir, g);
    char line[PATH_MAX + 16];
    snprintf(line, sizeof line, "path: %s_", p->typed);
    ui_put(w, y + 2, x + 2, width - 4, ui_theme_attr(th, UI_ROLE_INPUT), UI_LEFT, line, g);
    int list_h = height - 6;
    if (p->selected < p->top)
        p->top = p->selected;
    if (list_h > 0 && p->selected >= p->top + (size_t)list_h)
        p->top = p->selected - (size_t)list_h + 1;
    for (int r = 0; r < list_h; r++) {
        size_t i = p->top + (size_t)r;
        int row = y + 3 + r;
        if (i >= p->nshown) {
            ui_fill(w, row, x + 1, width - 2, base);
            continue;
        }
        const pick_entry *e = &p->entries[p->shown[i]];
        bool sel = i == p->selected;
        int attr = sel ? ui_theme_attr(th, UI_ROLE_BUTTON_FOCUS) : base;
        char text[400];
        if (e->dir)
            snprintf(text, sizeof text, "%s%s/", sel ? "> " : "  ", e->name);
        else
            snprintf(text, sizeof text, "%s%-48s %12lld bytes", sel ? "> " : "  ", e->name,
                     e->size);
        ui_put(w, row, x + 2, width - 4, attr, UI_LEFT, text, g);
    }
    const char *help = p->error[0]   ? p->error
                       : p->nshown   ? "type to narrow, a path with / to go there; Tab completes; "
                                       "Enter opens or chooses; Backspace: up; Ctrl-A: all files; "
                                       "Esc: cancel"
                       : p->typed[0] ? "nothing here starts with that (Backspace, or a path with /)"
                                     : "no audio files here (Ctrl-A shows every file)";
    ui_put_wrapped(w, y + height - 3, x + 2, width - 4, 2,
                   p->error[0] ? ui_theme_attr(th, UI_ROLE_STATUS_ERROR) : base, help, g);
}
