/* The runtime's own metrics: mtail's names where mtail has them
 * (mtail_lines_total, mtail_log_lines_total{logfile}, mtail_log_rotations_total,
 * mtail_log_truncates_total, mtail_log_errors_total, mtail_log_count), ours
 * under logtail_ (lines cut at the cap, bytes behind the end of each file).
 */
#ifndef LT_STATS_H
#define LT_STATS_H

#include <stdbool.h>

#include "exporter/exporter.h"

typedef struct lt_stats {
    omx_family *lines;     /* mtail_lines_total: every line handed to the programs */
    omx_family *log_lines; /* mtail_log_lines_total{logfile} */
    omx_family *rotations; /* mtail_log_rotations_total{logfile} */
    omx_family *truncates; /* mtail_log_truncates_total{logfile} */
    omx_family *errors;    /* mtail_log_errors_total{logfile}: open/read failures */
    omx_family *count;     /* mtail_log_count: sources open now */
    omx_family *cut;       /* logtail_lines_cut_total{logfile}: lines over the cap */
    omx_family *lag;       /* logtail_log_lag_bytes{logfile}: bytes not read yet */
    omx_family *dropped;   /* logtail_connections_dropped_total{logfile}: over the limit */
    omx_series *lines_all; /* the one series of lines */
    omx_series *count_all; /* the one series of count */
} lt_stats;

/* Per-source handles (NULL handles are ignored by the update functions, so a
 * source whose name is not valid UTF-8 just goes uncounted). */
typedef struct lt_source_stats {
    omx_series *lines, *rotations, *truncates, *errors, *cut, *lag, *dropped;
} lt_source_stats;

/* Creates the families in reg (borrowed; may be NULL: every handle stays NULL).
 * Returns 0 or the registry's error. */
int lt_stats_init(lt_stats *st, omx_registry *reg);
/* Looks up the series of one source name (copied by the registry): a file's
 * (lines, rotations, truncates, errors, cut, lag) or another source's (lines,
 * errors, cut, dropped); the others stay NULL. */
void lt_stats_source(const lt_stats *st, const char *name, bool is_file, lt_source_stats *ret);

#endif
