/* ui_keys: key names and the footer. */
#include "ui_keys.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
    int key;
    const char *name;
} NAMED[] = {
    {'\t', "Tab"},           {27, "Esc"},        {'\n', "Enter"},    {' ', "Space"},
    {KEY_BTAB, "Shift-Tab"}, {KEY_UP, "Up"},     {KEY_DOWN, "Down"}, {KEY_LEFT, "Left"},
    {KEY_RIGHT, "Right"},    {KEY_HOME, "Home"}, {KEY_END, "End"},   {KEY_PPAGE, "PgUp"},
    {KEY_NPAGE, "PgDn"},     {KEY_IC, "Insert"}, {KEY_DC, "Delete"}, {KEY_BACKSPACE, "Backspace"},
    {KEY_ENTER, "Enter"},    {127, "Backspace"},
};

/* Other spellings accepted in configuration files. */
static const struct {
    const char *alias;
    const char *name;
} ALIASES[] = {
    {"Escape", "Esc"},  {"Return", "Enter"},  {"BTab", "Shift-Tab"}, {"BackTab", "Shift-Tab"},
    {"PageUp", "PgUp"}, {"PageDown", "PgDn"}, {"PgDown", "PgDn"},    {"Del", "Delete"},
    {"Ins", "Insert"},  {"BS", "Backspace"},
};

const char *ui_key_name(int key, char *buf, size_t len)
{
    for (size_t i = 0; i < sizeof NAMED / sizeof NAMED[0]; i++) {
        if (NAMED[i].key == key) {
            snprintf(buf, len, "%s", NAMED[i].name);
            return buf;
        }
    }
    if (key >= KEY_F(1) && key <= KEY_F(24))
        snprintf(buf, len, "F%d", key - KEY_F0);
    else if (key > 0 && key < 32)
        snprintf(buf, len, "Ctrl-%c", key + 64);
    else if (key > 32 && key < 127)
        snprintf(buf, len, "%c", key);
    else
        snprintf(buf, len, "#%d", key);
    return buf;
}

int ui_key_parse(const char *name)
{
    if (!name || !*name)
        return -1;
    if (strlen(name) == 1 && name[0] > 32 && name[0] < 127)
        return name[0];
    for (size_t i = 0; i < sizeof ALIASES / sizeof ALIASES[0]; i++) {
        if (strcasecmp(name, ALIASES[i].alias) == 0)
            name = ALIASES[i].name;
    }
    for (size_t i = 0; i < sizeof NAMED / sizeof NAMED[0]; i++) {
        if (strcasecmp(name, NAMED[i].name) == 0)
            return NAMED[i].key;
    }
    const char *ctrl = NULL;
    if (strncasecmp(name, "Ctrl-", 5) == 0 || strncasecmp(name, "Ctrl+", 5) == 0)
        ctrl = name + 5;
    else if (strncasecmp(name, "C-", 2) == 0)
        ctrl = name + 2;
    else if (name[0] == '^' && name[1])
        ctrl = name + 1;
    if (ctrl && strlen(ctrl) == 1 && isalpha((unsigned char)ctrl[0]))
        return toupper((unsigned char)ctrl[0]) - 64;
    if ((name[0] == 'F' || name[0] == 'f') && isdigit((unsigned char)name[1])) {
        char *end;
        long n = strtol(name + 1, &end, 10);
        if (!*end && n >= 1 && n <= 24)
            return KEY_F((int)n);
    }
    return -1;
}

void ui_keys_footer(WINDOW *w, int y, int x, int width, const ui_key *rows, size_t n,
                    bool read_only, bool tables, const ui_theme *th, const ui_glyphs *g)
{
    int bar = ui_theme_attr(th, UI_ROLE_FOOTER), key_attr = ui_theme_attr(th, UI_ROLE_FOOTER_KEY);
    ui_fill(w, y, x, width, bar);
    int cx = x;
    for (size_t i = 0; i < n; i++) {
        const ui_key *k = &rows[i];
        if (!k->label || (read_only && (k->flags & UI_KEY_ACTION)) ||
            (!tables && (k->flags & UI_KEY_TABLE)))
            continue;
        bool first = true;
        for (size_t j = 0; j < i && first; j++)
            first = rows[j].cmd != k->cmd || !rows[j].label;
        if (!first)
            continue;
        char name[16];
        ui_key_name(k->key, name, sizeof name);
        /* "F Failover " : readable without colour too. */
        int need = ui_text_width(name) + ui_text_width(k->label) + 2;
        if (cx + need > x + width)
            break;
        ui_put(w, y, cx, ui_text_width(name), key_attr, UI_LEFT, name, g);
        cx += ui_text_width(name);
        ui_put(w, y, cx, ui_text_width(k->label) + 2, bar, UI_LEFT, "", g);
        ui_put(w, y, cx + 1, ui_text_width(k->label) + 1, bar, UI_LEFT, k->label, g);
        cx += ui_text_width(k->label) + 2;
    }
}
