/* orbit_map: a string-keyed hash map (open addressing, linear probing,
 * backward-shift deletion) from keys to caller-owned pointers, for the
 * call engine's and the client mirrors' O(1) lookups. None of the
 * project's libraries offers a reentrant one (hsearch is global). */
#ifndef ORBIT_MAP_H
#define ORBIT_MAP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct orbit_map orbit_map;

orbit_map *orbit_map_new(void);
/* A map that does not copy its keys: each key must stay valid and
 * unchanged while its entry is in the map (a key stored inside the
 * value). Saves an allocation per entry in maps of tens of thousands. */
orbit_map *orbit_map_new_borrowed(void);
/* Frees the map and its copies of the keys, not the values. */
void orbit_map_free(orbit_map *m);

/* Inserts or replaces; the key is copied. False on OOM. */
bool orbit_map_put(orbit_map *m, const char *key, void *value);
void *orbit_map_get(const orbit_map *m, const char *key);
/* Removes and returns the value, or NULL when absent. */
void *orbit_map_remove(orbit_map *m, const char *key);
size_t orbit_map_count(const orbit_map *m);
/* Removes every entry (the capacity stays). */
void orbit_map_clear(orbit_map *m);
/* Makes room for n entries without growing on the way, for a map about
 * to be filled with a count known in advance. False on OOM (the map is
 * unchanged and still usable). */
bool orbit_map_reserve(orbit_map *m, size_t n);

/* Iteration: start with *pos = 0; returns false at the end. The map must
 * not change during iteration. */
bool orbit_map_next(const orbit_map *m, size_t *pos, const char **key, void **value);

#endif
