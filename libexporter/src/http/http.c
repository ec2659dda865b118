/* The exporter's HTTP server on libmicrohttpd: /metrics, landing page, health
 * endpoints, extra handlers, TLS and basic auth from the web config, the
 * in-flight limit and promhttp's own metrics.
 *
 * Threads: one libmicrohttpd event loop (epoll) holds every connection; the
 * accept loop (http-accept.c) accepts and enforces the header deadlines; each
 * complete request is suspended in the event loop and answered by a worker of
 * the pool (http-pool.c), so neither a slow handler nor a slow client stalls
 * anyone else. */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <microhttpd.h>

#include "app-internal.h"
#include "exporter/error.h"
#include "exporter/log.h"
#include "exporter/writer.h"
#include "gzip.h"
#include "http-accept.h"
#include "http-pool.h"
#include "log-internal.h"
#include "sdnotify.h"

/* Responses are built in memory before the first byte goes out so a failed
 * scrape becomes a clean 500; this caps that memory per scrape. */
#define HTTP_MAX_BODY (256u << 20)
/* Descriptors kept back from the connection limit for collectors and logs:
 * a quarter of the limit, at most this many. */
#define HTTP_FD_RESERVE 64
/* Workers beyond --web.max-requests, for the other pages and handlers; and the
 * pool when the scrape limit is off. */
#define HTTP_EXTRA_WORKERS 4
#define HTTP_UNLIMITED_WORKERS 64
/* The request line and headers: room for a target of 2,000 collect[]=NAME. */
#define HTTP_CONN_MEMORY (64u << 10)

enum { CODE_200, CODE_500, CODE_503, CODE_401 };

struct omx_request {
    omx_app *app;
    omx__job job; /* runs dispatch() on a worker */
    bool dispatched;
    bool done;
    int fd;
    void *tag; /* the acceptor's name for the connection */
    struct MHD_Connection *conn;
    const char *path;
    const char *method;
    double timeout_s;
    int64_t deadline_ns;
    struct MHD_Response *resp;
    unsigned status;
    omx_collector_pick_fn pick; /* from the scrape hook; NULL = every collector */
    void *pick_ctx;
    bool started;   /* on_request has seen it */
    bool own_query; /* the arguments are in query, not libmicrohttpd's */
    omx__query query;
};

/* ---- small helpers ---------------------------------------------------- */

typedef struct obuf {
    char *data;
    size_t len, cap;
} obuf;

static int obuf_write(void *ctx, const char *data, size_t len) {
    obuf *b = ctx;
    if (len > HTTP_MAX_BODY - b->len)
        return OMX_ELIMIT;
    if (b->len + len > b->cap) {
        size_t cap = b->cap ? b->cap : 16384;
        while (cap < b->len + len)
            cap *= 2;
        if (cap > HTTP_MAX_BODY)
            cap = HTTP_MAX_BODY;
        char *p = realloc(b->data, cap);
        if (!p)
            return OMX_ENOMEM;
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
    return 0;
}

/* ---- request accessors and responses ---------------------------------- */

const char *omx_request_path(const omx_request *req) { return req ? req->path : NULL; }

const char *omx_request_method(const omx_request *req) { return req ? req->method : NULL; }

const char *omx_request_query(const omx_request *req, const char *key) {
    if (!req || !key)
        return NULL;
    if (req->own_query)
        return omx__query_get(&req->query, key);
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *omx_request_header(const omx_request *req, const char *name) {
    if (!req || !name)
        return NULL;
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

double omx_request_timeout_seconds(const omx_request *req) { return req ? req->timeout_s : 0; }

int64_t omx_request_deadline_ns(const omx_request *req) { return req ? req->deadline_ns : 0; }

static void add_common_headers(omx_app *app, struct MHD_Response *r) {
    pthread_rwlock_rdlock(&app->webcfg_lock);
    if (app->webcfg && app->webcfg->headers)
        for (char **h = app->webcfg->headers; h[0] && h[1]; h += 2)
            MHD_add_response_header(r, h[0], h[1]);
    pthread_rwlock_unlock(&app->webcfg_lock);
}

static int set_response(omx_request *req, unsigned status, struct MHD_Response *r,
                        const char *content_type) {
    if (!r)
        return OMX_ENOMEM;
    if (content_type)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    add_common_headers(req->app, r);
    if (req->resp)
        MHD_destroy_response(req->resp); /* the last answer wins */
    req->resp = r;
    req->status = status;
    return 0;
}

int omx_respond(omx_request *req, int status, const char *content_type, const char *body,
                size_t len) {
    if (!req || status < 100 || status > 599 || (!body && len))
        return OMX_EINVAL;
    struct MHD_Response *r = MHD_create_response_from_buffer(
        len, (void *)(uintptr_t)(body ? body : ""), MHD_RESPMEM_MUST_COPY);
    return set_response(req, (unsigned)status, r, content_type);
}

static int respond_text(omx_request *req, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int respond_text(omx_request *req, unsigned status, const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof buf)
        n = sizeof buf - 1;
    return omx_respond(req, (int)status, "text/plain; charset=utf-8", buf, (size_t)n);
}

int omx_respond_registry(omx_request *req, omx_registry *reg) {
    if (!req || !reg)
        return OMX_EINVAL;
    const char *accept = omx_request_header(req, MHD_HTTP_HEADER_ACCEPT);
    bool gz = omx_accepts_gzip(omx_request_header(req, MHD_HTTP_HEADER_ACCEPT_ENCODING));
    omx_write_opts opts = {.format = omx_format_from_accept(accept),
                           .deadline_ns = req->deadline_ns,
                           .pick = req->pick,
                           .pick_ctx = req->pick_ctx};
    obuf b = {0};
    omx__gzip g;
    int rc;

    if (gz) {
        rc = omx__gzip_init(&g, obuf_write, &b);
        if (rc == 0)
            rc = omx_registry_write(reg, &opts, omx__gzip_write, &g);
        if (rc == 0)
            rc = omx__gzip_finish(&g);
        omx__gzip_end(&g);
    } else {
        rc = omx_registry_write(reg, &opts, obuf_write, &b);
    }
    if (rc < 0) {
        free(b.data);
        omx_counter_inc(req->app->m_err_encoding);
        omx_log(OMX_LOG_ERROR, "error encoding metrics", "err", omx_strerror(rc), NULL);
        return respond_text(req, 500, "An error has occurred while serving metrics:\n\n%s\n",
                            omx_strerror(rc));
    }
    if (!b.data && !(b.data = malloc(1)))
        return OMX_ENOMEM;
    struct MHD_Response *r =
        MHD_create_response_from_buffer_with_free_callback(b.len, b.data, free);
    if (!r) {
        free(b.data);
        return OMX_ENOMEM;
    }
    if (gz)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT_ENCODING);
    return set_response(req, 200, r, omx_format_content_type(opts.format));
}

/* ---- built-in pages ---------------------------------------------------- */

static void html_escape(obuf *b, const char *s) {
    for (; s && *s; s++) {
        switch (*s) {
        case '<': obuf_write(b, "&lt;", 4); break;
        case '>': obuf_write(b, "&gt;", 4); break;
        case '&': obuf_write(b, "&amp;", 5); break;
        case '"': obuf_write(b, "&quot;", 6); break;
        default: obuf_write(b, s, 1);
        }
    }
}

static void html_link(obuf *b, const char *path) {
    obuf_write(b, "<li><a href=\"", 13);
    html_escape(b, path[0] == '/' ? path + 1 : path); /* relative: works behind a prefix */
    obuf_write(b, "\">", 2);
    html_escape(b, path);
    obuf_write(b, "</a></li>\n", 10);
}

static int respond_landing(omx_request *req) {
    omx_app *app = req->app;
    obuf b = {0};
    obuf_write(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>", 57);
    html_escape(&b, app->info.name);
    obuf_write(&b, "</title></head>\n<body>\n<h1>", 27);
    html_escape(&b, app->info.name);
    obuf_write(&b, "</h1>\n<p>", 9);
    html_escape(&b, app->info.description);
    obuf_write(&b, "</p>\n<p>Version: ", 17);
    html_escape(&b, app->info.version);
    obuf_write(&b, "</p>\n<ul>\n", 10);
    html_link(&b, app->telemetry_path);
    for (size_t i = 0; i < app->n_handlers; i++)
        html_link(&b, app->handlers[i].path);
    html_link(&b, "/-/healthy");
    html_link(&b, "/-/ready");
    obuf_write(&b, "</ul>\n</body></html>\n", 21);
    int rc = omx_respond(req, 200, "text/html; charset=utf-8", b.data ? b.data : "", b.len);
    free(b.data);
    return rc;
}

static int serve_metrics(omx_request *req) {
    omx_app *app = req->app;
    if (app->scrape_hook) {
        int hr = app->scrape_hook(req, &req->pick, &req->pick_ctx, app->scrape_userdata);
        if (hr != 0 || req->resp)
            return hr; /* the hook answered (a bad query) or failed */
    }
    long n = atomic_fetch_add(&app->in_flight, 1) + 1;
    int rc;
    if (app->max_requests > 0 && n > app->max_requests) {
        atomic_fetch_sub(&app->in_flight, 1);
        omx_counter_inc(app->m_code[CODE_503]);
        return respond_text(req, 503,
                            "Limit of concurrent requests reached (%ld), try again later.\n",
                            app->max_requests);
    }
    omx_gauge_inc(app->m_in_flight);
    rc = omx_respond_registry(req, app->reg);
    omx_gauge_dec(app->m_in_flight);
    atomic_fetch_sub(&app->in_flight, 1);
    omx_counter_inc(app->m_code[rc == 0 && req->status == 200 ? CODE_200 : CODE_500]);
    return rc;
}

/* ---- TLS client certificates and basic auth ---------------------------- */

static bool client_cert_ok(omx_app *app, struct MHD_Connection *conn, const char **why) {
    const union MHD_ConnectionInfo *ci;
    gnutls_session_t s;
    unsigned int n = 0, status = 0;
    omx__client_auth mode = app->webcfg->client_auth;

    if (mode == OMX__NO_CLIENT_CERT || mode == OMX__REQUEST_CLIENT_CERT)
        return true;
    ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    s = ci ? (gnutls_session_t)ci->tls_session : NULL;
    if (!s) {
        *why = "no TLS session";
        return false;
    }
    const gnutls_datum_t *peers = gnutls_certificate_get_peers(s, &n);
    bool have = peers && n > 0;
    if (!have) {
        *why = "client certificate required";
        return mode == OMX__VERIFY_CLIENT_CERT_IF_GIVEN;
    }
    if (mode == OMX__REQUIRE_ANY_CLIENT_CERT)
        return true;
    if (gnutls_certificate_verify_peers2(s, &status) < 0 || status != 0) {
        *why = "client certificate not trusted";
        return false;
    }
    return true;
}

/* Credentials that need bcrypt while too many checks are already waiting are
 * refused like wrong ones (401): the client tries again at its next scrape. */
static bool basic_auth_ok(omx_app *app, struct MHD_Connection *conn) {
    char *pass = NULL;
    char *user = MHD_basic_auth_get_username_password(conn, &pass);
    int rc = user && pass ? omx__webconfig_verify(app->webcfg, user, pass) : -EACCES;
    bool ok = rc == 0;
    if (rc == OMX_ELIMIT)
        omx_log(OMX_LOG_DEBUG, "basic auth refused: too many password checks at once", NULL);
    if (pass) {
        explicit_bzero(pass, strlen(pass));
        MHD_free(pass);
    }
    if (user)
        MHD_free(user);
    return ok;
}

/* ---- dispatch ----------------------------------------------------------- */

static enum MHD_Result queue(omx_request *req) {
    if (omx__log_enabled(OMX_LOG_DEBUG)) {
        char status[8];
        snprintf(status, sizeof status, "%u", req->status);
        omx_log(OMX_LOG_DEBUG, "request", "method", req->method ? req->method : "?", "path",
                req->path, "status", status, NULL);
    }
    enum MHD_Result r = MHD_queue_response(req->conn, req->status, req->resp);
    MHD_destroy_response(req->resp);
    req->resp = NULL;
    return r;
}

/* Answers req into req->resp (left NULL: close the connection). Runs on a
 * worker: auth checks (bcrypt) and handlers may take long. */
static void dispatch(omx_request *req) {
    omx_app *app = req->app;
    struct MHD_Connection *conn = req->conn;
    const char *url = req->path, *method = req->method;
    const omx__handler *h = NULL;
    bool builtin;
    const char *why = NULL;
    int rc = 0;

    for (size_t i = 0; i < app->n_handlers; i++)
        if (!strcmp(app->handlers[i].path, url))
            h = &app->handlers[i];
    builtin = !strcmp(url, app->telemetry_path) || !strcmp(url, "/") ||
              !strcmp(url, "/-/healthy") || !strcmp(url, "/-/ready");

    pthread_rwlock_rdlock(&app->webcfg_lock);
    bool cert_ok = !(app->webcfg && app->webcfg->tls) || client_cert_ok(app, conn, &why);
    bool auth_ok = !cert_ok || !omx__webconfig_has_auth(app->webcfg) || basic_auth_ok(app, conn);
    pthread_rwlock_unlock(&app->webcfg_lock);
    if (!cert_ok) {
        omx_counter_inc(app->m_auth_fail[1]);
        omx_log(OMX_LOG_DEBUG, "refused request", "path", url, "reason", why, NULL);
        respond_text(req, 403, "%s\n", why);
        return;
    }
    if (!auth_ok) {
        char realm[160];
        omx_counter_inc(app->m_auth_fail[0]);
        if (!strcmp(url, app->telemetry_path))
            omx_counter_inc(app->m_code[CODE_401]);
        respond_text(req, 401, "Unauthorized\n");
        if (!req->resp)
            return;
        snprintf(realm, sizeof realm, "Basic realm=\"%s\"", app->info.name);
        MHD_add_response_header(req->resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, realm);
        return;
    }
    if (!h && !builtin) {
        respond_text(req, 404, "404 page not found\n");
    } else if (!(h && h->any_method) && strcmp(method, MHD_HTTP_METHOD_GET) &&
               strcmp(method, MHD_HTTP_METHOD_HEAD)) {
        respond_text(req, 405, "Method Not Allowed\n");
        if (req->resp)
            MHD_add_response_header(req->resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    } else {
        req->timeout_s = 0;
        req->deadline_ns =
            omx__http_deadline(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                           "X-Prometheus-Scrape-Timeout-Seconds"),
                               &req->timeout_s);
        if (h) {
            rc = h->fn(req, h->userdata);
            if (rc == 0 && !req->resp)
                rc = OMX_ESTATE; /* handler forgot to answer */
            if (rc != 0) {
                omx_log(OMX_LOG_ERROR, "handler failed", "path", url, "err", omx_strerror(rc),
                        NULL);
                respond_text(req, 500, "Internal error: %s\n", omx_strerror(rc));
            }
        } else if (!strcmp(url, app->telemetry_path)) {
            rc = serve_metrics(req);
            if (rc != 0 && !req->resp)
                respond_text(req, 500, "Internal error: %s\n", omx_strerror(rc));
        } else if (!strcmp(url, "/")) {
            respond_landing(req);
        } else if (!strcmp(url, "/-/healthy")) {
            respond_text(req, 200, "Healthy\n");
        } else {
            respond_text(req, 200, "Ready\n");
        }
    }
}

static void run_job(omx__job *job) {
    omx_request *req = (omx_request *)((char *)job - offsetof(omx_request, job));
    dispatch(req);
    req->done = true;
    MHD_resume_connection(req->conn); /* the event loop calls on_request again */
}

static void conn_ids(struct MHD_Connection *conn, int *fd, void **tag) {
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    *fd = ci ? ci->connect_fd : -1;
    ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    *tag = ci ? ci->socket_context : NULL;
}

typedef struct header_check {
    const char *prev_value;
    size_t prev_len;
    bool bad;
} header_check;

static enum MHD_Result check_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    size_t key_size, const char *value, size_t value_size) {
    header_check *hc = cls;
    (void)kind;
    if (!omx__http_header_ok(key, key_size, value, value_size) ||
        (hc->prev_value && !omx__http_value_ends_line(hc->prev_value, hc->prev_len, key))) {
        hc->bad = true;
        return MHD_NO; /* stop iterating */
    }
    hc->prev_value = value;
    hc->prev_len = value_size;
    return MHD_YES;
}

/* Whether every request header is well formed (see omx__http_header_ok and
 * omx__http_value_ends_line: a NUL inside a value shows only that way). */
static bool headers_ok(struct MHD_Connection *conn) {
    header_check hc = {0};
    MHD_get_connection_values_n(conn, MHD_HEADER_KIND, check_header, &hc);
    if (!hc.bad && hc.prev_value && !omx__http_value_ends_line(hc.prev_value, hc.prev_len, NULL))
        hc.bad = true;
    return !hc.bad;
}

/* An answer from the event loop itself, after which the connection closes:
 * body is a string literal. */
static enum MHD_Result refuse(omx_request *req, unsigned status, const char *body) {
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)(uintptr_t)body,
                                                             MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    req->resp = r;
    req->status = status;
    return queue(req);
}

/* In the event loop: never blocks. The request is suspended while a worker
 * answers it. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls) {
    omx_app *app = cls;
    omx_request *req = *con_cls;

    (void)version;
    (void)upload_data;
    /* Answer on the second call: queueing on the first (before MHD knows the
     * request has no body) makes MHD close the connection, losing keep-alive. */
    if (!req || !req->started) {
        if (!req) /* on_uri could not take the query: libmicrohttpd has it */
            req = calloc(1, sizeof *req);
        if (!req)
            return MHD_NO;
        req->app = app;
        req->conn = conn;
        req->path = url;
        req->method = method;
        req->job.fn = run_job;
        req->started = true;
        conn_ids(conn, &req->fd, &req->tag);
        *con_cls = req;
        if (!headers_ok(conn)) /* Go's answer */
            return refuse(req, 400, "400 Bad Request: malformed MIME header line\n");
        /* Shutting down: requests in progress finish, new ones are turned away so
         * that a keep-alive client cannot hold the process beyond them. */
        if (atomic_load(&app->stopping))
            return refuse(req, 503, "Server is shutting down.\n");
        /* Headers are in; a body (which no handler takes) gets as long again. */
        omx__acceptor_conn_deadline(app->acceptor, req->fd, req->tag,
                                    (int64_t)(app->read_header_timeout_s * 1e9));
        return MHD_YES;
    }
    if (*upload_data_size) {
        *upload_data_size = 0; /* no handler takes a body: discard it */
        return MHD_YES;
    }
    if (!req->dispatched) {
        req->dispatched = true;
        atomic_fetch_add(&app->answering, 1);
        omx__acceptor_conn_busy(app->acceptor, req->fd, req->tag);
        MHD_suspend_connection(conn); /* before the worker can resume it */
        if (!omx__pool_submit(app->pool, &req->job)) {
            /* Shutting down: the pool takes nothing more. */
            respond_text(req, 503, "Server is shutting down.\n");
            req->done = true;
            MHD_resume_connection(conn);
        }
        return MHD_YES;
    }
    if (!req->done)
        return MHD_YES;
    return req->resp ? queue(req) : MHD_NO;
}

/* The request is over (answered or the connection failed): a keep-alive
 * connection now has the idle timeout to send complete headers again. */
static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
    omx_app *app = cls;
    omx_request *req = *con_cls;
    (void)conn;
    (void)toe;
    if (!req)
        return;
    omx__acceptor_conn_deadline(app->acceptor, req->fd, req->tag,
                                (int64_t)(app->idle_timeout_s * 1e9));
    if (req->dispatched)
        atomic_fetch_sub(&app->answering, 1);
    if (req->resp)
        MHD_destroy_response(req->resp);
    omx__query_clear(&req->query);
    free(req);
    *con_cls = NULL;
}

/* Called with the request target before libmicrohttpd splits its query:
 * starts the request and takes the query (see omx__query), leaving
 * libmicrohttpd an empty one. The target is in libmicrohttpd's own writable
 * buffer, which it cuts at the '?' itself next. NULL (out of memory): the
 * query stays libmicrohttpd's and on_request starts the request. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn) {
    (void)cls;
    (void)conn;
    omx_request *req = calloc(1, sizeof *req);
    if (!req)
        return NULL;
    char *q = uri ? strchr(uri, '?') : NULL;
    if (q && q[1]) {
        if (omx__query_parse(&req->query, q + 1, strlen(q + 1)) < 0) {
            free(req);
            return NULL;
        }
        q[1] = '\0';
    }
    req->fd = -1; /* on_request names the connection; until then no deadline is moved */
    req->own_query = true;
    return req;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe) {
    omx_app *app = cls;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    int fd = ci ? ci->connect_fd : -1;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED)
        *socket_context = omx__acceptor_conn_started(app->acceptor, fd);
    else
        omx__acceptor_conn_closed(app->acceptor, fd, *socket_context);
}

static void mhd_log(void *cls, const char *fmt, va_list ap) {
    char buf[512];
    (void)cls;
    vsnprintf(buf, sizeof buf, fmt, ap);
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    omx_log(OMX_LOG_DEBUG, "libmicrohttpd", "detail", buf, NULL);
}

/* ---- listening ------------------------------------------------------------ */

static int bind_one(const char *addr, char *err, size_t errlen) {
    char host[256], port[8];
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int fd = -1, one = 1, zero = 0, e;

    if (omx__http_parse_listen(addr, host, sizeof host, port, sizeof port) < 0) {
        snprintf(err, errlen,
                 "invalid --web.listen-address '%s': want host:port, :port or [ipv6]:port", addr);
        return OMX_EINVAL;
    }
    if (!host[0]) {
        /* All addresses: dual-stack [::] like Go, IPv4 when IPv6 is missing. */
        struct sockaddr_in6 s6 = {.sin6_family = AF_INET6,
                                  .sin6_addr = IN6ADDR_ANY_INIT,
                                  .sin6_port = htons((uint16_t)atoi(port))};
        fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0) {
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
            if (bind(fd, (struct sockaddr *)&s6, sizeof s6) == 0 && listen(fd, SOMAXCONN) == 0)
                return fd;
            e = errno;
            close(fd);
            if (e != EAFNOSUPPORT && e != EADDRNOTAVAIL) {
                snprintf(err, errlen, "cannot listen on %s: %s", addr, omx_strerror(-e));
                return -e;
            }
        }
        snprintf(host, sizeof host, "0.0.0.0");
    }
    e = getaddrinfo(host, port, &hints, &res);
    if (e != 0 || !res) {
        snprintf(err, errlen, "cannot resolve --web.listen-address '%s': %s", addr,
                 gai_strerror(e));
        return OMX_EINVAL;
    }
    fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
    if (fd >= 0) {
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (res->ai_family == AF_INET6)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        if (bind(fd, res->ai_addr, res->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0) {
            freeaddrinfo(res);
            return fd;
        }
    }
    e = errno;
    if (fd >= 0)
        close(fd);
    freeaddrinfo(res);
    snprintf(err, errlen, "cannot listen on %s: %s", addr, omx_strerror(-e));
    return e ? -e : OMX_EIO; /* never 0: that is a descriptor */
}

static void describe_socket(int fd, char *out, size_t outlen) {
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char h[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET) {
            struct sockaddr_in *s = (struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &s->sin_addr, h, sizeof h);
            port = ntohs(s->sin_port);
            snprintf(out, outlen, "%s:%d", h, port);
            return;
        }
        if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;
            inet_ntop(AF_INET6, &s->sin6_addr, h, sizeof h);
            port = ntohs(s->sin6_port);
        }
    }
    snprintf(out, outlen, "[%s]:%d", h, port);
}

/* Go raises the soft descriptor limit to the hard one at start; so do we, so
 * that thousands of idle connections fit. Returns the soft limit in force. */
static long raise_nofile(void) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return 1024;
    if (rl.rlim_cur < rl.rlim_max) {
        struct rlimit want = {.rlim_cur = rl.rlim_max, .rlim_max = rl.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &want) == 0)
            rl.rlim_cur = rl.rlim_max;
    }
    return rl.rlim_cur > (rlim_t)1 << 30 ? 1L << 30 : (long)rl.rlim_cur;
}

static int start_daemon(omx_app *app, long max_conns, char *err, size_t errlen) {
    struct MHD_OptionItem opts[20];
    int n = 0;
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_NO_LISTEN_SOCKET |
                     MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    omx__webconfig *wc = app->webcfg;
    unsigned idle_s = app->idle_timeout_s < 1 ? 1 : (unsigned)(app->idle_timeout_s + 0.999);

#define OPT(o, v, p) (opts[n++] = (struct MHD_OptionItem){(o), (intptr_t)(v), (p)})
    /* The acceptor enforces max_conns; libmicrohttpd's own limit (1020 by
     * default) must not be lower. */
    OPT(MHD_OPTION_CONNECTION_LIMIT, max_conns + 16, NULL);
    /* Inactivity (no byte either way) closes too: a client that stops reading
     * its answer. */
    OPT(MHD_OPTION_CONNECTION_TIMEOUT, idle_s, NULL);
    /* Per connection, for the request and its parsed headers (the query's
     * arguments are on_uri's): libmicrohttpd zeroes all of it again for each
     * keep-alive request, so it is not larger than a long target needs. */
    OPT(MHD_OPTION_CONNECTION_MEMORY_LIMIT, HTTP_CONN_MEMORY, NULL);
    OPT(MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)on_uri, app);
    /* Refuse what Go refuses: whitespace before a header's colon. */
    OPT(MHD_OPTION_STRICT_FOR_CLIENT, 1, NULL);
    OPT(MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, app);
    OPT(MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, app);
    OPT(MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL);
    if (wc && wc->tls) {
        flags |= MHD_USE_TLS;
        OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, wc->cert_pem);
        OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, wc->key_pem);
        OPT(MHD_OPTION_HTTPS_PRIORITIES, 0, wc->priorities);
        /* MHD asks clients for a certificate only when it has a trust list; without a
         * CA (RequestClientCert/RequireAnyClientCert) the own certificate stands in. */
        if (wc->client_auth != OMX__NO_CLIENT_CERT)
            OPT(MHD_OPTION_HTTPS_MEM_TRUST, 0, wc->ca_pem ? wc->ca_pem : wc->cert_pem);
    }
    OPT(MHD_OPTION_END, 0, NULL);
#undef OPT

    app->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, app, MHD_OPTION_ARRAY, opts,
                                   MHD_OPTION_END);
    if (!app->daemon) {
        snprintf(err, errlen, "cannot start the HTTP server%s",
                 wc && wc->tls ? " (TLS certificate, key or cipher settings rejected)" : "");
        return OMX_EIO;
    }
    return 0;
}

int omx__http_start(omx_app *app, char *err, size_t errlen) {
    int fds[OMX__MAX_LISTEN];
    int n = 0, rc = 0;

    if (app->systemd_socket) {
        n = omx__sd_listen_fds(fds, OMX__MAX_LISTEN);
        if (n <= 0) {
            snprintf(err, errlen,
                     "--web.systemd-socket: no listening socket from systemd "
                     "(LISTEN_FDS unset or invalid)");
            return OMX_EINVAL;
        }
    } else {
        for (size_t i = 0; app->listen && app->listen[i]; i++) {
            if (n == OMX__MAX_LISTEN) {
                snprintf(err, errlen, "too many --web.listen-address (at most %d)",
                         OMX__MAX_LISTEN);
                rc = OMX_EINVAL;
                break;
            }
            int fd = bind_one(app->listen[i], err, errlen);
            if (fd < 0) {
                rc = fd;
                break;
            }
            fds[n++] = fd;
        }
        if (rc == 0 && n == 0) {
            snprintf(err, errlen, "no --web.listen-address given");
            rc = OMX_EINVAL;
        }
    }

    long nofile = raise_nofile();
    long reserve = nofile / 4 < HTTP_FD_RESERVE ? nofile / 4 : HTTP_FD_RESERVE;
    long max_conns = app->max_connections;
    if (max_conns > nofile - reserve)
        max_conns = nofile - reserve;
    size_t workers = (size_t)(app->max_requests > 0 ? app->max_requests : HTTP_UNLIMITED_WORKERS) +
                     HTTP_EXTRA_WORKERS + app->extra_workers;
    if (rc == 0 && (rc = omx__pool_new(workers, &app->pool)) < 0)
        snprintf(err, errlen, "cannot start %zu worker threads: %s", workers, omx_strerror(rc));
    if (rc == 0)
        rc = start_daemon(app, max_conns, err, errlen);
    if (rc == 0) {
        omx__accept_opts ao = {
            .fds = fds,
            .n_fds = n,
            .daemon = app->daemon,
            .tls = app->webcfg && app->webcfg->tls,
            .header_timeout_ns = (int64_t)(app->read_header_timeout_s * 1e9),
            .idle_timeout_ns = (int64_t)(app->idle_timeout_s * 1e9),
            .max_conns = max_conns,
            .max_per_ip = app->max_connections_per_ip,
        };
        rc = omx__acceptor_start(&ao, &app->acceptor);
        if (rc < 0)
            snprintf(err, errlen, "cannot start the accept thread: %s", omx_strerror(rc));
    }
    if (rc != 0) {
        omx__http_stop(app, 0);
        for (int i = 0; i < n && !app->systemd_socket; i++)
            close(fds[i]);
        return rc;
    }
    for (int i = 0; i < n; i++) {
        char where[96];
        describe_socket(fds[i], where, sizeof where);
        omx_log(OMX_LOG_INFO, "Listening on", "address", where, NULL);
    }
    char limit[24], nf[24];
    snprintf(limit, sizeof limit, "%ld", max_conns);
    snprintf(nf, sizeof nf, "%ld", nofile);
    omx_log(OMX_LOG_INFO, "TLS is", "enabled", app->webcfg && app->webcfg->tls ? "true" : "false",
            "http2", "false", NULL);
    omx_log(OMX_LOG_DEBUG, "connection limit", "max_connections", limit, "nofile", nf, NULL);
    return 0;
}

bool omx__http_stop(omx_app *app, double grace_s) {
    /* Stop accepting (closes the listening sockets) and taking requests first. */
    atomic_store(&app->stopping, true);
    omx__acceptor_stop(app->acceptor);
    if (app->pool) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        int64_t deadline = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec +
                           (grace_s > 1e9 ? (int64_t)1e18 : (int64_t)(grace_s * 1e9));
        omx__pool_close(app->pool); /* nothing new may start from here on */
        if (!omx__pool_wait_idle(app->pool, deadline))
            return false; /* a handler still runs: it may use everything below */
        /* The answers are made; let the event loop send them (a client that
         * does not read its answer is cut off at the deadline). */
        while (atomic_load(&app->answering) > 0) {
            clock_gettime(CLOCK_MONOTONIC, &ts);
            if ((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec >= deadline)
                break;
            nanosleep(&(struct timespec){.tv_nsec = 5000000}, NULL);
        }
    }
    if (app->daemon)
        MHD_stop_daemon(app->daemon);
    app->daemon = NULL;
    app->pool = omx__pool_free(app->pool);
    app->acceptor = omx__acceptor_free(app->acceptor);
    return true;
}

/* ---- repeated query keys ------------------------------------------------ */

struct query_values {
    const char *key;
    const char **out;
    size_t max, n;
};

static enum MHD_Result add_query_value(void *cls, enum MHD_ValueKind kind, const char *key,
                                       const char *value) {
    struct query_values *q = cls;
    (void)kind;
    if (key && !strcmp(key, q->key)) {
        if (q->n < q->max)
            q->out[q->n] = value ? value : "";
        q->n++;
    }
    return MHD_YES;
}

size_t omx_request_query_values(const omx_request *req, const char *key, const char **values,
                                size_t max) {
    if (!req || !key || (!values && max))
        return 0;
    struct query_values q = {.key = key, .out = values, .max = max};
    if (!req->own_query) {
        MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, add_query_value, &q);
        return q.n;
    }
    for (size_t i = 0; i < req->query.n; i++)
        add_query_value(&q, MHD_GET_ARGUMENT_KIND, req->query.args[i].key,
                        req->query.args[i].value);
    return q.n;
}
