/* Recent probes for the landing page and /logs?id=N, as upstream's
 * ResultHistory: the last `limit` results, and the failures pushed out of
 * them kept in a second list of the same size. Thread-safe. */
#ifndef BB_HISTORY_H
#define BB_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exporter/writer.h"

/* A debug output longer than this is cut (with a note) before it is kept. */
#define BB_HISTORY_MAX_OUTPUT (128u << 10)

typedef struct bb_history bb_history;

bb_history *bb_history_new(size_t limit);   /* NULL on allocation failure */
bb_history *bb_history_free(bb_history *h); /* accepts NULL; returns NULL */
/* Copies the strings in. Returns the new entry's id, or -ENOMEM. */
int64_t bb_history_add(bb_history *h, const char *module, const char *target, const char *output,
                       size_t len, bool success);
/* Renders an entry's debug output (bb_history_add_lazy) into out from the
 * parts it was given; returns 0 or an omx_err. */
typedef int (*bb_history_render_fn)(void *parts, omx_buf *out);
/* Like bb_history_add, with the output kept as parts (owned by the history
 * from here on, also on failure: free_fn(parts) is called when the entry
 * goes) and rendered by render only when asked for. The parts should be
 * about the size of the output: the history keeps 2 * limit of them. */
int64_t bb_history_add_lazy(bb_history *h, const char *module, const char *target, void *parts,
                            bb_history_render_fn render, void (*free_fn)(void *parts),
                            bool success);
/* Appends the landing page's table rows, newest first (HTML-escaped). */
int bb_history_rows(bb_history *h, omx_buf *out);
/* Appends the debug output of entry id, or of the first kept entry for target
 * (and module, when not NULL/""): 0, or OMX_ENOENT. */
int bb_history_output(bb_history *h, int64_t id, const char *target, const char *module,
                      omx_buf *out);

#endif
