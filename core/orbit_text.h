/* orbit_text: validation of the names the domain carries around: pool
 * FQDNs, range identities, call ids, SIP URIs and the free-text names
 * operators choose. Each returns NULL when the text is valid, else a
 * sentence saying what is wrong.
 *
 * Names operators choose (range identities, token names, music-on-hold
 * file names) end up on other operators' terminals, so they must not
 * carry anything a terminal or a bidirectional text renderer acts on. */
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

/* What makes a text unfit to show on an operator's terminal, if anything. */
typedef enum {
    ORBIT_TEXT_SAFE = 0,
    ORBIT_TEXT_BAD_UTF8, /* not well-formed UTF-8 (overlong, surrogate, truncated...) */
    ORBIT_TEXT_CONTROL,  /* C0 (U+0000-U+001F), DEL (U+007F) or C1 (U+0080-U+009F) */
    ORBIT_TEXT_BIDI,     /* bidi embedding/override (U+202A-U+202E) or isolate (U+2066-U+2069) */
} orbit_text_hazard;

/* The rule for every operator-chosen name: the first hazard in the
 * NUL-terminated text, ORBIT_TEXT_SAFE when there is none. */
orbit_text_hazard orbit_text_hazard_of(const char *text);

/* A sentence for a hazard ("control characters are not allowed"); NULL
 * for ORBIT_TEXT_SAFE, so `why = orbit_text_hazard_message(...)` reads as
 * the other checks do. */
const char *orbit_text_hazard_message(orbit_text_hazard hazard);

/* 1..64 characters that pass orbit_text_hazard_of, no leading or trailing
 * blank. */
const char *orbit_identity_check(const char *identity);

/* A music-on-hold file name as uploaded: 1..max bytes that pass
 * orbit_text_hazard_of, without '/' or '\\' (it names a file). */
const char *orbit_file_name_check(const char *name, size_t max);

/* 1..64 of [A-Za-z0-9._:@+-]. */
const char *orbit_call_id_check(const char *call_id);

/* "sip:" followed by 1 or more printable, non-blank characters; 128 at most. */
const char *orbit_sip_uri_check(const char *uri);

/* A calling or called party that need not be one of our users (PSTN
 * callers, "by" of a retrieval): 1..128 printable, non-blank characters. */
const char *orbit_party_check(const char *party);

/* A site name: 1..64 of [A-Za-z0-9._-]. */
const char *orbit_site_check(const char *site);

/* A music-on-hold file name, as moh.upload's argument: the file-name
 * rule with at most 128 bytes (ORBIT_MOH_NAME_MAX). */
const char *orbit_moh_name_check(const char *name);

/* Makes text quoted from the input fit to become a JSON string: each byte
 * that does not start a well-formed UTF-8 character becomes '?'. */
void orbit_text_repair_utf8(char *s);

/* A SHA-256 digest written as 64 hexadecimal digits (either case). */
const char *orbit_sha256_hex_check(const char *hex);

#endif
