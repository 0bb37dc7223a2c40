/* demo_etcd: a local etcd cluster for a deployment made with
 * `orbit-demo up --store etcd`: three members on loopback (data under
 * DIR/etcd, logs beside it), described in deployment.json's "etcd" so
 * that tests and operators can stop, pause or restart one member to see
 * what a pool does when it loses its store or the leader. */
#ifndef DEMO_ETCD_H
#define DEMO_ETCD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define DEMO_ETCD_MEMBERS 3

/* Client port of member m (1-based) for a deployment on base_port, and
 * its peer port: clear of the pools (base+1..base+64) and their SIP ports
 * (base+101..). */
int demo_etcd_client_port(int base_port, int m);
int demo_etcd_peer_port(int base_port, int m);

/* Starts the members, waits until the cluster has a leader, and adds
 * "etcd" (members with names, ports, pids, data dirs, logs) to doc. The
 * store location for the pools goes to store (etcd://...,.../PREFIX). */
bool demo_etcd_up(const char *dir, int base_port, json_t *doc, char *store, size_t len);

/* The location a pool uses: its own member first (pool k talks to member
 * ((k-1) % 3) + 1), then the others, so it fails over if its member goes. */
void demo_etcd_location(const json_t *doc, int k, char *out, size_t len);

/* Restarts a stopped member with its data (name "m1".."m3"). */
bool demo_etcd_start(const char *dir, json_t *doc, const char *name);
/* Stops one member (SIGTERM). */
bool demo_etcd_stop(json_t *doc, const char *name);
/* Stops every member. */
bool demo_etcd_down(json_t *doc);

#endif
