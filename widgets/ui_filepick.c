/* ui_filepick: a small directory browser. */
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
    char title[80];
    char dir[PATH_MAX];
    char chosen[PATH_MAX];
    pick_entry *entries;
    size_t n, cap;
    size_t selected, top;
    bool all_files;
    char error[200];
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

static void load(ui_filepick *p)
{
    p->n = 0;
    p->selected = p->top = 0;
    p->error[0] = '\0';
    DIR *d = opendir(p->dir);
    if (!d) {
        snprintf(p->error, sizeof p->error, "%.120s: %s", p->dir, strerror(errno));
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
            if (!ne)
                break;
            p->entries = ne;
            p->cap = cap;
        }
        pick_entry *e = &p->entries[p->n++];
        snprintf(e->name, sizeof e->name, "%s", de->d_name);
        e->dir = dir;
        e->size = (long long)sb.st_size;
    }
    closedir(d);
    qsort(p->entries, p->n, sizeof *p->entries, cmp_entry);
}

ui_filepick *ui_filepick_new(const char *dir, const char *title)
{
    ui_filepick *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    snprintf(p->title, sizeof p->title, "%s", title);
    if (!realpath(dir ? dir : ".", p->dir))
        snprintf(p->dir, sizeof p->dir, "/");
    load(p);
    return p;
}

void ui_filepick_free(ui_filepick *p)
{
    if (!p)
        return;
    free(p->entries);
    free(p);
}

const char *ui_filepick_path(const ui_filepick *p)
{
    return p->chosen;
}

static void go_to(ui_filepick *p, const char *name)
{
    char next[PATH_MAX + 260], real[PATH_MAX];
    snprintf(next, sizeof next, "%s/%s", p->dir, name);
    if (realpath(next, real)) {
        snprintf(p->dir, sizeof p->dir, "%s", real);
        load(p);
    }
}

ui_pick_result ui_filepick_key(ui_filepick *p, int key)
{
    switch (key) {
    case 27:
        return UI_PICK_CANCELLED;
    case KEY_UP:
    case 'k':
        if (p->selected > 0)
            p->selected--;
        break;
    case KEY_DOWN:
    case 'j':
        if (p->selected + 1 < p->n)
            p->selected++;
        break;
    case KEY_PPAGE:
        p->selected = p->selected > 10 ? p->selected - 10 : 0;
        break;
    case KEY_NPAGE:
        p->selected = p->selected + 10 < p->n ? p->selected + 10 : (p->n ? p->n - 1 : 0);
        break;
    case KEY_BACKSPACE:
    case 127:
    case 8:
    case KEY_LEFT:
        go_to(p, "..");
        break;
    case '.':
        p->all_files = !p->all_files;
        load(p);
        break;
    case '\n':
    case '\r':
    case KEY_ENTER:
    case KEY_RIGHT:
        if (p->selected < p->n) {
            pick_entry *e = &p->entries[p->selected];
            if (e->dir) {
                char name[256];
                snprintf(name, sizeof name, "%s", e->name);
                go_to(p, name);
            } else if (key != KEY_RIGHT) {
                snprintf(p->chosen, sizeof p->chosen, "%.*s/%s", PATH_MAX - 260, p->dir, e->name);
                return UI_PICK_CHOSEN;
            }
        }
        break;
    default:
        break;
    }
    return UI_PICK_OPEN;
}

void ui_filepick_draw(ui_filepick *p, WINDOW *w, const ui_theme *th, const ui_glyphs *g)
{
    int rows, cols;
    getmaxyx(w, rows, cols);
    int width = cols - 4 < 90 ? cols - 4 : 90, height = rows - 4;
    int y = 2, x = (cols - width) / 2;
    int base = ui_theme_attr(th, UI_ROLE_DIALOG);
    for (int r = 0; r < height; r++)
        ui_fill(w, y + r, x, width, base);
    ui_box(w, y, x, height, width, base, p->title, base | A_BOLD, g);
    ui_put(w, y + 1, x + 2, width - 4, base | A_BOLD, UI_LEFT, p->dir, g);
    int list_h = height - 5;
    if (p->selected < p->top)
        p->top = p->selected;
    if (p->selected >= p->top + (size_t)list_h)
        p->top = p->selected - (size_t)list_h + 1;
    for (int r = 0; r < list_h; r++) {
        size_t i = p->top + (size_t)r;
        int line = y + 2 + r;
        if (i >= p->n) {
            ui_fill(w, line, x + 1, width - 2, base);
            continue;
        }
        pick_entry *e = &p->entries[i];
        int attr = i == p->selected ? ui_theme_attr(th, UI_ROLE_BUTTON_FOCUS) : base;
        char text[300];
        if (e->dir)
            snprintf(text, sizeof text, "%s/", e->name);
        else
            snprintf(text, sizeof text, "%-48s %12lld bytes", e->name, e->size);
        ui_put(w, line, x + 2, width - 4, attr, UI_LEFT, text, g);
    }
    const char *help = p->error[0] ? p->error
                       : p->n      ? "Enter: open/choose  Backspace: up  .: all files  Esc: cancel"
                                   : "no audio files here (.: show all files)";
    ui_put(w, y + height - 2, x + 2, width - 4,
           p->error[0] ? ui_theme_attr(th, UI_ROLE_STATUS_ERROR) : base, UI_LEFT, help, g);
}
