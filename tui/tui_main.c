/* orbitop: the operations console for Call Park and Group Call Pickup.
 * One libwebsockets loop serves the pools' connections, REST transfers,
 * the keyboard (stdin adopted into the loop) and a frame timer; the
 * screen is redrawn at most ten times a second and only changed cells go
 * to the terminal. */
#include "client_depfile.h"
#include "client_view.h"
#include "orbit_json.h"
#include "orbit_time.h"
#include "tui_app.h"
#include "tui_keys.h"

#include <ctype.h>
#include <curl/curl.h>
#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define FRAME_MS 100

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
    static const char reset[] = "\033[0m\033[?25h\033[?1049l\r\n";
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

void tui_status(tui_app *a, bool error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->status, sizeof a->status, fmt, ap);
    va_end(ap);
    a->status_error = error;
    a->status_ms = orbit_time_now_ms();
    a->screen_dirty = true;
}

/* ---- network hooks ---- */

/* The vault of this deployment, opened once a pool has listed the
 * deployment's pools (they name it). */
static client_vault *deployment_vault(tui_app *a)
{
    const client_mirror *m = client_view_mirror(a->hub);
    if (a->vault || !m)
        return a->vault;
    client_vault_pool pools[64];
    size_t n = 0;
    for (size_t i = 0; i < client_mirror_pool_count(m) && n < 64; i++) {
        const pool_info *p = client_mirror_pool_at(m, i);
        pools[n++] = (client_vault_pool){p->fqdn, p->url};
    }
    char id[CLIENT_VAULT_NAME_MAX + 1];
    client_vault_deployment_id(pools, n, id);
    orbit_status st;
    if (client_vault_open(a->vault_dir[0] ? a->vault_dir : NULL, id, &a->vault, &st) != ORBIT_OK)
        tui_status(a, true, "backup vault unavailable: %s", st.message);
    return a->vault;
}

static void backup_settings(tui_app *a, client_conn *c)
{
    if (!deployment_vault(a))
        return;
    const client_mirror *m = client_conn_mirror(c);
    orbit_status st;
    /* Settings are lost with a pool: keep every version seen. */
    if (client_vault_store_settings(a->vault, client_conn_fqdn(c), client_mirror_config(m),
                                    "observed by orbitop", &st) != ORBIT_OK)
        tui_status(a, true, "could not back up %s's settings: %s", client_conn_fqdn(c), st.message);
}

static void on_conn(void *ctx, client_conn *c)
{
    tui_app *a = ctx;
    (void)c;
    a->data_dirty = a->screen_dirty = true;
}

static void on_snapshot(void *ctx, client_conn *c)
{
    tui_app *a = ctx;
    backup_settings(a, c);
    a->data_dirty = a->screen_dirty = true;
}

static void on_event(void *ctx, client_conn *c, const char *kind, const json_t *data,
                     unsigned changed)
{
    tui_app *a = ctx;
    tui_model_note_event(a, c, kind, data);
    if (changed & CLIENT_CHANGED_CONFIG)
        backup_settings(a, c);
    a->data_dirty = a->screen_dirty = true;
}

/* ---- audit ---- */

static void on_audit(void *ctx, long status, const char *body, size_t len, const orbit_status *err)
{
    tui_app *a = ctx;
    a->audit_pending = false;
    a->audit_fetched_ms = orbit_time_now_ms();
    if (err) {
        snprintf(a->audit_error, sizeof a->audit_error, "%s", err->message);
        return;
    }
    json_t *doc = json_loadb(body ? body : "", len, 0, NULL);
    if (status == 403) {
        snprintf(a->audit_error, sizeof a->audit_error, "the audit log needs an operator token");
    } else if (status != 200 || !json_is_array(json_object_get(doc, "entries"))) {
        snprintf(a->audit_error, sizeof a->audit_error, "GET /v1/audit answered %ld", status);
    } else {
        json_decref(a->audit);
        a->audit = json_incref(json_object_get(doc, "entries"));
        a->audit_error[0] = '\0';
    }
    json_decref(doc);
    a->data_dirty = a->screen_dirty = true;
}

void tui_fetch_audit(tui_app *a)
{
    client_conn *c = tui_conn(a, a->selected);
    if (a->audit_pending || !c)
        return;
    char url[400], http[300];
    client_conn_http_base(c, http, sizeof http);
    snprintf(url, sizeof url, "%s/v1/audit?limit=1000", http);
    orbit_status st;
    if (client_rest_get(a->rest, url, a->token, on_audit, a, &st))
        a->audit_pending = true;
    else
        snprintf(a->audit_error, sizeof a->audit_error, "%s", st.message);
}

/* ---- keys ---- */

static ui_table *current_table(tui_app *a)
{
    switch (a->view) {
    case VIEW_ORBITS:
        return a->orbits_table;
    case VIEW_PARKED:
        return a->parked_table;
    case VIEW_QUEUES:
        return a->queues_table;
    case VIEW_EVENTS:
        return a->show_audit ? a->audit_table : a->events_table;
    default:
        return NULL;
    }
}

static void cycle_pool(tui_app *a, int dir, char *target, size_t len, bool allow_all)
{
    const client_mirror *m = tui_any_mirror(a);
    size_t n = m ? client_mirror_pool_count(m) : 0;
    if (!n)
        return;
    long at = allow_all ? -1 : 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(client_mirror_pool_at(m, i)->fqdn, target) == 0)
            at = (long)i;
    }
    long span = (long)n + (allow_all ? 1 : 0);
    long next = ((at + (allow_all ? 1 : 0)) + dir + span) % span - (allow_all ? 1 : 0);
    if (next < 0)
        target[0] = '\0';
    else
        snprintf(target, len, "%s", client_mirror_pool_at(m, (size_t)next)->fqdn);
}

static void filter_key(tui_app *a, int key)
{
    ui_table *t = current_table(a);
    size_t n = strlen(a->filter);
    if (key == 27) {
        a->filter[0] = '\0';
        a->filtering = false;
    } else if (key == '\n' || key == '\r' || key == KEY_ENTER) {
        a->filtering = false;
    } else if (key == KEY_BACKSPACE || key == 127 || key == 8) {
        if (n)
            a->filter[n - 1] = '\0';
    } else if (key >= 32 && key < 127 && n + 1 < sizeof a->filter) {
        a->filter[n] = (char)key;
        a->filter[n + 1] = '\0';
    }
    if (t)
        ui_table_set_filter(t, a->filter);
    a->data_dirty = true;
}

static void handle_key(tui_app *a, int key)
{
    a->screen_dirty = true;
    if (key == KEY_RESIZE) {
        a->repaint = true;
        return;
    }
    if (key == TUI_KEY_REPAINT) {
        a->repaint = true;
        return;
    }
    switch (a->modal) {
    case MODAL_HELP:
        if (key == 27 || key == '?' || key == 'q')
            a->modal = MODAL_NONE;
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
    if (a->filtering) {
        filter_key(a, key);
        return;
    }
    ui_table *t = current_table(a);
    if (key >= '1' && key <= '0' + VIEW_COUNT) {
        a->view = (tui_view)(key - '1');
    } else if (key == '\t') {
        a->view = (tui_view)((a->view + 1) % VIEW_COUNT);
    } else if (key == KEY_BTAB) {
        a->view = (tui_view)((a->view + VIEW_COUNT - 1) % VIEW_COUNT);
    } else if (key == 'q' || key == 'Q') {
        a->quit = true;
    } else if (key == '?' || key == KEY_F(1)) {
        a->modal = MODAL_HELP;
    } else if (key == 27) {
        if (t && ui_table_filter(t)[0]) {
            a->filter[0] = '\0';
            ui_table_set_filter(t, "");
            a->data_dirty = true;
        }
    } else if (key == '/' && t) {
        a->filtering = true;
        snprintf(a->filter, sizeof a->filter, "%s", ui_table_filter(t));
    } else if (key == TUI_KEY_FAILOVER) {
        tui_action_start(a, ACTION_FAILOVER);
    } else if (key == TUI_KEY_FAILBACK) {
        tui_action_start(a, ACTION_FAILBACK);
    } else if (key == TUI_KEY_REASSIGN) {
        tui_action_start(a, ACTION_REASSIGN);
    } else if (key == TUI_KEY_SETTINGS) {
        tui_action_start(a, ACTION_SETTINGS);
    } else if (key == TUI_KEY_MOH) {
        tui_action_start(a, ACTION_MOH);
    } else if (a->view == VIEW_OVERVIEW &&
               (key == KEY_UP || key == KEY_DOWN || key == KEY_LEFT || key == KEY_RIGHT)) {
        tui_overview_move(a, key);
    } else if (a->view == VIEW_OVERVIEW && (key == '\n' || key == '\r' || key == KEY_ENTER)) {
        a->view = VIEW_POOL;
    } else if (a->view == VIEW_POOL && (key == '[' || key == ']')) {
        cycle_pool(a, key == ']' ? 1 : -1, a->selected, sizeof a->selected, false);
    } else if (a->view == VIEW_ORBITS && key == 'p') {
        cycle_pool(a, 1, a->orbit_pool_filter, sizeof a->orbit_pool_filter, true);
        a->data_dirty = true;
    } else if (a->view == VIEW_ORBITS && key == 't') {
        a->orbit_type_filter = a->orbit_type_filter == -1 ? ORBIT_TYPE_CALLPARK
                               : a->orbit_type_filter == ORBIT_TYPE_CALLPARK
                                   ? ORBIT_TYPE_GROUPPICKUP
                                   : -1;
        a->data_dirty = true;
    } else if (a->view == VIEW_EVENTS && key == 'a') {
        a->show_audit = !a->show_audit;
        if (a->show_audit)
            tui_fetch_audit(a);
    } else if (t && ui_table_key(t, key)) {
        if (key == 's' || key == 'S')
            a->data_dirty = true;
    }
}

static void read_keys(tui_app *a)
{
    int key;
    while ((key = getch()) != ERR)
        handle_key(a, key);
}

static void on_stdin(void *ctx)
{
    read_keys(ctx);
}

static void on_frame(void *ctx, int64_t now)
{
    tui_app *a = ctx;
    /* KEY_RESIZE arrives through getch even when stdin was quiet. */
    read_keys(a);
    if (g_quit)
        a->quit = true;
    /* Ages, countdowns and the clock move every second. */
    if (now / 1000 != a->last_frame_ms / 1000)
        a->screen_dirty = true;
    if (a->view == VIEW_EVENTS && a->show_audit && now - a->audit_fetched_ms > 5000)
        tui_fetch_audit(a);
    if (a->status[0] && !a->status_error && now - a->status_ms > 15000) {
        a->status[0] = '\0';
        a->screen_dirty = true;
    }
    if (a->data_dirty) {
        tui_model_rebuild(a);
        a->data_dirty = false;
        a->screen_dirty = true;
    }
    if (a->screen_dirty) {
        tui_draw(a);
        a->screen_dirty = false;
    }
    a->last_frame_ms = now;
}

/* ---- options ---- */

static void usage(FILE *out)
{
    fprintf(out,
            "usage: orbitop [options] URL...\n"
            "       orbitop [options] --deployment DIR/deployment.json\n"
            "  URL                  a pool's stream URL (ws:// or wss://); every pool it lists\n"
            "                       is connected too\n"
            "  --deployment FILE    an orbit-demo deployment.json\n"
            "  --token-file FILE    the token (else ORBIT_TOKEN, the config file, or the\n"
            "                       deployment's operator token)\n"
            "  --read-only          watch only: no actions\n"
            "  --theme NAME         default, light, monochrome, high-contrast, or a file\n"
            "  --no-color           no colours (also NO_COLOR)\n"
            "  --ascii              ASCII drawing (automatic outside UTF-8 locales)\n"
            "  --ca FILE            CA certificate for wss:// pools\n"
            "  --vault DIR          backup vault (default $XDG_DATA_HOME/orbit/backup)\n"
            "  -h, --help           this text;  -V, --version\n"
            "Config: $XDG_CONFIG_HOME/orbit/orbitop.conf (url, deployment, token_file,\n"
            "theme, ca, vault, read_only, ascii, no_color). Keys: ? in the console.\n");
}

typedef struct {
    char urls[16][512];
    int nurls;
    char deployment[1024];
    char token_file[1024];
} tui_sources;

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static bool truthy(const char *v)
{
    return strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0;
}

static int read_config(tui_app *a, tui_sources *src)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    char path[1200];
    if (xdg && *xdg)
        snprintf(path, sizeof path, "%s/orbit/orbitop.conf", xdg);
    else if (home && *home)
        snprintf(path, sizeof path, "%s/.config/orbit/orbitop.conf", home);
    else
        return 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[1400];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *s = trim(line);
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            fprintf(stderr, "orbitop: %s:%d: expected key = value\n", path, lineno);
            rc = 2;
            break;
        }
        *eq = '\0';
        char *k = trim(s), *v = trim(eq + 1);
        if (strcmp(k, "url") == 0 && src->nurls < 16)
            snprintf(src->urls[src->nurls++], sizeof src->urls[0], "%s", v);
        else if (strcmp(k, "deployment") == 0)
            snprintf(src->deployment, sizeof src->deployment, "%s", v);
        else if (strcmp(k, "token_file") == 0)
            snprintf(src->token_file, sizeof src->token_file, "%s", v);
        else if (strcmp(k, "theme") == 0)
            snprintf(a->theme_name, sizeof a->theme_name, "%s", v);
        else if (strcmp(k, "ca") == 0)
            snprintf(a->ca, sizeof a->ca, "%s", v);
        else if (strcmp(k, "vault") == 0)
            snprintf(a->vault_dir, sizeof a->vault_dir, "%s", v);
        else if (strcmp(k, "read_only") == 0)
            a->read_only = truthy(v);
        else if (strcmp(k, "ascii") == 0)
            a->ascii = truthy(v);
        else if (strcmp(k, "no_color") == 0)
            a->no_color = truthy(v);
        else {
            fprintf(stderr, "orbitop: %s:%d: unknown setting '%s'\n", path, lineno, k);
            rc = 2;
            break;
        }
    }
    fclose(f);
    return rc;
}

static int parse_args(tui_app *a, tui_sources *src, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0) {
            usage(stdout);
            return -1;
        } else if (strcmp(s, "-V") == 0 || strcmp(s, "--version") == 0) {
            printf("orbitop %s\n", ORBIT_VERSION);
            return -1;
        } else if (strcmp(s, "--read-only") == 0) {
            a->read_only = true;
        } else if (strcmp(s, "--no-color") == 0 || strcmp(s, "--no-colour") == 0) {
            a->no_color = true;
        } else if (strcmp(s, "--ascii") == 0) {
            a->ascii = true;
        } else if (v && strcmp(s, "--theme") == 0) {
            snprintf(a->theme_name, sizeof a->theme_name, "%s", v);
            i++;
        } else if (v && strcmp(s, "--deployment") == 0) {
            snprintf(src->deployment, sizeof src->deployment, "%s", v);
            i++;
        } else if (v && strcmp(s, "--token-file") == 0) {
            snprintf(src->token_file, sizeof src->token_file, "%s", v);
            i++;
        } else if (v && strcmp(s, "--ca") == 0) {
            snprintf(a->ca, sizeof a->ca, "%s", v);
            i++;
        } else if (v && strcmp(s, "--vault") == 0) {
            snprintf(a->vault_dir, sizeof a->vault_dir, "%s", v);
            i++;
        } else if (strcmp(s, "--token") == 0) {
            fprintf(stderr, "orbitop: tokens are not taken from the command line; use "
                            "ORBIT_TOKEN or --token-file\n");
            return 2;
        } else if (s[0] == '-') {
            fprintf(stderr, "orbitop: unknown option %s\n", s);
            usage(stderr);
            return 2;
        } else if (src->nurls < 16) {
            snprintf(src->urls[src->nurls++], sizeof src->urls[0], "%s", s);
        }
    }
    return 0;
}

static int resolve(tui_app *a, tui_sources *src)
{
    client_depfile dep;
    memset(&dep, 0, sizeof dep);
    orbit_status st;
    if (src->deployment[0]) {
        if (client_depfile_load(src->deployment, &dep, &st) != ORBIT_OK) {
            fprintf(stderr, "orbitop: %s\n", st.message);
            return 2;
        }
        for (size_t i = 0; i < dep.npools && src->nurls < 16; i++)
            snprintf(src->urls[src->nurls++], sizeof src->urls[0], "%s", dep.pools[i].url);
        if (!a->ca[0] && dep.ca[0])
            snprintf(a->ca, sizeof a->ca, "%s", dep.ca);
    }
    const char *env = getenv("ORBIT_TOKEN");
    if (src->token_file[0]) {
        FILE *f = fopen(src->token_file, "r");
        if (!f || !fgets(a->token, sizeof a->token, f)) {
            fprintf(stderr, "orbitop: token file %s: %s\n", src->token_file,
                    f ? "empty" : strerror(errno));
            if (f)
                fclose(f);
            client_depfile_free(&dep);
            return 2;
        }
        fclose(f);
        a->token[strcspn(a->token, "\r\n")] = '\0';
    } else if (env && *env) {
        snprintf(a->token, sizeof a->token, "%s", env);
    } else if (dep.operator_token[0]) {
        snprintf(a->token, sizeof a->token, "%s", dep.operator_token);
    }
    client_depfile_free(&dep);
    if (!src->nurls) {
        fprintf(stderr, "orbitop: give a pool's URL or --deployment FILE\n");
        usage(stderr);
        return 2;
    }
    if (!a->token[0]) {
        fprintf(stderr, "orbitop: no token: set ORBIT_TOKEN or give --token-file FILE\n");
        return 2;
    }
    return 0;
}

/* ---- main ---- */

static bool make_tables(tui_app *a)
{
    static const ui_column orbit_cols[] = {
        {"IDENTITY", 14, 3, UI_LEFT}, {"RANGE", 13, 1, UI_LEFT},   {"TYPE", 11, 0, UI_LEFT},
        {"OWNER", 14, 3, UI_LEFT},    {"IN USE", 11, 0, UI_RIGHT}, {"UTILISATION", 15, 1, UI_LEFT},
    };
    static const ui_column parked_cols[] = {
        {"ORBIT", 9, 0, UI_LEFT},   {"POOL", 12, 2, UI_LEFT},   {"PARKER", 14, 3, UI_LEFT},
        {"PARKEE", 10, 2, UI_LEFT}, {"PARKED", 7, 0, UI_RIGHT}, {"RING-BACK", 11, 0, UI_RIGHT},
        {"TRY", 3, 0, UI_RIGHT},    {"STATE", 12, 1, UI_LEFT},
    };
    static const ui_column queue_cols[] = {
        {"GROUP", 9, 0, UI_LEFT},   {"POOL", 14, 2, UI_LEFT},    {"CALLER", 14, 2, UI_LEFT},
        {"CALLEE", 16, 3, UI_LEFT}, {"RINGING", 8, 0, UI_RIGHT}, {"PICKUP", 9, 0, UI_LEFT},
    };
    static const ui_column event_cols[] = {
        {"TIME", 8, 0, UI_LEFT},
        {"POOL", 14, 2, UI_LEFT},
        {"KIND", 18, 1, UI_LEFT},
        {"WHAT", 30, 6, UI_LEFT},
    };
    static const ui_column audit_cols[] = {
        {"TIME", 19, 0, UI_LEFT},   {"WHO", 12, 1, UI_LEFT},       {"OP", 14, 1, UI_LEFT},
        {"RESULT", 10, 0, UI_LEFT}, {"ARGUMENTS", 20, 5, UI_LEFT},
    };
    a->orbits_table = ui_table_new(orbit_cols, 6, 0);
    a->parked_table = ui_table_new(parked_cols, 8, 5);
    a->queues_table = ui_table_new(queue_cols, 6, 0);
    a->events_table = ui_table_new(event_cols, 4, 0);
    a->audit_table = ui_table_new(audit_cols, 5, 0);
    a->events = calloc(TUI_EVENT_LOG, sizeof *a->events);
    return a->orbits_table && a->parked_table && a->queues_table && a->events_table &&
           a->audit_table && a->events;
}

static void free_app(tui_app *a)
{
    client_rest_free(a->rest);
    client_hub_free(a->hub);
    client_vault_close(a->vault);
    ui_table_free(a->orbits_table);
    ui_table_free(a->parked_table);
    ui_table_free(a->queues_table);
    ui_table_free(a->events_table);
    ui_table_free(a->audit_table);
    ui_filepick_free(a->picker);
    free(a->orbit_rows);
    free(a->parked_rows);
    free(a->queue_rows);
    free(a->events);
    free(a->rates);
    json_decref(a->audit);
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    tui_app *a = calloc(1, sizeof *a);
    tui_sources *src = calloc(1, sizeof *src);
    if (!a || !src) {
        fprintf(stderr, "orbitop: out of memory\n");
        free(a);
        free(src);
        return 1;
    }
    snprintf(a->theme_name, sizeof a->theme_name, "default");
    a->orbit_type_filter = -1;
    int rc = read_config(a, src);
    if (!rc)
        rc = parse_args(a, src, argc, argv);
    if (!rc)
        rc = resolve(a, src);
    if (rc) {
        free(src);
        free(a);
        return rc < 0 ? 0 : rc;
    }
    const char *no_color = getenv("NO_COLOR");
    if (no_color && *no_color)
        a->no_color = true;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    client_hooks hooks = {
        .on_conn = on_conn, .on_snapshot = on_snapshot, .on_event = on_event, .on_added = on_conn};
    client_options o = {.token = a->token,
                        .client_name = "orbitop/" ORBIT_VERSION,
                        .ca_file = a->ca[0] ? a->ca : NULL,
                        .discover = true,
                        .subscribe = true};
    orbit_status st;
    if (!make_tables(a) || !(a->hub = client_hub_new(&o, &hooks, a, &st)) ||
        !(a->rest = client_rest_new(a->hub, o.ca_file, &st))) {
        fprintf(stderr, "orbitop: cannot start: %s\n", st.message);
        free_app(a);
        free(a);
        free(src);
        return 1;
    }
    for (int i = 0; i < src->nurls; i++) {
        if (!client_hub_add(a->hub, src->urls[i], &st)) {
            fprintf(stderr, "orbitop: %s\n", st.message);
            free_app(a);
            free(a);
            free(src);
            return 2;
        }
    }
    free(src);

    if (tcgetattr(STDIN_FILENO, &g_tty) == 0)
        g_tty_saved = true;
    if (!install_signals()) {
        fprintf(stderr, "orbitop: cannot install signal handlers: %s\n", strerror(errno));
        free_app(a);
        free(a);
        return 1;
    }
    if (!initscr()) {
        fprintf(stderr, "orbitop: cannot initialise the terminal (TERM=%s)\n",
                getenv("TERM") ? getenv("TERM") : "");
        free_app(a);
        free(a);
        return 1;
    }
    cbreak();
    noecho();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    curs_set(0);
    set_escdelay(25);
    ui_glyphs_init(&a->glyphs, !a->ascii && ui_glyphs_locale_is_utf8());
    char theme_err[300];
    ui_theme_load(&a->theme, a->theme_name, !a->no_color, theme_err, sizeof theme_err);
    if (theme_err[0])
        tui_status(a, true, "%s", theme_err);
    else
        tui_status(a, false, "connecting to %zu pool(s); ? for help", client_hub_count(a->hub));
    if (!client_hub_watch_fd(a->hub, STDIN_FILENO, on_stdin, a) ||
        !client_hub_every(a->hub, FRAME_MS, on_frame, a)) {
        endwin();
        fprintf(stderr, "orbitop: cannot watch the terminal\n");
        free_app(a);
        free(a);
        return 1;
    }
    a->data_dirty = a->screen_dirty = true;
    while (!a->quit && !g_quit)
        client_hub_service(a->hub);
    endwin();
    free_app(a);
    free(a);
    curl_global_cleanup();
    return 0;
}
