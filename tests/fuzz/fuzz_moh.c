/* Fuzzes music-on-hold sniffing and the upload's header checks on every
 * input: the input as a whole uploaded file (moh_audio_detect on its
 * first bytes, as the upload streams in, then moh_audio_check once it is
 * complete), and as the X-Orbit-Filename and X-Orbit-Sha256 values
 * (moh_upload_check_headers). */
#include "fuzz_util.h"

#include "moh_audio.h"
#include "pool_local.h"

#include <string.h>

#define GOOD_SHA "0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789ABCDEF"

static void check_file(const uint8_t *data, size_t size)
{
    const char *why = NULL;
    moh_audio_kind kind = moh_audio_check(data, size, &why);
    size_t head = size < MOH_AUDIO_SNIFF_BYTES ? size : MOH_AUDIO_SNIFF_BYTES;
    moh_audio_kind sniffed = moh_audio_detect(data, head);
    if (kind == MOH_AUDIO_UNKNOWN) {
        FUZZ_REQUIRE(why != NULL && why[0]);
    } else {
        /* The early sniff never refuses what the whole check accepts. */
        FUZZ_REQUIRE(sniffed == kind);
        FUZZ_REQUIRE(strcmp(moh_audio_extension(kind), "bin") != 0);
    }
}

static void check_headers(const char *name, const char *sha)
{
    char expected[ORBIT_SHA256_HEX + 1];
    orbit_status st;
    orbit_status_clear(&st);
    if (moh_upload_check_headers(name, sha, expected, &st) != ORBIT_OK) {
        FUZZ_REQUIRE(st.code == ORBIT_ERR_BAD_REQUEST);
        FUZZ_REQUIRE(strcmp(st.field, "X-Orbit-Filename") == 0 ||
                     strcmp(st.field, "X-Orbit-Sha256") == 0);
        return;
    }
    FUZZ_REQUIRE(orbit_file_name_check(name, ORBIT_MOH_NAME_MAX) == NULL);
    FUZZ_REQUIRE(orbit_text_hazard_of(name) == ORBIT_TEXT_SAFE);
    FUZZ_REQUIRE(strlen(expected) == ORBIT_SHA256_HEX);
    FUZZ_REQUIRE(strspn(expected, "0123456789abcdef") == ORBIT_SHA256_HEX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_file(data, size);
    char *text = fuzz_cstring(data, size);
    if (!text)
        return 0;
    check_headers(text, GOOD_SHA);
    check_headers("hold.wav", text);
    free(text);
    return 0;
}
