/* omx libexporter-app: an exporter process — command-line flags, the /metrics HTTP
 * server (libmicrohttpd; TLS and basic auth from --web.config.file), systemd
 * socket activation and sd_notify, signals and logging set-up.
 *
 * Typical main():
 *   omx_app *app = omx_app_new(&(omx_app_info){ .name = "omx-node",
 *       .version = OMX_VERSION, .default_listen = ":9100",
 *       .description = "Prometheus exporter for host metrics." });
 *   omx_app_flag_string(app, "collector.textfile.directory", &dir, "Directory ...");
 *   int rc = omx_app_parse(app, argc, argv);  // handles --help/--version
 *   if (rc != 0) return rc < 0 ? 1 : 0;
 *   ... register families/collectors in omx_app_registry(app) ...
 *   rc = omx_app_run(app);                    // serves until SIGTERM/SIGINT
 *   omx_app_free(app);
 *   return rc;
 *
 * Shared flags, spelled as the Go exporters spell them: --web.listen-address
 * (repeatable), --web.telemetry-path, --web.config.file, --web.systemd-socket,
 * --web.max-requests, --log.level, --log.format, --version, --help; and the
 * server's limits: --web.read-header-timeout, --web.idle-timeout,
 * --web.max-connections, --web.max-connections-per-ip, --web.shutdown-grace.
 *
 * The umbrella of the app layer: it includes the core's headers, log.h and
 * the helpers that need the app library (regex.h, yamlconf.h).
 * Link with `pkg-config --libs libexporter-app`.
 */
#ifndef EXPORTER_APP_H
#define EXPORTER_APP_H

/* Exported from libexporter even though it is built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>

#include "exporter/exporter.h"
#include "exporter/log.h"
#include "exporter/regex.h"
#include "exporter/yamlconf.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct omx_app omx_app;
typedef struct omx_request omx_request;

typedef struct omx_app_info {
    const char *name;           /* program name, e.g. "omx-node" */
    const char *version;        /* printed by --version */
    const char *default_listen; /* e.g. ":9100" */
    const char *description;    /* one line for --help and the landing page */
    /* Optional: --version then prints the Go exporters' five lines (branch,
     * revision, build user, build date, compiler, platform); NULL = one line. */
    const omx_build_facts *build;
} omx_app_info;

/* Creates the app with its registry. Strings in info are borrowed and must
 * outlive the app (string literals). Returns NULL on allocation failure. */
omx_app *omx_app_new(const omx_app_info *info);
/* Stops serving if needed and frees the app and its registry. Accepts NULL; returns NULL. */
omx_app *omx_app_free(omx_app *app);

/* Exporter-specific flags, declared before omx_app_parse. name is without "--".
 * Boolean flags accept --name, --no-name and --name=true|false. *value holds
 * the default on entry and the parsed value after omx_app_parse; strings point
 * into argv or the default. A repeatable string flag collects every value into
 * *values (a NULL-terminated array owned by the app). Return 0 or OMX_EINVAL. */
int omx_app_flag_bool(omx_app *app, const char *name, bool *value, const char *help);
int omx_app_flag_string(omx_app *app, const char *name, const char **value, const char *help);
int omx_app_flag_strings(omx_app *app, const char *name, const char *const **values,
                         const char *help);
int omx_app_flag_int(omx_app *app, const char *name, long *value, const char *help);
int omx_app_flag_double(omx_app *app, const char *name, double *value, const char *help);

/* Leaves the declared flag name (without "--") out of --help; it is still
 * accepted (deprecated spellings, as kingpin's Hidden()). Returns 0 or
 * OMX_EINVAL for a name never declared. */
int omx_app_flag_hide(omx_app *app, const char *name);

/* After omx_app_parse: whether flag name (without "--") was on the command line
 * in any spelling (--name, --no-name, --name=value), as opposed to holding its
 * default. False for a name never declared. */
bool omx_app_flag_given(const omx_app *app, const char *name);

/* Parses argv. Returns 0 to go on, 1 when --help/--version was printed (exit 0),
 * or a negative omx_err after printing one line naming the flag to stderr (exit 1).
 * Also sets up logging from --log.level/--log.format and loads --web.config.file
 * (a bad file is an error naming the file and field). */
int omx_app_parse(omx_app *app, int argc, char **argv);

/* The app's registry (owned by the app). */
omx_registry *omx_app_registry(omx_app *app);

/* Extra HTTP handlers (e.g. "/probe"); fn must answer with omx_respond*().
 * Return 0 or a negative errno / OMX_E* code; a nonzero return gives a 500
 * whose body and log line name the error (omx_strerror). */
typedef int (*omx_handler_fn)(omx_request *req, void *userdata);
int omx_app_handle(omx_app *app, const char *path, omx_handler_fn fn, void *userdata);
/* Same for a handler that takes every method (POST /-/reload): fn gets GET,
 * HEAD, POST, ... alike and checks omx_request_method itself; a request body
 * is discarded. Return 0 or a negative code as omx_app_handle. */
int omx_app_handle_any_method(omx_app *app, const char *path, omx_handler_fn fn, void *userdata);
/* Adds n worker threads to the server's pool for handlers that block for long
 * (probes); call before omx_app_run. Returns 0 or OMX_EINVAL. */
int omx_app_add_workers(omx_app *app, size_t n);
/* Called on SIGHUP from the main thread; a failure is logged, serving goes on. */
int omx_app_on_reload(omx_app *app, int (*fn)(void *userdata), void *userdata);

/* Called for every request of the telemetry path before anything is scraped
 * (set before omx_app_run). fn either answers with omx_respond*() itself (a bad
 * query: nothing is scraped, the request is not counted in promhttp_*) or may
 * set *pick / *pick_ctx to narrow the scrape to some collectors (*pick_ctx is
 * borrowed until the request ends; it may be the request itself). Returns 0 or
 * a negative errno / OMX_E* code (a 500). fn runs on connection threads. */
typedef int (*omx_scrape_hook_fn)(omx_request *req, omx_collector_pick_fn *pick, void **pick_ctx,
                                  void *userdata);
int omx_app_on_scrape(omx_app *app, omx_scrape_hook_fn fn, void *userdata);

/* Stops exporting the app's own metrics about its HTTP handler
 * (promhttp_metric_handler_*, omx_http_auth_failures_total), as node_exporter's
 * --web.disable-exporter-metrics does; they are still counted, not shown.
 * Returns 0 or OMX_EINVAL. */
int omx_app_drop_exporter_metrics(omx_app *app);

/* Serves until SIGTERM/SIGINT: binds (or takes systemd's sockets), sends
 * READY=1/STATUS=/WATCHDOG=1/STOPPING=1. Returns the process exit code. On
 * SIGTERM/SIGINT requests in progress get --web.shutdown-grace to finish; if a
 * handler still runs after that, the process exits (_exit) with that code
 * instead of returning, since the handler may still use the app. Handlers run
 * on worker threads, several at once. */
int omx_app_run(omx_app *app);

/* Request accessors, valid during the handler call. */
const char *omx_request_path(const omx_request *req);
/* The request's method ("GET", "POST", ...); borrowed. */
const char *omx_request_method(const omx_request *req);
const char *omx_request_query(const omx_request *req, const char *key);   /* NULL if absent */
const char *omx_request_header(const omx_request *req, const char *name); /* NULL if absent */
/* Every value of a repeatable query key ("collect[]"), in request order: stores
 * up to max borrowed pointers ("" for a key without "=") and returns how many
 * there are in all (more than max when some did not fit). */
size_t omx_request_query_values(const omx_request *req, const char *key, const char **values,
                                size_t max);
/* The scrape timeout Prometheus sent (X-Prometheus-Scrape-Timeout-Seconds), 0 if none. */
double omx_request_timeout_seconds(const omx_request *req);
/* CLOCK_MONOTONIC deadline derived from that timeout (minus a margin); 0 if none. */
int64_t omx_request_deadline_ns(const omx_request *req);
/* Answers with body (copied). Returns 0 or an omx_err. */
int omx_respond(omx_request *req, int status, const char *content_type, const char *body,
                size_t len);
/* Answers with reg written in the format the request's Accept header asks for
 * (gzip when accepted), with the request's deadline. reg is borrowed. */
int omx_respond_registry(omx_request *req, omx_registry *reg);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
