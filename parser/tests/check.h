/* Helpers shared by the parser tests: parse a whole input into a summary. */
#ifndef OMP_TEST_CHECK_H
#define OMP_TEST_CHECK_H
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openmetrics/openmetrics.h"

typedef struct summary {
    int rc; /* 0 or the error */
    unsigned entries, samples;
    uint64_t hash; /* of every entry's fields */
    char err[512];
} summary;

static inline uint64_t sum_mix(uint64_t h, const void *p, size_t n) {
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ c[i]) * 1099511628211u;
    return h;
}

static inline void sum_entry(summary *s, const omp_entry *e) {
    uint64_t h = s->hash;
    s->entries++;
    if (e->kind == OMP_SAMPLE)
        s->samples++;
    h = sum_mix(h, &e->kind, sizeof(e->kind));
    h = sum_mix(h, &e->line, sizeof(e->line));
    h = sum_mix(h, e->family.ptr, e->family.len);
    h = sum_mix(h, e->name.ptr, e->name.len);
    h = sum_mix(h, e->text.ptr, e->text.len);
    for (size_t i = 0; i < e->n_labels; i++) {
        h = sum_mix(h, e->labels[i].name.ptr, e->labels[i].name.len);
        h = sum_mix(h, e->labels[i].value.ptr, e->labels[i].value.len);
    }
    if (e->kind == OMP_SAMPLE) {
        h = sum_mix(h, &e->value, sizeof(e->value));
        h = sum_mix(h, &e->timestamp, sizeof(e->timestamp));
        h = sum_mix(h, &e->exemplar_value, sizeof(e->exemplar_value));
    }
    s->hash = h;
}

static inline void sum_end(summary *s, omp_parser *p, int r) {
    s->rc = r;
    snprintf(s->err, sizeof(s->err), "%s", omp_parser_error(p) ? omp_parser_error(p) : "");
}

/* Whole buffer. */
static inline summary parse_all(omp_format f, const char *buf, size_t len, const omp_limits *lim) {
    summary s = {0};
    omp_parser *p = NULL;
    omp_entry e;
    int r;

    if (omp_parser_new(&p, f, lim) < 0)
        abort();
    omp_parser_set_buffer(p, buf, len);
    while ((r = omp_next(p, &e)) > 0)
        sum_entry(&s, &e);
    sum_end(&s, p, r);
    omp_parser_free(p);
    return s;
}

/* Streamed in pieces cut at the given offsets (ascending). Each piece is a
 * private heap copy freed right after it is consumed, so a view kept too
 * long shows up under ASan. */
static inline summary parse_split(omp_format f, const char *buf, size_t len, const size_t *cuts,
                                  size_t ncuts, const omp_limits *lim) {
    summary s = {0};
    omp_parser *p = NULL;
    omp_entry e;
    size_t off = 0;
    int r = 0;

    if (omp_parser_new(&p, f, lim) < 0)
        abort();
    for (size_t i = 0; i <= ncuts; i++) {
        size_t to = i < ncuts ? cuts[i] : len;
        size_t n = to - off;
        char *piece = malloc(n ? n : 1);
        memcpy(piece, buf + off, n);
        r = omp_parser_feed(p, piece, n);
        off = to;
        if (r < 0) {
            free(piece);
            goto out;
        }
        while ((r = omp_next(p, &e)) > 0)
            sum_entry(&s, &e);
        free(piece);
        if (r != -EAGAIN)
            goto out;
    }
    omp_parser_finish(p);
    while ((r = omp_next(p, &e)) > 0)
        sum_entry(&s, &e);
out:
    sum_end(&s, p, r);
    omp_parser_free(p);
    return s;
}
#endif
