/* tui_keys: the default key rows, rebinding and lookup. */
#include "tui_keys.h"

#include "tui_view.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define A UI_KEY_ACTION
#define T UI_KEY_TABLE

static const ui_key DEFAULTS[] = {
    {'?', TUI_CMD_HELP, "help", "Help", "help: every key, command and word", 0},
    {KEY_F(1), TUI_CMD_HELP, "help", NULL, NULL, 0},
    {':', TUI_CMD_COMMAND, "command", "Cmd",
     "command bar (:parked, :pool pool3, :failover pool1...)", 0},
    {'\t', TUI_CMD_VIEW_NEXT, "view.next", "View", "next view", 0},
    {KEY_BTAB, TUI_CMD_VIEW_PREV, "view.prev", NULL, "previous view", 0},
    {'F', TUI_CMD_FAILOVER, "failover", "Failover",
     "fail the selected pool's users over to its backup", A},
    {'B', TUI_CMD_FAILBACK, "failback", "Failback",
     "fail the selected pool's users back from its backup", A},
    {'R', TUI_CMD_REASSIGN, "reassign", "Reassign",
     "move ranges: redirect a pool's pickup ranges after a failover or failback, or move its "
     "ranges; in Orbits, move the selected range",
     A},
    {'E', TUI_CMD_SETTINGS, "settings", "Settings", "edit the selected pool's Call Park settings",
     A},
    {'U', TUI_CMD_MOH, "moh", "MOH", "upload music on hold to the selected pool (backed up first)",
     A},
    {'/', TUI_CMD_FILTER, "filter", "Filter", "filter the table (Enter keeps it, Esc clears it)",
     T},
    {'s', TUI_CMD_SORT_BY, "sort", "Sort", "sort: s then a column's key (again: reverse)", T},
    {'<', TUI_CMD_SORT_PREV, "sort.prev", NULL, "sort by the column to the left", T},
    {'>', TUI_CMD_SORT_NEXT, "sort.next", NULL, "sort by the column to the right", T},
    {'S', TUI_CMD_SORT_REVERSE, "sort.reverse", NULL, "reverse the sort", T},
    {'O', TUI_CMD_RB_FAILOVER, "guided.failover", "Guided",
     "guided failover: preflight, confirmation, failover, redirect, test call; again resumes", A},
    {'K', TUI_CMD_RB_FAILBACK, "guided.failback", NULL,
     "guided failback (says how many calls sit in pickup queues); again resumes", A},
    {'P', TUI_CMD_RB_REPLACE, "guided.replace", NULL,
     "replace a pool lost for good by a new one under a new FQDN", A},
    {'X', TUI_CMD_RB_ABANDON, "guided.abandon", NULL, "abandon the runbook holding the pair", A},
    {KEY_UP, TUI_CMD_UP, "up", NULL, "select up", 0},
    {'k', TUI_CMD_UP, "up", NULL, NULL, 0},
    {KEY_DOWN, TUI_CMD_DOWN, "down", NULL, "select down", 0},
    {'j', TUI_CMD_DOWN, "down", NULL, NULL, 0},
    {KEY_LEFT, TUI_CMD_LEFT, "left", NULL, "select left (overview)", 0},
    {KEY_RIGHT, TUI_CMD_RIGHT, "right", NULL, "select right (overview)", 0},
    {KEY_PPAGE, TUI_CMD_PAGE_UP, "page.up", NULL, "a page up", 0},
    {KEY_NPAGE, TUI_CMD_PAGE_DOWN, "page.down", NULL, "a page down", 0},
    {'g', TUI_CMD_TOP, "top", NULL, "to the first row", 0},
    {KEY_HOME, TUI_CMD_TOP, "top", NULL, NULL, 0},
    {'G', TUI_CMD_BOTTOM, "bottom", NULL, "to the last row", 0},
    {KEY_END, TUI_CMD_BOTTOM, "bottom", NULL, NULL, 0},
    {'\n', TUI_CMD_OPEN, "open", NULL, "open: a pool's detail from the overview", 0},
    {KEY_ENTER, TUI_CMD_OPEN, "open", NULL, NULL, 0},
    {12, TUI_CMD_REPAINT, "repaint", NULL, "repaint the whole screen", 0},
    {27, TUI_CMD_BACK, "back", NULL, "close a dialog, the help or the prompt; clear the filter", 0},
    {'q', TUI_CMD_QUIT, "quit", "Quit",
     "quit orbitop; the pools keep running (./run-demo then stops the demo it started)", 0},
};

#undef A
#undef T

static bool append(tui_keymap *m, const ui_key *row)
{
    ui_key *grown = realloc(m->rows, (m->n + 1) * sizeof *grown);
    if (!grown)
        return false;
    m->rows = grown;
    m->rows[m->n++] = *row;
    return true;
}

static bool copy_rows(tui_keymap *m, const ui_key *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!append(m, &rows[i]))
            return false;
    }
    return true;
}

/* The row that describes a command (the one with its help). */
static ui_key model_row(const tui_keymap *m, int cmd)
{
    const ui_key *found = NULL;
    for (size_t i = 0; i < m->n; i++) {
        if (m->rows[i].cmd == cmd && (!found || (!found->help && m->rows[i].help)))
            found = &m->rows[i];
    }
    return *found;
}

/* Replaces every key of a command with the keys listed ("x, Ctrl-X").
 * 1 when done, 0 when the command is not in this map, -1 with why. */
static int rebind(tui_keymap *m, const char *name, const char *keys, char *why, size_t whylen)
{
    int cmd = -1;
    for (size_t i = 0; i < m->n && cmd < 0; i++) {
        if (strcmp(m->rows[i].name, name) == 0)
            cmd = m->rows[i].cmd;
    }
    if (cmd < 0)
        return 0;
    ui_key model = model_row(m, cmd);
    int codes[8], ncodes = 0;
    char copy[128], *save = NULL;
    snprintf(copy, sizeof copy, "%s", keys);
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        char *end = tok + strlen(tok);
        while (end > tok && end[-1] == ' ')
            *--end = '\0';
        int code = ui_key_parse(tok);
        if (code < 0) {
            snprintf(why, whylen, "'%s' is not a key (a character, Ctrl-X, F1, Home, PgDn...)",
                     tok);
            return -1;
        }
        if (ncodes == 8) {
            snprintf(why, whylen, "at most 8 keys");
            return -1;
        }
        codes[ncodes++] = code;
    }
    if (!ncodes) {
        snprintf(why, whylen, "no key given");
        return -1;
    }
    /* The new rows take the old ones' place: the footer keeps its order. */
    size_t at = m->n, kept = 0;
    for (size_t i = 0; i < m->n; i++) {
        if (m->rows[i].cmd != cmd)
            m->rows[kept++] = m->rows[i];
        else if (at == m->n)
            at = kept;
    }
    m->n = kept;
    for (int i = 0; i < ncodes; i++) {
        ui_key row = model;
        row.key = codes[i];
        row.help = i == 0 ? model.help : NULL;
        row.label = i == 0 ? model.label : NULL;
        if (!append(m, &row)) {
            snprintf(why, whylen, "out of memory");
            return -1;
        }
        memmove(&m->rows[at + (size_t)i + 1], &m->rows[at + (size_t)i],
                (m->n - 1 - at - (size_t)i) * sizeof m->rows[0]);
        m->rows[at + (size_t)i] = row;
    }
    return 1;
}

/* A key that runs two commands in the same place. */
static bool clash(const tui_keymap *m, const tui_keymap *other, char *why, size_t whylen)
{
    for (size_t i = 0; i < m->n; i++) {
        const tui_keymap *maps[2] = {m, other};
        for (int k = 0; k < 2; k++) {
            const tui_keymap *o = maps[k];
            for (size_t j = 0; o && j < o->n; j++) {
                if ((o == m && j <= i) || o->rows[j].key != m->rows[i].key ||
                    o->rows[j].cmd == m->rows[i].cmd)
                    continue;
                char name[32];
                snprintf(why, whylen, "key %s is bound to both %s and %s",
                         ui_key_name(m->rows[i].key, name, sizeof name), m->rows[i].name,
                         o->rows[j].name);
                return true;
            }
        }
    }
    return false;
}

bool tui_keys_build(tui_app *a, const tui_binding *binds, size_t n, char *why, size_t whylen)
{
    tui_keys_free(a);
    if (!copy_rows(&a->keys, DEFAULTS, sizeof DEFAULTS / sizeof DEFAULTS[0])) {
        snprintf(why, whylen, "out of memory");
        return false;
    }
    /* The views by their place: 1 for the first tab, 2 for the second... */
    for (size_t v = 0; v < TUI_VIEW_COUNT && v < TUI_VIEW_MAX; v++) {
        char *name = a->view_cmd_names[v];
        snprintf(name, sizeof a->view_cmd_names[v], "view.%s", TUI_VIEWS[v]->word);
        ui_key row = {v < 9 ? '1' + (int)v : -1,
                      TUI_CMD_VIEW_FIRST + (int)v,
                      name,
                      NULL,
                      TUI_VIEWS[v]->summary,
                      0};
        if ((row.key > 0 && !append(&a->keys, &row)) ||
            !copy_rows(&a->view_keys[v], TUI_VIEWS[v]->keys, TUI_VIEWS[v]->nkeys)) {
            snprintf(why, whylen, "out of memory");
            return false;
        }
    }
    for (size_t i = 0; i < n; i++) {
        const char *name = binds[i].name;
        char reason[256] = "no such command (the help, ?, lists them)";
        int done = rebind(&a->keys, name, binds[i].keys, reason, sizeof reason);
        /* bind.VIEW.COMMAND: a view's own. */
        for (size_t v = 0; !done && v < TUI_VIEW_COUNT; v++) {
            size_t wl = strlen(TUI_VIEWS[v]->word);
            if (strncmp(name, TUI_VIEWS[v]->word, wl) == 0 && name[wl] == '.')
                done =
                    rebind(&a->view_keys[v], name + wl + 1, binds[i].keys, reason, sizeof reason);
        }
        if (done != 1) {
            snprintf(why, whylen, "line %d: bind.%s: %s", binds[i].line, name, reason);
            return false;
        }
    }
    if (clash(&a->keys, NULL, why, whylen))
        return false;
    for (size_t v = 0; v < TUI_VIEW_COUNT; v++) {
        if (clash(&a->view_keys[v], &a->keys, why, whylen)) {
            char reason[300];
            snprintf(reason, sizeof reason, "%s", why);
            snprintf(why, whylen, "in %s: %s", TUI_VIEWS[v]->word, reason);
            return false;
        }
    }
    return true;
}

void tui_keys_free(tui_app *a)
{
    free(a->keys.rows);
    a->keys = (tui_keymap){0};
    for (size_t v = 0; v < TUI_VIEW_MAX; v++) {
        free(a->view_keys[v].rows);
        a->view_keys[v] = (tui_keymap){0};
    }
}

int tui_keys_lookup(const tui_app *a, int key)
{
    const tui_keymap *own = &a->view_keys[a->scr.view];
    for (size_t i = 0; i < own->n; i++) {
        if (own->rows[i].key == key)
            return own->rows[i].cmd;
    }
    for (size_t i = 0; i < a->keys.n; i++) {
        if (a->keys.rows[i].key == key)
            return a->keys.rows[i].cmd;
    }
    if (key == '\r')
        return tui_keys_lookup(a, '\n');
    return TUI_CMD_NONE;
}

const char *tui_keys_name_of(const tui_app *a, int view, int cmd, char *buf, size_t len)
{
    const tui_keymap *maps[2] = {view >= 0 ? &a->view_keys[view] : NULL, &a->keys};
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; maps[k] && i < maps[k]->n; i++) {
            if (maps[k]->rows[i].cmd == cmd)
                return ui_key_name(maps[k]->rows[i].key, buf, len);
        }
    }
    snprintf(buf, len, "%s", "");
    return buf;
}

void tui_keys_names(const tui_keymap *m, int cmd, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < m->n && used < len; i++) {
        if (m->rows[i].cmd != cmd)
            continue;
        char name[32];
        ui_key_name(m->rows[i].key, name, sizeof name);
        bool again = false; /* Enter and the keypad's Enter share a name */
        for (size_t j = 0; j < i && !again; j++) {
            char other[32];
            again = m->rows[j].cmd == cmd &&
                    strcmp(ui_key_name(m->rows[j].key, other, sizeof other), name) == 0;
        }
        if (again)
            continue;
        int w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", name);
        used += w > 0 ? (size_t)w : 0;
    }
}
