/* A test prober ("fake") beside the real ones, for the server tests: a
 * target "hang" holds until the probe's deadline, "fail" fails, anything
 * else succeeds; with `resolve: true` the target is resolved first (the
 * allow-list), and `password` is a secret for the /config and debug checks. */
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "prober.h"

typedef struct fake_cfg {
    bool resolve;
    const char *password;
    bb_ip_opts ip;
} fake_cfg;

static int field(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    fake_cfg *c = ctx;
    const char *k = strrchr(key, '.') ? strrchr(key, '.') + 1 : key;
    int rc = bb_ip_opts_field(y, v, key, &c->ip);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    if (!strcmp(k, "resolve"))
        return omx_yaml_get_bool(y, v, key, &c->resolve);
    return omx_yaml_get_string(y, v, key, &c->password);
}

static int parse(omx_yaml *y, const omx_yaml_node *n, void **ret) {
    static const omx_yaml_field fields[] = {{"resolve", field},
                                            {"password", field},
                                            {"preferred_ip_protocol", field},
                                            {"ip_protocol_fallback", field}};
    fake_cfg *c = calloc(1, sizeof *c);
    if (!c)
        return -ENOMEM;
    bb_ip_opts_default(&c->ip);
    int rc = omx_yaml_map(y, n, bb_section_key(), fields, sizeof fields / sizeof fields[0], c);
    if (rc < 0) {
        free(c);
        return rc;
    }
    *ret = c;
    return 0;
}

static void cfg_free(void *cfg) { free(cfg); }

static int dump(const void *cfg, omx_buf *out, int indent) {
    const fake_cfg *c = cfg;
    int rc = bb_dump_bool(out, indent, "resolve", c->resolve);
    if (!rc)
        rc = bb_dump_secret(out, indent, "password", c->password);
    if (!rc)
        rc = bb_ip_opts_dump(&c->ip, out, indent);
    return rc;
}

static bool run(bb_probe *p, const void *cfg) {
    const fake_cfg *c = cfg;
    if (c->resolve) {
        char host[256];
        uint16_t port;
        struct sockaddr_storage ss;
        socklen_t len;
        if (bb_split_host_port(p->target, host, sizeof host, &port, 80) < 0) {
            bb_logf(p, OMX_LOG_ERROR, "bad target");
            return false;
        }
        if (bb_resolve(p, host, port, &c->ip, &ss, &len) < 0)
            return false;
    }
    if (!strcmp(p->target, "hang")) {
        while (!bb_expired(p))
            poll(NULL, 0, bb_remaining_ms(p));
        bb_logf(p, OMX_LOG_ERROR, "deadline reached");
        return false;
    }
    static const char *const names[] = {"target", "hostname"};
    const char *values[] = {p->target, p->hostname ? p->hostname : ""};
    bb_result_gauge_l(p, "probe_fake_info", "The fake prober's target.", 2, names, values, 1);
    return strcmp(p->target, "fail") != 0;
}

static const bb_prober fake = {"fake", parse, cfg_free, dump, run};

const bb_prober_entry bb_probers[] = {
    {&bb_prober_http, true, BB_PLUGIN_HTTP},  {&bb_prober_tcp, true, BB_PLUGIN_NONE},
    {&bb_prober_icmp, true, BB_PLUGIN_NONE},  {&bb_prober_dns, true, BB_PLUGIN_DNS},
    {&bb_prober_grpc, false, BB_PLUGIN_HTTP}, {&bb_prober_udp, false, BB_PLUGIN_NONE},
    {&fake, false, BB_PLUGIN_NONE},
};
const size_t bb_n_probers = sizeof bb_probers / sizeof bb_probers[0];
