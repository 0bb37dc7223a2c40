/* demo_deploy: a local deployment on loopback for demos, labs and tests:
 * the topology it generates, the files it writes (tokens, pool
 * configurations, deployment.json) and the processes it starts and stops.
 * The contract is docs/orbit-demo.md. */
#ifndef DEMO_DEPLOY_H
#define DEMO_DEPLOY_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    int pools;
    int users;               /* per pool */
    const char *sim_profile; /* NULL: no simulator */
    double clock_scale;
    double phase_seconds;
    int base_port;
    bool tls;
    bool store_etcd; /* a local 3-member etcd cluster instead of a SQLite file */
} demo_options;

void demo_options_default(demo_options *o);

/* orbit-demo up: writes everything under dir, starts the pools (and the
 * simulator) and waits until each answers /v1/health. */
int demo_up(const char *dir, const demo_options *o);
/* orbit-demo start: (re)starts one pool with its data directory. */
int demo_start(const char *dir, const char *fqdn);
/* orbit-demo stop: SIGTERM to one pool, waiting for it to exit. */
int demo_stop(const char *dir, const char *fqdn);
/* orbit-demo add: configures a new pool (its data directory, its
 * configuration on the next free port, its entry in deployment.json)
 * without starting it: orbitd starts only once the pool is in the
 * deployment's registry (orbitctl dr replace adds it). */
int demo_add(const char *dir, const char *fqdn, const char *site);
/* orbit-demo down: stops the simulator, every pool and the etcd members. */
int demo_down(const char *dir);
/* orbit-demo etcd-stop / etcd-start: one member of the local etcd cluster
 * ("m1".."m3"), to see what pools do when they lose it. */
int demo_etcd_member(const char *dir, const char *name, bool start);

#endif
