/* Strict number parsing (the digits-only fast path agrees with the strto* path
 * on every kind of input), field splitting and joining (exporter/text.h). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "exporter/text.h"
#include "omx-test.h"

static void test_u64(void) {
    static const struct {
        const char *s;
        int want;
        uint64_t v;
    } cases[] = {
        {"0", 0, 0},
        {"007", 0, 7},
        {"123456789012345", 0, 123456789012345ull}, /* 15 digits: fast path */
        {"1234567890123456", 0, 1234567890123456ull},
        {"18446744073709551615", 0, UINT64_MAX},
        {"18446744073709551616", -ERANGE, 0},
        {"", -EINVAL, 0},
        {"-1", -EINVAL, 0},
        {"12a", -EINVAL, 0},
        {" 12", -EINVAL, 0},
        {"12 ", -EINVAL, 0},
        {"1.5", -EINVAL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        uint64_t v = 7;
        ASSERT_EQ(omx_parse_u64(cases[i].s, &v), cases[i].want);
        ASSERT(cases[i].want ? v == 7 : v == cases[i].v); /* untouched on error */
    }
    uint64_t v;
    ASSERT_EQ(omx_parse_u64(NULL, &v), -EINVAL);
}

static void test_i64(void) {
    static const struct {
        const char *s;
        int want;
        int64_t v;
    } cases[] = {
        {"42", 0, 42},
        {"-42", 0, -42},
        {"9223372036854775807", 0, INT64_MAX},
        {"-9223372036854775808", 0, INT64_MIN},
        {"9223372036854775808", -ERANGE, 0},
        {"", -EINVAL, 0},
        {"-", -EINVAL, 0},
        {"4 2", -EINVAL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int64_t v = 7;
        ASSERT_EQ(omx_parse_i64(cases[i].s, &v), cases[i].want);
        ASSERT(cases[i].want ? v == 7 : v == cases[i].v);
    }
}

static void test_double(void) {
    static const struct {
        const char *s;
        int want;
        double v;
    } cases[] = {
        {"7", 0, 7},
        {"2.5", 0, 2.5},
        {"-1e3", 0, -1000},
        {"1234567890123456789", 0, 1234567890123456789.0},
        {"99999999999999999999", 0, 1e20},
        {"5 ", -EINVAL, 0},
        {"1e999", -ERANGE, 0},
        {"", -EINVAL, 0},
        {"1.5x", -EINVAL, 0},
        {"abc", -EINVAL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        double v = 7;
        ASSERT_EQ(omx_parse_double(cases[i].s, &v), cases[i].want);
        ASSERT(cases[i].want ? v == 7 : v == cases[i].v);
    }
}

static void test_split(void) {
    static const struct {
        const char *in;
        size_t max, n;
        const char *want[4];
    } cases[] = {
        {"a b c", 8, 3, {"a", "b", "c"}},
        {"   8   sda  12\n", 8, 3, {"8", "sda", "12"}},
        {"a\tb\t\tc", 8, 3, {"a", "b", "c"}},
        {"a b c d e", 2, 2, {"a", "b"}},
        {"one\n", 8, 1, {"one"}},
        {"one \ntwo", 8, 1, {"one"}}, /* a newline where a field would start ends the line */
        {"", 8, 0, {NULL}},
        {"   \n", 8, 0, {NULL}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char buf[64];
        char *f[8];
        snprintf(buf, sizeof buf, "%s", cases[i].in);
        size_t n = omx_split_fields(buf, f, cases[i].max);
        ASSERT_EQ(n, cases[i].n);
        for (size_t k = 0; k < n; k++)
            ASSERT_STR_EQ(f[k], cases[i].want[k]);
    }
}

static void test_join(void) {
    char buf[17];
    const char *parts[] = {"node_", NULL, "cpu", "_seconds"};
    ASSERT_EQ(omx_join(buf, sizeof buf, parts, 4), 16); /* fits with its NUL exactly */
    ASSERT_STR_EQ(buf, "node_cpu_seconds");
    ASSERT_EQ(omx_join(buf, 16, parts, 4), 0); /* one byte short */
    ASSERT_STR_EQ(buf, "");
    ASSERT_EQ(omx_join(buf, sizeof buf, parts, 0), 0);
    ASSERT_STR_EQ(buf, "");
}

static void test_ip6(void) {
    static const struct {
        unsigned char ip[16];
        const char *want;
    } cases[] = {
        {{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, "2001:db8::1"},
        {{0}, "::"},
        {{[15] = 1}, "::1"},
        {{[12] = 1, 2, 3, 4}, "::102:304"}, /* not inet_ntop's ::1.2.3.4 */
        {{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}, "2001:db8:0:1::1"},
        {{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1}, "2001:db8::1:0:0:1"},
        {{0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1}, "2001:db8:1:1:1:1:1:1"},
        {{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1}, "2001:db8:0:1:1:1:1:1"},
        {{0xfe, 0x80, [14] = 0xab, 0xcd}, "fe80::abcd"},
        {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
          0xff},
         "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
    };
    char buf[OMX_IP6_TEXT_MAX];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ASSERT_EQ(omx_format_ip6(buf, sizeof buf, cases[i].ip), (int)strlen(cases[i].want));
        ASSERT_STR_EQ(buf, cases[i].want);
    }
    ASSERT_EQ(omx_format_ip6(buf, sizeof buf - 1, cases[0].ip), -EINVAL);
    ASSERT_EQ(omx_format_ip6(NULL, sizeof buf, cases[0].ip), -EINVAL);
}

int main(void) {
    test_u64();
    test_i64();
    test_double();
    test_split();
    test_join();
    test_ip6();
    TEST_DONE();
}
