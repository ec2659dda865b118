/* omx libexporter: the registry walked sample by sample instead of as text.
 *
 * omx_registry_visit runs the same walk as omx_registry_write (families,
 * then collectors, the collector stats and the library's own families) but
 * hands each family header and each sample to callbacks, as the Prometheus
 * 0.0.4 text would name them: counters as x_total, info as x_info,
 * histograms as x_bucket{le}/x_count/x_sum, summaries as x{quantile}/
 * x_count/x_sum, stateset states as a label named after the family. This is
 * what a remote-write client sends: the series Prometheus would store had it
 * scraped the text.
 */
#ifndef EXPORTER_VISIT_H
#define EXPORTER_VISIT_H

/* Exported from libexporter even though it is built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exporter/registry.h"
#include "exporter/writer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One sample. Every pointer is borrowed for the callback only. */
typedef struct omx_visit_sample {
    const char *name;                /* the sample's metric name (x_total, x_bucket, ...) */
    const char *const *label_names;  /* the series' labels, then le/quantile/state if any */
    const char *const *label_values; /* unescaped UTF-8 */
    size_t n_labels;
    double value;
    bool has_timestamp;   /* the collector gave one (omx_emit_sample_ts) */
    int64_t timestamp_ms; /* when has_timestamp */
    double created;       /* series creation time in seconds (OMX_FAMILY_CREATED), else NAN */
} omx_visit_sample;

typedef struct omx_visitor {
    /* A family starts: name as the 0.0.4 TYPE line writes it (x_total for a
     * counter x), its OpenMetrics type, help and unit (NULL when none). */
    int (*family)(void *ctx, const char *name, omx_type type, const char *help, const char *unit);
    /* One sample of the family last started. */
    int (*sample)(void *ctx, const omx_visit_sample *s);
} omx_visitor;

/* Walks r as described above; opts->format is ignored, opts->deadline_ns
 * must be 0 (collectors run on the calling thread), pick/pick_ctx as in
 * omx_registry_write (NULL opts = every collector). A callback's negative
 * return stops the walk and is returned (a positive one becomes OMX_EIO).
 * Returns 0, that code, OMX_EINVAL or OMX_ENOMEM. v and ctx are borrowed. */
int omx_registry_visit(omx_registry *r, const omx_write_opts *opts, const omx_visitor *v,
                       void *ctx);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
