/* A per-scrape set of family names already written, so one scrape never
 * writes two families of the same name (registry vs collector, or two
 * collectors). Names are copied into one arena; the table holds offsets.
 * Open addressing, load at most 1/2: a lookup is a hash and usually one
 * comparison, cheap next to writing the family. */
#include <string.h>

#include "internal.h"

#define NAMESET_MAX_BYTES (64u << 20) /* arena cap: far above any real scrape */

static int grow_to(omx__nameset *s, size_t cap);

void omx__nameset_init(omx__nameset *s, size_t n) {
    memset(s, 0, sizeof *s);
    omx_buf_init(&s->arena, NAMESET_MAX_BYTES);
    size_t cap = 64;
    while (cap < n * 2 + 2 && cap < (1u << 20))
        cap *= 2;
    (void)grow_to(s, cap); /* no memory now: the first add tries again */
}

void omx__nameset_free(omx__nameset *s) {
    omx__free(s->slots);
    omx_buf_free(&s->arena);
    memset(s, 0, sizeof *s);
}

/* A key is name followed by suffix (e.g. "_total"), hashed without joining
 * them: bytes are gathered into 64-bit words, one multiply per word, so the
 * hash of a key does not depend on where it is split. */
uint64_t omx__nameset_hash(const char *p, size_t n, const char *suffix) {
    uint64_t h = 0x9e3779b97f4a7c15ULL, w = 0;
    unsigned k = 0;
    size_t i0 = 0;
    for (; i0 + 8 <= n; i0 += 8) { /* the name's whole words first */
        memcpy(&w, p + i0, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        w = __builtin_bswap64(w); /* the byte loop below gathers little-endian */
#endif
        h = (h ^ w) * 0x9fb21c651e98df25ULL;
        h ^= h >> 29;
    }
    w = 0;
    for (int part = 0; part < 2; part++) {
        const unsigned char *q = (const unsigned char *)(part ? suffix : p + i0);
        size_t m = part ? strlen(suffix) : n - i0;
        for (size_t i = 0; i < m; i++) {
            w |= (uint64_t)q[i] << (8 * k);
            if (++k == 8) {
                h = (h ^ w) * 0x9fb21c651e98df25ULL;
                h ^= h >> 29;
                w = 0;
                k = 0;
            }
        }
    }
    h = (h ^ w ^ ((uint64_t)k << 59)) * 0x9fb21c651e98df25ULL;
    return h ^ (h >> 32);
}

static omx__name_slot *find(const omx__nameset *s, uint64_t h, const char *name, size_t len,
                            const char *suffix, size_t slen) {
    for (size_t i = h & s->mask;; i = (i + 1) & s->mask) {
        omx__name_slot *e = &s->slots[i];
        if (!e->len)
            return e;
        if (e->hash == h && e->len == len + slen &&
            memcmp(s->arena.data + e->off, name, len) == 0 &&
            memcmp(s->arena.data + e->off + len, suffix, slen) == 0)
            return e;
    }
}

bool omx__nameset_has_h(const omx__nameset *s, uint64_t h, const char *name, size_t len,
                        const char *suffix) {
    return s->slots && len && find(s, h, name, len, suffix, strlen(suffix))->len != 0;
}

bool omx__nameset_has(const omx__nameset *s, const char *name, size_t len, const char *suffix) {
    return omx__nameset_has_h(s, omx__nameset_hash(name, len, suffix), name, len, suffix);
}

static int grow(omx__nameset *s) { return grow_to(s, s->slots ? (s->mask + 1) * 2 : 64); }

static int grow_to(omx__nameset *s, size_t cap) {
    omx__name_slot *ns = omx__calloc(cap, sizeof *ns);
    if (!ns)
        return OMX_ENOMEM;
    omx__nameset old = *s;
    s->slots = ns;
    s->mask = cap - 1;
    for (size_t i = 0; old.slots && i <= old.mask; i++)
        if (old.slots[i].len)
            *find(s, old.slots[i].hash, "", 0, "", 0) = old.slots[i]; /* an empty slot */
    omx__free(old.slots);
    return 0;
}

int omx__nameset_add(omx__nameset *s, const char *name, size_t len, const char *suffix) {
    return omx__nameset_add_h(s, omx__nameset_hash(name, len, suffix), name, len, suffix);
}

int omx__nameset_add_h(omx__nameset *s, uint64_t h, const char *name, size_t len,
                       const char *suffix) {
    size_t slen = strlen(suffix);
    if (!len || len > UINT32_MAX / 2)
        return OMX_EINVAL;
    if ((!s->slots || (s->n + 1) * 2 > s->mask + 1) && grow(s) < 0)
        return OMX_ENOMEM;
    omx__name_slot *e = find(s, h, name, len, suffix, slen);
    if (e->len)
        return 0;
    size_t off = s->arena.len;
    if (off > UINT32_MAX)
        return OMX_ELIMIT;
    int rc = omx_buf_append(&s->arena, name, len);
    if (rc == 0)
        rc = omx_buf_append(&s->arena, suffix, slen);
    if (rc < 0)
        return rc;
    *e = (omx__name_slot){.hash = h, .off = (uint32_t)off, .len = (uint32_t)(len + slen)};
    s->n++;
    return 1;
}
