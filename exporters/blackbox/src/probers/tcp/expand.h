/* Go's Regexp.Expand for query_response: "send" and label values may name
 * captures of the last "expect" match as $1, ${1}, $name or ${name}. */
#ifndef BB_EXPAND_H
#define BB_EXPAND_H

#include <stddef.h>

#include "exporter/regex.h"
#include "exporter/writer.h"

/* Appends tmpl to out with each $ reference replaced by the text of that
 * capture of subject (spans from omx_regex_exec, n_spans of them): $$ is a
 * dollar, a name runs as long as letters, digits and '_' go ($1x is group
 * "1x"), a number or name that is no group (or did not match) expands to
 * nothing, and a malformed reference ("$!", "${1") keeps its '$'.
 * Returns 0, OMX_ELIMIT or OMX_ENOMEM (out's cap). */
int bb_expand(const omx_regex *re, const char *tmpl, const char *subject,
              const omx_regex_span *spans, size_t n_spans, omx_buf *out);

#endif
