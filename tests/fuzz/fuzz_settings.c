/* Fuzzes the Call Park settings readers: settings.json as a pool loads it
 * (strict, every field), a config.set patch over the current settings
 * (strict), and the client's lenient reading of a snapshot's config.
 * Accepted settings must validate and survive a round trip; a refusal
 * must leave the settings as they were. */
#include "fuzz_util.h"

#include "orbit_json.h"

static void read_as(const json_t *doc, orbit_json_mode mode, bool require_all)
{
    cps_settings s, before;
    cps_settings_default(&s);
    before = s;
    orbit_status st;
    orbit_status_clear(&st);
    if (orbit_json_to_settings(doc, mode, require_all, &s, &st) != ORBIT_OK) {
        FUZZ_REQUIRE(st.code != ORBIT_OK && st.message[0]);
        FUZZ_REQUIRE(cps_settings_equal(&s, &before));
        return;
    }
    FUZZ_REQUIRE(cps_settings_check(&s, &st) == ORBIT_OK);
    cps_field_error errs[CPS_FIELD_COUNT];
    FUZZ_REQUIRE(cps_settings_validate(&s, errs, CPS_FIELD_COUNT) == 0);
    json_t *back = orbit_json_from_settings(&s);
    FUZZ_REQUIRE(back != NULL);
    cps_settings again;
    cps_settings_default(&again);
    FUZZ_REQUIRE(orbit_json_to_settings(back, ORBIT_JSON_STRICT, true, &again, &st) == ORBIT_OK);
    FUZZ_REQUIRE(cps_settings_equal(&s, &again));
    json_decref(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (!doc)
        return 0;
    read_as(doc, ORBIT_JSON_STRICT, true);
    read_as(doc, ORBIT_JSON_STRICT, false);
    read_as(doc, ORBIT_JSON_LENIENT, false);
    json_decref(doc);
    return 0;
}
