/* Content negotiation: which exposition format an Accept header asks for. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

const char *omx_format_content_type(omx_format f) {
    return f == OMX_FORMAT_OPENMETRICS ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                                       : "text/plain; version=0.0.4; charset=utf-8";
}

static const char *trim(const char *s, const char *end, size_t *ret_len) {
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    *ret_len = (size_t)(end - s);
    return s;
}

static bool eq(const char *s, size_t n, const char *lit) {
    return strlen(lit) == n && strncasecmp(s, lit, n) == 0;
}

/* One media range "type/sub; k=v; ...": returns the format it selects and its
 * q-value, or OMX_EINVAL when it selects none (or its q-value is malformed). */
static int media_range(const char *s, const char *end, double *ret_q) {
    const char *semi = memchr(s, ';', (size_t)(end - s));
    size_t tl;
    const char *type = trim(s, semi ? semi : end, &tl);
    const char *version = NULL;
    size_t vl = 0;
    double q = 1;
    while (semi) {
        const char *p = semi + 1;
        semi = memchr(p, ';', (size_t)(end - p));
        const char *pend = semi ? semi : end;
        const char *eqs = memchr(p, '=', (size_t)(pend - p));
        if (!eqs)
            continue;
        size_t kl, val_len;
        const char *k = trim(p, eqs, &kl);
        const char *val = trim(eqs + 1, pend, &val_len);
        if (val_len >= 2 && val[0] == '"' && val[val_len - 1] == '"') {
            val++;
            val_len -= 2;
        }
        if (eq(k, kl, "q")) {
            char tmp[16];
            if (val_len == 0 || val_len >= sizeof tmp)
                return OMX_EINVAL;
            memcpy(tmp, val, val_len);
            tmp[val_len] = '\0';
            char *e;
            q = strtod(tmp, &e);
            if (*e || !(q >= 0 && q <= 1))
                return OMX_EINVAL;
        } else if (eq(k, kl, "version")) {
            version = val;
            vl = val_len;
        }
    }
    *ret_q = q;
    if (eq(type, tl, "application/openmetrics-text"))
        return !version || eq(version, vl, "1.0.0") ? OMX_FORMAT_OPENMETRICS : OMX_EINVAL;
    if (eq(type, tl, "text/plain"))
        return !version || eq(version, vl, "0.0.4") ? OMX_FORMAT_PROMETHEUS : OMX_EINVAL;
    if (eq(type, tl, "*/*") || eq(type, tl, "text/*"))
        return OMX_FORMAT_PROMETHEUS;
    return OMX_EINVAL;
}

omx_format omx_format_from_accept(const char *accept) {
    if (!accept)
        return OMX_FORMAT_PROMETHEUS;
    omx_format best = OMX_FORMAT_PROMETHEUS;
    double best_q = 0;
    const char *s = accept;
    for (;;) {
        const char *comma = strchr(s, ',');
        const char *end = comma ? comma : s + strlen(s);
        double q = 0;
        int f = media_range(s, end, &q);
        if (f >= 0 && q > best_q) { /* ties keep the earlier, preferred entry */
            best = (omx_format)f;
            best_q = q;
        }
        if (!comma)
            break;
        s = comma + 1;
    }
    return best;
}
