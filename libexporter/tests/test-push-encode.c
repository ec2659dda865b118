/* The remote-write encoder: the snappy block decompresses, the protobuf
 * decodes (protobuf-c) to the registry's samples with sorted labels, the
 * external labels, the gather timestamp and the metadata; 2.0's symbols
 * start with "" and every ref resolves. */
#include <math.h>
#include <snappy-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exporter/exporter.h"
#include "omx-test.h"
#include "push-internal.h"
#include "remote.pb-c.h"
#include "write-v2.pb-c.h"

static uint8_t *unsnappy(const uint8_t *data, size_t len, size_t *ret_len) {
    size_t n;
    ASSERT(snappy_uncompressed_length((const char *)data, len, &n) == SNAPPY_OK);
    uint8_t *raw = malloc(n + 1);
    ASSERT(raw);
    ASSERT(snappy_uncompress((const char *)data, len, (char *)raw, &n) == SNAPPY_OK);
    *ret_len = n;
    return raw;
}

static const Prometheus__TimeSeries *find_v1(const Prometheus__WriteRequest *w, const char *name,
                                             const char *lname, const char *lvalue) {
    for (size_t i = 0; i < w->n_timeseries; i++) {
        const Prometheus__TimeSeries *t = w->timeseries[i];
        bool named = false, labelled = !lname;
        for (size_t k = 0; k < t->n_labels; k++) {
            named |= !strcmp(t->labels[k]->name, "__name__") && !strcmp(t->labels[k]->value, name);
            labelled |=
                lname && !strcmp(t->labels[k]->name, lname) && !strcmp(t->labels[k]->value, lvalue);
        }
        if (named && labelled)
            return t;
    }
    return NULL;
}

static const char *label_v1(const Prometheus__TimeSeries *t, const char *name) {
    for (size_t k = 0; k < t->n_labels; k++)
        if (!strcmp(t->labels[k]->name, name))
            return t->labels[k]->value;
    return NULL;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    omx_emit_family(e, &(omx_desc){.name = "c_sum_seconds",
                                   .unit = "seconds",
                                   .help = "A summary.",
                                   .type = OMX_SUMMARY});
    return omx_emit_summary(e, NULL, 2, 0.5, 1, (const double[]){0.5}, (const double[]){0.2});
}

/* Many series (several snappy blocks), a label value longer than a block and
 * a negative timestamp (the longest varints). */
#define BIG_SERIES 6000
static char big_value[100000];

static int collect_big(omx_emitter *e, void *userdata) {
    int n = *(const int *)userdata; /* past 32768: more distinct pairs than packed once */
    static const char *const ln[] = {"instance_id", "zone"};
    omx_emit_family(e, &(omx_desc){.name = "big",
                                   .help = "Many series.",
                                   .type = OMX_GAUGE,
                                   .label_names = ln,
                                   .n_labels = 2});
    char id[32], zone[32];
    for (int i = 0; i < n; i++) {
        snprintf(id, sizeof id, "i-%06d", i);
        snprintf(zone, sizeof zone, "zone-%d", n > 32768 ? i : i % 7);
        int rc = omx_emit_sample(e, (const char *const[]){id, zone}, i + 0.25);
        if (rc)
            return rc;
    }
    return omx_emit_sample_ts(e, (const char *const[]){"long", big_value}, -1.5e300,
                              -9000000000000000000);
}

/* The request decodes to every series, and its bytes are what snappy gives
 * for the whole unpacked request at once. */
static void check_big(omx_push_protocol proto, int n_series) {
    omx_registry *r = omx_registry_new();
    ASSERT_OK(omx_registry_add_collector(r, "big", collect_big, &n_series, NULL));
    uint8_t *data;
    size_t len, samples, rawlen;
    /* without metadata (which comes per family, not after every series): the
     * bytes protobuf-c packs for the decoded request */
    bool meta = proto == OMX_PUSH_RW2;
    ASSERT_OK(omx__push_encode(r, proto, 1700000000123, NULL, NULL, 0, meta, NULL, &data, &len,
                               &samples));
    ASSERT_EQ((int)samples, n_series + 1);
    uint8_t *raw = unsnappy(data, len, &rawlen);
    ASSERT(rawlen > 4 * 65536);
    size_t zlen = snappy_max_compressed_length(rawlen);
    char *z = malloc(zlen);
    ASSERT(z);
    ASSERT(snappy_compress((const char *)raw, rawlen, z, &zlen) == SNAPPY_OK);
    ASSERT(zlen == len && !memcmp(z, data, len));
    free(z);
    if (proto == OMX_PUSH_RW1) {
        Prometheus__WriteRequest *w = prometheus__write_request__unpack(NULL, rawlen, raw);
        ASSERT(w);
        size_t plen = prometheus__write_request__get_packed_size(w);
        uint8_t *packed = malloc(plen);
        ASSERT(packed);
        ASSERT(prometheus__write_request__pack(w, packed) == plen);
        ASSERT(plen == rawlen && !memcmp(packed, raw, plen));
        free(packed);
        int n = 0;
        for (size_t i = 0; i < w->n_timeseries; i++) {
            const Prometheus__TimeSeries *t = w->timeseries[i];
            const char *name = label_v1(t, "__name__"), *id = label_v1(t, "instance_id");
            if (!name || strcmp(name, "big"))
                continue;
            ASSERT(id && t->n_samples == 1);
            if (!strcmp(id, "long")) {
                ASSERT(!strcmp(label_v1(t, "zone"), big_value));
                ASSERT(t->samples[0]->timestamp == -9000000000000000000);
                ASSERT(t->samples[0]->value == -1.5e300);
            } else {
                ASSERT(t->samples[0]->value == atoi(id + 2) + 0.25);
                ASSERT(t->samples[0]->timestamp == 1700000000123);
            }
            n++;
        }
        ASSERT_EQ(n, n_series + 1);
        prometheus__write_request__free_unpacked(w, NULL);
    } else {
        Io__Prometheus__Write__V2__Request *q =
            io__prometheus__write__v2__request__unpack(NULL, rawlen, raw);
        ASSERT(q);
        int n = 0;
        for (size_t i = 0; i < q->n_timeseries; i++) {
            const Io__Prometheus__Write__V2__TimeSeries *t = q->timeseries[i];
            ASSERT(t->n_labels_refs == 6 && t->n_samples == 1);
            for (size_t k = 0; k < t->n_labels_refs; k++)
                ASSERT(t->labels_refs[k] < q->n_symbols);
            if (strcmp(q->symbols[t->labels_refs[1]], "big"))
                continue;
            const char *id = q->symbols[t->labels_refs[3]];
            if (!strcmp(id, "long"))
                ASSERT(!strcmp(q->symbols[t->labels_refs[5]], big_value) &&
                       t->samples[0]->timestamp == -9000000000000000000);
            else
                ASSERT(t->samples[0]->value == atoi(id + 2) + 0.25);
            n++;
        }
        ASSERT_EQ(n, n_series + 1);
        io__prometheus__write__v2__request__free_unpacked(q, NULL);
    }
    free(raw);
    free(data);
    omx_registry_free(r);
}

int main(void) {
    omx_registry *r = omx_registry_new();
    omx_family *f;
    omx_series *s;
    static const char *const ln[] = {"method", "code", "empty"};
    ASSERT_OK(omx_family_new(r,
                             &(omx_family_opts){.type = OMX_COUNTER,
                                                .name = "req_total",
                                                .help = "Requests.",
                                                .label_names = ln,
                                                .n_labels = 3,
                                                .flags = OMX_FAMILY_CREATED},
                             &f));
    ASSERT_OK(omx_family_get(f, (const char *const[]){"GET", "200", ""}, &s));
    omx_counter_add(s, 7);
    ASSERT_OK(omx_family_new(
        r,
        &(omx_family_opts){
            .type = OMX_HISTOGRAM, .name = "lat", .buckets = (const double[]){0.5}, .n_buckets = 1},
        &f));
    ASSERT_OK(omx_family_get(f, NULL, &s));
    omx_histogram_observe(s, 0.1);
    omx_histogram_observe(s, 2);
    static const char *const jl[] = {"job"};
    ASSERT_OK(omx_family_new(
        r,
        &(omx_family_opts){.type = OMX_GAUGE, .name = "own_job", .label_names = jl, .n_labels = 1},
        &f));
    ASSERT_OK(omx_family_get(f, (const char *const[]){"mine"}, &s));
    omx_gauge_set(s, NAN);
    ASSERT_OK(omx_registry_add_collector(r, "c", collect, NULL, NULL));

    static const char *const en[] = {"instance", "job"}, *const ev[] = {"h1:9100", "node"};
    uint8_t *data;
    size_t len, samples, rawlen;

    /* ---- 1.0 ---- */
    ASSERT_OK(omx__push_encode(r, OMX_PUSH_RW1, 1700000000123, en, ev, 2, true, NULL, &data, &len,
                               &samples));
    /* req_total; lat: 2 buckets, count, sum; own_job; c_sum: quantile, count, sum */
    ASSERT_EQ(samples, 9);
    uint8_t *raw = unsnappy(data, len, &rawlen);
    Prometheus__WriteRequest *w = prometheus__write_request__unpack(NULL, rawlen, raw);
    ASSERT(w);
    ASSERT_EQ(w->n_timeseries, 9);
    for (size_t i = 0; i < w->n_timeseries; i++) {
        const Prometheus__TimeSeries *t = w->timeseries[i];
        ASSERT_EQ(t->n_samples, 1);
        ASSERT_EQ(t->samples[0]->timestamp, 1700000000123);
        for (size_t k = 1; k < t->n_labels; k++)
            ASSERT(strcmp(t->labels[k - 1]->name, t->labels[k]->name) < 0);
        for (size_t k = 0; k < t->n_labels; k++)
            ASSERT(t->labels[k]->value[0]);
        ASSERT(label_v1(t, "instance"));
        ASSERT_STR_EQ(label_v1(t, "instance"), "h1:9100");
    }
    const Prometheus__TimeSeries *t = find_v1(w, "req_total", NULL, NULL);
    ASSERT(t);
    ASSERT_EQ(t->n_labels, 5); /* __name__ code instance job method; "empty" left out */
    ASSERT_STR_EQ(t->labels[0]->name, "__name__");
    ASSERT_STR_EQ(label_v1(t, "code"), "200");
    ASSERT_STR_EQ(label_v1(t, "job"), "node");
    ASSERT(!label_v1(t, "empty"));
    ASSERT_DBL_EQ(t->samples[0]->value, 7);
    t = find_v1(w, "lat_bucket", "le", "+Inf");
    ASSERT(t);
    ASSERT_DBL_EQ(t->samples[0]->value, 2);
    t = find_v1(w, "lat_bucket", "le", "0.5");
    ASSERT(t);
    ASSERT_DBL_EQ(t->samples[0]->value, 1);
    t = find_v1(w, "lat_sum", NULL, NULL);
    ASSERT(t);
    ASSERT_DBL_EQ(t->samples[0]->value, 2.1);
    t = find_v1(w, "own_job", NULL, NULL);
    ASSERT(t);
    ASSERT_STR_EQ(label_v1(t, "job"), "mine"); /* the series' own label wins */
    ASSERT(isnan(t->samples[0]->value));
    t = find_v1(w, "c_sum_seconds", "quantile", "0.5");
    ASSERT(t);
    ASSERT_DBL_EQ(t->samples[0]->value, 0.2);
    ASSERT_EQ(w->n_metadata, 4);
    bool saw_counter = false, saw_summary = false;
    for (size_t i = 0; i < w->n_metadata; i++) {
        const Prometheus__MetricMetadata *m = w->metadata[i];
        if (!strcmp(m->metric_family_name, "req_total")) {
            saw_counter = true;
            ASSERT_EQ(m->type, PROMETHEUS__METRIC_METADATA__METRIC_TYPE__COUNTER);
            ASSERT_STR_EQ(m->help, "Requests.");
        }
        if (!strcmp(m->metric_family_name, "c_sum_seconds")) {
            saw_summary = true;
            ASSERT_EQ(m->type, PROMETHEUS__METRIC_METADATA__METRIC_TYPE__SUMMARY);
            ASSERT_STR_EQ(m->unit, "seconds");
        }
    }
    ASSERT(saw_counter && saw_summary);
    prometheus__write_request__free_unpacked(w, NULL);
    free(raw);
    free(data);

    /* without metadata: none sent */
    ASSERT_OK(
        omx__push_encode(r, OMX_PUSH_RW1, 1, NULL, NULL, 0, false, NULL, &data, &len, &samples));
    raw = unsnappy(data, len, &rawlen);
    w = prometheus__write_request__unpack(NULL, rawlen, raw);
    ASSERT(w);
    ASSERT_EQ(w->n_metadata, 0);
    ASSERT_EQ(w->n_timeseries, 9);
    ASSERT(find_v1(w, "own_job", NULL, NULL));
    ASSERT_EQ(find_v1(w, "own_job", NULL, NULL)->n_labels, 2);
    prometheus__write_request__free_unpacked(w, NULL);
    free(raw);
    free(data);

    /* ---- 2.0 ---- */
    ASSERT_OK(omx__push_encode(r, OMX_PUSH_RW2, 1700000000123, en, ev, 2, false, NULL, &data, &len,
                               &samples));
    ASSERT_EQ(samples, 9);
    raw = unsnappy(data, len, &rawlen);
    Io__Prometheus__Write__V2__Request *q =
        io__prometheus__write__v2__request__unpack(NULL, rawlen, raw);
    ASSERT(q);
    ASSERT(q->n_symbols > 1);
    ASSERT_STR_EQ(q->symbols[0], "");
    ASSERT_EQ(q->n_timeseries, 9);
    bool saw_created = false;
    for (size_t i = 0; i < q->n_timeseries; i++) {
        const Io__Prometheus__Write__V2__TimeSeries *ts = q->timeseries[i];
        ASSERT(ts->n_labels_refs % 2 == 0 && ts->n_labels_refs >= 6);
        for (size_t k = 0; k < ts->n_labels_refs; k++)
            ASSERT(ts->labels_refs[k] < q->n_symbols);
        for (size_t k = 2; k < ts->n_labels_refs; k += 2)
            ASSERT(strcmp(q->symbols[ts->labels_refs[k - 2]], q->symbols[ts->labels_refs[k]]) < 0);
        ASSERT(ts->metadata);
        ASSERT(ts->metadata->help_ref < q->n_symbols && ts->metadata->unit_ref < q->n_symbols);
        ASSERT_EQ(ts->n_samples, 1);
        ASSERT_EQ(ts->samples[0]->timestamp, 1700000000123);
        const char *name = q->symbols[ts->labels_refs[1]];
        ASSERT_STR_EQ(q->symbols[ts->labels_refs[0]], "__name__");
        if (!strcmp(name, "req_total")) {
            saw_created = true;
            ASSERT(ts->samples[0]->start_timestamp > 1000000000000);
            ASSERT_EQ(ts->metadata->type,
                      IO__PROMETHEUS__WRITE__V2__METADATA__METRIC_TYPE__METRIC_TYPE_COUNTER);
            ASSERT_STR_EQ(q->symbols[ts->metadata->help_ref], "Requests.");
            ASSERT_STR_EQ(q->symbols[ts->metadata->unit_ref], "");
        }
        if (!strcmp(name, "c_sum_count"))
            ASSERT_STR_EQ(q->symbols[ts->metadata->unit_ref], "seconds");
        if (!strcmp(name, "own_job"))
            ASSERT_EQ(ts->samples[0]->start_timestamp, 0);
    }
    ASSERT(saw_created);
    /* each string once */
    for (size_t i = 0; i < q->n_symbols; i++)
        for (size_t k = i + 1; k < q->n_symbols; k++)
            ASSERT(strcmp(q->symbols[i], q->symbols[k]));
    io__prometheus__write__v2__request__free_unpacked(q, NULL);
    free(raw);
    free(data);

    /* the size hint changes nothing but the buffer's first size */
    size_t hint = 0, len2, samples2;
    uint8_t *data2;
    ASSERT_OK(omx__push_encode(r, OMX_PUSH_RW1, 5, en, ev, 2, true, &hint, &data, &len, &samples));
    ASSERT(hint > len / 2);
    ASSERT_OK(
        omx__push_encode(r, OMX_PUSH_RW1, 5, en, ev, 2, true, &hint, &data2, &len2, &samples2));
    ASSERT(len == len2 && samples == samples2 && !memcmp(data, data2, len));
    free(data);
    free(data2);

    /* an empty registry encodes to an empty request */
    omx_registry *empty = omx_registry_new();
    ASSERT_OK(
        omx__push_encode(empty, OMX_PUSH_RW1, 1, NULL, NULL, 0, true, NULL, &data, &len, &samples));
    ASSERT_EQ(samples, 0);
    raw = unsnappy(data, len, &rawlen);
    ASSERT_EQ(rawlen, 0);
    free(raw);
    free(data);
    omx_registry_free(empty);
    omx_registry_free(r);

    for (size_t i = 0; i + 1 < sizeof big_value; i++)
        big_value[i] = (char)('a' + i % 23);
    check_big(OMX_PUSH_RW1, BIG_SERIES);
    check_big(OMX_PUSH_RW1, 40000);
    check_big(OMX_PUSH_RW2, BIG_SERIES);
    TEST_DONE();
}
