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

/* Room for any omx_format_ip6 text and its NUL. */
#define OMX_IP6_TEXT_MAX 40
/* Writes the 16-byte IPv6 address ip as Go's net.IP.String() does for an
 * address that is not v4-mapped (the caller decides how to show those):
 * lowercase hex groups, the first longest run of two or more zero groups as
 * "::", and never inet_ntop's dotted "::a.b.c.d" tail. buf must hold
 * OMX_IP6_TEXT_MAX bytes. Returns the length, or -EINVAL. */
int omx_format_ip6(char *buf, size_t size, const unsigned char ip[16]);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
