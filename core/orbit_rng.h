/* orbit_rng: a small, seedable pseudo-random generator (xoshiro256**)
 * carried by its owner, so that nothing random hides in global state and
 * tests can replay a sequence. Not for secrets. */
#ifndef ORBIT_RNG_H
#define ORBIT_RNG_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uint64_t s[4];
} orbit_rng;

/* Seeds deterministically from one 64-bit value. */
void orbit_rng_seed(orbit_rng *rng, uint64_t seed);

/* Seeds from the kernel's entropy; false if that failed (rng still usable,
 * seeded from the clock). */
bool orbit_rng_seed_os(orbit_rng *rng);

uint64_t orbit_rng_next(orbit_rng *rng);

/* Uniform in [0, bound); bound must be > 0. Unbiased. */
uint64_t orbit_rng_below(orbit_rng *rng, uint64_t bound);

/* Uniform in [0, 1). */
double orbit_rng_unit(orbit_rng *rng);

#endif
