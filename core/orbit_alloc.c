/* orbit_alloc: dense free list with positions, for O(1) random parking.
 *
 * Each range owns a block of consecutive slots; a slot maps back to its
 * number through its block. Adding a range appends a block, removing one
 * turns its block into a hole, so a change costs O(size of that range)
 * rather than O(all the pool's numbers). Holes are squeezed out by a
 * rebuild once they outnumber live slots, which keeps the arrays within
 * twice the pool's capacity at an amortised O(1) per slot. */
#include "orbit_alloc.h"

#include <stdlib.h>
#include <string.h>

#define SLOT_TAKEN UINT32_MAX
#define NO_BLOCK   UINT32_MAX
/* Holes are tolerated up to this many slots before any rebuild. */
#define HOLES_SLACK 4096u

typedef struct {
    orbit_number start;
    orbit_number end;
    uint32_t base;  /* first slot */
    uint32_t taken; /* numbers of this block in use */
    bool live;
} alloc_block;

struct orbit_alloc {
    alloc_block *blocks; /* by block id; ids of dead blocks are reused */
    size_t nblocks, capblocks;
    uint32_t *order; /* ids of live blocks, sorted by start */
    size_t nlive;
    uint32_t *slot_block; /* slot -> block id, NO_BLOCK in a hole */
    uint32_t *free_slots; /* free_slots[0..nfree) are the free slots */
    uint32_t *pos;        /* pos[slot]: index in free_slots, or SLOT_TAKEN */
    uint32_t nslots;      /* slots handed out so far (live + holes) */
    uint32_t capslots;
    uint32_t capacity; /* numbers in live blocks */
    uint32_t nfree;
    uint32_t holes;
};

orbit_alloc *orbit_alloc_new(void)
{
    return calloc(1, sizeof(orbit_alloc));
}

static void release_arrays(orbit_alloc *a)
{
    free(a->blocks);
    free(a->order);
    free(a->slot_block);
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

static orbit_number slot_number(const orbit_alloc *a, uint32_t slot)
{
    const alloc_block *b = &a->blocks[a->slot_block[slot]];
    return orbit_number_with_value(&b->start, b->start.value + (slot - b->base));
}

/* Position in order of the first live block whose start is above n. */
static size_t order_upper_bound(const orbit_alloc *a, const orbit_number *n)
{
    size_t lo = 0, hi = a->nlive;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (orbit_number_compare(&a->blocks[a->order[mid]].start, n) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The block holding n, or NULL. */
static const alloc_block *block_of(const orbit_alloc *a, const orbit_number *n)
{
    size_t i = order_upper_bound(a, n);
    if (i == 0)
        return NULL;
    const alloc_block *b = &a->blocks[a->order[i - 1]];
    if (b->start.prefix != n->prefix || n->value > b->end.value || n->value < b->start.value)
        return NULL;
    return b;
}

/* The slot of n, or SLOT_TAKEN when n is outside every range. */
static uint32_t number_slot(const orbit_alloc *a, const orbit_number *n)
{
    const alloc_block *b = block_of(a, n);
    return b ? b->base + (n->value - b->start.value) : SLOT_TAKEN;
}

static bool grow_slots(orbit_alloc *a, uint32_t want)
{
    if (want <= a->capslots)
        return true;
    uint64_t cap = a->capslots ? a->capslots : 256;
    while (cap < want)
        cap *= 2;
    if (cap >= SLOT_TAKEN)
        return false;
    uint32_t *sb = realloc(a->slot_block, cap * sizeof *sb);
    if (!sb)
        return false;
    a->slot_block = sb;
    uint32_t *fs = realloc(a->free_slots, cap * sizeof *fs);
    if (!fs)
        return false;
    a->free_slots = fs;
    uint32_t *p = realloc(a->pos, cap * sizeof *p);
    if (!p)
        return false;
    a->pos = p;
    a->capslots = (uint32_t)cap;
    return true;
}

/* A free block id, growing the table of blocks if needed. */
static bool new_block(orbit_alloc *a, uint32_t *id)
{
    for (size_t i = 0; i < a->nblocks; i++) {
        if (!a->blocks[i].live) {
            *id = (uint32_t)i;
            return true;
        }
    }
    if (a->nblocks == a->capblocks) {
        size_t cap = a->capblocks ? a->capblocks * 2 : 16;
        alloc_block *b = realloc(a->blocks, cap * sizeof *b);
        if (!b)
            return false;
        a->blocks = b;
        uint32_t *o = realloc(a->order, cap * sizeof *o);
        if (!o)
            return false;
        a->order = o;
        a->capblocks = cap;
    }
    *id = (uint32_t)a->nblocks++;
    a->blocks[*id].live = false;
    return true;
}

static void remove_free_at(orbit_alloc *a, uint32_t i)
{
    uint32_t slot = a->free_slots[i];
    uint32_t last = a->free_slots[--a->nfree];
    a->free_slots[i] = last;
    a->pos[last] = i;
    a->pos[slot] = SLOT_TAKEN;
    a->blocks[a->slot_block[slot]].taken++;
}

static bool add_block(orbit_alloc *a, const orbit_range *r, orbit_alloc_used_fn used, void *ctx)
{
    uint32_t size = orbit_range_size(r);
    uint64_t want = (uint64_t)a->nslots + size;
    if (size == 0 || want >= SLOT_TAKEN || block_of(a, &r->start) || block_of(a, &r->end))
        return false;
    uint32_t id;
    if (!grow_slots(a, (uint32_t)want) || !new_block(a, &id))
        return false;
    alloc_block *b = &a->blocks[id];
    b->start = r->start;
    b->end = r->end;
    b->base = a->nslots;
    b->taken = 0;
    b->live = true;
    size_t at = order_upper_bound(a, &r->start);
    memmove(&a->order[at + 1], &a->order[at], (a->nlive - at) * sizeof *a->order);
    a->order[at] = id;
    a->nlive++;
    for (uint32_t j = 0; j < size; j++) {
        uint32_t s = b->base + j;
        a->slot_block[s] = id;
        orbit_number num = orbit_number_with_value(&r->start, r->start.value + j);
        if (used && used(ctx, &num)) {
            a->pos[s] = SLOT_TAKEN;
            b->taken++;
        } else {
            a->pos[s] = a->nfree;
            a->free_slots[a->nfree++] = s;
        }
    }
    a->nslots += size;
    a->capacity += size;
    return true;
}

/* Rebuilds without holes: the live blocks again, in order, keeping which
 * numbers are taken. */
static bool compact(orbit_alloc *a)
{
    orbit_alloc fresh = {0};
    for (size_t i = 0; i < a->nlive; i++) {
        const alloc_block *b = &a->blocks[a->order[i]];
        orbit_range r = {.start = b->start, .end = b->end};
        if (!add_block(&fresh, &r, NULL, NULL)) {
            release_arrays(&fresh);
            return false;
        }
        for (uint32_t j = 0; j <= b->end.value - b->start.value; j++) {
            if (a->pos[b->base + j] == SLOT_TAKEN) {
                uint32_t s = fresh.blocks[fresh.order[i]].base + j;
                remove_free_at(&fresh, fresh.pos[s]);
            }
        }
    }
    release_arrays(a);
    *a = fresh;
    return true;
}

bool orbit_alloc_add_range(orbit_alloc *a, const orbit_range *r, orbit_alloc_used_fn used,
                           void *ctx)
{
    return add_block(a, r, used, ctx);
}

bool orbit_alloc_remove_range(orbit_alloc *a, const orbit_range *r)
{
    size_t i = order_upper_bound(a, &r->start);
    if (i == 0)
        return false;
    uint32_t id = a->order[i - 1];
    alloc_block *b = &a->blocks[id];
    if (orbit_number_compare(&b->start, &r->start) != 0 ||
        orbit_number_compare(&b->end, &r->end) != 0)
        return false;
    uint32_t size = b->end.value - b->start.value + 1;
    for (uint32_t j = 0; j < size; j++) {
        uint32_t s = b->base + j;
        if (a->pos[s] != SLOT_TAKEN)
            remove_free_at(a, a->pos[s]); /* counted as taken: the block goes anyway */
        a->slot_block[s] = NO_BLOCK;
    }
    memmove(&a->order[i - 1], &a->order[i], (a->nlive - i) * sizeof *a->order);
    a->nlive--;
    b->live = false;
    a->capacity -= size;
    a->holes += size;
    if (a->holes > HOLES_SLACK && a->holes > a->capacity)
        compact(a); /* on OOM the holes stay: correct, only larger */
    return true;
}

bool orbit_alloc_build(orbit_alloc *a, const orbit_range *ranges, size_t n,
                       orbit_alloc_used_fn used, void *ctx)
{
    orbit_alloc fresh = {0};
    for (size_t i = 0; i < n; i++) {
        if (!add_block(&fresh, &ranges[i], used, ctx)) {
            release_arrays(&fresh);
            return false;
        }
    }
    release_arrays(a);
    *a = fresh;
    return true;
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
    a->blocks[a->slot_block[slot]].taken--;
    return true;
}

uint32_t orbit_alloc_taken_in(const orbit_alloc *a, const orbit_range *r)
{
    const alloc_block *b = block_of(a, &r->start);
    if (!b || orbit_number_compare(&b->start, &r->start) != 0 ||
        orbit_number_compare(&b->end, &r->end) != 0)
        return 0;
    return b->taken;
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
