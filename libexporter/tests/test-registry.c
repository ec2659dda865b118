/* Registry, families and series: creation rules, bad input, lookups, removal,
 * limits and the hot-path update functions. */
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"
#include "omx-test.h"

static omx_registry *reg;

static int mk(omx_type t, const char *name, const char *unit, const char *const *labels, size_t n) {
    omx_family *f;
    omx_family_opts o = {
        .type = t, .name = name, .unit = unit, .label_names = labels, .n_labels = n};
    return omx_family_new(reg, &o, &f);
}

/* Word k of a counting series, summed over its shared and owner cells. */
static uint64_t word(omx_series *s, size_t k) {
    uint64_t v = 0;
    for (size_t i = 0; i < s->nshards; i++)
        v += atomic_load(&s->cells[i * s->stride + k]);
    return v;
}

static omx_series *other_series;
static void *other_thread(void *arg) {
    (void)arg;
    for (int i = 0; i < 1000; i++)
        omx_counter_inc(other_series);
    omx_histogram_observe(other_series, 1); /* wrong type: ignored */
    return NULL;
}

/* The first thread to update a series owns its plain-store cell; any other
 * thread goes to the shared cell with locked atomics, and readers add both. */
static void test_owner_cell(void) {
    omx_family *f;
    ASSERT_OK(omx_family_new(reg, &(omx_family_opts){.type = OMX_COUNTER, .name = "own"}, &f));
    ASSERT_OK(omx_family_get(f, NULL, &other_series));
    omx_series *s = other_series;
    ASSERT_EQ(s->nshards, 2);
    ASSERT_EQ(atomic_load(&s->owner), OMX_COUNTER | OMX__OWNER_FREE);
    omx_counter_inc(s);
    ASSERT_OK(omx_counter_add(s, 2.5));
    uint64_t key = atomic_load(&s->owner);
    ASSERT((key & 0xff) == OMX_COUNTER && key >> 8 != 0); /* claimed: token, type */
    ASSERT(s->own == s->cells + s->stride);
    pthread_t t;
    ASSERT_EQ(pthread_create(&t, NULL, other_thread, NULL), 0);
    ASSERT_EQ(pthread_join(t, NULL), 0);
    ASSERT_EQ(atomic_load(&s->cells[0]), 1000);      /* shared: the other thread */
    ASSERT_EQ(atomic_load(&s->cells[s->stride]), 1); /* owner: this one */
    ASSERT(omx_series_value(s) == 1003.5);
    ASSERT_EQ(atomic_load(&s->owner), key);
    /* a histogram claimed by this thread: its key differs only in the type */
    ASSERT_OK(omx_family_new(reg, &(omx_family_opts){.type = OMX_HISTOGRAM, .name = "own_h"}, &f));
    omx_series *h;
    ASSERT_OK(omx_family_get(f, NULL, &h));
    ASSERT_OK(omx_histogram_observe(h, 0.3));
    ASSERT_EQ(atomic_load(&h->owner), (key & ~(uint64_t)0xff) | OMX_HISTOGRAM);
    omx_counter_inc(h); /* wrong type on the owner's fast path: ignored */
    ASSERT_EQ(omx_counter_add(h, 1), OMX_ETYPE);
    ASSERT_EQ(omx_histogram_observe(s, 1), OMX_ETYPE);
    ASSERT_EQ(omx_histogram_observe(h, NAN), OMX_EVALUE);
    ASSERT(omx_series_value(h) == 1);
    ASSERT_EQ(atomic_load(&h->own[6]), 1); /* 0.3 falls in le=".5", bucket 6 */
    /* gauges have one cell: set must win over earlier adds */
    ASSERT_OK(omx_family_new(reg, &(omx_family_opts){.type = OMX_GAUGE, .name = "own_g"}, &f));
    ASSERT_OK(omx_family_get(f, NULL, &s));
    ASSERT_EQ(s->nshards, 1);
    omx_gauge_add(s, 5);
    omx_gauge_set(s, 2);
    ASSERT(omx_series_value(s) == 2);
}

static void test_bad_families(void) {
    const char *le[] = {"le"}, *q[] = {"quantile"}, *dup[] = {"a", "a"}, *bad[] = {"a-b"},
               *res[] = {"__x"}, *nul[] = {NULL}, *ss[] = {"ss"};
    omx_family *f = (omx_family *)1;
    ASSERT_EQ(omx_family_new(NULL, &(omx_family_opts){.name = "x"}, &f), OMX_EINVAL);
    ASSERT(f == NULL);
    ASSERT_EQ(omx_family_new(reg, NULL, &f), OMX_EINVAL);
    ASSERT_EQ(omx_family_new(reg, &(omx_family_opts){.name = "x"}, NULL), OMX_EINVAL);
    ASSERT_EQ(mk(OMX_GAUGE, NULL, NULL, NULL, 0), OMX_EINVAL);
    ASSERT_EQ(mk(OMX_GAUGE, "", NULL, NULL, 0), OMX_ENAME);
    ASSERT_EQ(mk(OMX_GAUGE, "1abc", NULL, NULL, 0), OMX_ENAME);
    ASSERT_EQ(mk(OMX_GAUGE, "a-b", NULL, NULL, 0), OMX_ENAME);
    ASSERT_EQ(mk(OMX_COUNTER, "_total", NULL, NULL, 0), OMX_ENAME);
    ASSERT_EQ(mk(OMX_COUNTER, "x_total_total", NULL, NULL, 0), OMX_ENAME);
    ASSERT_EQ(mk(OMX_COUNTER, "x_created", NULL, NULL, 0), OMX_ENAME);
    ASSERT_EQ(mk(OMX_HISTOGRAM, "x_bucket", NULL, NULL, 0), OMX_ENAME);
    ASSERT_EQ(mk(OMX_SUMMARY, "x_count", NULL, NULL, 0), OMX_ENAME);
    ASSERT_EQ(mk(OMX_GAUGEHISTOGRAM, "x_gsum", NULL, NULL, 0), OMX_ENAME);
    ASSERT_EQ(mk(OMX_INFO, "x_info_info", NULL, NULL, 0), OMX_ENAME);
    ASSERT_EQ(mk((omx_type)42, "x", NULL, NULL, 0), OMX_EINVAL);
    /* labels */
    ASSERT_EQ(mk(OMX_HISTOGRAM, "h", NULL, le, 1), OMX_ELABEL);
    ASSERT_EQ(mk(OMX_GAUGEHISTOGRAM, "h", NULL, le, 1), OMX_ELABEL);
    ASSERT_EQ(mk(OMX_SUMMARY, "s", NULL, q, 1), OMX_ELABEL);
    ASSERT_EQ(mk(OMX_GAUGE, "g", NULL, dup, 2), OMX_ELABEL);
    ASSERT_EQ(mk(OMX_GAUGE, "g", NULL, bad, 1), OMX_ELABEL);
    ASSERT_EQ(mk(OMX_GAUGE, "g", NULL, res, 1), OMX_ELABEL);
    ASSERT_EQ(mk(OMX_GAUGE, "g", NULL, nul, 1), OMX_EINVAL);
    ASSERT_EQ(mk(OMX_GAUGE, "g", NULL, NULL, 1), OMX_EINVAL);
    ASSERT_EQ(omx_family_new(reg,
                             &(omx_family_opts){.type = OMX_STATESET,
                                                .name = "ss",
                                                .label_names = ss,
                                                .n_labels = 1,
                                                .states = ss,
                                                .n_states = 1},
                             &f),
              OMX_ELABEL);
    /* units */
    ASSERT_EQ(mk(OMX_GAUGE, "x_bytes", "seconds", NULL, 0), OMX_EUNIT);
    ASSERT_EQ(mk(OMX_GAUGE, "xbytes", "bytes", NULL, 0), OMX_EUNIT);
    ASSERT_EQ(mk(OMX_GAUGE, "bytes", "bytes", NULL, 0), OMX_EUNIT);
    ASSERT_EQ(mk(OMX_GAUGE, "x_bytes", "by tes", NULL, 0), OMX_EUNIT);
    ASSERT_EQ(mk(OMX_INFO, "x_bytes", "bytes", NULL, 0), OMX_EUNIT);
    ASSERT_OK(mk(OMX_COUNTER, "x_seconds_total", "seconds", NULL, 0));
    ASSERT_OK(mk(OMX_GAUGE, "y_bytes", "bytes", NULL, 0));
    ASSERT_OK(mk(OMX_GAUGE, "z_bytes", "", NULL, 0)); /* empty unit = none */
    /* buckets and states */
    double nanb[] = {1, NAN}, dec[] = {2, 1}, inf[] = {1, INFINITY};
    ASSERT_EQ(
        omx_family_new(reg,
                       &(omx_family_opts){
                           .type = OMX_HISTOGRAM, .name = "hb", .buckets = nanb, .n_buckets = 2},
                       &f),
        OMX_EVALUE);
    ASSERT_EQ(
        omx_family_new(
            reg,
            &(omx_family_opts){.type = OMX_HISTOGRAM, .name = "hb", .buckets = dec, .n_buckets = 2},
            &f),
        OMX_EVALUE);
    ASSERT_EQ(omx_family_new(reg,
                             &(omx_family_opts){
                                 .type = OMX_GAUGE, .name = "hb", .buckets = dec, .n_buckets = 2},
                             &f),
              OMX_EINVAL);
    ASSERT_OK(omx_family_new(
        reg,
        &(omx_family_opts){.type = OMX_HISTOGRAM, .name = "hb", .buckets = inf, .n_buckets = 2},
        &f));
    ASSERT_EQ(f->n_bounds, 1);
    ASSERT_EQ(omx_family_new(reg, &(omx_family_opts){.type = OMX_STATESET, .name = "st"}, &f),
              OMX_EINVAL);
    const char *sdup[] = {"a", "a"};
    ASSERT_EQ(omx_family_new(reg,
                             &(omx_family_opts){
                                 .type = OMX_STATESET, .name = "st", .states = sdup, .n_states = 2},
                             &f),
              OMX_EINVAL);
    ASSERT_EQ(omx_family_new(
                  reg, &(omx_family_opts){.type = OMX_GAUGE, .name = "fl", .flags = 1u << 7}, &f),
              OMX_EINVAL);
    ASSERT_EQ(omx_family_new(
                  reg, &(omx_family_opts){.type = OMX_GAUGE, .name = "hlp", .help = "\xff"}, &f),
              OMX_EINVAL);
    /* duplicates: counters compare without _total */
    ASSERT_OK(mk(OMX_COUNTER, "dup_total", NULL, NULL, 0));
    ASSERT_EQ(mk(OMX_COUNTER, "dup", NULL, NULL, 0), OMX_EEXIST);
    ASSERT_EQ(mk(OMX_GAUGE, "dup", NULL, NULL, 0), OMX_EEXIST);
    ASSERT_EQ(mk(OMX_GAUGE, "y_bytes", NULL, NULL, 0), OMX_EEXIST);
}

static void test_series(void) {
    const char *ln[] = {"a", "b"};
    omx_family *f;
    ASSERT_OK(omx_family_new(
        reg,
        &(omx_family_opts){
            .type = OMX_COUNTER, .name = "req", .label_names = ln, .n_labels = 2, .max_series = 3},
        &f));
    omx_series *s1, *s2, *s3, *s;
    const char *v1[] = {"x", "y"}, *v2[] = {"x", "z"}, *v3[] = {"xy", ""}, *v4[] = {"q", "q"};
    ASSERT_OK(omx_family_get(f, v1, &s1));
    ASSERT_OK(omx_family_get(f, v2, &s2));
    ASSERT(s1 != s2);
    ASSERT_OK(omx_family_get(f, v1, &s));
    ASSERT(s == s1);
    ASSERT_OK(omx_family_get(f, v3, &s3));
    ASSERT_EQ(omx_family_size(f), 3);
    /* limit */
    ASSERT_EQ(omx_family_get(f, v4, &s), OMX_ELIMIT);
    ASSERT(s == NULL);
    ASSERT_EQ(atomic_load(&f->rejected), 1);
    /* bad input */
    const char *vn[] = {"x", NULL}, *vbad[] = {"\xc3", "x"};
    ASSERT_EQ(omx_family_get(f, vn, &s), OMX_EINVAL);
    ASSERT_EQ(omx_family_get(f, NULL, &s), OMX_EINVAL);
    ASSERT_EQ(omx_family_get(NULL, v1, &s), OMX_EINVAL);
    ASSERT_EQ(omx_family_get(f, v1, NULL), OMX_EINVAL);
    omx_family_remove(f, v3);
    ASSERT_EQ(omx_family_get(f, vbad, &s), OMX_EINVAL);
    /* updates */
    omx_counter_inc(s1);
    ASSERT_OK(omx_counter_add(s1, 2));
    ASSERT_OK(omx_counter_add(s1, 0.5));
    ASSERT(omx_series_value(s1) == 3.5);
    ASSERT_EQ(omx_counter_add(s1, -1), OMX_EVALUE);
    ASSERT_EQ(omx_counter_add(s1, NAN), OMX_EVALUE);
    ASSERT_EQ(omx_counter_add(NULL, 1), OMX_EINVAL);
    omx_counter_inc(NULL);
    ASSERT(omx_series_value(s1) == 3.5);
    ASSERT(isnan(omx_series_value(NULL)));
    /* remove ends the handle's life; a new get gives a fresh series */
    ASSERT_OK(omx_family_remove(f, v1));
    ASSERT_EQ(omx_family_remove(f, v1), OMX_ENOENT);
    ASSERT_EQ(omx_family_size(f), 1);
    ASSERT_OK(omx_family_get(f, v1, &s));
    ASSERT(omx_series_value(s) == 0);
    omx_counter_inc(s2);
    omx_family_clear(f);
    ASSERT_EQ(omx_family_size(f), 0);
    ASSERT_OK(omx_family_get(f, v2, &s));
    ASSERT(omx_series_value(s) == 0);
    ASSERT_EQ(omx_family_remove(f, NULL), OMX_EINVAL);
    omx_family_clear(NULL);
    ASSERT_EQ(omx_family_size(NULL), 0);
}

static void test_many_series(void) {
    const char *ln[] = {"i"};
    omx_family *f;
    ASSERT_OK(omx_family_new(reg,
                             &(omx_family_opts){.type = OMX_GAUGE,
                                                .name = "many",
                                                .label_names = ln,
                                                .n_labels = 1,
                                                .max_series = 100000},
                             &f));
    omx_series *hs[5000];
    for (int i = 0; i < 5000; i++) {
        char v[16];
        snprintf(v, sizeof v, "%d", i);
        const char *vv[] = {v};
        ASSERT_OK(omx_family_get(f, vv, &hs[i]));
        omx_gauge_set(hs[i], i);
    }
    for (int i = 0; i < 5000; i += 2) {
        char v[16];
        snprintf(v, sizeof v, "%d", i);
        const char *vv[] = {v};
        ASSERT_OK(omx_family_remove(f, vv));
    }
    ASSERT_EQ(omx_family_size(f), 2500);
    for (int i = 0; i < 5000; i++) {
        char v[16];
        snprintf(v, sizeof v, "%d", i);
        const char *vv[] = {v};
        omx_series *s;
        ASSERT_OK(omx_family_get(f, vv, &s));
        if (i % 2) /* the removed ones may come back at their old address */
            ASSERT(s == hs[i]);
        ASSERT(omx_series_value(s) == (i % 2 ? i : 0));
    }
    ASSERT_EQ(omx_family_size(f), 5000);
}

static void test_types(void) {
    omx_family *g, *h, *su, *st, *u, *in;
    omx_series *s;
    ASSERT_OK(omx_family_new(reg, &(omx_family_opts){.type = OMX_GAUGE, .name = "tg"}, &g));
    ASSERT_OK(omx_family_get(g, NULL, &s));
    omx_gauge_set(s, 5);
    omx_gauge_inc(s);
    omx_gauge_dec(s);
    omx_gauge_dec(s);
    omx_gauge_add(s, 0.25);
    ASSERT(omx_series_value(s) == 4.25);
    omx_counter_inc(s); /* wrong type: ignored */
    ASSERT_EQ(omx_counter_add(s, 1), OMX_ETYPE);
    ASSERT_EQ(omx_histogram_observe(s, 1), OMX_ETYPE);
    ASSERT_EQ(omx_summary_observe(s, 1), OMX_ETYPE);
    ASSERT_EQ(omx_stateset_set(s, 0, true), OMX_ETYPE);
    ASSERT(omx_series_value(s) == 4.25);

    double b[] = {1, 2, 3};
    ASSERT_OK(omx_family_new(
        reg, &(omx_family_opts){.type = OMX_HISTOGRAM, .name = "th", .buckets = b, .n_buckets = 3},
        &h));
    ASSERT_OK(omx_family_get(h, NULL, &s));
    ASSERT_OK(omx_histogram_observe(s, 1));
    ASSERT_OK(omx_histogram_observe(s, 2.5));
    ASSERT_OK(omx_histogram_observe(s, 99));
    ASSERT_EQ(omx_histogram_observe(s, NAN), OMX_EVALUE);
    ASSERT_EQ(omx_histogram_observe(NULL, 1), OMX_EINVAL);
    ASSERT(omx_series_value(s) == 3);
    ASSERT_EQ(word(s, 0), 1);
    ASSERT_EQ(word(s, 1), 0);
    ASSERT_EQ(word(s, 2), 1);
    ASSERT_EQ(word(s, 3), 1);

    ASSERT_OK(omx_family_new(reg, &(omx_family_opts){.type = OMX_SUMMARY, .name = "ts"}, &su));
    ASSERT_OK(omx_family_get(su, NULL, &s));
    ASSERT_OK(omx_summary_observe(s, 3));
    ASSERT_EQ(omx_summary_observe(s, NAN), OMX_EVALUE);
    ASSERT(omx_series_value(s) == 1);

    const char *states[] = {"a", "b"};
    ASSERT_OK(omx_family_new(
        reg,
        &(omx_family_opts){.type = OMX_STATESET, .name = "tst", .states = states, .n_states = 2},
        &st));
    ASSERT_OK(omx_family_get(st, NULL, &s));
    ASSERT_OK(omx_stateset_set(s, 1, true));
    ASSERT_EQ(omx_stateset_set(s, 2, true), OMX_EINVAL);
    ASSERT(omx_series_value(s) == 2);

    ASSERT_OK(omx_family_new(reg, &(omx_family_opts){.type = OMX_UNKNOWN, .name = "tu"}, &u));
    ASSERT_OK(omx_family_get(u, NULL, &s));
    omx_gauge_set(s, -3);
    ASSERT(omx_series_value(s) == -3);

    ASSERT_OK(omx_family_new(reg, &(omx_family_opts){.type = OMX_INFO, .name = "ti_info"}, &in));
    ASSERT_STR_EQ(in->name, "ti");
    ASSERT_OK(omx_family_get(in, NULL, &s));
    ASSERT(omx_series_value(s) == 1);
}

static void test_exemplars(void) {
    omx_family *c, *h;
    omx_series *s;
    ASSERT_OK(omx_family_new(reg, &(omx_family_opts){.type = OMX_COUNTER, .name = "ec"}, &c));
    ASSERT_OK(omx_family_get(c, NULL, &s));
    const char *n[] = {"trace_id"}, *v[] = {"abc"}, *bad[] = {"a-b"}, *dup[] = {"a", "a"};
    ASSERT_OK(omx_counter_add_exemplar(s, 2, n, v, 1, NAN));
    ASSERT(omx_series_value(s) == 2);
    ASSERT_EQ(omx_counter_add_exemplar(s, 1, bad, v, 1, NAN), OMX_ELABEL);
    ASSERT_EQ(omx_counter_add_exemplar(s, 1, dup, dup, 2, NAN), OMX_ELABEL);
    ASSERT_EQ(omx_counter_add_exemplar(s, -1, n, v, 1, NAN), OMX_EVALUE);
    ASSERT_EQ(omx_counter_add_exemplar(s, 1, n, v, 1, INFINITY), OMX_EVALUE);
    ASSERT_EQ(omx_counter_add_exemplar(s, 1, NULL, NULL, 1, NAN), OMX_EINVAL);
    char longv[130];
    memset(longv, 'x', 121);
    longv[121] = '\0';
    const char *lv[] = {longv};
    ASSERT_EQ(omx_counter_add_exemplar(s, 1, n, lv, 1, NAN), OMX_ELIMIT); /* 8 + 121 > 128 */
    longv[120] = '\0';
    ASSERT_OK(omx_counter_add_exemplar(s, 1, n, lv, 1, NAN)); /* exactly 128 */
    ASSERT(omx_series_value(s) == 3);
    ASSERT_EQ(omx_histogram_observe_exemplar(s, 1, n, v, 1, NAN), OMX_ETYPE);
    ASSERT_OK(omx_family_new(reg, &(omx_family_opts){.type = OMX_HISTOGRAM, .name = "eh"}, &h));
    ASSERT_OK(omx_family_get(h, NULL, &s));
    ASSERT_OK(omx_histogram_observe_exemplar(s, 0.3, n, v, 1, 1.5));
    ASSERT_EQ(omx_counter_add_exemplar(s, 1, n, v, 1, NAN), OMX_ETYPE);
    ASSERT_EQ(omx_histogram_observe_exemplar(s, NAN, n, v, 1, NAN), OMX_EVALUE);
    ASSERT(omx_series_value(s) == 1);
}

static void test_build_info(void) {
    const char *n[] = {"version", "revision"}, *v[] = {"1.0", "abc"};
    ASSERT_OK(omx_build_info_register(reg, "omx_build_info", "Build info.", n, v, 2));
    ASSERT_EQ(omx_build_info_register(reg, "omx_build_info", "Build info.", n, v, 2), OMX_EEXIST);
    ASSERT_EQ(omx_build_info_register(reg, "x", NULL, NULL, NULL, 1), OMX_EINVAL);
    ASSERT_EQ(omx_build_info_register(NULL, "x", NULL, NULL, NULL, 0), OMX_EINVAL);
}

/* Tables replaced by a larger one since the family was created. */
static size_t retired(const omx_family *f) { return f->grown; }

/* Clearing or churning a family many times retires no tables: only growth does. */
static void test_clear_bounded(void) {
    const char *ln[] = {"k"};
    omx_family *f;
    ASSERT_OK(omx_family_new(
        reg, &(omx_family_opts){.type = OMX_GAUGE, .name = "clr", .label_names = ln, .n_labels = 1},
        &f));
    char v[16];
    omx_series *s;
    for (int round = 0; round < 2000; round++) {
        for (int i = 0; i < 100; i++) {
            snprintf(v, sizeof v, "v%d", (i * 7 + round) % 150);
            ASSERT_OK(omx_family_get(f, (const char *[]){v}, &s));
            ASSERT_STR_EQ((const char *)(omx__series_vlen(s) + 1), v);
            omx_gauge_set(s, i);
        }
        ASSERT_EQ(omx_family_size(f), 100);
        omx_family_clear(f);
        ASSERT_EQ(omx_family_size(f), 0);
        snprintf(v, sizeof v, "v%d", round % 150);
        ASSERT_EQ(omx_family_remove(f, (const char *[]){v}), OMX_ENOENT);
    }
    size_t after_clears = retired(f);
    ASSERT(after_clears <= 5); /* 16 -> 512 slots: 5 growths at most */
    /* remove/insert churn at a steady size: rebuilt in place */
    for (int i = 0; i < 200000; i++) {
        snprintf(v, sizeof v, "c%d", i);
        ASSERT_OK(omx_family_get(f, (const char *[]){v}, &s));
        if (i >= 50) {
            snprintf(v, sizeof v, "c%d", i - 50);
            ASSERT_OK(omx_family_remove(f, (const char *[]){v}));
        }
    }
    ASSERT_EQ(omx_family_size(f), 50);
    ASSERT_EQ(retired(f), after_clears);
    for (int i = 200000 - 50; i < 200000; i++) { /* the last 50 are all found */
        snprintf(v, sizeof v, "c%d", i);
        ASSERT_OK(omx_family_get(f, (const char *[]){v}, &s));
        ASSERT_STR_EQ((const char *)(omx__series_vlen(s) + 1), v);
    }
    ASSERT_EQ(omx_family_size(f), 50);
}

/* Label values longer than max_label_value_len (bytes; default 4096) are
 * refused with OMX_ELIMIT and counted apart from the series limit. */
static void test_value_len(void) {
    const char *ln[] = {"v"};
    omx_family *f, *g;
    ASSERT_OK(omx_family_new(
        reg,
        &(omx_family_opts){
            .type = OMX_GAUGE, .name = "vlen_default", .label_names = ln, .n_labels = 1},
        &f));
    char *big = malloc(4098);
    ASSERT(big);
    memset(big, 'x', 4097);
    big[4097] = '\0';
    omx_series *s;
    ASSERT_EQ(omx_family_get(f, (const char *[]){big}, &s), OMX_ELIMIT);
    ASSERT(s == NULL);
    ASSERT_EQ(atomic_load(&f->rejected_len), 1);
    ASSERT_EQ(atomic_load(&f->rejected), 0);
    ASSERT_EQ(omx_family_remove(f, (const char *[]){big}), OMX_ENOENT);
    big[4096] = '\0';
    ASSERT_OK(omx_family_get(f, (const char *[]){big}, &s));
    ASSERT_EQ(omx_family_size(f), 1);
    free(big);

    const char *ln2[] = {"a", "b"};
    ASSERT_OK(omx_family_new(reg,
                             &(omx_family_opts){.type = OMX_GAUGE,
                                                .name = "vlen_small",
                                                .label_names = ln2,
                                                .n_labels = 2,
                                                .max_label_value_len = 4},
                             &g));
    ASSERT_OK(omx_family_get(g, (const char *[]){"\xc3\xa9\xc3\xa9", ""}, &s)); /* 4 bytes */
    ASSERT_EQ(omx_family_get(g, (const char *[]){"ok", "\xc3\xa9\xc3\xa9!"}, &s), OMX_ELIMIT);
    ASSERT_EQ(omx_family_get(g, (const char *[]){"12345", "x"}, &s), OMX_ELIMIT);
    ASSERT_EQ(atomic_load(&g->rejected_len), 2);
    ASSERT_EQ(omx_family_size(g), 1);
    ASSERT_EQ(omx_family_new(reg,
                             &(omx_family_opts){.type = OMX_GAUGE,
                                                .name = "vlen_huge",
                                                .max_label_value_len = (size_t)UINT32_MAX + 1},
                             &g),
              OMX_EINVAL);
}

/* Values ending at the last byte of a page followed by an unmapped one: the
 * word-at-a-time length scan must not read past the page. */
static void test_value_at_page_end(void) {
    long pg = sysconf(_SC_PAGESIZE);
    char *m =
        mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT(m != MAP_FAILED);
    ASSERT_OK(mprotect(m + pg, (size_t)pg, PROT_NONE));
    const char *ln[] = {"v"};
    omx_family *f;
    ASSERT_OK(omx_family_new(
        reg,
        &(omx_family_opts){.type = OMX_GAUGE, .name = "page_end", .label_names = ln, .n_labels = 1},
        &f));
    for (size_t len = 0; len <= 40; len++) {
        char *v = m + pg - (long)len - 1;
        memset(v, 'a' + (int)(len % 26), len);
        v[len] = '\0';
        omx_series *s, *again;
        ASSERT_OK(omx_family_get(f, (const char *[]){v}, &s));
        ASSERT_EQ(omx__series_vlen(s)[0], len);
        ASSERT_STR_EQ((const char *)(omx__series_vlen(s) + 1), v);
        ASSERT_OK(omx_family_get(f, (const char *[]){v}, &again));
        ASSERT(again == s);
    }
    ASSERT_EQ(omx_family_size(f), 41);
    munmap(m, (size_t)pg * 2);
}

int main(void) {
    reg = omx_registry_new();
    ASSERT(reg);
    test_bad_families();
    test_series();
    test_many_series();
    test_types();
    test_owner_cell();
    test_exemplars();
    test_build_info();
    test_clear_bounded();
    test_value_len();
    test_value_at_page_end();
    ASSERT(omx_registry_free(reg) == NULL);
    ASSERT(omx_registry_free(NULL) == NULL);
    puts("ok");
    return 0;
}
