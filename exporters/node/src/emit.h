/* omx-node: shorthands for the common one-family emits of collectors. */
#ifndef NODE_EMIT_H
#define NODE_EMIT_H

#include <exporter/exporter.h>

#include "node.h"

/* Emits family name (no labels) with one sample v. Returns 0 or an omx_err. */
int node_emit1(omx_emitter *e, const char *name, const char *help, omx_type type, double v);
/* Emits family name with one label and one sample. */
int node_emit1l(omx_emitter *e, const char *name, const char *help, omx_type type,
                const char *label, const char *value, double v);

/* Logs a malformed source at error level and returns OMX_EVALUE: the file,
 * line number (0 = unknown) and what was wrong. */
int node_bad_input(const char *collector, const char *path, unsigned line, const char *what);

#endif
