/* mirror_probe: a test client on the client library. It keeps a mirror
 * of one pool and, for each line on stdin, answers on stdout:
 *   dump  -> {"live", "epoch", "rev", "snapshots", "replays", "events", "state"}
 *   quit  -> exits
 * Integration tests compare its mirror with GET /v1/state. */
#include "client_hub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    client_hub *hub;
    client_conn *conn;
    char line[256];
    size_t len;
    bool quit;
} probe;

static void dump(probe *p)
{
    json_t *out = json_pack(
        "{s:b, s:b, s:s, s:I, s:I, s:I, s:I, s:o}", "live",
        client_conn_get_state(p->conn) == CLIENT_CONN_LIVE, "stale", client_conn_stale(p->conn),
        "epoch", client_conn_epoch(p->conn), "rev", (json_int_t)client_conn_rev(p->conn),
        "snapshots", (json_int_t)client_conn_snapshots(p->conn), "replays",
        (json_int_t)client_conn_replays(p->conn), "events", (json_int_t)client_conn_events(p->conn),
        "state", client_mirror_to_json(client_conn_mirror(p->conn)));
    char *text = out ? json_dumps(out, JSON_COMPACT) : NULL;
    printf("%s\n", text ? text : "{}");
    fflush(stdout);
    free(text);
    json_decref(out);
}

static void on_stdin(void *ctx)
{
    probe *p = ctx;
    char buf[256];
    ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    if (n <= 0) {
        p->quit = true;
        return;
    }
    for (ssize_t i = 0; i < n; i++) {
        if (buf[i] != '\n') {
            if (p->len < sizeof p->line - 1)
                p->line[p->len++] = buf[i];
            continue;
        }
        p->line[p->len] = '\0';
        if (strcmp(p->line, "dump") == 0)
            dump(p);
        else if (strcmp(p->line, "quit") == 0)
            p->quit = true;
        p->len = 0;
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: mirror_probe URL TOKEN [CA]\n");
        return 2;
    }
    probe p = {0};
    client_options o = {.token = argv[2],
                        .client_name = "mirror-probe",
                        .ca_file = argc > 3 ? argv[3] : NULL,
                        .plaintext_only = strncmp(argv[1], "wss://", 6) != 0,
                        .subscribe = true,
                        .backoff_base_ms = 100,
                        .backoff_cap_ms = 1000};
    orbit_status st;
    p.hub = client_hub_new(&o, NULL, NULL, &st);
    if (!p.hub || !(p.conn = client_hub_add(p.hub, argv[1], &st)) ||
        !client_hub_watch_fd(p.hub, STDIN_FILENO, on_stdin, &p)) {
        fprintf(stderr, "mirror_probe: %s\n", st.message);
        client_hub_free(p.hub);
        return 1;
    }
    while (!p.quit)
        client_hub_service(p.hub);
    client_hub_free(p.hub);
    return 0;
}
