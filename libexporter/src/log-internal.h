/* Internal logging helpers shared with app.c and the unit tests. */
#ifndef OMX_LOG_INTERNAL_H
#define OMX_LOG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "exporter/log.h"

/* True when stderr is the journal stream named by $JOURNAL_STREAM. */
bool omx__log_stderr_is_journal(void);
/* True when a line at level would be written. Exported for libexporter-http. */
__attribute__((visibility("default"))) bool omx__log_enabled(omx_log_level level);
/* Formats one line (without newline) into buf (cap bytes incl. NUL; truncated to
 * fit). kv holds n_kv strings, key/value alternating. Returns the length. */
size_t omx__log_format_line(char *buf, size_t cap, omx_log_format format, omx_log_level level,
                            const char *ts, const char *msg, const char *const *kv, size_t n_kv);

#endif
