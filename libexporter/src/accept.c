/* Content negotiation: which exposition format an Accept header asks for. */
#include <stdbool.h>

#include "helpers/qvalue.h"
#include "internal.h"

const char *omx_format_content_type(omx_format f) {
    return f == OMX_FORMAT_OPENMETRICS ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                                       : "text/plain; version=0.0.4; charset=utf-8";
}

/* The format one Accept item selects, or -1. */
static int media_range(const omx__qitem *it) {
    const char *version = NULL;
    size_t vl = 0;
    bool has_version = omx__qitem_param(it, "version", &version, &vl);
    if (omx__qitem_is(it->value, it->value_len, "application/openmetrics-text"))
        return !has_version || omx__qitem_is(version, vl, "1.0.0") ? OMX_FORMAT_OPENMETRICS : -1;
    if (omx__qitem_is(it->value, it->value_len, "text/plain"))
        return !has_version || omx__qitem_is(version, vl, "0.0.4") ? OMX_FORMAT_PROMETHEUS : -1;
    if (omx__qitem_is(it->value, it->value_len, "*/*") ||
        omx__qitem_is(it->value, it->value_len, "text/*"))
        return OMX_FORMAT_PROMETHEUS;
    return -1;
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
