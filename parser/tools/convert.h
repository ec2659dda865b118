/* omx-check --convert: collects parsed families, then re-encodes them through
 * libexporter's emitter and writers. */
#ifndef OMX_CHECK_CONVERT_H
#define OMX_CHECK_CONVERT_H
#include "openmetrics/openmetrics.h"

typedef struct convert convert;

/* Returns a new converter or NULL (out of memory). */
convert *convert_new(void);
/* Adds one parsed entry. Returns 0, or OMX_EVALUE with a message on stderr
 * naming src:line when the entry cannot be represented. */
int convert_add(convert *c, const omp_entry *e, const char *src);
/* Writes everything to stdout in `to`. Returns 0 or a negative errno / OMX_E*
 * code (message on stderr). */
int convert_write(convert *c, omp_format to);
/* Frees c; accepts NULL; returns NULL. */
convert *convert_free(convert *c);
#endif
