/* The icmp section of a module: parse, free and dump (icmp.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exporter/writer.h"
#include "exporter/yamlconf.h"
#include "icmp.h"

const icmp_config icmp_defaults = {
    .ip = {.preferred = 6, .fallback = true},
    .ttl = ICMP_DEFAULT_TTL,
    .interval_ns = ICMP_DEFAULT_INTERVAL_NS,
};

static int f_ip(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    int rc = bb_ip_opts_field(y, v, key, &((icmp_config *)ctx)->ip);
    return rc < 0 ? rc : 0;
}

static int get_range(omx_yaml *y, const omx_yaml_node *v, const char *key, int64_t lo, int64_t hi,
                     int *ret) {
    int64_t x;
    int rc = omx_yaml_get_int(y, v, key, &x);
    if (rc < 0)
        return rc;
    if (x < lo)
        return omx_yaml_fail(y, v, key, "cannot be less than %lld", (long long)lo);
    if (x > hi)
        return omx_yaml_fail(y, v, key, "cannot exceed %lld", (long long)hi);
    *ret = (int)x;
    return 0;
}

static int f_payload_size(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return get_range(y, v, key, 0, ICMP_MAX_PAYLOAD, &((icmp_config *)ctx)->payload_size);
}

static int f_ttl(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return get_range(y, v, key, 0, 255, &((icmp_config *)ctx)->ttl);
}

static int f_packets(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return get_range(y, v, key, 1, ICMP_MAX_PACKETS, &((icmp_config *)ctx)->packets);
}

static int f_dont_fragment(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return omx_yaml_get_bool(y, v, key, &((icmp_config *)ctx)->dont_fragment);
}

static int f_interval(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    icmp_config *c = ctx;
    int rc = omx_yaml_get_duration(y, v, key, &c->interval_ns);
    if (rc == 0 && c->interval_ns < ICMP_MIN_INTERVAL_NS)
        rc = omx_yaml_fail(y, v, key, "must be at least 1ms");
    return rc;
}

int icmp_config_parse(omx_yaml *y, const omx_yaml_node *n, void **ret) {
    static const omx_yaml_field fields[] = {
        {"preferred_ip_protocol", f_ip},
        {"ip_protocol_fallback", f_ip},
        {"source_ip_address", f_ip},
        {"payload_size", f_payload_size},
        {"dont_fragment", f_dont_fragment},
        {"ttl", f_ttl},
        {"packets", f_packets},
        {"interval", f_interval},
    };
    *ret = NULL;
    icmp_config *c = malloc(sizeof *c);
    if (!c)
        return -ENOMEM;
    *c = icmp_defaults;
    int rc = n ? omx_yaml_map(y, n, "icmp", fields, sizeof fields / sizeof fields[0], c) : 0;
    if (rc < 0) {
        icmp_config_free(c);
        return rc;
    }
    *ret = c;
    return 0;
}

void icmp_config_free(void *cfg) {
    icmp_config *c = cfg;
    if (!c)
        return;
    free(c);
}

static int line(omx_buf *out, int indent, const char *key, const char *fmt, long long v) {
    char buf[160], val[32];
    snprintf(val, sizeof val, fmt, v);
    int n = snprintf(buf, sizeof buf, "%*s%s: %s\n", indent, "", key, val);
    return n < 0 || (size_t)n >= sizeof buf ? OMX_ELIMIT : omx_buf_append(out, buf, (size_t)n);
}

int icmp_config_dump(const void *cfg, omx_buf *out, int indent) {
    const icmp_config *c = cfg ? cfg : &icmp_defaults;
    int rc = bb_ip_opts_dump(&c->ip, out, indent);
    if (rc == 0 && c->payload_size)
        rc = line(out, indent, "payload_size", "%lld", c->payload_size);
    if (rc == 0 && c->dont_fragment)
        rc = line(out, indent, "dont_fragment", "true", 0);
    if (rc == 0)
        rc = line(out, indent, "ttl", "%lld", c->ttl);
    if (rc == 0 && c->packets) {
        rc = line(out, indent, "packets", "%lld", c->packets);
        if (rc == 0)
            rc = line(out, indent, "interval", "%lldms", c->interval_ns / 1000000);
    }
    return rc;
}

size_t icmp_payload(int payload_size, unsigned char *buf, size_t cap) {
    static const char text[] = "Prometheus Blackbox Exporter";
    size_t n = payload_size ? (size_t)payload_size : sizeof text - 1;
    if (n > cap)
        n = cap;
    memset(buf, 0, n);
    memcpy(buf, text, n < sizeof text - 1 ? n : sizeof text - 1);
    return n;
}

uint16_t icmp_checksum(const void *data, size_t len) {
    const unsigned char *b = data;
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)(b[i] << 8 | b[i + 1]);
    if (len & 1)
        sum += (uint32_t)b[len - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}
