/* omx-check --convert: an in-memory model of the parsed document (families,
 * series by label set, values per type), replayed as a collector into a
 * libexporter registry and written with omx_registry_write(). What the
 * emitter API cannot carry (exemplars, _created, timestamps on histogram,
 * summary, stateset and info samples) is reported on stderr, never dropped
 * silently. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exporter/collector.h"
#include "exporter/error.h"
#include "exporter/registry.h"
#include "exporter/writer.h"

#include "convert.h"

/* The parser bounds the document (samples, families, label sets per family);
 * these bound what one series may make the model hold. */
#define MAX_PER_SERIES ((size_t)1 << 24) /* buckets, quantiles or states */

typedef struct cseries {
    char **lvals;
    double value;
    bool has_value, has_ts;
    int64_t ts_ms;
    double *bounds, *qs, *qv;
    uint64_t *cum;
    size_t nb, nq, ns;
    size_t cap_b, cap_q, cap_s;
    char **states;
    bool *set;
    double count, sum;
    bool has_count, has_sum;
} cseries;

typedef struct cfam {
    char *name, *help, *unit;
    char *sample_name; /* counters: the name of their value samples */
    bool as_unknown;   /* a counter written as unknown (see name_clashes()) */
    omp_type type;
    char **lnames;
    size_t nl;
    bool lnames_known;
    cseries *series;
    size_t n, cap;
} cfam;

struct convert {
    cfam *fams;
    size_t n, cap;
    unsigned dropped_exemplars, dropped_created, dropped_ts, as_unknown;
    int replay_err; /* first emitter error of the replay */
    char *scratch;  /* unescaped label value being compared */
    size_t scratch_cap;
};

static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fputs("omx-check: out of memory\n", stderr);
        exit(2);
    }
    return q;
}

/* The capacity to grow to when an array of cap elements is full: doubling, so
 * n appends copy O(n) elements in all; never above max. 0 when cap >= max. */
static size_t next_cap(size_t cap, size_t first, size_t max) {
    if (cap >= max)
        return 0;
    cap = cap ? cap * 2 : first;
    return cap > max ? max : cap;
}

static char *dupstr(omp_str s) {
    char *d = xrealloc(NULL, s.len + 1);
    memcpy(d, s.ptr, s.len);
    d[s.len] = '\0';
    return d;
}

static char *dupval(const omp_label *l) {
    char *d = xrealloc(NULL, l->value.len + 1);
    if (!l->escaped) {
        memcpy(d, l->value.ptr, l->value.len);
        d[l->value.len] = '\0';
    } else {
        omp_unescape(l->value, d, l->value.len + 1);
    }
    return d;
}

static bool streq(omp_str s, const char *c) {
    return c && s.len == strlen(c) && memcmp(s.ptr, c, s.len) == 0;
}

convert *convert_new(void) { return calloc(1, sizeof(convert)); }

static cfam *family(convert *c, omp_str name, omp_type type) {
    if (c->n && streq(name, c->fams[c->n - 1].name))
        return &c->fams[c->n - 1];
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->fams = xrealloc(c->fams, c->cap * sizeof(cfam));
    }
    cfam *f = &c->fams[c->n++];
    memset(f, 0, sizeof(*f));
    f->name = dupstr(name);
    f->type = type;
    return f;
}

/* The label that is part of the sample kind, not of the series. */
static bool special_label(const cfam *f, const omp_entry *e, const omp_label *l) {
    if ((f->type == OMP_TYPE_HISTOGRAM || f->type == OMP_TYPE_GAUGEHISTOGRAM) &&
        streq(e->suffix, "_bucket") && streq(l->name, "le"))
        return true;
    if (f->type == OMP_TYPE_SUMMARY && e->suffix.len == 0 && streq(l->name, "quantile"))
        return true;
    if (f->type == OMP_TYPE_STATESET && streq(l->name, f->name))
        return true;
    return false;
}

/* Reports an entry the model cannot hold; returns err. */
static int fail(const char *src, const omp_entry *e, const char *msg, const char *name, int err) {
    fprintf(stderr, "%s:%u: cannot convert: %s %s\n", src, e->line, name, msg);
    return err;
}

/* A series past MAX_PER_SERIES elements of one kind. */
static int too_many(const char *src, const omp_entry *e, const char *name, const char *what) {
    fprintf(
        stderr,
        "%s:%u: cannot convert: %s has a series with more than %zu %s (the limit of --convert)\n",
        src, e->line, name, MAX_PER_SERIES, what);
    return -E2BIG;
}

/* Whether label l's value (unescaped) is v. */
static bool value_is(convert *c, const omp_label *l, const char *v) {
    size_t len = strlen(v);

    if (!l->escaped)
        return len == l->value.len && memcmp(v, l->value.ptr, len) == 0;
    if (c->scratch_cap < l->value.len + 1) {
        c->scratch_cap = l->value.len + 1;
        free(c->scratch);
        c->scratch = xrealloc(NULL, c->scratch_cap);
    }
    long n = omp_unescape(l->value, c->scratch, c->scratch_cap);
    return n >= 0 && (size_t)n == len && memcmp(v, c->scratch, len) == 0;
}

/* The series e belongs to: the family's last one when the label values are
 * the same (a series' samples are contiguous), else a new one. NULL (message
 * on stderr) when e's label names are not the family's. */
static cseries *series(convert *c, cfam *f, const omp_entry *e, const char *src) {
    size_t nl = 0;
    const omp_label *vals[256];

    if (!f->lnames_known) {
        for (size_t i = 0; i < e->n_labels; i++)
            if (!special_label(f, e, &e->labels[i]))
                nl++;
        f->lnames = xrealloc(NULL, (nl ? nl : 1) * sizeof(char *));
        f->nl = 0;
        for (size_t i = 0; i < e->n_labels; i++)
            if (!special_label(f, e, &e->labels[i]))
                f->lnames[f->nl++] = dupstr(e->labels[i].name);
        f->lnames_known = true;
    }
    /* Map this sample's labels onto the family's names. */
    for (size_t i = 0; i < f->nl && i < 256; i++)
        vals[i] = NULL;
    for (size_t i = 0; i < e->n_labels; i++) {
        size_t j;
        if (special_label(f, e, &e->labels[i]))
            continue;
        for (j = 0; j < f->nl; j++)
            if (streq(e->labels[i].name, f->lnames[j]))
                break;
        if (j == f->nl || j >= 256) {
            fail(src, e, "has series with different label names", f->name, -EINVAL);
            return NULL;
        }
        vals[j] = &e->labels[i];
    }
    for (size_t j = 0; j < f->nl; j++)
        if (!vals[j]) {
            fail(src, e, "has series with different label names", f->name, -EINVAL);
            return NULL;
        }
    if (f->n) {
        cseries *s = &f->series[f->n - 1];
        size_t j = 0;
        while (j < f->nl && value_is(c, vals[j], s->lvals[j]))
            j++;
        if (j == f->nl)
            return s;
    }
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 16;
        f->series = xrealloc(f->series, f->cap * sizeof(cseries));
    }
    cseries *s = &f->series[f->n++];
    memset(s, 0, sizeof(*s));
    s->lvals = xrealloc(NULL, (f->nl ? f->nl : 1) * sizeof(char *));
    for (size_t j = 0; j < f->nl; j++)
        s->lvals[j] = dupval(vals[j]);
    return s;
}

static const omp_label *label(const omp_entry *e, const char *name) {
    for (size_t i = 0; i < e->n_labels; i++)
        if (streq(e->labels[i].name, name))
            return &e->labels[i];
    return NULL;
}

int convert_add(convert *c, const omp_entry *e, const char *src) {
    cfam *f;
    cseries *s;

    if (e->kind == OMP_EOF)
        return 0;
    f = family(c, e->family, e->type);
    f->type = e->type;
    if (e->kind == OMP_HELP) {
        free(f->help);
        f->help = dupstr(e->text);
        if (e->text_escaped)
            omp_unescape(e->text, f->help, e->text.len + 1);
        return 0;
    }
    if (e->kind == OMP_UNIT) {
        free(f->unit);
        f->unit = e->text.len ? dupstr(e->text) : NULL;
        return 0;
    }
    if (e->kind != OMP_SAMPLE)
        return 0;
    if (e->has_exemplar)
        c->dropped_exemplars++;
    if (streq(e->suffix, "_created")) {
        c->dropped_created++;
        return 0;
    }
    if (f->type == OMP_TYPE_COUNTER && !f->sample_name)
        f->sample_name = dupstr(e->name);
    s = series(c, f, e, src);
    if (!s)
        return -EINVAL;
    switch (f->type) {
    case OMP_TYPE_HISTOGRAM:
    case OMP_TYPE_GAUGEHISTOGRAM:
        if (e->has_timestamp)
            c->dropped_ts++;
        if (streq(e->suffix, "_bucket")) {
            const omp_label *le = label(e, "le");
            char buf[64];
            if (!le || le->value.len >= sizeof(buf))
                return fail(src, e, "has a bucket without a usable le", f->name, -EINVAL);
            memcpy(buf, le->value.ptr, le->value.len);
            buf[le->value.len] = '\0';
            if (e->value < 0 || e->value != floor(e->value) || e->value > 9007199254740992.0)
                return fail(src, e, "has a bucket count that is not a non-negative integer",
                            f->name, -EINVAL);
            if (s->nb == s->cap_b) {
                size_t cap = next_cap(s->cap_b, 16, MAX_PER_SERIES);
                if (!cap)
                    return too_many(src, e, f->name, "buckets");
                s->bounds = xrealloc(s->bounds, cap * sizeof(double));
                s->cum = xrealloc(s->cum, cap * sizeof(uint64_t));
                s->cap_b = cap;
            }
            s->bounds[s->nb] = strtod(buf, NULL);
            s->cum[s->nb++] = (uint64_t)e->value;
        } else if (streq(e->suffix, "_count") || streq(e->suffix, "_gcount")) {
            s->count = e->value;
            s->has_count = true;
        } else if (streq(e->suffix, "_sum") || streq(e->suffix, "_gsum")) {
            s->sum = e->value;
            s->has_sum = true;
        }
        return 0;
    case OMP_TYPE_SUMMARY:
        if (e->has_timestamp)
            c->dropped_ts++;
        if (e->suffix.len == 0) {
            const omp_label *q = label(e, "quantile");
            char buf[64];
            if (!q || q->value.len >= sizeof(buf))
                return fail(src, e, "has a quantile sample without a usable quantile", f->name,
                            -EINVAL);
            memcpy(buf, q->value.ptr, q->value.len);
            buf[q->value.len] = '\0';
            if (s->nq == s->cap_q) {
                size_t cap = next_cap(s->cap_q, 8, MAX_PER_SERIES);
                if (!cap)
                    return too_many(src, e, f->name, "quantiles");
                s->qs = xrealloc(s->qs, cap * sizeof(double));
                s->qv = xrealloc(s->qv, cap * sizeof(double));
                s->cap_q = cap;
            }
            s->qs[s->nq] = strtod(buf, NULL);
            s->qv[s->nq++] = e->value;
        } else if (streq(e->suffix, "_count")) {
            s->count = e->value;
            s->has_count = true;
        } else if (streq(e->suffix, "_sum")) {
            s->sum = e->value;
            s->has_sum = true;
        }
        return 0;
    case OMP_TYPE_STATESET: {
        const omp_label *st = label(e, f->name);
        if (!st)
            return fail(src, e, "has a sample without its state label", f->name, -EINVAL);
        if (e->has_timestamp)
            c->dropped_ts++;
        if (s->ns == s->cap_s) {
            size_t cap = next_cap(s->cap_s, 8, MAX_PER_SERIES);
            if (!cap)
                return too_many(src, e, f->name, "states");
            s->states = xrealloc(s->states, cap * sizeof(char *));
            s->set = xrealloc(s->set, cap * sizeof(bool));
            s->cap_s = cap;
        }
        s->states[s->ns] = dupval(st);
        s->set[s->ns++] = e->value != 0;
        return 0;
    }
    default:
        if (s->has_value)
            return fail(src, e, "has two samples for one label set", f->name, -EINVAL);
        s->value = e->value;
        s->has_value = true;
        s->has_ts = e->has_timestamp;
        s->ts_ms = e->timestamp_ms;
        return 0;
    }
}

static omx_type to_omx(omp_type t) {
    switch (t) {
    case OMP_TYPE_COUNTER: return OMX_COUNTER;
    case OMP_TYPE_GAUGE: return OMX_GAUGE;
    case OMP_TYPE_HISTOGRAM: return OMX_HISTOGRAM;
    case OMP_TYPE_GAUGEHISTOGRAM: return OMX_GAUGEHISTOGRAM;
    case OMP_TYPE_STATESET: return OMX_STATESET;
    case OMP_TYPE_INFO: return OMX_INFO;
    case OMP_TYPE_SUMMARY: return OMX_SUMMARY;
    default: return OMX_UNKNOWN;
    }
}

/* Whether v is a count the emitter can take (a non-negative integer). */
static bool is_count(double v) { return v >= 0 && v == floor(v) && v < 18446744073709551616.0; }

/* Emits one series of f. */
static int replay_series(omx_emitter *em, const cfam *f, const cseries *s) {
    const char *const *lv = (const char *const *)s->lvals;

    switch (f->type) {
    case OMP_TYPE_HISTOGRAM:
    case OMP_TYPE_GAUGEHISTOGRAM:
        if (!is_count(s->count))
            return OMX_EVALUE;
        return omx_emit_histogram(em, lv, s->nb, s->bounds, s->cum, (uint64_t)s->count, s->sum);
    case OMP_TYPE_SUMMARY:
        if (!is_count(s->count))
            return OMX_EVALUE;
        return omx_emit_summary(em, lv, (uint64_t)s->count, s->sum, s->nq, s->qs, s->qv);
    case OMP_TYPE_STATESET:
        return omx_emit_stateset(em, lv, s->ns, (const char *const *)s->states, s->set);
    default:
        return s->has_ts ? omx_emit_sample_ts(em, lv, s->value, s->ts_ms)
                         : omx_emit_sample(em, lv, s->value);
    }
}

/* The collector: emits the model; stops at the first refused call and keeps
 * its error, as the registry does not fail the write for a collector. */
static int replay(omx_emitter *em, void *userdata) {
    convert *c = userdata;

    for (size_t i = 0; i < c->n; i++) {
        cfam *f = &c->fams[i];
        omx_desc d = {
            .name = f->as_unknown ? f->sample_name : f->name,
            .help = f->help,
            .unit = f->unit,
            .type = f->as_unknown ? OMX_UNKNOWN : to_omx(f->type),
            .label_names = (const char *const *)f->lnames,
            .n_labels = f->nl,
        };
        int r = omx_emit_family(em, &d);
        if (r == OMX_ENAME && f->type == OMP_TYPE_COUNTER && !f->as_unknown && f->sample_name) {
            /* A counter name the emitter refuses by its shape (x_created_total:
			 * a counter x would also write x_created), though no such
			 * family is here: written as unknown as in name_clashes(). */
            fprintf(
                stderr,
                "omx-check: warning: counter %s written as unknown %s: the emitter refuses it as a counter name (%s)\n",
                f->name, f->sample_name, omx_strerror(r));
            f->as_unknown = true;
            c->as_unknown++;
            d.name = f->sample_name;
            d.type = OMX_UNKNOWN;
            r = omx_emit_family(em, &d);
        }
        if (r < 0) {
            fprintf(stderr, "omx-check: cannot convert family %s: %s\n", f->name, omx_strerror(r));
            return c->replay_err = r;
        }
        for (size_t j = 0; j < f->n; j++) {
            const cseries *s = &f->series[j];
            r = replay_series(em, f, s);
            if (r >= 0)
                continue;
            if (f->type == OMP_TYPE_HISTOGRAM || f->type == OMP_TYPE_GAUGEHISTOGRAM)
                fprintf(stderr, "omx-check: cannot convert a series of %s (%zu buckets): %s\n",
                        f->name, s->nb, omx_strerror(r));
            else
                fprintf(stderr, "omx-check: cannot convert a series of %s: %s\n", f->name,
                        omx_strerror(r));
            return c->replay_err = r;
        }
    }
    return 0;
}

static int cmp_name(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool has_name(const char *const *sorted, size_t n, const char *base, size_t len,
                     const char *suffix) {
    char key[1100];
    const char *k = key;

    if (len + strlen(suffix) >= sizeof(key))
        return false;
    memcpy(key, base, len);
    strcpy(key + len, suffix);
    return bsearch(&k, sorted, n, sizeof(*sorted), cmp_name) != NULL;
}

/* A counter x (0.0.4 name x_total or x) is the family x with the samples
 * x_total and x_created: in 0.0.4 a gauge x next to a counter x_total is
 * valid (Go programs expose go_memstats_alloc_bytes and
 * go_memstats_alloc_bytes_total), but the two cannot both be written as
 * typed families. Such a counter is written as an unknown family named by
 * its samples: every sample keeps its name, labels and value; only the type
 * is lost (reported on stderr). Returns 0 or -ENOMEM. */
static int name_clashes(convert *c) {
    const char **sorted;
    size_t n = 0;

    if (!c->n)
        return 0;
    sorted = malloc(c->n * sizeof(*sorted));
    if (!sorted)
        return -ENOMEM;
    for (size_t i = 0; i < c->n; i++)
        sorted[n++] = c->fams[i].name;
    qsort(sorted, n, sizeof(*sorted), cmp_name);
    for (size_t i = 0; i < c->n; i++) {
        cfam *f = &c->fams[i];
        size_t len = strlen(f->name);
        bool total = len > 6 && strcmp(f->name + len - 6, "_total") == 0;
        size_t base = total ? len - 6 : len;
        const char *other = NULL;

        if (f->type != OMP_TYPE_COUNTER || !f->sample_name)
            continue;
        if (total && has_name(sorted, n, f->name, base, ""))
            other = "";
        else if (!total && has_name(sorted, n, f->name, base, "_total"))
            other = "_total";
        else if (has_name(sorted, n, f->name, base, "_created"))
            other = "_created";
        if (!other)
            continue;
        f->as_unknown = true;
        c->as_unknown++;
        fprintf(
            stderr,
            "omx-check: warning: counter %s written as unknown %s: as a counter its name would clash with the family %.*s%s\n",
            f->name, f->sample_name, (int)base, f->name, other);
    }
    free(sorted);
    return 0;
}

int convert_write(convert *c, omp_format to) {
    omx_registry *r = NULL;
    omx_write_opts o = {
        .format = to == OMP_FORMAT_OPENMETRICS ? OMX_FORMAT_OPENMETRICS : OMX_FORMAT_PROMETHEUS,
    };
    omx_buf out;
    int rc;

    /* A histogram or summary without _sum/_count cannot be written as is. */
    for (size_t i = 0; i < c->n; i++)
        for (size_t j = 0; j < c->fams[i].n; j++) {
            cseries *s = &c->fams[i].series[j];
            omp_type t = c->fams[i].type;
            if ((t == OMP_TYPE_HISTOGRAM || t == OMP_TYPE_GAUGEHISTOGRAM ||
                 t == OMP_TYPE_SUMMARY) &&
                (!s->has_sum || !s->has_count)) {
                fprintf(stderr, "omx-check: cannot convert %s: a series without _sum/_count\n",
                        c->fams[i].name);
                return -EINVAL;
            }
        }
    if (name_clashes(c) < 0) {
        fputs("omx-check: out of memory\n", stderr);
        return -ENOMEM;
    }
    r = omx_registry_new();
    if (!r) {
        fputs("omx-check: out of memory\n", stderr);
        return -ENOMEM;
    }
    rc = omx_registry_add_collector(r, "convert", replay, c, NULL);
    if (rc < 0) {
        fprintf(stderr, "omx-check: cannot set up the registry: %s\n", omx_strerror(rc));
        omx_registry_free(r);
        return rc;
    }
    /* Into memory first: a refused series must not leave a truncated
	 * document that still looks complete (OpenMetrics ends with # EOF). */
    omx_buf_init(&out, SIZE_MAX);
    c->replay_err = 0;
    rc = omx_registry_write(r, &o, omx_buf_write_fn, &out);
    omx_registry_free(r);
    if (rc < 0)
        fprintf(stderr, "omx-check: cannot write the converted document: %s\n", omx_strerror(rc));
    else if (c->replay_err < 0)
        rc = c->replay_err;
    else if (out.len && fwrite(out.data, 1, out.len, stdout) != out.len) {
        fprintf(stderr, "omx-check: write error: %s\n", strerror(errno));
        rc = -EIO;
    }
    omx_buf_free(&out);
    if (rc < 0)
        return rc;
    if (c->dropped_exemplars || c->dropped_created || c->dropped_ts)
        fprintf(
            stderr,
            "omx-check: warning: not converted: %u exemplar(s), %u _created sample(s), %u timestamp(s) on histogram/summary/stateset samples\n",
            c->dropped_exemplars, c->dropped_created, c->dropped_ts);
    return 0;
}

convert *convert_free(convert *c) {
    if (!c)
        return NULL;
    for (size_t i = 0; i < c->n; i++) {
        cfam *f = &c->fams[i];
        for (size_t j = 0; j < f->n; j++) {
            cseries *s = &f->series[j];
            for (size_t k = 0; k < f->nl; k++)
                free(s->lvals[k]);
            for (size_t k = 0; k < s->ns; k++)
                free(s->states[k]);
            free(s->lvals);
            free(s->states);
            free(s->set);
            free(s->bounds);
            free(s->cum);
            free(s->qs);
            free(s->qv);
        }
        for (size_t k = 0; k < f->nl; k++)
            free(f->lnames[k]);
        free(f->lnames);
        free(f->series);
        free(f->name);
        free(f->sample_name);
        free(f->help);
        free(f->unit);
    }
    free(c->fams);
    free(c->scratch);
    free(c);
    return NULL;
}
