/* Last-Modified dates as Go's http.ParseTime reads them. */
#include <string.h>
#include <time.h>

#include "http.h"

int bb_http_parse_time(const char *s, int64_t *ret) {
    /* RFC 1123 with GMT (http.TimeFormat), RFC 850, ANSI C asctime. */
    static const char *const formats[] = {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT",
                                          "%a %b %e %H:%M:%S %Y"};
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
        struct tm tm;
        memset(&tm, 0, sizeof(tm));
        const char *end = strptime(s, formats[i], &tm);
        if (end && *end == '\0') {
            *ret = (int64_t)timegm(&tm);
            return 0;
        }
    }
    return OMX_EINVAL;
}
