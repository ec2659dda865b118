/* omx libexporter: shorthands collectors of every exporter use: families of one
 * sample (omx_bad_input, in log.h, reports malformed input they read). */
#ifndef EXPORTER_EMIT_H
#define EXPORTER_EMIT_H

/* Exported from libexporter even though it is built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include "exporter/collector.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Emits family name (no labels) with one sample v; strings borrowed. Returns 0
 * or an omx_err. */
int omx_emit1(omx_emitter *e, const char *name, const char *help, omx_type type, double v);
/* Emits family name with one label and one sample. */
int omx_emit1l(omx_emitter *e, const char *name, const char *help, omx_type type, const char *label,
               const char *value, double v);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
