/* server_config: orbitd's configuration file (key = value lines) and the
 * access tokens it declares. Documented in docs/orbitd.conf.md and
 * orbitd(8). */
#ifndef SERVER_CONFIG_H
#define SERVER_CONFIG_H

#include "orbit_log.h"
#include "orbit_ops.h"
#include "orbit_text.h"
#include "store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SERVER_TOKEN_NAME_MAX 64
#define SERVER_PATH_MAX       1024

/* A token the pool accepts: who it is, what it may do, and the SHA-256 of
 * the secret (the secret itself is never stored in the file). */
typedef struct {
    char name[SERVER_TOKEN_NAME_MAX + 1];
    orbit_role role;
    unsigned char sha256[32];
} server_token;

typedef struct {
    char fqdn[ORBIT_FQDN_MAX + 1];
    char listen[64];
    int port;
    char store[SERVER_PATH_MAX];
    char data_dir[SERVER_PATH_MAX];
    char tls_cert[SERVER_PATH_MAX];
    char tls_key[SERVER_PATH_MAX];
    /* the shared store's TLS and credentials (etcd) */
    char store_ca[SERVER_PATH_MAX];
    char store_cert[SERVER_PATH_MAX];
    char store_key[SERVER_PATH_MAX];
    char store_user[128];
    char store_password_file[SERVER_PATH_MAX];
    uint64_t audit_max_bytes; /* the audit log rotates past this size */
    /* commands a session may send per second, by the token's role */
    double cmd_rate[ORBIT_ROLE_COUNT];
    int heartbeat_ms;     /* ticks to clients, heartbeats to the store */
    int down_after_ms;    /* a pool silent this long is down */
    double clock_scale;   /* domain timers run this many times faster */
    double phase_seconds; /* failover / failback duration, domain clock */
    uint64_t moh_max_bytes;
    int replay_events; /* events kept for replay */
    uint64_t queue_max_bytes;
    int queue_max_messages;
    orbit_log_level log_level;
    /* The SIP edge (transport/sip_transport.c, docs/sip.md). Plain values
     * here: the kernel knows no SIP, the transport turns them into the
     * edge's configuration. */
    int sip_port;                       /* UDP and TCP; 0: no SIP edge */
    char sip_bind[64];                  /* numeric address; "" = listen */
    bool sip_digest;                    /* sip_auth = digest */
    char sip_digest_offer[16];          /* "sha256,md5", "md5,sha256", "md5" or "sha256" */
    char media_ip[64];                  /* RTP address; "" = the SIP address */
    int media_port_min, media_port_max; /* RTP ports, inclusive */
    int media_timeout_s;                /* silence that ends a call; 0: never */
    int sip_max_new_per_second;         /* new requests one address may send */
    server_token *tokens;
    size_t ntokens;
} server_config;

/* Defaults for every optional key; fqdn, store and data_dir stay empty. */
void server_config_defaults(server_config *c);

/* Reads a file over the defaults. On error returns false and writes a
 * message naming the line into err. */
bool server_config_load(server_config *c, const char *path, char *err, size_t errlen);

/* Applies one "key = value" setting (also used for command-line flags). */
bool server_config_set(server_config *c, const char *key, const char *value, char *err,
                       size_t errlen);

/* Fills the store options (location, TLS files, user and the password
 * read from store_password_file). False with a reason in err when the
 * password file cannot be read. */
bool server_config_store_options(const server_config *c, store_options *opt, char *err,
                                 size_t errlen);

/* Checks required keys and cross-field rules. */
bool server_config_check(const server_config *c, char *err, size_t errlen);

void server_config_free(server_config *c);

/* The role for a presented secret, in constant time per token; NULL when
 * no token matches. */
const server_token *server_config_find_token(const server_config *c, const char *secret);

/* Writes "sha256:<hex>" for a secret into out (at least 72 bytes). */
bool server_token_hash_text(const char *secret, char *out, size_t len);

#endif
