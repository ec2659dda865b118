/* Retry delays: exponential with jitter and a cap; Retry-After honoured. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "push-internal.h"

#define RETRY_AFTER_MAX 600.0

double omx__push_backoff(unsigned attempt, double min_s, double max_s, double jitter01,
                         double retry_after_s) {
    double d = min_s;
    for (unsigned i = 1; i < attempt && d < max_s; i++)
        d *= 2;
    if (d > max_s)
        d = max_s;
    d *= 0.75 + 0.5 * jitter01;
    if (d > max_s)
        d = max_s;
    if (retry_after_s > 0) {
        double ra = retry_after_s < RETRY_AFTER_MAX ? retry_after_s : RETRY_AFTER_MAX;
        if (ra > d)
            d = ra;
    }
    return d;
}

double omx__push_parse_retry_after(const char *value, double now_s) {
    if (!value)
        return 0;
    while (*value == ' ' || *value == '\t')
        value++;
    if (*value >= '0' && *value <= '9') {
        char *end;
        double s = strtod(value, &end);
        while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
            end++;
        return *end || !isfinite(s) ? 0 : s;
    }
    /* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *end = strptime(value, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (!end)
        return 0;
    double at = (double)timegm(&tm);
    return at > now_s ? at - now_s : 0;
}
