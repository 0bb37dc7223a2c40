/* ui_keys: footer and help from the key table. */
#include "ui_keys.h"

#include <stdio.h>
#include <string.h>

const char *ui_key_name(int key, char *buf, size_t len)
{
    switch (key) {
    case '\t':
        snprintf(buf, len, "Tab");
        break;
    case 27:
        snprintf(buf, len, "Esc");
        break;
    case '\n':
        snprintf(buf, len, "Enter");
        break;
    case KEY_UP:
        snprintf(buf, len, "Up");
        break;
    case KEY_DOWN:
        snprintf(buf, len, "Down");
        break;
    default:
        if (key > 0 && key < 32)
            snprintf(buf, len, "^%c", key + 64);
        else if (key >= 32 && key < 127)
            snprintf(buf, len, "%c", key);
        else
            snprintf(buf, len, "#%d", key);
    }
    return buf;
}

void ui_keys_footer(WINDOW *w, int y, int x, int width, const ui_key *keys, size_t n,
                    unsigned view_bit, bool read_only, const ui_theme *th, const ui_glyphs *g)
{
    int bar = ui_theme_attr(th, UI_ROLE_FOOTER), key_attr = ui_theme_attr(th, UI_ROLE_FOOTER_KEY);
    ui_fill(w, y, x, width, bar);
    int cx = x;
    for (size_t i = 0; i < n; i++) {
        const ui_key *k = &keys[i];
        if (!k->footer || (k->views && !(k->views & view_bit)) || (read_only && k->action))
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

int ui_keys_help(WINDOW *w, int y, int x, int height, int width, const ui_key *keys, size_t n,
                 bool read_only, const char *const *view_names, int nviews, const ui_theme *th,
                 const ui_glyphs *g)
{
    int line = 0;
    for (size_t i = 0; i < n && line < height; i++) {
        const ui_key *k = &keys[i];
        char name[16], where[96] = "";
        ui_key_name(k->key, name, sizeof name);
        if (k->views) {
            size_t used = 0;
            for (int v = 0; v < nviews; v++) {
                if (k->views & (1u << v))
                    used += (size_t)snprintf(where + used, sizeof where - used, "%s%s",
                                             used ? "," : " (", view_names[v]);
                if (used >= sizeof where)
                    break;
            }
            if (used && used < sizeof where - 1)
                strcat(where, ")");
        }
        bool off = read_only && k->action;
        int attr = ui_theme_attr(th, off ? UI_ROLE_DIM : UI_ROLE_NORMAL);
        ui_put(w, y + line, x, 8, attr | (off ? 0 : A_BOLD), UI_LEFT, name, g);
        char text[300];
        snprintf(text, sizeof text, "%s%s%s", off ? "[read-only] " : "", k->help, where);
        ui_put(w, y + line, x + 8, width - 8, attr, UI_LEFT, text, g);
        line++;
    }
    return line;
}
