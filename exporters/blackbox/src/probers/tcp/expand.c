/* Capture references in templates, as Go's Regexp.Expand reads them. */
#include "expand.h"

#include <stdbool.h>
#include <string.h>

static bool name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* The group a reference names, or SIZE_MAX for none. */
static size_t group_of(const omx_regex *re, const char *name, size_t len) {
    long num = 0;
    for (size_t i = 0; i < len; i++) {
        if (name[i] < '0' || name[i] > '9' || num >= 100000000) {
            num = -1;
            break;
        }
        num = num * 10 + (name[i] - '0');
    }
    if (name[0] == '0' && len > 1)
        num = -1; /* no leading zeros: "$01" is a name */
    if (num >= 0)
        return (size_t)num;
    size_t groups = omx_regex_groups(re);
    for (size_t g = 1; g <= groups; g++) {
        const char *gn = omx_regex_group_name(re, g);
        if (gn && strlen(gn) == len && memcmp(gn, name, len) == 0)
            return g;
    }
    return SIZE_MAX;
}

int bb_expand(const omx_regex *re, const char *tmpl, const char *subject,
              const omx_regex_span *spans, size_t n_spans, omx_buf *out) {
    const char *t = tmpl;
    int rc = 0;
    while (rc == 0) {
        const char *d = strchr(t, '$');
        if (!d)
            return omx_buf_append(out, t, strlen(t));
        rc = omx_buf_append(out, t, (size_t)(d - t));
        t = d + 1;
        if (rc < 0)
            break;
        if (*t == '$') {
            rc = omx_buf_append(out, "$", 1);
            t++;
            continue;
        }
        const char *q = t;
        bool brace = *q == '{';
        if (brace)
            q++;
        const char *name = q;
        while (name_char(*q))
            q++;
        size_t len = (size_t)(q - name);
        bool ok = len > 0;
        if (ok && brace) {
            ok = *q == '}';
            q++;
        }
        if (!ok) {
            rc = omx_buf_append(out, "$", 1); /* malformed: the '$' stays text */
            continue;
        }
        t = q;
        size_t g = group_of(re, name, len);
        if (g < n_spans && spans[g].start != OMX_REGEX_UNSET)
            rc = omx_buf_append(out, subject + spans[g].start, spans[g].end - spans[g].start);
    }
    return rc;
}
