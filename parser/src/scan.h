/* Block scanners for the hot spans of a sample line: they skip 16 bytes at a
 * time (SSE2 on x86-64, a byte loop elsewhere) over what can only be part of
 * the token, and leave the first interesting byte to the re2c rules, which
 * remain the definition of the syntax. `lim` is the end of readable memory:
 * a block is only loaded when it lies wholly before it. */
#ifndef OMP_SCAN_H
#define OMP_SCAN_H

#include <stdbool.h>
#include <stdint.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Skips bytes that stand for themselves inside a quoted label value (ASCII
 * except LF, '"' and '\\'). Returns the first other byte (or a position
 * less than 16 bytes before lim: the caller's byte loop goes on from there). */
static inline const char *omp__scan_plain(const char *s, const char *lim) {
#if defined(__SSE2__)
    const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), lf = _mm_set1_epi8('\n');
    while (lim - s >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
        __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, q), _mm_cmpeq_epi8(x, bs)),
                                    _mm_cmpeq_epi8(x, lf));
        /* movemask of x itself: bytes >= 0x80 (UTF-8 for the DFA). */
        unsigned m = (unsigned)(_mm_movemask_epi8(stop) | _mm_movemask_epi8(x));
        if (m)
            return s + __builtin_ctz(m);
        s += 16;
    }
#else
    (void)lim;
#endif
    return s;
}

/* Skips name characters after the first: [a-zA-Z0-9_] plus ':' when colon
 * is set (metric names). Returns the first byte that is not one, or where
 * fewer than 16 readable bytes are left (the caller's table loop goes on). */
static inline const char *omp__scan_name(const char *s, const char *lim, bool colon) {
#if defined(__SSE2__)
    /* Unsigned range tests as signed compares after a shift by 0x80 - lo. */
    const __m128i d_off = _mm_set1_epi8((char)(0x80 - '0')),
                  d_max = _mm_set1_epi8((char)(0x80 + 10));
    const __m128i a_off = _mm_set1_epi8((char)(0x80 - 'a')),
                  a_max = _mm_set1_epi8((char)(0x80 + 26));
    const __m128i lower = _mm_set1_epi8(0x20), us = _mm_set1_epi8('_');
    const __m128i col = _mm_set1_epi8(colon ? ':' : '_');
    while (lim - s >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
        __m128i dig = _mm_cmplt_epi8(_mm_add_epi8(x, d_off), d_max);
        /* x | 0x20 maps A-Z onto a-z and no other byte into a-z. */
        __m128i alpha = _mm_cmplt_epi8(_mm_add_epi8(_mm_or_si128(x, lower), a_off), a_max);
        __m128i ok = _mm_or_si128(_mm_or_si128(dig, alpha),
                                  _mm_or_si128(_mm_cmpeq_epi8(x, us), _mm_cmpeq_epi8(x, col)));
        unsigned m = (unsigned)_mm_movemask_epi8(ok) ^ 0xffffu;
        if (m)
            return s + __builtin_ctz(m);
        s += 16;
    }
#else
    (void)lim;
    (void)colon;
#endif
    return s;
}

#endif
