/* Comma-separated HTTP header lists with ;q= weights (Accept, Accept-Encoding):
 * the one parser content negotiation and gzip use. */
#ifndef OMX_HELPERS_QVALUE_H
#define OMX_HELPERS_QVALUE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct omx__qitem {
    const char *value; /* "text/plain", "gzip", "*" (not NUL-terminated) */
    size_t value_len;
    const char *params; /* what follows the value's first ';' up to the item's end */
    size_t params_len;
    double q; /* 1 when absent, -1 when malformed or outside [0, 1] */
} omx__qitem;

/* Reads the next item of the list at *cursor (blanks trimmed, empty items
 * skipped) and moves *cursor past it. Returns false at the end of the list. */
bool omx__qitem_next(const char **cursor, omx__qitem *it);
/* Finds parameter name (case-insensitive) among it's parameters: true with its
 * value (blanks trimmed, surrounding quotes removed; not NUL-terminated). */
bool omx__qitem_param(const omx__qitem *it, const char *name, const char **ret_value,
                      size_t *ret_len);
/* Whether the len bytes at s equal lit, ignoring ASCII case. */
bool omx__qitem_is(const char *s, size_t len, const char *lit);

#endif
