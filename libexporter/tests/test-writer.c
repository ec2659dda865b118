/* Both writers, every metric type: outputs compared byte for byte with
 * golden/<case>.prom (0.0.4) and golden/<case>.om (OpenMetrics 1.0.0).
 * OMX_UPDATE_GOLDEN=1 rewrites the golden files instead. */
#include "internal.h"
#include "omx-test.h"

static int failures;

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    omx_buf b;
    omx_buf_init(&b, 1 << 24);
    char tmp[4096];
    size_t n;
    omx_buf_append(&b, "", 0);
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        ASSERT_OK(omx_buf_append(&b, tmp, n));
    fclose(f);
    return b.data;
}

static void check_golden(omx_registry *r, const char *name) {
    const char *src = getenv("OMX_SRC");
    if (!src) {
        fprintf(stderr, "OMX_SRC not set (run through meson test)\n");
        exit(77);
    }
    for (int fmt = 0; fmt < 2; fmt++) {
        omx_buf b;
        omx_buf_init(&b, 1 << 24);
        omx_write_opts o = {.format = fmt};
        ASSERT_OK(omx_registry_write(r, &o, omx_buf_write_fn, &b));
        ASSERT_OK(omx_buf_append(&b, "", 0));
        char path[4096];
        snprintf(path, sizeof path, "%s/libexporter/tests/golden/%s.%s", src, name,
                 fmt ? "om" : "prom");
        if (getenv("OMX_UPDATE_GOLDEN")) {
            FILE *f = fopen(path, "wb");
            ASSERT(f);
            fwrite(b.data, 1, b.len, f);
            fclose(f);
        } else {
            char *want = read_file(path);
            if (!want || strcmp(want, b.data) != 0) {
                fprintf(stderr, "golden mismatch: %s\n--- got ---\n%s--- want ---\n%s", path,
                        b.data, want ? want : "(missing)\n");
                failures++;
            }
            omx__free(want);
        }
        omx_buf_free(&b);
    }
}

static omx_family *fam(omx_registry *r, omx_family_opts o) {
    omx_family *f;
    ASSERT_OK(omx_family_new(r, &o, &f));
    return f;
}

static omx_series *get(omx_family *f, const char *const *v) {
    omx_series *s;
    ASSERT_OK(omx_family_get(f, v, &s));
    return s;
}

static void case_counter(void) {
    omx_registry *r = omx_registry_new();
    const char *ln[] = {"method", "code"};
    omx_family *f = fam(r, (omx_family_opts){.type = OMX_COUNTER,
                                             .name = "http_requests_total",
                                             .help = "Total HTTP requests.",
                                             .label_names = ln,
                                             .n_labels = 2});
    omx_counter_inc(get(f, (const char *[]){"get", "200"}));
    omx_counter_add(get(f, (const char *[]){"post", "500"}), 2.5);
    get(f, (const char *[]){"put", "201"});
    omx_family *c = fam(r, (omx_family_opts){.type = OMX_COUNTER,
                                             .name = "cpu_seconds_total",
                                             .unit = "seconds",
                                             .help = "CPU time.",
                                             .flags = OMX_FAMILY_CREATED});
    omx_series *s = get(c, NULL);
    omx_counter_add(s, 1e20);
    omx_counter_add_exemplar(s, 1, (const char *[]){"trace_id"}, (const char *[]){"4bf92f"}, 1,
                             1700000001.25);
    omx_family *n = fam(r, (omx_family_opts){.type = OMX_COUNTER, .name = "nohelp"});
    omx_counter_add_exemplar(get(n, NULL), 3, NULL, NULL, 0, NAN);
    check_golden(r, "counter");
    omx_registry_free(r);
}

static void case_gauge(void) {
    omx_registry *r = omx_registry_new();
    const char *ln[] = {"v"};
    omx_family *f = fam(r, (omx_family_opts){.type = OMX_GAUGE,
                                             .name = "temperature_celsius",
                                             .unit = "celsius",
                                             .help = "Values of all kinds.",
                                             .label_names = ln,
                                             .n_labels = 1});
    const char *names[] = {"zero", "neg", "frac", "big", "tiny", "nan", "inf", "ninf", "third"};
    double vals[] = {0, -40, 21.5, 1.5e300, 1e-10, NAN, INFINITY, -INFINITY, 1.0 / 3};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
        omx_gauge_set(get(f, (const char *[]){names[i]}), vals[i]);
    omx_gauge_set(get(fam(r, (omx_family_opts){.type = OMX_GAUGE, .name = "up"}), NULL), 1);
    check_golden(r, "gauge");
    omx_registry_free(r);
}

static void case_histogram(void) {
    omx_registry *r = omx_registry_new();
    const char *ln[] = {"handler"};
    double b[] = {0.01, 0.1, 1, 10, 1e6};
    omx_family *f = fam(r, (omx_family_opts){.type = OMX_HISTOGRAM,
                                             .name = "request_duration_seconds",
                                             .unit = "seconds",
                                             .help = "Request latency.",
                                             .label_names = ln,
                                             .n_labels = 1,
                                             .buckets = b,
                                             .n_buckets = 5,
                                             .flags = OMX_FAMILY_CREATED});
    omx_series *s = get(f, (const char *[]){"/"});
    double obs[] = {0.005, 0.05, 0.05, 0.5, 5, 50, 2e6};
    for (size_t i = 0; i < sizeof obs / sizeof obs[0]; i++)
        omx_histogram_observe(s, obs[i]);
    omx_histogram_observe_exemplar(s, 0.07, (const char *[]){"trace_id"},
                                   (const char *[]){"abc\"1"}, 1, 1700000002);
    get(f, (const char *[]){"/empty"});
    omx_family *d =
        fam(r, (omx_family_opts){
                   .type = OMX_HISTOGRAM, .name = "default_buckets", .help = "Default buckets."});
    omx_histogram_observe(get(d, NULL), 0.3);
    check_golden(r, "histogram");
    omx_registry_free(r);
}

static void case_gaugehistogram(void) {
    omx_registry *r = omx_registry_new();
    double b[] = {1, 5};
    omx_family *f = fam(r, (omx_family_opts){.type = OMX_GAUGEHISTOGRAM,
                                             .name = "queue_size",
                                             .help = "Items per queue.",
                                             .buckets = b,
                                             .n_buckets = 2});
    omx_series *s = get(f, NULL);
    omx_histogram_observe(s, 0.5);
    omx_histogram_observe(s, 3);
    omx_histogram_observe(s, 30);
    check_golden(r, "gaugehistogram");
    omx_registry_free(r);
}

static void case_summary(void) {
    omx_registry *r = omx_registry_new();
    const char *ln[] = {"op"};
    omx_family *f = fam(r, (omx_family_opts){.type = OMX_SUMMARY,
                                             .name = "rpc_bytes",
                                             .unit = "bytes",
                                             .help = "RPC sizes.",
                                             .label_names = ln,
                                             .n_labels = 1,
                                             .flags = OMX_FAMILY_CREATED});
    omx_series *s = get(f, (const char *[]){"read"});
    omx_summary_observe(s, 100);
    omx_summary_observe(s, 250.5);
    check_golden(r, "summary");
    omx_registry_free(r);
}

static void case_info(void) {
    omx_registry *r = omx_registry_new();
    const char *ln[] = {"version", "os"};
    omx_family *f = fam(r, (omx_family_opts){.type = OMX_INFO,
                                             .name = "target_info",
                                             .help = "Target metadata.",
                                             .label_names = ln,
                                             .n_labels = 2});
    get(f, (const char *[]){"1.2.3", "linux"});
    fam(r, (omx_family_opts){.type = OMX_INFO, .name = "plain"});
    check_golden(r, "info");
    omx_registry_free(r);
}

static void case_stateset(void) {
    omx_registry *r = omx_registry_new();
    const char *ln[] = {"unit"}, *st[] = {"active", "failed", "inactive"};
    omx_family *f = fam(r, (omx_family_opts){.type = OMX_STATESET,
                                             .name = "unit_state",
                                             .help = "Unit states.",
                                             .label_names = ln,
                                             .n_labels = 1,
                                             .states = st,
                                             .n_states = 3});
    omx_stateset_set(get(f, (const char *[]){"ssh.service"}), 0, true);
    omx_series *s = get(f, (const char *[]){"cron.service"});
    omx_stateset_set(s, 1, true);
    omx_stateset_set(s, 2, true);
    omx_stateset_set(s, 2, false);
    check_golden(r, "stateset");
    omx_registry_free(r);
}

static void case_unknown(void) {
    omx_registry *r = omx_registry_new();
    omx_family *f =
        fam(r, (omx_family_opts){.type = OMX_UNKNOWN, .name = "mystery", .help = "Who knows."});
    omx_gauge_set(get(f, NULL), 42.125);
    check_golden(r, "unknown");
    omx_registry_free(r);
}

static void case_escaping(void) {
    omx_registry *r = omx_registry_new();
    const char *ln[] = {"path"};
    omx_family *f =
        fam(r, (omx_family_opts){.type = OMX_GAUGE,
                                 .name = "escapes",
                                 .help = "Backslash \\ quote \" newline \n and \xc3\xa9t\xc3\xa9.",
                                 .label_names = ln,
                                 .n_labels = 1});
    omx_gauge_set(get(f, (const char *[]){"C:\\dir\\"}), 1);
    omx_gauge_set(get(f, (const char *[]){"say \"hi\""}), 2);
    omx_gauge_set(get(f, (const char *[]){"two\nlines"}), 3);
    omx_gauge_set(get(f, (const char *[]){"\xe2\x82\xac uro"}), 4);
    omx_gauge_set(get(f, (const char *[]){""}), 5);
    check_golden(r, "escaping");
    omx_registry_free(r);
}

static int collect_all(omx_emitter *e, void *ud) {
    (void)ud;
    const char *ln[] = {"dev"};
    ASSERT_OK(omx_emit_family(e, &(omx_desc){.name = "disk_reads_total",
                                             .help = "Reads.",
                                             .type = OMX_COUNTER,
                                             .label_names = ln,
                                             .n_labels = 1}));
    ASSERT_OK(omx_emit_sample(e, (const char *[]){"sda"}, 12));
    ASSERT_OK(omx_emit_sample(e, (const char *[]){"sdb"}, 0.5));
    ASSERT_OK(omx_emit_family(e, &(omx_desc){.name = "disk_free_bytes",
                                             .unit = "bytes",
                                             .help = "Free.",
                                             .type = OMX_GAUGE,
                                             .label_names = ln,
                                             .n_labels = 1}));
    ASSERT_OK(omx_emit_sample_ts(e, (const char *[]){"sda"}, 1024, 1700000000123));
    ASSERT_OK(omx_emit_sample_ts(e, (const char *[]){"sdb"}, 2048, 1700000000000));
    ASSERT_OK(omx_emit_family(e, &(omx_desc){.name = "never", .type = OMX_GAUGE}));
    ASSERT_OK(omx_emit_family(
        e, &(omx_desc){.name = "lat_seconds", .help = "Latency.", .type = OMX_HISTOGRAM}));
    double ub[] = {0.1, 1, INFINITY};
    uint64_t cum[] = {1, 3, 4};
    ASSERT_OK(omx_emit_histogram(e, NULL, 3, ub, cum, 4, 7.5));
    ASSERT_OK(omx_emit_family(
        e, &(omx_desc){.name = "gh", .help = "A gauge histogram.", .type = OMX_GAUGEHISTOGRAM}));
    ASSERT_OK(omx_emit_histogram(e, NULL, 2, ub, cum, 5, 9));
    ASSERT_OK(omx_emit_family(e, &(omx_desc){.name = "rpc_seconds",
                                             .help = "RPC.",
                                             .type = OMX_SUMMARY,
                                             .label_names = ln,
                                             .n_labels = 1}));
    double q[] = {0.5, 0.9, 1}, qv[] = {0.25, 1.5, 3};
    ASSERT_OK(omx_emit_summary(e, (const char *[]){"x"}, 10, 12.5, 3, q, qv));
    ASSERT_OK(omx_emit_summary(e, (const char *[]){"y"}, 0, 0, 0, NULL, NULL));
    ASSERT_OK(omx_emit_family(e, &(omx_desc){.name = "build",
                                             .help = "Build.",
                                             .type = OMX_INFO,
                                             .label_names = ln,
                                             .n_labels = 1}));
    ASSERT_OK(omx_emit_sample(e, (const char *[]){"v1"}, 0));
    ASSERT_OK(
        omx_emit_family(e, &(omx_desc){.name = "mode", .help = "Mode.", .type = OMX_STATESET}));
    const char *st[] = {"a", "b\"c"};
    bool set[] = {false, true};
    ASSERT_OK(omx_emit_stateset(e, NULL, 2, st, set));
    ASSERT_OK(omx_emit_family(e, &(omx_desc){.name = "odd", .type = OMX_UNKNOWN}));
    ASSERT_OK(omx_emit_sample(e, NULL, -1.5));
    return 0;
}

static void case_collector(void) {
    omx_registry *r = omx_registry_new();
    ASSERT_OK(omx_registry_add_collector(r, "all", collect_all, NULL, NULL));
    check_golden(r, "collector");
    omx_registry_free(r);
}

static void case_rejected(void) {
    omx_registry *r = omx_registry_new();
    const char *ln[] = {"id"};
    omx_family *f = fam(r, (omx_family_opts){.type = OMX_GAUGE,
                                             .name = "limited",
                                             .help = "Two series at most.",
                                             .label_names = ln,
                                             .n_labels = 1,
                                             .max_series = 2});
    get(f, (const char *[]){"1"});
    get(f, (const char *[]){"2"});
    omx_series *s;
    ASSERT_EQ(omx_family_get(f, (const char *[]){"3"}, &s), OMX_ELIMIT);
    ASSERT_EQ(omx_family_get(f, (const char *[]){"4"}, &s), OMX_ELIMIT);
    omx_family *g = fam(r, (omx_family_opts){.type = OMX_GAUGE,
                                             .name = "short_values",
                                             .label_names = ln,
                                             .n_labels = 1,
                                             .max_label_value_len = 3});
    get(g, (const char *[]){"abc"});
    ASSERT_EQ(omx_family_get(g, (const char *[]){"abcd"}, &s), OMX_ELIMIT);
    check_golden(r, "rejected");
    omx_registry_free(r);
}

static void case_empty(void) {
    omx_registry *r = omx_registry_new();
    const char *ln[] = {"x"};
    fam(r, (omx_family_opts){
               .type = OMX_GAUGE, .name = "nothing_yet", .label_names = ln, .n_labels = 1});
    check_golden(r, "empty");
    omx_registry_free(r);
}

static int collect_neg_ts(omx_emitter *e, void *ud) {
    (void)ud;
    const char *ln[] = {"c"};
    ASSERT_OK(omx_emit_family(
        e, &(omx_desc){.name = "t", .type = OMX_GAUGE, .label_names = ln, .n_labels = 1}));
    ASSERT_OK(omx_emit_sample_ts(e, (const char *[]){"a"}, 1, -1500));
    ASSERT_OK(omx_emit_sample_ts(e, (const char *[]){"b"}, 1, -1000));
    ASSERT_OK(omx_emit_sample_ts(e, (const char *[]){"c"}, 1, -1));
    ASSERT_OK(omx_emit_sample_ts(e, (const char *[]){"d"}, 1, 1500));
    ASSERT_OK(omx_emit_sample_ts(e, (const char *[]){"e"}, 1, INT64_MIN));
    return 0;
}

/* OpenMetrics timestamps are seconds: sign and fraction of negative ones. */
static void case_negative_timestamps(void) {
    omx_registry *r = omx_registry_new();
    ASSERT_OK(omx_registry_add_collector(r, "neg", collect_neg_ts, NULL, NULL));
    omx_buf b;
    omx_buf_init(&b, 1 << 16);
    omx_write_opts o = {.format = OMX_FORMAT_OPENMETRICS};
    ASSERT_OK(omx_registry_write(r, &o, omx_buf_write_fn, &b));
    ASSERT_OK(omx_buf_append(&b, "", 0));
    ASSERT(strstr(b.data, "t{c=\"a\"} 1 -1.5\n"));
    ASSERT(strstr(b.data, "t{c=\"b\"} 1 -1\n"));
    ASSERT(strstr(b.data, "t{c=\"c\"} 1 -0.001\n"));
    ASSERT(strstr(b.data, "t{c=\"d\"} 1 1.5\n"));
    ASSERT(strstr(b.data, "t{c=\"e\"} 1 -9223372036854775.808\n"));
    omx_buf_free(&b);
    omx_registry_free(r);
}

int main(void) {
    omx__test_realtime = 1700000000.5;
    case_counter();
    case_gauge();
    case_histogram();
    case_gaugehistogram();
    case_summary();
    case_info();
    case_stateset();
    case_unknown();
    case_escaping();
    case_collector();
    case_rejected();
    case_empty();
    case_negative_timestamps();
    if (failures) {
        fprintf(stderr, "%d golden mismatches\n", failures);
        return 1;
    }
    TEST_DONE();
}
