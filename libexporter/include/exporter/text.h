/* omx libexporter: strict number parsing and field splitting for the text
 * formats exporters read (procfs, sysfs, tool output). */
#ifndef EXPORTER_TEXT_H
#define EXPORTER_TEXT_H

/* Exported from libexporter even though it is built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Strict parsing of a whole token (no blanks, no trailing text): 0, -EINVAL on
 * junk or empty (or NULL), -ERANGE on overflow. Plain digits take a fast path. */
int omx_parse_u64(const char *s, uint64_t *ret);
int omx_parse_i64(const char *s, int64_t *ret);
int omx_parse_double(const char *s, double *ret);

/* Parses a Go duration ("1m30s", "100ms", "1.5h"; units ns us µs ms s m h) or a
 * Prometheus one (also d, w, y) into nanoseconds; "0" alone is 0. -EINVAL for
 * junk, empty or negative, -ERANGE past INT64_MAX. */
int omx_parse_duration(const char *s, int64_t *ret_ns);

/* Splits s in place on runs of blanks (space/tab), ending at a newline where a
 * field would start (one after a field ends it and is skipped), into
 * at most max fields pointing into s; returns the count. */
size_t omx_split_fields(char *s, char **fields, size_t max);
/* Joins n strings (NULL ones skipped) into buf of size bytes without printf.
 * Returns the length, or 0 (buf "") when the result does not fit. */
size_t omx_join(char *buf, size_t size, const char *const *parts, size_t n);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
