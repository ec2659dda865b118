/* Option parsers and YAML dump helpers shared by the probers: tls_config
 * (Prometheus' common TLS config), the IP options, and key: value lines. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "module.h"

/* The last component of a dotted key ("modules.m.tcp.tls_config.ca" -> "ca"). */
static const char *leaf(const char *key) {
    const char *dot = strrchr(key, '.');
    return dot ? dot + 1 : key;
}

static int tls_version(omx_yaml *y, const omx_yaml_node *v, const char *key, int *ret) {
    static const struct {
        const char *name;
        int v;
    } versions[] = {{"TLS10", 0x0301}, {"TLS11", 0x0302}, {"TLS12", 0x0303}, {"TLS13", 0x0304}};
    const char *s;
    int rc = omx_yaml_get_string(y, v, key, &s);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++)
        if (!strcmp(s, versions[i].name)) {
            *ret = versions[i].v;
            return 0;
        }
    return omx_yaml_fail(y, v, key, "unknown TLS version '%s' (want TLS10, TLS11, TLS12 or TLS13)",
                         s);
}

static const char *tls_version_name(int v) {
    switch (v) {
    case 0x0301: return "TLS10";
    case 0x0302: return "TLS11";
    case 0x0303: return "TLS12";
    case 0x0304: return "TLS13";
    default: return NULL;
    }
}

static int tls_field(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    bb_tls_config *c = ctx;
    const char *k = leaf(key);
    struct {
        const char *name;
        const char **dst;
    } strs[] = {{"ca", &c->ca},
                {"ca_file", &c->ca_file},
                {"cert", &c->cert},
                {"cert_file", &c->cert_file},
                {"key", &c->key},
                {"key_file", &c->key_file},
                {"server_name", &c->server_name}};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        if (!strcmp(k, strs[i].name))
            return omx_yaml_get_string(y, v, key, strs[i].dst);
    if (!strcmp(k, "insecure_skip_verify"))
        return omx_yaml_get_bool(y, v, key, &c->insecure_skip_verify);
    if (!strcmp(k, "min_version"))
        return tls_version(y, v, key, &c->min_version);
    if (!strcmp(k, "max_version"))
        return tls_version(y, v, key, &c->max_version);
    /* ca_ref, cert_ref, key_ref name secrets of a secret manager Prometheus
     * embeds; there is none here. */
    return omx_yaml_fail(y, v, key, "not supported by omx-blackbox (use the _file or inline form)");
}

int bb_tls_config_parse(omx_yaml *y, const omx_yaml_node *n, bb_tls_config *ret) {
    static const omx_yaml_field fields[] = {{"ca", tls_field},
                                            {"ca_file", tls_field},
                                            {"ca_ref", tls_field},
                                            {"cert", tls_field},
                                            {"cert_file", tls_field},
                                            {"cert_ref", tls_field},
                                            {"key", tls_field},
                                            {"key_file", tls_field},
                                            {"key_ref", tls_field},
                                            {"server_name", tls_field},
                                            {"insecure_skip_verify", tls_field},
                                            {"min_version", tls_field},
                                            {"max_version", tls_field}};
    bb_tls_config c = {0};
    char prefix[360];
    snprintf(prefix, sizeof prefix, "%s%stls_config", bb_section_key(),
             *bb_section_key() ? "." : "");
    int rc = omx_yaml_map(y, n, prefix, fields, sizeof fields / sizeof fields[0], &c);
    if (rc < 0)
        return rc;
    /* The checks of Prometheus' TLSConfig.Validate. */
    if (c.ca && c.ca_file)
        return omx_yaml_fail(y, n, "tls_config",
                             "at most one of ca and ca_file must be configured");
    if (c.cert && c.cert_file)
        return omx_yaml_fail(y, n, "tls_config",
                             "at most one of cert and cert_file must be configured");
    if (c.key && c.key_file)
        return omx_yaml_fail(y, n, "tls_config",
                             "at most one of key and key_file must be configured");
    if ((c.cert || c.cert_file) && !(c.key || c.key_file))
        return omx_yaml_fail(y, n, "tls_config",
                             "exactly one of key or key_file must be configured when a client "
                             "certificate is configured");
    if ((c.key || c.key_file) && !(c.cert || c.cert_file))
        return omx_yaml_fail(
            y, n, "tls_config",
            "exactly one of cert or cert_file must be configured when a client key "
            "is configured");
    if (c.min_version && c.max_version && c.min_version > c.max_version)
        return omx_yaml_fail(y, n, "tls_config",
                             "max_version must be greater than or equal to "
                             "min_version");
    *ret = c;
    return 0;
}

void bb_tls_config_clear(bb_tls_config *c) {
    if (c)
        *c = (bb_tls_config){0};
}

int bb_tls_config_dump(const bb_tls_config *c, omx_buf *out, int indent) {
    int rc = 0;
    if (!c)
        return 0;
    if (!rc)
        rc = bb_dump_kv(out, indent, "ca", c->ca);
    if (!rc)
        rc = bb_dump_kv(out, indent, "cert", c->cert);
    if (!rc)
        rc = bb_dump_secret(out, indent, "key", c->key);
    if (!rc)
        rc = bb_dump_kv(out, indent, "ca_file", c->ca_file);
    if (!rc)
        rc = bb_dump_kv(out, indent, "cert_file", c->cert_file);
    if (!rc)
        rc = bb_dump_kv(out, indent, "key_file", c->key_file);
    if (!rc)
        rc = bb_dump_kv(out, indent, "server_name", c->server_name);
    if (!rc)
        rc = bb_dump_bool(out, indent, "insecure_skip_verify", c->insecure_skip_verify);
    if (!rc)
        rc = bb_dump_kv(out, indent, "min_version", tls_version_name(c->min_version));
    if (!rc)
        rc = bb_dump_kv(out, indent, "max_version", tls_version_name(c->max_version));
    return rc;
}

void bb_ip_opts_default(bb_ip_opts *o) { *o = (bb_ip_opts){.preferred = 6, .fallback = true}; }

int bb_ip_opts_field(omx_yaml *y, const omx_yaml_node *value, const char *key, bb_ip_opts *o) {
    const char *k = leaf(key), *s;
    int rc;
    if (!strcmp(k, "preferred_ip_protocol")) {
        if ((rc = omx_yaml_get_string(y, value, key, &s)) < 0)
            return rc;
        if (!strcmp(s, "ip4"))
            o->preferred = 4;
        else if (!strcmp(s, "ip6") || !*s)
            o->preferred = 6;
        else
            return omx_yaml_fail(y, value, key, "unknown IP protocol '%s' (want ip4 or ip6)", s);
        return 1;
    }
    if (!strcmp(k, "ip_protocol_fallback")) {
        rc = omx_yaml_get_bool(y, value, key, &o->fallback);
        return rc < 0 ? rc : 1;
    }
    if (!strcmp(k, "source_ip_address")) {
        unsigned char a[16];
        if ((rc = omx_yaml_get_string(y, value, key, &s)) < 0)
            return rc;
        if (*s && inet_pton(AF_INET, s, a) != 1 && inet_pton(AF_INET6, s, a) != 1)
            return omx_yaml_fail(y, value, key, "'%s' is not an IP address", s);
        o->source_ip = *s ? s : NULL;
        return 1;
    }
    return 0;
}

int bb_header_lists_parse(omx_yaml *y, const omx_yaml_node *v, const char *key, const char *what,
                          int (*add)(void *ctx, const char *name, const char *value), void *ctx) {
    if (omx_yaml_is_empty(v))
        return 0;
    if (omx_yaml_kind_of(v) != OMX_YAML_MAPPING) {
        return omx_yaml_fail(y, v, key, "expected a mapping of %ss to lists of values", what);
    }
    for (size_t i = 0; i < omx_yaml_len(v); i++) {
        const omx_yaml_node *k, *val;
        omx_yaml_pair(y, v, i, &k, &val);
        const char *name = omx_yaml_scalar(k);
        if (!name || !*name || strpbrk(name, ":\r\n \t")) {
            return omx_yaml_fail(y, k, key, "invalid %s", what);
        }
        char **vals = NULL;
        int rc = omx_yaml_get_strings(y, val, key, &vals);
        if (rc < 0)
            return rc;
        for (size_t j = 0; vals[j] && rc == 0; j++)
            rc = strpbrk(vals[j], "\r\n") ? omx_yaml_fail(y, val, key, "line break in a value")
                                          : add(ctx, name, vals[j]);
        omx_strv_free(vals);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int bb_ip_opts_dump(const bb_ip_opts *o, omx_buf *out, int indent) {
    int rc = bb_dump_kv(out, indent, "preferred_ip_protocol", o->preferred == 4 ? "ip4" : "ip6");
    if (!rc)
        rc = bb_dump_bool(out, indent, "ip_protocol_fallback", o->fallback);
    if (!rc)
        rc = bb_dump_kv(out, indent, "source_ip_address", o->source_ip);
    return rc;
}

/* Whether a plain YAML scalar would read back as something other than the
 * same string (a bool, null, number, or a syntax character). */
static bool needs_quotes(const char *s) {
    static const char *const words[] = {"true", "false", "yes", "no", "on",
                                        "off",  "null",  "~",   "y",  "n"};
    size_t len = strlen(s);
    if (!len || isspace((unsigned char)s[0]) || isspace((unsigned char)s[len - 1]))
        return true;
    if (strchr("-?:,[]{}#&*!|>'\"%@`=", s[0]))
        return true;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strcasecmp(s, words[i]))
            return true;
    for (const char *p = s; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch < 0x20 || ch == 0x7f)
            return true;
        if ((ch == ':' && (p[1] == ' ' || !p[1])) || (ch == '#' && p > s && p[-1] == ' '))
            return true;
    }
    char *end;
    errno = 0;
    (void)strtod(s, &end); /* anything that reads back as a number */
    if (!*end)
        return true;
    (void)strtoll(s, &end, 0);
    return !*end || !strcasecmp(s, ".inf") || !strcasecmp(s, ".nan") || !strncasecmp(s, "0o", 2);
}

/* Appends s as a YAML scalar: plain when it reads back the same, else double-quoted. */
int bb_dump_scalar(omx_buf *out, const char *s) {
    if (!needs_quotes(s))
        return omx_buf_append(out, s, strlen(s));
    int rc = omx_buf_append(out, "\"", 1);
    for (const char *p = s; *p && !rc; p++) {
        unsigned char ch = (unsigned char)*p;
        char esc[8];
        if (ch == '"' || ch == '\\') {
            esc[0] = '\\';
            esc[1] = (char)ch;
            rc = omx_buf_append(out, esc, 2);
        } else if (ch == '\n') {
            rc = omx_buf_append(out, "\\n", 2);
        } else if (ch == '\t') {
            rc = omx_buf_append(out, "\\t", 2);
        } else if (ch < 0x20 || ch == 0x7f) {
            snprintf(esc, sizeof esc, "\\x%02x", ch);
            rc = omx_buf_append(out, esc, 4);
        } else {
            rc = omx_buf_append(out, p, 1);
        }
    }
    return rc ? rc : omx_buf_append(out, "\"", 1);
}

static int dump_indent(omx_buf *out, int indent) {
    static const char spaces[] = "                                ";
    int rc = 0;
    while (indent > 0 && !rc) {
        int n = indent < (int)sizeof spaces - 1 ? indent : (int)sizeof spaces - 1;
        rc = omx_buf_append(out, spaces, (size_t)n);
        indent -= n;
    }
    return rc;
}

int bb_dump_key(omx_buf *out, int indent, const char *key) {
    int rc = dump_indent(out, indent);
    if (!rc)
        rc = bb_dump_scalar(out, key);
    return rc ? rc : omx_buf_append(out, ":\n", 2);
}

int bb_dump_kv(omx_buf *out, int indent, const char *key, const char *value) {
    if (!value)
        return 0;
    int rc = dump_indent(out, indent);
    if (!rc)
        rc = bb_dump_scalar(out, key);
    if (!rc)
        rc = omx_buf_append(out, ": ", 2);
    if (!rc)
        rc = bb_dump_scalar(out, value);
    return rc ? rc : omx_buf_append(out, "\n", 1);
}

int bb_dump_secret(omx_buf *out, int indent, const char *key, const char *value) {
    return value && *value ? bb_dump_kv(out, indent, key, "<secret>") : 0;
}

/* key: <text written as is> */
static int dump_raw(omx_buf *out, int indent, const char *key, const char *text) {
    int rc = dump_indent(out, indent);
    if (!rc)
        rc = bb_dump_scalar(out, key);
    if (!rc)
        rc = omx_buf_append(out, ": ", 2);
    if (!rc)
        rc = omx_buf_append(out, text, strlen(text));
    return rc ? rc : omx_buf_append(out, "\n", 1);
}

int bb_dump_bool(omx_buf *out, int indent, const char *key, bool value) {
    return dump_raw(out, indent, key, value ? "true" : "false");
}

int bb_dump_int(omx_buf *out, int indent, const char *key, long long value) {
    char num[32];
    snprintf(num, sizeof num, "%lld", value);
    return dump_raw(out, indent, key, num);
}
