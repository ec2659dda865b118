/* The fast paths against the slow ones they shortcut: the block name scan
 * against the byte loop, the quoted-value block scan against the DFA alone,
 * and the sample-value fast path against strtod, bit for bit, on random
 * input (fixed seed). */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"
#include "omx-test.h"

static uint64_t rng = 0x9e3779b97f4a7c15u;
static unsigned rnd(unsigned n) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

/* Names: random bytes biased towards name characters, at every offset of a
 * 48-byte buffer so blocks cross every alignment. */
static void names(void) {
    static const char pool[] = "abcXYZ019_:_-{= \n\x80\xff@[`";
    char buf[49];

    for (int it = 0; it < 200000; it++) {
        size_t n = 1 + rnd(47);
        for (size_t i = 0; i < n; i++)
            buf[i] = rnd(4) ? "aZ9_:"[rnd(5)] : pool[rnd(sizeof(pool) - 1)];
        buf[n] = '\n';
        ASSERT(omp__lex_metricname_to(buf, buf + n + 1) == omp__lex_metricname(buf));
    }
}

/* Whether v has an escape 0.0.4 does not know (only \\, \" and \n). */
static bool bad_prom_escape(const char *v, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (v[i] == '\\') {
            if (i + 1 == n || !v[i + 1] || !strchr("\\\"n", v[i + 1]))
                return true;
            i++;
        }
    return false;
}

/* Label values: parse `a{l="V"} 1` with the value at random offsets; the
 * result (accepted or not, value length, escaped flag) must match what the
 * DFA alone says about V, with 0.0.4's escape rule on top. */
static void quoted(void) {
    static const char *const bits[] = {
        "a",        "xyz", "\\\\", "\\\"", "\\n", "\xe2\x98\x83", "\xc3\xa9",        "\xff",
        "\xe2\x98", "\t",  " ",    "#",    "\\",  "\n",           "0123456789abcdef"};
    char val[256], line[320];

    for (int it = 0; it < 50000; it++) {
        size_t vl = 0;
        int k = 1 + (int)rnd(12);
        for (int j = 0; j < k; j++) {
            const char *b = rnd(3) ? bits[0 + rnd(2)] : bits[rnd(sizeof(bits) / sizeof(bits[0]))];
            size_t bl = strlen(b);
            memcpy(val + vl, b, bl);
            vl += bl;
        }
        int pre = (int)rnd(20);
        int ll = snprintf(line, sizeof(line), "%.*s{l=\"%.*s\"} 1\n", pre + 1,
                          "aaaaaaaaaaaaaaaaaaaaa", (int)vl, val);
        /* What the DFA says about the value alone. */
        char tmp[300];
        memcpy(tmp, val, vl);
        tmp[vl] = '"';
        tmp[vl + 1] = '\n';
        bool esc = false;
        const char *end = omp__lex_quoted(tmp, &esc);
        bool want_ok = end == tmp + vl && !bad_prom_escape(val, vl);

        omp_parser *p;
        omp_entry e;
        ASSERT_EQ(omp_parser_new(&p, OMP_FORMAT_PROMETHEUS, NULL), 0);
        omp_parser_set_buffer(p, line, (size_t)ll);
        int r = omp_next(p, &e);
        if (want_ok) {
            ASSERT_EQ(r, 1);
            if (r == 1) {
                ASSERT_EQ(e.labels[0].value.len, vl);
                ASSERT_EQ(e.labels[0].escaped, esc);
            }
        } else {
            ASSERT_EQ(r, -EBADMSG);
        }
        p = omp_parser_free(p);
    }
}

static void value_case(const char *text, omp_format f) {
    char line[64];
    int n = snprintf(line, sizeof(line), "m %s\n%s", text,
                     f == OMP_FORMAT_OPENMETRICS ? "# EOF\n" : "");
    omp_parser *p;
    omp_entry e;
    double want = -12345;

    want = strtod(text, NULL);
    ASSERT_EQ(omp_parser_new(&p, f, NULL), 0);
    omp_parser_set_buffer(p, line, (size_t)n);
    ASSERT_EQ(omp_next(p, &e), 1);
    ASSERT_MSG(memcmp(&e.value, &want, sizeof(want)) == 0, "value %s: got %.17g, want %.17g", text,
               e.value, want);
    p = omp_parser_free(p);
}

static void values(void) {
    static const char *const fixed[] = {
        "0",
        "-0",
        "1.",
        "0.1",
        "0.3",
        "-0.000000000000001",
        "999999999999999",
        "9999999999999999",
        "123456789012345",
        "1234567890123456",
        "12345678.9012345",
        "0.30000000000000004",
        "00000000000000000001",
        "9007199254740993",
        "1.5e3",
        "-7.25",
    };
    char buf[40];

    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        value_case(fixed[i], OMP_FORMAT_OPENMETRICS);
        value_case(fixed[i], OMP_FORMAT_PROMETHEUS);
    }
    for (int it = 0; it < 100000; it++) {
        size_t n = 0;
        if (rnd(2))
            buf[n++] = '-';
        int a = 1 + (int)rnd(17), b = (int)rnd(3) ? (int)rnd(17) : -1;
        for (int j = 0; j < a; j++)
            buf[n++] = (char)('0' + rnd(10));
        if (b >= 0) {
            buf[n++] = '.';
            for (int j = 0; j < b; j++)
                buf[n++] = (char)('0' + rnd(10));
        }
        buf[n] = '\0';
        value_case(buf, it & 1 ? OMP_FORMAT_OPENMETRICS : OMP_FORMAT_PROMETHEUS);
        /* The same text as a label float (le, quantile). */
        double d = -12345, want = strtod(buf, NULL);
        ASSERT_EQ(omp__label_float((omp_str){buf, n}, &d), 0);
        ASSERT_MSG(memcmp(&d, &want, sizeof(d)) == 0, "label float %s: got %.17g, want %.17g", buf,
                   d, want);
    }
}

int main(void) {
    names();
    quoted();
    values();
    TEST_DONE();
}
