/* orbitop: the operations console for Call Park and Group Call Pickup.
 * One libwebsockets loop serves the pools' connections, REST transfers,
 * the keyboard (stdin adopted into the loop) and a frame timer; the
 * screen is redrawn at most ten times a second and only changed cells go
 * to the terminal. main owns the signal flags and the terminal's saved
 * modes, which the signal handlers restore. */
#include "orbit_time.h"
#include "tui_actions.h"
#include "tui_app.h"
#include "tui_input.h"
#include "tui_keys.h"
#include "tui_model.h"
#include "tui_options.h"
#include "tui_runbook.h"
#include "tui_views.h"

#include <curl/curl.h>
#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

#define FRAME_MS       100
#define DATA_FRAME_MS  500 /* what only the pools changed is drawn this often */
#define STATUS_FADE_MS 15000

/* What signal handlers touch; main owns it. */
static volatile sig_atomic_t g_quit;
static struct termios g_tty;
static bool g_tty_saved;

static void on_quit_signal(int sig)
{
    (void)sig;
    g_quit = 1;
}

/* A crash must not leave the operator's terminal raw and invisible:
 * restore it with async-signal-safe calls, then die as the signal says. */
static void on_crash_signal(int sig)
{
    static const char reset[] = "\033[0m\033[?25h\033[?1000l\033[?1006l\033[?1049l\r\n";
    if (g_tty_saved)
        tcsetattr(STDIN_FILENO, TCSANOW, &g_tty);
    ssize_t ignored = write(STDOUT_FILENO, reset, sizeof reset - 1);
    (void)ignored;
    signal(sig, SIG_DFL);
    raise(sig);
}

static bool install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_quit_signal;
    int quit[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof quit / sizeof quit[0]; i++)
        if (sigaction(quit[i], &sa, NULL) != 0)
            return false;
    sa.sa_handler = on_crash_signal;
    int crash[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
    for (size_t i = 0; i < sizeof crash / sizeof crash[0]; i++)
        if (sigaction(crash[i], &sa, NULL) != 0)
            return false;
    return signal(SIGPIPE, SIG_IGN) != SIG_ERR;
}

/* A terminal that cannot address the cursor (TERM=dumb, unset, unknown)
 * would show a blank screen: say so instead. */
static bool terminal_usable(char *why, size_t whylen)
{
    const char *term = getenv("TERM");
    int err = 0;
    if (!term || !*term) {
        snprintf(why, whylen,
                 "TERM is not set; set it to your terminal's type (xterm-256color, "
                 "screen, vt100...)");
        return false;
    }
    if (setupterm(NULL, STDOUT_FILENO, &err) != OK) {
        snprintf(why, whylen,
                 "TERM=%s is not a terminal this system knows; set TERM to your "
                 "terminal's type (xterm-256color, screen, vt100...)",
                 term);
        return false;
    }
    const char *cup = tigetstr("cup");
    bool ok = cup && cup != (char *)-1;
    del_curterm(cur_term);
    if (!ok)
        snprintf(why, whylen,
                 "TERM=%s cannot move the cursor, which a full-screen console "
                 "needs; set TERM to your terminal's type (xterm-256color, screen, "
                 "vt100...) or use orbitctl",
                 term);
    return ok;
}

/* ---- network hooks ---- */

/* Settings are lost with a pool: keep every version seen, unless this
 * console only watches (it never writes to the vault). */
static void backup_settings(tui_app *a, client_conn *c)
{
    if (tui_read_only(a))
        return;
    client_vault *v = tui_model_vault(a);
    const client_mirror *m = client_conn_mirror(c);
    orbit_status st;
    if (v && client_vault_store_settings(v, client_conn_fqdn(c), client_mirror_config(m),
                                         "observed by orbitop", &st) != ORBIT_OK)
        tui_status(a, true, "could not back up %s's settings: %s", client_conn_fqdn(c), st.message);
}

/* A link that comes up or goes, and a pool's whole state arriving, are
 * drawn at once, not with the events' half-second batch: they are rare,
 * and the first complete screen waits for them. */
static void on_conn(void *ctx, client_conn *c)
{
    tui_app *a = ctx;
    (void)c;
    a->scr.data_dirty = a->scr.screen_dirty = a->scr.urgent = true;
}

static void on_snapshot(void *ctx, client_conn *c)
{
    tui_app *a = ctx;
    backup_settings(a, c);
    a->scr.data_dirty = a->scr.screen_dirty = a->scr.urgent = true;
}

static void on_event(void *ctx, client_conn *c, const char *kind, const json_t *data,
                     unsigned changed)
{
    tui_app *a = ctx;
    tui_model_note_event(a, c, kind, data);
    tui_model_announce(a, kind, data);
    if (changed & CLIENT_CHANGED_CONFIG)
        backup_settings(a, c);
    a->scr.data_dirty = a->scr.screen_dirty = true;
}

static void on_refused(void *ctx, const char *fqdn, const char *url, const char *why)
{
    tui_app *a = ctx;
    tui_status(a, true, "not connecting to %s at %s: %s (its token would go there)", fqdn, url,
               why);
}

/* ---- the loop ---- */

static void end_of_input(tui_app *a)
{
    a->scr.quit = true;
    a->scr.input_ended = true;
}

static void on_stdin(void *ctx)
{
    tui_app *a = ctx;
    if (!tui_input_read(a, true))
        end_of_input(a);
}

static void render(tui_app *a, int64_t now);

static void on_frame(void *ctx, int64_t now)
{
    tui_app *a = ctx;
    /* KEY_RESIZE arrives through getch even when stdin was quiet. */
    tui_input_read(a, false);
    if (g_quit)
        a->scr.quit = true;
    /* Ages, countdowns, histories and the clock move every second. */
    if (now / 1000 != a->scr.last_frame_ms / 1000) {
        tui_model_tick(a, now);
        a->scr.screen_dirty = true;
    }
    tui_runbook_tick(a, now);
    const tui_view_def *v = tui_view_current(a);
    if (v->tick)
        v->tick(a, tui_view_state(a), now);
    if (a->model.status[0] && !a->model.status_error && now - a->model.status_ms > STATUS_FADE_MS) {
        a->model.status[0] = '\0';
        a->scr.screen_dirty = true;
    }
    render(a, now);
    a->scr.last_frame_ms = now;
}

/* Rebuilds what changed and draws when it is time: at once for what the
 * operator did or must see now (urgent), else at most every
 * DATA_FRAME_MS. */
static void render(tui_app *a, int64_t now)
{
    if (a->scr.data_dirty) {
        a->scr.data_dirty = false;
        tui_views_rebuild(a);
        a->scr.screen_dirty = true;
    }
    /* Keys and clicks are answered at the next frame; changes that only
     * come from the pools wait up to half a second, which keeps a busy
     * deployment from costing an ssh link more than it must. */
    if (a->scr.screen_dirty &&
        (a->scr.urgent || a->scr.repaint || now - a->scr.last_draw_ms >= DATA_FRAME_MS)) {
        a->scr.screen_dirty = a->scr.urgent = false; /* a view may ask for one more frame */
        a->scr.last_draw_ms = now;
        tui_draw(a);
    }
}

static void free_app(tui_app *a)
{
    tui_actions_free(a); /* a runbook's commands first: they live on the hub */
    client_rest_free(a->net.rest);
    client_hub_free(a->net.hub);
    client_vault_close(a->net.vault);
    tui_views_free(a);
    tui_model_free(a);
    tui_keys_free(a);
    tui_options_free(a);
    free(a);
}

static int start_network(tui_app *a)
{
    client_hooks hooks = {.on_conn = on_conn,
                          .on_snapshot = on_snapshot,
                          .on_event = on_event,
                          .on_added = on_conn,
                          .on_refused = on_refused};
    const char *user = getenv("USER");
    char host[64] = "";
    char *name = a->net.client_name;
    gethostname(host, sizeof host - 1);
    /* The pool logs the client's name: say whose console this is (it also
     * names who holds a runbook, and tells this console's actions from
     * others' in the announcements). */
    snprintf(name, sizeof a->net.client_name, "orbitop/%s %.24s@%.24s", ORBIT_VERSION,
             user ? user : "operator", host);
    client_target *t = a->opt.target;
    client_options o = {.token = t->token,
                        .client_name = name,
                        .ca_file = t->ca[0] ? t->ca : NULL,
                        .plaintext_only = !t->tls,
                        .discover = true,
                        .allow_url = client_target_allow_hook,
                        .allow_ctx = t,
                        .subscribe = true};
    orbit_status st;
    if (!(a->net.hub = client_hub_new(&o, &hooks, a, &st)) ||
        !(a->net.rest = client_rest_new(a->net.hub, o.ca_file, &st))) {
        fprintf(stderr, "orbitop: cannot start: %s\n", st.message);
        return 1;
    }
    for (size_t i = 0; i < t->npools; i++) {
        if (!client_hub_add(a->net.hub, t->pools[i].url, &st)) {
            fprintf(stderr, "orbitop: %s\n", st.message);
            return 2;
        }
    }
    return 0;
}

static void start_screen(tui_app *a)
{
    cbreak();
    noecho();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    curs_set(0);
    /* Long enough for an escape sequence split over a slow ssh link. */
    set_escdelay(60);
    ui_glyphs_init(&a->scr.glyphs, !a->opt.ascii && ui_glyphs_locale_is_utf8());
    ui_theme_apply(&a->scr.theme, &a->opt.theme_spec, !a->opt.no_color);
    tui_input_setup(a);
    char key[16];
    tui_keys_name_of(a, -1, TUI_CMD_HELP, key, sizeof key);
    tui_status(a, false, "connecting to %zu pool(s); %s for help", client_hub_count(a->net.hub),
               key);
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    tui_app *a = calloc(1, sizeof *a);
    if (!a || !tui_model_init(a)) {
        fprintf(stderr, "orbitop: out of memory\n");
        free(a);
        return 1;
    }
    int rc = tui_options_load(a, argc, argv);
    char why[400];
    if (!rc && !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "orbitop: standard output is not a terminal\n");
        rc = 2;
    }
    if (!rc && !terminal_usable(why, sizeof why)) {
        fprintf(stderr, "orbitop: %s\n", why);
        rc = 2;
    }
    if (rc) {
        free_app(a);
        return rc < 0 ? 0 : rc;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if ((rc = start_network(a)) != 0 || !tui_views_init(a)) {
        if (!rc)
            fprintf(stderr, "orbitop: out of memory\n");
        free_app(a);
        curl_global_cleanup();
        return rc ? rc : 1;
    }
    if (tcgetattr(STDIN_FILENO, &g_tty) == 0)
        g_tty_saved = true;
    if (!install_signals()) {
        fprintf(stderr, "orbitop: cannot install signal handlers: %s\n", strerror(errno));
        free_app(a);
        curl_global_cleanup();
        return 1;
    }
    if (!initscr()) {
        fprintf(stderr, "orbitop: cannot initialise the terminal (TERM=%s)\n",
                getenv("TERM") ? getenv("TERM") : "");
        free_app(a);
        curl_global_cleanup();
        return 1;
    }
    start_screen(a);
    if (!client_hub_watch_fd(a->net.hub, STDIN_FILENO, on_stdin, a) ||
        !client_hub_every(a->net.hub, FRAME_MS, on_frame, a)) {
        endwin();
        fprintf(stderr, "orbitop: cannot watch the terminal\n");
        free_app(a);
        curl_global_cleanup();
        return 1;
    }
    a->scr.data_dirty = a->scr.screen_dirty = true;
    while (!a->scr.quit && !g_quit) {
        client_hub_service(a->net.hub);
        /* What cannot wait for the next frame (up to FRAME_MS away). */
        if (a->scr.urgent)
            render(a, orbit_time_now_ms());
    }
    endwin();
    rc = 0;
    if (a->scr.input_ended) {
        fprintf(stderr, "orbitop: the terminal's input has ended (stdin closed or at its end); "
                        "quitting\n");
        rc = 1;
    }
    free_app(a);
    curl_global_cleanup();
    return rc;
}
