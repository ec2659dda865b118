/* A bump allocator for the messages of one request: thousands of small
 * protobuf structs freed at once after packing. */
#include <stdlib.h>
#include <string.h>

#include "push-internal.h"

#define CHUNK (64 * 1024)

struct omx__push_chunk {
    struct omx__push_chunk *next;
    size_t used, cap;
    _Alignas(16) unsigned char mem[];
};

void *omx__push_alloc(omx__push_arena *a, size_t n) {
    n = (n + 15) & ~(size_t)15;
    struct omx__push_chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > CHUNK ? n : CHUNK;
        c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->next = a->head;
        c->used = 0;
        c->cap = cap;
        a->head = c;
    }
    void *p = c->mem + c->used;
    c->used += n;
    a->used += n;
    return p;
}

char *omx__push_strdup(omx__push_arena *a, const char *s) {
    size_t n = strlen(s) + 1;
    char *p = omx__push_alloc(a, n);
    if (p)
        memcpy(p, s, n);
    return p;
}

void omx__push_arena_free(omx__push_arena *a) {
    for (struct omx__push_chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    a->head = NULL;
    a->used = 0;
}
