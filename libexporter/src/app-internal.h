/* The omx_app structure, shared by app.c (flags, run loop) and http.c (server). */
#ifndef OMX_APP_INTERNAL_H
#define OMX_APP_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "exporter/app.h"
#include "exporter/registry.h"
#include "flags.h"
#include "webconfig.h"

typedef struct omx__handler {
    char *path;
    omx_handler_fn fn;
    void *userdata;
} omx__handler;

#define OMX__MAX_LISTEN 16

struct omx_app {
    omx_app_info info;
    omx_registry *reg;
    omx__flags flags;
    bool parsed;

    /* Shared flag values. */
    const char *default_listen[2];
    const char *const *listen;
    const char *telemetry_path;
    const char *web_config_file;
    bool systemd_socket;
    long max_requests;
    const char *log_level;
    const char *log_format;
    bool help, version;

    omx__webconfig *webcfg;
    /* Readers: requests (auth, headers). Writer: the SIGHUP reload swapping webcfg. */
    pthread_rwlock_t webcfg_lock;
    omx__handler *handlers;
    size_t n_handlers;
    int (*reload_fn)(void *);
    void *reload_userdata;
    omx_scrape_hook_fn scrape_hook;
    void *scrape_userdata;

    /* HTTP server (http.c). */
    struct MHD_Daemon *daemons[OMX__MAX_LISTEN];
    int n_daemons;
    atomic_long in_flight;
    omx_series *m_in_flight;
    omx_series *m_code[4];     /* promhttp_metric_handler_requests_total{code=200,500,503,401} */
    omx_series *m_err_encoding, *m_err_gathering;
    omx_series *m_auth_fail[2]; /* omx_http_auth_failures_total{cause=credentials,client_cert} */
};

/* Re-reads --web.config.file (on SIGHUP). Users and headers change at once;
 * a changed TLS section is refused (it needs a restart). Returns 0 or an
 * omx_err after logging why; the old config stays in force on error. */
int omx__app_reload_webconfig(omx_app *app);

/* Registers the promhttp_* families in app->reg. Returns 0 or an omx_err. */
int omx__http_register_metrics(omx_app *app);
/* Binds every --web.listen-address (or takes systemd's sockets) and starts
 * serving. Returns 0 or a negative omx_err with a message in err. */
int omx__http_start(omx_app *app, char *err, size_t errlen);
/* Stops every daemon (waits for requests in progress). */
void omx__http_stop(omx_app *app);

/* Splits a listen address ("127.0.0.1:9100", ":9100", "[::1]:9100",
 * "localhost:9100") into host (empty = all addresses) and port. Returns 0 or
 * OMX_EINVAL. */
int omx__http_parse_listen(const char *addr, char *host, size_t hostlen, char *port,
                           size_t portlen);
/* The deadline for a scrape timeout header value: CLOCK_MONOTONIC now +
 * timeout - margin (min(0.5 s, 10 %)); 0 for a missing or invalid value.
 * *ret_seconds gets the parsed timeout (0 if none). */
int64_t omx__http_deadline(const char *header, double *ret_seconds);

#endif
