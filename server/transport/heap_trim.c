/* heap_trim: the resident size from /proc, the free memory from glibc. */
#include "heap_trim.h"

#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <unistd.h>

#define HEAP_CHECK_MS 2000
/* Growth of the resident size, and freed memory held, worth a trim: 1
 * MiB, under a tenth of an idle pool's resident size, so a burst's
 * memory comes back to within 10% of where it was. */
#define HEAP_SLACK_BYTES (1u * 1024u * 1024u)

/* The resident size in bytes, 0 when unknown. */
static uint64_t resident_bytes(void)
{
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char buf[128];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    unsigned long long size, resident;
    long page = sysconf(_SC_PAGESIZE);
    if (sscanf(buf, "%llu %llu", &size, &resident) != 2 || page <= 0)
        return 0;
    return (uint64_t)resident * (uint64_t)page;
}

bool heap_trim_tick(heap_trim *h, int64_t now_ms)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33) /* mallinfo2 */
    if (now_ms - h->checked_ms < HEAP_CHECK_MS)
        return false;
    h->checked_ms = now_ms;
    /* Grown since the last trim, with freed memory held: a burst is over
     * (mid-burst the memory is still in use, and the next look sees it). */
    if (resident_bytes() < h->resident_bytes + HEAP_SLACK_BYTES ||
        mallinfo2().fordblks < HEAP_SLACK_BYTES)
        return false;
    malloc_trim(0);
    h->trims++;
    h->resident_bytes = resident_bytes();
    return true;
#else
    (void)h;
    (void)now_ms;
    return false;
#endif
}
