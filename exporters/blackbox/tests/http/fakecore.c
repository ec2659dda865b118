/* A stand-in for omx-blackbox's core (results, log, resolution and the shared
 * option parsers) so a prober can be run alone by a test program: one probe
 * per process, results printed as exposition text. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "fakecore.h"
#include "module.h"
#include "prober.h"

#define MAX_SERIES 256

typedef struct series {
    const char *name, *help;
    char labels[2048];
    double v;
} series;

static series results[MAX_SERIES];
static size_t n_results;

int64_t bb_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int bb_remaining_ms(const bb_probe *p) {
    int64_t left = p->deadline_ns - bb_now_ns();
    return left > 0 ? (int)(left / 1000000) : 0;
}

bool bb_expired(const bb_probe *p) { return bb_now_ns() >= p->deadline_ns; }

void bb_logf(bb_probe *p, int level, const char *fmt, ...) {
    (void)p;
    static const char *const names[] = {"debug", "info", "warn", "error"};
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "level=%s msg=", names[level & 3]);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static int put(const char *name, const char *help, size_t n, const char *const *ln,
               const char *const *lv, double v) {
    char labels[2048] = "";
    size_t o = 0;
    for (size_t i = 0; i < n && o < sizeof(labels); i++) {
        o += (size_t)snprintf(labels + o, sizeof(labels) - o, "%s%s=\"", i ? "," : "", ln[i]);
        for (const char *s = lv[i]; *s && o + 3 < sizeof(labels); s++) {
            if (*s == '"' || *s == '\\')
                labels[o++] = '\\';
            if (*s == '\n') {
                labels[o++] = '\\';
                labels[o++] = 'n';
                continue;
            }
            labels[o++] = *s;
        }
        if (o + 2 < sizeof(labels))
            labels[o++] = '"';
        labels[o < sizeof(labels) ? o : sizeof(labels) - 1] = '\0';
    }
    for (size_t i = 0; i < n_results; i++)
        if (!strcmp(results[i].name, name) && !strcmp(results[i].labels, labels)) {
            results[i].v = v;
            return 0;
        }
    if (n_results == MAX_SERIES)
        return -ENOMEM;
    results[n_results].name = name;
    results[n_results].help = help;
    snprintf(results[n_results].labels, sizeof(results[n_results].labels), "%s", labels);
    results[n_results].v = v;
    n_results++;
    return 0;
}

int bb_result_gauge(bb_probe *p, const char *name, const char *help, double v) {
    (void)p;
    return put(name, help, 0, NULL, NULL, v);
}

int bb_result_gauge_l(bb_probe *p, const char *name, const char *help, size_t n_labels,
                      const char *const *label_names, const char *const *label_values, double v) {
    (void)p;
    return put(name, help, n_labels, label_names, label_values, v);
}

int bb_result_counter_l(bb_probe *p, const char *name, const char *help, size_t n_labels,
                        const char *const *label_names, const char *const *label_values, double v) {
    (void)p;
    return put(name, help, n_labels, label_names, label_values, v);
}

void fake_print_results(FILE *f) {
    for (size_t i = 0; i < n_results; i++) {
        if (results[i].labels[0])
            fprintf(f, "%s{%s} %.17g\n", results[i].name, results[i].labels, results[i].v);
        else
            fprintf(f, "%s %.17g\n", results[i].name, results[i].v);
    }
}

bool bb_target_allowed(const bb_runtime *rt, const char *host, const struct sockaddr *addr) {
    (void)rt;
    (void)host;
    (void)addr;
    return true;
}

int bb_resolve(bb_probe *p, const char *host, uint16_t port, const bb_ip_opts *ip,
               struct sockaddr_storage *ret, socklen_t *ret_len) {
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    int64_t t0 = bb_now_ns();
    int fam = ip && ip->preferred == 4 ? AF_INET : AF_INET6;
    hints.ai_family = fam;
    int rc = getaddrinfo(host, NULL, &hints, &res);
    if (rc != 0 && (!ip || ip->fallback)) {
        fam = fam == AF_INET ? AF_INET6 : AF_INET;
        hints.ai_family = fam;
        rc = getaddrinfo(host, NULL, &hints, &res);
    }
    bb_result_gauge(p, "probe_dns_lookup_time_seconds", "", (double)(bb_now_ns() - t0) / 1e9);
    if (rc != 0) {
        bb_logf(p, OMX_LOG_ERROR, "Resolution with IP protocol failed err=%s", gai_strerror(rc));
        return -ENOENT;
    }
    memcpy(ret, res->ai_addr, res->ai_addrlen);
    *ret_len = res->ai_addrlen;
    if (fam == AF_INET)
        ((struct sockaddr_in *)ret)->sin_port = htons(port);
    else
        ((struct sockaddr_in6 *)ret)->sin6_port = htons(port);
    freeaddrinfo(res);
    bb_result_gauge(p, "probe_ip_protocol", "", fam == AF_INET ? 4 : 6);
    return 0;
}

int bb_split_host_port(const char *target, char *host, size_t host_len, uint16_t *port,
                       uint16_t default_port) {
    const char *colon = strrchr(target, ':');
    const char *h = target, *end;
    if (target[0] == '[') {
        h = target + 1;
        end = strchr(h, ']');
        if (!end)
            return -EINVAL;
        colon = end[1] == ':' ? end + 1 : NULL;
    } else {
        end = colon ? colon : target + strlen(target);
        if (colon && strchr(target, ':') != colon) { /* bare IPv6 */
            end = target + strlen(target);
            colon = NULL;
        }
    }
    if ((size_t)(end - h) >= host_len)
        return -EINVAL;
    memcpy(host, h, (size_t)(end - h));
    host[end - h] = '\0';
    if (colon) {
        long v = strtol(colon + 1, NULL, 10);
        if (v <= 0 || v > 65535)
            return -EINVAL;
        *port = (uint16_t)v;
    } else if (default_port) {
        *port = default_port;
    } else {
        return -EINVAL;
    }
    return 0;
}

/* ---- shared option parsers ---- */

static int tls_str(omx_yaml *y, const omx_yaml_node *v, const char *key, const char **dst) {
    const char *s;
    int rc = omx_yaml_get_string(y, v, key, &s);
    if (rc < 0)
        return rc;
    free((char *)*dst);
    *dst = strdup(s);
    return *dst ? 0 : -ENOMEM;
}

#define TLS_FIELD(fn, member)                                                        \
    static int fn(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) { \
        return tls_str(y, v, key, &((bb_tls_config *)ctx)->member);                  \
    }
TLS_FIELD(t_ca_file, ca_file)
TLS_FIELD(t_ca, ca)
TLS_FIELD(t_cert_file, cert_file)
TLS_FIELD(t_cert, cert)
TLS_FIELD(t_key_file, key_file)
TLS_FIELD(t_key, key)
TLS_FIELD(t_server_name, server_name)

static int t_insecure(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return omx_yaml_get_bool(y, v, key, &((bb_tls_config *)ctx)->insecure_skip_verify);
}

static int t_version(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    const char *s;
    int rc = omx_yaml_get_string(y, v, key, &s);
    if (rc < 0)
        return rc;
    static const char *const names[] = {"TLS10", "TLS11", "TLS12", "TLS13"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, names[i])) {
            bb_tls_config *c = ctx;
            if (strstr(key, "min_version"))
                c->min_version = 0x0301 + i;
            else
                c->max_version = 0x0301 + i;
            return 0;
        }
    return omx_yaml_fail(y, v, key, "unknown TLS version: %s", s);
}

int bb_tls_config_parse(omx_yaml *y, const omx_yaml_node *n, bb_tls_config *ret) {
    static const omx_yaml_field fields[] = {
        {"ca_file", t_ca_file},         {"ca", t_ca},
        {"cert_file", t_cert_file},     {"cert", t_cert},
        {"key_file", t_key_file},       {"key", t_key},
        {"server_name", t_server_name}, {"insecure_skip_verify", t_insecure},
        {"min_version", t_version},     {"max_version", t_version}};
    return omx_yaml_map(y, n, "tls_config", fields, sizeof(fields) / sizeof(fields[0]), ret);
}

void bb_tls_config_clear(bb_tls_config *c) {
    free((char *)c->ca_file);
    free((char *)c->ca);
    free((char *)c->cert_file);
    free((char *)c->cert);
    free((char *)c->key_file);
    free((char *)c->key);
    free((char *)c->server_name);
    memset(c, 0, sizeof(*c));
}

int bb_dump_kv(omx_buf *out, int indent, const char *key, const char *value) {
    char line[4096];
    int n = snprintf(line, sizeof(line), "%*s%s: %s\n", indent, "", key, value);
    return omx_buf_append(out, line, (size_t)(n < (int)sizeof(line) ? n : (int)sizeof(line) - 1));
}

int bb_dump_secret(omx_buf *out, int indent, const char *key, const char *value) {
    (void)value;
    return bb_dump_kv(out, indent, key, "<secret>");
}

int bb_tls_config_dump(const bb_tls_config *c, omx_buf *out, int indent) {
    int rc = 0;
    if (c->ca_file)
        rc = bb_dump_kv(out, indent, "ca_file", c->ca_file);
    if (rc == 0 && c->key)
        rc = bb_dump_secret(out, indent, "key", c->key);
    if (rc == 0)
        rc = bb_dump_kv(out, indent, "insecure_skip_verify",
                        c->insecure_skip_verify ? "true" : "false");
    return rc;
}

int bb_ip_opts_field(omx_yaml *y, const omx_yaml_node *value, const char *key, bb_ip_opts *o) {
    const char *name = strrchr(key, '.');
    name = name ? name + 1 : key;
    const char *s;
    if (!strcmp(name, "preferred_ip_protocol")) {
        int rc = omx_yaml_get_string(y, value, key, &s);
        if (rc < 0)
            return rc;
        if (!strcmp(s, "ip4"))
            o->preferred = 4;
        else if (!strcmp(s, "ip6") || !*s)
            o->preferred = 6;
        else
            return omx_yaml_fail(y, value, key, "must be ip4 or ip6");
        return 1;
    }
    if (!strcmp(name, "ip_protocol_fallback")) {
        int rc = omx_yaml_get_bool(y, value, key, &o->fallback);
        return rc < 0 ? rc : 1;
    }
    if (!strcmp(name, "source_ip_address")) {
        int rc = omx_yaml_get_string(y, value, key, &s);
        if (rc < 0)
            return rc;
        o->source_ip = strdup(s); /* leaked with the config: a test-only stand-in */
        return 1;
    }
    return 0;
}

int bb_ip_opts_dump(const bb_ip_opts *o, omx_buf *out, int indent) {
    return bb_dump_kv(out, indent, "preferred_ip_protocol", o->preferred == 4 ? "ip4" : "ip6");
}
