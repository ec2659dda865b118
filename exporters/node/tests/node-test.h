/* omx-node unit tests: the one assertion macro they share. */
#ifndef NODE_TEST_H
#define NODE_TEST_H

#include <stdio.h>
#include <stdlib.h>

#define ASSERT(c)                                                                   \
    do {                                                                            \
        if (!(c)) {                                                                 \
            fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #c); \
            exit(1);                                                                \
        }                                                                           \
    } while (0)

#endif
