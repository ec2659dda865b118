/* Number conversion: the exact fast path, the strtod path, label floats. */
#include <errno.h>
#include <math.h>

#include "internal.h"
#include "omx-test.h"

static double conv(const char *s, int kind) {
    double d = -12345;
    if (omp__to_double(s, strlen(s), kind, &d) < 0)
        return -12345;
    return d;
}

static int lf(const char *s, double *d) { return omp__label_float((omp_str){s, strlen(s)}, d); }

int main(void) {
    static const char *const exact[] = {
        "0",
        "1",
        "-1",
        "0.1",
        "1.5",
        "123456789012345678",
        "1e22",
        "1e-22",
        "0.000001",
        "9007199254740993",
        "1.7976931348623157e308",
        "4.9e-324",
        "2.2250738585072014e-308",
        "0000000000000000000000000000000000000000001.2e-1",
        "3.14159265358979323846",
        "18446744073709551616",
        "1e-400",
        "123.456e-7",
        "0.30000000000000004",
    };
    double d;

    for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++) {
        double want = strtod(exact[i], NULL);
        double got = conv(exact[i], OMP__NUM_REAL);
        if (got != want)
            fprintf(stderr, "%s: got %.17g want %.17g\n", exact[i], got, want);
        ASSERT(got == want);
    }
    ASSERT(isnan(conv("NaN", OMP__NUM_NAN)));
    ASSERT(conv("-Inf", OMP__NUM_INF) == -INFINITY);
    ASSERT(conv("+inf", OMP__NUM_INF) == INFINITY);
    ASSERT(conv("0x1p-3", OMP__NUM_HEX) == 0.125);
    ASSERT(signbit(conv("-0", OMP__NUM_REAL)));
    /* Past the largest double: refused, not read as an infinity. */
    ASSERT_EQ(omp__to_double("1e400", 5, OMP__NUM_REAL, &d), -ERANGE);
    ASSERT_EQ(omp__to_double("-1.7976931348623159e308", 23, OMP__NUM_REAL, &d), -ERANGE);
    ASSERT_EQ(omp__to_double("0x1p2000", 8, OMP__NUM_HEX, &d), -ERANGE);

    ASSERT_EQ(lf("0.5", &d), 0);
    ASSERT(d == 0.5);
    ASSERT_EQ(lf("+Inf", &d), 0);
    ASSERT(d == INFINITY);
    ASSERT_EQ(lf("-Inf", &d), 0);
    ASSERT(d == -INFINITY);
    ASSERT(lf("Inf", &d) < 0);
    ASSERT(lf("+INF", &d) < 0);
    ASSERT(lf("NaN", &d) < 0);
    ASSERT(lf("", &d) < 0);
    ASSERT(lf("1 ", &d) < 0);
    ASSERT(lf("foo", &d) < 0);
    ASSERT_EQ(lf("1e-04", &d), 0);
    ASSERT(d == 1e-4);
    TEST_DONE();
}
