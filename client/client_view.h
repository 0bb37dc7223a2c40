/* client_view: the deployment merged from every pool's mirror: the
 * pools, the orbit table and the DR state as the freshest connected pool
 * reports them (they are shared by all pools), the in-use count of a range
 * from the pool that owns it, and the pool pairs with their DR states. */
#ifndef CLIENT_VIEW_H
#define CLIENT_VIEW_H

#include "client_hub.h"

#include <stddef.h>

/* A pair of pools backing each other up (right is NULL for an unpaired
 * pool), each with the DR state of its users. */
typedef struct {
    const pool_info *left, *right;
    const dr_state *left_dr, *right_dr;
} client_pair;

/* The mirror of the first live connection (in the hub's order, so the
 * same one from one call to the next), else the freshest at all; NULL
 * before any snapshot. */
const client_mirror *client_view_mirror(const client_hub *hub);

/* in_use of a range: from its owner's mirror when that pool is connected
 * (it counts its own parked calls), else as the freshest mirror reports. */
uint32_t client_view_in_use(const client_hub *hub, const orbit_range *r);

/* Pairs in registry order, each listed once; returns how many were found
 * (may exceed max). */
size_t client_view_pairs(const client_hub *hub, client_pair *out, size_t max);

/* Users a pool serves now: its own unless failed over, plus those of the
 * pools failed over to it (homed counts from each pool's own mirror). */
uint32_t client_view_users_served(const client_hub *hub, const char *fqdn);

#endif
