/* The probers whose run lives in a plugin (http, grpc, dns) and wire.h's
 * calls: the config side is the binary's, each run goes through the plugin,
 * which the config load has already opened. */
#include <stdio.h>

#include "plugin.h"
#include "probers/dns/dns.h"
#include "probers/grpc/grpc.h"
#include "probers/http/http.h"

static const bb_plugin *need(bb_probe *p, bb_plugin_id id) {
    const bb_plugin *pl = bb_plugin_get(id);
    if (!pl)
        bb_logf(p, OMX_LOG_ERROR, "%s is not loaded", bb_plugin_file(id));
    return pl;
}

static bool run_http(bb_probe *p, const void *cfg) {
    const bb_plugin *pl = need(p, BB_PLUGIN_HTTP);
    return pl && pl->run_http(p, cfg);
}

static bool run_grpc(bb_probe *p, const void *cfg) {
    const bb_plugin *pl = need(p, BB_PLUGIN_HTTP);
    return pl && pl->run_grpc(p, cfg);
}

static bool run_dns(bb_probe *p, const void *cfg) {
    const bb_plugin *pl = need(p, BB_PLUGIN_DNS);
    return pl && pl->run_dns(p, cfg);
}

static int dns_parse(omx_yaml *y, const omx_yaml_node *n, void **ret) {
    bb_dns_config *c = NULL;
    int r = bb_dns_config_parse(y, n, &c);
    *ret = c;
    return r;
}

static void dns_free(void *cfg) { bb_dns_config_free(cfg); }

static int dns_dump(const void *cfg, omx_buf *out, int indent) {
    return bb_dns_config_dump(cfg, out, indent);
}

const bb_prober bb_prober_http = {"http", bb_http_cfg_parse, bb_http_cfg_free, bb_http_cfg_dump,
                                  run_http};
const bb_prober bb_prober_grpc = {"grpc", bb_grpc_cfg_parse, bb_grpc_cfg_free, bb_grpc_cfg_dump,
                                  run_grpc};
const bb_prober bb_prober_dns = {"dns", dns_parse, dns_free, dns_dump, run_dns};

int bb_wire_start(const wire_config *cfg, omx_registry *reg, wire **ret) {
    const bb_plugin *pl = bb_plugin_get(BB_PLUGIN_WIRE);
    return pl ? pl->wire_start(cfg, reg, ret) : OMX_ECONFIG;
}

wire *bb_wire_stop(wire *w) {
    if (!w)
        return NULL;
    const bb_plugin *pl = bb_plugin_get(BB_PLUGIN_WIRE);
    return pl ? pl->wire_stop(w) : NULL;
}

int bb_wire_read_file(const wire_config *cfg, const char *path, bool openmetrics, int fd, char *err,
                      size_t errlen) {
    if (bb_plugin_load(BB_PLUGIN_WIRE, err, errlen) < 0)
        return OMX_ECONFIG;
    const bb_plugin *pl = bb_plugin_get(BB_PLUGIN_WIRE);
    if (!pl) {
        snprintf(err, errlen, "%s is not loaded", bb_plugin_file(BB_PLUGIN_WIRE));
        return OMX_ECONFIG;
    }
    return pl->wire_read_file(cfg, path, openmetrics, fd, err, errlen);
}
