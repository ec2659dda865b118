/* omx_registry_visit: the writers' walk with each header and sample line
 * handed to callbacks as structured values instead of text. The walk renders
 * label pairs once (a="x",b="y", escaped) for both uses; here they are split
 * and unescaped again, and number strings (shortest round-trip form) read
 * back exactly (a fast path for plain decimals, else strtod). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "exporter/visit.h"
#include "internal.h"

#define MAX_PAIRS (OMX__MAX_LABELS + 1) /* the series' labels and le/quantile/state */

struct omx__visit {
    const omx_visitor *v;
    void *ctx;
    omx_buf name; /* the current name, NUL-terminated */
    omx_buf text; /* unescaped label names and values, NUL-separated */
    const char *names[MAX_PAIRS], *values[MAX_PAIRS];
};

static void fail(omx__writer *w, int rc) {
    if (!w->err)
        w->err = rc < 0 ? rc : OMX_EIO;
}

void omx__visit_header(omx__writer *w, const char *name, size_t len, const char *suffix, omx_type t,
                       const char *help, const char *unit) {
    struct omx__visit *vis = w->vis;
    if (w->err)
        return;
    omx_buf_reset(&vis->name);
    int rc = omx_buf_append(&vis->name, name, len);
    if (!rc)
        rc = omx_buf_append(&vis->name, suffix, strlen(suffix));
    if (!rc && (rc = vis->v->family(vis->ctx, vis->name.data, t, help, unit)) != 0)
        rc = rc < 0 ? rc : OMX_EIO;
    if (rc)
        fail(w, rc);
}

/* Room for n bytes in b from its start. Returns 0 or OMX_ENOMEM. */
static int reserve(omx_buf *b, size_t n) {
    if (n <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < n)
        cap *= 2;
    char *d = omx__realloc(b->data, cap);
    if (!d)
        return OMX_ENOMEM;
    b->data = d;
    b->cap = cap;
    return 0;
}

/* Copies a rendered label value (\\ \" \n escapes) unescaped to o, NUL added;
 * returns the end of the copy. */
static char *unescape(char *o, const char *v, size_t n) {
    if (!memchr(v, '\\', n)) { /* most values */
        memcpy(o, v, n);
        o[n] = '\0';
        return o + n + 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '\\' && i + 1 < n) {
            i++;
            *o++ = v[i] == 'n' ? '\n' : v[i];
        } else {
            *o++ = v[i];
        }
    }
    *o++ = '\0';
    return o;
}

/* Splits rendered pairs (a="x",b="y"), then the extra pair xname/xval (xval
 * escaped) if any, into vis->names/values, pointing into vis->text, which
 * is sized once: the split is never longer than its input. Returns the
 * number of pairs or an omx_err (never for the walk's own text). */
static int split_labels(struct omx__visit *vis, const char *lbl, size_t len, const char *xname,
                        const char *xval) {
    size_t xnl = xname ? strlen(xname) : 0, xvl = xname ? strlen(xval) : 0;
    int rc = reserve(&vis->text, len + xnl + xvl + 3);
    if (rc)
        return rc;
    char *o = vis->text.data;
    int n = 0;
    size_t i = 0;
    while (i < len) {
        if (n == MAX_PAIRS)
            return OMX_ELIMIT;
        const char *eq = memchr(lbl + i, '=', len - i);
        if (!eq || (size_t)(eq - lbl) + 1 >= len || eq[1] != '"')
            return OMX_EINVAL;
        size_t nl = (size_t)(eq - (lbl + i));
        vis->names[n] = o;
        memcpy(o, lbl + i, nl);
        o += nl;
        *o++ = '\0';
        i = (size_t)(eq - lbl) + 2;
        size_t start = i;
        /* the closing quote: one not preceded by an odd run of backslashes */
        for (;;) {
            const char *q = i < len ? memchr(lbl + i, '"', len - i) : NULL;
            if (!q)
                return OMX_EINVAL;
            size_t k = (size_t)(q - lbl), bs = 0;
            while (k - bs > start && lbl[k - bs - 1] == '\\')
                bs++;
            i = k;
            if (bs % 2 == 0)
                break;
            i++;
        }
        vis->values[n] = o;
        o = unescape(o, lbl + start, i - start);
        i++; /* the closing quote */
        if (i < len && lbl[i] == ',')
            i++;
        n++;
    }
    if (xname) {
        if (n == MAX_PAIRS)
            return OMX_ELIMIT;
        vis->names[n] = o;
        memcpy(o, xname, xnl + 1);
        o += xnl + 1;
        vis->values[n] = o;
        unescape(o, xval, xvl);
        n++;
    }
    return n;
}

/* The double a number string stands for, as strtod reads it. Plain decimals
 * of at most 15 digits (most samples) are an integer below 2^53 divided by a
 * power of ten below 10^23, both exact doubles, so the one division is
 * correctly rounded: strtod's result without its general algorithm. */
static double read_double(const char *num, size_t len) {
    static const double p10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    size_t i = num[0] == '-';
    uint64_t m = 0;
    int digits = 0, frac = -1;
    for (; i < len; i++) {
        if (num[i] >= '0' && num[i] <= '9') {
            m = m * 10 + (uint64_t)(num[i] - '0');
            if (++digits > 15)
                return strtod(num, NULL);
            if (frac >= 0)
                frac++;
        } else if (num[i] == '.' && frac < 0) {
            frac = 0;
        } else {
            return strtod(num, NULL);
        }
    }
    if (!digits)
        return strtod(num, NULL);
    double v = (double)m / p10[frac > 0 ? frac : 0];
    return num[0] == '-' ? -v : v;
}

void omx__visit_sample(omx__writer *w, const char *base, size_t base_len, const char *suffix,
                       const char *lbl, size_t lbl_len, const char *xname, const char *xval,
                       const char *val, size_t val_len, const char *ts) {
    struct omx__visit *vis = w->vis;
    if (w->err)
        return;
    char num[64];
    if (val_len >= sizeof num)
        return fail(w, OMX_EINVAL);
    memcpy(num, val, val_len);
    num[val_len] = '\0';
    size_t sl = strlen(suffix);
    int rc = reserve(&vis->name, base_len + sl + 1);
    if (rc)
        return fail(w, rc);
    memcpy(vis->name.data, base, base_len);
    memcpy(vis->name.data + base_len, suffix, sl + 1);
    int n = split_labels(vis, lbl, lbl_len, xname, xval);
    if (n < 0)
        return fail(w, n);
    omx_visit_sample s = {.name = vis->name.data,
                          .label_names = vis->names,
                          .label_values = vis->values,
                          .n_labels = (size_t)n,
                          .value = read_double(num, val_len),
                          .created = w->has_created ? w->created : NAN};
    if (ts) {
        s.has_timestamp = true;
        s.timestamp_ms = strtoll(ts, NULL, 10);
    }
    if ((rc = vis->v->sample(vis->ctx, &s)) != 0)
        fail(w, rc);
}

static int discard(void *ctx, const char *data, size_t len) {
    (void)ctx, (void)data, (void)len;
    return 0;
}

int omx_registry_visit(omx_registry *r, const omx_write_opts *opts, const omx_visitor *v,
                       void *ctx) {
    if (!r || !v || !v->family || !v->sample || (opts && opts->deadline_ns))
        return OMX_EINVAL;
    struct omx__visit *vis = omx__calloc(1, sizeof *vis);
    if (!vis)
        return OMX_ENOMEM;
    vis->v = v;
    vis->ctx = ctx;
    omx_buf_init(&vis->name, 1 << 16);
    omx_buf_init(&vis->text, 1 << 24);
    omx_write_opts o = opts ? *opts : (omx_write_opts){0};
    o.format = OMX_FORMAT_PROMETHEUS;
    omx__writer w = {.fmt = OMX_FORMAT_PROMETHEUS, .fn = discard, .vis = vis};
    int rc = omx__registry_walk(r, &o, &w);
    omx_buf_free(&vis->name);
    omx_buf_free(&vis->text);
    omx__free(vis);
    return rc;
}
