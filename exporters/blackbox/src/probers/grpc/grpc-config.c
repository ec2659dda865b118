/* The grpc section of a module: service, tls, tls_config, the ip options and
 * metadata (whose values are dumped as secrets). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grpc.h"

static int f_service(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    grpc_cfg *c = ctx;
    const char *s;
    int rc = omx_yaml_get_string(y, v, key, &s);
    if (rc < 0)
        return rc;
    if (strlen(s) > BB_GRPC_SERVICE_MAX)
        return omx_yaml_fail(y, v, key, "service name longer than %d bytes", BB_GRPC_SERVICE_MAX);
    free(c->service);
    return (c->service = strdup(s)) ? 0 : -ENOMEM;
}

static int f_tls(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return omx_yaml_get_bool(y, v, key, &((grpc_cfg *)ctx)->tls);
}

static int f_tls_config(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    (void)key;
    grpc_cfg *c = ctx;
    bb_tls_config_clear(&c->tls_config);
    return bb_tls_config_parse(y, v, &c->tls_config);
}

static int f_ip(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    int rc = bb_ip_opts_field(y, v, key, &((grpc_cfg *)ctx)->ip);
    if (rc == 0)
        return omx_yaml_fail(y, v, key, "unknown key");
    return rc < 0 ? rc : 0;
}

static int md_add(grpc_cfg *c, const char *name, const char *value) {
    char **nn = realloc(c->md_names, (c->n_md + 1) * sizeof(*nn));
    if (!nn)
        return -ENOMEM;
    c->md_names = nn;
    char **vv = realloc(c->md_values, (c->n_md + 1) * sizeof(*vv));
    if (!vv)
        return -ENOMEM;
    c->md_values = vv;
    c->md_names[c->n_md] = strdup(name);
    c->md_values[c->n_md] = strdup(value);
    c->n_md++;
    if (!c->md_names[c->n_md - 1] || !c->md_values[c->n_md - 1])
        return -ENOMEM;
    /* metadata keys are lowercase on the wire, as grpc-go writes them */
    for (char *s = c->md_names[c->n_md - 1]; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
    return 0;
}

static int md_add_cb(void *ctx, const char *name, const char *value) {
    return md_add(ctx, name, value);
}

static int f_metadata(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return bb_header_lists_parse(y, v, key, "metadata key", md_add_cb, ctx);
}

void bb_grpc_cfg_free(void *cfg) {
    grpc_cfg *c = cfg;
    if (!c)
        return;
    free(c->service);
    bb_tls_config_clear(&c->tls_config);
    for (size_t i = 0; i < c->n_md; i++) {
        free(c->md_names[i]);
        free(c->md_values[i]);
    }
    free(c->md_names);
    free(c->md_values);
    free(c);
}

int bb_grpc_cfg_parse(omx_yaml *y, const omx_yaml_node *n, void **ret) {
    static const omx_yaml_field fields[] = {
        {"service", f_service},          {"tls", f_tls},
        {"tls_config", f_tls_config},    {"ip_protocol_fallback", f_ip},
        {"preferred_ip_protocol", f_ip}, {"metadata", f_metadata},
    };
    grpc_cfg *c = calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    c->ip.preferred = 6;
    c->ip.fallback = true;
    int rc = n ? omx_yaml_map(y, n, "grpc", fields, sizeof(fields) / sizeof(fields[0]), c) : 0;
    if (rc < 0) {
        bb_grpc_cfg_free(c);
        return rc;
    }
    *ret = c;
    return 0;
}

int bb_grpc_cfg_dump(const void *cfg, omx_buf *out, int indent) {
    const grpc_cfg *c = cfg;
    int rc = c->service && *c->service ? bb_dump_kv(out, indent, "service", c->service) : 0;
    if (rc == 0)
        rc = bb_dump_bool(out, indent, "tls", c->tls);
    if (rc == 0)
        rc = bb_dump_key(out, indent, "tls_config");
    if (rc == 0)
        rc = bb_tls_config_dump(&c->tls_config, out, indent + 2);
    if (rc == 0)
        rc = bb_ip_opts_dump(&c->ip, out, indent);
    if (rc == 0 && c->n_md) {
        rc = bb_dump_key(out, indent, "metadata");
        /* values may carry credentials (authorization metadata) */
        for (size_t i = 0; i < c->n_md && rc == 0; i++)
            rc = bb_dump_secret(out, indent + 2, c->md_names[i], c->md_values[i]);
    }
    return rc;
}
