/* The http section of blackbox.yml (0.28's HTTPProbe with Prometheus' common
 * HTTPClientConfig inline): parse with upstream's defaults and checks, free,
 * and dump for /config with secrets hidden. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"

static int dup_str(omx_yaml *y, const omx_yaml_node *v, const char *key, char **dst) {
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

#define STR_FIELD(fn, member)                                                        \
    static int fn(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) { \
        return dup_str(y, v, key, &((bb_http_cfg *)ctx)->member);                    \
    }
#define BOOL_FIELD(fn, member)                                                       \
    static int fn(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) { \
        return omx_yaml_get_bool(y, v, key, &((bb_http_cfg *)ctx)->member);          \
    }

static void kv_clear(bb_http_kv *kv) {
    for (size_t i = 0; i < kv->n; i++) {
        free(kv->names[i]);
        free(kv->values[i]);
    }
    free(kv->names);
    free(kv->values);
    free(kv->secret);
    memset(kv, 0, sizeof(*kv));
}

static int kv_add(bb_http_kv *kv, const char *name, const char *value, bool secret) {
    char **nn = realloc(kv->names, (kv->n + 1) * sizeof(*nn));
    if (!nn)
        return -ENOMEM;
    kv->names = nn;
    char **vv = realloc(kv->values, (kv->n + 1) * sizeof(*vv));
    if (!vv)
        return -ENOMEM;
    kv->values = vv;
    bool *ss = realloc(kv->secret, (kv->n + 1) * sizeof(*ss));
    if (!ss)
        return -ENOMEM;
    kv->secret = ss;
    kv->names[kv->n] = strdup(name);
    kv->values[kv->n] = strdup(value);
    kv->secret[kv->n] = secret;
    kv->n++;
    if (!kv->names[kv->n - 1] || !kv->values[kv->n - 1])
        return -ENOMEM;
    return 0;
}

/* A mapping of strings to strings (headers, endpoint_params). */
static int parse_kv(omx_yaml *y, const omx_yaml_node *v, const char *key, bb_http_kv *kv,
                    bool secret) {
    if (omx_yaml_is_empty(v))
        return 0;
    if (omx_yaml_kind_of(v) != OMX_YAML_MAPPING)
        return omx_yaml_fail(y, v, key, "expected a mapping of names to strings");
    for (size_t i = 0; i < omx_yaml_len(v); i++) {
        const omx_yaml_node *k, *val;
        omx_yaml_pair(y, v, i, &k, &val);
        const char *name = omx_yaml_scalar(k), *s;
        if (!name || !*name)
            return omx_yaml_fail(y, k, key, "names must be non-empty strings");
        char sub[256];
        snprintf(sub, sizeof(sub), "%s.%s", key, name);
        int rc = omx_yaml_get_string(y, val, sub, &s);
        if (rc < 0)
            return rc;
        if (strpbrk(name, ":\r\n \t") || strpbrk(s, "\r\n"))
            return omx_yaml_fail(y, k, sub, "header names and values cannot hold line breaks");
        if ((rc = kv_add(kv, name, s, secret)) < 0)
            return rc;
    }
    return 0;
}

static int f_headers(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    bb_http_cfg *c = ctx;
    int rc = parse_kv(y, v, key, &c->headers, false);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < c->headers.n; i++)
        for (size_t j = 0; j < i; j++)
            if (!strcasecmp(c->headers.names[i], c->headers.names[j]))
                return omx_yaml_fail(y, v, key, "header %s given twice", c->headers.names[i]);
    return 0;
}

static int compile(omx_yaml *y, const omx_yaml_node *v, const char *key, const char *src,
                   omx_regex **ret) {
    char err[200];
    int rc = omx_regex_new(src, 0, ret, err, sizeof(err));
    if (rc == OMX_ENOMEM)
        return rc;
    if (rc < 0)
        return omx_yaml_fail(y, v, key, "could not compile regular expression \"%s\": %s", src,
                             err);
    return 0;
}

static int parse_regexes(omx_yaml *y, const omx_yaml_node *v, const char *key, bb_http_regexes *r) {
    char **list = NULL;
    int rc = omx_yaml_get_strings(y, v, key, &list);
    if (rc < 0)
        return rc;
    size_t n = 0;
    while (list[n])
        n++;
    r->re = calloc(n ? n : 1, sizeof(*r->re));
    if (!r->re) {
        omx_strv_free(list);
        return -ENOMEM;
    }
    r->src = list;
    r->n = n;
    for (size_t i = 0; i < n; i++)
        if ((rc = compile(y, omx_yaml_item(y, v, i), key, list[i], &r->re[i])) < 0)
            return rc;
    return 0;
}

static int f_body_match(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return parse_regexes(y, v, key, &((bb_http_cfg *)ctx)->body_match);
}
static int f_body_not_match(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return parse_regexes(y, v, key, &((bb_http_cfg *)ctx)->body_not_match);
}

static int hm_header(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return dup_str(y, v, key, &((bb_http_header_match *)ctx)->header);
}
static int hm_regexp(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    bb_http_header_match *m = ctx;
    int rc = dup_str(y, v, key, &m->src);
    if (rc < 0)
        return rc;
    return compile(y, v, key, m->src, &m->re);
}
static int hm_allow_missing(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return omx_yaml_get_bool(y, v, key, &((bb_http_header_match *)ctx)->allow_missing);
}

static int parse_header_matches(omx_yaml *y, const omx_yaml_node *v, const char *key,
                                bb_http_header_match **list, size_t *n) {
    static const omx_yaml_field fields[] = {
        {"header", hm_header}, {"regexp", hm_regexp}, {"allow_missing", hm_allow_missing}};
    if (omx_yaml_is_empty(v))
        return 0;
    if (omx_yaml_kind_of(v) != OMX_YAML_SEQUENCE)
        return omx_yaml_fail(y, v, key, "expected a list of header matchers");
    size_t len = omx_yaml_len(v);
    *list = calloc(len ? len : 1, sizeof(**list));
    if (!*list)
        return -ENOMEM;
    for (size_t i = 0; i < len; i++) {
        const omx_yaml_node *item = omx_yaml_item(y, v, i);
        bb_http_header_match *m = &(*list)[i];
        (*n)++;
        int rc = omx_yaml_map(y, item, key, fields, 3, m);
        if (rc < 0)
            return rc;
        if (!m->header || !*m->header)
            return omx_yaml_fail(y, item, key, "header name must be set for HTTP header matchers");
        if (!m->re || !*m->src)
            return omx_yaml_fail(y, item, key, "regexp must be set for HTTP header matchers");
    }
    return 0;
}

static int f_hdr_match(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    bb_http_cfg *c = ctx;
    return parse_header_matches(y, v, key, &c->hdr_match, &c->n_hdr_match);
}
static int f_hdr_not_match(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    bb_http_cfg *c = ctx;
    return parse_header_matches(y, v, key, &c->hdr_not_match, &c->n_hdr_not_match);
}

static int f_valid_status(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    bb_http_cfg *c = ctx;
    if (omx_yaml_is_empty(v))
        return 0;
    if (omx_yaml_kind_of(v) != OMX_YAML_SEQUENCE)
        return omx_yaml_fail(y, v, key, "expected a list of status codes");
    size_t len = omx_yaml_len(v);
    c->valid_status_codes = calloc(len ? len : 1, sizeof(int));
    if (!c->valid_status_codes)
        return -ENOMEM;
    for (size_t i = 0; i < len; i++) {
        int64_t code;
        int rc = omx_yaml_get_int(y, omx_yaml_item(y, v, i), key, &code);
        if (rc < 0)
            return rc;
        if (code < 0 || code > 999)
            return omx_yaml_fail(y, omx_yaml_item(y, v, i), key, "%lld is not a status code",
                                 (long long)code);
        c->valid_status_codes[c->n_valid_status_codes++] = (int)code;
    }
    return 0;
}

static int f_valid_versions(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    bb_http_cfg *c = ctx;
    omx_strv_free(c->valid_http_versions);
    c->valid_http_versions = NULL;
    return omx_yaml_get_strings(y, v, key, &c->valid_http_versions);
}

static int f_ip(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    int rc = bb_ip_opts_field(y, v, key, &((bb_http_cfg *)ctx)->ip);
    if (rc == 0)
        return omx_yaml_fail(y, v, key, "unknown key");
    return rc < 0 ? rc : 0;
}

static int f_no_follow(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    bool no;
    int rc = omx_yaml_get_bool(y, v, key, &no);
    if (rc == 0)
        ((bb_http_cfg *)ctx)->follow_redirects = !no;
    return rc;
}

static int f_method(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    bb_http_cfg *c = ctx;
    int rc = dup_str(y, v, key, &c->method);
    if (rc < 0)
        return rc;
    for (const char *s = c->method; *s; s++)
        if ((unsigned char)*s <= ' ' || strchr("()<>@,;:\\\"/[]?={}", *s) || *s == 0x7f)
            return omx_yaml_fail(y, v, key, "invalid method \"%s\"", c->method);
    if (!*c->method) {
        free(c->method);
        c->method = NULL;
    }
    return 0;
}

static int f_compression(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    bb_http_cfg *c = ctx;
    int rc = dup_str(y, v, key, &c->compression);
    if (rc < 0)
        return rc;
    static const char *const ok[] = {"", "gzip", "deflate", "br", "identity"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        if (!strcasecmp(c->compression, ok[i]))
            return 0;
    return omx_yaml_fail(y, v, key, "unsupported compression \"%s\" (gzip, deflate, br, identity)",
                         c->compression);
}

/* units.Base2Bytes: "512KB", "1MiB", "2GB", "0"; a plain number is bytes. */
static int f_body_size_limit(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    const char *s;
    int rc = omx_yaml_get_string(y, v, key, &s);
    if (rc < 0)
        return rc;
    char *end;
    errno = 0;
    double num = strtod(s, &end);
    if (end == s || errno)
        return omx_yaml_fail(y, v, key, "invalid size \"%s\"", s);
    static const struct {
        const char *unit;
        double mult;
    } units[] = {{"", 1},
                 {"B", 1},
                 {"KB", 1024.0},
                 {"KiB", 1024.0},
                 {"MB", 1048576.0},
                 {"MiB", 1048576.0},
                 {"GB", 1073741824.0},
                 {"GiB", 1073741824.0},
                 {"TB", 1099511627776.0},
                 {"TiB", 1099511627776.0}};
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (!strcmp(end, units[i].unit)) {
            double b = num * units[i].mult;
            /* Negative or huge: no limit, as upstream clamps it. */
            ((bb_http_cfg *)ctx)->body_size_limit =
                b < 0 || b >= 9.2e18 ? INT64_MAX - 1 : (int64_t)b;
            return 0;
        }
    return omx_yaml_fail(y, v, key, "invalid size unit in \"%s\" (B, KB, MB, GB, TB or KiB...)", s);
}

static int f_cel(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    (void)ctx;
    return omx_yaml_fail(y, v, key, "CEL expressions are not supported by omx-blackbox");
}

/* Secrets and files: "name", "name_file" and the unsupported "name_ref". */
static int f_ref(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    (void)ctx;
    return omx_yaml_fail(y, v, key,
                         "secret references (*_ref) need a secret manager; use the "
                         "inline value or the _file form");
}

#define AUTH_FIELD(fn, member)                                                       \
    static int fn(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) { \
        return dup_str(y, v, key, &((bb_http_cfg *)ctx)->member);                    \
    }
AUTH_FIELD(ba_username, username.value)
AUTH_FIELD(ba_username_file, username.file)
AUTH_FIELD(ba_password, password.value)
AUTH_FIELD(ba_password_file, password.file)
AUTH_FIELD(az_type, auth_type)
AUTH_FIELD(az_credentials, credentials.value)
AUTH_FIELD(az_credentials_file, credentials.file)
AUTH_FIELD(o2_client_id, oauth2_client_id)
AUTH_FIELD(o2_secret, oauth2_secret.value)
AUTH_FIELD(o2_secret_file, oauth2_secret.file)
AUTH_FIELD(o2_token_url, oauth2_token_url)
AUTH_FIELD(o2_proxy_url, oauth2_proxy_url)

static int f_basic_auth(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    static const omx_yaml_field fields[] = {
        {"username", ba_username}, {"username_file", ba_username_file}, {"username_ref", f_ref},
        {"password", ba_password}, {"password_file", ba_password_file}, {"password_ref", f_ref}};
    bb_http_cfg *c = ctx;
    c->has_basic_auth = true;
    int rc = omx_yaml_map(y, v, key, fields, sizeof(fields) / sizeof(fields[0]), c);
    if (rc < 0)
        return rc;
    if (c->username.value && c->username.file)
        return omx_yaml_fail(y, v, key,
                             "at most one of basic_auth username, username_file & "
                             "username_ref must be configured");
    if (c->password.value && c->password.file)
        return omx_yaml_fail(y, v, key,
                             "at most one of basic_auth password, password_file & "
                             "password_ref must be configured");
    return 0;
}

static int f_authorization(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    static const omx_yaml_field fields[] = {{"type", az_type},
                                            {"credentials", az_credentials},
                                            {"credentials_file", az_credentials_file},
                                            {"credentials_ref", f_ref}};
    bb_http_cfg *c = ctx;
    c->has_authorization = true;
    int rc = omx_yaml_map(y, v, key, fields, sizeof(fields) / sizeof(fields[0]), c);
    if (rc < 0)
        return rc;
    if (c->credentials.value && c->credentials.file)
        return omx_yaml_fail(y, v, key,
                             "at most one of authorization credentials & "
                             "credentials_file must be configured");
    return 0;
}

static int o2_scopes(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    bb_http_cfg *c = ctx;
    omx_strv_free(c->oauth2_scopes);
    c->oauth2_scopes = NULL;
    return omx_yaml_get_strings(y, v, key, &c->oauth2_scopes);
}
static int o2_params(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return parse_kv(y, v, key, &((bb_http_cfg *)ctx)->oauth2_params, false);
}
static int o2_tls(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    (void)key;
    bb_tls_config_clear(&((bb_http_cfg *)ctx)->oauth2_tls);
    return bb_tls_config_parse(y, v, &((bb_http_cfg *)ctx)->oauth2_tls);
}
static int o2_grant_type(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    (void)ctx;
    const char *s;
    int rc = omx_yaml_get_string(y, v, key, &s);
    if (rc < 0)
        return rc;
    if (*s && strcmp(s, "client_credentials"))
        return omx_yaml_fail(y, v, key, "only the client_credentials grant is supported");
    return 0;
}
static int o2_unsupported(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    (void)ctx;
    return omx_yaml_fail(y, v, key, "the jwt-bearer grant is not supported by omx-blackbox");
}
static int o2_ignored_proxy(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    (void)y, (void)v, (void)key, (void)ctx;
    return 0;
}

static int f_oauth2(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    static const omx_yaml_field fields[] = {
        {"client_id", o2_client_id},
        {"client_secret", o2_secret},
        {"client_secret_file", o2_secret_file},
        {"client_secret_ref", f_ref},
        {"scopes", o2_scopes},
        {"token_url", o2_token_url},
        {"endpoint_params", o2_params},
        {"tls_config", o2_tls},
        {"proxy_url", o2_proxy_url},
        {"no_proxy", o2_ignored_proxy},
        {"proxy_from_environment", o2_ignored_proxy},
        {"proxy_connect_header", o2_ignored_proxy},
        {"grant_type", o2_grant_type},
        {"client_certificate_key_id", o2_unsupported},
        {"client_certificate_key", o2_unsupported},
        {"client_certificate_key_file", o2_unsupported},
        {"client_certificate_key_ref", o2_unsupported},
        {"signature_algorithm", o2_unsupported},
        {"iss", o2_unsupported},
        {"audience", o2_unsupported},
        {"claims", o2_unsupported},
    };
    bb_http_cfg *c = ctx;
    c->has_oauth2 = true;
    int rc = omx_yaml_map(y, v, key, fields, sizeof(fields) / sizeof(fields[0]), c);
    if (rc < 0)
        return rc;
    if (!c->oauth2_client_id || !*c->oauth2_client_id)
        return omx_yaml_fail(y, v, key, "oauth2 client_id must be configured");
    if (!c->oauth2_token_url || !*c->oauth2_token_url)
        return omx_yaml_fail(y, v, key, "oauth2 token_url must be configured");
    if (c->oauth2_secret.value && c->oauth2_secret.file)
        return omx_yaml_fail(y, v, key,
                             "at most one of oauth2 client_secret, client_secret_file "
                             "& client_secret_ref must be configured");
    return 0;
}

static int f_bearer(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    bb_http_cfg *c = ctx;
    int rc = dup_str(y, v, key, &c->credentials.value);
    if (rc == 0 && !*c->credentials.value) {
        free(c->credentials.value);
        c->credentials.value = NULL;
    }
    return rc;
}
static int f_bearer_file(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    bb_http_cfg *c = ctx;
    int rc = dup_str(y, v, key, &c->credentials.file);
    if (rc == 0 && !*c->credentials.file) {
        free(c->credentials.file);
        c->credentials.file = NULL;
    }
    return rc;
}

static int f_tls(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    (void)key;
    bb_tls_config_clear(&((bb_http_cfg *)ctx)->tls);
    return bb_tls_config_parse(y, v, &((bb_http_cfg *)ctx)->tls);
}

static int proxy_header_add(void *ctx, const char *name, const char *value) {
    return kv_add(&((bb_http_cfg *)ctx)->proxy_connect_header, name, value, true);
}

static int f_proxy_connect_header(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return bb_header_lists_parse(y, v, key, "header name", proxy_header_add, ctx);
}

/* http_headers: {Name: {values: [...], secrets: [...], files: [...]}}. */
static int f_http_headers(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    bb_http_cfg *c = ctx;
    if (omx_yaml_is_empty(v))
        return 0;
    if (omx_yaml_kind_of(v) != OMX_YAML_MAPPING)
        return omx_yaml_fail(y, v, key, "expected a mapping of header names");
    for (size_t i = 0; i < omx_yaml_len(v); i++) {
        const omx_yaml_node *k, *val;
        omx_yaml_pair(y, v, i, &k, &val);
        const char *name = omx_yaml_scalar(k);
        if (!name || !*name || strpbrk(name, ":\r\n \t"))
            return omx_yaml_fail(y, k, key, "invalid header name");
        static const char *const reserved[] = {
            "Authorization",     "Host",         "Content-Encoding",
            "Content-Length",    "Content-Type", "User-Agent",
            "Connection",        "Keep-Alive",   "Proxy-Authorization",
            "Transfer-Encoding", "Upgrade"};
        for (size_t r = 0; r < sizeof(reserved) / sizeof(reserved[0]); r++)
            if (!strcasecmp(name, reserved[r]))
                return omx_yaml_fail(y, k, key, "setting header \"%s\" is not allowed", name);
        if (omx_yaml_kind_of(val) != OMX_YAML_MAPPING)
            return omx_yaml_fail(y, val, key, "expected values, secrets or files");
        for (size_t j = 0; j < omx_yaml_len(val); j++) {
            const omx_yaml_node *k2, *v2;
            omx_yaml_pair(y, val, j, &k2, &v2);
            const char *kind = omx_yaml_scalar(k2);
            int type = !kind                      ? -1
                       : !strcmp(kind, "values")  ? 0
                       : !strcmp(kind, "secrets") ? 1
                       : !strcmp(kind, "files")   ? 2
                                                  : -1;
            if (type < 0)
                return omx_yaml_fail(y, k2, key, "unknown key (values, secrets, files)");
            char **vals = NULL;
            int rc = omx_yaml_get_strings(y, v2, key, &vals);
            if (rc < 0)
                return rc;
            for (size_t m = 0; vals[m] && rc == 0; m++) {
                if (strpbrk(vals[m], "\r\n")) {
                    rc = omx_yaml_fail(y, v2, key, "line break in a value");
                    break;
                }
                rc = kv_add(&c->http_headers, name, vals[m], type == 1);
                if (rc == 0) {
                    bool *f = realloc(c->http_headers_file, c->http_headers.n * sizeof(bool));
                    if (!f)
                        rc = -ENOMEM;
                    else {
                        c->http_headers_file = f;
                        f[c->http_headers.n - 1] = type == 2;
                    }
                }
            }
            omx_strv_free(vals);
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

STR_FIELD(f_body, body)
STR_FIELD(f_body_file, body_file)
STR_FIELD(f_proxy_url, proxy_url)
STR_FIELD(f_no_proxy, no_proxy)
BOOL_FIELD(f_skip_resolve, skip_resolve_phase_with_proxy)
BOOL_FIELD(f_fail_if_ssl, fail_if_ssl)
BOOL_FIELD(f_fail_if_not_ssl, fail_if_not_ssl)
BOOL_FIELD(f_follow, follow_redirects)
BOOL_FIELD(f_http2, enable_http2)
BOOL_FIELD(f_http3, enable_http3)
BOOL_FIELD(f_proxy_env, proxy_from_environment)

static const omx_yaml_field http_fields[] = {
    {"valid_status_codes", f_valid_status},
    {"valid_http_versions", f_valid_versions},
    {"preferred_ip_protocol", f_ip},
    {"ip_protocol_fallback", f_ip},
    {"source_ip_address", f_ip},
    {"skip_resolve_phase_with_proxy", f_skip_resolve},
    {"no_follow_redirects", f_no_follow},
    {"fail_if_ssl", f_fail_if_ssl},
    {"fail_if_not_ssl", f_fail_if_not_ssl},
    {"method", f_method},
    {"headers", f_headers},
    {"fail_if_body_matches_regexp", f_body_match},
    {"fail_if_body_not_matches_regexp", f_body_not_match},
    {"fail_if_body_json_matches_cel", f_cel},
    {"fail_if_body_json_not_matches_cel", f_cel},
    {"fail_if_header_matches", f_hdr_match},
    {"fail_if_header_not_matches", f_hdr_not_match},
    {"body", f_body},
    {"body_file", f_body_file},
    {"compression", f_compression},
    {"body_size_limit", f_body_size_limit},
    {"enable_http3", f_http3},
    /* http_client_config, inline */
    {"basic_auth", f_basic_auth},
    {"authorization", f_authorization},
    {"oauth2", f_oauth2},
    {"bearer_token", f_bearer},
    {"bearer_token_file", f_bearer_file},
    {"tls_config", f_tls},
    {"follow_redirects", f_follow},
    {"enable_http2", f_http2},
    {"proxy_url", f_proxy_url},
    {"no_proxy", f_no_proxy},
    {"proxy_from_environment", f_proxy_env},
    {"proxy_connect_header", f_proxy_connect_header},
    {"http_headers", f_http_headers},
};

/* The accept-encoding / compression check of upstream's config. */
static bool compression_accepted(const char *compression, const char *accept) {
    if (!compression || !*compression || !*accept)
        return true;
    const char *best = NULL;
    double best_q = -1;
    char buf[512];
    snprintf(buf, sizeof(buf), "%s", accept);
    for (char *save = NULL, *part = strtok_r(buf, ",", &save); part;
         part = strtok_r(NULL, ",", &save)) {
        double q = 1;
        char *semi = strrchr(part, ';');
        if (semi) {
            *semi = '\0';
            char *qs = semi + 1;
            while (*qs == ' ')
                qs++;
            if (!strncmp(qs, "q=", 2))
                qs += 2;
            char *end;
            q = strtod(qs, &end);
            if (end == qs)
                q = 0;
        }
        while (*part == ' ')
            part++;
        size_t l = strlen(part);
        while (l && part[l - 1] == ' ')
            part[--l] = '\0';
        if ((!strcmp(part, compression) || !strcmp(part, "*")) && q > best_q) {
            best_q = q;
            best = part;
        }
    }
    return best && best_q > 0;
}

static int validate(omx_yaml *y, const omx_yaml_node *n, bb_http_cfg *c) {
    const char *k = "http";
    bool bearer = c->credentials.value || c->credentials.file;
    if (c->credentials.value && c->credentials.file && !c->has_authorization)
        return omx_yaml_fail(y, n, k,
                             "at most one of bearer_token & bearer_token_file must be "
                             "configured");
    if ((c->has_basic_auth || c->has_oauth2) && bearer && !c->has_authorization)
        return omx_yaml_fail(y, n, k,
                             "at most one of basic_auth, oauth2, bearer_token & "
                             "bearer_token_file must be configured");
    if (c->has_authorization) {
        if (c->auth_type) {
            char *t = c->auth_type;
            while (*t == ' ')
                t++;
            memmove(c->auth_type, t, strlen(t) + 1);
            size_t l = strlen(c->auth_type);
            while (l && c->auth_type[l - 1] == ' ')
                c->auth_type[--l] = '\0';
        }
        if (!strcasecmp(c->auth_type ? c->auth_type : "", "basic"))
            return omx_yaml_fail(y, n, k,
                                 "authorization type cannot be set to \"basic\", use "
                                 "\"basic_auth\" instead");
        if (c->has_basic_auth || c->has_oauth2)
            return omx_yaml_fail(y, n, k,
                                 "at most one of basic_auth, oauth2 & authorization "
                                 "must be configured");
    } else if (bearer) {
        c->has_authorization = true;
    }
    if (c->has_authorization && (!c->auth_type || !*c->auth_type)) {
        free(c->auth_type);
        if (!(c->auth_type = strdup("Bearer")))
            return -ENOMEM;
    }
    if (c->has_oauth2 && c->has_basic_auth)
        return omx_yaml_fail(y, n, k,
                             "at most one of basic_auth, oauth2 & authorization must be "
                             "configured");
    if (c->proxy_from_environment && c->proxy_url && *c->proxy_url)
        return omx_yaml_fail(y, n, k,
                             "if proxy_from_environment is configured, proxy_url must "
                             "not be configured");
    if (c->proxy_from_environment && c->no_proxy && *c->no_proxy)
        return omx_yaml_fail(y, n, k,
                             "if proxy_from_environment is configured, no_proxy must "
                             "not be configured");
    if ((!c->proxy_url || !*c->proxy_url) && c->no_proxy && *c->no_proxy)
        return omx_yaml_fail(y, n, k,
                             "if no_proxy is configured, proxy_url must also be "
                             "configured");
    if (c->proxy_connect_header.n && (!c->proxy_url || !*c->proxy_url) &&
        !c->proxy_from_environment)
        return omx_yaml_fail(y, n, k,
                             "if proxy_connect_header is configured, proxy_url or "
                             "proxy_from_environment must also be configured");
    if (c->body && *c->body && c->body_file && *c->body_file)
        return omx_yaml_fail(y, n, k, "setting body and body_file both are not allowed");
    for (size_t i = 0; i < c->headers.n; i++)
        if (!strcasecmp(c->headers.names[i], "Accept-Encoding") &&
            !compression_accepted(c->compression, c->headers.values[i]))
            return omx_yaml_fail(y, n, k, "invalid configuration \"%s: %s\", \"compression: %s\"",
                                 c->headers.names[i], c->headers.values[i], c->compression);
    for (size_t i = 0; c->valid_http_versions && c->valid_http_versions[i]; i++)
        if (!strcmp(c->valid_http_versions[i], "HTTP/3.0"))
            return omx_yaml_fail(y, n, k,
                                 "HTTP/3 cannot be used as a valid HTTP version when "
                                 "enable_http3 is false");
    if (c->enable_http3)
        return omx_yaml_fail(y, n, k,
                             "enable_http3 is not supported by omx-blackbox (libcurl "
                             "here has no HTTP/3)");
    if (c->compression && (!*c->compression || !strcasecmp(c->compression, "identity"))) {
        free(c->compression);
        c->compression = NULL;
    }
    return 0;
}

int bb_http_cfg_parse(omx_yaml *y, const omx_yaml_node *n, void **ret) {
    bb_http_cfg *c = calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    c->ip.preferred = 6;
    c->ip.fallback = true;
    c->follow_redirects = true;
    c->enable_http2 = true;
    int rc = 0;
    if (n)
        rc = omx_yaml_map(y, n, "http", http_fields, sizeof(http_fields) / sizeof(http_fields[0]),
                          c);
    if (rc == 0)
        rc = validate(y, n, c);
    if (rc < 0) {
        bb_http_cfg_free(c);
        return rc;
    }
    *ret = c;
    return 0;
}

static void regexes_clear(bb_http_regexes *r) {
    for (size_t i = 0; i < r->n; i++)
        omx_regex_free(r->re[i]);
    free(r->re);
    omx_strv_free(r->src);
}

static void matches_free(bb_http_header_match *m, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(m[i].header);
        free(m[i].src);
        omx_regex_free(m[i].re);
    }
    free(m);
}

void bb_http_cfg_free(void *cfg) {
    bb_http_cfg *c = cfg;
    if (!c)
        return;
    free(c->valid_status_codes);
    omx_strv_free(c->valid_http_versions);
    free(c->method);
    kv_clear(&c->headers);
    regexes_clear(&c->body_match);
    regexes_clear(&c->body_not_match);
    matches_free(c->hdr_match, c->n_hdr_match);
    matches_free(c->hdr_not_match, c->n_hdr_not_match);
    free(c->body);
    free(c->body_file);
    free(c->compression);
    free(c->username.value);
    free(c->username.file);
    free(c->password.value);
    free(c->password.file);
    free(c->auth_type);
    free(c->credentials.value);
    free(c->credentials.file);
    free(c->oauth2_client_id);
    free(c->oauth2_secret.value);
    free(c->oauth2_secret.file);
    omx_strv_free(c->oauth2_scopes);
    free(c->oauth2_token_url);
    kv_clear(&c->oauth2_params);
    bb_tls_config_clear(&c->oauth2_tls);
    free(c->oauth2_proxy_url);
    bb_tls_config_clear(&c->tls);
    free(c->proxy_url);
    free(c->no_proxy);
    kv_clear(&c->proxy_connect_header);
    kv_clear(&c->http_headers);
    free(c->http_headers_file);
    free(c);
}

/* ---- dump ---- */

/* "<indent>- item\n" */
static int dump_item(omx_buf *out, int indent, const char *item) {
    char pad[64];
    int n = indent < 60 ? indent : 60;
    memset(pad, ' ', (size_t)n);
    int rc = omx_buf_append(out, pad, (size_t)n);
    if (rc == 0)
        rc = omx_buf_append(out, "- ", 2);
    if (rc == 0)
        rc = bb_dump_scalar(out, item);
    return rc ? rc : omx_buf_append(out, "\n", 1);
}

static int dump_list(omx_buf *out, int indent, const char *key, char *const *items) {
    if (!items || !items[0])
        return 0;
    int rc = bb_dump_key(out, indent, key);
    for (size_t i = 0; items[i] && rc == 0; i++)
        rc = dump_item(out, indent, items[i]);
    return rc;
}

static int dump_kv_map(omx_buf *out, int indent, const char *key, const bb_http_kv *kv) {
    if (!kv->n)
        return 0;
    int rc = bb_dump_key(out, indent, key);
    for (size_t i = 0; i < kv->n && rc == 0; i++)
        rc = kv->secret[i] ? bb_dump_secret(out, indent + 2, kv->names[i], kv->values[i])
                           : bb_dump_kv(out, indent + 2, kv->names[i], kv->values[i]);
    return rc;
}

static int dump_matches(omx_buf *out, int indent, const char *key, const bb_http_header_match *m,
                        size_t n) {
    if (!n)
        return 0;
    int rc = bb_dump_key(out, indent, key);
    for (size_t i = 0; i < n && rc == 0; i++) {
        char pad[64];
        int k = indent < 60 ? indent : 60;
        memset(pad, ' ', (size_t)k);
        rc = omx_buf_append(out, pad, (size_t)k);
        if (rc == 0)
            rc = omx_buf_append(out, "- ", 2);
        if (rc == 0)
            rc = bb_dump_kv(out, 0, "header", m[i].header);
        if (rc == 0)
            rc = bb_dump_kv(out, indent + 2, "regexp", m[i].src);
        if (rc == 0 && m[i].allow_missing)
            rc = bb_dump_bool(out, indent + 2, "allow_missing", true);
    }
    return rc;
}

static int dump_opt(omx_buf *out, int indent, const char *key, const char *v) {
    return v && *v ? bb_dump_kv(out, indent, key, v) : 0;
}
static int dump_opt_secret(omx_buf *out, int indent, const char *key, const char *v) {
    return v && *v ? bb_dump_secret(out, indent, key, v) : 0;
}

int bb_http_cfg_dump(const void *cfg, omx_buf *out, int indent) {
    const bb_http_cfg *c = cfg;
    int rc = 0;
    char num[32];
    if (c->n_valid_status_codes) {
        rc = bb_dump_key(out, indent, "valid_status_codes");
        for (size_t i = 0; i < c->n_valid_status_codes && rc == 0; i++) {
            snprintf(num, sizeof(num), "%d", c->valid_status_codes[i]);
            rc = dump_item(out, indent, num);
        }
    }
    if (rc == 0)
        rc = dump_list(out, indent, "valid_http_versions", c->valid_http_versions);
    if (rc == 0)
        rc = bb_ip_opts_dump(&c->ip, out, indent);
    if (rc == 0 && c->skip_resolve_phase_with_proxy)
        rc = bb_dump_bool(out, indent, "skip_resolve_phase_with_proxy", true);
    if (rc == 0 && c->fail_if_ssl)
        rc = bb_dump_bool(out, indent, "fail_if_ssl", true);
    if (rc == 0 && c->fail_if_not_ssl)
        rc = bb_dump_bool(out, indent, "fail_if_not_ssl", true);
    if (rc == 0)
        rc = dump_opt(out, indent, "method", c->method);
    if (rc == 0)
        rc = dump_kv_map(out, indent, "headers", &c->headers);
    if (rc == 0)
        rc = dump_list(out, indent, "fail_if_body_matches_regexp", c->body_match.src);
    if (rc == 0)
        rc = dump_list(out, indent, "fail_if_body_not_matches_regexp", c->body_not_match.src);
    if (rc == 0)
        rc = dump_matches(out, indent, "fail_if_header_matches", c->hdr_match, c->n_hdr_match);
    if (rc == 0)
        rc = dump_matches(out, indent, "fail_if_header_not_matches", c->hdr_not_match,
                          c->n_hdr_not_match);
    if (rc == 0)
        rc = dump_opt(out, indent, "body", c->body);
    if (rc == 0)
        rc = dump_opt(out, indent, "body_file", c->body_file);
    if (rc == 0 && c->has_basic_auth) {
        rc = bb_dump_key(out, indent, "basic_auth");
        if (rc == 0)
            rc = dump_opt(out, indent + 2, "username", c->username.value);
        if (rc == 0)
            rc = dump_opt(out, indent + 2, "username_file", c->username.file);
        if (rc == 0)
            rc = dump_opt_secret(out, indent + 2, "password", c->password.value);
        if (rc == 0)
            rc = dump_opt(out, indent + 2, "password_file", c->password.file);
    }
    if (rc == 0 && c->has_authorization) {
        rc = bb_dump_key(out, indent, "authorization");
        if (rc == 0)
            rc = dump_opt(out, indent + 2, "type", c->auth_type);
        if (rc == 0)
            rc = dump_opt_secret(out, indent + 2, "credentials", c->credentials.value);
        if (rc == 0)
            rc = dump_opt(out, indent + 2, "credentials_file", c->credentials.file);
    }
    if (rc == 0 && c->has_oauth2) {
        rc = bb_dump_key(out, indent, "oauth2");
        if (rc == 0)
            rc = dump_opt(out, indent + 2, "client_id", c->oauth2_client_id);
        if (rc == 0)
            rc = dump_opt_secret(out, indent + 2, "client_secret", c->oauth2_secret.value);
        if (rc == 0)
            rc = dump_opt(out, indent + 2, "client_secret_file", c->oauth2_secret.file);
        if (rc == 0)
            rc = dump_list(out, indent + 2, "scopes", c->oauth2_scopes);
        if (rc == 0)
            rc = dump_opt(out, indent + 2, "token_url", c->oauth2_token_url);
        if (rc == 0)
            rc = dump_kv_map(out, indent + 2, "endpoint_params", &c->oauth2_params);
        if (rc == 0) {
            rc = bb_dump_key(out, indent + 2, "tls_config");
            if (rc == 0)
                rc = bb_tls_config_dump(&c->oauth2_tls, out, indent + 4);
        }
        if (rc == 0)
            rc = dump_opt(out, indent + 2, "proxy_url", c->oauth2_proxy_url);
    }
    if (rc == 0) {
        rc = bb_dump_key(out, indent, "tls_config");
        if (rc == 0)
            rc = bb_tls_config_dump(&c->tls, out, indent + 2);
    }
    if (rc == 0)
        rc = bb_dump_bool(out, indent, "follow_redirects", c->follow_redirects);
    if (rc == 0)
        rc = bb_dump_bool(out, indent, "enable_http2", c->enable_http2);
    if (rc == 0)
        rc = dump_opt(out, indent, "proxy_url", c->proxy_url);
    if (rc == 0)
        rc = dump_opt(out, indent, "no_proxy", c->no_proxy);
    if (rc == 0 && c->proxy_from_environment)
        rc = bb_dump_bool(out, indent, "proxy_from_environment", true);
    if (rc == 0)
        rc = dump_kv_map(out, indent, "proxy_connect_header", &c->proxy_connect_header);
    if (rc == 0)
        rc = dump_kv_map(out, indent, "http_headers", &c->http_headers);
    if (rc == 0)
        rc = dump_opt(out, indent, "compression", c->compression);
    if (rc == 0 && c->body_size_limit)
        rc = bb_dump_int(out, indent, "body_size_limit", (long long)c->body_size_limit);
    return rc;
}
