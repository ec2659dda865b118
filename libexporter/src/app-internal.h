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
    bool any_method; /* else GET and HEAD only */
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
    double read_header_timeout_s; /* accept (or previous request) to complete headers */
    double idle_timeout_s;        /* keep-alive: end of a request to headers of the next */
    double shutdown_grace_s;      /* SIGTERM: how long requests in progress may finish */
    long max_connections;
    long max_connections_per_ip; /* 0: no limit */
    const char *log_level;
    const char *log_format;
    bool help, version;
    bool web_disable;           /* --web.disable: no listener (push only) */
    struct omx__app_push *push; /* --push.* (push/app-push.c) */

    omx__webconfig *webcfg;
    /* Readers: requests (auth, headers). Writer: the SIGHUP reload swapping webcfg. */
    pthread_rwlock_t webcfg_lock;
    omx__handler *handlers;
    size_t n_handlers;
    size_t extra_workers; /* omx_app_add_workers */
    int (*reload_fn)(void *);
    void *reload_userdata;
    omx_scrape_hook_fn scrape_hook;
    void *scrape_userdata;

    /* HTTP server (http.c): one event loop for every listening socket, the
     * accept loop feeding it, the workers answering requests. */
    struct MHD_Daemon *daemon;
    struct omx__acceptor *acceptor;
    struct omx__pool *pool;
    atomic_bool stopping;  /* new requests get 503 */
    atomic_long answering; /* requests handed to the pool and not yet completed */
    atomic_long in_flight;
    omx_series *m_in_flight;
    omx_series *m_code[4]; /* promhttp_metric_handler_requests_total{code=200,500,503,401} */
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
/* Stops accepting, then waits up to grace_s seconds for requests in progress
 * and stops the server. Returns false, leaving the server's memory alone,
 * when a handler still runs after that: the caller must then exit without
 * freeing the app. */
bool omx__http_stop(omx_app *app, double grace_s);

/* Splits a listen address ("127.0.0.1:9100", ":9100", "[::1]:9100",
 * "localhost:9100") into host (empty = all addresses) and port. Returns 0 or
 * OMX_EINVAL. */
int omx__http_parse_listen(const char *addr, char *host, size_t hostlen, char *port,
                           size_t portlen);
/* The deadline for a scrape timeout header value: CLOCK_MONOTONIC now +
 * timeout - margin (min(0.5 s, 10 %)); 0 for a missing or invalid value.
 * *ret_seconds gets the parsed timeout (0 if none). */
int64_t omx__http_deadline(const char *header, double *ret_seconds);
/* Whether a request header is well formed as Go's server requires: the name a
 * token (so no space before the colon, no NUL), the value free of control
 * characters other than tab. Lengths are the bytes received. */
bool omx__http_header_ok(const char *name, size_t name_len, const char *value, size_t value_len);
/* libmicrohttpd hands a header value cut at a NUL byte, in place in the
 * received request. The byte after the value's own terminating NUL is then
 * the rest of its line terminator (a NUL, CR or LF), a trailing blank, or the
 * next header's name (a bare-LF line end); anything else means the line went
 * on after a NUL. next_name is the next header's name (NULL for the last).
 * Returns true when the value ended the line. */
bool omx__http_value_ends_line(const char *value, size_t value_len, const char *next_name);

/* A request's query arguments, split and decoded as libmicrohttpd does it
 * ('&' between arguments, the first '=' between key and value, '+' a space,
 * %XX a byte; a key without '=' has a NULL value). They live on the heap, not
 * in libmicrohttpd's per-connection pool, whose size would otherwise bound the
 * number of arguments and is zeroed again for every keep-alive request. */
typedef struct omx__query_arg {
    const char *key, *value;
    size_t key_len; /* decoded, so it counts a %00 */
} omx__query_arg;
typedef struct omx__query {
    omx__query_arg *args; /* one block: the array, then the decoded text */
    size_t n;
} omx__query;
/* Parses the len bytes at raw (the query after '?') into *q, which owns one
 * heap block until omx__query_clear. Returns 0 or OMX_ENOMEM (*q then empty). */
int omx__query_parse(omx__query *q, const char *raw, size_t len);
/* Frees what q owns and empties it; NULL-safe. */
void omx__query_clear(omx__query *q);
/* The value of the first argument named key (ASCII case ignored, as
 * libmicrohttpd looks one up); NULL when absent or given without '='. */
const char *omx__query_get(const omx__query *q, const char *key);

#endif
