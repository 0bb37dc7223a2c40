/* tui_cmdbar: the : command bar, the / filter and the sort prompt. */
#include "tui_cmdbar.h"

#include "tui_actions.h"
#include "tui_input.h"
#include "tui_keys.h"
#include "tui_model.h"
#include "tui_view.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef enum { ARG_NONE = 0, ARG_POOL, ARG_TEXT, ARG_COLUMN } arg_kind;

typedef struct {
    const char *word;
    const char *syntax;
    const char *what;
    arg_kind arg;
    int action; /* a tui_action, or -1 */
} bar_command;

static const bar_command COMMANDS[] = {
    {"overview", ":overview, :orbits [POOL|all], :parked, :queues, :pool NAME, :events",
     "go to a view (its words; the argument as the view takes it)", ARG_NONE, -1},
    {"failover", ":failover POOL", "fail a pool's users over to its backup (asks to confirm)",
     ARG_POOL, ACTION_FAILOVER},
    {"failback", ":failback POOL", "fail a pool's users back (asks to confirm)", ARG_POOL,
     ACTION_FAILBACK},
    {"reassign", ":reassign [POOL]", "move a pool's ranges, or redirect its pickup ranges",
     ARG_POOL, ACTION_REASSIGN},
    {"guided-failover", ":guided-failover POOL",
     "the failover runbook: preflight, confirmation, failover, redirect, test call", ARG_POOL,
     ACTION_RB_FAILOVER},
    {"guided-failback", ":guided-failback POOL", "the failback runbook", ARG_POOL,
     ACTION_RB_FAILBACK},
    {"replace", ":replace POOL", "replace a lost pool by a new one under a new FQDN", ARG_POOL,
     ACTION_RB_REPLACE},
    {"abandon", ":abandon POOL", "abandon the runbook holding a pool's pair", ARG_POOL,
     ACTION_RB_ABANDON},
    {"settings", ":settings [POOL]", "edit a pool's Call Park settings", ARG_POOL, ACTION_SETTINGS},
    {"moh", ":moh [POOL]", "upload music on hold to a pool", ARG_POOL, ACTION_MOH},
    {"filter", ":filter [TEXT]", "filter the table (no text: show every row), as / does", ARG_TEXT,
     -1},
    {"sort", ":sort COLUMN [asc|desc]", "sort the table by a column (its title or its key)",
     ARG_COLUMN, -1},
    {"select", ":select POOL", "select a pool for the actions", ARG_POOL, -1},
    {"help", ":help, :quit, :repaint, :follow, :audit...",
     "any command by its name in the help's brackets runs as its key does", ARG_NONE, -1},
};

#define NCOMMANDS (sizeof COMMANDS / sizeof COMMANDS[0])

size_t tui_cmdbar_count(void)
{
    return NCOMMANDS;
}

void tui_cmdbar_describe(size_t i, const char **syntax, const char **what)
{
    *syntax = i < NCOMMANDS ? COMMANDS[i].syntax : "";
    *what = i < NCOMMANDS ? COMMANDS[i].what : "";
}

/* ---- the prompt ---- */

void tui_cmdbar_open(tui_app *a, tui_prompt_kind kind)
{
    tui_prompt *p = &a->prompt;
    ui_table *t = tui_view_table(a);
    p->kind = kind;
    p->hint[0] = '\0';
    p->recall = p->nhistory;
    if (kind == PROMPT_FILTER && t)
        snprintf(p->text, sizeof p->text, "%s", ui_table_filter(t));
    else
        p->text[0] = '\0';
    a->scr.screen_dirty = true;
}

static void close_prompt(tui_app *a)
{
    a->prompt.kind = PROMPT_NONE;
    a->prompt.hint[0] = '\0';
    a->scr.screen_dirty = true;
}

void tui_cmdbar_line(const tui_app *a, char *out, size_t len)
{
    const tui_prompt *p = &a->prompt;
    if (p->kind == PROMPT_SORT) {
        ui_table *t = tui_view_table(a);
        size_t used = (size_t)snprintf(out, len, "sort by (Esc: leave it):");
        for (int c = 0; t && c < ui_table_columns(t) && used < len; c++) {
            const ui_column *col = ui_table_column(t, c);
            int n = snprintf(out + used, len - used, "  %c %s", col->sort_key, col->title);
            used += n > 0 ? (size_t)n : 0;
        }
        return;
    }
    snprintf(out, len, "%s%s_%s%s", p->kind == PROMPT_FILTER ? "filter: " : ":", p->text,
             p->hint[0] ? "   " : "", p->hint);
}

/* ---- running commands ---- */

static bool refuse(tui_app *a, const char *fmt, const char *arg)
{
    char why[400];
    snprintf(why, sizeof why, fmt, arg);
    tui_status(a, true, "%s", why);
    return false;
}

static bool sort_command(tui_app *a, const char *arg)
{
    ui_table *t = tui_view_table(a);
    if (!t)
        return refuse(a, "%s: this view has no table to sort", "sort");
    char name[64] = "", dir[16] = "";
    sscanf(arg, "%63s %15s", name, dir);
    for (int c = 0; c < ui_table_columns(t); c++) {
        const ui_column *col = ui_table_column(t, c);
        bool hit = strcasecmp(col->title, name) == 0 ||
                   (strlen(name) == 1 && tolower((unsigned char)name[0]) == col->sort_key) ||
                   (name[0] && strncasecmp(col->title, name, strlen(name)) == 0);
        if (!hit)
            continue;
        ui_table_sort_by(t, c, false);
        if ((strcmp(dir, "desc") == 0) != ui_table_sort_descending(t) && dir[0])
            ui_table_sort_reverse(t);
        a->scr.data_dirty = a->scr.screen_dirty = true;
        return true;
    }
    return refuse(a, "sort: no column %s here", name);
}

/* A command of the current view or a global one, by its name: run as
 * its key would be. */
static bool named_command(tui_app *a, const char *word)
{
    const tui_keymap *maps[2] = {&a->view_keys[a->scr.view], &a->keys};
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < maps[k]->n; i++) {
            if (strcmp(maps[k]->rows[i].name, word) == 0 &&
                maps[k]->rows[i].cmd != TUI_CMD_COMMAND) {
                tui_input_command(a, maps[k]->rows[i].cmd, maps[k]->rows[i].key);
                return true;
            }
        }
    }
    return false;
}

bool tui_cmdbar_run(tui_app *a, const char *line)
{
    char word[64] = "";
    while (isspace((unsigned char)*line) || *line == ':')
        line++;
    size_t wl = strcspn(line, " \t");
    snprintf(word, sizeof word, "%.*s", (int)(wl < sizeof word ? wl : sizeof word - 1), line);
    char arg_buf[256];
    const char *from = line + wl;
    while (isspace((unsigned char)*from))
        from++;
    snprintf(arg_buf, sizeof arg_buf, "%s", from);
    for (size_t n = strlen(arg_buf); n && isspace((unsigned char)arg_buf[n - 1]); n--)
        arg_buf[n - 1] = '\0'; /* completion leaves a blank after a word */
    const char *arg = arg_buf;
    char why[300];
    if (!word[0])
        return true;
    if (strcmp(word, "q") == 0 || strcmp(word, "quit") == 0) {
        a->scr.quit = true;
        return true;
    }
    int view = tui_view_find(word);
    if (view >= 0) {
        const tui_view_def *v = TUI_VIEWS[view];
        if (arg[0] && !v->arg)
            return refuse(a, ":%s takes no argument", word);
        if (arg[0] && !v->arg(a, a->view_state[view], arg, why, sizeof why))
            return refuse(a, "%s", why);
        tui_view_show(a, view);
        return true;
    }
    for (size_t i = 0; i < NCOMMANDS; i++) {
        const bar_command *c = &COMMANDS[i];
        if (strcmp(word, c->word) != 0 ||
            (c->action < 0 && c->arg != ARG_POOL && c->arg != ARG_TEXT && c->arg != ARG_COLUMN))
            continue;
        if (c->arg == ARG_POOL && arg[0]) {
            const pool_info *p = tui_model_pool_named(a, arg, why, sizeof why);
            if (!p)
                return refuse(a, "%s", why);
            tui_model_select(a, p->fqdn);
        } else if (c->arg == ARG_POOL && c->action < 0) {
            return refuse(a, ":%s needs a pool", word);
        }
        if (c->action >= 0) {
            tui_action_start(a, (tui_action)c->action, arg[0] != '\0');
            return true;
        }
        if (c->arg == ARG_TEXT) {
            ui_table *t = tui_view_table(a);
            if (!t)
                return refuse(a, "%s: this view has no table to filter", word);
            ui_table_set_filter(t, arg);
            a->scr.data_dirty = a->scr.screen_dirty = true;
            return true;
        }
        if (c->arg == ARG_COLUMN)
            return sort_command(a, arg);
        return true; /* select */
    }
    if (!arg[0] && named_command(a, word))
        return true;
    return refuse(a, "no command %s (? lists them; Tab completes)", word);
}

/* ---- completion ---- */

typedef struct {
    const char *items[256];
    size_t n;
} candidates;

static void offer(candidates *c, const char *item, const char *prefix)
{
    if (c->n < 256 && strncmp(item, prefix, strlen(prefix)) == 0) {
        for (size_t i = 0; i < c->n; i++) {
            if (strcmp(c->items[i], item) == 0)
                return;
        }
        c->items[c->n++] = item;
    }
}

/* Completes the word being typed as far as the candidates agree, and
 * lists them when they do not. */
static void complete(tui_app *a)
{
    tui_prompt *p = &a->prompt;
    char *space = strchr(p->text, ' ');
    candidates c = {.n = 0};
    const char *prefix;
    if (!space) {
        prefix = p->text;
        for (size_t v = 0; v < TUI_VIEW_COUNT; v++)
            offer(&c, TUI_VIEWS[v]->word, prefix);
        for (size_t i = 1; i < NCOMMANDS - 1; i++)
            offer(&c, COMMANDS[i].word, prefix);
        const tui_keymap *maps[2] = {&a->view_keys[a->scr.view], &a->keys};
        for (int k = 0; k < 2; k++)
            for (size_t i = 0; i < maps[k]->n; i++)
                offer(&c, maps[k]->rows[i].name, prefix);
    } else {
        prefix = space + 1;
        char word[64];
        snprintf(word, sizeof word, "%.*s", (int)(space - p->text), p->text);
        bool pools = strcmp(word, "pool") == 0 || strcmp(word, "orbits") == 0;
        for (size_t i = 0; i < NCOMMANDS; i++)
            pools = pools || (strcmp(word, COMMANDS[i].word) == 0 && COMMANDS[i].arg == ARG_POOL);
        const client_mirror *m = tui_model_mirror(a);
        for (size_t i = 0; pools && m && i < client_mirror_pool_count(m); i++)
            offer(&c, client_mirror_pool_at(m, i)->fqdn, prefix);
        ui_table *t = tui_view_table(a);
        for (int i = 0; strcmp(word, "sort") == 0 && t && i < ui_table_columns(t); i++)
            offer(&c, ui_table_column(t, i)->title, prefix);
    }
    p->hint[0] = '\0';
    if (!c.n) {
        snprintf(p->hint, sizeof p->hint, "(nothing starts with %s)", prefix);
        return;
    }
    size_t common = strlen(c.items[0]);
    for (size_t i = 1; i < c.n; i++) {
        size_t k = 0;
        while (k < common && c.items[0][k] == c.items[i][k])
            k++;
        common = k;
    }
    size_t at = (size_t)(prefix - p->text);
    if (at + common + 2 < sizeof p->text) {
        memcpy(p->text + at, c.items[0], common);
        p->text[at + common] = '\0';
        if (c.n == 1)
            strcat(p->text, " ");
    }
    for (size_t i = 0; c.n > 1 && i < c.n; i++) {
        size_t used = strlen(p->hint);
        snprintf(p->hint + used, sizeof p->hint - used, "%s%s", i ? " " : "", c.items[i]);
    }
}

/* ---- keys ---- */

static void edit(tui_prompt *p, int key)
{
    size_t n = strlen(p->text);
    if (key == KEY_BACKSPACE || key == 127 || key == 8) {
        if (n)
            p->text[n - 1] = '\0';
    } else if (key == 21) { /* Ctrl-U */
        p->text[0] = '\0';
    } else if (key >= 32 && key < 127 && n + 1 < sizeof p->text) {
        p->text[n] = (char)key;
        p->text[n + 1] = '\0';
    }
}

static void command_key(tui_app *a, int key)
{
    tui_prompt *p = &a->prompt;
    if (key == 27) {
        close_prompt(a);
    } else if (key == '\n' || key == '\r' || key == KEY_ENTER) {
        char line[256];
        snprintf(line, sizeof line, "%s", p->text);
        if (line[0] && (!p->nhistory || strcmp(p->history[p->nhistory - 1], line) != 0)) {
            if (p->nhistory == 16) {
                memmove(p->history, p->history + 1, 15 * sizeof p->history[0]);
                p->nhistory--;
            }
            snprintf(p->history[p->nhistory++], sizeof p->history[0], "%s", line);
        }
        close_prompt(a);
        tui_cmdbar_run(a, line);
    } else if (key == '\t') {
        complete(a);
    } else if (key == KEY_UP || key == KEY_DOWN) {
        p->recall += key == KEY_UP ? -1 : 1;
        if (p->recall < 0)
            p->recall = 0;
        if (p->recall >= p->nhistory) {
            p->recall = p->nhistory;
            p->text[0] = '\0';
        } else {
            snprintf(p->text, sizeof p->text, "%s", p->history[p->recall]);
        }
    } else {
        edit(p, key);
        p->hint[0] = '\0';
    }
}

static void filter_key(tui_app *a, int key)
{
    ui_table *t = tui_view_table(a);
    if (key == 27) {
        a->prompt.text[0] = '\0';
        close_prompt(a);
    } else if (key == '\n' || key == '\r' || key == KEY_ENTER) {
        close_prompt(a);
    } else {
        edit(&a->prompt, key);
    }
    if (t)
        ui_table_set_filter(t, a->prompt.text);
    a->scr.data_dirty = true;
}

static void sort_key(tui_app *a, int key)
{
    ui_table *t = tui_view_table(a);
    close_prompt(a);
    if (key == 27 || !t)
        return;
    if (ui_table_sort_by_key(t, key)) {
        a->scr.data_dirty = true;
        return;
    }
    char name[32];
    tui_status(a, true, "sort: no column has the key %s here", ui_key_name(key, name, sizeof name));
}

void tui_cmdbar_key(tui_app *a, int key)
{
    switch (a->prompt.kind) {
    case PROMPT_COMMAND:
        command_key(a, key);
        break;
    case PROMPT_FILTER:
        filter_key(a, key);
        break;
    case PROMPT_SORT:
        sort_key(a, key);
        break;
    default:
        break;
    }
    a->scr.screen_dirty = true;
}
