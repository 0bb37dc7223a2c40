/* Fuzzes the topology import (topology_parse): a file with any error is
 * refused entirely, and an accepted one must hold together as the store
 * will load it: valid ranges on known pools, paired pools pointing at
 * each other, users homed on known pools. */
#include "fuzz_util.h"

#include "orbit_table.h"
#include "topology.h"

#include <string.h>

static const pool_info *find_pool(const store_image *img, const char *fqdn)
{
    for (size_t i = 0; i < img->npools; i++) {
        if (strcmp(img->pools[i].fqdn, fqdn) == 0)
            return &img->pools[i];
    }
    return NULL;
}

static void check_image(const store_image *img)
{
    orbit_status st;
    for (size_t i = 0; i < img->npools; i++) {
        const pool_info *p = &img->pools[i];
        FUZZ_REQUIRE(orbit_fqdn_check(p->fqdn) == NULL);
        if (p->backup[0]) {
            const pool_info *b = find_pool(img, p->backup);
            FUZZ_REQUIRE(b != NULL && b != p && strcmp(b->backup, p->fqdn) == 0);
        }
    }
    orbit_table *t = orbit_table_new();
    if (t) {
        FUZZ_REQUIRE(orbit_table_load(t, img->ranges, img->nranges, &st) == ORBIT_OK);
        orbit_table_free(t);
    }
    for (size_t i = 0; i < img->nranges; i++) {
        FUZZ_REQUIRE(orbit_range_check(&img->ranges[i], &st) == ORBIT_OK);
        FUZZ_REQUIRE(find_pool(img, img->ranges[i].pool) != NULL);
    }
    for (size_t i = 0; i < img->nusers; i++)
        FUZZ_REQUIRE(find_pool(img, img->users[i].home) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (!doc)
        return 0;
    store_image img;
    orbit_status st;
    orbit_status_clear(&st);
    if (topology_parse(doc, &img, &st) == ORBIT_OK) {
        check_image(&img);
        store_image_free(&img);
    } else {
        FUZZ_REQUIRE(st.code != ORBIT_OK && st.message[0]);
        FUZZ_REQUIRE(img.pools == NULL && img.ranges == NULL && img.users == NULL);
    }
    json_decref(doc);
    return 0;
}
