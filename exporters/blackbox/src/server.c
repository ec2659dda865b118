/* The loaded config and its reloads (SIGHUP, POST /-/reload, the optional
 * auto-reload), and the exporter's own metrics about them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <exporter/hash.h>

#include "server.h"

int bb_server_init(bb_server *s, omx_registry *reg) {
    static const struct {
        const char *name, *help;
        omx_type type;
        size_t off;
    } fams[] = {
        {"blackbox_exporter_config_last_reload_successful",
         "Blackbox exporter config loaded successfully.", OMX_GAUGE,
         offsetof(bb_server, m_reload_ok)},
        {"blackbox_exporter_config_last_reload_success_timestamp_seconds",
         "Timestamp of the last successful configuration reload.", OMX_GAUGE,
         offsetof(bb_server, m_reload_ts)},
        {"blackbox_module_unknown_total", "Count of unknown modules requested by probes",
         OMX_COUNTER, offsetof(bb_server, m_unknown)},
        {"blackbox_exporter_probes_rejected_total",
         "Probes answered 503 because --probe.max-concurrent probes were running.", OMX_COUNTER,
         offsetof(bb_server, m_rejected)},
        {"blackbox_exporter_probes_in_flight", "Probes running now.", OMX_GAUGE,
         offsetof(bb_server, m_in_flight)},
    };
    pthread_mutex_init(&s->cfg_mu, NULL);
    pthread_mutex_init(&s->reload_mu, NULL);
    atomic_init(&s->in_flight, 0);
    for (size_t i = 0; reg && i < sizeof fams / sizeof fams[0]; i++) {
        omx_family *f;
        omx_family_opts o = {.type = fams[i].type, .name = fams[i].name, .help = fams[i].help};
        int rc = omx_family_new(reg, &o, &f);
        if (rc == 0)
            rc = omx_family_get(f, NULL, (omx_series **)((char *)s + fams[i].off));
        if (rc < 0)
            return rc;
    }
    return 0;
}

void bb_server_clear(bb_server *s) {
    s->cfg = bb_config_unref(s->cfg);
    s->hist = bb_history_free(s->hist);
    pthread_mutex_destroy(&s->cfg_mu);
    pthread_mutex_destroy(&s->reload_mu);
}

bb_config *bb_server_config(bb_server *s) {
    pthread_mutex_lock(&s->cfg_mu);
    bb_config *c = bb_config_ref(s->cfg);
    pthread_mutex_unlock(&s->cfg_mu);
    return c;
}

int bb_server_reload(bb_server *s, char *err, size_t errlen) {
    char *text = NULL;
    size_t len = 0;
    bb_config *c = NULL;
    struct timespec now;
    pthread_mutex_lock(&s->reload_mu);
    int rc = omx_read_file(s->config_path, 1u << 20, &text, &len);
    if (rc < 0) {
        snprintf(err, errlen, "error reading config file: %s: %s", s->config_path,
                 omx_strerror(rc));
        goto out;
    }
    uint64_t sum = omx_fnv64(text, len);
    if (s->have_sum && sum == s->cfg_sum && s->cfg) {
        omx_log(OMX_LOG_INFO, "Configuration checksum check passed. No changes detected.", NULL);
        goto out;
    }
    rc = bb_config_load_string(s->config_path, text, len, &c, err, errlen);
    if (rc < 0)
        goto out;
    pthread_mutex_lock(&s->cfg_mu);
    bb_config *old = s->cfg;
    s->cfg = c;
    pthread_mutex_unlock(&s->cfg_mu);
    bb_config_unref(old); /* freed when the last probe using it ends */
    s->cfg_sum = sum;
    s->have_sum = true;
out:
    free(text);
    if (rc < 0) {
        omx_gauge_set(s->m_reload_ok, 0);
    } else {
        clock_gettime(CLOCK_REALTIME, &now);
        omx_gauge_set(s->m_reload_ok, 1);
        omx_gauge_set(s->m_reload_ts, (double)now.tv_sec + now.tv_nsec / 1e9);
    }
    pthread_mutex_unlock(&s->reload_mu);
    return rc;
}
