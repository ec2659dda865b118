/* Fixed-size table: see table.h. Indexes instead of pointers keep entries
 * small and the arrays position-independent. */
#include "table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

int wire_table_init(wire_table *t, size_t cap) {
    memset(t, 0, sizeof *t);
    if (cap < 1 || cap > (1u << 24))
        return -EINVAL;
    size_t nb = 1;
    while (nb < cap * 2)
        nb <<= 1;
    t->e = calloc(cap, sizeof *t->e);
    t->bucket = malloc(nb * sizeof *t->bucket);
    if (!t->e || !t->bucket) {
        wire_table_free(t);
        return -ENOMEM;
    }
    memset(t->bucket, 0xff, nb * sizeof *t->bucket);
    t->mask = (uint32_t)(nb - 1);
    t->cap = (uint32_t)cap;
    for (uint32_t i = 0; i < t->cap; i++)
        t->e[i].next = i + 1 < t->cap ? i + 1 : NONE;
    t->free = 0;
    t->oldest = t->newest = NONE;
    return 0;
}

void wire_table_free(wire_table *t) {
    free(t->e);
    free(t->bucket);
    memset(t, 0, sizeof *t);
}

size_t wire_table_bytes(const wire_table *t) {
    return (size_t)t->cap * sizeof *t->e + ((size_t)t->mask + 1) * sizeof *t->bucket;
}

uint32_t wire_key_hash(const wire_key *k) {
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 5; i++) {
        h ^= k->w[i];
        h *= 0xbf58476d1ce4e5b9ull;
        h ^= h >> 31;
    }
    return (uint32_t)(h ^ h >> 32);
}

static int key_eq(const wire_key *a, const wire_key *b) {
    return a->w[0] == b->w[0] && a->w[1] == b->w[1] && a->w[2] == b->w[2] && a->w[3] == b->w[3] &&
           a->w[4] == b->w[4];
}

wire_entry *wire_table_find(wire_table *t, const wire_key *k, uint32_t h) {
    if (t->used == 0)
        return NULL;
    for (uint32_t i = t->bucket[h & t->mask]; i != NONE; i = t->e[i].next)
        if (key_eq(&t->e[i].key, k))
            return &t->e[i];
    return NULL;
}

void wire_table_remove(wire_table *t, wire_entry *e) {
    uint32_t i = (uint32_t)(e - t->e);
    uint32_t *pp = &t->bucket[wire_key_hash(&e->key) & t->mask];
    while (*pp != NONE && *pp != i)
        pp = &t->e[*pp].next;
    if (*pp == i)
        *pp = e->next;
    if (e->older != NONE)
        t->e[e->older].newer = e->newer;
    else
        t->oldest = e->newer;
    if (e->newer != NONE)
        t->e[e->newer].older = e->older;
    else
        t->newest = e->older;
    e->next = t->free;
    t->free = i;
    t->used--;
}

wire_entry *wire_table_insert(wire_table *t, const wire_key *k, uint32_t h, int64_t ts,
                              int *evicted) {
    *evicted = 0;
    if (t->free == NONE) {
        wire_table_remove(t, &t->e[t->oldest]);
        *evicted = 1;
    }
    uint32_t i = t->free;
    wire_entry *e = &t->e[i];
    t->free = e->next;
    memset(e, 0, sizeof *e);
    e->key = *k;
    e->ts = ts;
    uint32_t b = h & t->mask;
    e->next = t->bucket[b];
    t->bucket[b] = i;
    e->newer = NONE;
    e->older = t->newest;
    if (t->newest != NONE)
        t->e[t->newest].newer = i;
    else
        t->oldest = i;
    t->newest = i;
    t->used++;
    return e;
}

wire_entry *wire_table_oldest(wire_table *t) { return t->oldest == NONE ? NULL : &t->e[t->oldest]; }
