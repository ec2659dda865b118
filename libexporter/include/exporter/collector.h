/* omx libexporter: collectors, callbacks that emit constant metrics at scrape time.
 *
 * A collector is called once per scrape, in registration order, after the
 * registry's own families. It emits families with omx_emit_family() followed by
 * that family's samples; the next omx_emit_family() (or the collector's return)
 * ends the family. The emitter writes straight into the scrape's output format,
 * so nothing is cached between scrapes. All strings passed in are borrowed for
 * the duration of the call only.
 *
 * Threads. Without a deadline (omx_write_opts.deadline_ns 0) collectors run on
 * the thread that called omx_registry_write. With one, they run one after
 * another on a thread of a small pool the library keeps (up to 4, created on
 * first use, all signals blocked) while the caller waits no later than the
 * deadline; only when every pool thread holds an abandoned call do they run on
 * the caller's thread, as without a deadline. A collector still running then is
 * abandoned: the scrape answers without it (success 0, duration the time
 * waited) and the collectors after it still run, given 50 ms together once the
 * deadline has passed. An abandoned call keeps its thread and its state; what
 * it emits is dropped when it returns. A collector may assume that its calls
 * from one scrape never overlap, and that it is not called again while an
 * abandoned call of it has not returned (it is reported failed at once and a
 * warning sent to omx_set_collector_warn). Calls from concurrent scrapes may
 * overlap as they always could, so shared state needs its own lock. A
 * collector blocked for good holds its registry: omx_registry_free waits 2 s
 * for abandoned calls, then leaves the registry allocated (never freed under
 * a running call).
 */
#ifndef EXPORTER_COLLECTOR_H
#define EXPORTER_COLLECTOR_H

/* Exported from libexporter even though it is built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stddef.h>
#include <stdint.h>

#include "exporter/registry.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct omx_emitter omx_emitter;

/* A family emitted at scrape time. Counter names may carry "_total". */
typedef struct omx_desc {
    const char *name;
    const char *help; /* may be NULL */
    const char *unit; /* may be NULL */
    omx_type type;
    const char *const *label_names;
    size_t n_labels;
    unsigned flags; /* OMX_DESC_* */
} omx_desc;

/* A family read from Prometheus 0.0.4 text (a textfile) keeps the name it was
 * written with: types counter, gauge, unknown, histogram and summary, no unit.
 * Prometheus 0.0.4 output: the name as given on the TYPE line and every sample
 * (plus _bucket/_sum/_count), no suffix added or stripped, no suffix reserved
 * ("conf", "jobs_created" and "req_total_total" counters, a "lat_sum"
 * histogram). OpenMetrics output follows client_golang's encoder: a counter
 * named x_total is family x of type counter with samples x_total; a counter
 * whose name lacks _total is typed unknown under its name (its value is then
 * not checked); other types are written under their name. A name counts as
 * taken (OMX_EEXIST) by what the format writes: in 0.0.4 counters "x" and
 * "x_total" are two families, in OpenMetrics both are family x. */
#define OMX_DESC_AS_WRITTEN 0x1u

/* Returns 0 on success or a negative omx_err / -errno: the collector is then
 * reported as failed (what it emitted before the failure is still served). */
typedef int (*omx_collect_fn)(omx_emitter *e, void *userdata);

/* Adds a collector named name (copied; [a-z0-9_]+) to r. r owns userdata from now
 * on and calls free_userdata (may be NULL) on it when r is freed. Returns 0,
 * OMX_EINVAL, OMX_EEXIST (same name twice) or OMX_ENOMEM; on failure r takes
 * nothing and the caller still owns userdata. */
int omx_registry_add_collector(omx_registry *r, const char *name, omx_collect_fn fn, void *userdata,
                               void (*free_userdata)(void *));

/* After all collectors, emit <prefix>_scrape_collector_duration_seconds{collector}
 * and <prefix>_scrape_collector_success{collector} (node_exporter's families,
 * HELP "<prefix>_exporter: ...") for every collector of r except the process
 * collector. prefix is copied; NULL turns it off (the default). */
int omx_registry_set_collector_stats(omx_registry *r, const char *prefix);

/* Starts a family. Validates names (OMX_ENAME/ELABEL/EUNIT). A family with no
 * samples emits nothing. Every omx_emit_* call is checked in full before
 * anything is written: a call that returns an error writes nothing.
 * A name already written in this scrape (by the registry, another collector or
 * this one; a counter "x" also holds "x_total", an info "x" "x_info") gives
 * OMX_EEXIST: the family is dropped (its samples get OMX_ESTATE), counted in
 * omx_scrape_duplicate_families_total, and the collector is reported failed. */
int omx_emit_family(omx_emitter *e, const omx_desc *desc);
/* One sample of a counter/gauge/unknown/info (value ignored, always 1) family;
 * label_values has desc->n_labels entries. Every omx_emit_<sample> call gives
 * OMX_EEXIST (writes nothing, collector reported failed) when its label set
 * equals the previous sample's in the same family, unless both samples carry
 * timestamps; repeats that are not consecutive are not detected. */
int omx_emit_sample(omx_emitter *e, const char *const *label_values, double value);
/* Same with a timestamp in milliseconds since the epoch. */
int omx_emit_sample_ts(omx_emitter *e, const char *const *label_values, double value,
                       int64_t timestamp_ms);
/* One histogram/gaugehistogram series: n_buckets upper bounds (the last may be
 * +Inf; if not, a +Inf bucket equal to count is added) with cumulative counts.
 * Any number of buckets: the arrays are the caller's and are streamed out. */
int omx_emit_histogram(omx_emitter *e, const char *const *label_values, size_t n_buckets,
                       const double *upper_bounds, const uint64_t *cumulative_counts,
                       uint64_t count, double sum);
/* One summary series with optional quantiles (n_quantiles may be 0). */
int omx_emit_summary(omx_emitter *e, const char *const *label_values, uint64_t count, double sum,
                     size_t n_quantiles, const double *quantiles, const double *quantile_values);
/* One stateset series: n_states names and whether each is set. */
int omx_emit_stateset(omx_emitter *e, const char *const *label_values, size_t n_states,
                      const char *const *states, const bool *set);

/* The scrape's deadline, CLOCK_MONOTONIC nanoseconds (0 = none): slow collectors
 * check it and give up (return OMX_ETIMEOUT) once it has passed. */
int64_t omx_emitter_deadline_ns(const omx_emitter *e);
/* Nonzero once the deadline has passed. */
int omx_emitter_expired(const omx_emitter *e);

/* Receives the library's warnings about collectors (a call abandoned at a
 * deadline, a collector skipped because its abandoned call has not returned):
 * msg, then key "collector" and its name (both NULL when there is none).
 * Called on any thread; strings are borrowed for the call. NULL (the default)
 * drops them; omx_log_setup installs one that logs at WARN. */
typedef void (*omx_collector_warn_fn)(const char *msg, const char *key, const char *val);
void omx_set_collector_warn(omx_collector_warn_fn fn);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
