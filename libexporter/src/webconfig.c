/* --web.config.file parsing and basic-auth verification (see webconfig.h). */
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <yaml.h>

#include "exporter/error.h"
#include "exporter/file.h"
#include "webconfig.h"

#define PEM_MAX (1u << 20)

typedef struct ctx {
    omx__webconfig *c;
    yaml_document_t *doc;
    char *dir;          /* directory of the file, for relative paths */
    char *err;
    size_t errlen;
    int min_version, max_version; /* 10..13, 0 = unset */
    char *cipher_prio;  /* "+X:+Y" from cipher_suites */
    char *curve_prio;
} ctx;

__attribute__((format(printf, 4, 5)))
static int fail(ctx *x, const yaml_node_t *n, const char *field, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n)
        snprintf(x->err, x->errlen, "%s:%zu: field %s: %s", x->c->path, n->start_mark.line + 1,
                 field, msg);
    else
        snprintf(x->err, x->errlen, "%s: field %s: %s", x->c->path, field, msg);
    return OMX_ECONFIG;
}

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int want_scalar(ctx *x, const yaml_node_t *n, const char *field, const char **out)
{
    *out = scalar(n);
    if (!*out)
        return fail(x, n, field, "expected a string");
    return 0;
}

static int want_bool(ctx *x, const yaml_node_t *n, const char *field, bool *out)
{
    const char *s = scalar(n);
    if (s && (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "yes")))
        *out = true;
    else if (s && (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "no")))
        *out = false;
    else
        return fail(x, n, field, "expected true or false");
    return 0;
}

/* Reads a whole file (at most PEM_MAX bytes) into a NUL-terminated string. */
static int read_file(ctx *x, const yaml_node_t *n, const char *field, const char *name,
                     char **out)
{
    char path[4096];
    if (name[0] == '/' || !x->dir)
        snprintf(path, sizeof path, "%s", name);
    else
        snprintf(path, sizeof path, "%s/%s", x->dir, name);
    char *buf;
    size_t len;
    int r = omx_read_file_at(AT_FDCWD, path, PEM_MAX, 0, &buf, &len);
    if (r < 0)
        return fail(x, n, field, "cannot read '%s': %s", path,
                    r == -EFBIG ? "file larger than 1 MiB" : strerror(-r));
    if (len == 0) {
        free(buf);
        return fail(x, n, field, "'%s' is empty", path);
    }
    free(*out);
    *out = buf;
    return 0;
}

static int parse_version(ctx *x, const yaml_node_t *n, const char *field, int *out)
{
    static const char *const names[] = { "TLS10", "TLS11", "TLS12", "TLS13" };
    const char *s;
    int rc = want_scalar(x, n, field, &s);
    if (rc)
        return rc;
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, names[i])) {
            *out = 10 + i;
            return 0;
        }
    return fail(x, n, field, "unknown TLS version '%s' (want TLS10, TLS11, TLS12 or TLS13)", s);
}

/* Go's crypto/tls suite names -> GnuTLS priority items (kx, cipher, mac). */
static const struct suite {
    const char *go;
    const char *prio;
} suites[] = {
    { "TLS_RSA_WITH_AES_128_CBC_SHA", "+RSA:+AES-128-CBC:+SHA1" },
    { "TLS_RSA_WITH_AES_256_CBC_SHA", "+RSA:+AES-256-CBC:+SHA1" },
    { "TLS_RSA_WITH_AES_128_GCM_SHA256", "+RSA:+AES-128-GCM:+AEAD" },
    { "TLS_RSA_WITH_AES_256_GCM_SHA384", "+RSA:+AES-256-GCM:+AEAD" },
    { "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "+ECDHE-ECDSA:+AES-128-CBC:+SHA1" },
    { "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "+ECDHE-ECDSA:+AES-256-CBC:+SHA1" },
    { "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "+ECDHE-RSA:+AES-128-CBC:+SHA1" },
    { "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "+ECDHE-RSA:+AES-256-CBC:+SHA1" },
    { "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "+ECDHE-ECDSA:+AES-128-CBC:+SHA256" },
    { "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "+ECDHE-RSA:+AES-128-CBC:+SHA256" },
    { "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "+ECDHE-RSA:+AES-128-GCM:+AEAD" },
    { "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "+ECDHE-ECDSA:+AES-128-GCM:+AEAD" },
    { "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "+ECDHE-RSA:+AES-256-GCM:+AEAD" },
    { "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "+ECDHE-ECDSA:+AES-256-GCM:+AEAD" },
    { "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "+ECDHE-RSA:+CHACHA20-POLY1305:+AEAD" },
    { "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "+ECDHE-RSA:+CHACHA20-POLY1305:+AEAD" },
    { "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "+ECDHE-ECDSA:+CHACHA20-POLY1305:+AEAD" },
    { "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "+ECDHE-ECDSA:+CHACHA20-POLY1305:+AEAD" },
};

static const struct suite curves[] = {
    { "CurveP256", "+GROUP-SECP256R1" },
    { "CurveP384", "+GROUP-SECP384R1" },
    { "CurveP521", "+GROUP-SECP521R1" },
    { "X25519", "+GROUP-X25519" },
};

static int append_prio(char **dst, const char *item)
{
    size_t old = *dst ? strlen(*dst) : 0;
    char *p = realloc(*dst, old + strlen(item) + 2);
    if (!p)
        return OMX_ENOMEM;
    if (old)
        p[old++] = ':';
    strcpy(p + old, item);
    *dst = p;
    return 0;
}

static int parse_list(ctx *x, const yaml_node_t *n, const char *field, const struct suite *tab,
                      size_t ntab, char **dst)
{
    if (n->type != YAML_SEQUENCE_NODE)
        return fail(x, n, field, "expected a list");
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++) {
        const yaml_node_t *e = yaml_document_get_node(x->doc, *it);
        const char *s;
        size_t i;
        int rc = want_scalar(x, e, field, &s);
        if (rc)
            return rc;
        for (i = 0; i < ntab && strcmp(tab[i].go, s); i++)
            ;
        if (i == ntab)
            return fail(x, e, field, "unknown or unsupported value '%s'", s);
        if (append_prio(dst, tab[i].prio))
            return fail(x, e, field, "out of memory");
    }
    return 0;
}

static int parse_tls(ctx *x, const yaml_node_t *m)
{
    omx__webconfig *c = x->c;
    const char *cert_file = NULL, *key_file = NULL, *ca_file = NULL;
    const yaml_node_t *cert_n = NULL, *key_n = NULL, *ca_n = NULL, *auth_n = NULL;
    int rc;

    if (m->type == YAML_SCALAR_NODE && !*scalar(m))
        return 0; /* "tls_server_config:" with nothing: no TLS */
    if (m->type != YAML_MAPPING_NODE)
        return fail(x, m, "tls_server_config", "expected a mapping");
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = yaml_document_get_node(x->doc, p->key);
        const yaml_node_t *v = yaml_document_get_node(x->doc, p->value);
        const char *key = scalar(k);
        char field[96];
        if (!key)
            return fail(x, k, "tls_server_config", "keys must be strings");
        snprintf(field, sizeof field, "tls_server_config.%s", key);
        if (!strcmp(key, "cert_file")) {
            rc = want_scalar(x, v, field, &cert_file);
            cert_n = v;
        } else if (!strcmp(key, "key_file")) {
            rc = want_scalar(x, v, field, &key_file);
            key_n = v;
        } else if (!strcmp(key, "client_ca_file")) {
            rc = want_scalar(x, v, field, &ca_file);
            ca_n = v;
        } else if (!strcmp(key, "client_auth_type")) {
            static const char *const names[] = { "NoClientCert", "RequestClientCert",
                                                 "RequireAnyClientCert",
                                                 "VerifyClientCertIfGiven",
                                                 "RequireAndVerifyClientCert" };
            const char *s;
            int i;
            rc = want_scalar(x, v, field, &s);
            for (i = 0; !rc && i < 5 && strcmp(s, names[i]); i++)
                ;
            if (!rc && i == 5)
                rc = fail(x, v, field, "unknown client_auth_type '%s'", s);
            if (!rc)
                c->client_auth = (omx__client_auth)i;
            auth_n = v;
        } else if (!strcmp(key, "min_version")) {
            rc = parse_version(x, v, field, &x->min_version);
        } else if (!strcmp(key, "max_version")) {
            rc = parse_version(x, v, field, &x->max_version);
        } else if (!strcmp(key, "cipher_suites")) {
            rc = parse_list(x, v, field, suites, sizeof suites / sizeof *suites, &x->cipher_prio);
        } else if (!strcmp(key, "curve_preferences")) {
            rc = parse_list(x, v, field, curves, sizeof curves / sizeof *curves, &x->curve_prio);
        } else if (!strcmp(key, "prefer_server_cipher_suites")) {
            bool b;
            rc = want_bool(x, v, field, &b);
        } else {
            rc = fail(x, k, field, "unknown key");
        }
        if (rc)
            return rc;
    }
    if (!cert_file && !key_file && !ca_file)
        return fail(x, m, "tls_server_config.cert_file", "missing cert_file and key_file");
    if (!cert_file)
        return fail(x, m, "tls_server_config.cert_file", "missing cert_file");
    if (!key_file)
        return fail(x, m, "tls_server_config.key_file", "missing key_file");
    if ((rc = read_file(x, cert_n, "tls_server_config.cert_file", cert_file, &c->cert_pem)) ||
        (rc = read_file(x, key_n, "tls_server_config.key_file", key_file, &c->key_pem)))
        return rc;
    if (ca_file &&
        (rc = read_file(x, ca_n, "tls_server_config.client_ca_file", ca_file, &c->ca_pem)))
        return rc;
    if (!ca_file && (c->client_auth == OMX__VERIFY_CLIENT_CERT_IF_GIVEN ||
                     c->client_auth == OMX__REQUIRE_AND_VERIFY_CLIENT_CERT))
        return fail(x, auth_n, "tls_server_config.client_ca_file",
                    "client_auth_type needs client_ca_file to verify certificates");
    if (ca_file && c->client_auth == OMX__NO_CLIENT_CERT) /* as exporter-toolkit refuses it */
        return fail(x, ca_n, "tls_server_config.client_ca_file",
                    "client_ca_file given without a client_auth_type that uses it");
    /* Check now what the server would reject later, naming the file. */
    gnutls_certificate_credentials_t cred;
    if (gnutls_certificate_allocate_credentials(&cred) < 0)
        return fail(x, m, "tls_server_config", "out of memory");
    gnutls_datum_t cd = { (unsigned char *)c->cert_pem, (unsigned)strlen(c->cert_pem) };
    gnutls_datum_t kd = { (unsigned char *)c->key_pem, (unsigned)strlen(c->key_pem) };
    int g = gnutls_certificate_set_x509_key_mem2(cred, &cd, &kd, GNUTLS_X509_FMT_PEM, NULL, 0);
    if (g < 0) {
        gnutls_certificate_free_credentials(cred);
        bool key_bad = g == GNUTLS_E_CERTIFICATE_KEY_MISMATCH || strstr(c->cert_pem, "-----BEGIN CERT");
        return fail(x, key_bad ? key_n : cert_n,
                    key_bad ? "tls_server_config.key_file" : "tls_server_config.cert_file",
                    "cannot load '%s' with '%s': %s", cert_file, key_file, gnutls_strerror(g));
    }
    if (c->ca_pem) {
        gnutls_datum_t ad = { (unsigned char *)c->ca_pem, (unsigned)strlen(c->ca_pem) };
        g = gnutls_certificate_set_x509_trust_mem(cred, &ad, GNUTLS_X509_FMT_PEM);
        if (g <= 0) {
            gnutls_certificate_free_credentials(cred);
            return fail(x, ca_n, "tls_server_config.client_ca_file",
                        "no PEM certificate in '%s'%s%s", ca_file, g < 0 ? ": " : "",
                        g < 0 ? gnutls_strerror(g) : "");
        }
    }
    gnutls_certificate_free_credentials(cred);
    c->tls = true;
    return 0;
}

static int build_priorities(ctx *x)
{
    char prio[2048];
    int lo = x->min_version ? x->min_version : 12; /* Go's default minimum is TLS 1.2 */
    int hi = x->max_version ? x->max_version : 13;
    const char *errpos = NULL;
    gnutls_priority_t p;

    if (lo > hi)
        return fail(x, NULL, "tls_server_config.min_version", "min_version is above max_version");
    snprintf(prio, sizeof prio, "NORMAL:-VERS-ALL");
    for (int v = lo; v <= hi; v++)
        snprintf(prio + strlen(prio), sizeof prio - strlen(prio), ":+VERS-TLS1.%d", v - 10);
    if (x->cipher_prio) {
        /* Go applies cipher_suites to TLS 1.0-1.2 only; keep TLS 1.3's AEAD suites. */
        snprintf(prio + strlen(prio), sizeof prio - strlen(prio),
                 ":-CIPHER-ALL:-KX-ALL:-MAC-ALL:%s%s", x->cipher_prio,
                 hi == 13 ? ":+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:+AEAD" : "");
    }
    if (x->curve_prio)
        snprintf(prio + strlen(prio), sizeof prio - strlen(prio), ":-GROUP-ALL:%s",
                 x->curve_prio);
    if (strlen(prio) >= sizeof prio - 1)
        return fail(x, NULL, "tls_server_config.cipher_suites", "too many entries");
    if (gnutls_priority_init(&p, prio, &errpos) < 0)
        return fail(x, NULL, "tls_server_config.cipher_suites",
                    "GnuTLS rejects priority string '%s' at '%s'", prio, errpos ? errpos : "?");
    gnutls_priority_deinit(p);
    x->c->priorities = strdup(prio);
    return x->c->priorities ? 0 : fail(x, NULL, "tls_server_config", "out of memory");
}

static bool bcrypt_hash_valid(const char *h)
{
    /* $2a$/$2b$/$2y$, two-digit cost, '$', 53 characters of salt and hash. */
    if (strlen(h) != 60 || h[0] != '$' || h[1] != '2' || !strchr("aby", h[2]) || h[3] != '$' ||
        h[4] < '0' || h[4] > '3' || h[5] < '0' || h[5] > '9' || h[6] != '$')
        return false;
    int cost = (h[4] - '0') * 10 + (h[5] - '0');
    if (cost < 4 || cost > 31)
        return false;
    for (const char *p = h + 7; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '/'))
            return false;
    return true;
}

static int parse_users(ctx *x, const yaml_node_t *m)
{
    omx__webconfig *c = x->c;
    if (m->type == YAML_SCALAR_NODE && !*scalar(m))
        return 0;
    if (m->type != YAML_MAPPING_NODE)
        return fail(x, m, "basic_auth_users", "expected a mapping of user: bcrypt hash");
    size_t n = (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
    c->users = calloc(n ? n : 1, sizeof *c->users);
    if (!c->users)
        return fail(x, m, "basic_auth_users", "out of memory");
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = yaml_document_get_node(x->doc, p->key);
        const yaml_node_t *v = yaml_document_get_node(x->doc, p->value);
        const char *user = scalar(k), *hash = scalar(v);
        char field[160];
        if (!user || !*user)
            return fail(x, k, "basic_auth_users", "user names must be non-empty strings");
        snprintf(field, sizeof field, "basic_auth_users.%.100s", user);
        if (strchr(user, ':'))
            return fail(x, k, field, "user name contains ':'");
        if (!hash)
            return fail(x, v, field, "expected a bcrypt hash string");
        if (!bcrypt_hash_valid(hash))
            return fail(x, v, field, "not a bcrypt hash ($2a$, $2b$ or $2y$, 60 characters)");
        for (size_t i = 0; i < c->n_users; i++)
            if (!strcmp(c->users[i].name, user))
                return fail(x, k, field, "user listed twice");
        c->users[c->n_users].name = strdup(user);
        c->users[c->n_users].hash = strdup(hash);
        c->n_users++;
        if (!c->users[c->n_users - 1].name || !c->users[c->n_users - 1].hash)
            return fail(x, k, field, "out of memory");
    }
    if (c->n_users) {
        /* The dummy hash has the first user's cost so unknown users take as long. */
        char salt[CRYPT_GENSALT_OUTPUT_SIZE];
        char prefix[5] = { '$', '2', 'b', '$', 0 };
        unsigned long cost = (unsigned long)((c->users[0].hash[4] - '0') * 10 +
                                             (c->users[0].hash[5] - '0'));
        struct crypt_data *cd = calloc(1, sizeof *cd);
        const char *h = NULL;
        if (cd && crypt_gensalt_rn(prefix, cost, NULL, 0, salt, sizeof salt))
            h = crypt_r("omx-dummy-password", salt, cd);
        if (h && h[0] == '$')
            c->dummy_hash = strdup(h);
        free(cd);
        if (!c->dummy_hash)
            c->dummy_hash = strdup(c->users[0].hash);
    }
    return 0;
}

static int parse_http(ctx *x, const yaml_node_t *m)
{
    if (m->type == YAML_SCALAR_NODE && !*scalar(m))
        return 0;
    if (m->type != YAML_MAPPING_NODE)
        return fail(x, m, "http_server_config", "expected a mapping");
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = yaml_document_get_node(x->doc, p->key);
        const yaml_node_t *v = yaml_document_get_node(x->doc, p->value);
        const char *key = scalar(k);
        bool b;
        int rc;
        if (key && !strcmp(key, "http2")) {
            rc = want_bool(x, v, "http_server_config.http2", &b); /* MHD speaks HTTP/1.1 only */
        } else if (key && !strcmp(key, "headers")) {
            if (v->type != YAML_MAPPING_NODE)
                return fail(x, v, "http_server_config.headers", "expected a mapping");
            size_t n = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
            char **h = calloc(2 * n + 1, sizeof *h);
            if (!h)
                return fail(x, v, "http_server_config.headers", "out of memory");
            x->c->headers = h;
            for (yaml_node_pair_t *q = v->data.mapping.pairs.start;
                 q < v->data.mapping.pairs.top; q++) {
                const char *hn = scalar(yaml_document_get_node(x->doc, q->key));
                const char *hv = scalar(yaml_document_get_node(x->doc, q->value));
                if (!hn || !hv || !*hn || strpbrk(hn, ": \r\n") || strpbrk(hv, "\r\n"))
                    return fail(x, yaml_document_get_node(x->doc, q->key),
                                "http_server_config.headers", "invalid header");
                *h++ = strdup(hn);
                *h++ = strdup(hv);
            }
            rc = 0;
        } else {
            char field[96];
            snprintf(field, sizeof field, "http_server_config.%s", key ? key : "?");
            rc = fail(x, k, field, "unknown key");
        }
        if (rc)
            return rc;
    }
    return 0;
}

int omx__webconfig_load(const char *path, omx__webconfig **ret, char *err, size_t errlen)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    FILE *f;
    int rc = 0;
    omx__webconfig *c;
    ctx x = { .err = err, .errlen = errlen };

    if (!path || !ret)
        return OMX_EINVAL;
    *ret = NULL;
    c = calloc(1, sizeof *c);
    if (!c || !(c->path = strdup(path))) {
        free(c);
        snprintf(err, errlen, "%s: out of memory", path);
        return OMX_ENOMEM;
    }
    pthread_mutex_init(&c->lock, NULL);
    x.c = c;
    x.doc = &doc;
    f = fopen(path, "re");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open web config: %s", path, strerror(errno));
        omx__webconfig_free(c);
        return OMX_ECONFIG;
    }
    const char *slash = strrchr(path, '/');
    if (slash)
        x.dir = strndup(path, (size_t)(slash - path) + (slash == path));
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    if (!yaml_parser_load(&parser, &doc)) {
        snprintf(err, errlen, "%s:%zu:%zu: YAML error: %s", path, parser.problem_mark.line + 1,
                 parser.problem_mark.column + 1, parser.problem ? parser.problem : "syntax");
        yaml_parser_delete(&parser);
        fclose(f);
        free(x.dir);
        omx__webconfig_free(c);
        return OMX_ECONFIG;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root && !(root->type == YAML_SCALAR_NODE && !*scalar(root))) {
        if (root->type != YAML_MAPPING_NODE)
            rc = fail(&x, root, "(top level)", "expected a mapping");
        bool seen[3] = { false, false, false };
        for (yaml_node_pair_t *p = rc ? NULL : root->data.mapping.pairs.start;
             p && p < root->data.mapping.pairs.top && !rc; p++) {
            const yaml_node_t *k = yaml_document_get_node(&doc, p->key);
            const yaml_node_t *v = yaml_document_get_node(&doc, p->value);
            const char *key = scalar(k);
            int i = !key ? -1 : !strcmp(key, "tls_server_config") ? 0
                              : !strcmp(key, "basic_auth_users")  ? 1
                              : !strcmp(key, "http_server_config") ? 2 : -1;
            if (i < 0) {
                rc = fail(&x, k, key ? key : "(top level)", "unknown key");
            } else if (seen[i]) {
                rc = fail(&x, k, key, "key given twice");
            } else {
                seen[i] = true;
                rc = i == 0 ? parse_tls(&x, v) : i == 1 ? parse_users(&x, v) : parse_http(&x, v);
            }
        }
        if (!rc && c->tls)
            rc = build_priorities(&x);
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    fclose(f);
    free(x.dir);
    free(x.cipher_prio);
    free(x.curve_prio);
    if (!rc && (x.cipher_prio || x.curve_prio || x.min_version || x.max_version) && !c->tls)
        rc = fail(&x, NULL, "tls_server_config", "TLS settings without cert_file/key_file");
    if (!rc && getrandom(c->secret, sizeof c->secret, 0) != (ssize_t)sizeof c->secret)
        rc = fail(&x, NULL, "basic_auth_users", "getrandom failed");
    if (rc) {
        omx__webconfig_free(c);
        return rc < 0 ? rc : OMX_ECONFIG;
    }
    *ret = c;
    return 0;
}

omx__webconfig *omx__webconfig_free(omx__webconfig *c)
{
    if (!c)
        return NULL;
    free(c->path);
    free(c->cert_pem);
    if (c->key_pem) {
        explicit_bzero(c->key_pem, strlen(c->key_pem));
        free(c->key_pem);
    }
    free(c->ca_pem);
    free(c->priorities);
    for (char **h = c->headers; h && *h; h++)
        free(*h);
    free(c->headers);
    for (size_t i = 0; i < c->n_users; i++) {
        free(c->users[i].name);
        free(c->users[i].hash);
    }
    free(c->users);
    free(c->dummy_hash);
    pthread_mutex_destroy(&c->lock);
    explicit_bzero(c, sizeof *c);
    free(c);
    return NULL;
}

bool omx__webconfig_has_auth(const omx__webconfig *c)
{
    return c && c->n_users > 0;
}

static bool ct_equal(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    unsigned char d = 0;
    for (size_t i = 0; i < n; i++)
        d |= x[i] ^ y[i];
    return d == 0;
}

bool omx__webconfig_check(omx__webconfig *c, const char *user, const char *pass)
{
    const omx__webuser *u = NULL;
    unsigned char key[32];
    bool ok = false;

    if (!c || !user || !pass || c->n_users == 0)
        return false;
    for (size_t i = 0; i < c->n_users; i++)
        if (!strcmp(c->users[i].name, user))
            u = &c->users[i];
    const char *hash = u ? u->hash : c->dummy_hash;

    /* Key = HMAC-SHA256(secret, user NUL pass NUL hash): verified pairs skip bcrypt. */
    size_t ul = strlen(user), pl = strlen(pass), hl = strlen(hash);
    char *msg = malloc(ul + pl + hl + 2);
    if (!msg)
        return false;
    memcpy(msg, user, ul + 1);
    memcpy(msg + ul + 1, pass, pl + 1);
    memcpy(msg + ul + pl + 2, hash, hl);
    int hrc = gnutls_hmac_fast(GNUTLS_MAC_SHA256, c->secret, sizeof c->secret, msg,
                               ul + pl + hl + 2, key);
    explicit_bzero(msg, ul + pl + hl + 2);
    free(msg);
    if (hrc < 0)
        return false;

    if (u) {
        pthread_mutex_lock(&c->lock);
        for (size_t i = 0; i < c->cache_n; i++)
            ok |= ct_equal(c->cache[i], key, sizeof key);
        pthread_mutex_unlock(&c->lock);
        if (ok)
            return true;
    }
    struct crypt_data *cd = calloc(1, sizeof *cd);
    if (!cd)
        return false;
    const char *h = crypt_r(pass, hash, cd);
    bool match = h && strlen(h) == hl && ct_equal(h, hash, hl);
    explicit_bzero(cd, sizeof *cd);
    free(cd);
    if (!u || !match)
        return false;
    pthread_mutex_lock(&c->lock);
    memcpy(c->cache[c->cache_next], key, sizeof key);
    c->cache_next = (c->cache_next + 1) % OMX__AUTH_CACHE;
    if (c->cache_n < OMX__AUTH_CACHE)
        c->cache_n++;
    pthread_mutex_unlock(&c->lock);
    return true;
}
