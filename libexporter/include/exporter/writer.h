/* omx libexporter: text exposition (Prometheus 0.0.4 and OpenMetrics 1.0.0). */
#ifndef EXPORTER_WRITER_H
#define EXPORTER_WRITER_H

/* Exported from libexporter even though it is built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exporter/registry.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum omx_format {
    OMX_FORMAT_PROMETHEUS = 0,  /* text/plain; version=0.0.4 */
    OMX_FORMAT_OPENMETRICS = 1, /* application/openmetrics-text; version=1.0.0 */
} omx_format;

/* Picks the format an HTTP Accept header asks for (q-values honoured);
 * NULL or anything unknown gives OMX_FORMAT_PROMETHEUS. */
omx_format omx_format_from_accept(const char *accept);
/* Whether an HTTP Accept-Encoding header accepts gzip (q-values honoured,
 * "*" counts; NULL or garbage gives false). */
bool omx_accepts_gzip(const char *accept_encoding);
/* The exact Content-Type of a format; static string. */
const char *omx_format_content_type(omx_format f);

/* Output sink: called with consecutive chunks of the exposition. Returns 0, or
 * a negative errno / OMX_E* code to abort the write (omx_registry_write then
 * returns that code; a positive value becomes OMX_EIO). */
typedef int (*omx_write_fn)(void *ctx, const char *data, size_t len);

/* Chooses the collectors one write runs: called with each collector's name
 * (borrowed) and the opts' pick_ctx; false leaves the collector out, with its
 * <prefix>_scrape_collector_* samples. Must be thread-safe. */
typedef bool (*omx_collector_pick_fn)(const char *collector, void *ctx);

typedef struct omx_write_opts {
    omx_format format;
    int64_t deadline_ns;        /* CLOCK_MONOTONIC ns handed to collectors; 0 = none */
    omx_collector_pick_fn pick; /* NULL = every collector */
    void *pick_ctx;             /* borrowed for the write */
} omx_write_opts;

/* Writes every family of r, then the output of every collector (those
 * opts->pick accepts), in a deterministic
 * order (registration order; series in creation order), in opts->format
 * (NULL opts = Prometheus 0.0.4, no deadline). Chunks go to fn(ctx, ...).
 * Returns 0, the sink's code (OMX_EIO if it gave none) or OMX_ENOMEM.
 * Collector failures do not fail the write. Safe to run concurrently with updates and other writes. */
int omx_registry_write(omx_registry *r, const omx_write_opts *opts, omx_write_fn fn, void *ctx);

/* A growable byte buffer with a hard cap; also usable as an omx_write_fn sink. */
typedef struct omx_buf {
    char *data; /* owned; NUL-terminated after every append */
    size_t len;
    size_t cap;
    size_t max; /* hard cap in bytes; appends past it fail with OMX_ELIMIT */
} omx_buf;

void omx_buf_init(omx_buf *b, size_t max);
/* Returns 0, OMX_ELIMIT or OMX_ENOMEM (buffer unchanged on failure). */
int omx_buf_append(omx_buf *b, const void *data, size_t len);
/* omx_write_fn adapter: ctx is an omx_buf*. */
int omx_buf_write_fn(void *ctx, const char *data, size_t len);
void omx_buf_reset(omx_buf *b);
/* Frees the data; the struct may be reused after omx_buf_init. Accepts NULL. */
void omx_buf_free(omx_buf *b);

/* Formats v the shortest way that round-trips (integers without a decimal
 * point; +Inf, -Inf, NaN spelled as both formats require). Writes at most 32
 * bytes plus NUL into out; returns the length. */
size_t omx_format_double(char *out, double v);
/* Canonical OpenMetrics rendering for "le"/"quantile" label values ("1.0",
 * "0.005", "1e+06", "+Inf"). Same buffer contract. */
size_t omx_format_le(char *out, double v);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
