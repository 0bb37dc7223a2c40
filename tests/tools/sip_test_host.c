/* sip_test_host: runs one SIP edge on the fake port so that sipp and the
 * Python tests can talk SIP and RTP to it before the pool kernel hosts
 * the edge. Prints "ready PORT" once listening; SIGUSR1 prints the
 * counters as one JSON line ("counters {...}"); SIGTERM or SIGINT stops.
 * Ops and events of the fake engine are printed as they happen. */
#include "sip_edge.h"
#include "sip_fake_port.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(void)
{
    fprintf(stderr, "usage: sip_test_host --config FILE [--bind IP] [--port N] [--digest]\n"
                    "       [--media-ports MIN-MAX] [--media-timeout MS] [--max-new N]\n"
                    "       [--max-dialogs N] [--max-message BYTES]\n       [--digest-offer "
                    "sha256,md5|md5,sha256|md5|sha256]\n");
}

static void print_counters(const sip_edge *edge)
{
    sip_edge_counters c;
    sip_edge_read_counters(edge, &c);
    json_t *j = json_pack(
        "{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
        "s:I,s:I,s:I}",
        "directories", (json_int_t)c.directories, "registrations", (json_int_t)c.registrations,
        "register_ok", (json_int_t)c.register_ok, "register_moved", (json_int_t)c.register_moved,
        "register_unknown", (json_int_t)c.register_unknown, "auth_challenges",
        (json_int_t)c.auth_challenges, "auth_failures", (json_int_t)c.auth_failures,
        "dialogs_early", (json_int_t)c.dialogs_early, "dialogs_confirmed",
        (json_int_t)c.dialogs_confirmed, "dialogs_total", (json_int_t)c.dialogs_total, "parks",
        (json_int_t)c.parks, "retrieves", (json_int_t)c.retrieves, "ringbacks",
        (json_int_t)c.ringbacks, "forwards", (json_int_t)c.forwards, "pickups",
        (json_int_t)c.pickups, "refused", (json_int_t)c.refused, "malformed",
        (json_int_t)c.malformed, "flood_dropped", (json_int_t)c.flood_dropped, "foreign_register",
        (json_int_t)c.foreign_register, "rtp_in", (json_int_t)c.rtp_in, "rtp_out",
        (json_int_t)c.rtp_out, "rtp_errors", (json_int_t)c.rtp_errors, "rtp_foreign",
        (json_int_t)c.rtp_foreign, "media_timeouts", (json_int_t)c.media_timeouts, "port_errors",
        (json_int_t)c.port_errors);
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    printf("counters %s\n", text ? text : "{}");
    fflush(stdout);
    free(text);
    json_decref(j);
}

int main(int argc, char **argv)
{
    sip_edge_config cfg;
    sip_edge_config_defaults(&cfg);
    const char *config_path = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--digest")) {
            cfg.digest = true;
            continue;
        }
        if (!v) {
            usage();
            return 2;
        }
        i++;
        if (!strcmp(a, "--config"))
            config_path = v;
        else if (!strcmp(a, "--bind"))
            cfg.bind_ip = v;
        else if (!strcmp(a, "--port"))
            cfg.sip_port = (uint16_t)atoi(v);
        else if (!strcmp(a, "--media-ports")) {
            unsigned lo, hi;
            if (sscanf(v, "%u-%u", &lo, &hi) != 2 || lo > 65535 || hi > 65535) {
                usage();
                return 2;
            }
            cfg.media_ports = (media_port_range){(uint16_t)lo, (uint16_t)hi};
        } else if (!strcmp(a, "--media-timeout"))
            cfg.media_timeout_ms = atoll(v);
        else if (!strcmp(a, "--max-new"))
            cfg.max_new_per_second = (unsigned)atoi(v);
        else if (!strcmp(a, "--digest-offer")) {
            if (!sip_digest_offer_from_name(v, &cfg.digest_offer)) {
                usage();
                return 2;
            }
        } else if (!strcmp(a, "--max-message"))
            cfg.max_message_bytes = (unsigned)atoi(v);
        else if (!strcmp(a, "--max-dialogs"))
            cfg.max_dialogs = (unsigned)atoi(v);
        else {
            usage();
            return 2;
        }
    }
    if (!config_path) {
        usage();
        return 2;
    }
    json_error_t jerr;
    json_t *config = json_load_file(config_path, 0, &jerr);
    if (!config) {
        fprintf(stderr, "sip_test_host: %s: %s\n", config_path, jerr.text);
        return 1;
    }
    /* Signals are taken synchronously by this thread only: block them
     * before the edge's and the engine's threads inherit the mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    orbit_log log = {.level = ORBIT_LOG_INFO, .program = "sip_test_host"};
    orbit_status st;
    sip_fake_port *fake = NULL;
    if (sip_fake_port_new(config, stdout, &fake, &st) != ORBIT_OK) {
        fprintf(stderr, "sip_test_host: %s\n", st.message);
        json_decref(config);
        return 1;
    }
    json_decref(config);
    sip_edge *edge = NULL;
    if (sip_edge_start(&cfg, sip_fake_port_port(fake), &log, &edge, &st) != ORBIT_OK) {
        fprintf(stderr, "sip_test_host: %s\n", st.message);
        sip_fake_port_free(fake);
        return 1;
    }
    /* Ready means serving: the edge answers 503 until it has a directory. */
    for (int i = 0; i < 500; i++) {
        sip_edge_counters c;
        sip_edge_read_counters(edge, &c);
        if (c.directories > 0)
            break;
        struct timespec ms = {0, 10 * 1000000L};
        nanosleep(&ms, NULL);
    }
    printf("ready %u\n", sip_edge_port(edge));
    fflush(stdout);
    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0)
            break;
        if (sig == SIGUSR1) {
            print_counters(edge);
            continue;
        }
        break;
    }
    print_counters(edge);
    sip_edge_stop(edge);
    sip_fake_port_free(fake);
    return 0;
}
