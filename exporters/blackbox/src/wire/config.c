/* The passive: section of blackbox.yml (see docs/blackbox-wire.md). */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exporter/text.h"
#include "wire-int.h"

static const double default_hs_buckets[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                            0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                            1,      2.5,     5,      10};
static const double default_dns_buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                             0.1,    0.25,  0.5,    1,     2.5,  5};

#define N(a) (sizeof(a) / sizeof((a)[0]))

wire_config *wire_config_new(void) {
    wire_config *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    strcpy(c->ifaces[0], "any");
    c->n_ifaces = 1;
    c->snaplen = 512;
    c->handshake_acks = true;
    c->hs_table = 32768;
    c->dns_table = 8192;
    c->hs_timeout_ns = 30 * 1000000000ll;
    c->dns_timeout_ns = 10 * 1000000000ll;
    memcpy(c->hs_buckets, default_hs_buckets, sizeof default_hs_buckets);
    c->n_hs_buckets = N(default_hs_buckets);
    memcpy(c->dns_buckets, default_dns_buckets, sizeof default_dns_buckets);
    c->n_dns_buckets = N(default_dns_buckets);
    return c;
}

wire_config *wire_config_free(wire_config *c) {
    if (!c)
        return NULL;
    free(c->filter);
    free(c->local);
    for (size_t i = 0; i < c->n_nets; i++)
        free(c->nets[i].cidrs);
    free(c);
    return NULL;
}

static void *dup_mem(const void *p, size_t n, bool *fail) {
    if (!p || n == 0)
        return NULL;
    void *d = malloc(n);
    if (!d)
        *fail = true;
    else
        memcpy(d, p, n);
    return d;
}

wire_config *wire_config_copy(const wire_config *c) {
    wire_config *d = malloc(sizeof *d);
    if (!d)
        return NULL;
    *d = *c;
    bool fail = false;
    d->filter = c->filter ? dup_mem(c->filter, strlen(c->filter) + 1, &fail) : NULL;
    d->local = dup_mem(c->local, c->n_local * sizeof *c->local, &fail);
    for (size_t i = 0; i < c->n_nets; i++)
        d->nets[i].cidrs = dup_mem(c->nets[i].cidrs, c->nets[i].n * sizeof(wire_cidr), &fail);
    if (fail)
        return wire_config_free(d);
    return d;
}

int wire_cidr_parse(const char *s, wire_cidr *ret) {
    memset(ret, 0, sizeof *ret);
    char buf[64];
    size_t l = strlen(s);
    if (l == 0 || l >= sizeof buf)
        return -EINVAL;
    memcpy(buf, s, l + 1);
    char *slash = strchr(buf, '/');
    if (slash)
        *slash++ = 0;
    if (inet_pton(AF_INET, buf, ret->addr) == 1) {
        ret->family = 4;
        ret->bits = 32;
    } else if (inet_pton(AF_INET6, buf, ret->addr) == 1) {
        ret->family = 6;
        ret->bits = 128;
    } else {
        return -EINVAL;
    }
    if (slash) {
        uint64_t b;
        if (omx_parse_u64(slash, &b) < 0 || b > ret->bits)
            return -EINVAL;
        ret->bits = (uint8_t)b;
    }
    for (unsigned i = ret->bits; i < 128; i++)
        ret->addr[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
    return 0;
}

bool wire_cidr_match(const wire_cidr *c, uint8_t family, const uint8_t *addr) {
    if (c->family != family)
        return false;
    unsigned full = c->bits / 8, rest = c->bits % 8;
    if (memcmp(c->addr, addr, full) != 0)
        return false;
    if (rest == 0)
        return true;
    uint8_t m = (uint8_t)(0xff00u >> rest);
    return (addr[full] & m) == c->addr[full];
}

void wire_cidr_format(const wire_cidr *c, char *out, size_t len) {
    char a[INET6_ADDRSTRLEN];
    inet_ntop(c->family == 4 ? AF_INET : AF_INET6, c->addr, a, sizeof a);
    if (c->bits == (c->family == 4 ? 32 : 128))
        snprintf(out, len, "%s", a);
    else
        snprintf(out, len, "%s/%u", a, c->bits);
}

int wire_filter_build(const wire_config *c, char *out, size_t len) {
    /* libpcap's tcp[] reads IPv4 only: IPv6 (without extension headers) by offset. */
    const char *def;
    if (c->volume)
        def = "ip or ip6";
    else if (c->handshake_acks)
        def =
            "(tcp[13] & 7 != 0) or (ip6[6] = 6 and ip6[53] & 7 != 0)"
            " or (tcp[13] & 0x1f = 0x10 and"
            " ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2) = 0)"
            " or (ip6[6] = 6 and ip6[53] & 0x1f = 0x10 and ip6[4:2] - ((ip6[52] & 0xf0) >> 2) = 0)"
            " or port 53 or icmp or icmp6 or (ip[6:2] & 0x3fff != 0) or (ip6 and ip6[6] != 6 "
            "and ip6[6] != 17 and ip6[6] != 58)";
    else
        def = "(tcp[13] & 7 != 0) or (ip6[6] = 6 and ip6[53] & 7 != 0)"
              " or port 53 or icmp or icmp6 or (ip[6:2] & 0x3fff != 0) or (ip6 and ip6[6] != 6 "
              "and ip6[6] != 17 and ip6[6] != 58)";
    int n = c->filter ? snprintf(out, len, "(%s) and (%s)", def, c->filter)
                      : snprintf(out, len, "%s", def);
    return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* --- parsing --- */

static int f_interfaces(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    wire_config *c = ctx;
    if (omx_yaml_kind_of(v) != OMX_YAML_SEQUENCE)
        return omx_yaml_fail(y, v, key, "expected a list of interface names");
    size_t n = omx_yaml_len(v);
    if (n == 0 || n > WIRE_MAX_IFACES)
        return omx_yaml_fail(y, v, key, "expected 1 to %d interfaces", WIRE_MAX_IFACES);
    for (size_t i = 0; i < n; i++) {
        const omx_yaml_node *it = omx_yaml_item(y, v, i);
        const char *s;
        int rc = omx_yaml_get_string(y, it, key, &s);
        if (rc < 0)
            return rc;
        size_t l = strlen(s);
        if (l == 0 || l > 15 || strchr(s, '/') || strchr(s, ' '))
            return omx_yaml_fail(y, it, key, "invalid interface name \"%.40s\"", s);
        for (size_t j = 0; j < i; j++)
            if (strcmp(c->ifaces[j], s) == 0)
                return omx_yaml_fail(y, it, key, "interface \"%s\" given twice", s);
        memcpy(c->ifaces[i], s, l + 1);
    }
    c->n_ifaces = n;
    return 0;
}

static int f_filter(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    wire_config *c = ctx;
    const char *s;
    int rc = omx_yaml_get_string(y, v, key, &s);
    if (rc < 0)
        return rc;
    if (strlen(s) > WIRE_MAX_FILTER)
        return omx_yaml_fail(y, v, key, "filter longer than %d bytes", WIRE_MAX_FILTER);
    free(c->filter);
    c->filter = NULL;
    if (*s == 0)
        return 0;
    if (!(c->filter = strdup(s)))
        return -ENOMEM;
    return 0;
}

static int get_range(omx_yaml *y, const omx_yaml_node *v, const char *key, int64_t lo, int64_t hi,
                     int64_t *ret) {
    int rc = omx_yaml_get_int(y, v, key, ret);
    if (rc < 0)
        return rc;
    if (*ret < lo || *ret > hi)
        return omx_yaml_fail(y, v, key, "must be between %lld and %lld", (long long)lo,
                             (long long)hi);
    return 0;
}

static int f_snaplen(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    int64_t n;
    int rc = get_range(y, v, key, 128, 65535, &n);
    if (rc == 0)
        ((wire_config *)ctx)->snaplen = (int)n;
    return rc;
}

static int f_handshake_acks(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return omx_yaml_get_bool(y, v, key, &((wire_config *)ctx)->handshake_acks);
}

static int f_volume(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return omx_yaml_get_bool(y, v, key, &((wire_config *)ctx)->volume);
}

static int f_top_peers(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    int64_t n;
    int rc = get_range(y, v, key, 0, WIRE_MAX_TOP_PEERS, &n);
    if (rc == 0)
        ((wire_config *)ctx)->top_peers = (size_t)n;
    return rc;
}

static int check_seq(omx_yaml *y, const omx_yaml_node *v, const char *key, size_t max,
                     const char *what) {
    if (omx_yaml_is_empty(v))
        return 0;
    if (omx_yaml_kind_of(v) != OMX_YAML_SEQUENCE)
        return omx_yaml_fail(y, v, key, "expected a list of %s", what);
    if (omx_yaml_len(v) > max)
        return omx_yaml_fail(y, v, key, "at most %zu %s", max, what);
    return 0;
}

static int f_service_ports(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    wire_config *c = ctx;
    int rc = check_seq(y, v, key, WIRE_MAX_PORTS, "ports");
    if (rc < 0)
        return rc;
    c->n_ports = 0;
    for (size_t i = 0; i < omx_yaml_len(v); i++) {
        const omx_yaml_node *it = omx_yaml_item(y, v, i);
        int64_t p;
        if ((rc = get_range(y, it, key, 1, 65535, &p)) < 0)
            return rc;
        for (size_t j = 0; j < c->n_ports; j++)
            if (c->ports[j] == p)
                return omx_yaml_fail(y, it, key, "port %lld given twice", (long long)p);
        c->ports[c->n_ports++] = (uint16_t)p;
    }
    return 0;
}

static int get_cidr(omx_yaml *y, const omx_yaml_node *it, const char *key, bool exact,
                    wire_cidr *ret) {
    const char *s;
    int rc = omx_yaml_get_string(y, it, key, &s);
    if (rc < 0)
        return rc;
    if (wire_cidr_parse(s, ret) < 0 || (exact && strchr(s, '/')))
        return omx_yaml_fail(y, it, key, "invalid %s \"%.60s\"", exact ? "IP address" : "CIDR", s);
    return 0;
}

static int f_resolvers(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    wire_config *c = ctx;
    int rc = check_seq(y, v, key, WIRE_MAX_RESOLVERS, "resolvers");
    if (rc < 0)
        return rc;
    c->n_resolvers = 0;
    for (size_t i = 0; i < omx_yaml_len(v); i++) {
        const omx_yaml_node *it = omx_yaml_item(y, v, i);
        wire_cidr a;
        if ((rc = get_cidr(y, it, key, true, &a)) < 0)
            return rc;
        for (size_t j = 0; j < c->n_resolvers; j++)
            if (memcmp(&c->resolvers[j], &a, sizeof a) == 0)
                return omx_yaml_fail(y, it, key, "resolver given twice");
        c->resolvers[c->n_resolvers] = a;
        wire_cidr_format(&a, c->resolver_names[c->n_resolvers],
                         sizeof c->resolver_names[c->n_resolvers]);
        c->n_resolvers++;
    }
    return 0;
}

static int get_cidrs(omx_yaml *y, const omx_yaml_node *v, const char *key, wire_cidr **ret,
                     size_t *ret_n) {
    int rc = check_seq(y, v, key, WIRE_MAX_CIDRS, "CIDRs");
    if (rc < 0)
        return rc;
    size_t n = omx_yaml_len(v);
    wire_cidr *a = n ? calloc(n, sizeof *a) : NULL;
    if (n && !a)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if ((rc = get_cidr(y, omx_yaml_item(y, v, i), key, false, &a[i])) < 0) {
            free(a);
            return rc;
        }
    }
    free(*ret);
    *ret = a;
    *ret_n = n;
    return 0;
}

static int f_local_networks(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    wire_config *c = ctx;
    return get_cidrs(y, v, key, &c->local, &c->n_local);
}

static bool name_ok(const char *s) {
    size_t l = strlen(s);
    if (l == 0 || l > WIRE_NAME_MAX || strcmp(s, "other") == 0)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-' || *p == '.'))
            return false;
    return true;
}

static int f_networks(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    wire_config *c = ctx;
    if (omx_yaml_is_empty(v))
        return 0;
    if (omx_yaml_kind_of(v) != OMX_YAML_MAPPING)
        return omx_yaml_fail(y, v, key, "expected a mapping of names to lists of CIDRs");
    size_t n = omx_yaml_len(v);
    if (n > WIRE_MAX_NETWORKS)
        return omx_yaml_fail(y, v, key, "at most %d networks", WIRE_MAX_NETWORKS);
    for (size_t i = 0; i < n; i++) {
        const omx_yaml_node *k, *val;
        omx_yaml_pair(y, v, i, &k, &val);
        const char *name = omx_yaml_scalar(k);
        if (!name || !name_ok(name))
            return omx_yaml_fail(y, k, key,
                                 "network name must be 1-%d of [A-Za-z0-9_.-] and not \"other\"",
                                 WIRE_NAME_MAX);
        for (size_t j = 0; j < c->n_nets; j++)
            if (strcmp(c->nets[j].name, name) == 0)
                return omx_yaml_fail(y, k, key, "network \"%s\" given twice", name);
        char sub[128];
        snprintf(sub, sizeof sub, "%s.%s", key, name);
        wire_network *w = &c->nets[c->n_nets];
        memset(w, 0, sizeof *w);
        int rc = get_cidrs(y, val, sub, &w->cidrs, &w->n);
        if (rc < 0)
            return rc;
        if (w->n == 0) {
            free(w->cidrs);
            return omx_yaml_fail(y, val, sub, "a network needs at least one CIDR");
        }
        strcpy(w->name, name);
        c->n_nets++;
    }
    return 0;
}

static int size_field(omx_yaml *y, const omx_yaml_node *v, const char *key, size_t *ret) {
    int64_t n;
    int rc = get_range(y, v, key, 1, 1 << 24, &n);
    if (rc == 0)
        *ret = (size_t)n;
    return rc;
}

static int timeout_field(omx_yaml *y, const omx_yaml_node *v, const char *key, int64_t *ret) {
    int rc = omx_yaml_get_duration(y, v, key, ret);
    if (rc == 0 && (*ret <= 0 || *ret > 3600ll * 1000000000))
        return omx_yaml_fail(y, v, key, "must be above 0 and at most 1h");
    return rc;
}

static int f_hs_table(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return size_field(y, v, key, &((wire_config *)ctx)->hs_table);
}
static int f_dns_table(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return size_field(y, v, key, &((wire_config *)ctx)->dns_table);
}
static int f_hs_timeout(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return timeout_field(y, v, key, &((wire_config *)ctx)->hs_timeout_ns);
}
static int f_dns_timeout(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return timeout_field(y, v, key, &((wire_config *)ctx)->dns_timeout_ns);
}

static int f_limits(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    static const omx_yaml_field fields[] = {
        {"handshake_table", f_hs_table},
        {"dns_table", f_dns_table},
        {"handshake_timeout", f_hs_timeout},
        {"dns_timeout", f_dns_timeout},
    };
    return omx_yaml_map(y, v, key, fields, N(fields), ctx);
}

static int get_buckets(omx_yaml *y, const omx_yaml_node *v, const char *key, double *out,
                       size_t *ret_n) {
    if (omx_yaml_kind_of(v) != OMX_YAML_SEQUENCE || omx_yaml_len(v) == 0 ||
        omx_yaml_len(v) > WIRE_MAX_BUCKETS)
        return omx_yaml_fail(y, v, key, "expected a list of 1 to %d bucket bounds in seconds",
                             WIRE_MAX_BUCKETS);
    size_t n = omx_yaml_len(v);
    double tmp[WIRE_MAX_BUCKETS];
    for (size_t i = 0; i < n; i++) {
        const omx_yaml_node *it = omx_yaml_item(y, v, i);
        const char *s = omx_yaml_scalar(it);
        if (!s || omx_parse_double(s, &tmp[i]) < 0 || !isfinite(tmp[i]) || tmp[i] <= 0)
            return omx_yaml_fail(y, it, key, "bucket bounds are positive numbers");
        if (i > 0 && tmp[i] <= tmp[i - 1])
            return omx_yaml_fail(y, it, key, "bucket bounds must increase");
    }
    memcpy(out, tmp, n * sizeof *tmp);
    *ret_n = n;
    return 0;
}

static int f_b_hs(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    wire_config *c = ctx;
    return get_buckets(y, v, key, c->hs_buckets, &c->n_hs_buckets);
}
static int f_b_dns(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    wire_config *c = ctx;
    return get_buckets(y, v, key, c->dns_buckets, &c->n_dns_buckets);
}

static int f_buckets(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    static const omx_yaml_field fields[] = {{"handshake", f_b_hs}, {"dns", f_b_dns}};
    return omx_yaml_map(y, v, key, fields, N(fields), ctx);
}

int wire_config_parse(omx_yaml *y, const omx_yaml_node *n, wire_config **ret) {
    static const omx_yaml_field fields[] = {
        {"interfaces", f_interfaces},
        {"filter", f_filter},
        {"snaplen", f_snaplen},
        {"handshake_acks", f_handshake_acks},
        {"service_ports", f_service_ports},
        {"resolvers", f_resolvers},
        {"local_networks", f_local_networks},
        {"networks", f_networks},
        {"volume", f_volume},
        {"top_peers", f_top_peers},
        {"limits", f_limits},
        {"buckets", f_buckets},
    };
    *ret = NULL;
    wire_config *c = wire_config_new();
    if (!c)
        return -ENOMEM;
    int rc = omx_yaml_map(y, n, "passive", fields, N(fields), c);
    if (rc < 0) {
        wire_config_free(c);
        return rc;
    }
    *ret = c;
    return 0;
}

/* --- dump --- */

static int put(omx_buf *out, int indent, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int put(omx_buf *out, int indent, const char *fmt, ...) {
    char line[WIRE_MAX_FILTER + 256];
    int n = snprintf(line, sizeof line, "%*s", indent, "");
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    if (m < 0)
        return OMX_EINVAL;
    size_t len = (size_t)n + (size_t)m;
    if (len >= sizeof line)
        len = sizeof line - 1;
    return omx_buf_append(out, line, len);
}

/* A YAML double-quoted scalar of s (filters may hold any character). */
static int put_quoted(omx_buf *out, int indent, const char *key, const char *s) {
    char q[2 * WIRE_MAX_FILTER + 3];
    size_t j = 0;
    q[j++] = '"';
    for (const char *p = s; *p && j < sizeof q - 3; p++) {
        if (*p == '"' || *p == '\\')
            q[j++] = '\\';
        q[j++] = (unsigned char)*p < 0x20 ? ' ' : *p;
    }
    q[j++] = '"';
    q[j] = 0;
    return put(out, indent, "%s: %s\n", key, q);
}

static int put_cidrs(omx_buf *out, int indent, const wire_cidr *a, size_t n) {
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char s[64];
        wire_cidr_format(&a[i], s, sizeof s);
        rc = put(out, indent, "- %s\n", s);
    }
    return rc;
}

static int put_buckets(omx_buf *out, int indent, const char *key, const double *b, size_t n) {
    char s[WIRE_MAX_BUCKETS * 34 + 4] = "[";
    size_t l = 1;
    for (size_t i = 0; i < n; i++) {
        if (i)
            s[l++] = ',', s[l++] = ' ';
        l += omx_format_double(s + l, b[i]);
    }
    s[l++] = ']';
    s[l] = 0;
    return put(out, indent, "%s: %s\n", key, s);
}

int wire_config_dump(const wire_config *c, omx_buf *out, int indent) {
    wire_config *def = NULL;
    if (!c)
        c = def = wire_config_new();
    if (!c)
        return -ENOMEM;
    int rc = put(out, indent, "interfaces:\n");
    for (size_t i = 0; i < c->n_ifaces && rc == 0; i++)
        rc = put(out, indent, "- %s\n", c->ifaces[i]);
    if (rc == 0 && c->filter)
        rc = put_quoted(out, indent, "filter", c->filter);
    if (rc == 0)
        rc = put(out, indent, "snaplen: %d\nhandshake_acks: %s\n", c->snaplen,
                 c->handshake_acks ? "true" : "false");
    if (rc == 0 && c->n_ports) {
        rc = put(out, indent, "service_ports:\n");
        for (size_t i = 0; i < c->n_ports && rc == 0; i++)
            rc = put(out, indent, "- %u\n", c->ports[i]);
    }
    if (rc == 0 && c->n_resolvers) {
        rc = put(out, indent, "resolvers:\n");
        for (size_t i = 0; i < c->n_resolvers && rc == 0; i++)
            rc = put(out, indent, "- %s\n", c->resolver_names[i]);
    }
    if (rc == 0 && c->n_local) {
        rc = put(out, indent, "local_networks:\n");
        if (rc == 0)
            rc = put_cidrs(out, indent, c->local, c->n_local);
    }
    if (rc == 0 && c->n_nets) {
        rc = put(out, indent, "networks:\n");
        for (size_t i = 0; i < c->n_nets && rc == 0; i++) {
            rc = put(out, indent + 2, "%s:\n", c->nets[i].name);
            if (rc == 0)
                rc = put_cidrs(out, indent + 2, c->nets[i].cidrs, c->nets[i].n);
        }
    }
    if (rc == 0)
        rc =
            put(out, indent,
                "volume: %s\ntop_peers: %zu\nlimits:\n%*shandshake_table: %zu\n"
                "%*sdns_table: %zu\n%*shandshake_timeout: %lldms\n%*sdns_timeout: %lldms\n"
                "buckets:\n",
                c->volume ? "true" : "false", c->top_peers, indent + 2, "", c->hs_table, indent + 2,
                "", c->dns_table, indent + 2, "", (long long)(c->hs_timeout_ns / 1000000),
                indent + 2, "", (long long)(c->dns_timeout_ns / 1000000));
    if (rc == 0)
        rc = put_buckets(out, indent + 2, "handshake", c->hs_buckets, c->n_hs_buckets);
    if (rc == 0)
        rc = put_buckets(out, indent + 2, "dns", c->dns_buckets, c->n_dns_buckets);
    wire_config_free(def);
    return rc;
}
