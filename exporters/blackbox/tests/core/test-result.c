/* A probe's metrics: sorted families, sorted labels and series, overwrite,
 * type clashes, limits; and the probe log. */
#include <string.h>

#include "omx-test.h"
#include "plog.h"
#include "result.h"

static void test_sorted(void) {
    bb_probe p = {.res = bb_result_new()};
    ASSERT(p.res != NULL);
    static const char *const ln[] = {"subject", "issuer"};
    ASSERT_OK(bb_result_gauge(&p, "probe_success", "ok", 1));
    ASSERT_OK(bb_result_gauge(&p, "probe_a", "a", 2));
    ASSERT_OK(bb_result_gauge(&p, "probe_a", "a", 3)); /* overwrites */
    ASSERT_OK(bb_result_gauge_l(&p, "probe_info", "i", 2, ln, (const char *const[]){"z", "b"}, 1));
    ASSERT_OK(bb_result_gauge_l(&p, "probe_info", "i", 2, ln, (const char *const[]){"y", "c"}, 1));
    ASSERT_OK(bb_result_counter_l(&p, "probe_count", "c", 0, NULL, NULL, 7));
    ASSERT_EQ(bb_result_gauge(&p, "probe_count", "c", 1), OMX_EEXIST);
    ASSERT_EQ(bb_result_gauge_l(&p, "probe_info", "i", 1, ln, (const char *const[]){"x"}, 1),
              OMX_EEXIST);
    double v;
    ASSERT_OK(bb_result_get(p.res, "probe_a", 0, NULL, &v));
    ASSERT_DBL_EQ(v, 3);
    ASSERT_EQ(bb_result_get(p.res, "probe_none", 0, NULL, &v), OMX_ENOENT);
    omx_buf b;
    omx_buf_init(&b, 1 << 20);
    ASSERT_OK(bb_result_write_text(p.res, &b));
    ASSERT_STR_EQ(b.data, "# HELP probe_a a\n# TYPE probe_a gauge\nprobe_a 3\n"
                          "# HELP probe_count c\n# TYPE probe_count counter\nprobe_count 7\n"
                          "# HELP probe_info i\n# TYPE probe_info gauge\n"
                          "probe_info{issuer=\"b\",subject=\"z\"} 1\n"
                          "probe_info{issuer=\"c\",subject=\"y\"} 1\n"
                          "# HELP probe_success ok\n# TYPE probe_success gauge\nprobe_success 1\n");
    omx_buf_free(&b);
    p.res = bb_result_free(p.res);
    ASSERT(p.res == NULL);
}

static void test_limits(void) {
    bb_probe p = {.res = bb_result_new()};
    static const char *const ln[] = {"n"};
    char val[32];
    int rc = 0;
    size_t i;
    for (i = 0; i < BB_RESULT_MAX_SERIES + 5 && rc == 0; i++) {
        snprintf(val, sizeof val, "%zu", i);
        rc = bb_result_gauge_l(&p, "probe_many", "m", 1, ln, (const char *const[]){val}, 1);
    }
    ASSERT_EQ(rc, OMX_ELIMIT);
    ASSERT_EQ(i, BB_RESULT_MAX_SERIES + 1);
    char *big = malloc(BB_RESULT_MAX_LABEL_BYTES + 2);
    memset(big, 'x', BB_RESULT_MAX_LABEL_BYTES + 1);
    big[BB_RESULT_MAX_LABEL_BYTES + 1] = 0;
    ASSERT_EQ(bb_result_gauge_l(&p, "probe_big", "b", 1, ln, (const char *const[]){big}, 1),
              OMX_ELIMIT);
    free(big);
    ASSERT_EQ(bb_result_gauge_l(&p, "probe_null", "b", 1, ln, (const char *const[]){NULL}, 1),
              OMX_EINVAL);
    bb_result_free(p.res);
}

static void test_plog(void) {
    bb_probe p = {.log = bb_plog_new("m", "evil\"\ntarget", OMX_LOG_ERROR + 1)};
    bb_logf(&p, OMX_LOG_INFO, "hello %d", 42);
    size_t len;
    const char *t = bb_plog_text(p.log, &len);
    /* quoted only where needed, as go-kit's logfmt does */
    ASSERT(strstr(t, " level=info module=m target=\"evil\\\"\\ntarget\" msg=\"hello 42\"\n"));
    ASSERT_EQ(strchr(t, '\n') - t + 1, (long)len); /* one line: the newline was escaped */
    for (int i = 0; i < 5000; i++)
        bb_logf(&p, OMX_LOG_DEBUG, "line %d with some padding to fill the buffer faster", i);
    t = bb_plog_text(p.log, &len);
    ASSERT(len <= BB_PLOG_MAX_BYTES + 128);
    ASSERT(strstr(t, "more lines dropped") != NULL);
    bb_plog_drop_text(p.log); /* rendered again from the raw lines */
    size_t len2;
    t = bb_plog_text(p.log, &len2);
    ASSERT_EQ(len2, len);
    ASSERT(strstr(t, "more lines dropped") != NULL);
    bb_plog_free(p.log);
    bb_logf(NULL, OMX_LOG_DEBUG, "no probe: goes to the process log");
}

/* The direct 0.0.4 writer and the registry write the same bytes. */
static void same_as_registry(bb_result *r) {
    omx_buf a, b;
    omx_buf_init(&a, 1 << 20);
    omx_buf_init(&b, 1 << 20);
    ASSERT_OK(bb_result_write(r, OMX_FORMAT_PROMETHEUS, &a));
    omx_registry *reg;
    ASSERT_OK(bb_result_registry(r, &reg));
    ASSERT_OK(omx_registry_write(reg, NULL, omx_buf_write_fn, &b));
    omx_registry_free(reg);
    ASSERT(a.len > 0);
    ASSERT_STR_EQ(a.data, b.data);
    omx_buf_free(&a);
    omx_buf_free(&b);
}

static void test_direct(void) {
    bb_probe p = {.res = bb_result_new()};
    static const char *const ln[] = {"version", "fingerprint_sha256", "issuer"};
    bb_result_gauge(&p, "probe_success", "Displays whether or not the probe was a success", 1);
    bb_result_gauge(&p, "probe_nohelp", NULL, -0.5);
    bb_result_gauge(&p, "probe_inf", "h", 1.0 / 0.0);
    bb_result_gauge_l(&p, "probe_info", "i", 3, ln, (const char *const[]){"b", "", "CN=x y"}, 1);
    bb_result_gauge_l(&p, "probe_info", "i", 3, ln, (const char *const[]){"a", "f", "z"}, 2);
    bb_result_counter_l(&p, "probe_c", "c", 1, ln, (const char *const[]){"1"}, 3e9);
    bb_result_gauge(&p, "probe_a_first", "x", 1e-7);
    same_as_registry(p.res);
    /* past the writer's 4 KiB pieces: a long value and many series */
    char *longv = malloc(5001), val[16];
    memset(longv, 'v', 5000);
    longv[5000] = 0;
    bb_result_gauge_l(&p, "probe_long", "l", 1, ln, (const char *const[]){longv}, 1);
    free(longv);
    for (int i = 0; i < 300; i++) {
        snprintf(val, sizeof val, "%d", i);
        bb_result_gauge_l(&p, "probe_many", "m", 1, ln, (const char *const[]){val}, i);
    }
    same_as_registry(p.res);
    /* escapes and bytes past ASCII go through the registry: still the same */
    bb_result_gauge_l(&p, "probe_esc", "help \\ with\nlines", 1, ln,
                      (const char *const[]){"q\"\\\n\xc3\xa9"}, 1);
    same_as_registry(p.res);
    omx_buf a;
    omx_buf_init(&a, 1 << 20);
    ASSERT_OK(bb_result_write(p.res, OMX_FORMAT_OPENMETRICS, &a));
    ASSERT(strstr(a.data, "# EOF") != NULL);
    omx_buf_free(&a);
    bb_result_free(p.res);
}

int main(void) {
    test_direct();
    test_sorted();
    test_limits();
    test_plog();
    TEST_DONE();
}
