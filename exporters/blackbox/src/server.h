/* omx-blackbox's server side: the loaded config (swapped on reload), the
 * probe history and the HTTP handlers (/probe, /config, /logs, /-/reload,
 * the landing page). */
#ifndef BB_SERVER_H
#define BB_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "config.h"
#include "history.h"
#include "runtime.h"

typedef struct bb_server {
    omx_app *app;
    const char *config_path;
    double timeout_offset; /* --timeout-offset, seconds */
    long max_concurrent;   /* --probe.max-concurrent; 0 = no limit */
    bb_runtime rt;
    bb_history *hist;

    pthread_mutex_t cfg_mu; /* guards cfg (the pointer; the config is immutable) */
    bb_config *cfg;
    pthread_mutex_t reload_mu; /* one reload at a time */
    uint64_t cfg_sum;          /* checksum of the loaded file: an unchanged file is not re-read */
    bool have_sum;

    atomic_long in_flight;
    omx_series *m_reload_ok, *m_reload_ts, *m_unknown, *m_rejected, *m_in_flight;
} bb_server;

/* Sets up s (fields above m_* already filled by the caller) and registers the
 * exporter's own families in reg. Returns 0 or an omx_err. */
int bb_server_init(bb_server *s, omx_registry *reg);
void bb_server_clear(bb_server *s);
/* The current config with a reference the caller drops (bb_config_unref); NULL before load. */
bb_config *bb_server_config(bb_server *s);
/* (Re)loads s->config_path: on success swaps it in (probes running keep the
 * old one until they end); on failure keeps the old one. Sets the reload
 * gauges either way. Returns 0 or an omx_err with the reason in err. */
int bb_server_reload(bb_server *s, char *err, size_t errlen);

/* The probe's timeout in seconds as upstream computes it from the scrape
 * timeout header (NULL when absent), the module's timeout (0: none) and
 * --timeout-offset. Returns 0, or -EINVAL for a header that is not a number. */
int bb_probe_timeout(const char *header, int64_t module_timeout_ns, double offset,
                     double *ret_seconds);

/* Handlers (omx_handler_fn) taking the bb_server as userdata. */
int bb_handle_probe(omx_request *req, void *userdata);
int bb_handle_config(omx_request *req, void *userdata);
int bb_handle_logs(omx_request *req, void *userdata);
int bb_handle_reload(omx_request *req, void *userdata);
int bb_handle_landing(omx_request *req, void *userdata);
int bb_handle_healthy(omx_request *req, void *userdata);

#endif
