/* The stand-in runtime of fake-core.h: just enough of prober.h, the shared
 * option parsers and bb_tls_report for prober tests. */
#include "fake-core.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exporter/writer.h"
#include "exporter/yamlconf.h"

typedef struct fake_series {
    char *name, *labels;
    double v;
} fake_series;

struct bb_result {
    pthread_mutex_t lock;
    fake_series s[128];
    size_t n;
};

struct bb_plog {
    char *lines[512];
    size_t n;
};

void fake_probe_init(bb_probe *p, const bb_module *m, const char *target, int timeout_ms) {
    memset(p, 0, sizeof *p);
    p->module = m;
    p->target = target;
    p->start_ns = bb_now_ns();
    p->deadline_ns = p->start_ns + (int64_t)timeout_ms * 1000000;
    p->res = calloc(1, sizeof *p->res);
    pthread_mutex_init(&p->res->lock, NULL);
    p->log = calloc(1, sizeof *p->log);
}

void fake_probe_done(bb_probe *p) {
    for (size_t i = 0; p->res && i < p->res->n; i++) {
        free(p->res->s[i].name);
        free(p->res->s[i].labels);
    }
    if (p->res)
        pthread_mutex_destroy(&p->res->lock);
    free(p->res);
    for (size_t i = 0; p->log && i < p->log->n; i++)
        free(p->log->lines[i]);
    free(p->log);
    p->res = NULL;
    p->log = NULL;
}

bool fake_value(const bb_probe *p, const char *name, const char *labels, double *ret) {
    for (size_t i = 0; i < p->res->n; i++)
        if (strcmp(p->res->s[i].name, name) == 0 &&
            (!labels || strcmp(p->res->s[i].labels, labels) == 0)) {
            if (ret)
                *ret = p->res->s[i].v;
            return true;
        }
    return false;
}

bool fake_log_has(const bb_probe *p, const char *s) {
    for (size_t i = 0; i < p->log->n; i++)
        if (strstr(p->log->lines[i], s))
            return true;
    return false;
}

void fake_print(const bb_probe *p) {
    for (size_t i = 0; i < p->log->n; i++)
        fprintf(stderr, "log: %s\n", p->log->lines[i]);
    for (size_t i = 0; i < p->res->n; i++)
        fprintf(stderr, "metric: %s{%s} %g\n", p->res->s[i].name, p->res->s[i].labels,
                p->res->s[i].v);
}

int fake_parse(const bb_prober *pr, const char *text, void **ret, char *err, size_t errlen) {
    omx_yaml *y = NULL;
    err[0] = 0;
    int rc = omx_yaml_load_string("test.yml", text, strlen(text), &y, err, errlen);
    if (rc == 0)
        rc = pr->parse(y, omx_yaml_root(y), ret);
    omx_yaml_free(y);
    return rc;
}

char *fake_dump(const bb_prober *pr, const void *cfg) {
    omx_buf b;
    omx_buf_init(&b, 1 << 20);
    if (pr->dump(cfg, &b, 2) < 0 || omx_buf_append(&b, "", 0) < 0) {
        omx_buf_free(&b);
        return NULL;
    }
    return b.data;
}

int64_t bb_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int bb_remaining_ms(const bb_probe *p) {
    int64_t left = p->deadline_ns - bb_now_ns();
    return left <= 0 ? 0 : (int)((left + 999999) / 1000000);
}

bool bb_expired(const bb_probe *p) { return bb_now_ns() >= p->deadline_ns; }

void bb_logf(bb_probe *p, int level, const char *fmt, ...) {
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (getenv("FAKE_VERBOSE"))
        fprintf(stderr, "[%d] %s\n", level, line);
    pthread_mutex_lock(&p->res->lock);
    if (p->log->n < sizeof p->log->lines / sizeof p->log->lines[0])
        p->log->lines[p->log->n++] = strdup(line);
    pthread_mutex_unlock(&p->res->lock);
}

static int add(bb_probe *p, const char *name, size_t n, const char *const *ln,
               const char *const *lv, double v) {
    char labels[1024] = "";
    size_t off = 0;
    for (size_t i = 0; i < n; i++)
        off += (size_t)snprintf(labels + off, sizeof labels - (off < sizeof labels ? off : 0),
                                "%s%s=%s", i ? "," : "", ln[i], lv[i]);
    if (off >= sizeof labels)
        return -ENOMEM;
    bb_result *r = p->res;
    pthread_mutex_lock(&r->lock);
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->s[i].name, name) == 0 && strcmp(r->s[i].labels, labels) == 0) {
            r->s[i].v = v;
            pthread_mutex_unlock(&r->lock);
            return 0;
        }
    int rc = -ENOMEM;
    if (r->n < sizeof r->s / sizeof r->s[0]) {
        r->s[r->n++] = (fake_series){strdup(name), strdup(labels), v};
        rc = 0;
    }
    pthread_mutex_unlock(&r->lock);
    return rc;
}

int bb_result_gauge(bb_probe *p, const char *name, const char *help, double v) {
    (void)help;
    return add(p, name, 0, NULL, NULL, v);
}

int bb_result_gauge_l(bb_probe *p, const char *name, const char *help, size_t n_labels,
                      const char *const *label_names, const char *const *label_values, double v) {
    (void)help;
    return add(p, name, n_labels, label_names, label_values, v);
}

int bb_result_counter_l(bb_probe *p, const char *name, const char *help, size_t n_labels,
                        const char *const *label_names, const char *const *label_values, double v) {
    (void)help;
    return add(p, name, n_labels, label_names, label_values, v);
}

int bb_resolve(bb_probe *p, const char *host, uint16_t port, const bb_ip_opts *ip,
               struct sockaddr_storage *ret, socklen_t *ret_len) {
    int64_t t0 = bb_now_ns();
    struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *ai = NULL;
    int e = getaddrinfo(host, NULL, &hints, &ai);
    bb_result_gauge(p, "probe_dns_lookup_time_seconds", "", (bb_now_ns() - t0) / 1e9);
    if (e != 0) {
        bb_logf(p, OMX_LOG_ERROR, "Resolution with IP protocol failed: %s", gai_strerror(e));
        return -ENOENT;
    }
    int want = ip->preferred == 4 ? AF_INET : AF_INET6;
    struct addrinfo *pick = NULL, *fb = NULL;
    for (struct addrinfo *a = ai; a; a = a->ai_next) {
        if (a->ai_family == want && !pick)
            pick = a;
        else if (!fb && (a->ai_family == AF_INET || a->ai_family == AF_INET6))
            fb = a;
    }
    if (!pick && ip->fallback)
        pick = fb;
    if (!pick) {
        freeaddrinfo(ai);
        bb_logf(p, OMX_LOG_ERROR, "unable to find ip; no fallback");
        return -ENOENT;
    }
    memcpy(ret, pick->ai_addr, pick->ai_addrlen);
    *ret_len = pick->ai_addrlen;
    if (pick->ai_family == AF_INET)
        ((struct sockaddr_in *)ret)->sin_port = htons(port);
    else
        ((struct sockaddr_in6 *)ret)->sin6_port = htons(port);
    bb_result_gauge(p, "probe_ip_protocol", "", pick->ai_family == AF_INET ? 4 : 6);
    bb_result_gauge(p, "probe_ip_addr_hash", "", 1);
    freeaddrinfo(ai);
    return 0;
}

int bb_split_host_port(const char *target, char *host, size_t host_len, uint16_t *port,
                       uint16_t default_port) {
    const char *colon = NULL, *h = target, *hend;
    if (*target == '[') {
        const char *rb = strchr(target, ']');
        if (!rb)
            return -EINVAL;
        h = target + 1;
        hend = rb;
        if (rb[1] == ':')
            colon = rb + 1;
        else if (rb[1])
            return -EINVAL;
    } else {
        colon = strrchr(target, ':');
        if (colon && strchr(target, ':') != colon)
            colon = NULL; /* bare IPv6 */
        hend = colon ? colon : target + strlen(target);
    }
    if ((size_t)(hend - h) >= host_len)
        return -EINVAL;
    memcpy(host, h, (size_t)(hend - h));
    host[hend - h] = 0;
    if (!colon) {
        if (!default_port)
            return -EINVAL;
        *port = default_port;
        return 0;
    }
    char *end;
    unsigned long v = strtoul(colon + 1, &end, 10);
    if (*end || end == colon + 1 || v == 0 || v > 65535)
        return -EINVAL;
    *port = (uint16_t)v;
    return 0;
}

bool bb_target_allowed(const bb_runtime *rt, const char *host, const struct sockaddr *addr) {
    (void)rt;
    (void)host;
    (void)addr;
    return true;
}

static int dup_field(omx_yaml *y, const omx_yaml_node *v, const char *key, const char **dst) {
    const char *s;
    int rc = omx_yaml_get_string(y, v, key, &s);
    if (rc == 0)
        *dst = strdup(s);
    return rc;
}

int bb_tls_config_parse(omx_yaml *y, const omx_yaml_node *n, bb_tls_config *ret) {
    memset(ret, 0, sizeof *ret);
    for (size_t i = 0; i < omx_yaml_len(n); i++) {
        const omx_yaml_node *k, *v;
        omx_yaml_pair(y, n, i, &k, &v);
        const char *key = omx_yaml_scalar(k);
        int rc = 0;
        if (strcmp(key, "ca_file") == 0)
            rc = dup_field(y, v, key, &ret->ca_file);
        else if (strcmp(key, "ca") == 0)
            rc = dup_field(y, v, key, &ret->ca);
        else if (strcmp(key, "cert_file") == 0)
            rc = dup_field(y, v, key, &ret->cert_file);
        else if (strcmp(key, "key_file") == 0)
            rc = dup_field(y, v, key, &ret->key_file);
        else if (strcmp(key, "server_name") == 0)
            rc = dup_field(y, v, key, &ret->server_name);
        else if (strcmp(key, "insecure_skip_verify") == 0)
            rc = omx_yaml_get_bool(y, v, key, &ret->insecure_skip_verify);
        else if (strcmp(key, "min_version") == 0 || strcmp(key, "max_version") == 0) {
            const char *s;
            rc = omx_yaml_get_string(y, v, key, &s);
            int ver = rc ? 0 : 0x0301 + (s[4] - '0');
            if (key[1] == 'i')
                ret->min_version = ver;
            else
                ret->max_version = ver;
        } else
            rc = omx_yaml_fail(y, k, key, "unknown key");
        if (rc < 0)
            return rc;
    }
    return 0;
}

void bb_tls_config_clear(bb_tls_config *c) {
    free((char *)c->ca_file);
    free((char *)c->ca);
    free((char *)c->cert_file);
    free((char *)c->cert);
    free((char *)c->key_file);
    free((char *)c->key);
    free((char *)c->server_name);
    memset(c, 0, sizeof *c);
}

int bb_tls_config_dump(const bb_tls_config *c, omx_buf *out, int indent) {
    int rc = 0;
    if (c->ca_file)
        rc = bb_dump_kv(out, indent, "ca_file", c->ca_file);
    if (rc == 0 && c->key_file)
        rc = bb_dump_kv(out, indent, "key_file", c->key_file);
    if (rc == 0 && c->insecure_skip_verify)
        rc = bb_dump_kv(out, indent, "insecure_skip_verify", "true");
    return rc;
}

int bb_ip_opts_field(omx_yaml *y, const omx_yaml_node *value, const char *key, bb_ip_opts *o) {
    const char *k = strrchr(key, '.') ? strrchr(key, '.') + 1 : key;
    if (strcmp(k, "preferred_ip_protocol") == 0) {
        const char *s;
        int rc = omx_yaml_get_string(y, value, key, &s);
        if (rc < 0)
            return rc;
        if (strcmp(s, "ip4") && strcmp(s, "ip6"))
            return omx_yaml_fail(y, value, key, "must be ip4 or ip6");
        o->preferred = s[2] - '0';
        return 1;
    }
    if (strcmp(k, "ip_protocol_fallback") == 0) {
        int rc = omx_yaml_get_bool(y, value, key, &o->fallback);
        return rc < 0 ? rc : 1;
    }
    if (strcmp(k, "source_ip_address") == 0) {
        int rc = dup_field(y, value, key, &o->source_ip);
        return rc < 0 ? rc : 1;
    }
    return 0;
}

int bb_ip_opts_dump(const bb_ip_opts *o, omx_buf *out, int indent) {
    int rc = bb_dump_kv(out, indent, "preferred_ip_protocol", o->preferred == 4 ? "ip4" : "ip6");
    if (rc == 0)
        rc = bb_dump_kv(out, indent, "ip_protocol_fallback", o->fallback ? "true" : "false");
    if (rc == 0 && o->source_ip)
        rc = bb_dump_kv(out, indent, "source_ip_address", o->source_ip);
    return rc;
}

int bb_dump_kv(omx_buf *out, int indent, const char *key, const char *value) {
    char line[4096];
    int n = snprintf(line, sizeof line, "%*s%s: %s\n", indent, "", key, value);
    if (n < 0 || (size_t)n >= sizeof line)
        return OMX_ELIMIT;
    return omx_buf_append(out, line, (size_t)n);
}

int bb_dump_secret(omx_buf *out, int indent, const char *key, const char *value) {
    return bb_dump_kv(out, indent, key, value ? "<secret>" : "");
}
