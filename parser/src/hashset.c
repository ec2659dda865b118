/* A set of 64-bit hashes (open addressing, linear probing) with a hard cap:
 * validation state that hostile input could otherwise grow without bound.
 * Zero marks an empty slot, so hash 0 is stored as 1. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

uint64_t omp__hash(const void *data, size_t len, uint64_t seed) {
    const unsigned char *p = data;
    uint64_t h = seed ^ (len * UINT64_C(0x9e3779b97f4a7c15));

    /* Two independent lanes over 16-byte blocks: twice the throughput of
	 * one dependency chain; label sets are hashed for every sample. */
    uint64_t h2 = h ^ UINT64_C(0x6a09e667f3bcc909);
    while (len >= 16) {
        uint64_t k1, k2;
        memcpy(&k1, p, 8);
        memcpy(&k2, p + 8, 8);
        h = (h ^ k1) * UINT64_C(0x94d049bb133111eb);
        h2 = (h2 ^ k2) * UINT64_C(0xbf58476d1ce4e5b9);
        h ^= h >> 29;
        h2 ^= h2 >> 31;
        p += 16;
        len -= 16;
    }
    h ^= h2 * UINT64_C(0x9e3779b97f4a7c15);
    /* 0..15 bytes left: fixed-size (possibly overlapping) loads, no memcpy
	 * call with a variable length. */
    if (len) {
        uint64_t k1 = 0, k2 = 0;
        if (len >= 8) {
            memcpy(&k1, p, 8);
            memcpy(&k2, p + len - 8, 8);
        } else if (len >= 4) {
            uint32_t a, b;
            memcpy(&a, p, 4);
            memcpy(&b, p + len - 4, 4);
            k1 = a | (uint64_t)b << 32;
        } else {
            k1 = (uint64_t)p[0] | (uint64_t)p[len / 2] << 8 | (uint64_t)p[len - 1] << 16;
        }
        k1 *= UINT64_C(0xbf58476d1ce4e5b9);
        k1 ^= k1 >> 31;
        h = (h ^ k1 ^ (k2 * UINT64_C(0x9e3779b97f4a7c15))) * UINT64_C(0x94d049bb133111eb);
    }
    h ^= h >> 32;
    h *= UINT64_C(0xd6e8feb86659fd93);
    h ^= h >> 32;
    return h;
}

static size_t slot_of(const omp__set *s, uint64_t h) {
    size_t i = (size_t)h & (s->cap - 1);
    while (s->slots[i] && s->slots[i] != h)
        i = (i + 1) & (s->cap - 1);
    return i;
}

bool omp__set_has(const omp__set *s, uint64_t h) {
    if (!s->cap)
        return false;
    h = h ? h : 1;
    return s->slots[slot_of(s, h)] == h;
}

int omp__set_add(omp__set *s, uint64_t h) {
    h = h ? h : 1;
    if (s->cap && s->slots[slot_of(s, h)] == h)
        return 0;
    if (s->count >= s->limit)
        return -E2BIG;
    if ((s->count + 1) * 2 > s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 16;
        uint64_t *n = calloc(ncap, sizeof(*n));
        if (!n)
            return -ENOMEM;
        omp__set old = *s;
        s->slots = n;
        s->cap = ncap;
        for (size_t i = 0; i < old.cap; i++)
            if (old.slots[i])
                s->slots[slot_of(s, old.slots[i])] = old.slots[i];
        free(old.slots);
    }
    s->slots[slot_of(s, h)] = h;
    s->count++;
    return 1;
}

void omp__set_clear(omp__set *s) {
    /* Keep small tables for reuse; drop big ones so memory stays flat. */
    if (s->cap > 1024) {
        free(s->slots);
        s->slots = NULL;
        s->cap = 0;
    } else if (s->cap) {
        memset(s->slots, 0, s->cap * sizeof(*s->slots));
    }
    s->count = 0;
}

void omp__set_free(omp__set *s) {
    free(s->slots);
    s->slots = NULL;
    s->cap = s->count = 0;
}
