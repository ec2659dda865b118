/* omx libexporter: registry, metric families, series handles and their updates.
 *
 * Ownership: the registry owns every family created in it and every collector
 * added to it; omx_registry_free() releases them all.
 *
 * Handles: a series handle returned by omx_family_get() is borrowed and valid
 * until its series is removed, by omx_family_remove() of its label set,
 * omx_family_clear() of its family or omx_registry_free(). A series that is
 * never removed can have its handle cached for the registry's life.
 * Once omx_family_remove()/omx_family_clear() returns, the handles of the
 * series it removed must not be used at all (no update, no
 * omx_series_value(), no other call), and no call with such a handle may run
 * concurrently with the removal either: the memory may be freed as soon as the
 * lookups and scrapes running at the time of the removal have finished. An
 * omx_family_get() racing with the removal of the same label set is safe but
 * may return the series being removed, whose handle is then just as dead. So
 * a label set that is removed needs its lookups, updates and removal ordered
 * by the caller (one thread, or the caller's lock); lookups and updates of
 * other label sets need nothing. Removed series and replaced tables are freed
 * after that grace period, so memory follows the live series under churn.
 *
 * Threads: all update functions (omx_counter_*, omx_gauge_*, omx_histogram_*,
 * ...) are lock-free and may run from any thread, concurrently with scrapes.
 * omx_family_get() on an existing label set takes no lock and allocates nothing
 * (a thread's first lookup registers it as a reader once, taking a mutex).
 */
#ifndef EXPORTER_REGISTRY_H
#define EXPORTER_REGISTRY_H

/* Exported from libexporter even though it is built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exporter/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct omx_registry omx_registry;
typedef struct omx_family omx_family;
typedef struct omx_series omx_series;

/* The OpenMetrics 1.0 metric types. */
typedef enum omx_type {
    OMX_COUNTER,
    OMX_GAUGE,
    OMX_HISTOGRAM,
    OMX_SUMMARY,
    OMX_INFO,
    OMX_STATESET,
    OMX_GAUGEHISTOGRAM,
    OMX_UNKNOWN,
} omx_type;

/* Returns the OpenMetrics spelling of a type ("counter", ...); never NULL. */
const char *omx_type_name(omx_type t);

/* Family flags. */
enum {
    /* Spread updates over per-thread cache-line-padded slots summed at scrape:
     * for counters/histograms hammered from many threads (costs memory). */
    OMX_FAMILY_SHARDED = 1u << 0,
    /* Record each series' creation time and expose <name>_created (OpenMetrics). */
    OMX_FAMILY_CREATED = 1u << 1,
};

typedef struct omx_family_opts {
    omx_type type;
    const char *name;               /* required; counters may be given with or without "_total" */
    const char *help;               /* may be NULL */
    const char *unit;               /* may be NULL; if set the name must end with "_<unit>" */
    const char *const *label_names; /* n_labels names, fixed for the family's life */
    size_t n_labels;
    const double *buckets; /* histogram/gaugehistogram upper bounds, strictly increasing,
                                without +Inf; NULL = default buckets .005 .. 10 */
    size_t n_buckets;
    const char *const *states; /* stateset: the state names (at most 64) */
    size_t n_states;
    size_t max_series; /* 0 = default (10000); new label sets past it get OMX_ELIMIT */
    unsigned flags;    /* OMX_FAMILY_* */
    /* Longest label value in bytes; 0 = default (4096). A new label set with a
     * longer value gets OMX_ELIMIT. */
    size_t max_label_value_len;
} omx_family_opts;

/* Creates an empty registry. Returns NULL on allocation failure. Caller owns it. */
omx_registry *omx_registry_new(void);
/* Frees the registry, its families, series and collectors. Accepts NULL; returns NULL. */
omx_registry *omx_registry_free(omx_registry *r);

/* Creates a family in r. On success stores a borrowed pointer (owned by r) in
 * *ret_family and returns 0; else OMX_EINVAL/ENAME/ELABEL/EUNIT/EEXIST/ENOMEM. */
int omx_family_new(omx_registry *r, const omx_family_opts *opts, omx_family **ret_family);

/* Finds or creates the series for label values (n_labels strings, NULL allowed
 * when the family has no labels). Values are copied. Returns 0 and a borrowed
 * handle in *ret_series, or OMX_EINVAL (NULL value, invalid UTF-8, bad
 * arguments), OMX_ELIMIT (max_series reached, or a value longer than
 * max_label_value_len: counted in omx_series_rejected_total{family="<name>",
 * reason="max_series"|"max_label_value_len"}, exported only for the families
 * and reasons that rejected at least one series), OMX_ENOMEM.
 * A family without labels has its one series from creation (it exports 0). */
int omx_family_get(omx_family *f, const char *const *label_values, omx_series **ret_series);
/* Stops exporting one series and ends the life of its handle (see "Handles"
 * above). Returns 0, OMX_ENOENT or OMX_EINVAL. Never waits for readers. */
int omx_family_remove(omx_family *f, const char *const *label_values);
/* Stops exporting every series of the family; their handles die as with
 * omx_family_remove(). */
void omx_family_clear(omx_family *f);
/* Number of series currently exported. */
size_t omx_family_size(const omx_family *f);

/* Hot path: one atomic operation each (lock-free). NULL handles, and handles of
 * another type, are ignored. */
void omx_counter_inc(omx_series *s);
/* Adds v >= 0. Returns 0, or OMX_EVALUE for negative/NaN v (nothing added). */
int omx_counter_add(omx_series *s, double v);
void omx_gauge_set(omx_series *s, double v);
void omx_gauge_add(omx_series *s, double v);
void omx_gauge_inc(omx_series *s);
void omx_gauge_dec(omx_series *s);
/* Histogram and gaugehistogram. NaN observations are ignored (returns OMX_EVALUE). */
int omx_histogram_observe(omx_series *s, double v);
/* Summary (count and sum). */
int omx_summary_observe(omx_series *s, double v);
/* Stateset: sets state index i (order of opts.states) on or off. */
int omx_stateset_set(omx_series *s, size_t state, bool on);
/* Unknown-typed series are set like gauges (omx_gauge_set). Info series are
 * constant 1: getting the series is all it takes. */

/* Reads the current value (counter, gauge, unknown) — for tests and callers. */
double omx_series_value(const omx_series *s);

/* Exemplars (OpenMetrics only): label pairs (n names/values, combined length of
 * names and values at most 128 characters), optional timestamp in seconds
 * (NAN = none). Returns 0, OMX_ELIMIT (too long), OMX_ELABEL, OMX_ETYPE. */
int omx_counter_add_exemplar(omx_series *s, double v, const char *const *names,
                             const char *const *values, size_t n, double ts);
int omx_histogram_observe_exemplar(omx_series *s, double v, const char *const *names,
                                   const char *const *values, size_t n, double ts);

/* Name checks used everywhere (also by collectors and parsers). */
bool omx_metric_name_valid(const char *name);
bool omx_label_name_valid(const char *name);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
