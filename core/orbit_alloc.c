/* orbit_alloc: dense free list with positions, for O(1) random parking. */
#include "orbit_alloc.h"

#include <stdlib.h>
#include <string.h>

#define SLOT_TAKEN UINT32_MAX

struct orbit_alloc {
    orbit_range *ranges; /* sorted by start */
    uint32_t *base;      /* base[k]: slot of ranges[k].start */
    size_t nranges;
    uint32_t *slot_range; /* slot -> index of its range */
    uint32_t *free_slots; /* free_slots[0..nfree) are the free slots */
    uint32_t *pos;        /* pos[slot]: index in free_slots, or SLOT_TAKEN */
    uint32_t capacity;
    uint32_t nfree;
};

orbit_alloc *orbit_alloc_new(void)
{
    return calloc(1, sizeof(orbit_alloc));
}

static void release_arrays(orbit_alloc *a)
{
    free(a->ranges);
    free(a->base);
    free(a->slot_range);
    free(a->free_slots);
    free(a->pos);
}

void orbit_alloc_free(orbit_alloc *a)
{
    if (!a)
        return;
    release_arrays(a);
    free(a);
}

static int cmp_start(const void *x, const void *y)
{
    const orbit_range *a = x, *b = y;
    return orbit_number_compare(&a->start, &b->start);
}

static orbit_number slot_number(const orbit_alloc *a, uint32_t slot)
{
    uint32_t k = a->slot_range[slot];
    const orbit_range *r = &a->ranges[k];
    return orbit_number_with_value(&r->start, r->start.value + (slot - a->base[k]));
}

/* The slot of n, or SLOT_TAKEN when n is outside every range. */
static uint32_t number_slot(const orbit_alloc *a, const orbit_number *n)
{
    size_t lo = 0, hi = a->nranges;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (orbit_number_compare(&a->ranges[mid].start, n) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return SLOT_TAKEN;
    const orbit_range *r = &a->ranges[lo - 1];
    if (!orbit_range_contains(r, n))
        return SLOT_TAKEN;
    return a->base[lo - 1] + (n->value - r->start.value);
}

bool orbit_alloc_build(orbit_alloc *a, const orbit_range *ranges, size_t n,
                       orbit_alloc_used_fn used, void *ctx)
{
    orbit_alloc fresh = {0};
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += orbit_range_size(&ranges[i]);
    if (total >= SLOT_TAKEN)
        return false;
    fresh.capacity = (uint32_t)total;
    fresh.nranges = n;
    size_t nr = n ? n : 1, ns = total ? (size_t)total : 1;
    fresh.ranges = malloc(nr * sizeof *fresh.ranges);
    fresh.base = malloc(nr * sizeof *fresh.base);
    fresh.slot_range = malloc(ns * sizeof *fresh.slot_range);
    fresh.free_slots = malloc(ns * sizeof *fresh.free_slots);
    fresh.pos = malloc(ns * sizeof *fresh.pos);
    if (!fresh.ranges || !fresh.base || !fresh.slot_range || !fresh.free_slots || !fresh.pos) {
        release_arrays(&fresh);
        return false;
    }
    if (n)
        memcpy(fresh.ranges, ranges, n * sizeof *ranges);
    qsort(fresh.ranges, n, sizeof *fresh.ranges, cmp_start);
    uint32_t slot = 0;
    for (size_t k = 0; k < n; k++) {
        fresh.base[k] = slot;
        uint32_t size = orbit_range_size(&fresh.ranges[k]);
        for (uint32_t j = 0; j < size; j++)
            fresh.slot_range[slot + j] = (uint32_t)k;
        slot += size;
    }
    for (uint32_t s = 0; s < fresh.capacity; s++) {
        orbit_number num = slot_number(&fresh, s);
        if (used && used(ctx, &num)) {
            fresh.pos[s] = SLOT_TAKEN;
        } else {
            fresh.pos[s] = fresh.nfree;
            fresh.free_slots[fresh.nfree++] = s;
        }
    }
    release_arrays(a);
    *a = fresh;
    return true;
}

static void remove_free_at(orbit_alloc *a, uint32_t i)
{
    uint32_t slot = a->free_slots[i];
    uint32_t last = a->free_slots[--a->nfree];
    a->free_slots[i] = last;
    a->pos[last] = i;
    a->pos[slot] = SLOT_TAKEN;
}

bool orbit_alloc_take_random(orbit_alloc *a, orbit_rng *rng, orbit_number *out)
{
    if (a->nfree == 0)
        return false;
    uint32_t i = (uint32_t)orbit_rng_below(rng, a->nfree);
    uint32_t slot = a->free_slots[i];
    remove_free_at(a, i);
    *out = slot_number(a, slot);
    return true;
}

bool orbit_alloc_take(orbit_alloc *a, const orbit_number *n)
{
    uint32_t slot = number_slot(a, n);
    if (slot == SLOT_TAKEN || a->pos[slot] == SLOT_TAKEN)
        return false;
    remove_free_at(a, a->pos[slot]);
    return true;
}

bool orbit_alloc_release(orbit_alloc *a, const orbit_number *n)
{
    uint32_t slot = number_slot(a, n);
    if (slot == SLOT_TAKEN || a->pos[slot] != SLOT_TAKEN)
        return false;
    a->pos[slot] = a->nfree;
    a->free_slots[a->nfree++] = slot;
    return true;
}

bool orbit_alloc_covers(const orbit_alloc *a, const orbit_number *n)
{
    return number_slot(a, n) != SLOT_TAKEN;
}

uint32_t orbit_alloc_free_count(const orbit_alloc *a)
{
    return a->nfree;
}

uint32_t orbit_alloc_capacity(const orbit_alloc *a)
{
    return a->capacity;
}
