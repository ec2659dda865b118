/* The assertion macros of every omx C unit test.
 *
 * A failed assertion prints file:line, the expression and the values it
 * compared, then aborts (the test fails at once, with a core or sanitizer
 * stack where one is set up). Each assertion that runs is counted, and a test
 * ends its main() with TEST_DONE(): it fails a test in which no assertion ran.
 *
 *   ASSERT(expr)               expr is true
 *   ASSERT_MSG(expr, fmt, ...) the same, printing fmt when it fails
 *   ASSERT_OK(expr)            expr == 0 (a function returning 0 or -errno)
 *   ASSERT_EQ(a, b)            integers (compared as intmax_t)
 *   ASSERT_NE(a, b)
 *   ASSERT_STR_EQ(a, b)        strings; NULL equals only NULL
 *   ASSERT_DBL_EQ(a, b)        doubles with the same bits (NaN equals NaN, -0 != 0)
 *
 * Assertions may run on several threads.
 */
#ifndef OMX_TEST_H
#define OMX_TEST_H

#include <inttypes.h>
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Atomic unsigned long omx_test_checks __attribute__((unused));

static inline void omx_test_count(void) {
    atomic_fetch_add_explicit(&omx_test_checks, 1, memory_order_relaxed);
}

__attribute__((noreturn, unused)) static void omx_test_fail(void) {
    fflush(stdout);
    abort();
}

#define ASSERT(expr)                                                                  \
    do {                                                                              \
        omx_test_count();                                                             \
        if (!(expr)) {                                                                \
            fprintf(stderr, "%s:%d: ASSERT(%s) failed\n", __FILE__, __LINE__, #expr); \
            omx_test_fail();                                                          \
        }                                                                             \
    } while (0)

#define ASSERT_MSG(expr, ...)                                                         \
    do {                                                                              \
        omx_test_count();                                                             \
        if (!(expr)) {                                                                \
            fprintf(stderr, "%s:%d: ASSERT(%s) failed: ", __FILE__, __LINE__, #expr); \
            fprintf(stderr, __VA_ARGS__);                                             \
            fputc('\n', stderr);                                                      \
            omx_test_fail();                                                          \
        }                                                                             \
    } while (0)

#define OMX_TEST_CMP_INT(a, op, b)                                                            \
    do {                                                                                      \
        intmax_t a_ = (intmax_t)(a), b_ = (intmax_t)(b);                                      \
        omx_test_count();                                                                     \
        if (!(a_ op b_)) {                                                                    \
            fprintf(stderr, "%s:%d: ASSERT(%s %s %s) failed: %" PRIdMAX " vs %" PRIdMAX "\n", \
                    __FILE__, __LINE__, #a, #op, #b, a_, b_);                                 \
            omx_test_fail();                                                                  \
        }                                                                                     \
    } while (0)

#define ASSERT_EQ(a, b) OMX_TEST_CMP_INT(a, ==, b)
#define ASSERT_NE(a, b) OMX_TEST_CMP_INT(a, !=, b)
#define ASSERT_OK(expr) OMX_TEST_CMP_INT(expr, ==, 0)

#define ASSERT_STR_EQ(a, b)                                                                       \
    do {                                                                                          \
        const char *a_ = (a), *b_ = (b);                                                          \
        omx_test_count();                                                                         \
        if (a_ != b_ && (!a_ || !b_ || strcmp(a_, b_) != 0)) {                                    \
            fprintf(stderr,                                                                       \
                    "%s:%d: ASSERT_STR_EQ(%s, %s) failed:\n  got  %s%s%s\n  want %s%s%s\n",       \
                    __FILE__, __LINE__, #a, #b, a_ ? "\"" : "", a_ ? a_ : "NULL", a_ ? "\"" : "", \
                    b_ ? "\"" : "", b_ ? b_ : "NULL", b_ ? "\"" : "");                            \
            omx_test_fail();                                                                      \
        }                                                                                         \
    } while (0)

#define ASSERT_DBL_EQ(a, b)                                                                    \
    do {                                                                                       \
        double a_ = (a), b_ = (b);                                                             \
        omx_test_count();                                                                      \
        if (memcmp(&a_, &b_, sizeof a_) != 0) {                                                \
            fprintf(stderr, "%s:%d: ASSERT_DBL_EQ(%s, %s) failed: %.17g vs %.17g\n", __FILE__, \
                    __LINE__, #a, #b, a_, b_);                                                 \
            omx_test_fail();                                                                   \
        }                                                                                      \
    } while (0)

/* Ends main(): 0 when assertions ran (all passed: a failed one aborted), 1
 * when none did. */
#define TEST_DONE()                                              \
    do {                                                         \
        unsigned long n_ = atomic_load(&omx_test_checks);        \
        if (n_ == 0) {                                           \
            fprintf(stderr, "%s: no assertion ran\n", __FILE__); \
            return 1;                                            \
        }                                                        \
        printf("ok: %lu assertions\n", n_);                      \
        return 0;                                                \
    } while (0)

#endif
