/* Number rendering for the writers: shortest round-trip doubles, Go-style
 * "le"/"quantile" values, and integers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

size_t omx__format_u64(char *out, uint64_t v) {
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
    return n;
}

static size_t special(char *out, double v) {
    const char *s = isnan(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
    size_t n = strlen(s);
    memcpy(out, s, n + 1);
    return n;
}

static size_t zero(char *out, double v) {
    size_t n = 0;
    if (signbit(v))
        out[n++] = '-';
    out[n++] = '0';
    out[n] = '\0';
    return n;
}

size_t omx_format_double(char *out, double v) {
    if (!isfinite(v))
        return special(out, v);
    if (v == 0)
        return zero(out, v);
    /* Integer fast path: exact below 2^53, and no exponent is needed below 1e15. */
    if (v > -1e15 && v < 1e15 && v == (double)(int64_t)v) {
        if (v < 0) {
            out[0] = '-';
            return 1 + omx__format_u64(out + 1, (uint64_t)(-(int64_t)v));
        }
        return omx__format_u64(out, (uint64_t)(int64_t)v);
    }
    /* Few decimals (21.5, 0.25, 1234.567): m / 10^d is exact for m < 2^53 and
     * d <= 9, and IEEE division rounds like strtod does, so equality proves the
     * text round-trips. With m < 10^15 (at most 15 digits, which DBL_DIG says
     * name distinct doubles) and trailing zeros dropped it is the shortest. */
    double a = fabs(v);
    if (a >= 1e-4 && a < 1e15) {
        static const double p10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
        for (int d = 1; d <= 9; d++) {
            double x = a * p10[d];
            if (x >= 1e15)
                break;
            if (x != (double)(uint64_t)x || (double)(uint64_t)x / p10[d] != a)
                continue;
            uint64_t m = (uint64_t)x, ip = m / (uint64_t)p10[d], fp = m % (uint64_t)p10[d];
            while (d > 1 && fp % 10 == 0) {
                fp /= 10;
                d--;
            }
            size_t n = 0;
            if (v < 0)
                out[n++] = '-';
            n += omx__format_u64(out + n, ip);
            out[n++] = '.';
            for (int k = d - 1; k >= 0; k--) {
                out[n + (size_t)k] = (char)('0' + fp % 10);
                fp /= 10;
            }
            n += (size_t)d;
            out[n] = '\0';
            return n;
        }
    }
    /* Small values with few digits (durations: whole nanoseconds) the same way,
     * written as %g writes them below 1e-4: d.ddde-XX. */
    if (a >= 1e-9 && a < 1e-4) {
        static const double p10k[] = {1e9, 1e10, 1e11, 1e12, 1e13}; /* a * 1e9 >= 1 */
        uint64_t m = 0;
        int d = 0;
        for (int k = 0; k < 5 && !m; k++) {
            double x = a * p10k[k];
            if (x < 1e15 && x == (double)(uint64_t)x && (double)(uint64_t)x / p10k[k] == a) {
                m = (uint64_t)x;
                d = 9 + k;
            }
        }
        if (m) {
            while (m % 10 == 0) {
                m /= 10;
                d--;
            }
            char dig[24];
            size_t nd = omx__format_u64(dig, m), n = 0;
            int e = (int)nd - 1 - d; /* exponent of the first digit: -5 .. -9 */
            if (v < 0)
                out[n++] = '-';
            out[n++] = dig[0];
            if (nd > 1) {
                out[n++] = '.';
                memcpy(out + n, dig + 1, nd - 1);
                n += nd - 1;
            }
            out[n++] = 'e';
            out[n++] = '-';
            out[n++] = '0';
            out[n++] = (char)('0' - e);
            out[n] = '\0';
            return n;
        }
    }
    int n = 0;
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(out, 33, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            break;
    }
    return (size_t)n;
}

/* Shortest decimal digits of finite v != 0: digits (no dot, no trailing zeros)
 * and the decimal exponent of the first digit. Returns the digit count. */
static size_t shortest_digits(double v, char *digits, int *ret_exp) {
    char tmp[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    size_t nd = 0;
    const char *p = tmp;
    if (*p == '-')
        p++;
    for (; *p && *p != 'e'; p++)
        if (*p != '.')
            digits[nd++] = *p;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    digits[nd] = '\0';
    *ret_exp = *p == 'e' ? atoi(p + 1) : 0;
    return nd;
}

size_t omx__format_go(char *out, double v) {
    if (!isfinite(v))
        return special(out, v);
    if (v == 0)
        return zero(out, v);
    char d[24];
    int exp;
    size_t nd = shortest_digits(v, d, &exp), n = 0;
    if (v < 0)
        out[n++] = '-';
    if (exp < -4 || exp >= 6) { /* strconv 'g' with shortest precision */
        out[n++] = d[0];
        if (nd > 1) {
            out[n++] = '.';
            memcpy(out + n, d + 1, nd - 1);
            n += nd - 1;
        }
        n += (size_t)sprintf(out + n, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
        return n;
    }
    int dp = exp + 1;
    if (dp <= 0) {
        out[n++] = '0';
        out[n++] = '.';
        for (int i = 0; i < -dp; i++)
            out[n++] = '0';
        memcpy(out + n, d, nd);
        n += nd;
    } else if ((size_t)dp >= nd) {
        memcpy(out + n, d, nd);
        n += nd;
        for (size_t i = nd; i < (size_t)dp; i++)
            out[n++] = '0';
    } else {
        memcpy(out + n, d, (size_t)dp);
        n += (size_t)dp;
        out[n++] = '.';
        memcpy(out + n, d + dp, nd - (size_t)dp);
        n += nd - (size_t)dp;
    }
    out[n] = '\0';
    return n;
}

size_t omx_format_le(char *out, double v) {
    size_t n = omx__format_go(out, v);
    if (!isfinite(v) || strpbrk(out, ".e"))
        return n;
    memcpy(out + n, ".0", 3);
    return n + 2;
}

const char *omx_type_name(omx_type t) {
    switch (t) {
    case OMX_COUNTER: return "counter";
    case OMX_GAUGE: return "gauge";
    case OMX_HISTOGRAM: return "histogram";
    case OMX_SUMMARY: return "summary";
    case OMX_INFO: return "info";
    case OMX_STATESET: return "stateset";
    case OMX_GAUGEHISTOGRAM: return "gaugehistogram";
    case OMX_UNKNOWN: return "unknown";
    }
    return "unknown";
}
