/* One gather of a registry encoded as a remote-write request (1.0 or 2.0),
 * snappy-compressed. Samples come from omx_registry_visit. Each series is
 * packed by protobuf-c on its own, as a request holding only that series, and
 * the packings are concatenated: a protobuf message's encoding is the
 * concatenation of its fields' and repeated fields append, so the result is
 * the request holding every series, built without a tree of messages (memory
 * follows the encoded bytes only). 2.0's strings are interned into its
 * symbols, appended last the same way. */
#include <errno.h>
#include <math.h>
#include <snappy-c.h>
#include <stdlib.h>
#include <string.h>

#include "exporter/hash.h"
#include "exporter/visit.h"
#include "push-internal.h"
#include "remote.pb-c.h"
#include "write-v2.pb-c.h"

#define MAX_LABELS 128     /* __name__, the series' labels, le/quantile, external labels */
#define OUT_MAX (1u << 30) /* one request, unpacked */

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
    omx_buf out; /* the request so far, unpacked */
    size_t samples;
    /* the family being visited */
    omx_type type;
    Io__Prometheus__Write__V2__Metadata v2meta;
    bool have_v2meta;
} enc;

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
    uint64_t h = omx_fnv64_str(s);
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

/* Room for n more bytes in b (and its NUL). Returns 0, OMX_ELIMIT or OMX_ENOMEM. */
static int reserve(omx_buf *b, size_t n) {
    if (n > b->max || b->len + 1 > b->max - n)
        return OMX_ELIMIT;
    if (b->len + n + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64 * 1024;
    while (cap < b->len + n + 1)
        cap *= 2;
    if (cap > b->max)
        cap = b->max;
    char *d = realloc(b->data, cap);
    if (!d)
        return OMX_ENOMEM;
    b->data = d;
    b->cap = cap;
    return 0;
}

/* Appends the packing of msg (a request holding one element). */
static int put_packed(enc *e, const ProtobufCMessage *msg) {
    size_t n = protobuf_c_message_get_packed_size(msg);
    int rc = reserve(&e->out, n);
    if (rc)
        return rc;
    protobuf_c_message_pack(msg, (uint8_t *)e->out.data + e->out.len);
    e->out.len += n;
    return 0;
}

static int on_family(void *ctx, const char *name, omx_type t, const char *help, const char *unit) {
    enc *e = ctx;
    e->type = t;
    e->have_v2meta = false;
    if (!e->with_metadata)
        return 0;
    if (e->proto == OMX_PUSH_RW2) {
        uint32_t help_ref = 0, unit_ref = 0;
        if ((help && *help && !intern(e, help, &help_ref)) ||
            (unit && *unit && !intern(e, unit, &unit_ref)))
            return OMX_ENOMEM;
        io__prometheus__write__v2__metadata__init(&e->v2meta);
        e->v2meta.type = (Io__Prometheus__Write__V2__Metadata__MetricType)type_code(t);
        e->v2meta.help_ref = help_ref;
        e->v2meta.unit_ref = unit_ref;
        e->have_v2meta = true;
        return 0;
    }
    Prometheus__MetricMetadata m = PROMETHEUS__METRIC_METADATA__INIT, *mp = &m;
    m.type = (Prometheus__MetricMetadata__MetricType)type_code(t);
    m.metric_family_name = (char *)name;
    m.help = (char *)(help ? help : "");
    m.unit = (char *)(unit ? unit : "");
    Prometheus__WriteRequest one = PROMETHEUS__WRITE_REQUEST__INIT;
    one.n_metadata = 1;
    one.metadata = &mp;
    return put_packed(e, &one.base);
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
    int64_t ts = s->has_timestamp ? s->timestamp_ms : e->now_ms;
    int rc;
    if (e->proto == OMX_PUSH_RW2) {
        uint32_t refs[2 * MAX_LABELS];
        for (int i = 0; i < n; i++)
            if (!intern(e, lp[i].name, &refs[2 * i]) || !intern(e, lp[i].value, &refs[2 * i + 1]))
                return OMX_ENOMEM;
        Io__Prometheus__Write__V2__Sample smp = IO__PROMETHEUS__WRITE__V2__SAMPLE__INIT, *sp = &smp;
        smp.value = s->value;
        smp.timestamp = ts;
        if (!isnan(s->created) && has_start(e->type))
            smp.start_timestamp = (int64_t)llround(s->created * 1000);
        Io__Prometheus__Write__V2__TimeSeries t = IO__PROMETHEUS__WRITE__V2__TIME_SERIES__INIT,
                                              *tp = &t;
        t.n_labels_refs = 2 * (size_t)n;
        t.labels_refs = refs;
        t.n_samples = 1;
        t.samples = &sp;
        t.metadata = e->have_v2meta ? &e->v2meta : NULL;
        Io__Prometheus__Write__V2__Request one = IO__PROMETHEUS__WRITE__V2__REQUEST__INIT;
        one.n_timeseries = 1;
        one.timeseries = &tp;
        rc = put_packed(e, &one.base);
    } else {
        Prometheus__Label lab[MAX_LABELS], *lv[MAX_LABELS];
        for (int i = 0; i < n; i++) {
            prometheus__label__init(&lab[i]);
            lab[i].name = (char *)lp[i].name;
            lab[i].value = (char *)lp[i].value;
            lv[i] = &lab[i];
        }
        Prometheus__Sample smp = PROMETHEUS__SAMPLE__INIT, *sp = &smp;
        smp.value = s->value;
        smp.timestamp = ts;
        Prometheus__TimeSeries t = PROMETHEUS__TIME_SERIES__INIT, *tp = &t;
        t.n_labels = (size_t)n;
        t.labels = lv;
        t.n_samples = 1;
        t.samples = &sp;
        Prometheus__WriteRequest one = PROMETHEUS__WRITE_REQUEST__INIT;
        one.n_timeseries = 1;
        one.timeseries = &tp;
        rc = put_packed(e, &one.base);
    }
    if (!rc)
        e->samples++;
    return rc;
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

/* 2.0: the symbols, in index order, as one-symbol requests. */
static int put_symbols(enc *e) {
    for (size_t i = 0; i < e->n_syms; i++) {
        Io__Prometheus__Write__V2__Request one = IO__PROMETHEUS__WRITE__V2__REQUEST__INIT;
        one.n_symbols = 1;
        one.symbols = &e->syms[i];
        /* a repeated string keeps every element, "" included */
        int rc = put_packed(e, &one.base);
        if (rc)
            return rc;
    }
    return 0;
}

int omx__push_encode(omx_registry *r, omx_push_protocol proto, int64_t now_ms,
                     const char *const *ext_names, const char *const *ext_values, size_t n_ext,
                     bool with_metadata, size_t *io_size_hint, uint8_t **ret_data, size_t *ret_len,
                     size_t *ret_samples) {
    enc e = {.proto = proto,
             .now_ms = now_ms,
             .ext_names = ext_names,
             .ext_values = ext_values,
             .n_ext = n_ext,
             .with_metadata = with_metadata || proto == OMX_PUSH_RW2};
    omx_buf_init(&e.out, OUT_MAX);
    /* sized as the last request: no copies while it grows */
    int rc = io_size_hint && *io_size_hint ? reserve(&e.out, *io_size_hint + *io_size_hint / 8) : 0;
    /* 2.0: symbols start with the empty string (refs of absent help/unit) */
    if (proto == OMX_PUSH_RW2 && !intern(&e, "", NULL))
        rc = OMX_ENOMEM;
    omx_visitor v = {.family = on_family, .sample = on_sample};
    if (!rc)
        rc = omx_registry_visit(r, NULL, &v, &e);
    if (!rc && proto == OMX_PUSH_RW2)
        rc = put_symbols(&e);
    if (!rc && io_size_hint)
        *io_size_hint = e.out.len;
    free(e.tab);
    free(e.syms);
    omx__push_arena_free(&e.arena);
    if (!rc)
        rc =
            compress((const uint8_t *)(e.out.data ? e.out.data : ""), e.out.len, ret_data, ret_len);
    omx_buf_free(&e.out);
    if (!rc)
        *ret_samples = e.samples;
    return rc;
}
