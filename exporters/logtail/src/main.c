/* omx-logtail: mtail programs run against log lines, their metrics served on
 * /metrics (and mtail's /json); mtail's command line accepted as it is. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exporter/app.h"
#include "inputs/inputs.h"
#include "lang/lang.h"
#include "mtailargs.h"

#define LT_JSON_MAX (256u << 20)

typedef struct logtail {
    lt_progset *set;
    lt_inputs *in;
    const char *progs;
    bool compile_failed;
} logtail;

static void compile_error(void *ctx, const char *msg) {
    logtail *lt = ctx;
    lt->compile_failed = true;
    omx_log(OMX_LOG_ERROR, "compile error", "err", msg, NULL);
}

static int run_line(void *ctx, const lt_line *line) { return lt_progset_run(ctx, line); }

static void run_tick(void *ctx, int64_t now_ns) { lt_progset_tick(ctx, now_ns); }

static int load(void *userdata) {
    logtail *lt = userdata;
    lt->compile_failed = false;
    int rc = lt_progset_load_path(lt->set, lt->progs, compile_error, lt);
    if (rc < 0 && rc != OMX_ECONFIG)
        omx_log(OMX_LOG_ERROR, "cannot read programs", "path", lt->progs, "err", omx_strerror(rc),
                NULL);
    else
        omx_log(OMX_LOG_INFO, "programs loaded", "path", lt->progs, NULL);
    return rc;
}

static int reload(void *userdata) {
    logtail *lt = userdata;
    return lt_inputs_call(lt->in, load, lt);
}

static int serve_json(omx_request *req, void *userdata) {
    logtail *lt = userdata;
    omx_buf b;
    omx_buf_init(&b, LT_JSON_MAX);
    int rc = lt_progset_write_json(lt->set, &b, LT_JSON_MAX);
    if (rc == 0)
        rc = omx_respond(req, 200, "application/json", b.data ? b.data : "", b.len);
    omx_buf_free(&b);
    return rc;
}

/* Before every scrape: the lag of each file as of now. */
static int before_scrape(omx_request *req, omx_collector_pick_fn *pick, void **pick_ctx,
                         void *userdata) {
    (void)req;
    (void)pick;
    (void)pick_ctx;
    lt_inputs_update_lag(((logtail *)userdata)->in);
    return 0;
}

static int stdout_sink(void *ctx, const char *data, size_t len) {
    (void)ctx;
    return fwrite(data, 1, len, stdout) == len ? 0 : OMX_EIO;
}

/* --one_shot: every input from its start, the metrics to stdout. */
static int one_shot(logtail *lt, const char *format) {
    int rc = lt_inputs_read_all(lt->in);
    if (rc < 0)
        return rc;
    if (strcmp(format, "json") == 0) {
        omx_buf b;
        omx_buf_init(&b, SIZE_MAX / 2);
        rc = lt_progset_write_json(lt->set, &b, SIZE_MAX / 2);
        if (rc == 0 && b.len && fwrite(b.data, 1, b.len, stdout) != b.len)
            rc = OMX_EIO;
        omx_buf_free(&b);
    } else {
        /* the programs' metrics alone, as mtail prints them */
        omx_registry *r = omx_registry_new();
        if (!r)
            return -ENOMEM;
        rc = omx_registry_add_collector(r, "logtail", lt_progset_collect, lt->set, NULL);
        if (rc == 0)
            rc = omx_registry_write(r, NULL, stdout_sink, NULL);
        omx_registry_free(r);
    }
    if (fflush(stdout) != 0 && rc == 0)
        rc = OMX_EIO;
    return rc;
}

static void *loop_main(void *arg) {
    logtail *lt = arg;
    int rc = lt_inputs_run(lt->in);
    if (rc < 0)
        omx_log(OMX_LOG_ERROR, "input loop failed", "err", omx_strerror(rc), NULL);
    return NULL;
}

/* Flags of mtail that change nothing here (logging goes to stderr, Go
 * runtime knobs, dumps, intervals of work done otherwise). */
static const char *const ignored_strings[] = {
    "v",
    "vmodule",
    "log_dir",
    "stderrthreshold",
    "log_backtrace_at",
    "mtailDebug",
    "block_profile_rate",
    "mutex_profile_fraction",
    "trace_sample_period",
    "max_recursion_depth",
    "max_regexp_length",
    "expired_metrics_gc_interval",
    "stale_log_gc_interval",
    "metric_push_interval",
    "metric_push_interval_seconds",
    "metric_push_write_deadline",
};
static const char *const ignored_bools[] = {
    "logtostderr",    "alsologtostderr", "disable_fsnotify",       "dump_ast",
    "dump_ast_types", "dump_bytecode",   "vm_logs_runtime_errors",
};
/* mtail's push exporters and its HTTP on a unix socket: refused by name. */
static const char *const unsupported[] = {
    "collectd_socketpath", "collectd_prefix", "graphite_host_port", "graphite_prefix",
    "statsd_hostport",     "statsd_prefix",   "unix_socket",
};

typedef struct flags {
    const char *progs, *one_shot_format, *port, *address, *override_tz, *poll_interval,
        *poll_log_interval, *state_file, *journal_dir, *ignore_re;
    const char *const *logs, *const *journal;
    bool one_shot, compile_only, emit_prog_label, syslog_current_year, journal_message_only,
        inotify, emit_timestamp;
    long max_line, max_conns, series_limit, match_limit;
    const char *ign_s[sizeof ignored_strings / sizeof ignored_strings[0]];
    bool ign_b[sizeof ignored_bools / sizeof ignored_bools[0]];
    const char *unsup[sizeof unsupported / sizeof unsupported[0]];
} flags;

static int declare(omx_app *app, flags *f) {
    int rc = 0;
    rc |= omx_app_flag_string(app, "progs", &f->progs,
                              "Directory (or file) of mtail programs (*.mtail).");
    rc |= omx_app_flag_strings(app, "logs", &f->logs,
                               "Log files or globs to read, comma-separated; - for stdin; "
                               "unix://, unixgram://, tcp://, udp:// for sockets to listen on.");
    rc |= omx_app_flag_strings(app, "journal", &f->journal,
                               "Read the systemd journal: a match FIELD=value (same field: "
                               "either, other fields: both), + for a disjunction, all for "
                               "every entry.");
    rc |= omx_app_flag_string(app, "journal.directory", &f->journal_dir,
                              "Read the journal files of this directory instead of the "
                              "system journal.");
    rc |= omx_app_flag_bool(app, "journal.message-only", &f->journal_message_only,
                            "Journal lines are the MESSAGE field alone, not syslog's short "
                            "form with time, host and identifier.");
    rc |= omx_app_flag_string(app, "state-file", &f->state_file,
                              "Keep read positions (files, journal cursor) here so a restart "
                              "goes on where it stopped.");
    rc |= omx_app_flag_bool(app, "one_shot", &f->one_shot,
                            "Read every log from its start, print the metrics, exit.");
    rc |= omx_app_flag_string(app, "one_shot_format", &f->one_shot_format,
                              "Output of --one_shot: json or prometheus.");
    rc |= omx_app_flag_bool(app, "compile_only", &f->compile_only,
                            "Compile the programs, report errors, exit.");
    rc |= omx_app_flag_string(app, "port", &f->port,
                              "HTTP port (mtail's spelling; with --address it makes "
                              "--web.listen-address).");
    rc |= omx_app_flag_string(app, "address", &f->address, "HTTP address (mtail's spelling).");
    rc |= omx_app_flag_bool(app, "emit_prog_label", &f->emit_prog_label,
                            "Label every program metric with prog=\"<file>\".");
    rc |= omx_app_flag_bool(app, "emit_metric_timestamp", &f->emit_timestamp,
                            "Samples carry the time of their last update.");
    rc |= omx_app_flag_string(app, "override_timezone", &f->override_tz,
                              "Time zone of strptime() for times without one.");
    rc |= omx_app_flag_bool(app, "syslog_use_current_year", &f->syslog_current_year,
                            "Times without a year get the current one.");
    rc |= omx_app_flag_string(app, "poll_interval", &f->poll_interval,
                              "Check every log file this often besides inotify's events.");
    rc |= omx_app_flag_string(app, "poll_log_interval", &f->poll_log_interval,
                              "Accepted for mtail; globs are looked at every --poll_interval.");
    rc |= omx_app_flag_string(app, "ignore_filename_regex_pattern", &f->ignore_re,
                              "Leave out files whose name matches this regex.");
    rc |= omx_app_flag_bool(app, "inotify", &f->inotify,
                            "Watch log directories with inotify (else poll only).");
    rc |= omx_app_flag_int(app, "max-line-length", &f->max_line,
                           "Lines longer than this many bytes are cut (and counted).");
    rc |= omx_app_flag_int(app, "max-connections", &f->max_conns,
                           "Open connections per stream socket source.");
    rc |= omx_app_flag_int(app, "series-limit", &f->series_limit,
                           "Series per metric without its own limit (0: none).");
    rc |= omx_app_flag_int(app, "regex-match-limit", &f->match_limit,
                           "PCRE2 match limit per regex run (0: the default).");
    rc |= omx_app_flag_hide(app, "poll_log_interval");
    for (size_t i = 0; i < sizeof ignored_strings / sizeof ignored_strings[0]; i++) {
        rc |= omx_app_flag_string(app, ignored_strings[i], &f->ign_s[i], "Ignored (mtail).");
        rc |= omx_app_flag_hide(app, ignored_strings[i]);
    }
    for (size_t i = 0; i < sizeof ignored_bools / sizeof ignored_bools[0]; i++) {
        rc |= omx_app_flag_bool(app, ignored_bools[i], &f->ign_b[i], "Ignored (mtail).");
        rc |= omx_app_flag_hide(app, ignored_bools[i]);
    }
    for (size_t i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++) {
        rc |= omx_app_flag_string(app, unsupported[i], &f->unsup[i], "Not supported (mtail).");
        rc |= omx_app_flag_hide(app, unsupported[i]);
    }
    return rc ? OMX_EINVAL : 0;
}

static int add_logs(lt_inputs *in, const char *const *logs) {
    for (const char *const *l = logs; l && *l; l++) {
        char *copy = strdup(*l), *save = NULL;
        if (!copy)
            return -ENOMEM;
        for (char *s = strtok_r(copy, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
            int rc = lt_inputs_add_log(in, s);
            if (rc < 0) {
                fprintf(stderr, "omx-logtail: --logs %s: %s\n", s, omx_strerror(rc));
                free(copy);
                return rc;
            }
        }
        free(copy);
    }
    return 0;
}

static int parse_interval(const char *name, const char *s, int64_t *ret) {
    if (omx_parse_duration(s, ret) < 0 || *ret < 0) {
        fprintf(stderr, "omx-logtail: invalid value '%s' for flag --%s: want a duration\n", s,
                name);
        return OMX_EINVAL;
    }
    return 0;
}

int main(int argc, char **argv) {
    flags f = {.one_shot_format = "json",
               .emit_prog_label = true,
               .syslog_current_year = true,
               .poll_interval = "250ms",
               .poll_log_interval = "250ms",
               .inotify = true,
               .max_line = 1 << 20,
               .max_conns = 256};
    omx_app *app = omx_app_new(&(omx_app_info){
        .name = "omx-logtail",
        .version = OMX_VERSION,
        .default_listen = ":3903",
        .description = "Prometheus exporter running mtail programs against log lines."});
    if (!app)
        return 1;
    int nargc = 0;
    char **owned = NULL;
    char **nargv = lt_mtail_args(argc, argv, &nargc, &owned);
    if (!nargv || declare(app, &f) < 0) {
        fprintf(stderr, "omx-logtail: cannot set up the flags\n");
        omx_app_free(app);
        return 1;
    }
    int rc = omx_app_parse(app, nargc, nargv);
    if (rc != 0) {
        omx_app_free(app);
        free(nargv);
        omx_strv_free(owned);
        return rc < 0 ? 1 : 0;
    }
    int status = 1;
    logtail lt = {.progs = f.progs};
    omx_regex *ignore = NULL;
    int64_t poll_ns = 0;
    for (size_t i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++)
        if (omx_app_flag_given(app, unsupported[i])) {
            fprintf(stderr, "omx-logtail: --%s is not supported (see docs/logtail.md)\n",
                    unsupported[i]);
            goto out;
        }
    if (!f.progs || !*f.progs) {
        fprintf(stderr, "omx-logtail: no program directory: use --progs\n");
        goto out;
    }
    if (strcmp(f.one_shot_format, "json") != 0 && strcmp(f.one_shot_format, "prometheus") != 0) {
        fprintf(stderr, "omx-logtail: --one_shot_format must be json or prometheus\n");
        goto out;
    }
    if (f.max_line < 1 || f.max_conns < 1 || f.series_limit < 0 || f.match_limit < 0 ||
        f.match_limit > UINT32_MAX) {
        fprintf(stderr, "omx-logtail: --max-line-length, --max-connections must be above 0, "
                        "--series-limit and --regex-match-limit not below\n");
        goto out;
    }
    if (parse_interval("poll_interval", f.poll_interval, &poll_ns) < 0)
        goto out;
    if (f.ignore_re && *f.ignore_re) {
        char err[256];
        if (omx_regex_new(f.ignore_re, 0, &ignore, err, sizeof err) < 0) {
            fprintf(stderr, "omx-logtail: --ignore_filename_regex_pattern: %s\n", err);
            goto out;
        }
    }
    lt.set = lt_progset_new(
        &(lt_options){.emit_prog_label = f.emit_prog_label,
                      .override_tz = f.override_tz && *f.override_tz ? f.override_tz : NULL,
                      .regex_match_limit = (uint32_t)f.match_limit,
                      .default_series_limit = (size_t)f.series_limit,
                      .syslog_use_current_year = f.syslog_current_year,
                      .emit_metric_timestamp = f.emit_timestamp});
    if (!lt.set)
        goto out;
    rc = load(&lt);
    if (f.compile_only) {
        status = rc == 0 ? 0 : 1;
        goto out;
    }
    if (rc < 0 && (f.one_shot || rc != OMX_ECONFIG))
        goto out; /* one-shot runs only programs that all compile, as mtail */
    bool daemon = !f.one_shot;
    omx_registry *reg = omx_app_registry(app);
    lt.in = lt_inputs_new(&(lt_inputs_opts){
        .max_line = (size_t)f.max_line,
        .poll_interval_ns = poll_ns,
        .poll_only = !f.inotify,
        .state_path = daemon && f.state_file && *f.state_file ? f.state_file : NULL,
        .journal_dir = f.journal_dir,
        .journal_message_only = f.journal_message_only,
        .ignore = ignore,
        .reg = daemon ? reg : NULL,
        .max_connections = (size_t)f.max_conns,
        .line_fn = run_line,
        .tick_fn = run_tick,
        .ctx = lt.set});
    if (!lt.in || add_logs(lt.in, f.logs) < 0)
        goto out;
    for (const char *const *j = f.journal; j && *j; j++)
        if ((rc = lt_inputs_add_journal(lt.in, *j)) < 0) {
            fprintf(stderr, "omx-logtail: --journal %s: %s\n", *j, omx_strerror(rc));
            goto out;
        }
    if (f.one_shot) {
        rc = one_shot(&lt, f.one_shot_format);
        if (rc < 0)
            fprintf(stderr, "omx-logtail: %s\n", omx_strerror(rc));
        status = rc < 0 ? 1 : 0;
        goto out;
    }
    if ((rc = omx_build_info_register_program(reg, "logtail", OMX_VERSION)) < 0 ||
        (rc = omx_process_collector_register(reg, NULL)) < 0 ||
        (rc = omx_registry_add_collector(reg, "logtail", lt_progset_collect, lt.set, NULL)) < 0 ||
        (rc = omx_app_handle(app, "/json", serve_json, &lt)) < 0 ||
        (rc = omx_app_on_reload(app, reload, &lt)) < 0 ||
        (rc = omx_app_on_scrape(app, before_scrape, &lt)) < 0) {
        fprintf(stderr, "omx-logtail: %s\n", omx_strerror(rc));
        goto out;
    }
    /* files present before serving starts are read from their end */
    if ((rc = lt_inputs_start(lt.in)) < 0) {
        fprintf(stderr, "omx-logtail: %s\n", omx_strerror(rc));
        goto out;
    }
    pthread_t loop;
    if (pthread_create(&loop, NULL, loop_main, &lt) != 0)
        goto out;
    status = omx_app_run(app);
    lt_inputs_stop(lt.in);
    pthread_join(loop, NULL);
out:
    /* the app's registry serves the programs' collector: freed before the set */
    omx_app_free(app);
    lt_inputs_free(lt.in);
    lt_progset_free(lt.set);
    omx_regex_free(ignore);
    free(nargv);
    omx_strv_free(owned);
    return status;
}
