/* omx libexporter: the one error space every function returns.
 *
 * Every fallible function returns 0 (OMX_OK) or a negative code, and there is
 * one space of negative codes for the whole tree: libexporter, collectors,
 * HTTP handlers and whatever they call all return the same kind of int.
 *
 *   -1 .. -OMX_ERRNO_MAX   a negated errno (Linux errno values are 1..4095);
 *                          the OMX_ names below that have an errno meaning are
 *                          aliases for it (OMX_ENOENT == -ENOENT).
 *   below -OMX_ERRNO_MAX   conditions of the library itself (bad metric name,
 *                          limit reached, ...), numbered down from
 *                          OMX_ERR_OWN_FIRST to OMX_ERR_OWN_LAST; they never
 *                          collide with an errno.
 *
 * A function that fails in a system call returns -errno unchanged, so the
 * caller can tell -ECONNREFUSED from -ENOENT. "Returns an omx_err" in the
 * comments of this tree means any code of the space, negated errno included.
 * omx_strerror() prints any of them. Compare codes by name, never by number.
 */
#ifndef EXPORTER_ERROR_H
#define EXPORTER_ERROR_H

#include <errno.h>

/* Exported from libexporter even though it is built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#ifdef __cplusplus
extern "C" {
#endif

/* Largest errno value the kernel can return (its MAX_ERRNO). */
#define OMX_ERRNO_MAX 4095
/* The library's own codes: OMX_ERR_OWN_FIRST (-4097) down to OMX_ERR_OWN_LAST. */
#define OMX_ERR_OWN_FIRST (-(OMX_ERRNO_MAX + 2))

typedef enum omx_err {
    OMX_OK = 0,

    /* errno aliases */
    OMX_EINVAL = -EINVAL,      /* bad argument: NULL, wrong label count, bad option */
    OMX_ENOMEM = -ENOMEM,      /* allocation failed */
    OMX_EIO = -EIO,            /* I/O failed with no errno of its own (sink, zlib) */
    OMX_ENOENT = -ENOENT,      /* no such series / family / file */
    OMX_EEXIST = -EEXIST,      /* a family or collector of that name is already there */
    OMX_ETIMEOUT = -ETIMEDOUT, /* a deadline passed */

    /* the library's own conditions, outside the errno range */
    OMX_ENAME = OMX_ERR_OWN_FIRST,       /* invalid metric name (or reserved suffix for its type) */
    OMX_ELABEL = OMX_ERR_OWN_FIRST - 1,  /* invalid, reserved or duplicate label name */
    OMX_EUNIT = OMX_ERR_OWN_FIRST - 2,   /* metric name does not end with its unit */
    OMX_ELIMIT = OMX_ERR_OWN_FIRST - 3,  /* a configured limit was reached (series, buffer) */
    OMX_ETYPE = OMX_ERR_OWN_FIRST - 4,   /* operation not valid for this metric type */
    OMX_EVALUE = OMX_ERR_OWN_FIRST - 5,  /* invalid value (negative increment, NaN bucket, ...) */
    OMX_ESTATE = OMX_ERR_OWN_FIRST - 6,  /* call not valid in the current state */
    OMX_ECONFIG = OMX_ERR_OWN_FIRST - 7, /* bad configuration file or flag */
} omx_err;

/* The most negative own code; a new code goes below it and moves this. */
#define OMX_ERR_OWN_LAST OMX_ECONFIG

/* A description of any code of the space (0, an OMX_E* code or a negated
 * errno); never NULL. Thread-safe. The text of 0, of OMX_ codes and (with
 * glibc) of known errno values is static. A positive or unknown value gives
 * "unknown error NNN" in a thread-local buffer, valid until the calling
 * thread's next omx_strerror() (errno texts too without glibc). */
const char *omx_strerror(int err);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
