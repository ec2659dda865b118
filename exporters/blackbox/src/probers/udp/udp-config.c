/* The udp section of a module: parse, free and dump (udp.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exporter/writer.h"
#include "exporter/yamlconf.h"
#include "udp.h"

const udp_config udp_defaults = {
    .ip = {.preferred = 6, .fallback = true},
    .max_reply_size = UDP_DEFAULT_MAX_REPLY,
};

static int hexval(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int udp_hex_decode(const char *s, unsigned char **ret, size_t *ret_len) {
    unsigned char *out = malloc(strlen(s) / 2 + 1);
    if (!out)
        return -ENOMEM;
    size_t n = 0;
    int hi = -1;
    for (const char *c = s; *c; c++) {
        bool sep = *c == ' ' || *c == '\t' || *c == '\n' || *c == ':' || *c == '-';
        int v = sep ? -1 : hexval(*c);
        if ((sep && hi >= 0) || (!sep && v < 0))
            goto bad; /* a separator inside a byte, or not a hex digit */
        if (sep)
            continue;
        if (hi < 0) {
            hi = v;
        } else {
            out[n++] = (unsigned char)(hi << 4 | v);
            hi = -1;
        }
    }
    if (hi >= 0)
        goto bad;
    *ret = out;
    *ret_len = n;
    return 0;
bad:
    free(out);
    return -EINVAL;
}

static int f_ip(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    int rc = bb_ip_opts_field(y, v, key, &((udp_config *)ctx)->ip);
    return rc < 0 ? rc : 0;
}

static int set_payload(omx_yaml *y, const omx_yaml_node *v, const char *key, udp_config *c,
                       bool hex) {
    if (c->payload_src)
        return omx_yaml_fail(y, v, key, "payload and payload_hex are mutually exclusive");
    const char *s;
    int rc = omx_yaml_get_string(y, v, key, &s);
    if (rc < 0)
        return rc;
    if (!(c->payload_src = strdup(s)))
        return -ENOMEM;
    c->payload_is_hex = hex;
    if (hex) {
        rc = udp_hex_decode(s, &c->payload, &c->payload_len);
        if (rc == -EINVAL)
            return omx_yaml_fail(y, v, key, "not hex digits in pairs (\"17 2a\" or \"172a\")");
        if (rc < 0)
            return rc;
    } else {
        c->payload_len = strlen(s);
        if (!(c->payload = (unsigned char *)strdup(s)))
            return -ENOMEM;
    }
    if (c->payload_len > UDP_MAX_PAYLOAD)
        return omx_yaml_fail(y, v, key, "longer than a UDP datagram (%d bytes)", UDP_MAX_PAYLOAD);
    return 0;
}

static int f_payload(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return set_payload(y, v, key, ctx, false);
}

static int f_payload_hex(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return set_payload(y, v, key, ctx, true);
}

static int f_expect(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    udp_config *c = ctx;
    const char *s;
    int rc = omx_yaml_get_string(y, v, key, &s);
    if (rc < 0)
        return rc;
    if (!(c->expect_src = strdup(s)))
        return -ENOMEM;
    char err[256];
    rc = omx_regex_new(s, 0, &c->expect, err, sizeof err);
    if (rc == OMX_ENOMEM)
        return rc;
    if (rc < 0)
        return omx_yaml_fail(y, v, key, "Could not compile regular expression \"%s\": %s", s, err);
    return 0;
}

static int f_expect_reply(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return omx_yaml_get_bool(y, v, key, &((udp_config *)ctx)->expect_reply);
}

static int f_max_reply_size(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    int64_t x;
    int rc = omx_yaml_get_int(y, v, key, &x);
    if (rc < 0)
        return rc;
    if (x < 1 || x > UDP_DEFAULT_MAX_REPLY)
        return omx_yaml_fail(y, v, key, "must be 1 to %d bytes", UDP_DEFAULT_MAX_REPLY);
    ((udp_config *)ctx)->max_reply_size = (size_t)x;
    return 0;
}

int udp_config_parse(omx_yaml *y, const omx_yaml_node *n, void **ret) {
    static const omx_yaml_field fields[] = {
        {"preferred_ip_protocol", f_ip},  {"ip_protocol_fallback", f_ip},
        {"source_ip_address", f_ip},      {"payload", f_payload},
        {"payload_hex", f_payload_hex},   {"expect", f_expect},
        {"expect_reply", f_expect_reply}, {"max_reply_size", f_max_reply_size},
    };
    *ret = NULL;
    udp_config *c = malloc(sizeof *c);
    if (!c)
        return -ENOMEM;
    *c = udp_defaults;
    int rc = n ? omx_yaml_map(y, n, "udp", fields, sizeof fields / sizeof fields[0], c) : 0;
    if (rc < 0) {
        udp_config_free(c);
        return rc;
    }
    if (c->expect)
        c->expect_reply = true;
    *ret = c;
    return 0;
}

void udp_config_free(void *cfg) {
    udp_config *c = cfg;
    if (!c)
        return;
    free(c->payload);
    free(c->payload_src);
    omx_regex_free(c->expect);
    free(c->expect_src);
    free(c);
}

int udp_config_dump(const void *cfg, omx_buf *out, int indent) {
    const udp_config *c = cfg ? cfg : &udp_defaults;
    int rc = bb_ip_opts_dump(&c->ip, out, indent);
    if (rc == 0 && c->payload_src)
        rc = bb_dump_kv(out, indent, c->payload_is_hex ? "payload_hex" : "payload", c->payload_src);
    if (rc == 0 && c->expect_src)
        rc = bb_dump_kv(out, indent, "expect", c->expect_src);
    char line[128];
    int n = snprintf(line, sizeof line, "%*sexpect_reply: %s\n%*smax_reply_size: %zu\n", indent, "",
                     c->expect_reply ? "true" : "false", indent, "", c->max_reply_size);
    if (rc == 0)
        rc = omx_buf_append(out, line, (size_t)n);
    return rc;
}
