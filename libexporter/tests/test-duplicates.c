/* Family name clashes and repeated label sets within one scrape: the later
 * family is dropped (counted, its collector reported failed), a repeated
 * series is refused. */
#include "internal.h"
#include "omx-test.h"

static int count(const char *hay, const char *needle) {
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

/* Clashes with the registry's family "reg" (a counter: "reg" and "reg_total"). */
static int clash_registry(omx_emitter *e, void *ud) {
    (void)ud;
    ASSERT_EQ(omx_emit_family(e, &(omx_desc){.name = "reg", .type = OMX_GAUGE}), OMX_EEXIST);
    ASSERT_EQ(omx_emit_sample(e, NULL, 5), OMX_ESTATE); /* dropped */
    ASSERT_EQ(omx_emit_family(e, &(omx_desc){.name = "reg_total", .type = OMX_GAUGE}), OMX_EEXIST);
    ASSERT_OK(omx_emit_family(e, &(omx_desc){.name = "mine", .type = OMX_GAUGE}));
    ASSERT_OK(omx_emit_sample(e, NULL, 1));
    return 0;
}

static int first(omx_emitter *e, void *ud) {
    (void)ud;
    static const char *const ln[] = {"k"};
    ASSERT_OK(omx_emit_family(e, &(omx_desc){.name = "shared",
                                             .help = "First.",
                                             .type = OMX_GAUGE,
                                             .label_names = ln,
                                             .n_labels = 1}));
    ASSERT_OK(omx_emit_sample(e, (const char *[]){"a"}, 1));
    /* the same label set right after: refused, nothing written */
    ASSERT_EQ(omx_emit_sample(e, (const char *[]){"a"}, 2), OMX_EEXIST);
    ASSERT_OK(omx_emit_sample(e, (const char *[]){"b"}, 3));
    /* a family with no samples claims nothing */
    ASSERT_OK(omx_emit_family(e, &(omx_desc){.name = "empty", .type = OMX_GAUGE}));
    /* a counter given as "x" claims "x_total" too */
    ASSERT_OK(omx_emit_family(e, &(omx_desc){.name = "cnt", .type = OMX_COUNTER}));
    ASSERT_OK(omx_emit_sample(e, NULL, 4));
    return 0;
}

static int second(omx_emitter *e, void *ud) {
    (void)ud;
    ASSERT_EQ(omx_emit_family(e, &(omx_desc){.name = "shared", .type = OMX_COUNTER}), OMX_EEXIST);
    ASSERT_EQ(omx_emit_family(e, &(omx_desc){.name = "cnt_total", .type = OMX_GAUGE}), OMX_EEXIST);
    ASSERT_OK(omx_emit_family(e, &(omx_desc){.name = "empty", .type = OMX_GAUGE}));
    ASSERT_OK(omx_emit_sample(e, NULL, 6));
    /* timestamps: the same series at two times is allowed, without one it is not */
    ASSERT_OK(omx_emit_family(e, &(omx_desc){.name = "ts", .type = OMX_GAUGE}));
    ASSERT_OK(omx_emit_sample_ts(e, NULL, 1, 1000));
    ASSERT_OK(omx_emit_sample_ts(e, NULL, 2, 2000));
    ASSERT_EQ(omx_emit_sample(e, NULL, 3), OMX_EEXIST);
    /* histograms, summaries, statesets: one series each */
    ASSERT_OK(omx_emit_family(e, &(omx_desc){.name = "h", .type = OMX_HISTOGRAM}));
    ASSERT_OK(omx_emit_histogram(e, NULL, 0, NULL, NULL, 1, 1));
    ASSERT_EQ(omx_emit_histogram(e, NULL, 0, NULL, NULL, 1, 1), OMX_EEXIST);
    ASSERT_OK(omx_emit_family(e, &(omx_desc){.name = "sm", .type = OMX_SUMMARY}));
    ASSERT_OK(omx_emit_summary(e, NULL, 1, 1, 0, NULL, NULL));
    ASSERT_EQ(omx_emit_summary(e, NULL, 1, 1, 0, NULL, NULL), OMX_EEXIST);
    ASSERT_OK(omx_emit_family(e, &(omx_desc){.name = "sset", .type = OMX_STATESET}));
    ASSERT_OK(omx_emit_stateset(e, NULL, 1, (const char *[]){"on"}, (const bool[]){true}));
    ASSERT_EQ(omx_emit_stateset(e, NULL, 1, (const char *[]){"on"}, (const bool[]){true}),
              OMX_EEXIST);
    /* its own family again, later in the same collector */
    ASSERT_EQ(omx_emit_family(e, &(omx_desc){.name = "empty", .type = OMX_GAUGE}), OMX_EEXIST);
    return 0;
}

static int clean(omx_emitter *e, void *ud) {
    (void)ud;
    ASSERT_OK(omx_emit_family(e, &(omx_desc){.name = "clean", .type = OMX_GAUGE}));
    ASSERT_OK(omx_emit_sample(e, NULL, 1));
    return 0;
}

/* Many distinct families: the name set grows past its first table. */
static int many(omx_emitter *e, void *ud) {
    (void)ud;
    char name[32];
    for (int i = 0; i < 500; i++) {
        snprintf(name, sizeof name, "many_%d", i);
        ASSERT_OK(omx_emit_family(e, &(omx_desc){.name = name, .type = OMX_GAUGE}));
        ASSERT_OK(omx_emit_sample(e, NULL, i));
    }
    for (int i = 0; i < 500; i += 7) {
        snprintf(name, sizeof name, "many_%d", i);
        ASSERT_EQ(omx_emit_family(e, &(omx_desc){.name = name, .type = OMX_GAUGE}), OMX_EEXIST);
    }
    return 0;
}

int main(void) {
    omx_registry *r = omx_registry_new();
    omx_family *f;
    ASSERT_OK(omx_family_new(r, &(omx_family_opts){.type = OMX_COUNTER, .name = "reg"}, &f));
    ASSERT_OK(omx_registry_add_collector(r, "clash_registry", clash_registry, NULL, NULL));
    ASSERT_OK(omx_registry_add_collector(r, "first", first, NULL, NULL));
    ASSERT_OK(omx_registry_add_collector(r, "second", second, NULL, NULL));
    ASSERT_OK(omx_registry_add_collector(r, "clean", clean, NULL, NULL));
    ASSERT_OK(omx_registry_set_collector_stats(r, "t"));

    for (int fmt = 0; fmt < 2; fmt++) {
        omx_buf b;
        omx_buf_init(&b, 1 << 20);
        omx_write_opts o = {.format = fmt ? OMX_FORMAT_OPENMETRICS : OMX_FORMAT_PROMETHEUS};
        ASSERT_OK(omx_registry_write(r, &o, omx_buf_write_fn, &b));
        const char *out = b.data;
        if (fmt == 0) {
            ASSERT_EQ(count(out, "# TYPE reg"), 1);
            ASSERT(strstr(out, "reg_total 0\n"));
            ASSERT(!strstr(out, "reg 5"));
            ASSERT(strstr(out, "mine 1\n"));
            ASSERT_EQ(count(out, "# TYPE shared "), 1);
            ASSERT(strstr(out, "# HELP shared First.\n# TYPE shared gauge\nshared{k=\"a\"} 1\n"
                               "shared{k=\"b\"} 3\n"));
            ASSERT_EQ(count(out, "# TYPE cnt_total "), 1);
            ASSERT(strstr(out, "empty 6\n"));
            ASSERT_EQ(count(out, "# TYPE empty "), 1);
            ASSERT(strstr(out, "ts 1 1000\nts 2 2000\n"));
            ASSERT_EQ(count(out, "h_count"), 1);
            ASSERT_EQ(count(out, "sm_count"), 1);
            ASSERT_EQ(count(out, "sset{sset=\"on\"}"), 1);
            ASSERT(strstr(out, "t_scrape_collector_success{collector=\"clash_registry\"} 0\n"));
            ASSERT(strstr(out, "t_scrape_collector_success{collector=\"first\"} 0\n"));
            ASSERT(strstr(out, "t_scrape_collector_success{collector=\"second\"} 0\n"));
            ASSERT(strstr(out, "t_scrape_collector_success{collector=\"clean\"} 1\n"));
            /* reg, reg_total, shared, cnt_total, empty */
            ASSERT(strstr(out, "# TYPE omx_scrape_duplicate_families_total counter\n"
                               "omx_scrape_duplicate_families_total 5\n"));
        } else {
            ASSERT_EQ(count(out, "# TYPE reg "), 1);
            ASSERT(strstr(out, "ts 1 1\nts 2 2\n"));
            ASSERT(strstr(out, "omx_scrape_duplicate_families_total 10\n")); /* since creation */
            ASSERT(strstr(out, "\n# EOF\n"));
        }
        omx_buf_free(&b);
    }
    omx_registry_free(r);

    /* many names grow the set; re-emitting every 7th is caught */
    r = omx_registry_new();
    ASSERT_OK(omx_registry_add_collector(r, "many", many, NULL, NULL));
    omx_buf b;
    omx_buf_init(&b, 1 << 20);
    ASSERT_OK(omx_registry_write(r, NULL, omx_buf_write_fn, &b));
    ASSERT(strstr(b.data, "many_499 499\n"));
    ASSERT_EQ(count(b.data, "# TYPE many_0 "), 1);
    ASSERT(strstr(b.data, "omx_scrape_duplicate_families_total 72\n"));
    omx_buf_free(&b);
    omx_registry_free(r);

    /* no clash: nothing extra is exported */
    r = omx_registry_new();
    ASSERT_OK(omx_registry_add_collector(r, "clean", clean, NULL, NULL));
    ASSERT_OK(omx_registry_set_collector_stats(r, "t"));
    omx_buf_init(&b, 1 << 20);
    ASSERT_OK(omx_registry_write(r, NULL, omx_buf_write_fn, &b));
    ASSERT(!strstr(b.data, "duplicate"));
    ASSERT(strstr(b.data, "t_scrape_collector_success{collector=\"clean\"} 1\n"));
    omx_buf_free(&b);
    omx_registry_free(r);
    TEST_DONE();
}
