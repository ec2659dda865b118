/* Tiny assertion macros for the http/app unit tests. */
#ifndef TEST_HTTP_ASSERT_H
#define TEST_HTTP_ASSERT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_failures;
static int test_checks;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        test_checks++;                                                               \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            test_failures++;                                                         \
        }                                                                            \
    } while (0)

#define CHECK_STR(a, b)                                                                   \
    do {                                                                                  \
        const char *a_ = (a), *b_ = (b);                                                  \
        test_checks++;                                                                    \
        if (!a_ || !b_ || strcmp(a_, b_)) {                                               \
            fprintf(stderr, "%s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__,             \
                    a_ ? a_ : "(null)", b_ ? b_ : "(null)");                              \
            test_failures++;                                                              \
        }                                                                                 \
    } while (0)

#define TEST_DONE()                                                                   \
    do {                                                                              \
        printf("%d checks, %d failures\n", test_checks, test_failures);               \
        return test_failures ? 1 : test_checks ? 0 : 1;                               \
    } while (0)

#endif
