/* orbit_text: validation of names, identities, call ids and URIs. */
#include "orbit_text.h"

#include <ctype.h>
#include <string.h>
#include <unistr.h>

const char *orbit_fqdn_check(const char *fqdn)
{
    if (!fqdn || !*fqdn)
        return "a pool FQDN is required";
    size_t len = strlen(fqdn);
    if (len > ORBIT_FQDN_MAX)
        return "a pool FQDN has at most 253 characters";
    size_t label = 0;
    int labels = 1;
    char prev = '.';
    for (const char *p = fqdn; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '.') {
            if (label == 0)
                return "a pool FQDN cannot have an empty label";
            if (prev == '-')
                return "an FQDN label cannot end with '-'";
            labels++;
            label = 0;
        } else if (isalnum(c) || c == '-') {
            if (label == 0 && c == '-')
                return "an FQDN label cannot start with '-'";
            if (++label > 63)
                return "an FQDN label has at most 63 characters";
        } else {
            return "a pool FQDN has only letters, digits, '-' and '.'";
        }
        prev = (char)c;
    }
    if (label == 0)
        return "a pool FQDN cannot end with '.'";
    if (prev == '-')
        return "an FQDN label cannot end with '-'";
    if (labels < 2)
        return "a pool FQDN needs a domain (for example pool1.example.net)";
    return NULL;
}

void orbit_fqdn_lower(char *fqdn)
{
    for (char *p = fqdn; *p; p++)
        *p = (char)tolower((unsigned char)*p);
}

orbit_text_hazard orbit_text_hazard_of(const char *text)
{
    const uint8_t *s = (const uint8_t *)text;
    /* libunistring's check refuses overlongs, surrogates and code points
     * past U+10FFFF, so the walk below sees only well-formed characters. */
    if (u8_check(s, strlen(text)) != NULL)
        return ORBIT_TEXT_BAD_UTF8;
    ucs4_t c;
    while ((s = u8_next(&c, s)) != NULL) {
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
            return ORBIT_TEXT_CONTROL;
        if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
            return ORBIT_TEXT_BIDI;
    }
    return ORBIT_TEXT_SAFE;
}

const char *orbit_text_hazard_message(orbit_text_hazard hazard)
{
    switch (hazard) {
    case ORBIT_TEXT_SAFE:
        return NULL;
    case ORBIT_TEXT_BAD_UTF8:
        return "the text is not valid UTF-8";
    case ORBIT_TEXT_CONTROL:
        return "control characters are not allowed";
    case ORBIT_TEXT_BIDI:
        return "bidirectional overrides and isolates are not allowed";
    }
    return "the text is not allowed";
}

const char *orbit_identity_check(const char *identity)
{
    if (!identity || !*identity)
        return "an identity is required";
    size_t len = strlen(identity);
    if (len > ORBIT_IDENTITY_MAX)
        return "an identity has at most 64 characters";
    const char *why = orbit_text_hazard_message(orbit_text_hazard_of(identity));
    if (why)
        return why;
    if (isspace((unsigned char)identity[0]) || isspace((unsigned char)identity[len - 1]))
        return "an identity cannot start or end with a blank";
    return NULL;
}

const char *orbit_file_name_check(const char *name, size_t max)
{
    if (!name || !*name)
        return "a file name is required";
    if (strlen(name) > max)
        return "the file name is too long";
    if (strpbrk(name, "/\\"))
        return "a file name cannot contain '/' or '\\'";
    return orbit_text_hazard_message(orbit_text_hazard_of(name));
}

const char *orbit_call_id_check(const char *call_id)
{
    if (!call_id || !*call_id)
        return "a call id is required";
    if (strlen(call_id) > ORBIT_CALL_ID_MAX)
        return "a call id has at most 64 characters";
    for (const char *p = call_id; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (!isalnum(c) && !strchr("._:@+-", c))
            return "a call id has only letters, digits and . _ : @ + -";
    }
    return NULL;
}

const char *orbit_sip_uri_check(const char *uri)
{
    if (!uri || !*uri)
        return "a SIP URI is required";
    if (strlen(uri) > ORBIT_URI_MAX)
        return "a SIP URI has at most 128 characters";
    if (strncmp(uri, "sip:", 4) != 0 || uri[4] == '\0')
        return "a SIP URI begins with sip: followed by an address";
    for (const char *p = uri; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c == 0x7f)
            return "a SIP URI cannot contain blanks or control characters";
    }
    return NULL;
}

const char *orbit_site_check(const char *site)
{
    if (!site || !*site)
        return "a site name is required";
    if (strlen(site) > ORBIT_SITE_MAX)
        return "a site name has at most 64 characters";
    for (const char *p = site; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (!isalnum(c) && !strchr("._-", c))
            return "a site name has only letters, digits and . _ -";
    }
    return NULL;
}

const char *orbit_party_check(const char *party)
{
    if (!party || !*party)
        return "a party (URI or number) is required";
    if (strlen(party) > ORBIT_URI_MAX)
        return "a party has at most 128 characters";
    for (const char *p = party; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c == 0x7f)
            return "a party cannot contain blanks or control characters";
    }
    return NULL;
}

const char *orbit_moh_name_check(const char *name)
{
    return orbit_file_name_check(name, 128);
}

const char *orbit_sha256_hex_check(const char *hex)
{
    if (!hex || strlen(hex) != 64)
        return "a SHA-256 is 64 hexadecimal digits";
    for (const char *p = hex; *p; p++) {
        if (!isxdigit((unsigned char)*p))
            return "a SHA-256 is 64 hexadecimal digits";
    }
    return NULL;
}

void orbit_text_repair_utf8(char *s)
{
    uint8_t *p = (uint8_t *)s;
    size_t left = strlen(s);
    const uint8_t *bad;
    while ((bad = u8_check(p, left)) != NULL) {
        size_t at = (size_t)(bad - p);
        p[at] = '?';
        p += at + 1;
        left -= at + 1;
    }
}
