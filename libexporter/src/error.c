/* omx_strerror: text for the one error enum. */
#include "internal.h"

const char *omx_strerror(int err) {
    switch (err) {
    case OMX_OK: return "success";
    case OMX_EINVAL: return "invalid argument";
    case OMX_ENAME: return "invalid metric name";
    case OMX_ELABEL: return "invalid, reserved or duplicate label name";
    case OMX_EEXIST: return "already registered";
    case OMX_ELIMIT: return "limit reached";
    case OMX_ENOMEM: return "out of memory";
    case OMX_ETYPE: return "operation not valid for this metric type";
    case OMX_EVALUE: return "invalid value";
    case OMX_EIO: return "input/output error";
    case OMX_ENOENT: return "no such entry";
    case OMX_EUNIT: return "metric name does not end with its unit";
    case OMX_ETIMEOUT: return "deadline exceeded";
    case OMX_ESTATE: return "call not valid in the current state";
    case OMX_ECONFIG: return "bad configuration";
    default: return "unknown error";
    }
}
