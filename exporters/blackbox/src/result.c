/* A probe's metrics, kept as plain families until the probe is answered;
 * written through a collector so the output is sorted as Go's registry
 * sorts it (families by name, label names by name, series by label values). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"

typedef struct bb_series {
    char **values; /* n_labels, owned */
    double v;
} bb_series;

typedef struct bb_family {
    const char *name, *help;
    omx_type type;
    size_t n_labels;
    const char *const *label_names; /* borrowed */
    bb_series *series;              /* NULL while the family has one series, kept in one */
    bb_series one;
    size_t n_series, cap;
} bb_family;

/* A family's series: most families of a probe have one, kept inline. */
static inline bb_series *ser(const bb_family *f) {
    return f->series ? f->series : (bb_series *)&f->one;
}

struct bb_result {
    pthread_mutex_t mu; /* a prober may report from helper threads */
    bb_family *fams;
    size_t n_fams, cap;
    size_t n_series; /* over every family */
    size_t bytes;    /* bb_result_bytes */
};

bb_result *bb_result_new(void) {
    bb_result *r = calloc(1, sizeof *r);
    if (r)
        pthread_mutex_init(&r->mu, NULL);
    return r;
}

bb_result *bb_result_free(bb_result *r) {
    if (!r)
        return NULL;
    for (size_t i = 0; i < r->n_fams; i++) {
        bb_family *f = &r->fams[i];
        for (size_t j = 0; j < f->n_series; j++) {
            for (size_t k = 0; k < f->n_labels; k++)
                free(ser(f)[j].values[k]);
            free(ser(f)[j].values);
        }
        free(f->series);
    }
    free(r->fams);
    pthread_mutex_destroy(&r->mu);
    free(r);
    return NULL;
}

static bool same_labels(const bb_family *f, size_t n, const char *const *names) {
    if (f->n_labels != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(f->label_names[i], names[i]))
            return false;
    return true;
}

static int add(bb_result *r, omx_type type, const char *name, const char *help, size_t n,
               const char *const *names, const char *const *values, double v) {
    if (!r || !name || (n && (!names || !values)) || n > 16)
        return OMX_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!names[i] || !values[i] || strlen(values[i]) > BB_RESULT_MAX_LABEL_BYTES)
            return names[i] && values[i] ? OMX_ELIMIT : OMX_EINVAL;
    bb_family *f = NULL;
    for (size_t i = 0; i < r->n_fams && !f; i++)
        if (!strcmp(r->fams[i].name, name))
            f = &r->fams[i];
    if (f && (f->type != type || !same_labels(f, n, names)))
        return OMX_EEXIST; /* one name, one type and label set */
    if (f)
        for (size_t j = 0; j < f->n_series; j++) {
            bool eq = true;
            for (size_t k = 0; k < n && eq; k++)
                eq = !strcmp(ser(f)[j].values[k], values[k]);
            if (eq) {
                ser(f)[j].v = v;
                return 0;
            }
        }
    if (r->n_series >= BB_RESULT_MAX_SERIES)
        return OMX_ELIMIT;
    if (!f) {
        if (r->n_fams == r->cap) {
            size_t cap = r->cap ? r->cap * 2 : 16;
            bb_family *nf = realloc(r->fams, cap * sizeof *nf);
            if (!nf)
                return OMX_ENOMEM;
            r->fams = nf;
            r->cap = cap;
        }
        f = &r->fams[r->n_fams++];
        *f = (bb_family){
            .name = name, .help = help, .type = type, .n_labels = n, .label_names = names};
    }
    if (f->n_series == 1 && !f->series) { /* the second series: out of line from here */
        bb_series *ns = malloc(4 * sizeof *ns);
        if (!ns)
            return OMX_ENOMEM;
        ns[0] = f->one;
        f->series = ns;
        f->cap = 4;
    } else if (f->series && f->n_series == f->cap) {
        size_t cap = f->cap * 2;
        bb_series *ns = realloc(f->series, cap * sizeof *ns);
        if (!ns)
            return OMX_ENOMEM;
        f->series = ns;
        f->cap = cap;
    }
    bb_series s = {.v = v};
    if (n && !(s.values = calloc(n, sizeof *s.values)))
        return OMX_ENOMEM;
    for (size_t k = 0; k < n; k++)
        if (!(s.values[k] = strdup(values[k]))) {
            while (k--)
                free(s.values[k]);
            free(s.values);
            return OMX_ENOMEM;
        }
    ser(f)[f->n_series++] = s;
    r->n_series++;
    r->bytes += strlen(name) + 32;
    for (size_t k = 0; k < n; k++)
        r->bytes += strlen(names[k]) + strlen(values[k]) + 4;
    if (f->n_series == 1 && help)
        r->bytes += strlen(name) * 2 + strlen(help) + 32;
    return 0;
}

static int add_locked(bb_probe *p, omx_type type, const char *name, const char *help, size_t n,
                      const char *const *names, const char *const *values, double v) {
    if (!p || !p->res)
        return OMX_EINVAL;
    pthread_mutex_lock(&p->res->mu);
    int rc = add(p->res, type, name, help, n, names, values, v);
    pthread_mutex_unlock(&p->res->mu);
    return rc;
}

int bb_result_gauge(bb_probe *p, const char *name, const char *help, double v) {
    return add_locked(p, OMX_GAUGE, name, help, 0, NULL, NULL, v);
}

int bb_result_gauge_l(bb_probe *p, const char *name, const char *help, size_t n_labels,
                      const char *const *label_names, const char *const *label_values, double v) {
    return add_locked(p, OMX_GAUGE, name, help, n_labels, label_names, label_values, v);
}

int bb_result_counter_l(bb_probe *p, const char *name, const char *help, size_t n_labels,
                        const char *const *label_names, const char *const *label_values, double v) {
    return add_locked(p, OMX_COUNTER, name, help, n_labels, label_names, label_values, v);
}

/* ---- writing ------------------------------------------------------------- */

typedef struct sort_ctx {
    const bb_family *f;
    const size_t *order; /* label indexes by name */
} sort_ctx;

static int cmp_fam(const void *a, const void *b) {
    return strcmp((*(const bb_family *const *)a)->name, (*(const bb_family *const *)b)->name);
}

static _Thread_local sort_ctx *tl_sort;

static int cmp_series(const void *a, const void *b) {
    const bb_series *x = *(const bb_series *const *)a, *y = *(const bb_series *const *)b;
    for (size_t i = 0; i < tl_sort->f->n_labels; i++) {
        int c = strcmp(x->values[tl_sort->order[i]], y->values[tl_sort->order[i]]);
        if (c)
            return c;
    }
    return 0;
}

static int emit_family(omx_emitter *e, const bb_family *f) {
    size_t order[16];
    const char *names[16], *values[16];
    for (size_t i = 0; i < f->n_labels; i++)
        order[i] = i;
    for (size_t i = 1; i < f->n_labels; i++) /* insertion sort: a handful of labels */
        for (size_t j = i;
             j > 0 && strcmp(f->label_names[order[j - 1]], f->label_names[order[j]]) > 0; j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for (size_t i = 0; i < f->n_labels; i++)
        names[i] = f->label_names[order[i]];
    omx_desc d = {.name = f->name,
                  .help = f->help,
                  .type = f->type,
                  .label_names = names,
                  .n_labels = f->n_labels,
                  .flags = OMX_DESC_AS_WRITTEN};
    int rc = omx_emit_family(e, &d);
    if (rc < 0)
        return rc;
    const bb_series **ss = malloc((f->n_series ? f->n_series : 1) * sizeof *ss);
    if (!ss)
        return OMX_ENOMEM;
    for (size_t j = 0; j < f->n_series; j++)
        ss[j] = &ser(f)[j];
    sort_ctx sc = {.f = f, .order = order};
    tl_sort = &sc;
    qsort(ss, f->n_series, sizeof *ss, cmp_series);
    tl_sort = NULL;
    for (size_t j = 0; j < f->n_series && rc == 0; j++) {
        for (size_t i = 0; i < f->n_labels; i++)
            values[i] = ss[j]->values[order[i]];
        rc = omx_emit_sample(e, f->n_labels ? values : NULL, ss[j]->v);
    }
    free(ss);
    return rc;
}

int bb_result_collect(omx_emitter *e, void *userdata) {
    bb_result *r = userdata;
    int rc = 0, first = 0;
    pthread_mutex_lock(&r->mu);
    const bb_family **fs = malloc((r->n_fams ? r->n_fams : 1) * sizeof *fs);
    if (!fs) {
        pthread_mutex_unlock(&r->mu);
        return OMX_ENOMEM;
    }
    for (size_t i = 0; i < r->n_fams; i++)
        fs[i] = &r->fams[i];
    qsort(fs, r->n_fams, sizeof *fs, cmp_fam);
    for (size_t i = 0; i < r->n_fams; i++) {
        rc = emit_family(e, fs[i]);
        if (rc < 0 && !first)
            first = rc; /* one bad family does not hide the others */
    }
    pthread_mutex_unlock(&r->mu);
    free(fs);
    return first;
}

int bb_result_registry(bb_result *r, omx_registry **ret) {
    omx_registry *reg = omx_registry_new();
    if (!reg)
        return OMX_ENOMEM;
    int rc = omx_registry_add_collector(reg, "probe", bb_result_collect, r, NULL);
    if (rc < 0) {
        omx_registry_free(reg);
        return rc;
    }
    *ret = reg;
    return 0;
}

size_t bb_result_bytes(bb_result *r) {
    pthread_mutex_lock(&r->mu);
    size_t n = r->bytes;
    pthread_mutex_unlock(&r->mu);
    return n;
}

/* Whether s is printable ASCII without the characters a label value or HELP
 * text escapes: then it is written as it is, and needs no UTF-8 check. */
static bool plain(const char *s) {
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p > 0x7e || *p == '\\' || *p == '"')
            return false;
    return true;
}

static bool all_plain(const bb_result *r) {
    for (size_t i = 0; i < r->n_fams; i++) {
        const bb_family *f = &r->fams[i];
        if (f->help && !plain(f->help))
            return false;
        for (size_t j = 0; j < f->n_series; j++)
            for (size_t k = 0; k < f->n_labels; k++)
                if (!plain(ser(f)[j].values[k]))
                    return false;
    }
    return true;
}

/* Output gathered in a stack buffer and appended in a few large pieces: a
 * probe's answer is a few dozen short strings per series. */
typedef struct obuf {
    omx_buf *out;
    int rc;
    size_t n;
    char buf[4096];
} obuf;

static void flush(obuf *o) {
    if (o->n && !o->rc)
        o->rc = omx_buf_append(o->out, o->buf, o->n);
    o->n = 0;
}

static void putn(obuf *o, const char *s, size_t len) {
    if (o->n + len > sizeof o->buf) {
        flush(o);
        if (len > sizeof o->buf) {
            if (!o->rc)
                o->rc = omx_buf_append(o->out, s, len);
            return;
        }
    }
    memcpy(o->buf + o->n, s, len);
    o->n += len;
}

static void put(obuf *o, const char *s) { putn(o, s, strlen(s)); }

/* One family in 0.0.4 text, as the registry writes an as-written family of
 * plain strings: HELP, TYPE, then the series in label order. */
static int write_family(const bb_family *f, obuf *b) {
    size_t order[16];
    for (size_t i = 0; i < f->n_labels; i++)
        order[i] = i;
    for (size_t i = 1; i < f->n_labels; i++)
        for (size_t j = i;
             j > 0 && strcmp(f->label_names[order[j - 1]], f->label_names[order[j]]) > 0; j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    if (f->help) {
        putn(b, "# HELP ", 7);
        put(b, f->name);
        putn(b, " ", 1);
        put(b, f->help);
        putn(b, "\n", 1);
    }
    putn(b, "# TYPE ", 7);
    put(b, f->name);
    put(b, f->type == OMX_COUNTER ? " counter\n" : " gauge\n");
    const bb_series *one[1], **ss = one;
    if (f->n_series > 1 && !(ss = malloc(f->n_series * sizeof *ss)))
        return OMX_ENOMEM;
    for (size_t j = 0; j < f->n_series; j++)
        ss[j] = &ser(f)[j];
    if (f->n_series > 1) {
        sort_ctx sc = {.f = f, .order = order};
        tl_sort = &sc;
        qsort(ss, f->n_series, sizeof *ss, cmp_series);
        tl_sort = NULL;
    }
    char num[40];
    for (size_t j = 0; j < f->n_series && !b->rc; j++) {
        put(b, f->name);
        for (size_t i = 0; i < f->n_labels; i++) {
            putn(b, i ? "," : "{", 1);
            put(b, f->label_names[order[i]]);
            putn(b, "=\"", 2);
            put(b, ss[j]->values[order[i]]);
            putn(b, "\"", 1);
        }
        if (f->n_labels)
            putn(b, "}", 1);
        num[0] = ' ';
        size_t n = omx_format_double(num + 1, ss[j]->v) + 1;
        num[n++] = '\n';
        putn(b, num, n);
    }
    if (ss != one)
        free(ss);
    return b->rc;
}

int bb_result_write(bb_result *r, omx_format format, omx_buf *out) {
    if (format == OMX_FORMAT_PROMETHEUS) {
        pthread_mutex_lock(&r->mu);
        bool direct = all_plain(r) && r->n_fams <= 256;
        int rc = 0;
        if (direct) {
            const bb_family *fs[256];
            obuf o = {.out = out};
            for (size_t i = 0; i < r->n_fams; i++)
                fs[i] = &r->fams[i];
            qsort(fs, r->n_fams, sizeof fs[0], cmp_fam);
            for (size_t i = 0; i < r->n_fams && !rc; i++)
                rc = write_family(fs[i], &o);
            flush(&o);
            rc = rc ? rc : o.rc;
        }
        pthread_mutex_unlock(&r->mu);
        if (direct)
            return rc;
    }
    omx_registry *reg;
    omx_write_opts o = {.format = format};
    int rc = bb_result_registry(r, &reg);
    if (rc < 0)
        return rc;
    rc = omx_registry_write(reg, &o, omx_buf_write_fn, out);
    omx_registry_free(reg);
    return rc;
}

int bb_result_write_text(bb_result *r, omx_buf *out) {
    return bb_result_write(r, OMX_FORMAT_PROMETHEUS, out);
}

int bb_result_get(bb_result *r, const char *name, size_t n, const char *const *label_values,
                  double *ret) {
    int rc = OMX_ENOENT;
    pthread_mutex_lock(&r->mu);
    for (size_t i = 0; i < r->n_fams && rc; i++) {
        bb_family *f = &r->fams[i];
        if (strcmp(f->name, name) || (n && n != f->n_labels))
            continue;
        for (size_t j = 0; j < f->n_series && rc; j++) {
            bool eq = true;
            for (size_t k = 0; k < n && eq; k++)
                eq = !strcmp(ser(f)[j].values[k], label_values[k]);
            if (eq) {
                *ret = ser(f)[j].v;
                rc = 0;
            }
        }
    }
    pthread_mutex_unlock(&r->mu);
    return rc;
}
