/* omx libexporter: the one error enum every function returns. */
#ifndef EXPORTER_ERROR_H
#define EXPORTER_ERROR_H

/* Exported from libexporter even though it is built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#ifdef __cplusplus
extern "C" {
#endif

/* Every fallible function returns 0 (OMX_OK) or one of these negative codes. */
typedef enum omx_err {
    OMX_OK = 0,
    OMX_EINVAL = -1,   /* bad argument: NULL, wrong label count, bad option */
    OMX_ENAME = -2,    /* invalid metric name (or reserved suffix for its type) */
    OMX_ELABEL = -3,   /* invalid or reserved label name, or duplicate label name */
    OMX_EEXIST = -4,   /* a family of that name is already registered */
    OMX_ELIMIT = -5,   /* a configured limit was reached (series per family, buffer cap) */
    OMX_ENOMEM = -6,   /* allocation failed */
    OMX_ETYPE = -7,    /* operation not valid for this metric type */
    OMX_EVALUE = -8,   /* invalid value (negative counter increment, NaN bucket, ...) */
    OMX_EIO = -9,      /* the output sink or a system call failed */
    OMX_ENOENT = -10,  /* no such series / family / file */
    OMX_EUNIT = -11,   /* metric name does not end with its unit */
    OMX_ETIMEOUT = -12,/* a deadline passed */
    OMX_ESTATE = -13,  /* call not valid in the current state (e.g. sample before family) */
    OMX_ECONFIG = -14, /* bad configuration file or flag */
} omx_err;

/* Returns a static, human-readable description of an omx_err; never NULL. */
const char *omx_strerror(int err);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
