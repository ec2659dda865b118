/* textfile collector: a family's samples ordered by label values and grouped
 * into series (a histogram's buckets, sum and count), then emitted with
 * OMX_DESC_AS_WRITTEN so names and types stay as the file wrote them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <exporter/log.h>
#include <exporter/text.h>

#include "textfile_emit.h"

typedef struct order {
    const tf_sample *s;
    const char **vals; /* nn values: the family's label names, "" if absent */
    double bound;      /* le / quantile; NaN on a sum or count line */
} order;

typedef struct ctx {
    size_t nn;
} ctx;

static int cmp_cstr(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_vals(const order *a, const order *b, size_t nn) {
    for (size_t j = 0; j < nn; j++) {
        int c = strcmp(a->vals[j], b->vals[j]);
        if (c)
            return c;
    }
    return 0;
}

/* Series by label values; within one: buckets/quantiles by bound, then the rest. */
static int cmp_order(const void *pa, const void *pb, void *pc) {
    const order *a = pa, *b = pb;
    int c = cmp_vals(a, b, ((const ctx *)pc)->nn);
    if (c)
        return c;
    bool na = isnan(a->bound), nb = isnan(b->bound);
    if (na != nb)
        return na ? 1 : -1;
    if (!na && a->bound != b->bound)
        return a->bound < b->bound ? -1 : 1;
    if (a->s->suffix != b->s->suffix)
        return a->s->suffix < b->s->suffix ? -1 : 1;
    return a->s < b->s ? -1 : a->s > b->s; /* file order */
}

/* Fills vals[j] with the value of label names[j] in s ("" when s lacks it;
 * the first one when repeated) and returns the value of the label called skip
 * (NULL when absent or skip is NULL). One walk of the sample's pairs: each
 * name is looked for from just after the previous one, so labels written in
 * name order cost one comparison each. */
static const char *label_values(const tf_arena *arena, const tf_sample *s, const char *const *names,
                                size_t nn, const char *skip, const char **vals) {
    const char *bound = NULL;
    for (size_t j = 0; j < nn; j++)
        vals[j] = NULL;
    const char *p = arena->data + s->off;
    size_t hint = 0;
    for (uint16_t i = 0; i < s->n; i++) {
        const char *v = p + strlen(p) + 1;
        if (skip && !strcmp(p, skip)) {
            if (!bound)
                bound = v;
        } else {
            for (size_t t = 0; t < nn; t++) {
                size_t j = hint + t < nn ? hint + t : hint + t - nn;
                if (!strcmp(names[j], p)) {
                    if (!vals[j])
                        vals[j] = v;
                    hint = j + 1;
                    break;
                }
            }
        }
        p = v + strlen(v) + 1;
    }
    for (size_t j = 0; j < nn; j++)
        if (!vals[j])
            vals[j] = "";
    return bound;
}

/* One line per family: the first series left out, the file it came from. */
static void log_dropped(const tf_family *f, const tf_sample *s, const char *const *files,
                        const char *why, bool *logged) {
    if (*logged)
        return;
    *logged = true;
    omx_log(OMX_LOG_ERROR, "textfile series left out", "collector", "textfile", "metric", f->name,
            "file", files[s->file], "err", why, NULL);
}

/* A count read as a double: negative and NaN give 0, too large the maximum. */
static uint64_t to_u64(double v) {
    return !(v > 0) ? 0 : v >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)v;
}

static omx_type type_of(omp_type t) {
    return t == OMP_TYPE_COUNTER     ? OMX_COUNTER
           : t == OMP_TYPE_GAUGE     ? OMX_GAUGE
           : t == OMP_TYPE_HISTOGRAM ? OMX_HISTOGRAM
           : t == OMP_TYPE_SUMMARY   ? OMX_SUMMARY
                                     : OMX_UNKNOWN;
}

int tf_emit_family(omx_emitter *e, const tf_family *f, const tf_arena *arena, const char *help,
                   const char *const *files) {
    omx_type type = type_of(f->type);
    bool grouped = type == OMX_HISTOGRAM || type == OMX_SUMMARY;
    const char *skip = type == OMX_HISTOGRAM ? "le" : type == OMX_SUMMARY ? "quantile" : NULL;
    size_t nn = 0, cap = 8, n = f->n;
    const char **names = malloc(cap * sizeof *names), **vals = NULL;
    order *o = NULL;
    double *bounds = NULL, *qv = NULL;
    uint64_t *counts = NULL;
    int r = OMX_ENOMEM, dropped = 0;
    bool logged = false;
    if (!names)
        goto out;
    /* the union of label names (few: a linear search per label) */
    for (size_t k = 0; k < n; k++) {
        const char *p = arena->data + f->s[k].off;
        for (uint16_t i = 0; i < f->s[k].n; i++) {
            const char *v = p + strlen(p) + 1;
            bool have = skip && !strcmp(p, skip);
            for (size_t j = 0; j < nn && !have; j++)
                have = !strcmp(names[j], p);
            if (!have) {
                if (nn == cap) {
                    const char **nb = realloc(names, cap * 2 * sizeof *names);
                    if (!nb)
                        goto out;
                    names = nb;
                    cap *= 2;
                }
                names[nn++] = p;
            }
            p = v + strlen(v) + 1;
        }
    }
    qsort(names, nn, sizeof *names, cmp_cstr);
    o = malloc((n + 1) * sizeof *o);
    vals = malloc((n * nn + 1) * sizeof *vals);
    size_t nbuf = grouped ? n + 1 : 1; /* a series' buckets: at most all samples */
    bounds = malloc(nbuf * sizeof *bounds);
    qv = malloc(nbuf * sizeof *qv);
    counts = malloc(nbuf * sizeof *counts);
    if (!o || !vals || !bounds || !qv || !counts)
        goto out;
    for (size_t k = 0; k < n; k++) {
        const tf_sample *s = &f->s[k];
        o[k].s = s;
        o[k].vals = vals + k * nn;
        o[k].bound = NAN;
        const char *b = label_values(arena, s, names, nn, skip, o[k].vals);
        if (!(skip && s->suffix == (type == OMX_HISTOGRAM ? TF_SFX_BUCKET : TF_SFX_NONE)))
            b = NULL;
        double d;
        if (b && omx_parse_double(!strcmp(b, "+Inf") ? "inf" : b, &d) == 0 && !isnan(d))
            o[k].bound = d;
    }
    /* files are mostly written in order already: a check is cheaper than a sort */
    size_t in_order = 1;
    while (in_order < n && cmp_order(&o[in_order - 1], &o[in_order], &(ctx){nn}) < 0)
        in_order++;
    if (in_order < n)
        qsort_r(o, n, sizeof *o, cmp_order, &(ctx){nn});
    if ((r = omx_emit_family(e, &(omx_desc){.name = f->name,
                                            .help = help,
                                            .type = type,
                                            .label_names = names,
                                            .n_labels = nn,
                                            .flags = OMX_DESC_AS_WRITTEN})) < 0) {
        omx_log(OMX_LOG_ERROR, "cannot export textfile metric", "collector", "textfile", "metric",
                f->name, "err", omx_strerror(r), NULL);
        goto out;
    }
    for (size_t k = 0; k < n;) {
        if (!grouped) {
            if (k && !cmp_vals(&o[k - 1], &o[k], nn)) {
                log_dropped(f, o[k].s, files, "duplicate series", &logged);
                dropped = 1;
            } else if ((r = omx_emit_sample(e, o[k].vals, o[k].s->value)) < 0) {
                log_dropped(f, o[k].s, files, omx_strerror(r), &logged);
                dropped = 1;
            }
            k++;
            continue;
        }
        /* one histogram/summary series: its buckets/quantiles, sum and count */
        size_t end = k, nb = 0;
        double sum = 0, count = 0;
        for (; end < n && !cmp_vals(&o[k], &o[end], nn); end++) {
            const order *x = &o[end];
            if (!isnan(x->bound)) {
                if (nb && bounds[nb - 1] == x->bound) {
                    log_dropped(f, x->s, files, "duplicate series", &logged);
                    dropped = 1;
                    continue;
                }
                bounds[nb] = x->bound;
                qv[nb] = x->s->value;
                counts[nb] = to_u64(x->s->value);
                nb++;
            } else if (x->s->suffix == TF_SFX_SUM) {
                sum = x->s->value;
            } else if (x->s->suffix == TF_SFX_COUNT) {
                count = x->s->value;
            }
        }
        uint64_t c = to_u64(count);
        r = type == OMX_HISTOGRAM ? omx_emit_histogram(e, o[k].vals, nb, bounds, counts, c, sum)
                                  : omx_emit_summary(e, o[k].vals, c, sum, nb, bounds, qv);
        if (r < 0) {
            log_dropped(f, o[k].s, files, omx_strerror(r), &logged);
            dropped = 1;
        }
        k = end;
    }
    r = dropped;
out:
    free(names);
    free(vals);
    free(o);
    free(bounds);
    free(qv);
    free(counts);
    return r;
}
