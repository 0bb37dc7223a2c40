/* fuzz_util: byte helpers shared by the harnesses. */
#include "fuzz_util.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

char *fuzz_cstring(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return NULL;
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

size_t fuzz_lines(char *s, char **lines, size_t max)
{
    size_t n = 0;
    while (n < max && *s) {
        lines[n++] = s;
        char *nl = strchr(s, '\n');
        if (!nl)
            break;
        *nl = '\0';
        s = nl + 1;
    }
    return n;
}

int fuzz_memfile(const uint8_t *data, size_t size, char *path, size_t cap)
{
    int fd = memfd_create("fuzz-input", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(fd, data + off, size - off);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    if (snprintf(path, cap, "/proc/self/fd/%d", fd) >= (int)cap) {
        close(fd);
        return -1;
    }
    return fd;
}
