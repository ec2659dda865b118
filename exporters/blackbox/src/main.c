/* omx-blackbox: a blackbox_exporter 0.28 compatible prober (/probe), with
 * passive capture metrics on /metrics when blackbox.yml has `passive:`. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <exporter/app.h>

#include "server.h"

#ifndef OMX_VERSION
#define OMX_VERSION "unknown"
#endif

typedef struct opts {
    const char *config_file;
    bool config_check;
    double timeout_offset;
    const char *log_prober;
    bool auto_reload;
    long auto_reload_interval;
    long history_limit;
    const char *external_url;
    const char *route_prefix;
    long max_concurrent;
    const char *const *allowed;
    const char *read_file;
    const char *passive_format;
} opts;

static int declare(omx_app *app, opts *o) {
    int rc = 0;
#define F(call)  \
    if (rc == 0) \
    rc = (call)
    F(omx_app_flag_string(app, "config.file", &o->config_file,
                          "Blackbox exporter configuration file."));
    F(omx_app_flag_bool(app, "config.check", &o->config_check,
                        "If true validate the config file and then exit."));
    F(omx_app_flag_double(app, "timeout-offset", &o->timeout_offset,
                          "Offset to subtract from timeout in seconds."));
    F(omx_app_flag_string(app, "log.prober", &o->log_prober,
                          "Log level for probe request logs. One of: [debug, info, warn, error]."));
    F(omx_app_flag_bool(app, "config.enable-auto-reload", &o->auto_reload,
                        "Reload the configuration file every --config.auto-reload-interval "
                        "seconds when it changed."));
    F(omx_app_flag_int(app, "config.auto-reload-interval", &o->auto_reload_interval,
                       "Interval in seconds of the automatic reload check."));
    F(omx_app_flag_int(app, "history.limit", &o->history_limit,
                       "The maximum amount of items to keep in the history."));
    F(omx_app_flag_string(app, "web.external-url", &o->external_url,
                          "The URL under which Blackbox exporter is externally reachable; its "
                          "path prefixes every endpoint."));
    F(omx_app_flag_string(app, "web.route-prefix", &o->route_prefix,
                          "Prefix for the internal routes of web endpoints. Defaults to path of "
                          "--web.external-url."));
    F(omx_app_flag_int(app, "probe.max-concurrent", &o->max_concurrent,
                       "Most probes running at once; past it /probe answers 503 (0: no limit)."));
    F(omx_app_flag_strings(app, "probe.allowed-targets", &o->allowed,
                           "Targets a probe may reach after resolution: CIDRs and host patterns "
                           "('*.example.com'), repeatable or comma-separated. Default: any."));
    F(omx_app_flag_string(app, "passive.read-file", &o->read_file,
                          "Read a pcap/pcapng capture, print the passive metrics and exit."));
    F(omx_app_flag_string(app, "passive.format", &o->passive_format,
                          "Output of --passive.read-file: prometheus or openmetrics."));
#undef F
    return rc;
}

/* "/" or "/path/" from --web.route-prefix or the path of --web.external-url. */
static void route_prefix(const opts *o, char *buf, size_t size) {
    const char *p = o->route_prefix && *o->route_prefix ? o->route_prefix : NULL;
    if (!p && o->external_url && *o->external_url) {
        const char *scheme = strstr(o->external_url, "://");
        const char *host = scheme ? scheme + 3 : o->external_url;
        p = strchr(host, '/');
    }
    if (!p)
        p = "/";
    while (*p == '/')
        p++;
    size_t len = strlen(p);
    while (len && p[len - 1] == '/')
        len--;
    if (!len)
        snprintf(buf, size, "/");
    else
        snprintf(buf, size, "/%.*s/", (int)len, p);
}

static int on_sighup(void *userdata) {
    bb_server *s = userdata;
    char err[1200];
    int rc = bb_server_reload(s, err, sizeof err);
    if (rc < 0)
        omx_log(OMX_LOG_ERROR, "Error reloading config", "err", err, NULL);
    else
        omx_log(OMX_LOG_INFO, "Reloaded config file", NULL);
    return rc;
}

typedef struct auto_reload {
    bb_server *s;
    long interval_s;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    pthread_t thread;
} auto_reload;

static void *auto_reload_main(void *arg) {
    auto_reload *a = arg;
    pthread_mutex_lock(&a->mu);
    while (!a->stop) {
        struct timespec dl;
        clock_gettime(CLOCK_MONOTONIC, &dl);
        dl.tv_sec += a->interval_s;
        while (!a->stop && pthread_cond_timedwait(&a->cv, &a->mu, &dl) != ETIMEDOUT)
            ;
        if (a->stop)
            break;
        pthread_mutex_unlock(&a->mu);
        on_sighup(a->s);
        pthread_mutex_lock(&a->mu);
    }
    pthread_mutex_unlock(&a->mu);
    return NULL;
}

static int read_passive_file(const opts *o, bool config_given) {
    char err[1200];
    bb_config *c = NULL;
    if (strcmp(o->passive_format, "prometheus") && strcmp(o->passive_format, "openmetrics")) {
        fprintf(stderr,
                "omx-blackbox: --passive.format: want prometheus or openmetrics, not '%s'\n",
                o->passive_format);
        return 1;
    }
    if (config_given || access(o->config_file, F_OK) == 0) {
        if (bb_config_load(o->config_file, &c, err, sizeof err) < 0) {
            fprintf(stderr, "omx-blackbox: %s\n", err);
            return 1;
        }
    }
    int rc = bb_wire_read_file(bb_config_passive(c), o->read_file,
                               !strcmp(o->passive_format, "openmetrics"), STDOUT_FILENO, err,
                               sizeof err);
    bb_config_unref(c);
    if (rc < 0) {
        fprintf(stderr, "omx-blackbox: %s\n", err);
        return 1;
    }
    return 0;
}

static int telemetry_under_prefix(omx_request *req, void *userdata) {
    return omx_respond_registry(req, omx_app_registry(userdata));
}

int main(int argc, char **argv) {
    opts o = {.config_file = "blackbox.yml",
              .timeout_offset = 0.5,
              .log_prober = "info",
              .auto_reload_interval = 30,
              .history_limit = 100,
              .external_url = "",
              .route_prefix = "",
              .max_concurrent = 100,
              .passive_format = "prometheus"};
    omx_app *app = omx_app_new(&(omx_app_info){
        .name = "omx-blackbox",
        .version = OMX_VERSION,
        .default_listen = ":9115",
        .description = "Prometheus blackbox prober (blackbox_exporter compatible).",
    });
    if (!app) {
        fputs("omx-blackbox: out of memory\n", stderr);
        return 1;
    }
    int rc = declare(app, &o);
    if (rc == 0)
        rc = omx_app_parse(app, argc, argv);
    if (rc != 0) {
        omx_app_free(app);
        return rc < 0 ? 1 : 0;
    }
    if (o.read_file) {
        bb_plugin_allow(1u << BB_PLUGIN_WIRE); /* no probe runs in this mode */
        rc = read_passive_file(&o, omx_app_flag_given(app, "config.file"));
        omx_app_free(app);
        return rc;
    }

    char err[1200], prefix[512];
    omx_log_level prober_level;
    if (omx_log_parse_level(o.log_prober, &prober_level) < 0) {
        omx_log(OMX_LOG_WARN, "Error setting log prober level, log prober level unchanged", "err",
                "want debug, info, warn or error", "current_level", "info", NULL);
        prober_level = OMX_LOG_INFO;
    }
    if (o.history_limit < 0 || o.max_concurrent < 0 || o.auto_reload_interval < 1 ||
        o.history_limit > 100000) {
        fputs("omx-blackbox: --history.limit, --probe.max-concurrent want >= 0 (history at most "
              "100000), --config.auto-reload-interval >= 1\n",
              stderr);
        omx_app_free(app);
        return 1;
    }
    bb_allow *allow = NULL;
    if (bb_allow_parse(o.allowed, &allow, err, sizeof err) < 0) {
        fprintf(stderr, "omx-blackbox: %s\n", err);
        omx_app_free(app);
        return 1;
    }

    bb_server s = {.app = app,
                   .config_path = o.config_file,
                   .timeout_offset = o.timeout_offset,
                   .max_concurrent = o.max_concurrent,
                   .rt = {.allow = allow, .log_prober = (int)prober_level}};
    omx_registry *reg = omx_app_registry(app);
    if ((rc = bb_server_init(&s, o.config_check ? NULL : reg)) < 0) {
        omx_log(OMX_LOG_ERROR, "start-up failed", "err", omx_strerror(rc), NULL);
        goto done;
    }
    omx_log(OMX_LOG_INFO, "Starting blackbox_exporter", "version", OMX_VERSION, NULL);
    if ((rc = bb_server_reload(&s, err, sizeof err)) < 0) {
        omx_log(OMX_LOG_ERROR, "Error loading config", "err", err, NULL);
        goto done;
    }
    if (o.config_check) {
        omx_log(OMX_LOG_INFO, "Config file is ok exiting...", NULL);
        goto done;
    }
    omx_log(OMX_LOG_INFO, "Loaded config file", NULL);
    if (!(s.hist = bb_history_new((size_t)o.history_limit))) {
        rc = OMX_ENOMEM;
        goto done;
    }

    route_prefix(&o, prefix, sizeof prefix);
    static const struct {
        const char *path;
        omx_handler_fn fn;
    } pages[] = {{"probe", bb_handle_probe},
                 {"config", bb_handle_config},
                 {"logs", bb_handle_logs},
                 {"-/healthy", bb_handle_healthy},
                 {"", bb_handle_landing}};
    char path[600];
    for (size_t i = 0; i < sizeof pages / sizeof pages[0] && rc == 0; i++) {
        snprintf(path, sizeof path, "%s%s", prefix, pages[i].path);
        rc = omx_app_handle(app, path, pages[i].fn, &s);
    }
    snprintf(path, sizeof path, "%s-/reload", prefix);
    if (rc == 0)
        rc = omx_app_handle_any_method(app, path, bb_handle_reload, &s);
    if (rc == 0 && strcmp(prefix, "/")) {
        snprintf(path, sizeof path, "%smetrics", prefix);
        rc = omx_app_handle(app, path, telemetry_under_prefix, app);
        if (rc == 0)
            rc = omx_app_handle(app, "/", bb_handle_landing, &s);
    }
    if (rc == 0)
        rc = omx_app_add_workers(app, o.max_concurrent > 0 ? (size_t)o.max_concurrent : 256);
    if (rc == 0)
        rc = omx_build_info_register_program(reg, "blackbox_exporter", OMX_VERSION);
    if (rc == 0)
        rc = omx_process_collector_register(reg, NULL);
    if (rc == 0)
        rc = omx_app_on_reload(app, on_sighup, &s);
    wire *w = NULL;
    bb_config *c = bb_server_config(&s);
    if (rc == 0 && bb_config_passive(c))
        rc = bb_wire_start(bb_config_passive(c), reg, &w);
    bb_config_unref(c);
    if (rc < 0) {
        omx_log(OMX_LOG_ERROR, "start-up failed", "err", omx_strerror(rc), NULL);
        goto done;
    }

    auto_reload ar = {.s = &s, .interval_s = o.auto_reload_interval};
    bool ar_running = false;
    if (o.auto_reload) {
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&ar.cv, &ca);
        pthread_condattr_destroy(&ca);
        pthread_mutex_init(&ar.mu, NULL);
        ar_running = pthread_create(&ar.thread, NULL, auto_reload_main, &ar) == 0;
    }
    rc = omx_app_run(app);
    if (ar_running) {
        pthread_mutex_lock(&ar.mu);
        ar.stop = true;
        pthread_cond_signal(&ar.cv);
        pthread_mutex_unlock(&ar.mu);
        pthread_join(ar.thread, NULL);
    }
    bb_wire_stop(w);
    omx_app_free(app);
    bb_server_clear(&s);
    bb_allow_free(allow);
    return rc;
done:
    omx_app_free(app);
    bb_server_clear(&s);
    bb_allow_free(allow);
    return rc < 0 ? 1 : 0;
}
