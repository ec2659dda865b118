/* Export: every program's metrics as mtail exports them. Families are sorted
 * by exported name (metrics of the same name from several programs share one
 * family, told apart by prog), labels by name, series by label values;
 * HELP is "defined at file:line:col"; text and hidden metrics are never
 * exported; no sample timestamps unless asked for (mtail's default). Also
 * mtail's /json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progset.h"

typedef struct ent {
    lt_metric *m;
    size_t order;
} ent;

static int ent_cmp(const void *a, const void *b) {
    const ent *x = a, *y = b;
    int c = strcmp(x->m->exported, y->m->exported);
    if (c)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

static ent *gather(lt_progset *set, size_t *n, bool all) {
    size_t total = 0;
    for (size_t i = 0; i < set->n; i++)
        total += set->progs[i]->n_metrics;
    ent *v = calloc(total ? total : 1, sizeof(*v));
    if (!v)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < set->n; i++)
        for (size_t j = 0; j < set->progs[i]->n_metrics; j++) {
            lt_metric *m = set->progs[i]->metrics[j];
            if (!all && (m->hidden || m->kind == K_TEXT))
                continue;
            if (all && m->hidden)
                continue;
            v[k].m = m;
            v[k].order = k;
            k++;
        }
    qsort(v, k, sizeof(*v), ent_cmp);
    *n = k;
    return v;
}

/* label order: index into values (0 = prog, 1.. = keys), sorted by name */
typedef struct lbl {
    const char *name;
    size_t src;
} lbl;

static int lbl_cmp(const void *a, const void *b) {
    return strcmp(((const lbl *)a)->name, ((const lbl *)b)->name);
}

/* One series of a family, with the metric (program) it belongs to. */
typedef struct srow {
    const lt_metric *m;
    const lt_series *s;
} srow;

typedef struct sortctx {
    const lbl *order;
    size_t n;
} sortctx;

static const char *label_at(const srow *r, size_t src) {
    return src == 0 ? r->m->program : r->s->labels[src - 1];
}

static int srow_cmp(const void *a, const void *b, void *arg) {
    const sortctx *c = arg;
    for (size_t i = 0; i < c->n; i++) {
        int d = strcmp(label_at(a, c->order[i].src), label_at(b, c->order[i].src));
        if (d)
            return d;
    }
    return 0;
}

static bool same_shape(const lt_metric *m, const lt_metric *m0) {
    if (m->kind != m0->kind || m->n_keys != m0->n_keys || m->n_bounds != m0->n_bounds)
        return false;
    for (size_t j = 0; j < m->n_keys; j++)
        if (strcmp(m->keys[j], m0->keys[j]) != 0)
            return false;
    for (size_t j = 0; j < m->n_bounds; j++)
        if (m->bounds[j] != m0->bounds[j])
            return false;
    return true;
}

/* Emits the metrics of one exported name (one per program) as one family,
 * series sorted by label values as Prometheus' registry sorts them. */
static int emit_group(omx_emitter *e, lt_progset *set, ent *g, size_t n) {
    lt_metric *m0 = g[0].m;
    bool pl = set->opt.emit_prog_label;
    size_t nl = m0->n_keys + (pl ? 1 : 0);
    if (nl > 64)
        return 0;
    lbl order[65];
    const char *names[65], *vals[65];
    size_t k = 0;
    if (pl)
        order[k++] = (lbl){"prog", 0};
    for (size_t i = 0; i < m0->n_keys; i++)
        order[k++] = (lbl){m0->keys[i], i + 1};
    qsort(order, nl, sizeof(lbl), lbl_cmp);
    for (size_t i = 0; i < nl; i++)
        names[i] = order[i].name;
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        if (same_shape(g[i].m, m0)) /* another shape cannot share the family */
            total += g[i].m->n_series;
    if (!total)
        return 0;
    srow *rows = malloc(total * sizeof(*rows));
    uint64_t *cum = malloc((m0->n_bounds ? m0->n_bounds : 1) * sizeof(uint64_t));
    if (!rows || !cum) {
        free(rows);
        free(cum);
        return -ENOMEM;
    }
    size_t r = 0;
    for (size_t i = 0; i < n; i++)
        if (same_shape(g[i].m, m0))
            for (const lt_series *s = g[i].m->oldest; s; s = s->next)
                rows[r++] = (srow){g[i].m, s};
    sortctx sc = {order, nl};
    qsort_r(rows, total, sizeof(*rows), srow_cmp, &sc);
    char help[600];
    snprintf(help, sizeof(help), "defined at %s", m0->source);
    omx_desc d = {
        .name = m0->exported,
        .help = help,
        .type = m0->kind == K_COUNTER     ? OMX_COUNTER
                : m0->kind == K_HISTOGRAM ? OMX_HISTOGRAM
                                          : OMX_GAUGE,
        .label_names = names,
        .n_labels = nl,
        .flags = OMX_DESC_AS_WRITTEN,
    };
    int rc = omx_emit_family(e, &d);
    for (size_t i = 0; i < total && rc == 0; i++) {
        const lt_metric *m = rows[i].m;
        const lt_series *s = rows[i].s;
        for (size_t j = 0; j < nl; j++)
            vals[j] = label_at(&rows[i], order[j].src);
        if (m->kind == K_HISTOGRAM) {
            uint64_t c = 0;
            for (size_t b = 0; b < m->n_bounds; b++) {
                c += s->buckets[b];
                cum[b] = c;
            }
            rc = omx_emit_histogram(e, vals, m->n_bounds, m->bounds, cum, s->count, s->sum);
        } else if (set->opt.emit_metric_timestamp)
            rc = omx_emit_sample_ts(e, vals, m->is_float ? s->fval : (double)s->ival,
                                    s->ts_ns / 1000000);
        else
            rc = omx_emit_sample(e, vals, m->is_float ? s->fval : (double)s->ival);
    }
    free(cum);
    free(rows);
    return rc;
}

int lt_progset_collect(omx_emitter *e, void *userdata) {
    lt_progset *set = userdata;
    if (!set)
        return -EINVAL;
    pthread_mutex_lock(&set->lock);
    size_t n;
    ent *v = gather(set, &n, false);
    int rc = v ? 0 : -ENOMEM;
    for (size_t i = 0; i < n && rc == 0;) {
        size_t j = i + 1;
        while (j < n && strcmp(v[j].m->exported, v[i].m->exported) == 0)
            j++;
        rc = emit_group(e, set, v + i, j - i);
        if (rc == OMX_ENAME || rc == OMX_ELABEL || rc == OMX_EEXIST)
            rc = 0; /* one unexportable metric does not hide the rest */
        i = j;
    }
    free(v);
    if (rc == 0 && set->n) {
        static const char *const pn[] = {"prog"};
        omx_desc d = {.name = "mtail_prog_runtime_errors_total",
                      .help = "number of errors encountered when running a program",
                      .type = OMX_COUNTER,
                      .label_names = pn,
                      .n_labels = 1,
                      .flags = OMX_DESC_AS_WRITTEN};
        rc = omx_emit_family(e, &d);
        for (size_t i = 0; i < set->n && rc == 0; i++) {
            const char *val[] = {set->progs[i]->name};
            rc = omx_emit_sample(e, val, (double)set->progs[i]->runtime_errors);
        }
        d.name = "mtail_prog_loads_total";
        d.help = "number of times a program was loaded";
        if (rc == 0)
            rc = omx_emit_family(e, &d);
        for (size_t i = 0; i < set->n && rc == 0; i++) {
            const char *val[] = {set->progs[i]->name};
            rc = omx_emit_sample(e, val, (double)set->progs[i]->loads);
        }
        d.name = "mtail_prog_load_errors_total";
        d.help = "number of failed loads of a program";
        if (rc == 0)
            rc = omx_emit_family(e, &d);
        for (size_t i = 0; i < set->n && rc == 0; i++) {
            const char *val[] = {set->progs[i]->name};
            rc = omx_emit_sample(e, val, (double)set->progs[i]->load_errors);
        }
        static const char *const pm[] = {"prog", "metric"};
        d.name = "logtail_series_evicted_total";
        d.help = "series removed to keep a metric within its limit";
        d.label_names = pm;
        d.n_labels = 2;
        bool started = false;
        for (size_t i = 0; i < set->n && rc == 0; i++)
            for (size_t j = 0; j < set->progs[i]->n_metrics && rc == 0; j++) {
                lt_metric *m = set->progs[i]->metrics[j];
                if (!m->evicted)
                    continue;
                if (!started) {
                    rc = omx_emit_family(e, &d);
                    started = true;
                }
                const char *val[] = {set->progs[i]->name, m->name};
                if (rc == 0)
                    rc = omx_emit_sample(e, val, (double)m->evicted);
            }
    }
    pthread_mutex_unlock(&set->lock);
    return rc;
}

/* ---- JSON ---- */

static int jstr(omx_buf *b, const char *s) {
    char tmp[8];
    int rc = omx_buf_append(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p && rc == 0; p++) {
        const unsigned char *q = p;
        while (*q && *q >= 0x20 && *q != '"' && *q != '\\')
            q++;
        if (q > p) {
            rc = omx_buf_append(b, p, (size_t)(q - p));
            p = q - 1;
            continue;
        }
        if (*p == '"' || *p == '\\') {
            tmp[0] = '\\';
            tmp[1] = (char)*p;
            rc = omx_buf_append(b, tmp, 2);
        } else {
            snprintf(tmp, sizeof(tmp), "\\u%04x", *p);
            rc = omx_buf_append(b, tmp, 6);
        }
    }
    return rc ? rc : omx_buf_append(b, "\"", 1);
}

static int jraw(omx_buf *b, const char *s) { return omx_buf_append(b, s, strlen(s)); }

static int jnum(omx_buf *b, double v) {
    char tmp[40];
    size_t n = omx_format_double(tmp, v);
    if (v != v || v == 1.0 / 0.0 || v == -1.0 / 0.0)
        return jstr(b, tmp);
    return omx_buf_append(b, tmp, n);
}

static int jint(omx_buf *b, int64_t v) {
    char tmp[32];
    int n = snprintf(tmp, sizeof(tmp), "%lld", (long long)v);
    return omx_buf_append(b, tmp, (size_t)n);
}

/* mtail's Kind numbers: Counter 1, Gauge 2, Timer 3, Text 4, Histogram 5;
 * Type: Int 0, Float 1, String 2, Buckets 3. */
static int json_metric(omx_buf *b, lt_metric *m) {
    static const int kinds[] = {
        [K_COUNTER] = 1, [K_GAUGE] = 2, [K_TIMER] = 3, [K_TEXT] = 4, [K_HISTOGRAM] = 5};
    int type = m->kind == K_HISTOGRAM ? 3 : m->kind == K_TEXT ? 2 : m->is_float ? 1 : 0;
    int rc = jraw(b, "    {\n      \"Name\": ");
    rc = rc ? rc : jstr(b, m->exported);
    rc = rc ? rc : jraw(b, ",\n      \"Program\": ");
    rc = rc ? rc : jstr(b, m->program);
    rc = rc ? rc : jraw(b, ",\n      \"Kind\": ");
    rc = rc ? rc : jint(b, kinds[m->kind]);
    rc = rc ? rc : jraw(b, ",\n      \"Type\": ");
    rc = rc ? rc : jint(b, type);
    if (m->n_keys) {
        rc = rc ? rc : jraw(b, ",\n      \"Keys\": [");
        for (size_t i = 0; i < m->n_keys && !rc; i++) {
            rc = jraw(b, i ? ", " : "");
            rc = rc ? rc : jstr(b, m->keys[i]);
        }
        rc = rc ? rc : jraw(b, "]");
    }
    if (m->n_series) {
        rc = rc ? rc : jraw(b, ",\n      \"LabelValues\": [");
        bool first = true;
        for (lt_series *s = m->oldest; s && !rc; s = s->next) {
            rc = jraw(b, first ? "\n        {" : ",\n        {");
            first = false;
            if (m->n_keys) {
                rc = rc ? rc : jraw(b, "\"Labels\": [");
                for (size_t i = 0; i < m->n_keys && !rc; i++) {
                    rc = jraw(b, i ? ", " : "");
                    rc = rc ? rc : jstr(b, s->labels[i]);
                }
                rc = rc ? rc : jraw(b, "], ");
            }
            rc = rc ? rc : jraw(b, "\"Value\": {");
            if (m->kind == K_HISTOGRAM) {
                rc = rc ? rc : jraw(b, "\"Buckets\": {");
                for (size_t i = 0; i <= m->n_bounds && !rc; i++) {
                    char le[40];
                    if (i < m->n_bounds)
                        omx_format_double(le, m->bounds[i]);
                    else
                        strcpy(le, "+Inf");
                    rc = jraw(b, i ? ", " : "");
                    rc = rc ? rc : jstr(b, le);
                    rc = rc ? rc : jraw(b, ": ");
                    rc = rc ? rc : jint(b, (int64_t)s->buckets[i]);
                }
                rc = rc ? rc : jraw(b, "}, \"Count\": ");
                rc = rc ? rc : jint(b, (int64_t)s->count);
                rc = rc ? rc : jraw(b, ", \"Sum\": ");
                rc = rc ? rc : jnum(b, s->sum);
            } else if (m->kind == K_TEXT) {
                rc = rc ? rc : jraw(b, "\"Value\": ");
                rc = rc ? rc : jstr(b, s->sval ? s->sval : "");
            } else {
                rc = rc ? rc : jraw(b, "\"Value\": ");
                rc = rc ? rc : (m->is_float ? jnum(b, s->fval) : jint(b, s->ival));
            }
            rc = rc ? rc : jraw(b, ", \"Time\": ");
            rc = rc ? rc : jint(b, s->ts_ns);
            rc = rc ? rc : jraw(b, "}}");
        }
        rc = rc ? rc : jraw(b, "\n      ]");
    }
    rc = rc ? rc : jraw(b, ",\n      \"Source\": ");
    rc = rc ? rc : jstr(b, m->source);
    if (m->kind == K_HISTOGRAM) {
        rc = rc ? rc : jraw(b, ",\n      \"Buckets\": [");
        for (size_t i = 0; i <= m->n_bounds && !rc; i++) {
            char lo[40], hi[40];
            if (i == 0)
                strcpy(lo, "0");
            else
                omx_format_double(lo, m->bounds[i - 1]);
            if (i < m->n_bounds)
                omx_format_double(hi, m->bounds[i]);
            else
                strcpy(hi, "+Inf");
            rc = jraw(b, i ? ", {\"Min\": " : "{\"Min\": ");
            rc = rc ? rc : jstr(b, lo);
            rc = rc ? rc : jraw(b, ", \"Max\": ");
            rc = rc ? rc : jstr(b, hi);
            rc = rc ? rc : jraw(b, "}");
        }
        rc = rc ? rc : jraw(b, "]");
    }
    if (m->limit) {
        rc = rc ? rc : jraw(b, ",\n      \"Limit\": ");
        rc = rc ? rc : jint(b, (int64_t)m->limit);
    }
    return rc ? rc : jraw(b, "\n    }");
}

int lt_progset_write_json(lt_progset *set, omx_buf *buf, size_t max) {
    if (!set || !buf)
        return -EINVAL;
    if (max && buf->max > max)
        buf->max = max;
    pthread_mutex_lock(&set->lock);
    size_t n;
    ent *v = gather(set, &n, true);
    int rc = v ? jraw(buf, "{") : -ENOMEM;
    for (size_t i = 0; i < n && rc == 0;) {
        size_t j = i + 1;
        while (j < n && strcmp(v[j].m->exported, v[i].m->exported) == 0)
            j++;
        rc = jraw(buf, i ? ",\n  " : "\n  ");
        rc = rc ? rc : jstr(buf, v[i].m->exported);
        rc = rc ? rc : jraw(buf, ": [\n");
        for (size_t k = i; k < j && rc == 0; k++) {
            rc = jraw(buf, k > i ? ",\n" : "");
            rc = rc ? rc : json_metric(buf, v[k].m);
        }
        rc = rc ? rc : jraw(buf, "\n  ]");
        i = j;
    }
    rc = rc ? rc : jraw(buf, "\n}\n");
    free(v);
    pthread_mutex_unlock(&set->lock);
    return rc;
}
