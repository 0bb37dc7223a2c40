/* tui_model: the merged deployment, the status line, the event log and
 * the per-pool histories. */
#include "tui_model.h"

#include "client_view.h"
#include "orbit_time.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool tui_model_init(tui_app *a)
{
    a->model.events = calloc(TUI_EVENT_LOG, sizeof *a->model.events);
    return a->model.events != NULL;
}

void tui_model_free(tui_app *a)
{
    free(a->model.events);
    free(a->model.history);
    a->model.events = NULL;
    a->model.history = NULL;
}

const client_mirror *tui_model_mirror(const tui_app *a)
{
    return a->net.hub ? client_view_mirror(a->net.hub) : NULL;
}

client_conn *tui_model_conn(const tui_app *a, const char *fqdn)
{
    return a->net.hub ? client_hub_find(a->net.hub, fqdn) : NULL;
}

const client_mirror *tui_model_own(const tui_app *a, const char *fqdn)
{
    client_conn *c = tui_model_conn(a, fqdn);
    const client_mirror *m = c ? client_conn_mirror(c) : NULL;
    return m && client_mirror_loaded(m) ? m : NULL;
}

bool tui_read_only(const tui_app *a)
{
    if (a->opt.read_only)
        return true;
    /* A viewer token makes the console a watch console. */
    bool any = false;
    for (size_t i = 0; a->net.hub && i < client_hub_count(a->net.hub); i++) {
        const char *role = client_conn_role(client_hub_at(a->net.hub, i));
        if (!role[0])
            continue;
        if (strcmp(role, "operator") == 0)
            return false;
        any = true;
    }
    return any;
}

void tui_status(tui_app *a, bool error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->model.status, sizeof a->model.status, fmt, ap);
    va_end(ap);
    a->model.status_error = error;
    a->model.status_ms = orbit_time_now_ms();
    a->scr.screen_dirty = a->scr.urgent = true;
}

void tui_model_select(tui_app *a, const char *fqdn)
{
    snprintf(a->model.selected, sizeof a->model.selected, "%s", fqdn ? fqdn : "");
    a->scr.screen_dirty = a->scr.data_dirty = true;
}

const pool_info *tui_model_pool_named(const tui_app *a, const char *name, char *why, size_t whylen)
{
    const client_mirror *m = tui_model_mirror(a);
    size_t n = m ? client_mirror_pool_count(m) : 0, len = strlen(name);
    /* The whole FQDN, else its first label, else the start of it: the
     * first way that names exactly one pool. */
    for (int way = 0; way < 3 && len; way++) {
        const pool_info *found = NULL;
        int matches = 0;
        for (size_t i = 0; i < n; i++) {
            const pool_info *p = client_mirror_pool_at(m, i);
            size_t label = strcspn(p->fqdn, ".");
            bool hit = way == 0   ? strcmp(p->fqdn, name) == 0
                       : way == 1 ? label == len && strncmp(p->fqdn, name, len) == 0
                                  : strncmp(p->fqdn, name, len) == 0;
            if (hit) {
                found = p;
                matches++;
            }
        }
        if (matches == 1)
            return found;
        if (matches > 1) {
            snprintf(why, whylen, "%s names %d pools; say which", name, matches);
            return NULL;
        }
    }
    snprintf(why, whylen, "no pool %s%s", name, n ? "" : " (no pool has answered yet)");
    return NULL;
}

void tui_model_pool_words(const tui_app *a, const pool_info *p, tui_pool_words *w)
{
    client_conn *c = tui_model_conn(a, p->fqdn);
    client_conn_state cs = c ? client_conn_get_state(c) : CLIENT_CONN_IDLE;
    w->heartbeat = p->status == POOL_STATUS_DOWN ? "DOWN" : pool_status_name(p->status);
    if (cs == CLIENT_CONN_LIVE)
        w->link = client_conn_stale(c) ? "stale" : "";
    else
        w->link = c && cs != CLIENT_CONN_IDLE ? "connecting" : "no link";
    w->old = w->link[0] != '\0';
    snprintf(w->text, sizeof w->text, "%s%s%s", w->heartbeat, w->old ? ", " : "", w->link);
    w->role = p->status == POOL_STATUS_DOWN           ? UI_ROLE_DOWN
              : strcmp(w->link, "stale") == 0         ? UI_ROLE_DIM
              : w->old || p->status != POOL_STATUS_UP ? UI_ROLE_WARN
                                                      : UI_ROLE_UP;
}

/* ---- event log and histories ---- */

static const char *text(const json_t *d, const char *key)
{
    const char *v = json_string_value(json_object_get(d, key));
    return v ? v : "";
}

static void summarise(const char *kind, const json_t *d, char *out, size_t len)
{
    if (strncmp(kind, "call.", 5) == 0) {
        if (strcmp(kind, "call.parked") == 0)
            snprintf(out, len, "%s parked on %s by %s", text(d, "call_id"), text(d, "orbit"),
                     text(d, "parker"));
        else if (strcmp(kind, "call.ringback") == 0)
            snprintf(out, len, "%s on %s rings %s back (attempt %lld)", text(d, "call_id"),
                     text(d, "orbit"), text(d, "parker"),
                     (long long)json_integer_value(json_object_get(d, "attempt")));
        else if (strcmp(kind, "call.disconnected") == 0)
            snprintf(out, len, "%s on %s disconnected (%s)", text(d, "call_id"), text(d, "orbit"),
                     text(d, "reason"));
        else if (strcmp(kind, "call.forwarded") == 0)
            snprintf(out, len, "%s on %s forwarded to %s", text(d, "call_id"), text(d, "orbit"),
                     text(d, "uri"));
        else
            snprintf(out, len, "%s on %s%s%s", text(d, "call_id"), text(d, "orbit"),
                     *text(d, "by") ? " by " : "", text(d, "by"));
    } else if (strncmp(kind, "pickup.", 7) == 0) {
        snprintf(out, len, "%s group %s%s%s%s%s", text(d, "call_id"), text(d, "group"),
                 *text(d, "callee") ? " for " : "", text(d, "callee"), *text(d, "by") ? " by " : "",
                 text(d, "by"));
    } else if (strncmp(kind, "orbit.", 6) == 0) {
        if (strcmp(kind, "orbit.reassigned") == 0)
            snprintf(out, len, "%lld range(s) %s -> %s, token %s",
                     (long long)json_integer_value(json_object_get(d, "moved")),
                     text(d, "from_pool"), text(d, "to_pool"), text(d, "who"));
        else
            snprintf(out, len, "'%s' %s..%s %s on %s, token %s", text(d, "identity"),
                     text(d, "start"), text(d, "end"), text(d, "type"), text(d, "pool"),
                     text(d, "who"));
    } else if (strcmp(kind, "dr.changed") == 0) {
        snprintf(out, len, "%s: %s -> %s, served by %s", text(d, "home"), text(d, "event"),
                 text(d, "phase"), text(d, "serving"));
    } else if (strcmp(kind, "pool.status") == 0) {
        snprintf(out, len, "%s is %s (heartbeat in the store)", text(d, "fqdn"), text(d, "status"));
    } else if (strcmp(kind, "config.changed") == 0) {
        snprintf(out, len, "timeout %llds, %s music, %lld attempt(s), forward to %s",
                 (long long)json_integer_value(json_object_get(d, "call_pickup_timeout_threshold")),
                 json_is_true(json_object_get(d, "enable_music_on_hold")) ? "with" : "no",
                 (long long)json_integer_value(json_object_get(d, "max_call_pickup_attempts")),
                 *text(d, "on_timeout_uri") ? text(d, "on_timeout_uri") : "nobody");
    } else if (strcmp(kind, "moh.changed") == 0) {
        snprintf(out, len, "%s (%lld bytes, %.12s)", text(d, "name"),
                 (long long)json_integer_value(json_object_get(d, "size")), text(d, "sha256"));
    } else {
        char *j = json_dumps(d, JSON_COMPACT);
        snprintf(out, len, "%s", j ? j : "");
        free(j);
    }
}

static void shift(uint32_t *v, int64_t by)
{
    if (by >= TUI_SPARK) {
        memset(v, 0, TUI_SPARK * sizeof *v);
    } else if (by > 0) {
        memmove(v, v + by, (size_t)(TUI_SPARK - by) * sizeof *v);
        memset(v + TUI_SPARK - by, 0, (size_t)by * sizeof *v);
    }
}

/* Moves a history to the current second: values of the seconds that
 * passed are zero (no events), or, for counts, the last one seen. */
static void advance(tui_history *h, int64_t now_ms)
{
    int64_t by = now_ms / 1000 - h->second;
    if (by <= 0)
        return;
    uint32_t parked = h->parked[TUI_SPARK - 1], queued = h->queued[TUI_SPARK - 1];
    shift(h->events, by);
    shift(h->parked, by);
    shift(h->queued, by);
    for (int64_t i = 0; i < by && i < TUI_SPARK; i++) {
        h->parked[TUI_SPARK - 1 - i] = parked;
        h->queued[TUI_SPARK - 1 - i] = queued;
    }
    h->second = now_ms / 1000;
}

tui_history *tui_model_history(tui_app *a, const char *fqdn)
{
    tui_model *m = &a->model;
    for (size_t i = 0; i < m->nhistory; i++) {
        if (strcmp(m->history[i].fqdn, fqdn) == 0)
            return &m->history[i];
    }
    tui_history *grown = realloc(m->history, (m->nhistory + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    m->history = grown;
    tui_history *h = &m->history[m->nhistory++];
    memset(h, 0, sizeof *h);
    snprintf(h->fqdn, sizeof h->fqdn, "%s", fqdn);
    h->second = orbit_time_now_ms() / 1000;
    return h;
}

void tui_model_tick(tui_app *a, int64_t now_ms)
{
    for (size_t i = 0; i < client_hub_count(a->net.hub); i++) {
        client_conn *c = client_hub_at(a->net.hub, i);
        if (!client_conn_fqdn(c)[0])
            continue;
        tui_history *h = tui_model_history(a, client_conn_fqdn(c));
        if (!h)
            continue;
        advance(h, now_ms);
        const client_mirror *m = client_conn_mirror(c);
        bool live = client_conn_get_state(c) == CLIENT_CONN_LIVE && client_mirror_loaded(m);
        h->parked[TUI_SPARK - 1] = live ? (uint32_t)client_mirror_parked_count(m) : 0;
        h->queued[TUI_SPARK - 1] = live ? (uint32_t)client_mirror_queued_calls(m) : 0;
    }
}

void tui_model_note_event(tui_app *a, client_conn *c, const char *kind, const json_t *data)
{
    tui_model *m = &a->model;
    int64_t now = orbit_time_now_ms();
    tui_history *h = tui_model_history(a, client_conn_fqdn(c));
    if (h) {
        advance(h, now);
        h->events[TUI_SPARK - 1]++;
    }
    size_t slot = (m->events_head + m->events_count) % TUI_EVENT_LOG;
    if (m->events_count == TUI_EVENT_LOG)
        m->events_head = (m->events_head + 1) % TUI_EVENT_LOG;
    else
        m->events_count++;
    tui_event *e = &m->events[slot];
    e->seq = ++m->events_seen;
    e->time_ms = now;
    snprintf(e->pool, sizeof e->pool, "%s", client_conn_fqdn(c));
    snprintf(e->kind, sizeof e->kind, "%s", kind ? kind : "?");
    summarise(e->kind, data, e->summary, sizeof e->summary);
}

const tui_event *tui_model_event_at(const tui_app *a, size_t i)
{
    const tui_model *m = &a->model;
    if (i >= m->events_count)
        return NULL;
    return &m->events[(m->events_head + m->events_count - 1 - i) % TUI_EVENT_LOG];
}

/* ---- what the users can do, by the seed tables ---- */

int tui_model_seed_cell(const tui_app *a, const pool_info *p, const dr_state *d, bool brief,
                        char lines[3][320])
{
    const client_mirror *m = tui_model_mirror(a);
    const pool_info *sp = m && d ? client_mirror_pool(m, d->serving) : NULL;
    bool serving_up = sp && sp->status == POOL_STATUS_UP;
    int n = 0;
    if (p->status == POOL_STATUS_DOWN)
        snprintf(lines[n++], sizeof lines[0], "%s",
                 brief ? "parked calls lost" : "parked calls lost (disconnected with the pool)");
    if (!d)
        return n;
    orbit_status st;
    const char *park, *pickup;
    bool park_works = dr_park_check(d->phase, serving_up, true, &st) == ORBIT_OK;
    bool pickup_works =
        serving_up && dr_pickup_check(d->phase, d->pickup_ranges_redirected, &st) == ORBIT_OK;
    if (park_works)
        park = "park: works";
    else if (dr_phase_resiliency(d->phase))
        park =
            brief ? "no park until the phase ends" : "park unavailable until the phase completes";
    else
        park = brief ? "no park until failover" : "park unavailable until failover";
    if (pickup_works)
        pickup = "pickup: works";
    else if (dr_phase_resiliency(d->phase))
        pickup = brief ? "no pickup until the phase ends"
                       : "pickup unavailable until the phase completes and the redirect";
    else if (!serving_up)
        pickup = brief ? "no pickup until failover+redirect"
                       : "pickup unavailable until failover and redirect";
    else
        pickup = brief ? "no pickup until redirect (R)" : "pickup unavailable until redirect (R)";
    /* Where they work, in full: the pool that serves the users now. */
    snprintf(lines[n++], sizeof lines[0], "%s%s%s", park, park_works && !brief ? ", at " : "",
             park_works && !brief ? d->serving : "");
    snprintf(lines[n++], sizeof lines[0], "%s%s%s", pickup, pickup_works && !brief ? ", at " : "",
             pickup_works && !brief ? d->serving : "");
    return n;
}

/* ---- announcements ---- */

/* True the first time a piece of news is heard within a few seconds. */
static bool first_hearing(tui_app *a, const char *key, int64_t now)
{
    for (size_t i = 0; i < TUI_HEARD_MAX; i++) {
        if (strcmp(a->model.heard[i].key, key) == 0 && now - a->model.heard[i].ms < 10000)
            return false;
    }
    tui_heard *h = &a->model.heard[a->model.heard_next++ % TUI_HEARD_MAX];
    snprintf(h->key, sizeof h->key, "%s", key);
    h->ms = now;
    return true;
}

/* "by WHO" for an action another console or orbitctl took, "" for this
 * console's own (its status line said so already) or the pools' own. */
static void by_others(const tui_app *a, const json_t *d, char *out, size_t len)
{
    const char *who = text(d, "who");
    char mine[ORBIT_CLIENT_NAME_MAX + 8];
    /* The pools quote 40 characters of a client's name. */
    snprintf(mine, sizeof mine, "(%.40s", a->net.client_name);
    if (!who[0] || strcmp(who, "phase-timer") == 0 || strstr(who, mine))
        snprintf(out, len, "%s", "");
    else
        snprintf(out, len, " by %s", who);
}

void tui_model_announce(tui_app *a, const char *kind, const json_t *d)
{
    if (!kind || !json_is_object(d))
        return;
    int64_t now = orbit_time_now_ms();
    char key[160] = "", by[260], msg[TUI_STATUS_MAX] = "";
    bool error = false;
    by_others(a, d, by, sizeof by);
    if (strcmp(kind, "pool.status") == 0) {
        const char *st = text(d, "status");
        if (strcmp(st, "down") != 0 && strcmp(st, "up") != 0)
            return;
        snprintf(key, sizeof key, "status %s %s", text(d, "fqdn"), st);
        error = strcmp(st, "down") == 0;
        snprintf(msg, sizeof msg, "%s is %s%s", text(d, "fqdn"),
                 error ? "DOWN: calls parked there are lost; fail its users over" : "up again", "");
    } else if (strcmp(kind, "dr.changed") == 0) {
        const char *ev = text(d, "event"), *home = text(d, "home"), *serving = text(d, "serving");
        bool redirected = json_is_true(json_object_get(d, "pickup_ranges_redirected"));
        snprintf(key, sizeof key, "dr %s %s %lld %d", home, ev,
                 (long long)json_integer_value(json_object_get(d, "since_ms")), redirected);
        if (strcmp(ev, "failover_begin") == 0 || strcmp(ev, "failback_begin") == 0)
            snprintf(msg, sizeof msg, "%s of %s's users started%s: %s until the phase completes",
                     ev[4] == 'o' ? "failover" : "failback", home, by, text(d, "phase"));
        else if (strcmp(ev, "failover_complete") == 0 || strcmp(ev, "failback_complete") == 0)
            snprintf(msg, sizeof msg, "%s of %s completed: served by %s%s",
                     ev[4] == 'o' ? "failover" : "failback", home, serving,
                     redirected ? "" : "; now redirect its pickup ranges (R)");
        else if (strcmp(ev, "pickup_ranges_moved") == 0)
            snprintf(msg, sizeof msg, "%s's pickup ranges %s %s%s", home,
                     redirected ? "redirected to" : "are no longer with", serving, by);
    } else if (strncmp(kind, "orbit.", 6) == 0) {
        if (!by[0])
            return; /* this console's own, or a redirect announced by dr.changed */
        snprintf(key, sizeof key, "%s %s %s %s %lld", kind, text(d, "identity"), text(d, "to_pool"),
                 text(d, "pool"), (long long)json_integer_value(json_object_get(d, "moved")));
        if (strcmp(kind, "orbit.reassigned") == 0)
            snprintf(msg, sizeof msg, "%lld range(s) of %s moved to %s%s",
                     (long long)json_integer_value(json_object_get(d, "moved")),
                     text(d, "from_pool"), text(d, "to_pool"), by);
        else
            snprintf(msg, sizeof msg, "range %s %s%s", text(d, "identity"),
                     strcmp(kind, "orbit.deleted") == 0   ? "deleted"
                     : strcmp(kind, "orbit.created") == 0 ? "created"
                                                          : "changed",
                     by);
    } else if (strcmp(kind, "runbook.step") == 0) {
        if (!by[0])
            return; /* this console's own runbook: its steps are announced */
        const char *change = text(d, "change");
        snprintf(key, sizeof key, "runbook %s %lld", text(d, "home"),
                 (long long)json_integer_value(json_object_get(d, "updated_ms")));
        if (strcmp(change, "step") == 0)
            snprintf(msg, sizeof msg, "%s runbook of %s: %s%s", text(d, "kind"), text(d, "home"),
                     text(d, "step"), by);
        else
            snprintf(msg, sizeof msg, "%s runbook of %s %s%s", text(d, "kind"), text(d, "home"),
                     change, by);
    } else if (strcmp(kind, "pool.added") == 0) {
        const json_t *p = json_object_get(d, "pool");
        snprintf(key, sizeof key, "added %s", text(p, "fqdn"));
        snprintf(msg, sizeof msg, "pool %s added%s%s%s", text(p, "fqdn"),
                 *text(d, "replaces") ? ", replacing " : "", text(d, "replaces"), by);
    } else if (strcmp(kind, "pool.retired") == 0) {
        const json_t *p = json_object_get(d, "pool");
        snprintf(key, sizeof key, "retired %s", text(p, "fqdn"));
        snprintf(msg, sizeof msg, "pool %s retired%s", text(p, "fqdn"), by);
    } else if (strcmp(kind, "users.rehomed") == 0) {
        snprintf(key, sizeof key, "rehomed %s %s", text(d, "from_pool"), text(d, "to_pool"));
        snprintf(msg, sizeof msg, "%lld user(s) of %s rehomed on %s%s",
                 (long long)json_integer_value(json_object_get(d, "count")), text(d, "from_pool"),
                 text(d, "to_pool"), by);
    }
    if (msg[0] && first_hearing(a, key, now))
        tui_status(a, error, "%s", msg);
}

/* ---- the vault ---- */

client_vault *tui_model_vault(tui_app *a)
{
    if (a->net.vault || a->net.vault_failed)
        return a->net.vault;
    char id[CLIENT_VAULT_NAME_MAX + 1];
    client_vault_pool pools[CLIENT_TARGET_URLS];
    size_t n = 0;
    const client_target *t = a->opt.target;
    const client_mirror *m = tui_model_mirror(a);
    if (a->opt.deployment_name[0]) {
        snprintf(id, sizeof id, "%s", a->opt.deployment_name);
    } else if (t->from_file) {
        for (size_t i = 0; i < t->npools; i++) {
            if (t->pools[i].fqdn[0])
                pools[n++] = (client_vault_pool){t->pools[i].fqdn, t->pools[i].url};
        }
        client_vault_deployment_id(pools, n, id);
    } else if (m) {
        for (size_t i = 0; i < client_mirror_pool_count(m) && n < CLIENT_TARGET_URLS; i++) {
            const pool_info *p = client_mirror_pool_at(m, i);
            pools[n++] = (client_vault_pool){p->fqdn, p->url};
        }
        client_vault_deployment_id(pools, n, id);
    } else {
        return NULL; /* not known yet: no pool has answered */
    }
    orbit_status st;
    const char *dir = a->opt.vault_dir[0] ? a->opt.vault_dir : NULL;
    /* A watch console reads the vault if it is there, and writes nothing,
     * not even its directory; it looks again later. */
    if (tui_read_only(a)) {
        client_vault_open_existing(dir, id, &a->net.vault, &st);
        return a->net.vault;
    }
    if (client_vault_open(dir, id, &a->net.vault, &st) != ORBIT_OK) {
        a->net.vault_failed = true;
        tui_status(a, true, "backup vault unavailable: %s", st.message);
    }
    return a->net.vault;
}
