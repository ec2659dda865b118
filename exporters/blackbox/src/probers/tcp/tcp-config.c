/* The tcp section of a module: parse, free and dump (tcp.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exporter/writer.h"
#include "exporter/yamlconf.h"
#include "tcp.h"

const tcp_config tcp_defaults = {.ip = {.preferred = 6, .fallback = true}};

static int dup_string(omx_yaml *y, const omx_yaml_node *v, const char *key, char **dst) {
    const char *s;
    int rc = omx_yaml_get_string(y, v, key, &s);
    if (rc < 0)
        return rc;
    char *d = strdup(s);
    if (!d)
        return -ENOMEM;
    free(*dst);
    *dst = d;
    return 0;
}

static bool label_name_ok(const char *s) {
    if (!*s || (s[0] == '_' && s[1] == '_'))
        return false;
    for (const char *c = s; *c; c++) {
        bool alpha = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || *c == '_';
        if (!alpha && (c == s || *c < '0' || *c > '9'))
            return false;
    }
    return true;
}

static int f_label_name(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    tcp_label *l = ctx;
    int rc = dup_string(y, v, key, &l->name);
    if (rc == 0 && !label_name_ok(l->name))
        rc = omx_yaml_fail(y, v, key, "\"%s\" is not a valid label name", l->name);
    return rc;
}

static int f_label_value(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return dup_string(y, v, key, &((tcp_label *)ctx)->value);
}

static int f_labels(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    static const omx_yaml_field fields[] = {{"name", f_label_name}, {"value", f_label_value}};
    tcp_step *s = ctx;
    if (omx_yaml_is_empty(v))
        return 0;
    if (omx_yaml_kind_of(v) != OMX_YAML_SEQUENCE)
        return omx_yaml_fail(y, v, key, "expected a list of name/value pairs");
    size_t n = omx_yaml_len(v);
    if (n > TCP_MAX_LABELS)
        return omx_yaml_fail(y, v, key, "at most %d labels", TCP_MAX_LABELS);
    s->labels = calloc(n ? n : 1, sizeof *s->labels);
    if (!s->labels)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const omx_yaml_node *item = omx_yaml_item(y, v, i);
        char prefix[160];
        snprintf(prefix, sizeof prefix, "%s[%zu]", key, i);
        tcp_label *l = &s->labels[s->n_labels++];
        int rc = omx_yaml_map(y, item, prefix, fields, 2, l);
        if (rc < 0)
            return rc;
        if (!l->name)
            return omx_yaml_fail(y, item, prefix, "a label needs a name");
        if (!l->value && !(l->value = strdup("")))
            return -ENOMEM;
        for (size_t j = 0; j < i; j++)
            if (strcmp(s->labels[j].name, l->name) == 0)
                return omx_yaml_fail(y, item, prefix, "label \"%s\" given twice", l->name);
    }
    s->label_names = calloc(n ? n : 1, sizeof *s->label_names);
    if (!s->label_names)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        s->label_names[i] = s->labels[i].name;
    return 0;
}

static int f_expect(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    tcp_step *s = ctx;
    int rc = dup_string(y, v, key, &s->expect_src);
    if (rc < 0)
        return rc;
    char err[256];
    rc = omx_regex_new(s->expect_src, 0, &s->expect, err, sizeof err);
    if (rc == OMX_ENOMEM)
        return rc;
    if (rc < 0)
        return omx_yaml_fail(y, v, key, "Could not compile regular expression \"%s\": %s",
                             s->expect_src, err);
    return 0;
}

static int f_expect_bytes(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    tcp_step *s = ctx;
    int rc = dup_string(y, v, key, &s->expect_bytes);
    if (rc == 0 && !*s->expect_bytes) {
        free(s->expect_bytes); /* "" is no expectation, as upstream's omitempty */
        s->expect_bytes = NULL;
    }
    return rc;
}

static int f_send(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return dup_string(y, v, key, &((tcp_step *)ctx)->send);
}

static int f_starttls(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return omx_yaml_get_bool(y, v, key, &((tcp_step *)ctx)->starttls);
}

static int f_query_response(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    static const omx_yaml_field fields[] = {
        {"expect", f_expect}, {"expect_bytes", f_expect_bytes}, {"labels", f_labels},
        {"send", f_send},     {"starttls", f_starttls},
    };
    tcp_config *c = ctx;
    if (omx_yaml_is_empty(v))
        return 0;
    if (omx_yaml_kind_of(v) != OMX_YAML_SEQUENCE)
        return omx_yaml_fail(y, v, key, "expected a list of steps");
    size_t n = omx_yaml_len(v);
    if (n > TCP_MAX_STEPS)
        return omx_yaml_fail(y, v, key, "at most %d steps", TCP_MAX_STEPS);
    c->steps = calloc(n ? n : 1, sizeof *c->steps);
    if (!c->steps)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const omx_yaml_node *item = omx_yaml_item(y, v, i);
        char prefix[128];
        snprintf(prefix, sizeof prefix, "%s[%zu]", key, i);
        tcp_step *s = &c->steps[c->n_steps++];
        int rc = omx_yaml_map(y, item, prefix, fields, sizeof fields / sizeof fields[0], s);
        if (rc < 0)
            return rc;
        if (s->expect && s->expect_bytes)
            return omx_yaml_fail(y, item, prefix, "expect and expect_bytes are mutually exclusive");
    }
    return 0;
}

static int f_ip(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    int rc = bb_ip_opts_field(y, v, key, &((tcp_config *)ctx)->ip);
    return rc < 0 ? rc : 0;
}

static int f_tls(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return omx_yaml_get_bool(y, v, key, &((tcp_config *)ctx)->tls);
}

static int f_tls_config(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    (void)key;
    return bb_tls_config_parse(y, v, &((tcp_config *)ctx)->tls_config);
}

int tcp_config_parse(omx_yaml *y, const omx_yaml_node *n, void **ret) {
    static const omx_yaml_field fields[] = {
        {"preferred_ip_protocol", f_ip},
        {"ip_protocol_fallback", f_ip},
        {"source_ip_address", f_ip},
        {"query_response", f_query_response},
        {"tls", f_tls},
        {"tls_config", f_tls_config},
    };
    *ret = NULL;
    tcp_config *c = malloc(sizeof *c);
    if (!c)
        return -ENOMEM;
    *c = tcp_defaults;
    int rc = n ? omx_yaml_map(y, n, "tcp", fields, sizeof fields / sizeof fields[0], c) : 0;
    if (rc < 0) {
        tcp_config_free(c);
        return rc;
    }
    *ret = c;
    return 0;
}

void tcp_config_free(void *cfg) {
    tcp_config *c = cfg;
    if (!c)
        return;
    for (size_t i = 0; i < c->n_steps; i++) {
        tcp_step *s = &c->steps[i];
        omx_regex_free(s->expect);
        free(s->expect_src);
        free(s->expect_bytes);
        free(s->send);
        for (size_t j = 0; j < s->n_labels; j++) {
            free(s->labels[j].name);
            free(s->labels[j].value);
        }
        free(s->labels);
        free(s->label_names);
    }
    free(c->steps);
    bb_tls_config_clear(&c->tls_config);
    free(c);
}

static int raw(omx_buf *out, int indent, const char *key, const char *value) {
    char line[256];
    int n = snprintf(line, sizeof line, "%*s%s:%s%s\n", indent, "", key, value ? " " : "",
                     value ? value : "");
    return n < 0 || (size_t)n >= sizeof line ? OMX_ELIMIT : omx_buf_append(out, line, (size_t)n);
}

/* A key of a list item: the first one carries the "- ". A quoted value goes
 * through bb_dump_kv, else it is written as is (NULL: a key opening a block). */
static int item_kv(omx_buf *out, int indent, bool *first, const char *key, const char *value,
                   bool quoted) {
    int rc = 0;
    if (*first) {
        char dash[128];
        int n = snprintf(dash, sizeof dash, "%*s- ", indent, "");
        rc = omx_buf_append(out, dash, (size_t)n);
        *first = false;
        indent = 0;
    } else {
        indent += 2;
    }
    if (rc == 0)
        rc = quoted ? bb_dump_kv(out, indent, key, value) : raw(out, indent, key, value);
    return rc;
}

int tcp_config_dump(const void *cfg, omx_buf *out, int indent) {
    const tcp_config *c = cfg ? cfg : &tcp_defaults;
    int rc = bb_ip_opts_dump(&c->ip, out, indent);
    if (rc == 0 && c->n_steps)
        rc = raw(out, indent, "query_response", NULL);
    for (size_t i = 0; rc == 0 && i < c->n_steps; i++) {
        const tcp_step *s = &c->steps[i];
        bool first = true;
        if (s->expect_src)
            rc = item_kv(out, indent, &first, "expect", s->expect_src, true);
        if (rc == 0 && s->expect_bytes)
            rc = item_kv(out, indent, &first, "expect_bytes", s->expect_bytes, true);
        if (rc == 0 && s->n_labels) {
            rc = item_kv(out, indent, &first, "labels", NULL, false);
            for (size_t j = 0; rc == 0 && j < s->n_labels; j++) {
                bool lfirst = true;
                rc = item_kv(out, indent + 2, &lfirst, "name", s->labels[j].name, true);
                if (rc == 0)
                    rc = item_kv(out, indent + 2, &lfirst, "value", s->labels[j].value, true);
            }
        }
        if (rc == 0 && s->send)
            rc = item_kv(out, indent, &first, "send", s->send, true);
        if (rc == 0 && s->starttls)
            rc = item_kv(out, indent, &first, "starttls", "true", false);
        if (rc == 0 && first) {
            char line[128];
            int n = snprintf(line, sizeof line, "%*s- {}\n", indent, "");
            rc = omx_buf_append(out, line, (size_t)n);
        }
    }
    /* As upstream's omitempty: tls only when on, tls_config only when set. */
    if (rc == 0 && c->tls)
        rc = raw(out, indent, "tls", "true");
    const bb_tls_config *t = &c->tls_config;
    bool tls_set = t->ca_file || t->ca || t->cert_file || t->cert || t->key_file || t->key ||
                   t->server_name || t->insecure_skip_verify || t->min_version || t->max_version;
    if (rc == 0 && tls_set) {
        rc = raw(out, indent, "tls_config", NULL);
        if (rc == 0)
            rc = bb_tls_config_dump(&c->tls_config, out, indent + 2);
    }
    return rc;
}
