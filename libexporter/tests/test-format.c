/* Number rendering, content negotiation and omx_buf. */
#include <float.h>

#include "internal.h"
#include "omx-test.h"

static void check_double(double v, const char *want) {
    char out[40];
    size_t n = omx_format_double(out, v);
    ASSERT_STR_EQ(out, want);
    ASSERT_EQ(n, strlen(want));
}

static void check_le(double v, const char *want_om, const char *want_go) {
    char out[40];
    ASSERT_EQ(omx_format_le(out, v), strlen(want_om));
    ASSERT_STR_EQ(out, want_om);
    ASSERT_EQ(omx__format_go(out, v), strlen(want_go));
    ASSERT_STR_EQ(out, want_go);
}

/* Significant digits of a rendering (leading and trailing zeros excluded). */
static size_t sig_digits(const char *s) {
    char d[48];
    size_t n = 0;
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9' && (n || *s != '0'))
            d[n++] = *s;
    while (n && d[n - 1] == '0')
        n--;
    return n;
}

static void test_double(void) {
    check_double(0, "0");
    check_double(-0.0, "-0");
    check_double(1, "1");
    check_double(-42, "-42");
    check_double(123456789012345, "123456789012345");
    check_double(0.1, "0.1");
    check_double(1.5, "1.5");
    check_double(0.3, "0.3");
    check_double(0.1 + 0.2, "0.30000000000000004");
    check_double(1e15, "1e+15");
    check_double(1e100, "1e+100");
    check_double(1.5e-7, "1.5e-07");
    check_double(INFINITY, "+Inf");
    check_double(-INFINITY, "-Inf");
    check_double(NAN, "NaN");
    check_double(DBL_MAX, "1.7976931348623157e+308");
    check_double(2.5e-300, "2.5e-300");
    check_double(21.5, "21.5");
    check_double(-0.25, "-0.25");
    check_double(1234.567, "1234.567");
    check_double(0.0001, "0.0001");
    check_double(0.00012, "0.00012");
    check_double(1e-5, "1e-05");
    /* the small-value fast path (whole nanoseconds and the like), and its edges */
    check_double(9.2558e-05, "9.2558e-05");
    check_double(2.0379e-05, "2.0379e-05");
    check_double(-3e-09, "-3e-09");
    check_double(1e-9, "1e-09");
    check_double(9.99999999e-05, "9.99999999e-05");
    check_double(1.2345678901234e-06, "1.2345678901234e-06");
    check_double(1.0 / 3 * 1e-5, "3.3333333333333333e-06");
    check_double(9e-10, "9e-10");
    check_double(123456789.123, "123456789.123");
    check_double(0.000123456789, "0.000123456789");
    check_double(99999999999999.9, "99999999999999.9");
    /* agrees with the %.17g-and-shorten reference on many values */
    unsigned seed = 7;
    for (int i = 0; i < 200000; i++) {
        double v =
            (double)rand_r(&seed) / (double)(1 + rand_r(&seed) % 100000) * (i % 3 ? 1 : 1e-3);
        if (i % 5 == 0)
            v = (double)(rand_r(&seed) % 1000000) / 1000.0;
        char out[40], ref[40];
        omx_format_double(out, v);
        ASSERT(strtod(out, NULL) == v);
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(ref, sizeof ref, "%.*g", prec, v);
            if (strtod(ref, NULL) == v)
                break;
        }
        /* same number of significant digits as the shortest %g */
        size_t dig_out = sig_digits(out), dig_ref = sig_digits(ref);
        if (dig_out > dig_ref && (dig_out > 15 || dig_ref < 15)) {
            fprintf(stderr, "%.17g: got %s, shortest %s\n", v, out, ref);
            ASSERT(0);
        }
    }
    /* every rendering round-trips */
    double vals[] = {M_PI, 1.0 / 3, 2.0 / 3, 1e-300, 123.456, 9007199254740993.0, -0.001};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        char out[40];
        omx_format_double(out, vals[i]);
        ASSERT(strtod(out, NULL) == vals[i]);
    }
}

static void test_le(void) {
    check_le(0.005, "0.005", "0.005");
    check_le(1, "1.0", "1");
    check_le(10, "10.0", "10");
    check_le(2.5, "2.5", "2.5");
    check_le(100000, "100000.0", "100000");
    check_le(1e6, "1e+06", "1e+06");
    check_le(1234567, "1.234567e+06", "1.234567e+06");
    check_le(0.0001, "0.0001", "0.0001");
    check_le(0.00001, "1e-05", "1e-05");
    check_le(0, "0.0", "0");
    check_le(-1, "-1.0", "-1");
    check_le(INFINITY, "+Inf", "+Inf");
    check_le(0.99, "0.99", "0.99");
    check_le(123456.5, "123456.5", "123456.5");
}

static void test_accept(void) {
    ASSERT_EQ(omx_format_from_accept(NULL), OMX_FORMAT_PROMETHEUS);
    ASSERT_EQ(omx_format_from_accept(""), OMX_FORMAT_PROMETHEUS);
    ASSERT_EQ(omx_format_from_accept("garbage;;;,,=="), OMX_FORMAT_PROMETHEUS);
    ASSERT_EQ(omx_format_from_accept(
                  "application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
                  "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
              OMX_FORMAT_OPENMETRICS);
    ASSERT_EQ(omx_format_from_accept("application/openmetrics-text"), OMX_FORMAT_OPENMETRICS);
    ASSERT_EQ(omx_format_from_accept("application/openmetrics-text; version=0.0.1"),
              OMX_FORMAT_PROMETHEUS);
    ASSERT_EQ(omx_format_from_accept("text/plain;version=0.0.4;q=0.9,"
                                     "application/openmetrics-text;version=1.0.0;q=0.5"),
              OMX_FORMAT_PROMETHEUS);
    ASSERT_EQ(omx_format_from_accept("text/plain;q=0.2, application/openmetrics-text;q=0.3"),
              OMX_FORMAT_OPENMETRICS);
    ASSERT_EQ(omx_format_from_accept("application/openmetrics-text;q=0"), OMX_FORMAT_PROMETHEUS);
    ASSERT_EQ(omx_format_from_accept("application/openmetrics-text;q=abc"), OMX_FORMAT_PROMETHEUS);
    ASSERT_EQ(omx_format_from_accept("APPLICATION/OpenMetrics-Text; Version=\"1.0.0\""),
              OMX_FORMAT_OPENMETRICS);
    ASSERT_EQ(omx_format_from_accept("*/*"), OMX_FORMAT_PROMETHEUS);
    ASSERT_STR_EQ(omx_format_content_type(OMX_FORMAT_PROMETHEUS),
                  "text/plain; version=0.0.4; charset=utf-8");
    ASSERT_STR_EQ(omx_format_content_type(OMX_FORMAT_OPENMETRICS),
                  "application/openmetrics-text; version=1.0.0; charset=utf-8");
}

static void test_buf(void) {
    omx_buf b;
    omx_buf_init(&b, 10);
    ASSERT_OK(omx_buf_append(&b, "hello", 5));
    ASSERT_STR_EQ(b.data, "hello");
    ASSERT_EQ(omx_buf_append(&b, "world", 5), OMX_ELIMIT); /* 10 bytes + NUL > cap */
    ASSERT_STR_EQ(b.data, "hello");
    ASSERT_OK(omx_buf_append(&b, "1234", 4));
    ASSERT_EQ(b.len, 9);
    ASSERT_OK(omx_buf_write_fn(&b, "", 0));
    ASSERT(omx_buf_write_fn(&b, "xx", 2) != 0);
    ASSERT_EQ(omx_buf_append(NULL, "x", 1), OMX_EINVAL);
    omx_buf_reset(&b);
    ASSERT_EQ(b.len, 0);
    ASSERT_STR_EQ(b.data, "");
    omx_buf_free(&b);
    omx_buf_free(&b);
    omx_buf_free(NULL);
    omx_buf_reset(NULL);
}

static void test_names(void) {
    ASSERT(omx_metric_name_valid("a"));
    ASSERT(omx_metric_name_valid("node:cpu_seconds_total"));
    ASSERT(omx_metric_name_valid("_x"));
    ASSERT(!omx_metric_name_valid(""));
    ASSERT(!omx_metric_name_valid(NULL));
    ASSERT(!omx_metric_name_valid("1a"));
    ASSERT(!omx_metric_name_valid("a-b"));
    ASSERT(!omx_metric_name_valid("a b"));
    ASSERT(omx_label_name_valid("le"));
    ASSERT(omx_label_name_valid("_x1"));
    ASSERT(!omx_label_name_valid("__name__"));
    ASSERT(!omx_label_name_valid("a:b"));
    ASSERT(!omx_label_name_valid("1"));
    ASSERT(!omx_label_name_valid(""));
    ASSERT(!omx_label_name_valid(NULL));
    ASSERT(omx__utf8_valid("h\xc3\xa9llo", 6));
    ASSERT(!omx__utf8_valid("\xc3", 1));
    ASSERT(!omx__utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
    ASSERT(!omx__utf8_valid("\xc0\x80", 2));     /* overlong */
    ASSERT(!omx__utf8_valid("\xff", 1));
    ASSERT_EQ(omx__utf8_chars("h\xc3\xa9"), 2);
}

static void test_type_names(void) {
    ASSERT_STR_EQ(omx_type_name(OMX_COUNTER), "counter");
    ASSERT_STR_EQ(omx_type_name(OMX_GAUGEHISTOGRAM), "gaugehistogram");
    ASSERT_STR_EQ(omx_type_name(OMX_UNKNOWN), "unknown");
    ASSERT_STR_EQ(omx_type_name((omx_type)99), "unknown");
}

/* Random bytes and random mixes of Accept tokens: never a crash, always a format. */
static void test_accept_random(void) {
    static const char *tok[] = {"application/openmetrics-text",
                                "text/plain",
                                "*/*",
                                ";",
                                ",",
                                "q=",
                                "0.5",
                                "version=",
                                "1.0.0",
                                "0.0.4",
                                " ",
                                "=",
                                "\"",
                                "q=1.0",
                                "q=-1",
                                "q=2",
                                ";;",
                                ",,",
                                "text/*"};
    unsigned seed = 12345;
    char buf[512];
    for (int it = 0; it < 20000; it++) {
        size_t len = 0;
        int parts = (int)(rand_r(&seed) % 12);
        for (int p = 0; p < parts; p++) {
            const char *t = tok[rand_r(&seed) % (sizeof tok / sizeof tok[0])];
            size_t l = strlen(t);
            if (len + l + 1 >= sizeof buf)
                break;
            memcpy(buf + len, t, l);
            len += l;
        }
        if (it % 2) /* raw bytes too */
            for (size_t k = 0; k < len; k += 1 + rand_r(&seed) % 5)
                buf[k] = (char)(1 + rand_r(&seed) % 255);
        buf[len] = '\0';
        omx_format f = omx_format_from_accept(buf);
        ASSERT(f == OMX_FORMAT_PROMETHEUS || f == OMX_FORMAT_OPENMETRICS);
    }
}

int main(void) {
    test_double();
    test_le();
    test_accept();
    test_accept_random();
    test_buf();
    test_names();
    test_type_names();
    TEST_DONE();
}
