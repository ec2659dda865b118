/* Tiny assertion macros shared by the libexporter unit tests (libuv style). */
#ifndef OMX_TEST_H
#define OMX_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ASSERT(expr)                                                                    \
    do {                                                                                \
        if (!(expr)) {                                                                  \
            fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #expr); \
            abort();                                                                    \
        }                                                                               \
    } while (0)

#define ASSERT_EQ(a, b)                                                                   \
    do {                                                                                  \
        long long a_ = (long long)(a), b_ = (long long)(b);                               \
        if (a_ != b_) {                                                                   \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, \
                    #a, #b, a_, b_);                                                      \
            abort();                                                                      \
        }                                                                                 \
    } while (0)

#define ASSERT_STR_EQ(a, b)                                                                \
    do {                                                                                   \
        const char *a_ = (a), *b_ = (b);                                                   \
        if (strcmp(a_, b_) != 0) {                                                         \
            fprintf(stderr, "%s:%d: %s == %s failed:\n  got  \"%s\"\n  want \"%s\"\n",     \
                    __FILE__, __LINE__, #a, #b, a_, b_);                                   \
            abort();                                                                       \
        }                                                                                  \
    } while (0)

#define ASSERT_OK(expr) ASSERT_EQ((expr), 0)

#endif
