/* orbit_text: validation of the names the domain carries around: pool
 * FQDNs, range identities, call ids and SIP URIs. Each returns NULL when
 * the text is valid, else a sentence saying what is wrong. */
#ifndef ORBIT_TEXT_H
#define ORBIT_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#define ORBIT_FQDN_MAX     253
#define ORBIT_IDENTITY_MAX 64
#define ORBIT_CALL_ID_MAX  64
#define ORBIT_URI_MAX      128
#define ORBIT_SITE_MAX     64

/* Letters, digits and hyphens in dot-separated labels of 1..63, at least
 * two labels, 253 characters at most. Upper case is accepted; see
 * orbit_fqdn_lower(). */
const char *orbit_fqdn_check(const char *fqdn);

/* Lower-cases an FQDN in place so that comparisons are plain strcmp. */
void orbit_fqdn_lower(char *fqdn);

/* 1..64 printable characters, no leading or trailing blank. */
const char *orbit_identity_check(const char *identity);

/* 1..64 of [A-Za-z0-9._:@+-]. */
const char *orbit_call_id_check(const char *call_id);

/* "sip:" followed by 1 or more printable, non-blank characters; 128 at most. */
const char *orbit_sip_uri_check(const char *uri);

/* A calling or called party that need not be one of our users (PSTN
 * callers, "by" of a retrieval): 1..128 printable, non-blank characters. */
const char *orbit_party_check(const char *party);

/* A site name: 1..64 of [A-Za-z0-9._-]. */
const char *orbit_site_check(const char *site);

/* A music-on-hold file name: 1..128 bytes, a name without a directory
 * ('/' or '\\') and without control characters. */
const char *orbit_moh_name_check(const char *name);

/* A SHA-256 digest written as 64 hexadecimal digits (either case). */
const char *orbit_sha256_hex_check(const char *hex);

#endif
