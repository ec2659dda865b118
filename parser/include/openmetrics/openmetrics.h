/* libopenmetrics: a validating pull parser for OpenMetrics 1.0 text and the
 * Prometheus 0.0.4 text format.
 *
 * Usage:
 *   omp_parser *p;
 *   omp_parser_new(&p, OMP_FORMAT_OPENMETRICS, NULL);
 *   omp_parser_set_buffer(p, buf, len);       // whole body, or:
 *   // omp_parser_feed(p, chunk, n) ... omp_parser_finish(p)   (streaming)
 *   omp_entry e;
 *   int r;
 *   while ((r = omp_next(p, &e)) > 0) { ... }
 *   // r == 0: valid end; r == -EAGAIN: feed more; r < 0: omp_parser_error(p)
 *   p = omp_parser_free(p);
 *
 * Every string in an entry is a view (pointer + length, not NUL-terminated)
 * into the caller's buffer or the parser's carry buffer; it stays valid until
 * the next call to omp_next(), omp_parser_feed() or omp_parser_finish().
 * Nothing is allocated per sample. Label values and HELP text are returned as
 * they appear on the wire (escaped); omp_unescape() decodes them on demand.
 *
 * All functions return 0 (or a positive count/kind) on success and a negative
 * errno-style code on failure. */
#ifndef OPENMETRICS_OPENMETRICS_H
#define OPENMETRICS_OPENMETRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define OMP_EXPORT __attribute__((visibility("default")))
#else
#define OMP_EXPORT
#endif

typedef enum omp_format {
    OMP_FORMAT_AUTO = 0, /* resolved by omp_format_detect() */
    OMP_FORMAT_OPENMETRICS,
    OMP_FORMAT_PROMETHEUS, /* text/plain; version=0.0.4 */
} omp_format;

typedef enum omp_type {
    OMP_TYPE_UNKNOWN = 0, /* OpenMetrics "unknown", no TYPE line */
    OMP_TYPE_COUNTER,
    OMP_TYPE_GAUGE,
    OMP_TYPE_HISTOGRAM,
    OMP_TYPE_GAUGEHISTOGRAM,
    OMP_TYPE_STATESET,
    OMP_TYPE_INFO,
    OMP_TYPE_SUMMARY,
    OMP_TYPE_UNTYPED, /* Prometheus 0.0.4 "untyped" */
} omp_type;

typedef enum omp_kind {
    OMP_HELP = 1,
    OMP_TYPE,
    OMP_UNIT,
    OMP_SAMPLE,
    OMP_EOF, /* the "# EOF" line of OpenMetrics */
} omp_kind;

/* A view into the input: not NUL-terminated. */
typedef struct omp_str {
    const char *ptr;
    size_t len;
} omp_str;

typedef struct omp_label {
    omp_str name;
    omp_str value; /* as on the wire, without quotes, still escaped */
    bool escaped;  /* value contains a backslash: use omp_unescape() */
} omp_label;

typedef struct omp_entry {
    omp_kind kind;
    unsigned line;  /* 1-based line number of this entry */
    omp_str family; /* metric family name */
    omp_type type;  /* family type (after TYPE, or the default) */
    /* OMP_HELP: escaped help text; OMP_UNIT: the unit; OMP_TYPE: the type word. */
    omp_str text;
    bool text_escaped;
    /* OMP_SAMPLE: */
    omp_str name;   /* sample name, e.g. foo_bucket */
    omp_str suffix; /* the part of name after family, e.g. "_bucket" */
    const omp_label *labels;
    size_t n_labels;
    double value;
    omp_str value_text;
    bool has_timestamp;
    double timestamp;     /* seconds (OpenMetrics) */
    int64_t timestamp_ms; /* milliseconds (Prometheus 0.0.4; OM: rounded down) */
    bool has_exemplar;
    const omp_label *exemplar_labels;
    size_t n_exemplar_labels;
    double exemplar_value;
    bool exemplar_has_timestamp;
    double exemplar_timestamp;
} omp_entry;

typedef struct omp_parser omp_parser;

/* Hard caps on what hostile input may make the parser hold or do.
 * Zero in any field means the default (in brackets). */
typedef struct omp_limits {
    size_t max_line_len;  /* bytes per line, incl. LF        [1 MiB] */
    size_t max_labels;    /* labels per sample               [256] */
    uint64_t max_samples; /* samples per document            [100 M] */
    size_t max_families;  /* families per document           [1 M] */
    size_t max_groups;    /* label sets per family, tracked for
	                               grouping/duplicate checks        [4 M] */
} omp_limits;

/* Creates a parser. format must be OPENMETRICS or PROMETHEUS (AUTO is
 * rejected: resolve it first with omp_format_detect() or
 * omp_format_from_content_type()). limits may be NULL. The parser is owned by
 * the caller and released with omp_parser_free(). Returns 0, -EINVAL or
 * -ENOMEM. */
OMP_EXPORT int omp_parser_new(omp_parser **ret, omp_format format, const omp_limits *limits);

/* Frees the parser; accepts NULL; returns NULL. */
OMP_EXPORT omp_parser *omp_parser_free(omp_parser *p);

/* Parses a complete document held by the caller (not copied; must outlive
 * the parse). Equivalent to feed + finish but without any copy.
 * Returns 0 or -EINVAL if input was already given. */
OMP_EXPORT int omp_parser_set_buffer(omp_parser *p, const char *buf, size_t len);

/* Streaming: hands the next piece of the body to the parser. The chunk must
 * stay valid until omp_next() returns -EAGAIN (all of it consumed) or the
 * parse ends; only an incomplete last line is copied (up to max_line_len).
 * Call omp_next() until it returns -EAGAIN before feeding again.
 * Returns 0, -EINVAL (called with unconsumed input or after finish) or
 * -E2BIG/-ENOMEM (carried line too long). */
OMP_EXPORT int omp_parser_feed(omp_parser *p, const char *chunk, size_t len);

/* Streaming: no more input follows. Returns 0. */
OMP_EXPORT int omp_parser_finish(omp_parser *p);

/* Produces the next entry into *ret.
 * Returns 1 with an entry, 0 at the valid end of the document, -EAGAIN when
 * more input is needed (streaming), -EBADMSG on invalid input, -E2BIG when a
 * limit was hit, -ENOMEM. Errors are sticky; see omp_parser_error(). */
OMP_EXPORT int omp_next(omp_parser *p, omp_entry *ret);

/* The last error as "LINE:COL: message" (one line, owned by the parser,
 * valid until the parser is freed), or NULL when there was none. */
OMP_EXPORT const char *omp_parser_error(const omp_parser *p);
/* Line and column (1-based) of the last error; 0 when none. */
OMP_EXPORT unsigned omp_parser_error_line(const omp_parser *p);
OMP_EXPORT unsigned omp_parser_error_col(const omp_parser *p);

/* The format the parser was created for. */
OMP_EXPORT omp_format omp_parser_format(const omp_parser *p);

/* Decodes the escapes of a label value or HELP text (\\, \", \n; any other
 * backslash is kept as is, as OpenMetrics 1.0 allows). Writes at most out_size
 * bytes to out (the caller's buffer; the result is never longer than the
 * input) and NUL-terminates it when there is room. Returns the decoded length
 * or -ENOBUFS if out_size < in.len. */
OMP_EXPORT long omp_unescape(omp_str in, char *out, size_t out_size);

/* Format from a Content-Type header value: application/openmetrics-text
 * gives OPENMETRICS, anything else (text/plain, missing) PROMETHEUS. */
OMP_EXPORT omp_format omp_format_from_content_type(const char *content_type);

/* Guesses the format of a complete document: OPENMETRICS when its last line
 * is "# EOF", else PROMETHEUS. */
OMP_EXPORT omp_format omp_format_detect(const char *buf, size_t len);

/* Static names: "counter", ..., "untyped"; "openmetrics"/"prometheus". */
OMP_EXPORT const char *omp_type_name(omp_type t);
OMP_EXPORT const char *omp_format_name(omp_format f);

#ifdef __cplusplus
}
#endif
#endif
