/* libFuzzer target: parses the input as a whole buffer and again streamed in
 * pieces at fuzzer-chosen split points; both must agree on every entry and
 * on the outcome (error line and message included). The first byte picks the
 * format and the chunk size. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openmetrics/openmetrics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct outcome {
    uint64_t hash;
    unsigned entries;
    int rc;
    char err[512];
} outcome;

static uint64_t mix(uint64_t h, const void *p, size_t n) {
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ c[i]) * 1099511628211u;
    return h;
}

static uint64_t entry_hash(uint64_t h, const omp_entry *e) {
    char buf[4096];
    h = mix(h, &e->kind, sizeof(e->kind));
    h = mix(h, &e->line, sizeof(e->line));
    h = mix(h, e->family.ptr, e->family.len);
    h = mix(h, e->name.ptr, e->name.len);
    h = mix(h, e->text.ptr, e->text.len);
    h = mix(h, &e->type, sizeof(e->type));
    for (size_t i = 0; i < e->n_labels; i++) {
        h = mix(h, e->labels[i].name.ptr, e->labels[i].name.len);
        h = mix(h, e->labels[i].value.ptr, e->labels[i].value.len);
        if (e->labels[i].value.len <= sizeof(buf)) {
            long n = omp_unescape(e->labels[i].value, buf, sizeof(buf));
            if (n < 0 || (size_t)n > e->labels[i].value.len)
                abort();
        }
    }
    if (e->kind == OMP_SAMPLE) {
        h = mix(h, e->value_text.ptr, e->value_text.len);
        h = mix(h, &e->has_timestamp, sizeof(e->has_timestamp));
        h = mix(h, &e->n_exemplar_labels, sizeof(e->n_exemplar_labels));
    }
    return h;
}

static void run(omp_format f, const char *buf, size_t len, size_t chunk, outcome *o) {
    omp_parser *p;
    omp_entry e;
    size_t off = 0;
    int r;

    memset(o, 0, sizeof(*o));
    if (omp_parser_new(&p, f, &(omp_limits){.max_line_len = 4096, .max_labels = 64}) < 0)
        abort();
    if (!chunk)
        omp_parser_set_buffer(p, buf, len);
    for (;;) {
        r = omp_next(p, &e);
        if (r > 0) {
            o->entries++;
            o->hash = entry_hash(o->hash, &e);
            continue;
        }
        if (r == -EAGAIN) {
            size_t n = len - off < chunk ? len - off : chunk;
            if (n == 0) {
                omp_parser_finish(p);
                continue;
            }
            /* A private copy per piece: views must not outlive it. */
            char *piece = malloc(n);
            memcpy(piece, buf + off, n);
            r = omp_parser_feed(p, piece, n);
            off += n;
            if (r < 0) {
                free(piece);
                break;
            }
            while ((r = omp_next(p, &e)) > 0) {
                o->entries++;
                o->hash = entry_hash(o->hash, &e);
            }
            free(piece);
            if (r == -EAGAIN)
                continue;
        }
        break;
    }
    o->rc = r;
    if (omp_parser_error(p))
        snprintf(o->err, sizeof(o->err), "%s", omp_parser_error(p));
    omp_parser_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    outcome a, b;
    omp_format f;
    size_t chunk;

    if (size < 1)
        return 0;
    f = data[0] & 1 ? OMP_FORMAT_PROMETHEUS : OMP_FORMAT_OPENMETRICS;
    chunk = (data[0] >> 1) + 1;
    data++;
    size--;
    run(f, (const char *)data, size, 0, &a);
    run(f, (const char *)data, size, chunk, &b);
    /* A carried line over the limit fails in feed(); only then may they differ. */
    if (a.rc != b.rc || a.entries != b.entries || a.hash != b.hash || strcmp(a.err, b.err) != 0) {
        if (a.rc == -E2BIG || b.rc == -E2BIG)
            return 0;
        fprintf(stderr, "buffer: rc=%d entries=%u err=%s\nstream(%zu): rc=%d entries=%u err=%s\n",
                a.rc, a.entries, a.err, chunk, b.rc, b.entries, b.err);
        abort();
    }
    return 0;
}
