/* Content negotiation: which exposition format an Accept header asks for, and
 * whether an Accept-Encoding takes gzip. */
#include <stdbool.h>

#include "helpers/qvalue.h"
#include "internal.h"

const char *omx_format_content_type(omx_format f) {
    return f == OMX_FORMAT_OPENMETRICS
               ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
               : "text/plain; version=0.0.4; charset=utf-8";
}

/* The format one Accept item selects, or OMX_EINVAL. */
static int media_range(const omx__qitem *it) {
    const char *version = NULL;
    size_t vl = 0;
    bool has_version = omx__qitem_param(it, "version", &version, &vl);
    if (omx__qitem_is(it->value, it->value_len, "application/openmetrics-text"))
        return !has_version || omx__qitem_is(version, vl, "1.0.0") ? OMX_FORMAT_OPENMETRICS
                                                                   : OMX_EINVAL;
    if (omx__qitem_is(it->value, it->value_len, "text/plain"))
        return !has_version || omx__qitem_is(version, vl, "0.0.4") ? OMX_FORMAT_PROMETHEUS
                                                                   : OMX_EINVAL;
    if (omx__qitem_is(it->value, it->value_len, "*/*") ||
        omx__qitem_is(it->value, it->value_len, "text/*"))
        return OMX_FORMAT_PROMETHEUS;
    return OMX_EINVAL;
}

omx_format omx_format_from_accept(const char *accept) {
    omx_format best = OMX_FORMAT_PROMETHEUS;
    double best_q = 0;
    omx__qitem it;
    for (const char *cur = accept; omx__qitem_next(&cur, &it);) {
        int f = media_range(&it);
        if (f >= 0 && it.q > best_q) { /* ties keep the earlier, preferred entry */
            best = (omx_format)f;
            best_q = it.q;
        }
    }
    return best;
}

bool omx_accepts_gzip(const char *ae) {
    double q_gzip = -1, q_star = -1;
    omx__qitem it;
    for (const char *cur = ae; omx__qitem_next(&cur, &it);) {
        double q = it.q < 0 ? 0 : it.q; /* garbage never enables an encoding */
        if (omx__qitem_is(it.value, it.value_len, "gzip") ||
            omx__qitem_is(it.value, it.value_len, "x-gzip"))
            q_gzip = q > q_gzip ? q : q_gzip;
        else if (omx__qitem_is(it.value, it.value_len, "*"))
            q_star = q;
    }
    if (q_gzip >= 0)
        return q_gzip > 0;
    return q_star > 0;
}
