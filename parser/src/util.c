/* Small helpers: unescaping on demand and format selection. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

long omp_unescape(omp_str in, char *out, size_t out_size) {
    size_t o = 0;

    if (!out || out_size < in.len)
        return -ENOBUFS;
    for (size_t i = 0; i < in.len; i++) {
        char c = in.ptr[i];
        if (c == '\\' && i + 1 < in.len) {
            char n = in.ptr[i + 1];
            if (n == 'n' || n == '\\' || n == '"') {
                out[o++] = n == 'n' ? '\n' : n;
                i++;
                continue;
            }
        }
        out[o++] = c;
    }
    if (o < out_size)
        out[o] = '\0';
    return (long)o;
}

omp_format omp_format_from_content_type(const char *ct) {
    if (!ct)
        return OMP_FORMAT_PROMETHEUS;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    if (strncasecmp(ct, "application/openmetrics-text", 28) == 0)
        return OMP_FORMAT_OPENMETRICS;
    return OMP_FORMAT_PROMETHEUS;
}

omp_format omp_format_detect(const char *buf, size_t len) {
    /* Drop one final LF, then look at the last line. */
    if (len && buf[len - 1] == '\n')
        len--;
    if (len >= 5 && memcmp(buf + len - 5, "# EOF", 5) == 0 && (len == 5 || buf[len - 6] == '\n'))
        return OMP_FORMAT_OPENMETRICS;
    return OMP_FORMAT_PROMETHEUS;
}

const char *omp_format_name(omp_format f) {
    switch (f) {
    case OMP_FORMAT_OPENMETRICS: return "openmetrics";
    case OMP_FORMAT_PROMETHEUS: return "prometheus";
    default: return "auto";
    }
}
