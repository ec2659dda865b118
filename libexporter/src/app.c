/* omx_app: flags, logging set-up, the web config, signals, systemd
 * notifications and the serve loop (the HTTP side is in http.c). */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <malloc.h>
#include <time.h>
#include <unistd.h>

#include "app-internal.h"
#include "exporter/error.h"
#include "exporter/log.h"
#include "internal.h"
#include "sdnotify.h"
#include "app-push.h"
#include "serve-load.h"

/* One malloc arena for the whole process: each thread that allocates (HTTP
 * workers, collector pool, pusher) would otherwise get an arena of its own
 * that keeps its pages after a scrape. Scrapes allocate little, so the shared
 * lock costs nothing measurable. Set before any thread starts; a user's
 * MALLOC_ARENA_MAX or glibc.malloc.arena_max tunable wins. */
static void limit_malloc_arenas(void) {
    const char *t = getenv("GLIBC_TUNABLES");
    if (getenv("MALLOC_ARENA_MAX") || (t && strstr(t, "arena_max")))
        return;
    mallopt(M_ARENA_MAX, 1);
}

omx_app *omx_app_new(const omx_app_info *info) {
    omx_app *app;
    int rc = 0;

    if (!info || !info->name)
        return NULL;
    limit_malloc_arenas();
    app = calloc(1, sizeof *app);
    if (!app)
        return NULL;
    app->info = *info;
    if (!app->info.version)
        app->info.version = "unknown";
    if (!app->info.description)
        app->info.description = "";
    app->default_listen[0] = info->default_listen ? info->default_listen : ":9100";
    app->listen = app->default_listen;
    app->telemetry_path = "/metrics";
    app->web_config_file = "";
    app->max_requests = 40;
    app->read_header_timeout_s = 5;
    app->idle_timeout_s = 120;
    app->shutdown_grace_s = 5;
    app->max_connections = 16384;
    app->log_level = "info";
    app->log_format = "logfmt";
    atomic_init(&app->in_flight, 0);
    atomic_init(&app->stopping, false);
    atomic_init(&app->answering, 0);
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    /* A reload must not starve behind a steady stream of requests. */
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&app->webcfg_lock, &attr);
    pthread_rwlockattr_destroy(&attr);
    app->reg = omx_registry_new();
    if (!app->reg) {
        free(app);
        return NULL;
    }
    omx__flags *fs = &app->flags;
    if (!rc)
        rc = omx__flags_add(fs, OMX__FLAG_STRINGS, "web.listen-address", &app->listen,
                            "Addresses on which to expose metrics and web interface.");
    if (!rc)
        rc = omx__flags_add(fs, OMX__FLAG_STRING, "web.telemetry-path", &app->telemetry_path,
                            "Path under which to expose metrics.");
    if (!rc)
        rc = omx__flags_add(fs, OMX__FLAG_STRING, "web.config.file", &app->web_config_file,
                            "Path to configuration file that can enable TLS or authentication.");
    if (!rc)
        rc = omx__flags_add(fs, OMX__FLAG_BOOL, "web.systemd-socket", &app->systemd_socket,
                            "Use systemd socket activation listeners instead of port listeners.");
    if (!rc)
        rc = omx__flags_add(fs, OMX__FLAG_INT, "web.max-requests", &app->max_requests,
                            "Maximum number of parallel scrape requests. Use 0 to disable.");
    if (!rc)
        rc = omx__flags_add(fs, OMX__FLAG_DURATION, "web.read-header-timeout",
                            &app->read_header_timeout_s,
                            "Time a client has from connecting (TLS handshake included) to "
                            "sending complete request headers; slower ones are disconnected.");
    if (!rc)
        rc = omx__flags_add(fs, OMX__FLAG_DURATION, "web.idle-timeout", &app->idle_timeout_s,
                            "Time a keep-alive connection has from the end of a request to "
                            "sending the headers of the next; also the longest silence on a "
                            "connection.");
    if (!rc)
        rc = omx__flags_add(fs, OMX__FLAG_INT, "web.max-connections", &app->max_connections,
                            "Maximum number of client connections held at once (capped by the "
                            "descriptor limit).");
    if (!rc)
        rc = omx__flags_add(fs, OMX__FLAG_INT, "web.max-connections-per-ip",
                            &app->max_connections_per_ip,
                            "Maximum number of connections from one client address. Use 0 to "
                            "disable.");
    if (!rc)
        rc = omx__flags_add(fs, OMX__FLAG_DURATION, "web.shutdown-grace", &app->shutdown_grace_s,
                            "On SIGTERM/SIGINT, time requests in progress get to finish before "
                            "the process exits anyway.");
    if (!rc)
        rc = omx__flags_add(fs, OMX__FLAG_STRING, "log.level", &app->log_level,
                            "Only log messages with the given severity or above. One of: "
                            "[debug, info, warn, error]");
    if (!rc)
        rc = omx__flags_add(fs, OMX__FLAG_STRING, "log.format", &app->log_format,
                            "Output format of log messages. One of: [logfmt, json]");
    if (!rc)
        rc = omx__app_push_flags(app);
    if (!rc)
        rc = omx__flags_add(fs, OMX__FLAG_BOOL, "version", &app->version,
                            "Show application version.");
    if (!rc)
        rc = omx__flags_add(fs, OMX__FLAG_BOOL, "help", &app->help, "Show context-sensitive help.");
    if (!rc)
        rc = omx__http_register_metrics(app);
    if (rc)
        return omx_app_free(app);
    return app;
}

omx_app *omx_app_free(omx_app *app) {
    if (!app)
        return NULL;
    omx__serve_stop(app, 1e18); /* nothing may still use what is freed below */
    omx__app_push_free(app);
    omx__flags_free(&app->flags);
    app->webcfg = omx__serve_webconfig_free(app->webcfg);
    for (size_t i = 0; i < app->n_handlers; i++)
        free(app->handlers[i].path);
    free(app->handlers);
    omx_registry_free(app->reg);
    pthread_rwlock_destroy(&app->webcfg_lock);
    free(app);
    return NULL;
}

static int add_flag(omx_app *app, omx__flag_kind k, const char *name, void *value,
                    const char *help) {
    if (!app || app->parsed)
        return OMX_EINVAL;
    int rc = omx__flags_add(&app->flags, k, name, value, help);
    return rc == OMX_ENOMEM ? OMX_ENOMEM : rc ? OMX_EINVAL : 0;
}

int omx_app_flag_bool(omx_app *app, const char *name, bool *value, const char *help) {
    return add_flag(app, OMX__FLAG_BOOL, name, value, help);
}

int omx_app_flag_string(omx_app *app, const char *name, const char **value, const char *help) {
    return add_flag(app, OMX__FLAG_STRING, name, (void *)value, help);
}

int omx_app_flag_strings(omx_app *app, const char *name, const char *const **values,
                         const char *help) {
    return add_flag(app, OMX__FLAG_STRINGS, name, (void *)values, help);
}

int omx_app_flag_int(omx_app *app, const char *name, long *value, const char *help) {
    return add_flag(app, OMX__FLAG_INT, name, value, help);
}

int omx_app_flag_double(omx_app *app, const char *name, double *value, const char *help) {
    return add_flag(app, OMX__FLAG_DOUBLE, name, value, help);
}

bool omx_app_flag_given(const omx_app *app, const char *name) {
    if (!app || !name)
        return false;
    const omx__flag *f = omx__flags_find((omx__flags *)&app->flags, name);
    return f && f->seen;
}

int omx_app_flag_hide(omx_app *app, const char *name) {
    omx__flag *f = app && name ? omx__flags_find(&app->flags, name) : NULL;
    if (!f)
        return OMX_EINVAL;
    f->hidden = true;
    return 0;
}

static int parse_error(omx_app *app, int rc, const char *msg) {
    fprintf(stderr, "%s: error: %s\n", app->info.name, msg);
    return rc;
}

static const char *or_unknown(const char *s) { return s && *s ? s : "unknown"; }

/* prometheus/common's version.Print layout */
static void print_version(const omx_app *app) {
    const omx_build_facts *b = app->info.build;
    printf("%s, version %s", app->info.name, app->info.version);
    if (b) {
        char arch[65];
        printf(" (branch: %s, revision: %s)\n", or_unknown(b->branch), or_unknown(b->revision));
        printf("  build user:       %s\n", or_unknown(b->build_user));
        printf("  build date:       %s\n", or_unknown(b->build_date));
        printf("  compiler:         %s\n", or_unknown(b->compiler));
        printf("  platform:         linux/%s", omx_goarch(arch, sizeof arch));
    }
    putchar('\n');
    fflush(stdout);
}

int omx_app_parse(omx_app *app, int argc, char **argv) {
    char err[1024];
    omx_log_level level;
    omx_log_format format;
    int rc;

    if (!app || argc < 0 || (argc > 0 && !argv))
        return OMX_EINVAL;
    app->parsed = true;
    rc = omx__flags_parse(&app->flags, argc, argv, err, sizeof err);
    if (rc < 0)
        return parse_error(app, rc, err);
    if (app->help) {
        printf("usage: %s [<flags>]\n\n%s\n\n", app->info.name, app->info.description);
        omx__flags_usage(&app->flags, stdout);
        fflush(stdout);
        return 1;
    }
    if (app->version) {
        print_version(app);
        return 1;
    }
    if (omx_log_parse_level(app->log_level, &level) < 0) {
        snprintf(err, sizeof err,
                 "invalid value '%s' for flag --log.level: want debug, info, warn or error",
                 app->log_level);
        return parse_error(app, OMX_EINVAL, err);
    }
    if (omx_log_parse_format(app->log_format, &format) < 0) {
        snprintf(err, sizeof err, "invalid value '%s' for flag --log.format: want logfmt or json",
                 app->log_format);
        return parse_error(app, OMX_EINVAL, err);
    }
    omx_log_setup(level, format);
    if (app->telemetry_path[0] != '/' || !strcmp(app->telemetry_path, "/") ||
        !strncmp(app->telemetry_path, "/-/", 3)) {
        snprintf(err, sizeof err,
                 "invalid value '%s' for flag --web.telemetry-path: want a path starting "
                 "with / other than / and /-/...",
                 app->telemetry_path);
        return parse_error(app, OMX_EINVAL, err);
    }
    if (app->max_requests < 0) {
        snprintf(err, sizeof err, "invalid value '%ld' for flag --web.max-requests: want >= 0",
                 app->max_requests);
        return parse_error(app, OMX_EINVAL, err);
    }
    if (app->read_header_timeout_s <= 0 || app->idle_timeout_s <= 0) {
        snprintf(err, sizeof err, "invalid value for flag --web.%s: want a duration above 0",
                 app->read_header_timeout_s <= 0 ? "read-header-timeout" : "idle-timeout");
        return parse_error(app, OMX_EINVAL, err);
    }
    if (app->max_connections < 1 || app->max_connections_per_ip < 0) {
        snprintf(err, sizeof err, "invalid value for flag --web.max-connections%s: want %s",
                 app->max_connections < 1 ? "" : "-per-ip",
                 app->max_connections < 1 ? ">= 1" : ">= 0");
        return parse_error(app, OMX_EINVAL, err);
    }
    if (app->web_config_file[0]) {
        app->webcfg = omx__serve_webconfig_free(app->webcfg);
        rc = omx__serve_webconfig_load(app->web_config_file, &app->webcfg, err, sizeof err);
        if (rc == -ELIBACC)
            return parse_error(app, rc, err);
        if (rc < 0) {
            omx_log(OMX_LOG_ERROR, "invalid --web.config.file", "err", err, NULL);
            return OMX_ECONFIG;
        }
    }
    if ((rc = omx__app_push_check(app, err, sizeof err)) < 0)
        return parse_error(app, rc, err);
    return 0;
}

omx_registry *omx_app_registry(omx_app *app) { return app ? app->reg : NULL; }

static int add_handler(omx_app *app, const char *path, omx_handler_fn fn, void *userdata,
                       bool any_method) {
    if (!app || !path || path[0] != '/' || !fn || app->daemon)
        return OMX_EINVAL;
    for (size_t i = 0; i < app->n_handlers; i++)
        if (!strcmp(app->handlers[i].path, path))
            return OMX_EEXIST;
    omx__handler *h = realloc(app->handlers, (app->n_handlers + 1) * sizeof *h);
    if (!h)
        return OMX_ENOMEM;
    app->handlers = h;
    h[app->n_handlers].path = strdup(path);
    if (!h[app->n_handlers].path)
        return OMX_ENOMEM;
    h[app->n_handlers].fn = fn;
    h[app->n_handlers].userdata = userdata;
    h[app->n_handlers].any_method = any_method;
    app->n_handlers++;
    return 0;
}

int omx_app_handle(omx_app *app, const char *path, omx_handler_fn fn, void *userdata) {
    return add_handler(app, path, fn, userdata, false);
}

int omx_app_handle_any_method(omx_app *app, const char *path, omx_handler_fn fn, void *userdata) {
    return add_handler(app, path, fn, userdata, true);
}

int omx_app_add_workers(omx_app *app, size_t n) {
    if (!app || app->daemon || n > 65536)
        return OMX_EINVAL;
    app->extra_workers += n;
    return 0;
}

int omx_app_on_reload(omx_app *app, int (*fn)(void *userdata), void *userdata) {
    if (!app)
        return OMX_EINVAL;
    app->reload_fn = fn;
    app->reload_userdata = userdata;
    return 0;
}

int omx_app_on_scrape(omx_app *app, omx_scrape_hook_fn fn, void *userdata) {
    if (!app)
        return OMX_EINVAL;
    app->scrape_hook = fn;
    app->scrape_userdata = userdata;
    return 0;
}

int omx_app_drop_exporter_metrics(omx_app *app) {
    if (!app)
        return OMX_EINVAL;
    /* one series of each family omx__http_register_metrics made */
    omx_series *const one_of[] = {app->m_in_flight, app->m_code[0], app->m_err_encoding,
                                  app->m_auth_fail[0]};
    for (size_t i = 0; i < sizeof one_of / sizeof one_of[0]; i++)
        if (one_of[i])
            omx_family_clear(one_of[i]->fam);
    return 0;
}

static bool same_str(const char *a, const char *b) {
    return (!a && !b) || (a && b && !strcmp(a, b));
}

int omx__app_reload_webconfig(omx_app *app) {
    char err[1024];
    omx__webconfig *fresh = NULL, *old;
    int rc;

    if (!app->web_config_file[0])
        return 0;
    rc = omx__serve_webconfig_load(app->web_config_file, &fresh, err, sizeof err);
    if (rc < 0) {
        omx_log(OMX_LOG_ERROR, "web config not reloaded, keeping the old one", "err", err, NULL);
        return rc;
    }
    old = app->webcfg;
    bool old_tls = old && old->tls;
    if (old_tls != fresh->tls ||
        (fresh->tls &&
         (!same_str(old->cert_pem, fresh->cert_pem) || !same_str(old->key_pem, fresh->key_pem) ||
          !same_str(old->ca_pem, fresh->ca_pem) || !same_str(old->priorities, fresh->priorities) ||
          old->client_auth != fresh->client_auth))) {
        omx_log(OMX_LOG_ERROR,
                "web config not reloaded: tls_server_config changed, restart to apply", "file",
                app->web_config_file, NULL);
        omx__serve_webconfig_free(fresh);
        return OMX_ECONFIG;
    }
    pthread_rwlock_wrlock(&app->webcfg_lock);
    app->webcfg = fresh;
    pthread_rwlock_unlock(&app->webcfg_lock);
    omx__serve_webconfig_free(old);
    omx_log(OMX_LOG_INFO, "web config reloaded", "file", app->web_config_file, NULL);
    return 0;
}

static int64_t mono_usec(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Self-pipe: a handler works whichever thread the kernel picks for the signal,
 * so threads the program started before omx_app_run need no special mask. */
static int signal_pipe[2] = {-1, -1};

static void on_signal(int signo) {
    int saved = errno;
    unsigned char b = (unsigned char)signo;
    if (write(signal_pipe[1], &b, 1) < 0) {
        /* pipe full: a signal is already pending */
    }
    errno = saved;
}

static int install_signals(struct sigaction old[3]) {
    static const int sigs[3] = {SIGTERM, SIGINT, SIGHUP};
    if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
        return -errno;
    struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 3; i++)
        sigaction(sigs[i], &sa, &old[i]);
    return 0;
}

static void restore_signals(struct sigaction old[3]) {
    static const int sigs[3] = {SIGTERM, SIGINT, SIGHUP};
    for (int i = 0; i < 3; i++)
        sigaction(sigs[i], &old[i], NULL);
    close(signal_pipe[0]);
    close(signal_pipe[1]);
    signal_pipe[0] = signal_pipe[1] = -1;
}

int omx_app_run(omx_app *app) {
    char err[1024];
    struct sigaction old[3];
    int rc, code = 0;

    if (!app)
        return 1;
    signal(SIGPIPE, SIG_IGN);
    if ((rc = install_signals(old)) < 0) {
        omx_log(OMX_LOG_ERROR, "cannot set up signal handling", "err", omx_strerror(rc), NULL);
        return 1;
    }
    omx_log(OMX_LOG_INFO, "Starting", "name", app->info.name, "version", app->info.version, NULL);
    rc = app->web_disable ? 0 : omx__serve_start(app, err, sizeof err);
    if (rc == 0)
        rc = omx__app_push_start(app) < 0 ? OMX_ESTATE : 0;
    if (rc == OMX_ESTATE)
        snprintf(err, sizeof err, "cannot start pushing");
    if (rc < 0) {
        omx_log(OMX_LOG_ERROR, "cannot start serving", "err", err, NULL);
        char st[1100];
        snprintf(st, sizeof st, "STATUS=Failed: %s", err);
        omx__sd_notify(st);
        restore_signals(old);
        return 1;
    }
    if (omx__sd_notify("READY=1\nSTATUS=Serving metrics") < 0)
        omx_log(OMX_LOG_WARN, "NOTIFY_SOCKET is set but libsystemd.so.0 cannot be loaded", "err",
                "no readiness notification sent", NULL);

    uint64_t wd = omx__sd_watchdog_interval_usec();
    int64_t next_ping = wd ? mono_usec() + (int64_t)wd : 0;
    if (wd)
        omx__sd_notify("WATCHDOG=1");
    for (;;) {
        int timeout = -1;
        if (wd) {
            int64_t left = next_ping - mono_usec();
            timeout = left <= 0 ? 0 : (int)((left + 999) / 1000);
        }
        struct pollfd pfd = {.fd = signal_pipe[0], .events = POLLIN};
        int n = poll(&pfd, 1, timeout);
        /* 512-516 are the kernel's restart codes, which leak out when a debugger
         * runs a function in the process during the poll: not worth dying for. */
        if (n < 0 && errno != EINTR && !(errno >= 512 && errno <= 516)) {
            omx_log(OMX_LOG_ERROR, "poll failed", "err", omx_strerror(-errno), NULL);
            code = 1;
            break;
        }
        if (wd && mono_usec() >= next_ping) {
            omx__sd_notify("WATCHDOG=1");
            next_ping = mono_usec() + (int64_t)wd;
        }
        if (n <= 0 || !(pfd.revents & POLLIN))
            continue;
        unsigned char signo;
        if (read(signal_pipe[0], &signo, 1) != 1)
            continue;
        if (signo == SIGHUP) {
            omx__sd_notify("RELOADING=1");
            omx__app_reload_webconfig(app);
            if (app->reload_fn) {
                int r = app->reload_fn(app->reload_userdata);
                if (r < 0)
                    omx_log(OMX_LOG_ERROR, "reload failed", "err", omx_strerror(r), NULL);
                else
                    omx_log(OMX_LOG_INFO, "reloaded", NULL);
            }
            omx__sd_notify("READY=1\nSTATUS=Serving metrics");
            continue;
        }
        omx_log(OMX_LOG_INFO, "Shutting down", "signal", sigabbrev_np(signo), NULL);
        break;
    }
    omx__sd_notify("STOPPING=1\nSTATUS=Shutting down");
    omx__app_push_stop(app);
    if (!omx__serve_stop(app, app->shutdown_grace_s)) {
        /* A handler is stuck (a collector blocked in a system call): its thread
         * still uses the registry, so nothing may be freed. Exit now. */
        char g[32];
        snprintf(g, sizeof g, "%gs", app->shutdown_grace_s);
        omx_log(OMX_LOG_WARN, "requests still running after the shutdown grace period, exiting",
                "grace", g, NULL);
        fflush(NULL);
        _exit(code);
    }
    restore_signals(old);
    return code;
}
