/* tui_input: keys, escape sequences, the mouse, and the one dispatch. */
#include "tui_input.h"

#include "tui_actions.h"
#include "tui_cmdbar.h"
#include "tui_help.h"
#include "tui_keys.h"
#include "tui_model.h"
#include "tui_views.h"

#include "orbit_time.h"

#include <curses.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#define DOUBLE_CLICK_MS 400
#define WHEEL_ROWS      3

/* Sequences some terminals send for keys their TERM's description names
 * differently: PuTTY's Home and End (ESC[1~, ESC[4~) under
 * TERM=xterm-256color, rxvt's (ESC[7~, ESC[8~), and xterm's own in
 * either cursor mode. */
static const struct {
    const char *seq;
    int key;
} EXTRA_KEYS[] = {
    {"\033[1~", KEY_HOME},  {"\033[4~", KEY_END},   {"\033[7~", KEY_HOME}, {"\033[8~", KEY_END},
    {"\033[H", KEY_HOME},   {"\033[F", KEY_END},    {"\033OH", KEY_HOME},  {"\033OF", KEY_END},
    {"\033[5~", KEY_PPAGE}, {"\033[6~", KEY_NPAGE}, {"\033[2~", KEY_IC},   {"\033[3~", KEY_DC},
    {"\033[Z", KEY_BTAB},
};

void tui_input_setup(tui_app *a)
{
    /* Over what the description says: xterm's names ESC[1~ and ESC[4~
     * Find and Select, which PuTTY users press as Home and End. */
    for (size_t i = 0; i < sizeof EXTRA_KEYS / sizeof EXTRA_KEYS[0]; i++)
        define_key(EXTRA_KEYS[i].seq, EXTRA_KEYS[i].key);
    if (!a->opt.no_mouse) {
        /* Presses only (no motion reports): clicks cost a few bytes. */
        mouseinterval(0);
        mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
    }
}

/* ---- the mouse ---- */

static void on_mouse(tui_app *a, tui_click *last)
{
    MEVENT ev;
    if (getmouse(&ev) != OK)
        return;
    a->scr.screen_dirty = a->scr.urgent = true;
    if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
        int dir = (ev.bstate & BUTTON4_PRESSED) ? -1 : 1;
        if (a->scr.modal == MODAL_HELP) {
            a->scr.help_top += dir * WHEEL_ROWS;
            if (a->scr.help_top < 0)
                a->scr.help_top = 0;
            return;
        }
        /* The wheel moves the selection, and the rows follow it. */
        for (int i = 0; a->scr.modal == MODAL_NONE && i < WHEEL_ROWS; i++)
            tui_input_command(a, dir < 0 ? TUI_CMD_UP : TUI_CMD_DOWN, 0);
        return;
    }
    if (!(ev.bstate & BUTTON1_PRESSED))
        return;
    int64_t now = orbit_time_mono_ms();
    bool twice = now - last->ms < DOUBLE_CLICK_MS && last->y == ev.y && last->x == ev.x;
    *last = (tui_click){twice ? 0 : now, ev.y, ev.x};
    if (a->scr.modal == MODAL_DIALOG) {
        tui_action_dialog_click(a, ev.y, ev.x);
        return;
    }
    if (a->scr.modal != MODAL_NONE || a->prompt.kind != PROMPT_NONE)
        return;
    int tab = tui_views_tab_at(a, ev.y, ev.x);
    if (tab >= 0) {
        tui_view_show(a, tab);
        return;
    }
    const tui_view_def *v = tui_view_current(a);
    if (v->click)
        v->click(a, tui_view_state(a), ev.y, ev.x, twice);
}

/* ---- dispatch ---- */

void tui_input_command(tui_app *a, int cmd, int key)
{
    a->scr.screen_dirty = true;
    ui_table *t = tui_view_table(a);
    switch (cmd) {
    case TUI_CMD_HELP:
        tui_help_open(a);
        return;
    case TUI_CMD_QUIT:
        a->scr.quit = true;
        return;
    case TUI_CMD_REPAINT:
        a->scr.repaint = true;
        return;
    case TUI_CMD_COMMAND:
        tui_cmdbar_open(a, PROMPT_COMMAND);
        return;
    case TUI_CMD_FILTER:
        if (t)
            tui_cmdbar_open(a, PROMPT_FILTER);
        return;
    case TUI_CMD_SORT_BY:
        if (t)
            tui_cmdbar_open(a, PROMPT_SORT);
        return;
    case TUI_CMD_BACK:
        if (t && ui_table_filter(t)[0]) {
            ui_table_set_filter(t, "");
            a->scr.data_dirty = true;
        }
        return;
    case TUI_CMD_VIEW_NEXT:
    case TUI_CMD_VIEW_PREV: {
        int n = (int)TUI_VIEW_COUNT;
        tui_view_show(a, (a->scr.view + (cmd == TUI_CMD_VIEW_NEXT ? 1 : n - 1)) % n);
        return;
    }
    case TUI_CMD_FAILOVER:
        tui_action_start(a, ACTION_FAILOVER, false);
        return;
    case TUI_CMD_FAILBACK:
        tui_action_start(a, ACTION_FAILBACK, false);
        return;
    case TUI_CMD_REASSIGN:
        tui_action_start(a, ACTION_REASSIGN, false);
        return;
    case TUI_CMD_SETTINGS:
        tui_action_start(a, ACTION_SETTINGS, false);
        return;
    case TUI_CMD_MOH:
        tui_action_start(a, ACTION_MOH, false);
        return;
    case TUI_CMD_RB_FAILOVER:
        tui_action_start(a, ACTION_RB_FAILOVER, false);
        return;
    case TUI_CMD_RB_FAILBACK:
        tui_action_start(a, ACTION_RB_FAILBACK, false);
        return;
    case TUI_CMD_RB_REPLACE:
        tui_action_start(a, ACTION_RB_REPLACE, false);
        return;
    case TUI_CMD_RB_ABANDON:
        tui_action_start(a, ACTION_RB_ABANDON, false);
        return;
    default:
        break;
    }
    if (cmd >= TUI_CMD_VIEW_FIRST && cmd < TUI_CMD_VIEW_FIRST + (int)TUI_VIEW_COUNT) {
        tui_view_show(a, cmd - TUI_CMD_VIEW_FIRST);
        return;
    }
    const tui_view_def *v = tui_view_current(a);
    if (cmd != TUI_CMD_NONE && v->key)
        v->key(a, tui_view_state(a), cmd, key);
}

void tui_input_key(tui_app *a, int key)
{
    a->scr.screen_dirty = a->scr.urgent = true;
    if (key == KEY_RESIZE) {
        a->scr.repaint = true;
        return;
    }
    int cmd = tui_keys_lookup(a, key);
    if (cmd == TUI_CMD_REPAINT) {
        a->scr.repaint = true;
        return;
    }
    switch (a->scr.modal) {
    case MODAL_HELP:
        tui_help_key(a, key);
        return;
    case MODAL_DIALOG:
        tui_action_dialog_key(a, key);
        return;
    case MODAL_PICK:
        tui_action_pick_key(a, key);
        return;
    case MODAL_UPLOAD:
        tui_action_upload_key(a, key);
        return;
    default:
        break;
    }
    if (a->prompt.kind != PROMPT_NONE) {
        tui_cmdbar_key(a, key);
        return;
    }
    tui_input_command(a, cmd, key);
}

/* ---- reading ---- */

/* The rest of an escape sequence curses did not recognise: CSI and SS3
 * sequences are read to their final byte and mapped when they name a
 * key, dropped otherwise. Returns the key, ERR for nothing. */
static int finish_escape(int second)
{
    char seq[32] = {27, (char)second};
    size_t n = 2;
    int c;
    if (second == 'O') {
        c = getch();
        if (c == ERR)
            return ERR;
        seq[n++] = (char)c;
    } else {
        /* CSI: parameters and intermediates, then a final byte @..~. */
        while ((c = getch()) != ERR) {
            if (n < sizeof seq - 1)
                seq[n++] = (char)c;
            if (c >= 0x40 && c <= 0x7e)
                break;
        }
    }
    seq[n] = '\0';
    for (size_t i = 0; i < sizeof EXTRA_KEYS / sizeof EXTRA_KEYS[0]; i++) {
        if (strcmp(seq, EXTRA_KEYS[i].seq) == 0)
            return EXTRA_KEYS[i].key;
    }
    return ERR; /* a sequence for nothing we use: it is not Esc and keys */
}

/* True when stdin has ended: it polls readable but a read gets nothing.
 * A byte that did arrive meanwhile is handed back to curses. */
static bool input_ended(void)
{
    struct pollfd p = {STDIN_FILENO, POLLIN, 0};
    if (poll(&p, 1, 0) <= 0)
        return false;
    if (p.revents & (POLLHUP | POLLERR | POLLNVAL) && !(p.revents & POLLIN))
        return true;
    unsigned char c;
    ssize_t got = read(STDIN_FILENO, &c, 1);
    if (got == 1) {
        ungetch(c);
        return false;
    }
    return got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR && errno != EWOULDBLOCK);
}

bool tui_input_read(tui_app *a, bool told_readable)
{
    int key, got = 0;
    while ((key = getch()) != ERR) {
        got++;
        if (key == 27) {
            int next = getch();
            if (next == '[' || next == 'O') {
                key = finish_escape(next);
                if (key == ERR)
                    continue;
            } else if (next != ERR) {
                ungetch(next); /* Esc, then a key of its own */
            }
        }
        if (key == KEY_FIND || key == KEY_SELECT) /* the same keys, named by a VT220 */
            key = key == KEY_FIND ? KEY_HOME : KEY_END;
        if (key == KEY_MOUSE) {
            on_mouse(a, &a->scr.last_click);
            continue;
        }
        tui_input_key(a, key);
    }
    return got || !told_readable || !input_ended();
}
