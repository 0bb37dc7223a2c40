/* ui_glyphs: the two glyph sets. */
#include "ui_glyphs.h"

#include <langinfo.h>
#include <string.h>
#include <strings.h>

void ui_glyphs_init(ui_glyphs *g, bool utf8)
{
    static const char *const spark_utf8[8] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    static const char *const spark_ascii[8] = {"_", ".", ",", "-", "~", "+", "*", "#"};
    g->utf8 = utf8;
    g->h = utf8 ? "─" : "-";
    g->v = utf8 ? "│" : "|";
    g->tl = utf8 ? "┌" : "+";
    g->tr = utf8 ? "┐" : "+";
    g->bl = utf8 ? "└" : "+";
    g->br = utf8 ? "┘" : "+";
    g->bar_full = utf8 ? "█" : "#";
    g->bar_empty = utf8 ? "░" : ".";
    for (int i = 0; i < 8; i++)
        g->spark[i] = utf8 ? spark_utf8[i] : spark_ascii[i];
    g->up_arrow = utf8 ? "▲" : "^";
    g->down_arrow = utf8 ? "▼" : "v";
    g->dot = utf8 ? "●" : "*";
    g->ellipsis = utf8 ? "…" : "~";
    g->check = utf8 ? "✓" : "y";
    g->cross = utf8 ? "✗" : "x";
    g->arrow = utf8 ? "→" : "->";
}

bool ui_glyphs_locale_is_utf8(void)
{
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
}
