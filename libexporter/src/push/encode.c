/* One gather of a registry encoded as a remote-write request (1.0 or 2.0),
 * snappy-compressed. Samples come from omx_registry_visit; the messages are
 * built in an arena and strings interned once per request (2.0 needs the
 * table as its symbols; 1.0 shares the copies). */
#include <errno.h>
#include <math.h>
#include <snappy-c.h>
#include <stdlib.h>
#include <string.h>

#include "exporter/visit.h"
#include "push-internal.h"
#include "remote.pb-c.h"
#include "write-v2.pb-c.h"

#define MAX_LABELS 128 /* __name__, the series' labels, le/quantile, external labels */

typedef struct sym {
    const char *s;
    uint64_t hash;
    uint32_t idx;
} sym;

typedef struct enc {
    omx__push_arena arena;
    omx_push_protocol proto;
    int64_t now_ms;
    const char *const *ext_names, *const *ext_values;
    size_t n_ext;
    bool with_metadata;
    /* interned strings: open addressing, symbols in order for 2.0 */
    sym *tab;
    size_t tab_mask, n_syms, cap_syms;
    char **syms;
    /* the series built so far */
    void **series;
    size_t n_series, cap_series;
    Prometheus__MetricMetadata **meta;
    size_t n_meta, cap_meta;
    size_t samples;
    /* the family being visited */
    omx_type type;
    const char *help, *unit; /* interned; NULL when none */
    Io__Prometheus__Write__V2__Metadata *v2meta;
} enc;

static uint64_t fnv(const char *s) {
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap * 2 : 256;
    while (n < need)
        n *= 2;
    void *p = realloc(*arr, n * elem);
    if (!p)
        return OMX_ENOMEM;
    *arr = p;
    *cap = n;
    return 0;
}

/* The interned copy of s and its index in the symbols; NULL when out of memory. */
static const char *intern(enc *e, const char *s, uint32_t *ret_idx) {
    if (!e->tab || e->n_syms * 2 >= e->tab_mask + 1) {
        size_t n = e->tab_mask ? (e->tab_mask + 1) * 2 : 1024;
        sym *t = calloc(n, sizeof *t);
        if (!t)
            return NULL;
        for (size_t i = 0; e->tab && i <= e->tab_mask; i++) {
            if (!e->tab[i].s)
                continue;
            size_t k = e->tab[i].hash & (n - 1);
            while (t[k].s)
                k = (k + 1) & (n - 1);
            t[k] = e->tab[i];
        }
        free(e->tab);
        e->tab = t;
        e->tab_mask = n - 1;
    }
    uint64_t h = fnv(s);
    size_t k = h & e->tab_mask;
    for (; e->tab[k].s; k = (k + 1) & e->tab_mask)
        if (e->tab[k].hash == h && !strcmp(e->tab[k].s, s)) {
            if (ret_idx)
                *ret_idx = e->tab[k].idx;
            return e->tab[k].s;
        }
    if (e->n_syms >= UINT32_MAX ||
        grow((void **)&e->syms, &e->cap_syms, e->n_syms + 1, sizeof *e->syms) < 0)
        return NULL;
    char *copy = omx__push_strdup(&e->arena, s);
    if (!copy)
        return NULL;
    e->tab[k] = (sym){copy, h, (uint32_t)e->n_syms};
    e->syms[e->n_syms] = copy;
    if (ret_idx)
        *ret_idx = (uint32_t)e->n_syms;
    e->n_syms++;
    return copy;
}

static int type_code(omx_type t) {
    switch (t) {
    case OMX_COUNTER: return 1;
    case OMX_GAUGE: return 2;
    case OMX_HISTOGRAM: return 3;
    case OMX_GAUGEHISTOGRAM: return 4;
    case OMX_SUMMARY: return 5;
    case OMX_INFO: return 6;
    case OMX_STATESET: return 7;
    default: return 0;
    }
}

static int on_family(void *ctx, const char *name, omx_type t, const char *help, const char *unit) {
    enc *e = ctx;
    e->type = t;
    e->help = help && *help ? intern(e, help, NULL) : NULL;
    e->unit = unit && *unit ? intern(e, unit, NULL) : NULL;
    if ((help && *help && !e->help) || (unit && *unit && !e->unit))
        return OMX_ENOMEM;
    e->v2meta = NULL;
    if (!e->with_metadata)
        return 0;
    if (e->proto == OMX_PUSH_RW2) {
        Io__Prometheus__Write__V2__Metadata *m = omx__push_alloc(&e->arena, sizeof *m);
        if (!m)
            return OMX_ENOMEM;
        io__prometheus__write__v2__metadata__init(m);
        m->type = (Io__Prometheus__Write__V2__Metadata__MetricType)type_code(t);
        uint32_t ref = 0;
        if (e->help)
            intern(e, e->help, &ref);
        m->help_ref = ref;
        ref = 0;
        if (e->unit)
            intern(e, e->unit, &ref);
        m->unit_ref = ref;
        e->v2meta = m;
        return 0;
    }
    Prometheus__MetricMetadata *m = omx__push_alloc(&e->arena, sizeof *m);
    const char *n = intern(e, name, NULL);
    if (!m || !n || grow((void **)&e->meta, &e->cap_meta, e->n_meta + 1, sizeof *e->meta) < 0)
        return OMX_ENOMEM;
    prometheus__metric_metadata__init(m);
    m->type = (Prometheus__MetricMetadata__MetricType)type_code(t);
    m->metric_family_name = (char *)n;
    m->help = (char *)(e->help ? e->help : "");
    m->unit = (char *)(e->unit ? e->unit : "");
    e->meta[e->n_meta++] = m;
    return 0;
}

typedef struct pair {
    const char *name, *value;
} pair;

/* The series' labels: __name__, the sample's, the external ones it lacks;
 * sorted by name, empty values left out. Returns how many or an omx_err. */
static int series_labels(const enc *e, const omx_visit_sample *s, pair *out) {
    size_t n = 0;
    out[n++] = (pair){"__name__", s->name};
    for (size_t i = 0; i < s->n_labels; i++) {
        if (!*s->label_values[i])
            continue;
        if (n == MAX_LABELS)
            return OMX_ELIMIT;
        out[n++] = (pair){s->label_names[i], s->label_values[i]};
    }
    size_t own = n;
    for (size_t k = 0; k < e->n_ext; k++) {
        bool have = false;
        for (size_t i = 0; i < own && !have; i++)
            have = !strcmp(out[i].name, e->ext_names[k]);
        if (have)
            continue;
        if (n == MAX_LABELS)
            return OMX_ELIMIT;
        out[n++] = (pair){e->ext_names[k], e->ext_values[k]};
    }
    for (size_t i = 1; i < n; i++) {
        pair p = out[i];
        size_t j = i;
        for (; j > 0 && strcmp(out[j - 1].name, p.name) > 0; j--)
            out[j] = out[j - 1];
        out[j] = p;
    }
    return (int)n;
}

static bool has_start(omx_type t) {
    return t == OMX_COUNTER || t == OMX_HISTOGRAM || t == OMX_SUMMARY;
}

static int on_sample(void *ctx, const omx_visit_sample *s) {
    enc *e = ctx;
    pair lp[MAX_LABELS];
    int n = series_labels(e, s, lp);
    if (n < 0)
        return n;
    if (grow((void **)&e->series, &e->cap_series, e->n_series + 1, sizeof *e->series) < 0)
        return OMX_ENOMEM;
    int64_t ts = s->has_timestamp ? s->timestamp_ms : e->now_ms;
    if (e->proto == OMX_PUSH_RW2) {
        Io__Prometheus__Write__V2__TimeSeries *t = omx__push_alloc(&e->arena, sizeof *t);
        Io__Prometheus__Write__V2__Sample *smp = omx__push_alloc(&e->arena, sizeof *smp);
        Io__Prometheus__Write__V2__Sample **sv = omx__push_alloc(&e->arena, sizeof *sv);
        uint32_t *refs = omx__push_alloc(&e->arena, 2 * (size_t)n * sizeof *refs);
        if (!t || !smp || !sv || !refs)
            return OMX_ENOMEM;
        io__prometheus__write__v2__time_series__init(t);
        io__prometheus__write__v2__sample__init(smp);
        for (int i = 0; i < n; i++)
            if (!intern(e, lp[i].name, &refs[2 * i]) || !intern(e, lp[i].value, &refs[2 * i + 1]))
                return OMX_ENOMEM;
        smp->value = s->value;
        smp->timestamp = ts;
        if (!isnan(s->created) && has_start(e->type))
            smp->start_timestamp = (int64_t)llround(s->created * 1000);
        sv[0] = smp;
        t->n_labels_refs = 2 * (size_t)n;
        t->labels_refs = refs;
        t->n_samples = 1;
        t->samples = sv;
        t->metadata = e->v2meta;
        e->series[e->n_series++] = t;
    } else {
        Prometheus__TimeSeries *t = omx__push_alloc(&e->arena, sizeof *t);
        Prometheus__Sample *smp = omx__push_alloc(&e->arena, sizeof *smp);
        Prometheus__Sample **sv = omx__push_alloc(&e->arena, sizeof *sv);
        Prometheus__Label *lab = omx__push_alloc(&e->arena, (size_t)n * sizeof *lab);
        Prometheus__Label **lv = omx__push_alloc(&e->arena, (size_t)n * sizeof *lv);
        if (!t || !smp || !sv || !lab || !lv)
            return OMX_ENOMEM;
        prometheus__time_series__init(t);
        prometheus__sample__init(smp);
        for (int i = 0; i < n; i++) {
            prometheus__label__init(&lab[i]);
            lab[i].name = (char *)intern(e, lp[i].name, NULL);
            lab[i].value = (char *)intern(e, lp[i].value, NULL);
            if (!lab[i].name || !lab[i].value)
                return OMX_ENOMEM;
            lv[i] = &lab[i];
        }
        smp->value = s->value;
        smp->timestamp = ts;
        sv[0] = smp;
        t->n_labels = (size_t)n;
        t->labels = lv;
        t->n_samples = 1;
        t->samples = sv;
        e->series[e->n_series++] = t;
    }
    e->samples++;
    return 0;
}

static int compress(const uint8_t *raw, size_t len, uint8_t **ret_data, size_t *ret_len) {
    size_t cap = snappy_max_compressed_length(len);
    uint8_t *out = malloc(cap ? cap : 1);
    if (!out)
        return OMX_ENOMEM;
    if (snappy_compress((const char *)raw, len, (char *)out, &cap) != SNAPPY_OK) {
        free(out);
        return OMX_EIO;
    }
    uint8_t *fit = realloc(out, cap ? cap : 1); /* the queue holds it: keep only what is used */
    *ret_data = fit ? fit : out;
    *ret_len = cap;
    return 0;
}

int omx__push_encode(omx_registry *r, omx_push_protocol proto, int64_t now_ms,
                     const char *const *ext_names, const char *const *ext_values, size_t n_ext,
                     bool with_metadata, uint8_t **ret_data, size_t *ret_len, size_t *ret_samples) {
    enc e = {.proto = proto,
             .now_ms = now_ms,
             .ext_names = ext_names,
             .ext_values = ext_values,
             .n_ext = n_ext,
             .with_metadata = with_metadata || proto == OMX_PUSH_RW2};
    int rc = 0;
    /* 2.0: symbols start with the empty string (refs of absent help/unit) */
    if (!intern(&e, "", NULL))
        rc = OMX_ENOMEM;
    omx_visitor v = {.family = on_family, .sample = on_sample};
    if (!rc)
        rc = omx_registry_visit(r, NULL, &v, &e);
    uint8_t *raw = NULL;
    size_t len = 0;
    if (!rc) {
        if (proto == OMX_PUSH_RW2) {
            Io__Prometheus__Write__V2__Request req = IO__PROMETHEUS__WRITE__V2__REQUEST__INIT;
            req.n_symbols = e.n_syms;
            req.symbols = e.syms;
            req.n_timeseries = e.n_series;
            req.timeseries = (Io__Prometheus__Write__V2__TimeSeries **)e.series;
            len = io__prometheus__write__v2__request__get_packed_size(&req);
            raw = malloc(len ? len : 1);
            if (raw)
                io__prometheus__write__v2__request__pack(&req, raw);
        } else {
            Prometheus__WriteRequest req = PROMETHEUS__WRITE_REQUEST__INIT;
            req.n_timeseries = e.n_series;
            req.timeseries = (Prometheus__TimeSeries **)e.series;
            req.n_metadata = e.n_meta;
            req.metadata = e.meta;
            len = prometheus__write_request__get_packed_size(&req);
            raw = malloc(len ? len : 1);
            if (raw)
                prometheus__write_request__pack(&req, raw);
        }
        if (!raw)
            rc = OMX_ENOMEM;
    }
    /* the messages are packed: free them before compressing */
    free(e.tab);
    free(e.syms);
    free(e.series);
    free(e.meta);
    omx__push_arena_free(&e.arena);
    if (!rc)
        rc = compress(raw, len, ret_data, ret_len);
    free(raw);
    if (!rc)
        *ret_samples = e.samples;
    return rc;
}
