/* blackbox.yml's model: modules, each naming a prober and holding that
 * prober's options. The file's schema is blackbox_exporter 0.28's. */
#ifndef BB_MODULE_H
#define BB_MODULE_H

#include <stdbool.h>
#include <stdint.h>

#include "exporter/app.h"

typedef struct bb_probe bb_probe;

/* A prober: one file under src/probers/<name>/ defines one of these. */
typedef struct bb_prober {
    const char *name; /* the module's `prober:` value and the key of its section */
    /* Parses the prober's section (n is NULL when the module has none: defaults).
     * Errors go through omx_yaml_fail (file:line:col and key). Returns 0 or
     * OMX_ECONFIG / -ENOMEM; on success the module frees *ret with this prober's free. The
     * document (its nodes and the strings omx_yaml_get_string gives) stays
     * loaded until after free(*ret): the section may keep borrowed strings. */
    int (*parse)(omx_yaml *y, const omx_yaml_node *n, void **ret);
    void (*free)(void *cfg); /* accepts NULL */
    /* Appends the resolved section as YAML at the given indent (spaces) for
     * /config and debug output; secrets appear as <secret>. Returns 0 or an omx_err. */
    int (*dump)(const void *cfg, omx_buf *out, int indent);
    /* Runs one probe; returns true for probe_success 1. Must return before
     * p->deadline_ns whatever the target does; adds its metrics with
     * bb_result_* and says why it failed with bb_logf. */
    bool (*run)(bb_probe *p, const void *cfg);
} bb_prober;

/* The dotted key of the section being parsed ("modules.http_2xx.http"), for
 * omx_yaml_map's prefix so errors name the whole key; valid during a parse
 * call on the calling thread ("" outside one). */
const char *bb_section_key(void);

extern const bb_prober bb_prober_http, bb_prober_tcp, bb_prober_icmp, bb_prober_dns, bb_prober_udp,
    bb_prober_grpc;

/* preferred_ip_protocol / ip_protocol_fallback / source_ip_address, shared by
 * the probers that have them. */
typedef struct bb_ip_opts {
    int preferred;         /* 4 or 6 ("ip4"/"ip6"; upstream's default ip6) */
    bool fallback;         /* ip_protocol_fallback (default true) */
    const char *source_ip; /* source_ip_address or NULL; freed with the config */
} bb_ip_opts;

/* tls_config as Prometheus' common config spells it. Its strings are freed with the config. */
typedef struct bb_tls_config {
    const char *ca_file, *ca; /* file or inline PEM */
    const char *cert_file, *cert;
    const char *key_file, *key; /* key is a secret */
    const char *server_name;
    bool insecure_skip_verify;
    int min_version, max_version; /* 0 = default; else 0x0301..0x0304 (TLS 1.0..1.3) */
} bb_tls_config;

/* Shared option parsers (config-common.c). Each fills *ret from the keys it
 * knows and fails (omx_yaml_fail) on the others it is given. A tls_config
 * mapping n may be NULL or empty (all defaults); its errors name
 * "<bb_section_key()>.tls_config.<key>". */
int bb_tls_config_parse(omx_yaml *y, const omx_yaml_node *n, bb_tls_config *ret);
void bb_tls_config_clear(bb_tls_config *c);
int bb_tls_config_dump(const bb_tls_config *c, omx_buf *out, int indent);
/* The defaults: ip6 preferred, fallback on, no source address. */
void bb_ip_opts_default(bb_ip_opts *o);
/* Handles the key if it is one of preferred_ip_protocol, ip_protocol_fallback,
 * source_ip_address: returns 1 (consumed), 0 (not ours) or an omx_err. key is
 * the dotted key omx_yaml_map gives (its last part is compared). */
int bb_ip_opts_field(omx_yaml *y, const omx_yaml_node *value, const char *key, bb_ip_opts *o);
int bb_ip_opts_dump(const bb_ip_opts *o, omx_buf *out, int indent);
/* A mapping of header names to lists of values ({Name: [v, ...]}; empty is
 * nothing): each pair is handed to add(ctx, name, value) in order. Names with
 * ':', blanks or line breaks and values with line breaks are errors naming
 * key (`what` names one name, e.g. "header name"). Returns 0 or an
 * omx_err (add's own included). */
int bb_header_lists_parse(omx_yaml *y, const omx_yaml_node *v, const char *key, const char *what,
                          int (*add)(void *ctx, const char *name, const char *value), void *ctx);
/* YAML dump helpers: "<indent>key: value\n" with value quoted as needed;
 * a NULL value writes nothing (omitted as upstream's omitempty). Secrets are
 * written "<secret>" when set. bb_dump_key writes "<indent>key:\n" (a nested
 * mapping or list follows), bb_dump_scalar a value alone. Return 0 or an omx_err. */
int bb_dump_kv(omx_buf *out, int indent, const char *key, const char *value);
int bb_dump_secret(omx_buf *out, int indent, const char *key, const char *value);
int bb_dump_key(omx_buf *out, int indent, const char *key);
/* "<indent>key: true|false\n" and "<indent>key: 123\n" (unquoted). */
int bb_dump_bool(omx_buf *out, int indent, const char *key, bool value);
int bb_dump_int(omx_buf *out, int indent, const char *key, long long value);
int bb_dump_scalar(omx_buf *out, const char *s);

typedef struct bb_module {
    char *name;
    const bb_prober *prober;
    int64_t timeout_ns; /* 0: only the scrape timeout bounds it */
    void *cfg;          /* the prober's parsed section, owned */
} bb_module;

typedef struct bb_config bb_config; /* every module of one loaded file (config.c) */
const bb_module *bb_config_module(const bb_config *c, const char *name);

#endif
