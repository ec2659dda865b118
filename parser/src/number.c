/* Text to double. The common case (at most 19 significant digits, small
 * exponent) is converted exactly here without strtod: a mantissa below 2^53
 * times or divided by an exact power of ten is correctly rounded. The rest
 * goes to strtod_l in the C locale, so a host program's locale cannot change
 * what "1.5" means. */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const double pow10_exact[] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static locale_t c_locale(void) {
    static locale_t loc;
    locale_t l = __atomic_load_n(&loc, __ATOMIC_ACQUIRE);
    if (!l) {
        locale_t n = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
        locale_t expected = (locale_t)0;
        if (!n)
            return (locale_t)0;
        if (!__atomic_compare_exchange_n(&loc, &expected, n, false, __ATOMIC_ACQ_REL,
                                         __ATOMIC_ACQUIRE)) {
            freelocale(n);
            n = expected;
        }
        l = n;
    }
    return l;
}

static int slow_path(const char *s, size_t len, double *ret) {
    char stackbuf[128], *buf = stackbuf, *end;
    locale_t loc = c_locale();
    int r = 0;

    if (!loc)
        return -ENOMEM;
    if (len >= sizeof(stackbuf)) {
        buf = malloc(len + 1);
        if (!buf)
            return -ENOMEM;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    *ret = strtod_l(buf, &end, loc);
    if (end != buf + len)
        r = -EINVAL;
    /* ERANGE: underflow gives a denormal or 0, the nearest double, as Go
	 * does. Overflow (+-HUGE_VAL) is refused: OpenMetrics says numbers "MUST
	 * fit within the range of a 64-bit floating point value", and Go's
	 * ParseFloat (Prometheus' 0.0.4 parser) refuses it too. */
    else if (errno == ERANGE && isinf(*ret))
        r = -ERANGE;
    if (buf != stackbuf)
        free(buf);
    return r;
}

int omp__to_double(const char *s, size_t len, int kind, double *ret) {
    const char *p = s, *end = s + len;
    bool neg = false;

    if (kind == OMP__NUM_NAN) {
        *ret = NAN;
        return 0;
    }
    if (p < end && (*p == '+' || *p == '-'))
        neg = *p++ == '-';
    if (kind == OMP__NUM_INF) {
        *ret = neg ? -INFINITY : INFINITY;
        return 0;
    }
    if (kind != OMP__NUM_REAL)
        return slow_path(s, len, ret);

    uint64_t m = 0;
    int digits = 0, exp10 = 0;
    for (; p < end && *p >= '0' && *p <= '9'; p++) {
        if (m == 0 && *p == '0')
            continue; /* leading zeros are not significant */
        if (digits >= 19)
            return slow_path(s, len, ret);
        m = m * 10 + (uint64_t)(*p - '0');
        digits++;
    }
    if (p < end && *p == '.') {
        for (p++; p < end && *p >= '0' && *p <= '9'; p++) {
            if (m == 0 && *p == '0') {
                exp10--;
                continue;
            }
            if (digits >= 19)
                return slow_path(s, len, ret);
            m = m * 10 + (uint64_t)(*p - '0');
            digits++;
            exp10--;
        }
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        bool eneg = false;
        int e = 0;
        p++;
        if (*p == '+' || *p == '-')
            eneg = *p++ == '-';
        for (; p < end; p++) {
            if (e > 100000)
                return slow_path(s, len, ret);
            e = e * 10 + (*p - '0');
        }
        exp10 += eneg ? -e : e;
    }
    if (m == 0) {
        *ret = neg ? -0.0 : 0.0;
        return 0;
    }
    if (m > (UINT64_C(1) << 53) || exp10 < -22 || exp10 > 22)
        return slow_path(s, len, ret);
    double d = (double)m;
    d = exp10 < 0 ? d / pow10_exact[-exp10] : d * pow10_exact[exp10];
    *ret = neg ? -d : d;
    return 0;
}

static const double pow10_fast[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                    1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

/* The usual le/quantile: [-]digits[.digits], at most 15 digits, or +Inf.
 * The digits are an integer below 2^53 and 10^k (k <= 15) is exact, so one
 * IEEE division gives the correctly rounded value, as strtod would. Returns
 * false to leave the value to the lexer. */
static bool fast_label_float(omp_str v, double *ret) {
    const char *s = v.ptr, *end = v.ptr + v.len;
    uint64_t m = 0;
    int digits = 0, frac = 0;
    bool neg;

    if (v.len == 4 && memcmp(s, "+Inf", 4) == 0) {
        *ret = INFINITY;
        return true;
    }
    neg = s < end && *s == '-';
    s += neg;
    if (s == end || (unsigned)(*s - '0') > 9)
        return false;
    for (; s < end && (unsigned)(*s - '0') <= 9; s++, digits++)
        m = m * 10 + (unsigned)(*s - '0');
    if (s < end && *s == '.')
        for (s++; s < end && (unsigned)(*s - '0') <= 9; s++, digits++, frac++)
            m = m * 10 + (unsigned)(*s - '0');
    if (s != end || digits > 15)
        return false;
    double d = frac ? (double)m / pow10_fast[frac] : (double)m;
    *ret = neg ? -d : d;
    return true;
}

int omp__label_float(omp_str v, double *ret) {
    char buf[64];
    int kind;
    const char *end;

    if (fast_label_float(v, ret))
        return 0;

    /* The lexers need a LF sentinel: copy (these values are short). */
    if (v.len == 0 || v.len >= sizeof(buf))
        return -EINVAL;
    memcpy(buf, v.ptr, v.len);
    buf[v.len] = '\n';
    end = omp__lex_number(buf, &kind);
    if (!end || end != buf + v.len || kind == OMP__NUM_NAN)
        return -EINVAL;
    if (kind == OMP__NUM_INF &&
        !(v.len == 4 && (v.ptr[0] == '+' || v.ptr[0] == '-') && memcmp(v.ptr + 1, "Inf", 3) == 0))
        return -EINVAL;
    return omp__to_double(buf, v.len, kind, ret);
}
