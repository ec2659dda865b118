/* textfile collector: one family read from the text files, emitted as written. */
#ifndef NODE_TEXTFILE_EMIT_H
#define NODE_TEXTFILE_EMIT_H

#include <exporter/collector.h>

#include "textfile_set.h"

/* Emits f (labels in arena) under its name and type as written, HELP help.
 * files[i] is the path of the samples marked i (for the log). Series are sorted by label values; a label a sample lacks is "" (the union
 * of the family's label names is used, as node_exporter does). A repeated
 * series or a histogram/summary the emitter refuses is left out and logged.
 * Returns 0 when everything was emitted, 1 when something was left out, or a
 * negative code (out of memory, the family refused: logged). */
int tf_emit_family(omx_emitter *e, const tf_family *f, const tf_arena *arena, const char *help,
                   const char *const *files);

#endif
