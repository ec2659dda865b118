/* Header lists with q-values (see qvalue.h). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "qvalue.h"

static const char *trim(const char *s, const char *end, size_t *ret_len) {
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    *ret_len = (size_t)(end - s);
    return s;
}

bool omx__qitem_is(const char *s, size_t len, const char *lit) {
    return strlen(lit) == len && strncasecmp(s, lit, len) == 0;
}

bool omx__qitem_param(const omx__qitem *it, const char *name, const char **ret_value,
                      size_t *ret_len) {
    const char *p = it->params, *end = it->params + it->params_len;
    while (p && p < end) {
        const char *semi = memchr(p, ';', (size_t)(end - p));
        const char *pend = semi ? semi : end;
        const char *eq = memchr(p, '=', (size_t)(pend - p));
        if (eq) {
            size_t kl, vl;
            const char *k = trim(p, eq, &kl);
            const char *v = trim(eq + 1, pend, &vl);
            if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
                v++;
                vl -= 2;
            }
            if (omx__qitem_is(k, kl, name)) {
                *ret_value = v;
                *ret_len = vl;
                return true;
            }
        }
        p = semi ? semi + 1 : NULL;
    }
    return false;
}

/* A q-value in [0, 1]; -1 when malformed. */
static double parse_q(const char *v, size_t len) {
    char tmp[16];
    if (len == 0 || len >= sizeof tmp)
        return -1;
    memcpy(tmp, v, len);
    tmp[len] = '\0';
    char *e;
    double q = strtod(tmp, &e);
    return *e || !(q >= 0 && q <= 1) ? -1 : q;
}

bool omx__qitem_next(const char **cursor, omx__qitem *it) {
    const char *s = *cursor;
    for (;;) {
        if (!s || !*s)
            return false;
        const char *comma = strchr(s, ',');
        const char *end = comma ? comma : s + strlen(s);
        *cursor = comma ? comma + 1 : end;
        const char *semi = memchr(s, ';', (size_t)(end - s));
        it->value = trim(s, semi ? semi : end, &it->value_len);
        it->params = semi ? semi + 1 : end;
        it->params_len = (size_t)(end - it->params);
        if (it->value_len == 0 && !semi) {
            s = *cursor; /* "a,,b": nothing between the commas */
            continue;
        }
        const char *q;
        size_t ql;
        it->q = omx__qitem_param(it, "q", &q, &ql) ? parse_q(q, ql) : 1;
        return true;
    }
}
