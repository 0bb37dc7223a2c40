/* fuzz_replay: the main() a harness gets outside a fuzzing build. It
 * feeds the harness every file named on the command line, and every
 * regular file of every directory named (in name order), so the corpora
 * are regression tests in every build. An argument that yields no input
 * is an error: a corpus that went missing must not pass. */
#include "fuzz_util.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fuzz_replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            uint8_t *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    bool failed = ferror(f) || !buf;
    fclose(f);
    if (failed) {
        free(buf);
        fprintf(stderr, "fuzz_replay: %s: could not read\n", path);
        return -1;
    }
    /* The harness sees exactly the file's bytes, as libFuzzer gives them. */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact) {
        free(buf);
        return -1;
    }
    memcpy(exact, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

static int only_files(const struct dirent *de)
{
    return de->d_name[0] != '.';
}

/* Replays a file or a directory's files; returns how many, -1 on error. */
static long replay(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        fprintf(stderr, "fuzz_replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(sb.st_mode))
        return replay_file(path) == 0 ? 1 : -1;
    struct dirent **names;
    int n = scandir(path, &names, only_files, alphasort);
    if (n < 0) {
        fprintf(stderr, "fuzz_replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    long done = 0;
    for (int i = 0; i < n; i++) {
        char file[4096];
        if (done >= 0 &&
            snprintf(file, sizeof file, "%s/%s", path, names[i]->d_name) < (int)sizeof file)
            done = replay_file(file) == 0 ? done + 1 : -1;
        free(names[i]);
    }
    free(names);
    return done;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    long total = 0;
    for (int i = 1; i < argc; i++) {
        long n = replay(argv[i]);
        if (n <= 0) {
            fprintf(stderr, "fuzz_replay: %s: no input replayed\n", argv[i]);
            return 1;
        }
        total += n;
    }
    printf("fuzz_replay: %ld inputs replayed without a fault\n", total);
    return 0;
}
