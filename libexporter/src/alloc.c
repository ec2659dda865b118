/* The one allocation wrapper of libexporter. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void *omx__malloc(size_t n) { return malloc(n ? n : 1); }

void *omx__calloc(size_t n, size_t size) { return calloc(n ? n : 1, size ? size : 1); }

void *omx__realloc(void *p, size_t n) { return realloc(p, n ? n : 1); }

void *omx__aligned(size_t n) {
    n = (n + OMX__CACHELINE - 1) & ~(size_t)(OMX__CACHELINE - 1);
    void *p = aligned_alloc(OMX__CACHELINE, n ? n : OMX__CACHELINE);
    if (p)
        memset(p, 0, n);
    return p;
}

char *omx__strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = omx__malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

void omx__free(void *p) { free(p); }
