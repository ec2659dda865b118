/* omx-logtail's language: programs in mtail's language compiled to a small VM,
 * run against log lines, their metrics kept in a store the exporter serves.
 *
 * The boundary between the language (src/lang/) and the runtime (src/inputs/,
 * src/main.c): the runtime reads lines and hands them over one at a time; the
 * language owns programs, their metrics and how they are exported.
 *
 * Threads: lt_progset_run and lt_progset_load are called from one thread at a
 * time (the runtime's line loop); lt_progset_collect and
 * lt_progset_write_json may run at the same time on scrape threads.
 * Errors are 0 or a negative errno / OMX_E* code (exporter/error.h).
 */
#ifndef LT_LANG_H
#define LT_LANG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exporter/exporter.h"

typedef struct lt_progset lt_progset;

typedef struct lt_options {
    bool emit_prog_label;         /* add prog="<file name>" to every series (mtail default: on) */
    const char *override_tz;      /* strptime's timezone when the layout has none; NULL = local */
    uint32_t regex_match_limit;   /* PCRE2 match limit per regex run; 0 = a safe default */
    size_t default_series_limit;  /* cap on series per metric without `limit N`; 0 = unlimited */
    bool syslog_use_current_year; /* strptime without a year takes the current year (mtail) */
    bool emit_metric_timestamp;   /* samples carry their last update time (mtail's
                                     --emit_metric_timestamp; histograms never do) */
} lt_options;

/* One log line. text is not NUL-terminated and has no line ending. */
typedef struct lt_line {
    const char *text;
    size_t len;
    const char *filename; /* what getfilename() returns; borrowed for the call */
    int64_t time_ns;      /* wall clock when read; timestamp() without settime() */
} lt_line;

/* Creates an empty set. opt is copied (its strings must outlive the set).
 * Returns NULL on allocation failure. */
lt_progset *lt_progset_new(const lt_options *opt);
/* Frees the set, its programs and metrics. Accepts NULL; returns NULL. */
lt_progset *lt_progset_free(lt_progset *set);

/* Reports one compile error: "file:line:col: what was expected" (no newline). */
typedef void lt_error_fn(void *ctx, const char *msg);

/* Compiles program text under name (the file name, used in errors, HELP and the
 * prog label) and adds it, replacing a program of the same name. If the text
 * is unchanged from the loaded program, keeps it and its metrics. A program
 * that fails to compile is not added (the old one, if any, stays) and every
 * error goes to err_fn. Returns 0 or OMX_ECONFIG (compile errors), -ENOMEM. */
int lt_progset_load(lt_progset *set, const char *name, const char *text, size_t len,
                    lt_error_fn *err_fn, void *err_ctx);
/* Loads every *.mtail file of dir (or one file) with lt_progset_load and drops
 * loaded programs whose file is gone. Returns 0 if all compiled, OMX_ECONFIG
 * if some did not (the others are loaded), or -errno for an unreadable dir. */
int lt_progset_load_path(lt_progset *set, const char *path, lt_error_fn *err_fn, void *err_ctx);
/* Number of programs loaded. */
size_t lt_progset_count(const lt_progset *set);

/* Runs every program against one line. Runtime errors (failed conversion,
 * regex match limit, series limit) are counted per program, never fatal.
 * Returns 0, or -ENOMEM. */
int lt_progset_run(lt_progset *set, const lt_line *line);
/* Runs time-based work (del ... after DURATION expiry) as of now_ns. */
void lt_progset_tick(lt_progset *set, int64_t now_ns);

/* An omx_collect_fn exporting every program's metrics (and
 * mtail_prog_runtime_errors_total{prog} and the loaded-program metrics);
 * userdata is the set. The runtime registers it with
 * omx_registry_add_collector(reg, "logtail", lt_progset_collect, set, NULL)
 * and frees the registry before the set. */
int lt_progset_collect(omx_emitter *e, void *set);
/* Writes mtail's /json export of every metric into buf (grown up to max
 * bytes). Returns 0, -ENOMEM or OMX_ELIMIT. */
int lt_progset_write_json(lt_progset *set, omx_buf *buf, size_t max);

#endif
