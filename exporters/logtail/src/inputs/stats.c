/* Self metrics; see stats.h. */
#include "stats.h"

#include <string.h>

static const char *const logfile_label[] = {"logfile"};

static int family(omx_registry *reg, omx_type type, const char *name, const char *help,
                  bool labelled, omx_family **ret) {
    omx_family_opts o = {.type = type, .name = name, .help = help};
    if (labelled) {
        o.label_names = logfile_label;
        o.n_labels = 1;
    }
    return omx_family_new(reg, &o, ret);
}

int lt_stats_init(lt_stats *st, omx_registry *reg) {
    memset(st, 0, sizeof *st);
    if (!reg)
        return 0;
    struct {
        omx_family **f;
        omx_type type;
        const char *name, *help;
        bool labelled;
    } defs[] = {
        {&st->lines, OMX_COUNTER, "mtail_lines_total", "Lines handed to the programs.", false},
        {&st->log_lines, OMX_COUNTER, "mtail_log_lines_total", "Lines read per log source.", true},
        {&st->rotations, OMX_COUNTER, "mtail_log_rotations_total",
         "Rotations (the path names a new file) seen per log file.", true},
        {&st->truncates, OMX_COUNTER, "mtail_log_truncates_total",
         "Truncations (copytruncate, > file) seen per log file.", true},
        {&st->errors, OMX_COUNTER, "mtail_log_errors_total", "Open and read errors per log source.",
         true},
        {&st->count, OMX_GAUGE, "mtail_log_count", "Log sources open.", false},
        {&st->cut, OMX_COUNTER, "logtail_lines_cut_total",
         "Lines longer than --max-line-length, cut at it.", true},
        {&st->lag, OMX_GAUGE, "logtail_log_lag_bytes",
         "Bytes between the read position and the end of each log file.", true},
        {&st->dropped, OMX_COUNTER, "logtail_connections_dropped_total",
         "Connections to a socket source closed at once: too many open.", true},
    };
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
        int rc = family(reg, defs[i].type, defs[i].name, defs[i].help, defs[i].labelled, defs[i].f);
        if (rc < 0)
            return rc;
    }
    (void)omx_family_get(st->lines, NULL, &st->lines_all);
    (void)omx_family_get(st->count, NULL, &st->count_all);
    return 0;
}

static omx_series *get(omx_family *f, const char *name) {
    omx_series *s = NULL;
    if (f && omx_family_get(f, (const char *const[]){name}, &s) < 0)
        s = NULL;
    return s;
}

void lt_stats_source(const lt_stats *st, const char *name, bool is_file, lt_source_stats *ret) {
    memset(ret, 0, sizeof *ret);
    ret->lines = get(st->log_lines, name);
    ret->errors = get(st->errors, name);
    ret->cut = get(st->cut, name);
    if (is_file) {
        ret->rotations = get(st->rotations, name);
        ret->truncates = get(st->truncates, name);
        ret->lag = get(st->lag, name);
    } else {
        ret->dropped = get(st->dropped, name);
    }
}
