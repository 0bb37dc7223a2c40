/* client_view: deployment-wide facts from the mirrors. */
#include "client_view.h"

#include <string.h>

static bool live(const client_conn *c)
{
    return c && client_conn_get_state(c) == CLIENT_CONN_LIVE;
}

const client_mirror *client_view_mirror(const client_hub *hub)
{
    const client_mirror *best = NULL;
    int64_t newest = -1;
    for (size_t i = 0; i < client_hub_count(hub); i++) {
        client_conn *c = client_hub_at(hub, i);
        const client_mirror *m = client_conn_mirror(c);
        if (!client_mirror_loaded(m))
            continue;
        /* The first live connection: a stable choice, so two reads a
         * moment apart agree (the freshest changed with every heartbeat,
         * and a dialog could contradict the screen it was opened from
         * while the pools' copies of a status differed). */
        if (live(c))
            return m;
        /* With none live, the freshest. */
        if (client_conn_last_frame_ms(c) > newest) {
            newest = client_conn_last_frame_ms(c);
            best = m;
        }
    }
    return best;
}

uint32_t client_view_in_use(const client_hub *hub, const orbit_range *r)
{
    client_conn *owner = client_hub_find(hub, r->pool);
    const client_mirror *m = live(owner) ? client_conn_mirror(owner) : client_view_mirror(hub);
    return m ? client_mirror_in_use(m, r->identity) : 0;
}

size_t client_view_pairs(const client_hub *hub, client_pair *out, size_t max)
{
    const client_mirror *m = client_view_mirror(hub);
    size_t n = 0;
    for (size_t i = 0; m && i < client_mirror_pool_count(m); i++) {
        const pool_info *p = client_mirror_pool_at(m, i);
        const pool_info *b = p->backup[0] ? client_mirror_pool(m, p->backup) : NULL;
        if (b && strcmp(b->fqdn, p->fqdn) < 0)
            continue; /* listed with its partner */
        if (n < max)
            out[n] = (client_pair){p, b, client_mirror_dr(m, p->fqdn),
                                   b ? client_mirror_dr(m, b->fqdn) : NULL};
        n++;
    }
    return n;
}

uint32_t client_view_users_served(const client_hub *hub, const char *fqdn)
{
    const client_mirror *m = client_view_mirror(hub);
    uint32_t served = 0;
    for (size_t i = 0; m && i < client_mirror_dr_count(m); i++) {
        const dr_state *d = client_mirror_dr_at(m, i);
        client_conn *home = client_hub_find(hub, d->home);
        const client_mirror *hm = home ? client_conn_mirror(home) : NULL;
        if (strcmp(d->serving, fqdn) == 0 && hm && client_mirror_loaded(hm))
            served += client_mirror_self(hm)->users_homed;
    }
    return served;
}
