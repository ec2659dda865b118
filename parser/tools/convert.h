/* omx-check --convert: collects parsed families, then re-encodes them through
 * libexporter's emitter and writers. */
#ifndef OMX_CHECK_CONVERT_H
#define OMX_CHECK_CONVERT_H
#include "openmetrics/openmetrics.h"

typedef struct convert convert;

/* Returns a new converter owned by the caller (release with convert_free()),
 * or NULL (out of memory). */
convert *convert_new(void);
/* Adds one parsed entry; the strings of e are copied, e stays the caller's.
 * Returns 0, or with a message on stderr naming src:line and the family:
 * -EINVAL when the entry cannot be represented, -E2BIG when a series passes
 * the converter's limit of elements per series. */
int convert_add(convert *c, const omp_entry *e, const char *src);
/* Writes everything to stdout in `to`, all or nothing: the document is built
 * in memory and written only when every family converted. Returns 0 or a
 * negative errno / OMX_E* code (message on stderr). */
int convert_write(convert *c, omp_format to);
/* Frees c; accepts NULL; returns NULL. */
convert *convert_free(convert *c);
#endif
