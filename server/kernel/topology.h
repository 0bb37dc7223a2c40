/* topology: the deployment's topology file (sites, pools, pairs, ranges,
 * users, groups), parsed and validated as a whole into a store image; a
 * file with any error is refused entirely. Format in docs/topology.md. */
#ifndef TOPOLOGY_H
#define TOPOLOGY_H

#include "store.h"

#include <jansson.h>

/* Validates a parsed topology document into img (caller frees with
 * store_image_free). The message names the offending entry. */
orbit_err topology_parse(const json_t *doc, store_image *img, orbit_status *st);

/* Reads and validates a topology file. */
orbit_err topology_load_file(const char *path, store_image *img, orbit_status *st);

#endif
