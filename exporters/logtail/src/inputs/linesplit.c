/* Line splitting with a cap; see linesplit.h. */
#include "linesplit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define LT_SPLIT_DEFAULT_MAX (1u << 20)

void lt_split_init(lt_split *s, size_t max) {
    memset(s, 0, sizeof *s);
    s->max = max ? max : LT_SPLIT_DEFAULT_MAX;
}

void lt_split_free(lt_split *s) {
    free(s->buf);
    s->buf = NULL;
    s->len = s->cap = 0;
    s->skipping = false;
}

void lt_split_reset(lt_split *s) {
    s->len = 0;
    s->skipping = false;
}

static int emit(const char *p, size_t n, bool cut, lt_split_fn *fn, void *ctx) {
    if (!cut && n > 0 && p[n - 1] == '\r')
        n--;
    return fn(ctx, p, n, cut);
}

static int keep(lt_split *s, const char *p, size_t n) {
    if (s->len + n > s->cap) {
        size_t cap = s->cap ? s->cap : 256;
        while (cap < s->len + n)
            cap *= 2;
        if (cap > s->max)
            cap = s->max;
        char *b = realloc(s->buf, cap);
        if (!b)
            return -ENOMEM;
        s->buf = b;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, p, n);
    s->len += n;
    return 0;
}

int lt_split_feed(lt_split *s, const char *data, size_t len, lt_split_fn *fn, void *ctx) {
    const char *p = data, *end = data + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (s->skipping) {
            if (!nl)
                return 0;
            s->skipping = false;
            p = nl + 1;
            continue;
        }
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (s->len == 0 && nl && n <= s->max) {
            int rc = emit(p, n, false, fn, ctx); /* the common case: no copy */
            if (rc < 0)
                return rc;
            p = nl + 1;
            continue;
        }
        if (s->len + n > s->max) {
            /* over the cap: hand on the first max bytes, skip the rest */
            size_t take = s->max - s->len;
            int rc = keep(s, p, take);
            if (rc < 0)
                return rc;
            rc = emit(s->buf, s->len, true, fn, ctx);
            s->len = 0;
            if (rc < 0)
                return rc;
            if (nl) {
                p = nl + 1;
            } else {
                s->skipping = true;
                return 0;
            }
            continue;
        }
        int rc = keep(s, p, n);
        if (rc < 0)
            return rc;
        if (!nl)
            return 0;
        rc = emit(s->buf, s->len, false, fn, ctx);
        s->len = 0;
        if (rc < 0)
            return rc;
        p = nl + 1;
    }
    return 0;
}

int lt_split_flush(lt_split *s, lt_split_fn *fn, void *ctx) {
    bool had = s->len > 0;
    size_t n = s->len;
    s->len = 0;
    s->skipping = false;
    return had ? emit(s->buf, n, false, fn, ctx) : 0;
}
