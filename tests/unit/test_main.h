/* test_main: the main() of every unit test program. With a test name as
 * argument it runs only that test (ctest registers each one), and refuses
 * a name it does not know, so a renamed test cannot pass by running none. */
#ifndef ORBIT_TEST_MAIN_H
#define ORBIT_TEST_MAIN_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static inline int orbit_test_run(int argc, char **argv, const char *group,
                                 const struct CMUnitTest *tests, size_t n)
{
    if (argc > 1) {
        size_t i;
        for (i = 0; i < n; i++) {
            if (strcmp(tests[i].name, argv[1]) == 0)
                break;
        }
        if (i == n) {
            fprintf(stderr, "%s: no test named %s\n", group, argv[1]);
            return 2;
        }
        cmocka_set_test_filter(argv[1]);
    }
    return _cmocka_run_group_tests(group, tests, n, NULL, NULL);
}

#define ORBIT_TEST_MAIN(tests)                                                                     \
    int main(int argc, char **argv)                                                                \
    {                                                                                              \
        return orbit_test_run(argc, argv, #tests, tests, sizeof(tests) / sizeof((tests)[0]));      \
    }

#endif
