/* orbit_map: open-addressing hash map with FNV-1a hashing. */
#include "orbit_map.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *key; /* NULL: empty slot */
    void *value;
    uint64_t hash;
} slot;

struct orbit_map {
    slot *slots;
    size_t cap; /* power of two */
    size_t count;
    bool borrowed; /* keys belong to the caller (see orbit_map_new_borrowed) */
};

static uint64_t hash_key(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

orbit_map *orbit_map_new(void)
{
    orbit_map *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->cap = 16;
    m->slots = calloc(m->cap, sizeof *m->slots);
    if (!m->slots) {
        free(m);
        return NULL;
    }
    return m;
}

orbit_map *orbit_map_new_borrowed(void)
{
    orbit_map *m = orbit_map_new();
    if (m)
        m->borrowed = true;
    return m;
}

void orbit_map_clear(orbit_map *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->borrowed)
            free(m->slots[i].key);
        m->slots[i].key = NULL;
    }
    m->count = 0;
}

void orbit_map_free(orbit_map *m)
{
    if (!m)
        return;
    orbit_map_clear(m);
    free(m->slots);
    free(m);
}

static size_t find_slot(const orbit_map *m, const char *key, uint64_t h)
{
    size_t mask = m->cap - 1, i = (size_t)h & mask;
    while (m->slots[i].key && (m->slots[i].hash != h || strcmp(m->slots[i].key, key) != 0))
        i = (i + 1) & mask;
    return i;
}

static bool resize(orbit_map *m, size_t ncap)
{
    slot *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return false;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].key)
            continue;
        size_t j = (size_t)m->slots[i].hash & (ncap - 1);
        while (ns[j].key)
            j = (j + 1) & (ncap - 1);
        ns[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    return true;
}

/* At most three quarters full, as orbit_map_put keeps it. */
static bool fits(size_t count, size_t cap)
{
    return count * 4 <= cap * 3;
}

bool orbit_map_reserve(orbit_map *m, size_t n)
{
    if (n > SIZE_MAX / 4)
        return false;
    size_t ncap = m->cap;
    while (!fits(n, ncap)) {
        if (ncap > SIZE_MAX / 2 / sizeof(slot))
            return false;
        ncap *= 2;
    }
    return ncap == m->cap || resize(m, ncap);
}

bool orbit_map_put(orbit_map *m, const char *key, void *value)
{
    if (!fits(m->count + 1, m->cap) && !resize(m, m->cap * 2))
        return false;
    uint64_t h = hash_key(key);
    size_t i = find_slot(m, key, h);
    if (m->slots[i].key) {
        m->slots[i].value = value;
        return true;
    }
    char *copy = m->borrowed ? (char *)key : strdup(key);
    if (!copy)
        return false;
    m->slots[i] = (slot){copy, value, h};
    m->count++;
    return true;
}

void *orbit_map_get(const orbit_map *m, const char *key)
{
    size_t i = find_slot(m, key, hash_key(key));
    return m->slots[i].key ? m->slots[i].value : NULL;
}

void *orbit_map_remove(orbit_map *m, const char *key)
{
    size_t mask = m->cap - 1;
    size_t i = find_slot(m, key, hash_key(key));
    if (!m->slots[i].key)
        return NULL;
    void *value = m->slots[i].value;
    if (!m->borrowed)
        free(m->slots[i].key);
    m->slots[i].key = NULL;
    m->count--;
    /* Backward-shift the cluster so lookups never stop early. */
    size_t j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (!m->slots[j].key)
            break;
        size_t home = (size_t)m->slots[j].hash & mask;
        bool movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
        if (movable) {
            m->slots[i] = m->slots[j];
            m->slots[j].key = NULL;
            i = j;
        }
    }
    return value;
}

size_t orbit_map_count(const orbit_map *m)
{
    return m->count;
}

bool orbit_map_next(const orbit_map *m, size_t *pos, const char **key, void **value)
{
    while (*pos < m->cap) {
        slot *s = &m->slots[(*pos)++];
        if (s->key) {
            if (key)
                *key = s->key;
            if (value)
                *value = s->value;
            return true;
        }
    }
    return false;
}
