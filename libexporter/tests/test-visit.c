/* omx_registry_visit: every sample the 0.0.4 text holds is visited, with the
 * same name, labels (unescaped), value and timestamp: rebuilding text lines
 * from the visits gives the writer's sample lines exactly. */
#include <math.h>
#include <stdlib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "exporter/exporter.h"
#include "omx-test.h"

static void put_escaped(omx_buf *b, const char *s) {
    for (; *s; s++) {
        const char *e = *s == '\\' ? "\\\\" : *s == '"' ? "\\\"" : *s == '\n' ? "\\n" : NULL;
        omx_buf_append(b, e ? e : s, e ? 2 : 1);
    }
}

typedef struct rebuilt {
    omx_buf text;
    int families, created;
    char last_family[128];
} rebuilt;

static int on_family(void *ctx, const char *name, omx_type t, const char *help, const char *unit) {
    rebuilt *r = ctx;
    (void)help, (void)unit;
    r->families++;
    snprintf(r->last_family, sizeof r->last_family, "%s %s", name, omx_type_name(t));
    return 0;
}

static int on_sample(void *ctx, const omx_visit_sample *s) {
    rebuilt *r = ctx;
    omx_buf_append(&r->text, s->name, strlen(s->name));
    if (s->n_labels) {
        omx_buf_append(&r->text, "{", 1);
        for (size_t i = 0; i < s->n_labels; i++) {
            if (i)
                omx_buf_append(&r->text, ",", 1);
            omx_buf_append(&r->text, s->label_names[i], strlen(s->label_names[i]));
            omx_buf_append(&r->text, "=\"", 2);
            put_escaped(&r->text, s->label_values[i]);
            omx_buf_append(&r->text, "\"", 1);
        }
        omx_buf_append(&r->text, "}", 1);
    }
    char num[64];
    size_t n = omx_format_double(num, s->value);
    omx_buf_append(&r->text, " ", 1);
    omx_buf_append(&r->text, num, n);
    if (s->has_timestamp) {
        n = (size_t)snprintf(num, sizeof num, " %lld", (long long)s->timestamp_ms);
        omx_buf_append(&r->text, num, n);
    }
    omx_buf_append(&r->text, "\n", 1);
    r->created += !isnan(s->created);
    return 0;
}

static int no_family(void *ctx, const char *name, omx_type t, const char *help, const char *unit) {
    (void)ctx, (void)name, (void)t, (void)help, (void)unit;
    return 0;
}

static int stop_at_second(void *ctx, const omx_visit_sample *s) {
    (void)s;
    return ++*(int *)ctx == 2 ? OMX_ELIMIT : 0;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    static const char *const ln[] = {"path"};
    omx_emit_family(
        e, &(omx_desc){.name = "c_gauge", .type = OMX_GAUGE, .label_names = ln, .n_labels = 1});
    omx_emit_sample(e, (const char *const[]){"a\"b\\c\nd"}, 1.5);
    omx_emit_sample_ts(e, (const char *const[]){"é"}, -2, 1700000000123);
    omx_emit_family(e, &(omx_desc){.name = "c_sum", .type = OMX_SUMMARY});
    omx_emit_summary(e, NULL, 3, 0.25, 2, (const double[]){0.5, 0.99}, (const double[]){1, NAN});
    omx_emit_family(e, &(omx_desc){.name = "c_state", .type = OMX_STATESET});
    omx_emit_stateset(e, NULL, 2, (const char *const[]){"on", "off"}, (const bool[]){true, false});
    omx_emit_family(
        e, &(omx_desc){.name = "c_info", .type = OMX_INFO, .label_names = ln, .n_labels = 1});
    omx_emit_sample(e, (const char *const[]){"x"}, 1);
    omx_emit_family(e, &(omx_desc){.name = "c_hist", .type = OMX_HISTOGRAM});
    return omx_emit_histogram(e, NULL, 2, (const double[]){1, INFINITY}, (const uint64_t[]){1, 4},
                              4, 1e300);
}

/* The sample lines of a 0.0.4 exposition (comments dropped). */
static void sample_lines(const char *text, omx_buf *out) {
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);
        if (*p != '#')
            omx_buf_append(out, p, len);
        p += len;
    }
}

/* Values read back bit for bit: random doubles of every magnitude, and the
 * plain decimals the fast path reads (up to 15 digits). */
#define N_VALUES 9000
typedef struct values {
    const double *want;
    size_t n, bad;
} values;

static int on_value(void *ctx, const omx_visit_sample *s) {
    values *v = ctx;
    if (strcmp(s->name, "v"))
        return 0;
    double w = v->want[v->n++];
    v->bad += memcmp(&w, &s->value, sizeof w) != 0;
    return 0;
}

static void check_values(void) {
    static double want[N_VALUES];
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; i < N_VALUES; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        double d;
        if (i % 3 == 0) { /* any bit pattern but NaN */
            memcpy(&d, &x, sizeof d);
            if (isnan(d))
                d = (double)(x >> 11);
        } else if (i % 3 == 1) { /* k digits with f of them after the point */
            int f = (int)(x % 16), k = f + (int)((x >> 8) % (16 - (unsigned)f));
            uint64_t m = (x >> 12) % 1000000000000000ull;
            for (int j = k; j < 15; j++)
                m /= 10;
            char num[40];
            snprintf(num, sizeof num, "%s%llu", (x >> 63) ? "-" : "", (unsigned long long)m);
            d = strtod(num, NULL);
            for (int j = 0; j < f; j++)
                d /= 10; /* any nearby double: the text is what is read back */
        } else {
            d = (double)(int64_t)(x >> 20) / 1024;
        }
        want[i] = d;
    }
    omx_registry *r = omx_registry_new();
    omx_family *f;
    static const char *const ln[] = {"i"};
    ASSERT_OK(omx_family_new(
        r, &(omx_family_opts){.type = OMX_GAUGE, .name = "v", .label_names = ln, .n_labels = 1},
        &f));
    char id[16];
    for (size_t i = 0; i < N_VALUES; i++) {
        omx_series *s;
        snprintf(id, sizeof id, "%06zu", i);
        ASSERT_OK(omx_family_get(f, (const char *const[]){id}, &s));
        omx_gauge_set(s, want[i]);
    }
    values v = {.want = want};
    omx_visitor vv = {.family = no_family, .sample = on_value};
    ASSERT_OK(omx_registry_visit(r, NULL, &vv, &v));
    ASSERT_EQ(v.n, N_VALUES);
    ASSERT_EQ(v.bad, 0);
    omx_registry_free(r);
}

int main(void) {
    omx_registry *r = omx_registry_new();
    omx_family *f;
    omx_series *s;
    static const char *const ln[] = {"code", "method"};
    ASSERT_OK(omx_family_new(r,
                             &(omx_family_opts){.type = OMX_COUNTER,
                                                .name = "req_total",
                                                .help = "Requests.",
                                                .label_names = ln,
                                                .n_labels = 2,
                                                .flags = OMX_FAMILY_CREATED},
                             &f));
    ASSERT_OK(omx_family_get(f, (const char *const[]){"200", "GET"}, &s));
    omx_counter_add(s, 7);
    ASSERT_OK(omx_family_get(f, (const char *const[]){"500", "P\"O,S=T"}, &s));
    omx_counter_add(s, 0.5);
    /* backslash runs before a quote, the end of a value */
    ASSERT_OK(omx_family_get(f, (const char *const[]){"501", "ends\\"}, &s));
    omx_counter_add(s, 1);
    ASSERT_OK(omx_family_get(f, (const char *const[]){"502", "\\\"\n\\\\\"x"}, &s));
    omx_counter_add(s, 2);
    ASSERT_OK(omx_family_new(r,
                             &(omx_family_opts){.type = OMX_HISTOGRAM,
                                                .name = "lat_seconds",
                                                .unit = "seconds",
                                                .buckets = (const double[]){0.1, 1},
                                                .n_buckets = 2},
                             &f));
    ASSERT_OK(omx_family_get(f, NULL, &s));
    omx_histogram_observe(s, 0.05);
    omx_histogram_observe(s, 3);
    ASSERT_OK(omx_family_new(r, &(omx_family_opts){.type = OMX_GAUGE, .name = "temp"}, &f));
    ASSERT_OK(omx_family_get(f, NULL, &s));
    omx_gauge_set(s, -INFINITY);
    ASSERT_OK(omx_registry_add_collector(r, "c", collect, NULL, NULL));
    ASSERT_OK(omx_registry_set_collector_stats(r, "t"));

    omx_buf text, want;
    omx_buf_init(&text, 1 << 20);
    omx_buf_init(&want, 1 << 20);
    ASSERT_OK(omx_registry_write(r, NULL, omx_buf_write_fn, &text));
    sample_lines(text.data, &want);

    rebuilt got = {0};
    omx_buf_init(&got.text, 1 << 20);
    omx_visitor v = {.family = on_family, .sample = on_sample};
    ASSERT_OK(omx_registry_visit(r, NULL, &v, &got));
    /* durations differ between the two walks: compare up to them */
    const char *cut_w = strstr(want.data, "t_scrape_collector_duration_seconds");
    const char *cut_g = strstr(got.text.data, "t_scrape_collector_duration_seconds");
    ASSERT(cut_w && cut_g);
    ASSERT_EQ(cut_w - want.data, cut_g - got.text.data);
    ASSERT_MSG(!memcmp(want.data, got.text.data, (size_t)(cut_w - want.data)),
               "want:\n%s\ngot:\n%s", want.data, got.text.data);
    ASSERT(strstr(got.text.data, "t_scrape_collector_success{collector=\"c\"} 1\n"));
    ASSERT(strstr(got.text.data, "c_gauge{path=\"é\"} -2 1700000000123\n"));
    ASSERT_EQ(got.created, 4); /* the four req_total series */
    ASSERT_EQ(got.families, 9);
    ASSERT_STR_EQ(got.last_family, "t_scrape_collector_success gauge");

    /* a callback's error stops the walk and is returned */
    int count = 0;
    omx_visitor stop = {.family = no_family, .sample = stop_at_second};
    ASSERT_EQ(omx_registry_visit(r, NULL, &stop, &count), OMX_ELIMIT);
    ASSERT_EQ(count, 2);
    ASSERT_EQ(omx_registry_visit(r, &(omx_write_opts){.deadline_ns = 1}, &v, &got), OMX_EINVAL);
    ASSERT_EQ(omx_registry_visit(NULL, NULL, &v, &got), OMX_EINVAL);

    omx_buf_free(&text);
    omx_buf_free(&want);
    omx_buf_free(&got.text);
    omx_registry_free(r);
    check_values();
    TEST_DONE();
}
