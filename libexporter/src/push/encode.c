/* One gather of a registry encoded as a remote-write request (1.0 or 2.0),
 * snappy-compressed. Samples come from omx_registry_visit. Each series is
 * packed by protobuf-c as the TimeSeries it is, framed as the request's
 * repeated field (its tag and length), and the framings are concatenated: a
 * protobuf message's encoding is the concatenation of its fields' and
 * repeated fields append, so the result is the request holding every series,
 * built without a tree of messages. In 1.0 each distinct label pair is
 * packed once per request (labels.c) and a series is its labels' bytes and
 * its sample packed by protobuf-c, framed as protobuf-c frames a TimeSeries.
 * Metadata and 2.0's symbols (interned strings, appended last) are packed as
 * one-element requests.
 *
 * The packed bytes are compressed as they come, one snappy block (64 KiB) at
 * a time: snappy compresses its input in independent 64 KiB fragments, so the
 * fragments' outputs, concatenated after the total length, are the block
 * snappy_compress would give for the whole. Memory follows the compressed
 * request, not the unpacked one. */
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
#define BLOCK 65536        /* snappy's fragment: compressed on its own */
#define Z_HEAD 5           /* room for the total length, a varint below 2^35 */

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
    omx_buf raw;        /* packed bytes not compressed yet: under a block and one element */
    uint64_t raw_total; /* packed bytes so far: the request's unpacked size */
    uint8_t *z;         /* compressed fragments after Z_HEAD bytes kept for the length */
    size_t z_len, z_cap;
    uint8_t series_tag[5]; /* the request's timeseries field: its key as a varint */
    size_t series_tag_len;
    omx__push_labels labels; /* 1.0: packed label pairs */
    uint8_t sample_key[5];   /* 1.0: TimeSeries.samples' key */
    size_t sample_key_len;
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

static size_t put_varint(uint8_t *o, uint64_t v) {
    size_t n = 0;
    for (; v >= 0x80; v >>= 7)
        o[n++] = (uint8_t)(v | 0x80);
    o[n++] = (uint8_t)v;
    return n;
}

/* Room for n more compressed bytes. Returns 0, OMX_ELIMIT or OMX_ENOMEM. */
static int z_reserve(enc *e, size_t n) {
    if (n > OUT_MAX || e->z_len > OUT_MAX - n)
        return OMX_ELIMIT;
    if (e->z_len + n <= e->z_cap)
        return 0;
    size_t cap = e->z_cap ? e->z_cap : 16 * 1024;
    while (cap < e->z_len + n)
        cap *= 2;
    uint8_t *d = realloc(e->z, cap);
    if (!d)
        return OMX_ENOMEM;
    e->z = d;
    e->z_cap = cap;
    return 0;
}

/* Compresses in[0..n) (at most a block) after what is compressed so far,
 * without the fragment's own length prefix. */
static int compress_fragment(enc *e, const char *in, size_t n) {
    size_t got = snappy_max_compressed_length(n);
    int rc = z_reserve(e, got);
    if (rc)
        return rc;
    char *o = (char *)e->z + e->z_len;
    if (snappy_compress(in, n, o, &got) != SNAPPY_OK)
        return OMX_EIO;
    uint8_t len[10];
    size_t h = put_varint(len, n);
    if (got < h)
        return OMX_EIO;
    memmove(o, o + h, got - h);
    e->z_len += got - h;
    return 0;
}

/* Counts n bytes just packed into e->raw and compresses every full block
 * (with all, the rest too). */
static int advance(enc *e, size_t n, bool all) {
    e->raw.len += n;
    e->raw_total += n;
    size_t off = 0;
    int rc = 0;
    while (!rc && (e->raw.len - off >= BLOCK || (all && off < e->raw.len))) {
        size_t k = e->raw.len - off < BLOCK ? e->raw.len - off : BLOCK;
        rc = compress_fragment(e, e->raw.data + off, k);
        off += k;
    }
    if (off) { /* the rest, less than a block, to the start */
        memmove(e->raw.data, e->raw.data + off, e->raw.len - off);
        e->raw.len -= off;
    }
    return rc;
}

/* Room in e->raw for n more packed bytes. */
static int raw_reserve(enc *e, size_t n) {
    if (n > OUT_MAX || e->raw_total > OUT_MAX - n)
        return OMX_ELIMIT;
    return reserve(&e->raw, n);
}

/* Appends the packing of msg (a request holding one element). */
static int put_packed(enc *e, const ProtobufCMessage *msg) {
    size_t n = protobuf_c_message_get_packed_size(msg);
    int rc = raw_reserve(e, n);
    if (rc)
        return rc;
    protobuf_c_message_pack(msg, (uint8_t *)e->raw.data + e->raw.len);
    return advance(e, n, false);
}

/* Appends ts as an element of the request's timeseries field: packed after
 * room for its key and length (bound: at least its packed size), which are
 * then written before it. One walk of the message instead of a size pass
 * and a packing pass per level. */
static int put_series(enc *e, const ProtobufCMessage *ts, size_t bound) {
    size_t head = e->series_tag_len + 5;
    int rc = raw_reserve(e, head + bound);
    if (rc)
        return rc;
    uint8_t *o = (uint8_t *)e->raw.data + e->raw.len;
    size_t n = protobuf_c_message_pack(ts, o + head);
    uint8_t len[10];
    size_t h = put_varint(len, n);
    memcpy(o, e->series_tag, e->series_tag_len);
    memcpy(o + e->series_tag_len, len, h);
    memmove(o + e->series_tag_len + h, o + head, n);
    return advance(e, e->series_tag_len + h + n, false);
}

/* 1.0: a series of labels already packed (lb[i], ll[i] bytes, labels_len in
 * all) and one sample, framed as protobuf-c packs a TimeSeries: labels,
 * then samples. */
static int put_packed_labels(enc *e, const uint8_t *const *lb, const size_t *ll, int n,
                             size_t labels_len, const Prometheus__Sample *smp) {
    uint8_t sample[64]; /* a double and an int64: at most 2 + 8 + 10 bytes */
    size_t sn = prometheus__sample__pack(smp, sample);
    uint8_t slen[10], tlen[10];
    size_t sh = put_varint(slen, sn);
    size_t ts_len = labels_len + e->sample_key_len + sh + sn;
    size_t th = put_varint(tlen, ts_len), total = e->series_tag_len + th + ts_len;
    int rc = raw_reserve(e, total);
    if (rc)
        return rc;
    uint8_t *o = (uint8_t *)e->raw.data + e->raw.len;
    memcpy(o, e->series_tag, e->series_tag_len);
    o += e->series_tag_len;
    memcpy(o, tlen, th);
    o += th;
    for (int i = 0; i < n; i++) {
        memcpy(o, lb[i], ll[i]);
        o += ll[i];
    }
    memcpy(o, e->sample_key, e->sample_key_len);
    o += e->sample_key_len;
    memcpy(o, slen, sh);
    memcpy(o + sh, sample, sn);
    return advance(e, total, false);
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
        Io__Prometheus__Write__V2__TimeSeries t = IO__PROMETHEUS__WRITE__V2__TIME_SERIES__INIT;
        t.n_labels_refs = 2 * (size_t)n;
        t.labels_refs = refs;
        t.n_samples = 1;
        t.samples = &sp;
        t.metadata = e->have_v2meta ? &e->v2meta : NULL;
        /* each field's key and length at most 6 bytes, a varint at most 10:
         * refs 6 bytes each (packed or not), the sample 6 + 3 * 11, the
         * metadata 6 + 3 * 11 */
        rc = put_series(e, &t.base, 128 + 12 * (size_t)n);
    } else {
        Prometheus__Sample smp = PROMETHEUS__SAMPLE__INIT, *sp = &smp;
        smp.value = s->value;
        smp.timestamp = ts;
        const uint8_t *lb[MAX_LABELS];
        size_t ll[MAX_LABELS], labels_len = 0;
        rc = 0;
        for (int i = 0; i < n && !rc; i++) {
            rc = omx__push_label(&e->labels, (size_t)i, lp[i].name, lp[i].value, &lb[i], &ll[i]);
            labels_len += rc ? 0 : ll[i];
        }
        if (!rc) {
            rc = put_packed_labels(e, lb, ll, n, labels_len, &smp);
            goto done;
        }
        if (rc != OMX_ELIMIT)
            return rc;
        /* too many distinct pairs kept: this series packed whole */
        Prometheus__Label lab[MAX_LABELS], *lv[MAX_LABELS];
        for (int i = 0; i < n; i++) {
            prometheus__label__init(&lab[i]);
            lab[i].name = (char *)lp[i].name;
            lab[i].value = (char *)lp[i].value;
            lv[i] = &lab[i];
        }
        Prometheus__TimeSeries t = PROMETHEUS__TIME_SERIES__INIT;
        t.n_labels = (size_t)n;
        t.labels = lv;
        t.n_samples = 1;
        t.samples = &sp;
        /* a label: its key and length (6), name and value each a key, a
         * length (6) and the bytes; the sample 6 + 11 + 11 */
        size_t bound = 64;
        for (int i = 0; i < n; i++)
            bound += 18 + strlen(lp[i].name) + strlen(lp[i].value);
        rc = put_series(e, &t.base, bound);
    }
done:
    if (!rc)
        e->samples++;
    return rc;
}

/* The key of the request's timeseries field, from the message's descriptor. */
static void series_key(enc *e) {
    const ProtobufCMessageDescriptor *d = e->proto == OMX_PUSH_RW2
                                              ? &io__prometheus__write__v2__request__descriptor
                                              : &prometheus__write_request__descriptor;
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(d, "timeseries");
    e->series_tag_len =
        put_varint(e->series_tag, ((uint64_t)f->id << 3) | PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED);
    f = protobuf_c_message_descriptor_get_field_by_name(&prometheus__time_series__descriptor,
                                                        "samples");
    e->sample_key_len =
        put_varint(e->sample_key, ((uint64_t)f->id << 3) | PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED);
    omx__push_labels_init(&e->labels);
}

/* The compressed request: what is left compressed, then the total length
 * written before the fragments, moved to the start. */
static int finish(enc *e, uint8_t **ret_data, size_t *ret_len) {
    int rc = advance(e, 0, true);
    if (rc)
        return rc;
    uint8_t len[10];
    size_t h = put_varint(len, e->raw_total);
    if (h > Z_HEAD)
        return OMX_ELIMIT;
    memcpy(e->z + Z_HEAD - h, len, h);
    memmove(e->z, e->z + Z_HEAD - h, e->z_len - (Z_HEAD - h));
    e->z_len -= Z_HEAD - h;
    uint8_t *fit = realloc(e->z, e->z_len); /* the queue holds it: keep only what is used */
    *ret_data = fit ? fit : e->z;
    *ret_len = e->z_len;
    e->z = NULL;
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
    omx_buf_init(&e.raw, OUT_MAX);
    series_key(&e);
    /* sized as the last request: no copies while it grows */
    int rc = z_reserve(&e, Z_HEAD + (io_size_hint ? *io_size_hint + *io_size_hint / 8 : 0));
    if (!rc)
        e.z_len = Z_HEAD;
    /* 2.0: symbols start with the empty string (refs of absent help/unit) */
    if (proto == OMX_PUSH_RW2 && !intern(&e, "", NULL))
        rc = OMX_ENOMEM;
    omx_visitor v = {.family = on_family, .sample = on_sample};
    if (!rc)
        rc = omx_registry_visit(r, NULL, &v, &e);
    if (!rc && proto == OMX_PUSH_RW2)
        rc = put_symbols(&e);
    free(e.tab);
    free(e.syms);
    omx__push_labels_free(&e.labels);
    omx__push_arena_free(&e.arena);
    if (!rc)
        rc = finish(&e, ret_data, ret_len);
    if (!rc && io_size_hint)
        *io_size_hint = *ret_len;
    free(e.z);
    omx_buf_free(&e.raw);
    if (!rc)
        *ret_samples = e.samples;
    return rc;
}
