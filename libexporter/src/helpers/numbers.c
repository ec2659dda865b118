/* Strict parsing of whole decimal tokens. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "exporter/text.h"

/* strto* skip leading white space; a token with some is not a number here */
static inline bool starts_blank(const char *s) { return *s == ' ' || (*s >= '\t' && *s <= '\r'); }

/* Plain decimal digits, at most 15 of them (exact as a double, no overflow):
 * what most /proc and /sys numbers are. Returns false for anything else. */
static inline bool small_digits(const char *s, uint64_t *ret) {
    uint64_t v = 0;
    size_t i = 0;
    for (; s[i] >= '0' && s[i] <= '9'; i++) {
        if (i == 15)
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (i == 0 || s[i])
        return false;
    *ret = v;
    return true;
}

int omx_parse_u64(const char *s, uint64_t *ret) {
    if (!s || !*s || *s == '-' || starts_blank(s))
        return -EINVAL;
    if (small_digits(s, ret))
        return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno == ERANGE)
        return -ERANGE;
    if (end == s || *end)
        return -EINVAL;
    *ret = v;
    return 0;
}

int omx_parse_i64(const char *s, int64_t *ret) {
    if (!s || !*s || starts_blank(s))
        return -EINVAL;
    uint64_t u;
    if (small_digits(s, &u)) {
        *ret = (int64_t)u;
        return 0;
    }
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno == ERANGE)
        return -ERANGE;
    if (end == s || *end)
        return -EINVAL;
    *ret = v;
    return 0;
}

int omx_parse_double(const char *s, double *ret) {
    if (!s || !*s || starts_blank(s))
        return -EINVAL;
    uint64_t u;
    if (small_digits(s, &u)) { /* strtod costs ~10x more for the common case */
        *ret = (double)u;
        return 0;
    }
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end)
        return -EINVAL;
    if (errno == ERANGE && isinf(v))
        return -ERANGE;
    *ret = v;
    return 0;
}
