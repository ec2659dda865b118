/* omx-logtail's inputs: log files and globs (inotify, polling fallback,
 * rotation, truncation), named pipes, stdin, socket listeners and the systemd
 * journal, read by one loop thread that hands every line to one callback.
 *
 * Sources (lt_inputs_add_log): a path or glob; "-" for stdin; unix:///path,
 * unixgram:///path, tcp://host:port, udp://host:port for sockets logtail
 * listens on (a stream connection is a line stream, a datagram holds lines).
 * The journal: lt_inputs_add_journal with sd-journal match expressions.
 *
 * Threads: lt_inputs_run runs the loop on the calling thread and calls the
 * line and tick callbacks there only; lt_inputs_stop, lt_inputs_call and
 * lt_inputs_update_lag may be called from any other thread while it runs. Everything else before
 * lt_inputs_run or after it has returned.
 */
#ifndef LT_INPUTS_H
#define LT_INPUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exporter/exporter.h"
#include "exporter/regex.h"
#include "lang/lang.h"

typedef struct lt_inputs lt_inputs;

/* Receives one line (borrowed for the call). A negative return is logged
 * once per code; reading goes on. */
typedef int lt_line_fn(void *ctx, const lt_line *line);
/* Called from the loop at every tick with the wall clock (ns since the epoch). */
typedef void lt_tick_fn(void *ctx, int64_t now_ns);

typedef struct lt_inputs_opts {
    size_t max_line;           /* line cap in bytes; 0 = 1 MiB */
    int64_t poll_interval_ns;  /* how often every file is checked besides inotify; 0 = 1 s */
    bool poll_only;            /* no inotify (filesystems without it, tests) */
    const char *state_path;    /* --state-file, NULL = none (borrowed) */
    const char *journal_dir;   /* read journal files there, NULL = the system journal */
    bool journal_message_only; /* journal lines are MESSAGE alone, not syslog's short form */
    const omx_regex *ignore;   /* file names (not paths) to leave out; borrowed, may be NULL */
    omx_registry *reg;         /* self metrics go here (borrowed; NULL = none) */
    size_t max_connections;    /* open connections per stream listener; 0 = 256 */
    int64_t rotate_grace_ns;   /* a rotated file is still read this long; 0 = 5 s */
    lt_line_fn *line_fn;       /* required */
    lt_tick_fn *tick_fn;       /* may be NULL */
    void *ctx;                 /* both callbacks' ctx */
} lt_inputs_opts;

/* Creates the inputs (opts copied; its pointers borrowed). NULL on -ENOMEM. */
lt_inputs *lt_inputs_new(const lt_inputs_opts *opts);
/* Closes every source and frees. Accepts NULL; returns NULL. */
lt_inputs *lt_inputs_free(lt_inputs *in);

/* Adds a source spec (see above; copied). Sockets are bound here. Returns 0,
 * OMX_EINVAL (bad spec), -errno of bind/listen, or -ENOMEM. */
int lt_inputs_add_log(lt_inputs *in, const char *spec);
/* Adds a journal match ("FIELD=value", "+" for a disjunction as journalctl's,
 * "all" for every entry); the first call opens the journal. Returns 0,
 * OMX_EINVAL (bad match) or sd-journal's -errno. */
int lt_inputs_add_journal(lt_inputs *in, const char *match);

/* One shot: reads every file, pipe and stdin from its start to its end and
 * the journal from its head, then returns (sockets are left out). Returns 0
 * or -ENOMEM; unreadable sources are logged and counted. */
int lt_inputs_read_all(lt_inputs *in);

/* Sets up tailing: files present now are placed at their end (or at the
 * state file's offset; what a file rotated while stopped still held is read
 * now), the journal at its end or saved cursor; files appearing later will be
 * read from their start. Called by lt_inputs_run if not before; calling it
 * first (on any thread) makes "present now" mean before the call returns.
 * Returns 0 or -errno of the loop's own set-up. */
int lt_inputs_start(lt_inputs *in);
/* Tails until lt_inputs_stop (lt_inputs_start first if it was not called).
 * Saves the state file as it goes and when stopped. Returns 0 or -errno. */
int lt_inputs_run(lt_inputs *in);
/* Sets logtail_log_lag_bytes of every file to its size now minus the read
 * position: for a scrape thread, right before the scrape. */
void lt_inputs_update_lag(lt_inputs *in);
/* Makes lt_inputs_run return soon. Async-signal-safe. */
void lt_inputs_stop(lt_inputs *in);
/* Runs fn(arg) on the loop thread between two lines and returns its result
 * (directly when the loop is not running). For program reloads. */
int lt_inputs_call(lt_inputs *in, int (*fn)(void *arg), void *arg);

#endif
