/* sip_directory: what the SIP edge must know of the deployment, as one
 * immutable, reference-counted snapshot the pool builds whenever it
 * changes (topology import, DR phase, orbit table, settings, MOH) and
 * posts to the edge (sip_inbox_set_directory). Immutable, so the SIP
 * thread reads it without locks while the pool builds the next one. */
#ifndef SIP_DIRECTORY_H
#define SIP_DIRECTORY_H

#include "media_moh.h"
#include "orbit_error.h"

#include <stdbool.h>
#include <stddef.h>

#define SIP_URI_MAX        256
#define SIP_HA1_MD5_HEX    33 /* 32 hex digits and NUL */
#define SIP_HA1_SHA256_HEX 65 /* 64 hex digits and NUL */

typedef struct {
    const char *uri;          /* "sip:alice@example.net" */
    const char *home;         /* pool FQDN */
    const char *serving;      /* pool FQDN serving the user now */
    const char *pickup_group; /* group number, or NULL */
    const char *ha1_md5;      /* lower-case hex of MD5(user:realm:password), or NULL */
    const char *ha1_sha256;   /* same with SHA-256, or NULL */
} sip_dir_user;

typedef struct {
    const char *fqdn;
    const char *sip_uri; /* "sip:127.0.0.1:5161", or NULL when it has no edge */
} sip_dir_pool;

typedef struct {
    const char *start, *end; /* orbit numbers of the same shape */
    const char *pool;        /* owner FQDN */
    bool pickup;             /* GroupPickup (else CallPark) */
} sip_dir_range;

/* This pool's Call Park settings (for the edge's information: the engine
 * owns the timing and tells the edge through events). */
typedef struct {
    bool enable_music_on_hold;
    int call_pickup_timeout_threshold; /* s */
    int max_call_pickup_attempts;
    char on_timeout_uri[SIP_URI_MAX]; /* "" when none */
} sip_dir_settings;

typedef struct sip_directory sip_directory;
typedef struct sip_directory_builder sip_directory_builder;

/* A builder for the pool named self_fqdn (copied). NULL on OOM. */
sip_directory_builder *sip_directory_builder_new(const char *self_fqdn);

/* Each adder copies its strings. Refusals: bad_request for a missing
 * field, a URI not starting "sip:", an HA1 that is not hex of the right
 * length; conflict for a duplicate user or pool. */
orbit_err sip_directory_add_pool(sip_directory_builder *b, const sip_dir_pool *pool,
                                 orbit_status *st);
orbit_err sip_directory_add_user(sip_directory_builder *b, const sip_dir_user *user,
                                 orbit_status *st);
orbit_err sip_directory_add_range(sip_directory_builder *b, const sip_dir_range *range,
                                  orbit_status *st);
/* Takes the users of `from` (borrowed; a reference to its user block is
 * taken) instead of adding them one by one: the pool rebuilds the
 * directory for every orbit-table change, and its users rarely change
 * with it. sip_directory_add_user is refused afterwards. */
void sip_directory_builder_share_users(sip_directory_builder *b, const sip_directory *from);
void sip_directory_set_settings(sip_directory_builder *b, const sip_dir_settings *settings);
/* The MOH to play (a new reference is taken; NULL: silence). */
void sip_directory_set_moh(sip_directory_builder *b, media_moh *moh);

/* Finishes: returns the snapshot with one reference, or NULL on OOM.
 * The builder is freed either way. */
sip_directory *sip_directory_build(sip_directory_builder *b);
/* Frees a builder that will not be built. NULL is ignored. */
void sip_directory_builder_free(sip_directory_builder *b);

/* Atomic reference counting; both accept NULL. */
sip_directory *sip_directory_ref(sip_directory *dir);
void sip_directory_unref(sip_directory *dir);

/* Lookups. Results are borrowed from dir and live as long as it does. */
const char *sip_directory_self(const sip_directory *dir);
const sip_dir_settings *sip_directory_settings(const sip_directory *dir);
media_moh *sip_directory_moh(const sip_directory *dir); /* borrowed, may be NULL */
/* By whole URI ("sip:alice@example.net", case-insensitive host). */
const sip_dir_user *sip_directory_user(const sip_directory *dir, const char *uri);
/* By user part alone ("alice"), as phones dial sip:alice@POOL. */
const sip_dir_user *sip_directory_user_by_name(const sip_directory *dir, const char *name);
const sip_dir_pool *sip_directory_pool(const sip_directory *dir, const char *fqdn);
/* The range holding an orbit or group number, or NULL. */
const sip_dir_range *sip_directory_range_of(const sip_directory *dir, const char *number);
size_t sip_directory_user_count(const sip_directory *dir);

#endif
