/* The dns section of a blackbox.yml module (blackbox_exporter 0.28's schema):
 * parsed, checked and dumped. What upstream only finds wrong when a probe
 * runs (an unknown rcode, a transport other than udp/tcp, dns_over_tls over
 * udp, a regex that does not compile) is a load error here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "exporter/file.h"

static int dup_string(omx_yaml *y, const omx_yaml_node *v, const char *key, char **ret) {
    const char *s;
    int r = omx_yaml_get_string(y, v, key, &s);
    if (r < 0)
        return r;
    char *d = strdup(s);
    if (!d)
        return OMX_ENOMEM;
    free(*ret);
    *ret = d;
    return 0;
}

static int f_query_name(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    bb_dns_config *c = ctx;
    int r = dup_string(y, v, key, &c->query_name);
    if (r < 0 || !*c->query_name)
        return r;
    if (!bb_dns_name_valid(c->query_name))
        return omx_yaml_fail(y, v, key, "%s is not a valid domain name", c->query_name);
    return 0;
}

static int f_query_type(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    bb_dns_config *c = ctx;
    int r = dup_string(y, v, key, &c->query_type_name);
    if (r < 0)
        return r;
    if (!*c->query_type_name) {
        c->query_type = LDNS_RR_TYPE_ANY;
        return 0;
    }
    if (bb_dns_type_code(c->query_type_name, &c->query_type) < 0)
        return omx_yaml_fail(y, v, key, "query type '%s' is not valid", c->query_type_name);
    return 0;
}

static int f_query_class(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    bb_dns_config *c = ctx;
    int r = dup_string(y, v, key, &c->query_class_name);
    if (r < 0)
        return r;
    if (!*c->query_class_name) {
        c->query_class = LDNS_RR_CLASS_IN;
        return 0;
    }
    if (bb_dns_class_code(c->query_class_name, &c->query_class) < 0)
        return omx_yaml_fail(y, v, key, "query class '%s' is not valid", c->query_class_name);
    return 0;
}

static int f_transport(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    bb_dns_config *c = ctx;
    const char *s;
    int r = omx_yaml_get_string(y, v, key, &s);
    if (r < 0)
        return r;
    if (strcmp(s, "tcp") == 0)
        c->tcp = true;
    else if (strcmp(s, "udp") == 0 || !*s)
        c->tcp = false;
    else
        return omx_yaml_fail(y, v, key, "expected transport protocol udp or tcp, got \"%s\"", s);
    c->transport_set = *s != 0;
    return 0;
}

static int f_ip(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    bb_dns_config *c = ctx;
    int r = bb_ip_opts_field(y, v, key, &c->ip);
    if (r == 0)
        return omx_yaml_fail(y, v, key, "not an IP option");
    return r < 0 ? r : 0;
}

static int f_dot(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return omx_yaml_get_bool(y, v, key, &((bb_dns_config *)ctx)->dns_over_tls);
}

static int f_tls(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    (void)key;
    bb_dns_config *c = ctx;
    c->tls_set = true;
    return bb_tls_config_parse(y, v, &c->tls);
}

static int f_recursion(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return omx_yaml_get_bool(y, v, key, &((bb_dns_config *)ctx)->recursion_desired);
}

static int f_rcodes(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    bb_dns_config *c = ctx;
    char **names = NULL;
    int r = omx_yaml_get_strings(y, v, key, &names);
    if (r < 0)
        return r;
    size_t n = 0;
    while (names[n])
        n++;
    if (n == 0) { /* as absent: NOERROR only */
        omx_strv_free(names);
        return 0;
    }
    uint16_t *codes = calloc(n, sizeof *codes);
    if (!codes) {
        omx_strv_free(names);
        return OMX_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        if (bb_dns_rcode_code(names[i], &codes[i]) < 0) {
            r = omx_yaml_fail(y, omx_yaml_item(y, v, i), key, "invalid rcode \"%s\"", names[i]);
            free(codes);
            omx_strv_free(names);
            return r;
        }
    omx_strv_free(c->valid_rcode_names);
    free(c->valid_rcodes);
    c->valid_rcode_names = names;
    c->valid_rcodes = codes;
    c->n_valid_rcodes = n;
    return 0;
}

static void regexes_clear(bb_dns_regexes *x) {
    for (size_t i = 0; i < x->n; i++)
        omx_regex_free(x->re[i]);
    free(x->re);
    omx_strv_free(x->src);
    memset(x, 0, sizeof *x);
}

static int regexes_parse(omx_yaml *y, const omx_yaml_node *v, const char *key, bb_dns_regexes *x) {
    char **src = NULL;
    int r = omx_yaml_get_strings(y, v, key, &src);
    if (r < 0)
        return r;
    size_t n = 0;
    while (src[n])
        n++;
    omx_regex **re = calloc(n ? n : 1, sizeof *re);
    if (!re) {
        omx_strv_free(src);
        return OMX_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        char err[160];
        r = omx_regex_new(src[i], 0, &re[i], err, sizeof err);
        if (r == OMX_ENOMEM)
            break;
        if (r < 0) {
            r = omx_yaml_fail(y, omx_yaml_item(y, v, i), key, "bad regexp \"%s\": %s", src[i], err);
            break;
        }
    }
    if (r < 0) {
        for (size_t i = 0; i < n; i++)
            omx_regex_free(re[i]);
        free(re);
        omx_strv_free(src);
        return r;
    }
    regexes_clear(x);
    x->src = src;
    x->re = re;
    x->n = n;
    return 0;
}

static const char *const rule_names[BB_DNS_N_RULES] = {
    "fail_if_matches_regexp",
    "fail_if_all_match_regexp",
    "fail_if_not_matches_regexp",
    "fail_if_none_matches_regexp",
};

#define RULE_FIELD(i)                                                                        \
    static int f_rule_##i(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) { \
        return regexes_parse(y, v, key, &((bb_dns_rr_rules *)ctx)->r[i]);                    \
    }
RULE_FIELD(0)
RULE_FIELD(1)
RULE_FIELD(2)
RULE_FIELD(3)

static int rules_parse(omx_yaml *y, const omx_yaml_node *v, const char *key, bb_dns_rr_rules *r) {
    static const omx_yaml_field fields[] = {
        {"fail_if_matches_regexp", f_rule_0},
        {"fail_if_all_match_regexp", f_rule_1},
        {"fail_if_not_matches_regexp", f_rule_2},
        {"fail_if_none_matches_regexp", f_rule_3},
    };
    if (!omx_yaml_is_empty(v) && omx_yaml_kind_of(v) != OMX_YAML_MAPPING)
        return omx_yaml_fail(y, v, key, "expected a mapping");
    return omx_yaml_map(y, v, key, fields, sizeof fields / sizeof fields[0], r);
}

static int f_answer(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return rules_parse(y, v, key, &((bb_dns_config *)ctx)->answer);
}
static int f_authority(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return rules_parse(y, v, key, &((bb_dns_config *)ctx)->authority);
}
static int f_additional(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return rules_parse(y, v, key, &((bb_dns_config *)ctx)->additional);
}

static const omx_yaml_field dns_fields[] = {
    {"preferred_ip_protocol", f_ip},
    {"ip_protocol_fallback", f_ip},
    {"source_ip_address", f_ip},
    {"dns_over_tls", f_dot},
    {"tls_config", f_tls},
    {"transport_protocol", f_transport},
    {"query_class", f_query_class},
    {"query_name", f_query_name},
    {"query_type", f_query_type},
    {"recursion_desired", f_recursion},
    {"valid_rcodes", f_rcodes},
    {"validate_answer_rrs", f_answer},
    {"validate_authority_rrs", f_authority},
    {"validate_additional_rrs", f_additional},
};

int bb_dns_config_parse(omx_yaml *y, const omx_yaml_node *n, bb_dns_config **ret) {
    *ret = NULL;
    bb_dns_config *c = calloc(1, sizeof *c);
    if (!c)
        return OMX_ENOMEM;
    c->query_type = LDNS_RR_TYPE_ANY;
    c->query_class = LDNS_RR_CLASS_IN;
    bb_ip_opts_default(&c->ip);
    c->recursion_desired = true;
    int r = omx_yaml_map(y, n, "dns", dns_fields, sizeof dns_fields / sizeof dns_fields[0], c);
    /* As upstream, only a section that is written needs a query name: the
     * default section every module has does not. */
    if (r == 0 && n && (!c->query_name || !*c->query_name))
        r = omx_yaml_fail(y, n, "dns.query_name", "query name must be set for DNS module");
    if (r == 0 && c->dns_over_tls && !c->tcp)
        r = omx_yaml_fail(y, n, "dns.transport_protocol",
                          "dns_over_tls needs transport_protocol: tcp");
    if (r < 0) {
        bb_dns_config_free(c);
        return r;
    }
    *ret = c;
    return 0;
}

bb_dns_config *bb_dns_config_free(bb_dns_config *c) {
    if (!c)
        return NULL;
    free(c->query_name);
    free(c->query_type_name);
    free(c->query_class_name);
    bb_tls_config_clear(&c->tls);
    omx_strv_free(c->valid_rcode_names);
    free(c->valid_rcodes);
    bb_dns_rr_rules *all[] = {&c->answer, &c->authority, &c->additional};
    for (size_t i = 0; i < 3; i++)
        for (size_t k = 0; k < BB_DNS_N_RULES; k++)
            regexes_clear(&all[i]->r[k]);
    free(c);
    return NULL;
}

/* key, then "- <value>" for each item. */
static int dump_list(omx_buf *out, int indent, const char *key, char *const *items) {
    int r = bb_dump_key(out, indent, key);
    for (size_t i = 0; r == 0 && items[i]; i++) {
        for (int k = 0; r == 0 && k < indent; k++)
            r = omx_buf_append(out, " ", 1);
        if (r == 0)
            r = omx_buf_append(out, "- ", 2);
        if (r == 0)
            r = bb_dump_scalar(out, items[i]);
        if (r == 0)
            r = omx_buf_append(out, "\n", 1);
    }
    return r;
}

static int dump_rules(omx_buf *out, int indent, const char *key, const bb_dns_rr_rules *r) {
    bool any = false;
    for (size_t k = 0; k < BB_DNS_N_RULES; k++)
        any = any || r->r[k].n > 0;
    if (!any)
        return 0;
    int e = bb_dump_key(out, indent, key);
    for (size_t k = 0; e == 0 && k < BB_DNS_N_RULES; k++)
        if (r->r[k].n > 0)
            e = dump_list(out, indent + 2, rule_names[k], r->r[k].src);
    return e;
}

int bb_dns_config_dump(const bb_dns_config *c, omx_buf *out, int indent) {
    int r = bb_ip_opts_dump(&c->ip, out, indent);
    if (r == 0 && c->dns_over_tls)
        r = bb_dump_bool(out, indent, "dns_over_tls", true);
    if (r == 0 && (c->dns_over_tls || c->tls_set)) {
        r = bb_dump_key(out, indent, "tls_config");
        if (r == 0)
            r = bb_tls_config_dump(&c->tls, out, indent + 2);
    }
    if (r == 0 && c->transport_set)
        r = bb_dump_kv(out, indent, "transport_protocol", c->tcp ? "tcp" : "udp");
    if (r == 0 && c->query_class_name && *c->query_class_name)
        r = bb_dump_kv(out, indent, "query_class", c->query_class_name);
    if (r == 0 && c->query_name && *c->query_name)
        r = bb_dump_kv(out, indent, "query_name", c->query_name);
    if (r == 0 && c->query_type_name && *c->query_type_name)
        r = bb_dump_kv(out, indent, "query_type", c->query_type_name);
    /* false is left out, as upstream's omitempty does */
    if (r == 0 && c->recursion_desired)
        r = bb_dump_bool(out, indent, "recursion_desired", true);
    if (r == 0 && c->valid_rcode_names && c->valid_rcode_names[0])
        r = dump_list(out, indent, "valid_rcodes", c->valid_rcode_names);
    if (r == 0)
        r = dump_rules(out, indent, "validate_answer_rrs", &c->answer);
    if (r == 0)
        r = dump_rules(out, indent, "validate_authority_rrs", &c->authority);
    if (r == 0)
        r = dump_rules(out, indent, "validate_additional_rrs", &c->additional);
    return r;
}
