/* Growing an array by doubling, never past a hard limit. */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"

int omp__grow(void **ptr, size_t *cap, size_t need, size_t elem, size_t limit) {
    size_t ncap;
    void *n;

    if (need <= *cap)
        return 0;
    if (need > limit)
        return -E2BIG;
    ncap = *cap ? *cap * 2 : 16;
    while (ncap < need)
        ncap *= 2;
    if (ncap > limit)
        ncap = limit;
    n = realloc(*ptr, ncap * elem);
    if (!n)
        return -ENOMEM;
    *ptr = n;
    *cap = ncap;
    return 0;
}
