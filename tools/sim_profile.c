/* sim_profile: the built-in traffic profiles. */
#include "sim_profile.h"

#include <string.h>

/* capacity: the domain's figures for an 8-server pool: 8 parks and 8
 * retrievals a minute with 60 s average park time, 500 incoming calls a
 * minute of which 200 are picked up. */
static const sim_profile PROFILES[] = {
    {"demo", 12.0, 45.0, 0.5, 30.0, 0.40, 0.30, 0.15},
    {"capacity", 8.0, 60.0, 0.5, 500.0, 0.40, 0.40, 0.10},
    {"stress", 600.0, 20.0, 0.5, 3000.0, 0.40, 0.40, 0.10},
};

const sim_profile *sim_profile_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof PROFILES / sizeof PROFILES[0]; i++) {
        if (strcmp(PROFILES[i].name, name) == 0)
            return &PROFILES[i];
    }
    return NULL;
}

const char *sim_profile_names(void)
{
    return "demo, capacity, stress";
}
