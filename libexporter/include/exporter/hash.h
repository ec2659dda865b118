/* omx libexporter: FNV-1a 64-bit, the one non-cryptographic hash for hash
 * tables and change checks. Header-only (static inline), so any library or
 * exporter can use it without linking anything.
 *
 * Whole buffer:  h = omx_fnv64(p, n);
 * Incremental:   h = omx_fnv64_start();
 *                h = omx_fnv64_add(h, p, n);
 *                h = omx_fnv64_byte(h, 0xff);  (e.g. a field separator)
 * Feeding the same bytes in pieces gives the same value as in one call.
 * Not for anything an attacker must not steer into collisions unless seeded
 * (omx_fnv64_seeded): the function is public and fixed. */
#ifndef EXPORTER_HASH_H
#define EXPORTER_HASH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OMX_FNV64_OFFSET 14695981039346656037ull
#define OMX_FNV64_PRIME 1099511628211ull

/* The initial state (the FNV offset basis). */
static inline uint64_t omx_fnv64_start(void) { return OMX_FNV64_OFFSET; }

/* A start that depends on seed (0 gives omx_fnv64_start()): per-process
 * random seeds keep peers from predicting which keys share a bucket. */
static inline uint64_t omx_fnv64_seeded(uint64_t seed) { return seed ^ OMX_FNV64_OFFSET; }

/* h with one more byte c. */
static inline uint64_t omx_fnv64_byte(uint64_t h, unsigned char c) {
    return (h ^ c) * OMX_FNV64_PRIME;
}

/* h with the n bytes at p (p may be NULL when n is 0). */
static inline uint64_t omx_fnv64_add(uint64_t h, const void *p, size_t n) {
    const unsigned char *u = (const unsigned char *)p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ u[i]) * OMX_FNV64_PRIME;
    return h;
}

/* h with the bytes of the NUL-terminated string s (not its NUL). */
static inline uint64_t omx_fnv64_add_str(uint64_t h, const char *s) {
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * OMX_FNV64_PRIME;
    return h;
}

/* FNV-1a 64 of the n bytes at p. */
static inline uint64_t omx_fnv64(const void *p, size_t n) {
    return omx_fnv64_add(OMX_FNV64_OFFSET, p, n);
}

/* FNV-1a 64 of the NUL-terminated string s. */
static inline uint64_t omx_fnv64_str(const char *s) {
    return omx_fnv64_add_str(OMX_FNV64_OFFSET, s);
}

#ifdef __cplusplus
}
#endif
#endif
