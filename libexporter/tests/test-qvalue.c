/* Header lists with q-values (helpers/qvalue.c) and the two negotiations on
 * them: exposition format (Accept) and gzip (Accept-Encoding). */
#include <stdio.h>
#include <string.h>

#include "gzip.h"
#include "helpers/qvalue.h"
#include "internal.h"
#include "omx-test.h"

static void test_items(void) {
    static const struct {
        const char *header;
        size_t n;
        const char *values[4];
        double q[4];
    } cases[] = {
        {"gzip", 1, {"gzip"}, {1}},
        {" gzip ; q=0.5 , br;q=1.0", 2, {"gzip", "br"}, {0.5, 1}},
        {"a;q=0,b;Q=1", 2, {"a", "b"}, {0, 1}},
        {"a;q=\"0.3\"", 1, {"a"}, {0.3}},
        {"a;q=2,b;q=-1,c;q=x,d;q=", 4, {"a", "b", "c", "d"}, {-1, -1, -1, -1}},
        {"a,,b,", 2, {"a", "b"}, {1, 1}},
        {"text/plain;version=0.0.4;q=0.9", 1, {"text/plain"}, {0.9}},
        {"", 0, {NULL}, {0}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *cur = cases[i].header;
        omx__qitem it;
        size_t n = 0;
        while (omx__qitem_next(&cur, &it)) {
            ASSERT(n < cases[i].n);
            ASSERT(omx__qitem_is(it.value, it.value_len, cases[i].values[n]));
            ASSERT(it.q == cases[i].q[n]);
            n++;
        }
        ASSERT_EQ(n, cases[i].n);
    }
    const char *cur = NULL;
    omx__qitem it;
    ASSERT(!omx__qitem_next(&cur, &it));
    cur = "text/plain; Version=\"0.0.4\" ; charset=utf-8";
    ASSERT(omx__qitem_next(&cur, &it));
    const char *v;
    size_t vl;
    ASSERT(omx__qitem_param(&it, "version", &v, &vl) && vl == 5 && !strncmp(v, "0.0.4", 5));
    ASSERT(omx__qitem_param(&it, "charset", &v, &vl) && vl == 5 && !strncmp(v, "utf-8", 5));
    ASSERT(!omx__qitem_param(&it, "q", &v, &vl));
}

static void test_gzip(void) {
    static const struct {
        const char *header;
        bool want;
    } cases[] = {
        {"gzip", true},
        {"GZIP", true},
        {"x-gzip", true},
        {"deflate, gzip;q=0.1", true},
        {"gzip;q=0", false},
        {"gzip;q=0.0", false},
        {"*", true},
        {"*;q=0", false},
        {"*, gzip;q=0", false},
        {"gzip;q=0, *", false},
        {"identity", false},
        {"gzip;q=junk", false},
        {"gzip;q=junk, *", false},
        {"br", false},
        {"", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        if (omx_accepts_gzip(cases[i].header) != cases[i].want)
            fprintf(stderr, "Accept-Encoding \"%s\"\n", cases[i].header);
        ASSERT(omx_accepts_gzip(cases[i].header) == cases[i].want);
    }
    ASSERT(!omx_accepts_gzip(NULL));
}

static void test_accept(void) {
    static const struct {
        const char *header;
        omx_format want;
    } cases[] = {
        {"application/openmetrics-text", OMX_FORMAT_OPENMETRICS},
        {"application/openmetrics-text;version=1.0.0;q=0.5,text/plain;q=0.4",
         OMX_FORMAT_OPENMETRICS},
        {"application/openmetrics-text;q=0.4,text/plain;q=0.5", OMX_FORMAT_PROMETHEUS},
        {"application/openmetrics-text;version=0.0.1", OMX_FORMAT_PROMETHEUS},
        {"application/openmetrics-text;q=junk", OMX_FORMAT_PROMETHEUS},
        {"text/plain;version=0.0.4,application/openmetrics-text", OMX_FORMAT_PROMETHEUS},
        {"*/*", OMX_FORMAT_PROMETHEUS},
        {"", OMX_FORMAT_PROMETHEUS},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        ASSERT_EQ(omx_format_from_accept(cases[i].header), cases[i].want);
    ASSERT_EQ(omx_format_from_accept(NULL), OMX_FORMAT_PROMETHEUS);
}

int main(void) {
    test_items();
    test_gzip();
    test_accept();
    TEST_DONE();
}
