/* ctl_dr: `orbitctl dr check|failover|failback|replace|abandon`: the DR
 * readiness checks and the guided runbooks without a UI, on the same
 * code as orbitop's (client_readiness.c, client_runbook.c). Each step is
 * a line (a JSON line with --json) when its state changes; a run
 * interrupted and started again resumes the runbook from the
 * deployment's record. */
#include "ctl_commands.h"

#include "client_readiness.h"
#include "client_runbook.h"
#include "orbit_time.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define DR_PAIRS_MAX 64

static int usage_error(const char *msg)
{
    fprintf(stderr, "orbitctl: %s (orbitctl --help)\n", msg);
    return CTL_EXIT_USAGE;
}

/* Connects to every pool of the deployment and waits until each is live
 * or has failed once: the checks and runbooks need every pool's state;
 * then opens the vault they read. */
static int connect_all(ctl *c, client_vault **vault)
{
    int rc = ctl_open(c, true, true);
    if (rc)
        return rc;
    orbit_status st;
    for (size_t i = 0; i < c->target->npools; i++) {
        if (!client_hub_add(c->hub, c->target->pools[i].url, &st))
            return ctl_fail(c, &st);
    }
    int64_t until = orbit_time_mono_ms() + (int64_t)(c->opt.timeout_s * 1000);
    for (;;) {
        size_t settled = 0, live = 0, n = client_hub_count(c->hub);
        for (size_t i = 0; i < n; i++) {
            client_conn *conn = client_hub_at(c->hub, i);
            bool up = client_conn_get_state(conn) == CLIENT_CONN_LIVE;
            live += up;
            settled += up || client_conn_attempts(conn) > 0;
        }
        /* The others may be down: the checks say so. */
        if ((settled == n || orbit_time_mono_ms() >= until) && live > 0)
            return ctl_vault(c, vault);
        if (orbit_time_mono_ms() >= until || settled == n) {
            orbit_status_set(&st, ORBIT_ERR_POOL_UNREACHABLE, "",
                             "no pool of the deployment answered within %.0f s", c->opt.timeout_s);
            return ctl_fail(c, &st);
        }
        client_hub_service(c->hub);
    }
}

/* ---- dr check ---- */

static void print_pair(const client_ready_pair *p)
{
    ctl_line(stdout, "pair %s / %s: %s", p->left, p->right[0] ? p->right : "(no backup)",
             p->ready ? "ready" : "NOT READY");
    for (int k = 0; k < CLIENT_READY_CHECK_COUNT; k++) {
        client_ready_verdict v = p->verdict[k];
        ctl_line(stdout, "  %-7s %-16s %s",
                 v == CLIENT_READY_OK     ? "ok"
                 : v == CLIENT_READY_FAIL ? "FAIL"
                                          : "UNKNOWN",
                 client_ready_check_name((client_ready_check)k),
                 client_ready_check_title((client_ready_check)k));
        for (size_t i = 0; i < p->nproblems; i++) {
            const client_ready_problem *pr = &p->problems[i];
            if ((int)pr->check != k)
                continue;
            ctl_line(stdout, "          %s", pr->what);
            ctl_line(stdout, "          fix: %s", pr->fix);
        }
    }
}

static int dr_check(ctl *c, int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return usage_error("dr check takes no arguments");
    client_vault *v = NULL;
    int rc = connect_all(c, &v);
    if (rc)
        return rc;
    client_ready_pair *pairs = calloc(DR_PAIRS_MAX, sizeof *pairs);
    if (!pairs)
        return CTL_EXIT_FAILED;
    size_t n = client_readiness_evaluate(c->hub, v, pairs, DR_PAIRS_MAX);
    if (n > DR_PAIRS_MAX)
        n = DR_PAIRS_MAX;
    bool ready = n > 0;
    for (size_t i = 0; i < n; i++)
        ready = ready && pairs[i].ready;
    if (c->opt.json) {
        json_t *j = client_readiness_json(pairs, n);
        ctl_print_json(j);
        json_decref(j);
    } else {
        for (size_t i = 0; i < n; i++)
            print_pair(&pairs[i]);
        ctl_line(stdout, "%s", ready ? "ready for disaster recovery" : "NOT READY");
    }
    free(pairs);
    return ready ? CTL_EXIT_OK : CTL_EXIT_NOT_READY;
}

/* ---- the runbooks ---- */

typedef struct {
    ctl *c;
    client_runbook *rb;
    const char *confirm; /* --confirm NAME, or NULL */
    bool asked;
    int64_t tick_ms;
} rb_run;

static void print_step(rb_run *r, size_t i)
{
    const dr_runbook *rec = client_runbook_record(r->rb);
    int64_t now = orbit_time_now_ms();
    if (r->c->opt.json) {
        json_t *j = client_runbook_step_json(r->rb, i, now);
        if (j) {
            json_object_set_new(j, "time_ms", json_integer(now));
            json_object_set_new(j, "index", json_integer((json_int_t)i + 1));
            json_object_set_new(j, "steps", json_integer((json_int_t)rec->nsteps));
        }
        char *text = j ? json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
        if (text)
            printf("%s\n", text);
        fflush(stdout);
        free(text);
        json_decref(j);
        return;
    }
    char line[DR_RUNBOOK_DETAIL_MAX + 200];
    client_runbook_step_line(r->rb, i, now, line, sizeof line);
    ctl_line(stdout, "%s %s %zu/%zu %s", dr_runbook_kind_name(rec->kind), rec->home, i + 1,
             rec->nsteps, line);
}

static void print_note(rb_run *r, const char *text)
{
    if (r->c->opt.json) {
        json_t *j = json_pack("{s:s, s:s, s:s}", "runbook",
                              dr_runbook_kind_name(client_runbook_record(r->rb)->kind), "home",
                              client_runbook_record(r->rb)->home, "note", text);
        char *t = j ? json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
        if (t)
            printf("%s\n", t);
        fflush(stdout);
        free(t);
        json_decref(j);
    } else {
        ctl_line(stdout, "  note: %s", text);
    }
}

static void on_step(void *ctx, client_runbook *rb, size_t i)
{
    rb_run *r = ctx;
    r->rb = rb;
    print_step(r, i);
    const dr_runbook_step *s = &client_runbook_record(rb)->steps[i];
    if (strcmp(s->name, "preflight") == 0 && s->state == DR_STEP_DONE) {
        const char *n;
        for (size_t k = 0; (n = client_runbook_note(rb, k)); k++)
            print_note(r, n);
    }
}

/* The typed confirmation: --confirm NAME, else typed on the terminal. */
static void on_confirm(void *ctx, client_runbook *rb)
{
    rb_run *r = ctx;
    const char *home = client_runbook_record(rb)->home;
    bool dm = client_runbook_disaster_mode(rb);
    if (r->confirm) {
        bool same = strcasecmp(r->confirm, home) == 0;
        if (!same) {
            ctl_line(stderr, "orbitctl: --confirm names %s, not %s: nothing was changed",
                     r->confirm, home);
            r->asked = true;
        }
        client_runbook_confirm(rb, same, dm);
        return;
    }
    if (!isatty(STDIN_FILENO)) {
        ctl_line(stderr, "orbitctl: the runbook needs a typed confirmation: give --confirm %s",
                 home);
        r->asked = true;
        client_runbook_confirm(rb, false, dm);
        return;
    }
    fprintf(stderr, "Type %s to %s%s (anything else stops): ", home,
            dr_runbook_kind_name(client_runbook_record(rb)->kind), dm ? " in disaster_mode" : "");
    fflush(stderr);
    char line[ORBIT_FQDN_MAX + 8] = "";
    if (!fgets(line, sizeof line, stdin))
        line[0] = '\0';
    line[strcspn(line, "\r\n")] = '\0';
    client_runbook_confirm(rb, strcasecmp(line, home) == 0, dm);
}

static void on_tick(void *ctx, int64_t now)
{
    rb_run *r = ctx;
    if (r->rb)
        client_runbook_tick(r->rb, now);
}

/* Runs a runbook to its end and maps the outcome to an exit code. */
static int run_runbook(ctl *c, const client_runbook_params *p, const char *confirm)
{
    client_vault *v = NULL;
    int rc = connect_all(c, &v);
    if (rc)
        return rc;
    rb_run r = {.c = c, .confirm = confirm};
    client_runbook_env env = {.hub = c->hub,
                              .rest = c->rest,
                              .vault = v,
                              .target = c->target,
                              .token = c->token,
                              .who = c->who};
    client_runbook_hooks hooks = {.on_step = on_step, .confirm = on_confirm};
    orbit_status st;
    r.rb = client_runbook_start(&env, p, &hooks, &r, &st);
    if (!r.rb)
        return ctl_fail(c, &st);
    if (!client_hub_every(c->hub, 100, on_tick, &r)) {
        client_runbook_free(r.rb);
        return CTL_EXIT_FAILED;
    }
    client_runbook_tick(r.rb, orbit_time_now_ms());
    while (client_runbook_busy(r.rb))
        client_hub_service(c->hub);
    client_runbook_outcome o = client_runbook_get_outcome(r.rb);
    const char *msg = client_runbook_message(r.rb);
    if (c->opt.json) {
        json_t *j =
            json_pack("{s:s, s:s, s:s, s:s}", "runbook", dr_runbook_kind_name(p->kind), "home",
                      p->home, "outcome", client_runbook_outcome_name(o), "message", msg);
        char *t = j ? json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
        if (t)
            printf("%s\n", t);
        free(t);
        json_decref(j);
    } else {
        ctl_line(o == CLIENT_RB_DONE ? stdout : stderr, "%s %s: %s: %s",
                 dr_runbook_kind_name(p->kind), p->home, client_runbook_outcome_name(o), msg);
        if (o == CLIENT_RB_FAILED)
            ctl_line(stderr, "orbitctl: fix that, then run the same command again: the runbook "
                             "resumes where it stopped");
    }
    client_runbook_free(r.rb);
    r.rb = NULL;
    switch (o) {
    case CLIENT_RB_DONE:
        return CTL_EXIT_OK;
    case CLIENT_RB_CANCELLED:
        return r.asked ? CTL_EXIT_USAGE : CTL_EXIT_FAILED;
    default:
        return CTL_EXIT_REFUSED;
    }
}

/* Options every runbook takes; the rest are the kind's. */
static int runbook_command(ctl *c, int argc, char **argv, dr_runbook_kind kind)
{
    static const struct option opts[] = {
        {"disaster-mode", no_argument, NULL, 'd'},  {"confirm", required_argument, NULL, 'c'},
        {"rto", required_argument, NULL, 'r'},      {"take-over", no_argument, NULL, 't'},
        {"site", required_argument, NULL, 's'},     {"url", required_argument, NULL, 'u'},
        {"wait-new", required_argument, NULL, 'w'}, {NULL, 0, NULL, 0}};
    static const char *const USAGE[DR_RUNBOOK_KIND_COUNT] = {
        [DR_RUNBOOK_FAILOVER] = "dr failover HOME_POOL [--disaster-mode] [--confirm HOME_POOL] "
                                "[--rto S] [--take-over]",
        [DR_RUNBOOK_FAILBACK] = "dr failback HOME_POOL [--confirm HOME_POOL] [--rto S] "
                                "[--take-over]",
        [DR_RUNBOOK_REPLACE] = "dr replace OLD_POOL NEW_POOL --site SITE --url URL "
                               "[--confirm OLD_POOL] [--wait-new S] [--take-over]",
    };
    client_runbook_params p;
    memset(&p, 0, sizeof p);
    p.kind = kind;
    const char *confirm = NULL;
    char *end;
    int o;
    optind = 0;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        long n;
        switch (o) {
        case 'd':
            if (kind != DR_RUNBOOK_FAILOVER)
                return usage_error(USAGE[kind]);
            p.disaster_mode = true;
            break;
        case 'c':
            confirm = optarg;
            break;
        case 'r':
            n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 86400)
                return usage_error("--rto takes seconds (1 to 86400)");
            p.rto_s = (int)n;
            break;
        case 't':
            p.take_over = true;
            break;
        case 's':
        case 'u':
        case 'w':
            if (kind != DR_RUNBOOK_REPLACE)
                return usage_error(USAGE[kind]);
            if (o == 's')
                snprintf(p.new_site, sizeof p.new_site, "%s", optarg);
            else if (o == 'u')
                snprintf(p.new_url, sizeof p.new_url, "%s", optarg);
            else if ((n = strtol(optarg, &end, 10)) < 1 || *end)
                return usage_error("--wait-new takes seconds");
            else
                p.new_pool_wait_s = (int)n;
            break;
        default:
            return usage_error(USAGE[kind]);
        }
    }
    int want = kind == DR_RUNBOOK_REPLACE ? 2 : 1;
    if (argc - optind != want || (kind == DR_RUNBOOK_REPLACE && (!p.new_site[0] || !p.new_url[0])))
        return usage_error(USAGE[kind]);
    snprintf(p.home, sizeof p.home, "%s", argv[optind]);
    if (kind == DR_RUNBOOK_REPLACE) {
        snprintf(p.new_fqdn, sizeof p.new_fqdn, "%s", argv[optind + 1]);
        /* The vault names a deployment by its pools: the backups to
         * restore are those of the deployment without the new pool. */
        snprintf(c->vault_exclude, sizeof c->vault_exclude, "%s", p.new_fqdn);
        orbit_fqdn_lower(c->vault_exclude);
    }
    return run_runbook(c, &p, confirm);
}

static int dr_failover(ctl *c, int argc, char **argv)
{
    return runbook_command(c, argc, argv, DR_RUNBOOK_FAILOVER);
}

static int dr_failback(ctl *c, int argc, char **argv)
{
    return runbook_command(c, argc, argv, DR_RUNBOOK_FAILBACK);
}

static int dr_replace(ctl *c, int argc, char **argv)
{
    return runbook_command(c, argc, argv, DR_RUNBOOK_REPLACE);
}

static int dr_abandon(ctl *c, int argc, char **argv)
{
    static const struct option opts[] = {{"reason", required_argument, NULL, 'r'},
                                         {NULL, 0, NULL, 0}};
    const char *reason = "";
    int o;
    optind = 0;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o != 'r')
            return usage_error("dr abandon HOME_POOL [--reason TEXT]");
        reason = optarg;
    }
    if (argc - optind != 1)
        return usage_error("dr abandon HOME_POOL [--reason TEXT]");
    int rc = ctl_open(c, false, false);
    if (!rc)
        rc = ctl_connect(c);
    json_t *data = NULL;
    if (!rc)
        rc = ctl_cmd(c, c->conn, "runbook.abandon",
                     json_pack("{s:s, s:s}", "home", argv[optind], "reason", reason), &data);
    if (rc)
        return rc;
    if (c->opt.json)
        ctl_print_json(data);
    else
        ctl_line(stdout, "the %s runbook of %s is %s (held by %s)",
                 json_string_value(json_object_get(data, "kind")), argv[optind],
                 json_string_value(json_object_get(data, "state")),
                 json_string_value(json_object_get(data, "holder")));
    json_decref(data);
    return CTL_EXIT_OK;
}

int ctl_cmd_dr(ctl *c, int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(ctl *c, int argc, char **argv);
    } subs[] = {{"check", dr_check},
                {"failover", dr_failover},
                {"failback", dr_failback},
                {"replace", dr_replace},
                {"abandon", dr_abandon}};
    for (size_t i = 0; argc >= 2 && i < sizeof subs / sizeof subs[0]; i++) {
        if (strcmp(argv[1], subs[i].name) == 0)
            return subs[i].run(c, argc - 1, argv + 1);
    }
    return usage_error("dr check|failover|failback|replace|abandon");
}
