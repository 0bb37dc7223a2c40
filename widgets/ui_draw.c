/* ui_draw: width-aware drawing helpers. */
#include "ui_draw.h"

#include "client_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* Width of one UTF-8 character starting at s; its byte length in *len. */
static int char_width(const char *s, int *len)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    wchar_t wc;
    size_t n = mbrtowc(&wc, s, MB_CUR_MAX, &st);
    if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
        *len = 1;
        return 1; /* a stray byte is shown as one column */
    }
    *len = (int)n;
    int w = wcwidth(wc);
    return w < 0 ? 1 : w;
}

int ui_text_width(const char *s)
{
    int width = 0, len;
    while (*s) {
        width += char_width(s, &len);
        s += len;
    }
    return width;
}

/* Copies as much of s as fits in max columns; returns bytes, *cols the
 * columns used. */
static size_t fit(const char *s, int max, int *cols)
{
    size_t bytes = 0;
    int used = 0, len;
    while (s[bytes]) {
        int w = char_width(s + bytes, &len);
        if (used + w > max)
            break;
        used += w;
        bytes += (size_t)len;
    }
    *cols = used;
    return bytes;
}

void ui_fill(WINDOW *w, int y, int x, int width, int attr)
{
    if (width <= 0)
        return;
    wattrset(w, attr);
    mvwhline(w, y, x, ' ', width);
}

void ui_visible(const char *s, char *out, size_t len, const ui_glyphs *g)
{
    client_text_visible(s, out, len, g && !g->utf8 ? CLIENT_TEXT_ASCII : 0);
}

void ui_put(WINDOW *w, int y, int x, int width, int attr, ui_align align, const char *text,
            const ui_glyphs *g)
{
    if (width <= 0)
        return;
    char shown[1024];
    ui_visible(text, shown, sizeof shown, g);
    const char *s = shown;
    int total = ui_text_width(s);
    char buf[1024];
    int cols;
    if (total > width) {
        int ell = g ? ui_text_width(g->ellipsis) : 0;
        size_t n = fit(s, width - ell, &cols);
        if (n >= sizeof buf - 8)
            n = sizeof buf - 8;
        memcpy(buf, s, n);
        buf[n] = '\0';
        if (g)
            strncat(buf, g->ellipsis, sizeof buf - strlen(buf) - 1);
        cols += ell;
    } else {
        snprintf(buf, sizeof buf, "%s", s);
        cols = total;
    }
    int pad = width - cols, left = 0;
    if (align == UI_RIGHT)
        left = pad;
    else if (align == UI_CENTRE)
        left = pad / 2;
    wattrset(w, attr);
    mvwhline(w, y, x, ' ', width);
    mvwaddstr(w, y, x + left, buf);
}

size_t ui_wrap_line(const char *s, int width, const char **next)
{
    size_t bytes = 0, cut = 0;
    int used = 0, len = 1;
    if (width < 1)
        width = 1;
    if (!*s) {
        *next = s;
        return 0;
    }
    while (s[bytes]) {
        int cw = char_width(s + bytes, &len);
        if (used + cw > width)
            break;
        used += cw;
        bytes += (size_t)len;
        if (s[bytes - 1] == ' ')
            cut = bytes; /* a break after this blank keeps the word whole */
    }
    if (!s[bytes] || !cut)
        cut = bytes ? bytes : (size_t)len; /* the rest fits, or a word longer than a line */
    size_t end = cut;
    while (end > 0 && s[end - 1] == ' ')
        end--;
    const char *n = s + cut;
    while (*n == ' ')
        n++;
    *next = n;
    return end;
}

int ui_wrap_count(const char *s, int width)
{
    int lines = 0;
    do {
        ui_wrap_line(s, width, &s);
        lines++;
    } while (*s);
    return lines;
}

int ui_put_wrapped(WINDOW *w, int y, int x, int width, int max_lines, int attr, const char *text,
                   const ui_glyphs *g)
{
    char shown[2048];
    ui_visible(text, shown, sizeof shown, g);
    const char *s = shown;
    int line = 0;
    while (line < max_lines) {
        const char *next;
        size_t n = ui_wrap_line(s, width, &next);
        char buf[1024];
        bool last = line + 1 == max_lines && *next;
        /* The last row shows what is left, cut with the ellipsis. */
        snprintf(buf, sizeof buf, "%.*s", (int)(last ? strlen(s) : n), s);
        ui_put(w, y + line, x, width, attr, UI_LEFT, buf, g);
        line++;
        s = next;
        if (!*s)
            break;
    }
    return line;
}

void ui_putf(WINDOW *w, int y, int x, int width, int attr, const ui_glyphs *g, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    ui_put(w, y, x, width, attr, UI_LEFT, buf, g);
}

void ui_box(WINDOW *w, int y, int x, int h, int width, int attr, const char *title, int title_attr,
            const ui_glyphs *g)
{
    if (h < 2 || width < 2)
        return;
    wattrset(w, attr);
    mvwaddstr(w, y, x, g->tl);
    mvwaddstr(w, y, x + width - 1, g->tr);
    mvwaddstr(w, y + h - 1, x, g->bl);
    mvwaddstr(w, y + h - 1, x + width - 1, g->br);
    for (int i = 1; i < width - 1; i++) {
        mvwaddstr(w, y, x + i, g->h);
        mvwaddstr(w, y + h - 1, x + i, g->h);
    }
    for (int j = 1; j < h - 1; j++) {
        mvwaddstr(w, y + j, x, g->v);
        mvwaddstr(w, y + j, x + width - 1, g->v);
    }
    if (title && *title && width > 6) {
        char t[256];
        snprintf(t, sizeof t, " %s ", title);
        int tw = ui_text_width(t);
        if (tw > width - 4)
            tw = width - 4;
        ui_put(w, y, x + 2, tw, title_attr, UI_LEFT, t, g);
    }
}

void ui_bar(WINDOW *w, int y, int x, int width, double fraction, int attr, const ui_glyphs *g)
{
    if (width <= 0)
        return;
    if (fraction < 0)
        fraction = 0;
    if (fraction > 1)
        fraction = 1;
    int full = (int)(fraction * width + 0.5);
    if (fraction > 0 && full == 0)
        full = 1; /* anything at all is visible */
    wattrset(w, attr);
    for (int i = 0; i < width; i++)
        mvwaddstr(w, y, x + i, i < full ? g->bar_full : g->bar_empty);
}

void ui_spark(WINDOW *w, int y, int x, int width, const uint32_t *values, size_t n, int attr,
              const ui_glyphs *g)
{
    if (width <= 0)
        return;
    size_t shown = n < (size_t)width ? n : (size_t)width;
    const uint32_t *v = values + (n - shown);
    uint32_t max = 0;
    for (size_t i = 0; i < shown; i++)
        max = v[i] > max ? v[i] : max;
    wattrset(w, attr);
    int pad = width - (int)shown;
    mvwhline(w, y, x, ' ', pad);
    for (size_t i = 0; i < shown; i++) {
        int level = max ? (int)((uint64_t)v[i] * 7 / max) : 0;
        mvwaddstr(w, y, x + pad + (int)i, v[i] ? g->spark[level] : g->spark[0]);
    }
}

void ui_duration(int64_t ms, char *out, size_t len)
{
    if (ms < 0)
        ms = 0;
    int64_t s = ms / 1000;
    if (s < 60)
        snprintf(out, len, "%llds", (long long)s);
    else if (s < 3600)
        snprintf(out, len, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
    else if (s < 86400)
        snprintf(out, len, "%lldh%02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
    else
        snprintf(out, len, "%lldd%02lldh", (long long)(s / 86400), (long long)(s % 86400 / 3600));
}

void ui_duration_coarse(int64_t ms, char *out, size_t len)
{
    int64_t s = ms < 0 ? 0 : ms / 1000;
    if (s >= 60 && s < 3600)
        snprintf(out, len, "%lldm", (long long)(s / 60));
    else
        ui_duration(ms, out, len);
}
