/* Collectors and the emitter: bad calls, failures, stats, deadlines, sinks. */
#include <errno.h>

#include "internal.h"
#include "omx-test.h"

static int calls;

static int bad_calls(omx_emitter *e, void *ud) {
    (void)ud;
    calls++;
    const char *ln[] = {"a"}, *le[] = {"le"}, *v[] = {"x"}, *nv[] = {NULL}, *bad[] = {"\xff"};
    /* sample before family */
    ASSERT_EQ(omx_emit_sample(e, v, 1), OMX_ESTATE);
    ASSERT_EQ(omx_emit_family(e, NULL), OMX_EINVAL);
    ASSERT_EQ(omx_emit_family(NULL, &(omx_desc){.name = "x"}), OMX_EINVAL);
    ASSERT_EQ(omx_emit_family(e, &(omx_desc){.name = "1x", .type = OMX_GAUGE}), OMX_ENAME);
    ASSERT_EQ(
        omx_emit_family(
            e, &(omx_desc){.name = "h", .type = OMX_HISTOGRAM, .label_names = le, .n_labels = 1}),
        OMX_ELABEL);
    ASSERT_EQ(
        omx_emit_family(e, &(omx_desc){.name = "x_bytes", .unit = "seconds", .type = OMX_GAUGE}),
        OMX_EUNIT);
    ASSERT_EQ(omx_emit_family(e, &(omx_desc){.name = "x", .help = "\xc3", .type = OMX_GAUGE}),
              OMX_EINVAL);
    /* a failed emit_family leaves no family open */
    ASSERT_EQ(omx_emit_sample(e, v, 1), OMX_ESTATE);
    ASSERT_OK(omx_emit_family(
        e, &(omx_desc){.name = "c_total", .type = OMX_COUNTER, .label_names = ln, .n_labels = 1}));
    ASSERT_EQ(omx_emit_sample(e, NULL, 1), OMX_EINVAL);
    ASSERT_EQ(omx_emit_sample(e, nv, 1), OMX_EINVAL);
    ASSERT_EQ(omx_emit_sample(e, bad, 1), OMX_EINVAL);
    ASSERT_EQ(omx_emit_sample(e, v, -1), OMX_EVALUE);
    ASSERT_EQ(omx_emit_sample(e, v, NAN), OMX_EVALUE);
    double b[] = {1, 2};
    uint64_t c[] = {1, 2};
    ASSERT_EQ(omx_emit_histogram(e, v, 2, b, c, 2, 1), OMX_ETYPE);
    ASSERT_EQ(omx_emit_summary(e, v, 1, 1, 0, NULL, NULL), OMX_ETYPE);
    ASSERT_EQ(omx_emit_stateset(e, v, 0, NULL, NULL), OMX_ETYPE);
    ASSERT_OK(omx_emit_sample(e, v, 7));
    ASSERT_OK(omx_emit_family(e, &(omx_desc){.name = "h", .type = OMX_HISTOGRAM}));
    ASSERT_EQ(omx_emit_sample(NULL, NULL, 1), OMX_EINVAL);
    ASSERT_EQ(omx_emit_sample(e, NULL, 1), OMX_ETYPE);
    double dec[] = {2, 1}, nanb[] = {NAN, 1}, infmid[] = {INFINITY, 1};
    uint64_t down[] = {2, 1}, big[] = {1, 5}, inf_wrong[] = {1, 1};
    double inf_last[] = {1, INFINITY};
    ASSERT_EQ(omx_emit_histogram(e, NULL, 2, dec, c, 2, 1), OMX_EVALUE);
    ASSERT_EQ(omx_emit_histogram(e, NULL, 2, nanb, c, 2, 1), OMX_EVALUE);
    ASSERT_EQ(omx_emit_histogram(e, NULL, 2, infmid, c, 2, 1), OMX_EVALUE);
    ASSERT_EQ(omx_emit_histogram(e, NULL, 2, b, down, 2, 1), OMX_EVALUE);
    ASSERT_EQ(omx_emit_histogram(e, NULL, 2, b, big, 2, 1), OMX_EVALUE);
    ASSERT_EQ(omx_emit_histogram(e, NULL, 2, inf_last, inf_wrong, 2, 1), OMX_EVALUE);
    ASSERT_EQ(omx_emit_histogram(e, NULL, 2, NULL, NULL, 2, 1), OMX_EINVAL);
    ASSERT_OK(omx_emit_histogram(e, NULL, 0, NULL, NULL, 3, 1.5));
    ASSERT_OK(omx_emit_family(e, &(omx_desc){.name = "s", .type = OMX_SUMMARY}));
    double q[] = {1.5}, qv[] = {1};
    ASSERT_EQ(omx_emit_summary(e, NULL, 1, 1, 1, q, qv), OMX_EVALUE);
    ASSERT_EQ(omx_emit_summary(e, NULL, 1, 1, 1, NULL, NULL), OMX_EINVAL);
    ASSERT_OK(omx_emit_family(e, &(omx_desc){.name = "st", .type = OMX_STATESET}));
    const char *sn[] = {NULL};
    bool set[] = {true};
    ASSERT_EQ(omx_emit_stateset(e, NULL, 1, sn, set), OMX_EINVAL);
    if (calls == 1) { /* the first write has no deadline */
        ASSERT_EQ(omx_emitter_deadline_ns(e), 0);
        ASSERT_EQ(omx_emitter_expired(e), 0);
    }
    return 0;
}

static int failing(omx_emitter *e, void *ud) {
    (void)ud;
    ASSERT_OK(omx_emit_family(e, &(omx_desc){.name = "partial", .type = OMX_GAUGE}));
    ASSERT_OK(omx_emit_sample(e, NULL, 1));
    return OMX_EIO;
}

static int check_deadline(omx_emitter *e, void *ud) {
    int64_t *seen = ud;
    *seen = omx_emitter_deadline_ns(e);
    return omx_emitter_expired(e) ? OMX_ETIMEOUT : 0;
}

/* A sink without an error code of its own. */
static int sink_fail_positive(void *ctx, const char *d, size_t n) {
    (void)ctx;
    (void)d;
    (void)n;
    return 1;
}

static int sink_fail_after(void *ctx, const char *d, size_t n) {
    (void)d;
    (void)n;
    int *left = ctx;
    return (*left)-- > 0 ? 0 : -EPIPE;
}

/* Label values: plain ones copied, escapes and UTF-8 handled, two labels. */
static int labels(omx_emitter *e, void *ud) {
    (void)ud;
    const char *ln[] = {"first", "second"};
    ASSERT_OK(omx_emit_family(
        e, &(omx_desc){.name = "lbl", .type = OMX_GAUGE, .label_names = ln, .n_labels = 2}));
    ASSERT_OK(omx_emit_sample(e, (const char *[]){"plain", ""}, 1));
    ASSERT_OK(omx_emit_sample(e, (const char *[]){"q\"b\\c\nd", "\xc3\xa9t\xc3\xa9"}, 2));
    ASSERT_EQ(omx_emit_sample(e, (const char *[]){"ok", "\xc3("}, 3), OMX_EINVAL);
    return 0;
}

static void free_counter(void *p) { (*(int *)p)++; }

static int nothing(omx_emitter *e, void *ud) {
    (void)e;
    (void)ud;
    return 0;
}

int main(void) {
    omx_registry *r = omx_registry_new();
    ASSERT_EQ(omx_registry_add_collector(r, "Bad-Name", bad_calls, NULL, NULL), OMX_EINVAL);
    ASSERT_EQ(omx_registry_add_collector(r, "", bad_calls, NULL, NULL), OMX_EINVAL);
    ASSERT_EQ(omx_registry_add_collector(r, "x", NULL, NULL, NULL), OMX_EINVAL);
    ASSERT_EQ(omx_registry_add_collector(NULL, "x", bad_calls, NULL, NULL), OMX_EINVAL);
    ASSERT_OK(omx_registry_add_collector(r, "bad_calls", bad_calls, NULL, NULL));
    ASSERT_EQ(omx_registry_add_collector(r, "bad_calls", bad_calls, NULL, NULL), OMX_EEXIST);
    ASSERT_OK(omx_registry_add_collector(r, "failing", failing, NULL, NULL));
    int64_t seen = -1;
    ASSERT_OK(omx_registry_add_collector(r, "deadline", check_deadline, &seen, NULL));
    int freed = 0;
    ASSERT_OK(omx_registry_add_collector(r, "freed", nothing, &freed, free_counter));
    ASSERT_EQ(omx_registry_set_collector_stats(r, "bad prefix"), OMX_EINVAL);
    ASSERT_OK(omx_registry_set_collector_stats(r, "omx"));
    ASSERT_OK(omx_registry_add_collector(r, "labels", labels, NULL, NULL));

    omx_buf b;
    omx_buf_init(&b, 1 << 20);
    ASSERT_OK(omx_registry_write(r, NULL, omx_buf_write_fn, &b));
    ASSERT_EQ(calls, 1);
    ASSERT_EQ(omx_emitter_expired(NULL), 0);
    ASSERT(strstr(b.data, "# TYPE c_total counter\nc_total{a=\"x\"} 7\n"));
    ASSERT(strstr(b.data, "h_bucket{le=\"+Inf\"} 3\nh_count 3\nh_sum 1.5\n"));
    ASSERT(strstr(b.data, "lbl{first=\"plain\",second=\"\"} 1\n"
                          "lbl{first=\"q\\\"b\\\\c\\nd\",second=\"\xc3\xa9t\xc3\xa9\"} 2\n"));
    ASSERT(!strstr(b.data, "TYPE s ")); /* a family with no samples emits nothing */
    ASSERT(!strstr(b.data, "TYPE st "));
    ASSERT(strstr(b.data, "partial 1\n")); /* kept although the collector failed */
    ASSERT(strstr(b.data, "omx_scrape_collector_success{collector=\"bad_calls\"} 1\n"));
    ASSERT(strstr(b.data, "omx_scrape_collector_success{collector=\"failing\"} 0\n"));
    ASSERT(strstr(b.data, "omx_scrape_collector_success{collector=\"deadline\"} 1\n"));
    ASSERT(strstr(b.data, "# TYPE omx_scrape_collector_duration_seconds gauge\n"));
    ASSERT(strstr(b.data, "omx_scrape_collector_duration_seconds{collector=\"failing\"} "));
    /* node_exporter's HELP texts, with the prefix's name */
    ASSERT(strstr(
        b.data,
        "# HELP omx_scrape_collector_duration_seconds omx_exporter: Duration of a collector scrape.\n"));
    ASSERT(strstr(
        b.data,
        "# HELP omx_scrape_collector_success omx_exporter: Whether a collector succeeded.\n"));
    ASSERT_EQ(seen, 0);

    /* an expired deadline reaches the collectors */
    omx_buf_reset(&b);
    omx_write_opts o = {.format = OMX_FORMAT_OPENMETRICS, .deadline_ns = 1};
    ASSERT_OK(omx_registry_write(r, &o, omx_buf_write_fn, &b));
    ASSERT_EQ(seen, 1);
    ASSERT(strstr(b.data, "omx_scrape_collector_success{collector=\"deadline\"} 0\n"));
    ASSERT(strstr(b.data, "\n# EOF\n"));
    ASSERT(b.len >= 6 && strcmp(b.data + b.len - 6, "# EOF\n") == 0);

    /* stats off again */
    ASSERT_OK(omx_registry_set_collector_stats(r, NULL));
    omx_buf_reset(&b);
    ASSERT_OK(omx_registry_write(r, NULL, omx_buf_write_fn, &b));
    ASSERT(!strstr(b.data, "scrape_collector"));

    /* a failing sink: its code comes back, at once or after some chunks */
    for (int left = 0; left < 1; left++) { /* small output: a single chunk */
        int l = left;
        ASSERT_EQ(omx_registry_write(r, NULL, sink_fail_after, &l), -EPIPE);
    }
    ASSERT_EQ(omx_registry_write(r, NULL, sink_fail_positive, NULL), OMX_EIO);
    /* a big exposition is cut into chunks; a capped buffer fails cleanly */
    omx_family *f;
    const char *ln[] = {"i"};
    ASSERT_OK(omx_family_new(
        r, &(omx_family_opts){.type = OMX_GAUGE, .name = "big", .label_names = ln, .n_labels = 1},
        &f));
    for (int i = 0; i < 5000; i++) {
        char v[16];
        snprintf(v, sizeof v, "%d", i);
        omx_series *s;
        ASSERT_OK(omx_family_get(f, (const char *[]){v}, &s));
    }
    int many = 1000;
    ASSERT_OK(omx_registry_write(r, NULL, sink_fail_after, &many));
    ASSERT(many < 1000 - 2);
    int two = 2; /* fails on the third chunk */
    ASSERT_EQ(omx_registry_write(r, NULL, sink_fail_after, &two), -EPIPE);
    omx_buf small;
    omx_buf_init(&small, 1000);
    ASSERT_EQ(omx_registry_write(r, NULL, omx_buf_write_fn, &small), OMX_ELIMIT);
    omx_buf_free(&small);
    ASSERT_EQ(omx_registry_write(NULL, NULL, omx_buf_write_fn, &b), OMX_EINVAL);
    ASSERT_EQ(omx_registry_write(r, NULL, NULL, &b), OMX_EINVAL);
    ASSERT_EQ(omx_registry_write(r, &(omx_write_opts){.format = 7}, omx_buf_write_fn, &b),
              OMX_EINVAL);
    omx_buf_free(&b);
    omx_registry_free(r);
    ASSERT_EQ(freed, 1);
    TEST_DONE();
}
