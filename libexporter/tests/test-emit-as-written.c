/* Families served under the name they were written with (OMX_DESC_AS_WRITTEN):
 * both output formats, the checks made and the names recorded. */
#include <string.h>

#include "exporter/collector.h"
#include "exporter/writer.h"
#include "omx-test.h"

static const char *const job[] = {"job"};

static int fam(omx_emitter *e, const char *name, omx_type t, size_t nl) {
    return omx_emit_family(e, &(omx_desc){.name = name,
                                          .help = "h.",
                                          .type = t,
                                          .label_names = nl ? job : NULL,
                                          .n_labels = nl,
                                          .flags = OMX_DESC_AS_WRITTEN});
}

static int collect(omx_emitter *e, void *ud) {
    (void)ud;
    ASSERT_OK(fam(e, "conf", OMX_COUNTER, 0));
    ASSERT_OK(omx_emit_sample(e, NULL, 1));
    ASSERT_OK(fam(e, "x_info", OMX_COUNTER, 0));
    ASSERT_OK(omx_emit_sample(e, NULL, 2));
    ASSERT_OK(fam(e, "jobs_created", OMX_COUNTER, 1));
    ASSERT_OK(omx_emit_sample(e, (const char *[]){"a"}, 3));
    ASSERT_OK(fam(e, "req_total_total", OMX_COUNTER, 0));
    ASSERT_OK(omx_emit_sample(e, NULL, 4));
    ASSERT_OK(fam(e, "ok_total", OMX_COUNTER, 0));
    ASSERT_OK(omx_emit_sample(e, NULL, 5));
    ASSERT_OK(fam(e, "lat_sum", OMX_HISTOGRAM, 0));
    ASSERT_OK(omx_emit_histogram(e, NULL, 1, (const double[]){1}, (const uint64_t[]){1}, 2, 3));
    ASSERT_OK(fam(e, "q_count", OMX_SUMMARY, 0));
    ASSERT_OK(omx_emit_summary(e, NULL, 1, 2, 1, (const double[]){0.5}, (const double[]){7}));
    ASSERT_OK(fam(e, "g_total", OMX_GAUGE, 0));
    ASSERT_OK(omx_emit_sample(e, NULL, -1));
    ASSERT_OK(fam(e, "u_bucket", OMX_UNKNOWN, 0));
    ASSERT_OK(omx_emit_sample(e, NULL, 6));
    /* a counter that lacks _total is not one in OpenMetrics: any value */
    ASSERT_OK(fam(e, "neg", OMX_COUNTER, 0));
    ASSERT_OK(omx_emit_sample(e, NULL, -2));
    /* what 0.0.4 text cannot hold either is still refused */
    ASSERT_EQ(fam(e, "1bad", OMX_COUNTER, 0), OMX_ENAME);
    ASSERT_EQ(omx_emit_family(e, &(omx_desc){.name = "h2",
                                             .type = OMX_HISTOGRAM,
                                             .label_names = (const char *[]){"le"},
                                             .n_labels = 1,
                                             .flags = OMX_DESC_AS_WRITTEN}),
              OMX_ELABEL);
    ASSERT_EQ(omx_emit_family(e, &(omx_desc){.name = "s2",
                                             .type = OMX_SUMMARY,
                                             .label_names = (const char *[]){"quantile"},
                                             .n_labels = 1,
                                             .flags = OMX_DESC_AS_WRITTEN}),
              OMX_ELABEL);
    ASSERT_EQ(fam(e, "i", OMX_INFO, 0), OMX_ETYPE);
    ASSERT_EQ(fam(e, "st", OMX_STATESET, 0), OMX_ETYPE);
    ASSERT_EQ(omx_emit_family(e, &(omx_desc){.name = "d_seconds",
                                             .unit = "seconds",
                                             .type = OMX_GAUGE,
                                             .flags = OMX_DESC_AS_WRITTEN}),
              OMX_EUNIT);
    /* names are recorded as written: no second family of a name already served */
    ASSERT_EQ(fam(e, "conf", OMX_GAUGE, 0), OMX_EEXIST);
    ASSERT_EQ(omx_emit_family(e, &(omx_desc){.name = "conf", .type = OMX_COUNTER}), OMX_EEXIST);
    ASSERT_EQ(omx_emit_family(e, &(omx_desc){.name = "ok", .type = OMX_COUNTER}), OMX_EEXIST);
    return 0;
}

/* Names free in 0.0.4 but one family in OpenMetrics: rc[] gets the results. */
static int collect_clash(omx_emitter *e, void *ud) {
    int *rc = ud;
    ASSERT_OK(fam(e, "down_total", OMX_COUNTER, 0));
    ASSERT_OK(omx_emit_sample(e, NULL, 1));
    if ((rc[0] = fam(e, "down", OMX_COUNTER, 0)) == 0)
        ASSERT_OK(omx_emit_sample(e, NULL, 2));
    if ((rc[1] = fam(e, "down", OMX_GAUGE, 0)) == 0)
        ASSERT_OK(omx_emit_sample(e, NULL, 3));
    return 0;
}

/* A counter x emitted the usual way holds x and x_total against as-written ones. */
static int collect_plain(omx_emitter *e, void *ud) {
    (void)ud;
    ASSERT_OK(omx_emit_family(e, &(omx_desc){.name = "c", .type = OMX_COUNTER}));
    ASSERT_OK(omx_emit_sample(e, NULL, 1));
    ASSERT_EQ(fam(e, "c_total", OMX_COUNTER, 0), OMX_EEXIST);
    ASSERT_EQ(fam(e, "c", OMX_COUNTER, 0), OMX_EEXIST);
    return 0;
}

static const char *render(omx_registry *r, omx_buf *b, omx_format f) {
    omx_buf_reset(b);
    ASSERT_OK(omx_registry_write(r, &(omx_write_opts){.format = f}, omx_buf_write_fn, b));
    return b->data;
}

static const char want_prom[] =
    "# HELP conf h.\n# TYPE conf counter\nconf 1\n"
    "# HELP x_info h.\n# TYPE x_info counter\nx_info 2\n"
    "# HELP jobs_created h.\n# TYPE jobs_created counter\njobs_created{job=\"a\"} 3\n"
    "# HELP req_total_total h.\n# TYPE req_total_total counter\nreq_total_total 4\n"
    "# HELP ok_total h.\n# TYPE ok_total counter\nok_total 5\n"
    "# HELP lat_sum h.\n# TYPE lat_sum histogram\nlat_sum_bucket{le=\"1\"} 1\n"
    "lat_sum_bucket{le=\"+Inf\"} 2\nlat_sum_count 2\nlat_sum_sum 3\n"
    "# HELP q_count h.\n# TYPE q_count summary\nq_count{quantile=\"0.5\"} 7\n"
    "q_count_count 1\nq_count_sum 2\n"
    "# HELP g_total h.\n# TYPE g_total gauge\ng_total -1\n"
    "# HELP u_bucket h.\n# TYPE u_bucket untyped\nu_bucket 6\n"
    "# HELP neg h.\n# TYPE neg counter\nneg -2\n";

static const char want_om[] =
    "# HELP conf h.\n# TYPE conf unknown\nconf 1\n"
    "# HELP x_info h.\n# TYPE x_info unknown\nx_info 2\n"
    "# HELP jobs_created h.\n# TYPE jobs_created unknown\njobs_created{job=\"a\"} 3\n"
    "# HELP req_total h.\n# TYPE req_total counter\nreq_total_total 4\n"
    "# HELP ok h.\n# TYPE ok counter\nok_total 5\n"
    "# HELP lat_sum h.\n# TYPE lat_sum histogram\nlat_sum_bucket{le=\"1.0\"} 1\n"
    "lat_sum_bucket{le=\"+Inf\"} 2\nlat_sum_count 2\nlat_sum_sum 3\n"
    "# HELP q_count h.\n# TYPE q_count summary\nq_count{quantile=\"0.5\"} 7\n"
    "q_count_count 1\nq_count_sum 2\n"
    "# HELP g_total h.\n# TYPE g_total gauge\ng_total -1\n"
    "# HELP u_bucket h.\n# TYPE u_bucket unknown\nu_bucket 6\n"
    "# HELP neg h.\n# TYPE neg unknown\nneg -2\n";

/* An OpenMetrics counter named x_total must not go down; 0.0.4 takes any value. */
static int collect_negative(omx_emitter *e, void *ud) {
    int *rc = ud;
    ASSERT_OK(fam(e, "down_total", OMX_COUNTER, 0));
    *rc = omx_emit_sample(e, NULL, -1);
    return 0;
}

int main(void) {
    omx_buf b;
    omx_buf_init(&b, 1 << 20);
    omx_registry *r = omx_registry_new();
    ASSERT(r);
    ASSERT_OK(omx_registry_add_collector(r, "t", collect, NULL, NULL));
    /* the refused second families are counted after the collectors' output */
    const char *out = render(r, &b, OMX_FORMAT_PROMETHEUS);
    if (strncmp(out, want_prom, strlen(want_prom)))
        fprintf(stderr, "0.0.4 output:\n%s", out);
    ASSERT(!strncmp(out, want_prom, strlen(want_prom)));
    ASSERT(strstr(out, "\nomx_scrape_duplicate_families_total 3\n"));
    out = render(r, &b, OMX_FORMAT_OPENMETRICS);
    if (strncmp(out, want_om, strlen(want_om)))
        fprintf(stderr, "OpenMetrics output:\n%s", out);
    ASSERT(!strncmp(out, want_om, strlen(want_om)));
    ASSERT(strstr(out, "\nomx_scrape_duplicate_families_total 6\n# EOF\n"));
    r = omx_registry_free(r);

    r = omx_registry_new();
    ASSERT(r);
    ASSERT_OK(omx_registry_add_collector(r, "p", collect_plain, NULL, NULL));
    out = render(r, &b, OMX_FORMAT_PROMETHEUS);
    ASSERT(!strncmp(out, "# TYPE c_total counter\nc_total 1\n# HELP omx_scrape_dup", 50));
    ASSERT(strstr(out, "\nomx_scrape_duplicate_families_total 2\n"));
    r = omx_registry_free(r);

    int clash[2] = {1, 1};
    r = omx_registry_new();
    ASSERT(r);
    ASSERT_OK(omx_registry_add_collector(r, "c", collect_clash, clash, NULL));
    out = render(r, &b, OMX_FORMAT_PROMETHEUS);
    ASSERT_OK(clash[0]);
    ASSERT_EQ(clash[1], OMX_EEXIST); /* "down" was written by the counter */
    ASSERT(!strncmp(out,
                    "# HELP down_total h.\n# TYPE down_total counter\ndown_total 1\n"
                    "# HELP down h.\n# TYPE down counter\ndown 2\n",
                    102));
    out = render(r, &b, OMX_FORMAT_OPENMETRICS);
    ASSERT_EQ(clash[0], OMX_EEXIST);
    ASSERT_EQ(clash[1], OMX_EEXIST);
    ASSERT(!strncmp(out, "# HELP down h.\n# TYPE down counter\ndown_total 1\n# HELP omx_", 59));
    r = omx_registry_free(r);

    int rc = 1;
    r = omx_registry_new();
    ASSERT(r);
    ASSERT_OK(omx_registry_add_collector(r, "n", collect_negative, &rc, NULL));
    out = render(r, &b, OMX_FORMAT_PROMETHEUS);
    ASSERT_OK(rc);
    ASSERT(!strcmp(out, "# HELP down_total h.\n# TYPE down_total counter\ndown_total -1\n"));
    out = render(r, &b, OMX_FORMAT_OPENMETRICS);
    ASSERT_EQ(rc, OMX_EVALUE);
    ASSERT(!strcmp(out, "# EOF\n"));
    omx_registry_free(r);
    omx_buf_free(&b);
    TEST_DONE();
}
