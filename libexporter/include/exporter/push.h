/* omx libexporter-app: push mode. A pusher gathers a registry (collectors
 * included) on an interval and sends it with the Prometheus remote-write
 * protocol (1.0 by default, 2.0 on request) to a receiver: Prometheus with
 * --web.enable-remote-write-receiver, VictoriaMetrics, Mimir, Cortex, Thanos
 * Receive. Requests wait in a bounded in-memory queue while the receiver is
 * unreachable; see docs/push.md for the behaviour on every failure and the
 * omx_push_* metrics.
 *
 *   omx_pusher *p;
 *   char err[256];
 *   omx_push_opts o = { .url = "http://127.0.0.1:9090/api/v1/write" };
 *   if (omx_pusher_new(reg, &o, &p, err, sizeof err) == 0 && omx_pusher_start(p) == 0) {
 *       ... the program runs ...
 *       omx_pusher_stop(p);     // sends what is queued, bounded by flush_timeout_s
 *   }
 *   omx_pusher_free(p);
 *
 * omx_push_gateway() sends a registry once to a Pushgateway, for batch jobs.
 * Exporters built on omx_app get all of this from the --push.* flags.
 */
#ifndef EXPORTER_PUSH_H
#define EXPORTER_PUSH_H

#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>

#include "exporter/registry.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum omx_push_protocol {
    OMX_PUSH_RW1 = 0, /* prometheus.WriteRequest, X-Prometheus-Remote-Write-Version 0.1.0 */
    OMX_PUSH_RW2 = 1, /* io.prometheus.write.v2.Request, version 2.0.0 */
} omx_push_protocol;

/* Every string is borrowed until omx_pusher_new / omx_push_gateway returns
 * (what is needed later is copied). Zero fields take the default named. */
typedef struct omx_push_opts {
    const char *url; /* required: http:// or https:// */
    omx_push_protocol protocol;
    double interval_s; /* gather every; default 15 */
    double timeout_s;  /* one request; default 10 */
    /* "name=value" strings added to every series lacking the label; NULL-terminated */
    const char *const *external_labels;
    /* "Name: Value" extra request headers (X-Scope-OrgID: ...); NULL-terminated.
     * The headers the protocol sets and Authorization are refused. */
    const char *const *headers;
    const char *basic_auth_username;      /* with basic_auth_password_file */
    const char *basic_auth_password_file; /* read on every request (first line) */
    const char *bearer_token_file;        /* read on every request (first line) */
    const char *tls_ca_file, *tls_cert_file, *tls_key_file;
    bool tls_insecure_skip_verify;
    double max_sample_age_s;    /* queued requests older than this are dropped; default 3600 */
    size_t queue_max_samples;   /* default 500000 */
    size_t queue_max_bytes;     /* compressed; default 32 MiB */
    double flush_timeout_s;     /* omx_pusher_stop keeps sending this long; default 5 */
    double backoff_min_s;       /* first retry delay; default 0.5 */
    double backoff_max_s;       /* longest retry delay; default 30 */
    double metadata_interval_s; /* 1.0: metadata sent this often; default 60 */
    const char *user_agent;     /* default "omx/<version>" */
    /* Registers the omx_push_* families there (NULL = none); may be the
     * pushed registry itself. */
    omx_registry *self_metrics;
} omx_push_opts;

typedef struct omx_pusher omx_pusher;

/* Creates a pusher of r (borrowed: it must outlive the pusher). Checks opts:
 * on error returns OMX_EINVAL/OMX_ECONFIG/an errno with one line naming the
 * option in err (errlen bytes, may be 0). On success *ret (owned by the
 * caller, freed with omx_pusher_free) and 0. */
int omx_pusher_new(omx_registry *r, const omx_push_opts *opts, omx_pusher **ret, char *err,
                   size_t errlen);
/* Starts the pushing thread (first gather at once). Returns 0, OMX_ESTATE
 * (already started) or -errno. */
int omx_pusher_start(omx_pusher *p);
/* Gathers now. With the thread running it is woken to send and 0 returned;
 * without it the queue is sent on this thread, one attempt per request:
 * returns 0 when the queue emptied, else the last failure (-ECONNREFUSED,
 * OMX_EIO for an HTTP error status, ...). */
int omx_pusher_push_now(omx_pusher *p);
/* Stops the thread after a last gather, sending what is queued for at most
 * flush_timeout_s; what is left is dropped and counted. Returns 0 or
 * OMX_ETIMEOUT when something was left. Safe to call twice. */
int omx_pusher_stop(omx_pusher *p);
/* Stops (as omx_pusher_stop) and frees. Accepts NULL; returns NULL. The
 * omx_push_* families stay in self_metrics, frozen. */
omx_pusher *omx_pusher_free(omx_pusher *p);

/* Pushgateway methods: PUT replaces the group, POST replaces the families
 * sent, DELETE removes the group (r may then be NULL). */
typedef enum omx_gateway_method {
    OMX_GATEWAY_PUT = 0,
    OMX_GATEWAY_POST = 1,
    OMX_GATEWAY_DELETE = 2,
} omx_gateway_method;

typedef struct omx_gateway_opts {
    const char *url; /* the Pushgateway, e.g. http://127.0.0.1:9091 */
    const char *job; /* required, non-empty */
    /* grouping labels: n_labels names and values (values containing '/' or
     * empty go base64url-encoded as <name>@base64/<value>) */
    const char *const *label_names;
    const char *const *label_values;
    size_t n_labels;
    omx_gateway_method method;
    double timeout_s; /* default 10 */
    /* auth and TLS as for a pusher */
    const char *const *headers;
    const char *basic_auth_username, *basic_auth_password_file, *bearer_token_file;
    const char *tls_ca_file, *tls_cert_file, *tls_key_file;
    bool tls_insecure_skip_verify;
} omx_gateway_opts;

/* Sends r as Prometheus 0.0.4 text to <url>/metrics/job/<job>{/<name>/<value>}
 * (r borrowed). Returns 0 on a 2xx answer, OMX_EIO for another status (its
 * code and body start in err), -errno when no answer came, OMX_EINVAL for bad
 * opts. */
int omx_push_gateway(omx_registry *r, const omx_gateway_opts *opts, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
