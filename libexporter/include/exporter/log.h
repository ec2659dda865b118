/* omx libexporter: one-line-per-event logging to stderr (logfmt or JSON).
 * Library code logs only at debug level; exporters log what admins need. */
#ifndef EXPORTER_LOG_H
#define EXPORTER_LOG_H

/* Exported from libexporter even though it is built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum omx_log_level {
    OMX_LOG_DEBUG = 0,
    OMX_LOG_INFO = 1,
    OMX_LOG_WARN = 2,
    OMX_LOG_ERROR = 3,
} omx_log_level;

typedef enum omx_log_format { OMX_LOG_LOGFMT = 0, OMX_LOG_JSON = 1 } omx_log_format;

/* Parse "debug|info|warn|error" / "logfmt|json"; return 0 or OMX_EINVAL. */
int omx_log_parse_level(const char *s, omx_log_level *ret_level);
int omx_log_parse_format(const char *s, omx_log_format *ret_format);
/* Process-wide settings (set once at start-up, before threads). When
 * JOURNAL_STREAM matches stderr, lines get a syslog "<N>" priority prefix. */
void omx_log_setup(omx_log_level level, omx_log_format format);

/* Logs msg with key/value string pairs, NULL-terminated:
 *   omx_log(OMX_LOG_ERROR, "cannot read file", "file", path, "err", omx_strerror(-e), NULL);
 * Writes one line: ts=... level=error msg="cannot read file" file=... err=... */
void omx_log(omx_log_level level, const char *msg, ...) __attribute__((sentinel));

/* Logs, at error level as a failed collector is, that source (a collector or
 * probe name) found malformed input in path at line (0 = unknown) and what was
 * wrong; returns OMX_EVALUE for the caller to return. */
int omx_bad_input(const char *source, const char *path, unsigned line, const char *what);

/* The logfmt writer of omx_log, for lines kept elsewhere (a probe's log):
 * appends key=value to the line in buf (cap bytes incl. NUL, kept terminated)
 * whose length is len, after a space when len > 0, and returns the new
 * length, truncated to fit. The value is quoted only when it needs to be
 * (empty, blank or control characters, '"', '=', '\\'), escaped as \" \\ \n
 * \r \t and \u00XX, so no value can break the line; key characters logfmt
 * cannot carry become '_'. A NULL value is written as "". */
size_t omx_logfmt_append(char *buf, size_t cap, size_t len, const char *key, const char *value);
/* The time as log lines show it, RFC 3339 UTC with milliseconds:
 * 2026-11-23T10:00:00.123Z (24 characters and the NUL). */
void omx_log_timestamp(char out[32]);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
