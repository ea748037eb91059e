/* The checks of the editor tests: CHECK(cond, printf-like message) counts a failure and
 * goes on, so that one run shows every difference. */
#ifndef NRN_TESTS_EDITORS_EXPECT_H
#define NRN_TESTS_EDITORS_EXPECT_H

#include <stdio.h>

static int failures;

#define CHECK(cond, ...)                                              \
    do {                                                              \
        if (!(cond)) {                                                \
            fprintf(stderr, "FAIL line %d: ", __LINE__);              \
            fprintf(stderr, __VA_ARGS__);                             \
            fputc('\n', stderr);                                      \
            failures++;                                               \
        }                                                             \
    } while (0)

#endif
