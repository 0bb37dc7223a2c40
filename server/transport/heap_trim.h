/* heap_trim: hands back to the system the memory a burst freed.
 *
 * 50 subscribers taking a large snapshot at once free tens of megabytes
 * in the middle of the heap, under what lives on (events, sessions), where
 * free() cannot give it back: without this the process keeps its peak
 * size for good. The check is cheap (one read of /proc/self/statm every
 * 2 s); malloc_trim runs only when the resident size has grown by 2 MiB
 * since the last trim and the allocator holds at least as much freed
 * memory. */
#ifndef HEAP_TRIM_H
#define HEAP_TRIM_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    int64_t checked_ms;      /* monotonic time of the last look */
    uint64_t resident_bytes; /* resident size after the last trim */
    uint64_t trims;          /* times memory was handed back, for /metrics */
} heap_trim;

/* Looks at most every 2 s (now_ms is monotonic) and trims when worth it;
 * true when it did. h starts zeroed. */
bool heap_trim_tick(heap_trim *h, int64_t now_ms);

#endif
