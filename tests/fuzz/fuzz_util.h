/* fuzz_util: what every harness shares: the libFuzzer entry point's
 * prototype, invariant checks that crash (so libFuzzer and the replay
 * both report them), and turning the fuzzer's bytes into the C strings,
 * lines and files the code under test reads. */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Defined by each harness; called by libFuzzer or by fuzz_replay.c. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant of the code under test: when it does not hold the input
 * has found a bug, reported as a crash. */
#define FUZZ_REQUIRE(cond)                                                                         \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A NUL-terminated copy of the input (new, free it); NULL only on OOM,
 * which the harnesses treat as nothing to do. Bytes after an embedded
 * NUL are kept but unseen by string functions, as they would be. */
char *fuzz_cstring(const uint8_t *data, size_t size);

/* Splits s in place at each '\n' into at most max lines; returns how
 * many. The last line need not end with '\n'. */
size_t fuzz_lines(char *s, char **lines, size_t max);

/* Writes the input into a new anonymous file and its readable path
 * (/proc/self/fd/N) into path (at least 64 bytes). Returns the file
 * descriptor to close afterwards, or -1. */
int fuzz_memfile(const uint8_t *data, size_t size, char *path, size_t cap);

#endif
