/* omx_strerror: text for every code of the one error space (see error.h). */
#include <stdio.h>
#include <string.h>

#include "exporter/error.h"

/* Text for a code of the library's own range, or NULL. */
static const char *own_text(int err) {
    switch (err) {
    case OMX_ENAME: return "invalid metric name";
    case OMX_ELABEL: return "invalid, reserved or duplicate label name";
    case OMX_EUNIT: return "metric name does not end with its unit";
    case OMX_ELIMIT: return "limit reached";
    case OMX_ETYPE: return "operation not valid for this metric type";
    case OMX_EVALUE: return "invalid value";
    case OMX_ESTATE: return "call not valid in the current state";
    case OMX_ECONFIG: return "bad configuration";
    default: return NULL;
    }
}

/* strerror()'s text for errno e, or NULL when the C library has none. Not
 * strerror() itself: it may format into one buffer shared by all threads. */
static const char *errno_text(int e) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
    return strerrordesc_np(e); /* static text, NULL when unknown */
#else
    static _Thread_local char buf[128];
#if defined(__GLIBC__)
    const char *s = strerror_r(e, buf, sizeof buf); /* GNU variant under _GNU_SOURCE */
#else
    const char *s = strerror_r(e, buf, sizeof buf) == 0 ? buf : NULL; /* XSI variant */
#endif
    return s && strncmp(s, "Unknown error", 13) != 0 ? s : NULL;
#endif
}

const char *omx_strerror(int err) {
    static _Thread_local char unknown[32];
    const char *s = NULL;
    if (err == 0)
        return "success";
    if (err < 0 && err >= -OMX_ERRNO_MAX)
        s = errno_text(-err);
    else if (err <= OMX_ERR_OWN_FIRST && err >= OMX_ERR_OWN_LAST)
        s = own_text(err);
    if (s)
        return s;
    snprintf(unknown, sizeof unknown, "unknown error %d", err);
    return unknown;
}
