/* sim_phones: the simulated phones of a whole deployment. Users place,
 * park, retrieve and pick up calls at the profile's rates, always at the
 * pool that serves them now (following failover and failback through the
 * DR state the pools publish), and every result is counted. */
#ifndef SIM_PHONES_H
#define SIM_PHONES_H

#include "client_hub.h"
#include "orbit_model.h"
#include "sim_profile.h"
#include "sim_stats.h"

#include <stddef.h>
#include <stdint.h>

typedef struct sim_phones sim_phones;

/* users: every user of the deployment; scale: the deployment's clock
 * scale (rates and durations speed up by it). */
sim_phones *sim_phones_new(const sim_profile *p, double scale, uint64_t seed,
                           const orbit_user *users, size_t nusers);
void sim_phones_free(sim_phones *s);

/* The hub's hooks the simulator needs; set before creating the hub. */
void sim_phones_hooks(client_hooks *h);
/* Attaches the hub (after creating it with the hooks and the simulator as
 * context) and starts the traffic timer. */
bool sim_phones_attach(sim_phones *s, client_hub *hub);

const sim_stats *sim_phones_stats(const sim_phones *s);
size_t sim_phones_tracked(const sim_phones *s);

#endif
