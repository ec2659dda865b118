/* The public API: entry contents, views, unescaping, format helpers and
 * argument checks. */
#include <math.h>

#include "check.h"
#include "omx-test.h"

static int streq(omp_str s, const char *c) {
    return s.len == strlen(c) && memcmp(s.ptr, c, s.len) == 0;
}

int main(void) {
    static const char om[] =
        "# TYPE req_seconds histogram\n"
        "# UNIT req_seconds seconds\n"
        "# HELP req_seconds Time \\\"spent\\\"\\n.\n"
        "req_seconds_bucket{path=\"/a\\\\b\",le=\"0.5\"} 1 1.5 # {trace=\"t1\"} 0.25 1.25\n"
        "req_seconds_bucket{path=\"/a\\\\b\",le=\"+Inf\"} 2 1.5\n"
        "plain NaN\n"
        "# EOF\n";
    omp_parser *p = NULL;
    omp_entry e;
    char buf[64];

    ASSERT_EQ(omp_parser_new(&p, OMP_FORMAT_AUTO, NULL), -EINVAL);
    ASSERT_EQ(omp_parser_new(NULL, OMP_FORMAT_OPENMETRICS, NULL), -EINVAL);
    ASSERT_EQ(omp_parser_new(&p, OMP_FORMAT_OPENMETRICS, NULL), 0);
    ASSERT(omp_parser_format(p) == OMP_FORMAT_OPENMETRICS);
    ASSERT_EQ(omp_parser_set_buffer(p, om, sizeof(om) - 1), 0);
    ASSERT_EQ(omp_parser_set_buffer(p, om, sizeof(om) - 1), -EINVAL);
    ASSERT_EQ(omp_parser_feed(p, "x", 1), -EINVAL);

    ASSERT_EQ(omp_next(p, &e), 1);
    ASSERT(e.kind == OMP_TYPE && streq(e.family, "req_seconds") && e.type == OMP_TYPE_HISTOGRAM);
    ASSERT_EQ(omp_next(p, &e), 1);
    ASSERT(e.kind == OMP_UNIT && streq(e.text, "seconds") && e.line == 2);
    ASSERT_EQ(omp_next(p, &e), 1);
    ASSERT(e.kind == OMP_HELP && e.text_escaped);
    ASSERT_EQ(omp_unescape(e.text, buf, sizeof(buf)), 14);
    ASSERT_STR_EQ(buf, "Time \"spent\"\n.");

    ASSERT_EQ(omp_next(p, &e), 1);
    ASSERT(e.kind == OMP_SAMPLE && streq(e.name, "req_seconds_bucket") &&
           streq(e.suffix, "_bucket"));
    ASSERT(streq(e.family, "req_seconds") && e.type == OMP_TYPE_HISTOGRAM);
    ASSERT_EQ(e.n_labels, 2);
    ASSERT(streq(e.labels[0].name, "path") && streq(e.labels[0].value, "/a\\\\b") &&
           e.labels[0].escaped);
    ASSERT_EQ(omp_unescape(e.labels[0].value, buf, sizeof(buf)), 4);
    ASSERT_STR_EQ(buf, "/a\\b");
    ASSERT(streq(e.labels[1].value, "0.5") && !e.labels[1].escaped);
    ASSERT(e.value == 1 && streq(e.value_text, "1"));
    ASSERT(e.has_timestamp && e.timestamp == 1.5 && e.timestamp_ms == 1500);
    ASSERT(e.has_exemplar && e.n_exemplar_labels == 1 && streq(e.exemplar_labels[0].value, "t1"));
    ASSERT(e.exemplar_value == 0.25 && e.exemplar_has_timestamp && e.exemplar_timestamp == 1.25);
    /* views point into the caller's buffer: no copy */
    ASSERT(e.name.ptr >= om && e.name.ptr < om + sizeof(om));

    ASSERT_EQ(omp_next(p, &e), 1);
    ASSERT(e.value == 2 && !e.has_exemplar);
    ASSERT_EQ(omp_next(p, &e), 1);
    ASSERT(streq(e.family, "plain") && e.type == OMP_TYPE_UNKNOWN && isnan(e.value));
    ASSERT_EQ(omp_next(p, &e), 1);
    ASSERT(e.kind == OMP_EOF);
    ASSERT_EQ(omp_next(p, &e), 0);
    ASSERT_EQ(omp_next(p, &e), 0);
    ASSERT(omp_parser_error(p) == NULL && omp_parser_error_line(p) == 0);
    p = omp_parser_free(p);

    /* errors are sticky and carry line and column */
    ASSERT_EQ(omp_parser_new(&p, OMP_FORMAT_OPENMETRICS, NULL), 0);
    omp_parser_set_buffer(p, "a 1\nb x\n# EOF\n", 14);
    ASSERT_EQ(omp_next(p, &e), 1);
    ASSERT_EQ(omp_next(p, &e), -EBADMSG);
    ASSERT_EQ(omp_next(p, &e), -EBADMSG);
    ASSERT_EQ(omp_parser_error_line(p), 2);
    ASSERT_EQ(omp_parser_error_col(p), 3);
    ASSERT_STR_EQ(omp_parser_error(p), "2:3: expected a number as sample value");
    p = omp_parser_free(p);

    /* Prometheus: families resolve through TYPE, timestamps are ms */
    ASSERT_EQ(omp_parser_new(&p, OMP_FORMAT_PROMETHEUS, NULL), 0);
    omp_parser_set_buffer(p, "# TYPE h histogram\nh_sum 1 -1500\nother 2\n", 41);
    ASSERT_EQ(omp_next(p, &e), 1);
    ASSERT_EQ(omp_next(p, &e), 1);
    ASSERT(streq(e.family, "h") && e.type == OMP_TYPE_HISTOGRAM && streq(e.suffix, "_sum"));
    ASSERT(e.has_timestamp && e.timestamp_ms == -1500 && e.timestamp == -1.5);
    ASSERT_EQ(omp_next(p, &e), 1);
    ASSERT(streq(e.family, "other") && e.type == OMP_TYPE_UNTYPED);
    ASSERT_EQ(omp_next(p, &e), 0);
    p = omp_parser_free(p);

    /* Huge OpenMetrics timestamps clamp timestamp_ms (fuzzer finding: the
	 * double-to-int conversion was undefined behaviour). */
    ASSERT_EQ(omp_parser_new(&p, OMP_FORMAT_OPENMETRICS, NULL), 0);
    omp_parser_set_buffer(p, "a 1 1e30\nb 1 -1e30\n# EOF\n", 25);
    ASSERT_EQ(omp_next(p, &e), 1);
    ASSERT(e.timestamp == 1e30 && e.timestamp_ms == INT64_MAX);
    ASSERT_EQ(omp_next(p, &e), 1);
    ASSERT(e.timestamp_ms == INT64_MIN);
    ASSERT_EQ(omp_next(p, &e), 1);
    ASSERT_EQ(omp_next(p, &e), 0);
    p = omp_parser_free(p);

    /* helpers */
    ASSERT_EQ(omp_unescape((omp_str){"ab", 2}, buf, 1), -ENOBUFS);
    ASSERT_EQ(omp_unescape((omp_str){"a\\zb\\", 5}, buf, sizeof(buf)), 5);
    ASSERT_STR_EQ(buf, "a\\zb\\");
    ASSERT(omp_format_from_content_type(
               "application/openmetrics-text; version=1.0.0; charset=utf-8") ==
           OMP_FORMAT_OPENMETRICS);
    ASSERT(omp_format_from_content_type("text/plain; version=0.0.4") == OMP_FORMAT_PROMETHEUS);
    ASSERT(omp_format_from_content_type(NULL) == OMP_FORMAT_PROMETHEUS);
    ASSERT(omp_format_detect("a 1\n# EOF\n", 10) == OMP_FORMAT_OPENMETRICS);
    ASSERT(omp_format_detect("# EOF", 5) == OMP_FORMAT_OPENMETRICS);
    ASSERT(omp_format_detect("a 1\n", 4) == OMP_FORMAT_PROMETHEUS);
    ASSERT(omp_format_detect("a 1\nx# EOF\n", 11) == OMP_FORMAT_PROMETHEUS);
    ASSERT_STR_EQ(omp_type_name(OMP_TYPE_GAUGEHISTOGRAM), "gaugehistogram");
    ASSERT_STR_EQ(omp_format_name(OMP_FORMAT_PROMETHEUS), "prometheus");
    TEST_DONE();
}
