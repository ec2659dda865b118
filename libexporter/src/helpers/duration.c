/* Go (time.ParseDuration) and Prometheus (model.ParseDuration) durations. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "exporter/text.h"

static const struct {
    const char *name;
    int64_t ns;
} units[] = {
    {"ns", 1},
    {"us", 1000},
    {"\xc2\xb5s", 1000}, /* U+00B5 micro sign */
    {"\xce\xbcs", 1000}, /* U+03BC Greek mu */
    {"ms", 1000000},
    {"s", 1000000000},
    {"m", 60 * 1000000000LL},
    {"h", 3600 * 1000000000LL},
    {"d", 86400 * 1000000000LL},
    {"w", 7 * 86400 * 1000000000LL},
    {"y", 365 * 86400 * 1000000000LL},
};

int omx_parse_duration(const char *s, int64_t *ret_ns) {
    if (!s || !*s || !ret_ns)
        return -EINVAL;
    if (!strcmp(s, "0")) {
        *ret_ns = 0;
        return 0;
    }
    int64_t total = 0;
    while (*s) {
        uint64_t whole = 0, frac = 0, scale = 1;
        const char *start = s;
        for (; *s >= '0' && *s <= '9'; s++) {
            if (whole > (UINT64_MAX - 9) / 10)
                return -ERANGE;
            whole = whole * 10 + (uint64_t)(*s - '0');
        }
        if (*s == '.')
            for (s++; *s >= '0' && *s <= '9'; s++)
                if (scale < 1000000000000000000ull) { /* digits past 1e-18 do not count */
                    frac = frac * 10 + (uint64_t)(*s - '0');
                    scale *= 10;
                }
        if (s == start || (s == start + 1 && *start == '.'))
            return -EINVAL;
        size_t u = 0, ul = 0;
        for (size_t k = 0; k < sizeof units / sizeof *units; k++) {
            size_t l = strlen(units[k].name);
            /* the longest unit at s: "ms" before "m" */
            if (l > ul && !strncmp(s, units[k].name, l)) {
                u = k;
                ul = l;
            }
        }
        if (!ul)
            return -EINVAL;
        s += ul;
        uint64_t unit = (uint64_t)units[u].ns;
        if (whole > (uint64_t)INT64_MAX / unit)
            return -ERANGE;
        uint64_t v =
            whole * unit + (uint64_t)((long double)frac * (long double)unit / (long double)scale);
        if (v > (uint64_t)INT64_MAX - (uint64_t)total)
            return -ERANGE;
        total += (int64_t)v;
    }
    *ret_ns = total;
    return 0;
}
