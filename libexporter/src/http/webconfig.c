/* --web.config.file parsing and basic-auth verification (see webconfig.h). */
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "exporter/error.h"
#include "exporter/file.h"
#include "exporter/yamlconf.h"
#include "webconfig.h"

#define PEM_MAX (1u << 20)

typedef struct ctx {
    omx__webconfig *c;
    omx_yaml *y;
    char *dir;                    /* directory of the file, for relative paths */
    int min_version, max_version; /* 10..13, 0 = unset */
    char *cipher_prio;            /* "+X:+Y" from cipher_suites */
    char *curve_prio;
    /* tls_server_config, checked together once its mapping is read */
    const char *cert_file, *key_file, *ca_file;
    const omx_yaml_node *cert_n, *key_n, *ca_n, *auth_n;
} ctx;

/* Reads a whole PEM file (at most PEM_MAX bytes) into a NUL-terminated string. */
static int read_file(ctx *x, const omx_yaml_node *n, const char *field, const char *name,
                     char **out) {
    char path[4096];
    if (name[0] == '/' || !x->dir)
        snprintf(path, sizeof path, "%s", name);
    else
        snprintf(path, sizeof path, "%s/%s", x->dir, name);
    char *buf;
    size_t len;
    int r = omx_read_file_at(AT_FDCWD, path, PEM_MAX, 0, &buf, &len);
    if (r < 0)
        return omx_yaml_fail(x->y, n, field, "cannot read '%s': %s", path,
                             r == -EFBIG ? "file larger than 1 MiB" : omx_strerror(r));
    if (len == 0) {
        free(buf);
        return omx_yaml_fail(x->y, n, field, "'%s' is empty", path);
    }
    free(*out);
    *out = buf;
    return 0;
}

static int parse_version(ctx *x, const omx_yaml_node *n, const char *field, int *out) {
    static const char *const names[] = {"TLS10", "TLS11", "TLS12", "TLS13"};
    const char *s;
    int rc = omx_yaml_get_string(x->y, n, field, &s);
    if (rc)
        return rc;
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, names[i])) {
            *out = 10 + i;
            return 0;
        }
    return omx_yaml_fail(x->y, n, field,
                         "unknown TLS version '%s' (want TLS10, TLS11, TLS12 or TLS13)", s);
}

/* Go's crypto/tls suite names -> GnuTLS priority items (kx, cipher, mac). */
static const struct suite {
    const char *go;
    const char *prio;
} suites[] = {
    {"TLS_RSA_WITH_AES_128_CBC_SHA", "+RSA:+AES-128-CBC:+SHA1"},
    {"TLS_RSA_WITH_AES_256_CBC_SHA", "+RSA:+AES-256-CBC:+SHA1"},
    {"TLS_RSA_WITH_AES_128_GCM_SHA256", "+RSA:+AES-128-GCM:+AEAD"},
    {"TLS_RSA_WITH_AES_256_GCM_SHA384", "+RSA:+AES-256-GCM:+AEAD"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "+ECDHE-ECDSA:+AES-128-CBC:+SHA1"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "+ECDHE-ECDSA:+AES-256-CBC:+SHA1"},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "+ECDHE-RSA:+AES-128-CBC:+SHA1"},
    {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "+ECDHE-RSA:+AES-256-CBC:+SHA1"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "+ECDHE-ECDSA:+AES-128-CBC:+SHA256"},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "+ECDHE-RSA:+AES-128-CBC:+SHA256"},
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "+ECDHE-RSA:+AES-128-GCM:+AEAD"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "+ECDHE-ECDSA:+AES-128-GCM:+AEAD"},
    {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "+ECDHE-RSA:+AES-256-GCM:+AEAD"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "+ECDHE-ECDSA:+AES-256-GCM:+AEAD"},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "+ECDHE-RSA:+CHACHA20-POLY1305:+AEAD"},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "+ECDHE-RSA:+CHACHA20-POLY1305:+AEAD"},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "+ECDHE-ECDSA:+CHACHA20-POLY1305:+AEAD"},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "+ECDHE-ECDSA:+CHACHA20-POLY1305:+AEAD"},
};

static const struct suite curves[] = {
    {"CurveP256", "+GROUP-SECP256R1"},
    {"CurveP384", "+GROUP-SECP384R1"},
    {"CurveP521", "+GROUP-SECP521R1"},
    {"X25519", "+GROUP-X25519"},
};

static int append_prio(char **dst, const char *item) {
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

static int parse_list(ctx *x, const omx_yaml_node *n, const char *field, const struct suite *tab,
                      size_t ntab, char **dst) {
    if (omx_yaml_kind_of(n) != OMX_YAML_SEQUENCE)
        return omx_yaml_fail(x->y, n, field, "expected a list");
    for (size_t k = 0; k < omx_yaml_len(n); k++) {
        const omx_yaml_node *e = omx_yaml_item(x->y, n, k);
        const char *s;
        size_t i;
        int rc = omx_yaml_get_string(x->y, e, field, &s);
        if (rc)
            return rc;
        for (i = 0; i < ntab && strcmp(tab[i].go, s); i++)
            ;
        if (i == ntab)
            return omx_yaml_fail(x->y, e, field, "unknown or unsupported value '%s'", s);
        if (append_prio(dst, tab[i].prio))
            return omx_yaml_fail(x->y, e, field, "out of memory");
    }
    return 0;
}

static int tls_cert(omx_yaml *y, const omx_yaml_node *v, const char *key, void *vx) {
    ctx *x = vx;
    x->cert_n = v;
    return omx_yaml_get_string(y, v, key, &x->cert_file);
}

static int tls_key(omx_yaml *y, const omx_yaml_node *v, const char *key, void *vx) {
    ctx *x = vx;
    x->key_n = v;
    return omx_yaml_get_string(y, v, key, &x->key_file);
}

static int tls_ca(omx_yaml *y, const omx_yaml_node *v, const char *key, void *vx) {
    ctx *x = vx;
    x->ca_n = v;
    return omx_yaml_get_string(y, v, key, &x->ca_file);
}

static int tls_auth(omx_yaml *y, const omx_yaml_node *v, const char *key, void *vx) {
    static const char *const names[] = {"NoClientCert", "RequestClientCert", "RequireAnyClientCert",
                                        "VerifyClientCertIfGiven", "RequireAndVerifyClientCert"};
    ctx *x = vx;
    const char *s;
    int i, rc = omx_yaml_get_string(y, v, key, &s);
    x->auth_n = v;
    if (rc)
        return rc;
    for (i = 0; i < 5 && strcmp(s, names[i]); i++)
        ;
    if (i == 5)
        return omx_yaml_fail(y, v, key, "unknown client_auth_type '%s'", s);
    x->c->client_auth = (omx__client_auth)i;
    return 0;
}

static int tls_min(omx_yaml *y, const omx_yaml_node *v, const char *key, void *vx) {
    (void)y;
    return parse_version(vx, v, key, &((ctx *)vx)->min_version);
}

static int tls_max(omx_yaml *y, const omx_yaml_node *v, const char *key, void *vx) {
    (void)y;
    return parse_version(vx, v, key, &((ctx *)vx)->max_version);
}

static int tls_ciphers(omx_yaml *y, const omx_yaml_node *v, const char *key, void *vx) {
    (void)y;
    return parse_list(vx, v, key, suites, sizeof suites / sizeof *suites,
                      &((ctx *)vx)->cipher_prio);
}

static int tls_curves(omx_yaml *y, const omx_yaml_node *v, const char *key, void *vx) {
    (void)y;
    return parse_list(vx, v, key, curves, sizeof curves / sizeof *curves, &((ctx *)vx)->curve_prio);
}

static int tls_prefer(omx_yaml *y, const omx_yaml_node *v, const char *key, void *vx) {
    bool b; /* Go's TLS 1.3 ignores it; accepted for old files */
    (void)vx;
    return omx_yaml_get_bool(y, v, key, &b);
}

static const omx_yaml_field tls_fields[] = {
    {"cert_file", tls_cert},
    {"key_file", tls_key},
    {"client_ca_file", tls_ca},
    {"client_auth_type", tls_auth},
    {"min_version", tls_min},
    {"max_version", tls_max},
    {"cipher_suites", tls_ciphers},
    {"curve_preferences", tls_curves},
    {"prefer_server_cipher_suites", tls_prefer},
};

static int parse_tls(omx_yaml *y, const omx_yaml_node *m, const char *field, void *vx) {
    ctx *x = vx;
    omx__webconfig *c = x->c;
    int rc;

    if (omx_yaml_is_empty(m))
        return 0; /* "tls_server_config:" with nothing: no TLS */
    if ((rc = omx_yaml_map(y, m, field, tls_fields, sizeof tls_fields / sizeof *tls_fields, x)))
        return rc;
    const char *cert_file = x->cert_file, *key_file = x->key_file, *ca_file = x->ca_file;
    const omx_yaml_node *cert_n = x->cert_n, *key_n = x->key_n, *ca_n = x->ca_n,
                        *auth_n = x->auth_n;
    if (!cert_file && !key_file && !ca_file)
        return omx_yaml_fail(x->y, m, "tls_server_config.cert_file",
                             "missing cert_file and key_file");
    if (!cert_file)
        return omx_yaml_fail(x->y, m, "tls_server_config.cert_file", "missing cert_file");
    if (!key_file)
        return omx_yaml_fail(x->y, m, "tls_server_config.key_file", "missing key_file");
    if ((rc = read_file(x, cert_n, "tls_server_config.cert_file", cert_file, &c->cert_pem)) ||
        (rc = read_file(x, key_n, "tls_server_config.key_file", key_file, &c->key_pem)))
        return rc;
    if (ca_file &&
        (rc = read_file(x, ca_n, "tls_server_config.client_ca_file", ca_file, &c->ca_pem)))
        return rc;
    if (!ca_file && (c->client_auth == OMX__VERIFY_CLIENT_CERT_IF_GIVEN ||
                     c->client_auth == OMX__REQUIRE_AND_VERIFY_CLIENT_CERT))
        return omx_yaml_fail(x->y, auth_n, "tls_server_config.client_ca_file",
                             "client_auth_type needs client_ca_file to verify certificates");
    if (ca_file && c->client_auth == OMX__NO_CLIENT_CERT) /* as exporter-toolkit refuses it */
        return omx_yaml_fail(x->y, ca_n, "tls_server_config.client_ca_file",
                             "client_ca_file given without a client_auth_type that uses it");
    /* Check now what the server would reject later, naming the file. */
    gnutls_certificate_credentials_t cred;
    if (gnutls_certificate_allocate_credentials(&cred) < 0)
        return omx_yaml_fail(x->y, m, "tls_server_config", "out of memory");
    gnutls_datum_t cd = {(unsigned char *)c->cert_pem, (unsigned)strlen(c->cert_pem)};
    gnutls_datum_t kd = {(unsigned char *)c->key_pem, (unsigned)strlen(c->key_pem)};
    int g = gnutls_certificate_set_x509_key_mem2(cred, &cd, &kd, GNUTLS_X509_FMT_PEM, NULL, 0);
    if (g < 0) {
        gnutls_certificate_free_credentials(cred);
        bool key_bad =
            g == GNUTLS_E_CERTIFICATE_KEY_MISMATCH || strstr(c->cert_pem, "-----BEGIN CERT");
        return omx_yaml_fail(x->y, key_bad ? key_n : cert_n,
                             key_bad ? "tls_server_config.key_file" : "tls_server_config.cert_file",
                             "cannot load '%s' with '%s': %s", cert_file, key_file,
                             gnutls_strerror(g));
    }
    if (c->ca_pem) {
        gnutls_datum_t ad = {(unsigned char *)c->ca_pem, (unsigned)strlen(c->ca_pem)};
        g = gnutls_certificate_set_x509_trust_mem(cred, &ad, GNUTLS_X509_FMT_PEM);
        if (g <= 0) {
            gnutls_certificate_free_credentials(cred);
            return omx_yaml_fail(x->y, ca_n, "tls_server_config.client_ca_file",
                                 "no PEM certificate in '%s'%s%s", ca_file, g < 0 ? ": " : "",
                                 g < 0 ? gnutls_strerror(g) : "");
        }
    }
    gnutls_certificate_free_credentials(cred);
    c->tls = true;
    return 0;
}

static int build_priorities(ctx *x) {
    char prio[2048];
    int lo = x->min_version ? x->min_version : 12; /* Go's default minimum is TLS 1.2 */
    int hi = x->max_version ? x->max_version : 13;
    const char *errpos = NULL;
    gnutls_priority_t p;

    if (lo > hi)
        return omx_yaml_fail(x->y, NULL, "tls_server_config.min_version",
                             "min_version is above max_version");
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
        snprintf(prio + strlen(prio), sizeof prio - strlen(prio), ":-GROUP-ALL:%s", x->curve_prio);
    if (strlen(prio) >= sizeof prio - 1)
        return omx_yaml_fail(x->y, NULL, "tls_server_config.cipher_suites", "too many entries");
    if (gnutls_priority_init(&p, prio, &errpos) < 0)
        return omx_yaml_fail(x->y, NULL, "tls_server_config.cipher_suites",
                             "GnuTLS rejects priority string '%s' at '%s'", prio,
                             errpos ? errpos : "?");
    gnutls_priority_deinit(p);
    x->c->priorities = strdup(prio);
    return x->c->priorities ? 0 : omx_yaml_fail(x->y, NULL, "tls_server_config", "out of memory");
}

static bool bcrypt_hash_valid(const char *h) {
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

static int parse_users(omx_yaml *y, const omx_yaml_node *m, const char *top, void *vx) {
    ctx *x = vx;
    omx__webconfig *c = x->c;
    if (omx_yaml_is_empty(m))
        return 0;
    if (omx_yaml_kind_of(m) != OMX_YAML_MAPPING)
        return omx_yaml_fail(y, m, top, "expected a mapping of user: bcrypt hash");
    size_t n = omx_yaml_len(m);
    c->users = calloc(n ? n : 1, sizeof *c->users);
    if (!c->users)
        return omx_yaml_fail(y, m, top, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const omx_yaml_node *k, *v;
        omx_yaml_pair(y, m, i, &k, &v);
        const char *user = omx_yaml_scalar(k), *hash = omx_yaml_scalar(v);
        char field[160];
        if (!user || !*user)
            return omx_yaml_fail(y, k, "basic_auth_users", "user names must be non-empty strings");
        snprintf(field, sizeof field, "basic_auth_users.%.100s", user);
        if (strchr(user, ':'))
            return omx_yaml_fail(y, k, field, "user name contains ':'");
        if (!hash)
            return omx_yaml_fail(y, v, field, "expected a bcrypt hash string");
        if (!bcrypt_hash_valid(hash))
            return omx_yaml_fail(y, v, field,
                                 "not a bcrypt hash ($2a$, $2b$ or $2y$, 60 characters)");
        for (size_t u = 0; u < c->n_users; u++)
            if (!strcmp(c->users[u].name, user))
                return omx_yaml_fail(y, k, field, "user listed twice");
        c->users[c->n_users].name = strdup(user);
        c->users[c->n_users].hash = strdup(hash);
        c->n_users++;
        if (!c->users[c->n_users - 1].name || !c->users[c->n_users - 1].hash)
            return omx_yaml_fail(y, k, field, "out of memory");
    }
    if (c->n_users) {
        /* The dummy hash has the first user's cost so unknown users take as long. */
        char salt[CRYPT_GENSALT_OUTPUT_SIZE];
        char prefix[5] = {'$', '2', 'b', '$', 0};
        unsigned long cost =
            (unsigned long)((c->users[0].hash[4] - '0') * 10 + (c->users[0].hash[5] - '0'));
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

static int http_http2(omx_yaml *y, const omx_yaml_node *v, const char *key, void *vx) {
    bool b; /* MHD speaks HTTP/1.1 only */
    (void)vx;
    return omx_yaml_get_bool(y, v, key, &b);
}

static int http_headers(omx_yaml *y, const omx_yaml_node *v, const char *key, void *vx) {
    ctx *x = vx;
    if (omx_yaml_kind_of(v) != OMX_YAML_MAPPING)
        return omx_yaml_fail(y, v, key, "expected a mapping");
    size_t n = omx_yaml_len(v);
    char **h = calloc(2 * n + 1, sizeof *h);
    if (!h)
        return omx_yaml_fail(y, v, key, "out of memory");
    for (char **old = x->c->headers; old && *old; old++)
        free(*old);
    free(x->c->headers);
    x->c->headers = h;
    for (size_t i = 0; i < n; i++) {
        const omx_yaml_node *hk, *hvn;
        omx_yaml_pair(y, v, i, &hk, &hvn);
        const char *hn = omx_yaml_scalar(hk), *hv = omx_yaml_scalar(hvn);
        if (!hn || !hv || !*hn || strpbrk(hn, ": \r\n") || strpbrk(hv, "\r\n"))
            return omx_yaml_fail(y, hk, key, "invalid header");
        *h++ = strdup(hn);
        *h++ = strdup(hv);
    }
    return 0;
}

static const omx_yaml_field http_fields[] = {
    {"http2", http_http2},
    {"headers", http_headers},
};

static int parse_http(omx_yaml *y, const omx_yaml_node *m, const char *key, void *vx) {
    return omx_yaml_map(y, m, key, http_fields, sizeof http_fields / sizeof *http_fields, vx);
}

static const omx_yaml_field top_fields[] = {
    {"tls_server_config", parse_tls},
    {"basic_auth_users", parse_users},
    {"http_server_config", parse_http},
};

int omx__webconfig_load(const char *path, omx__webconfig **ret, char *err, size_t errlen) {
    int rc = 0;
    omx__webconfig *c;
    ctx x = {0};

    if (!path || !ret)
        return OMX_EINVAL;
    *ret = NULL;
    c = calloc(1, sizeof *c);
    if (!c || !(c->path = strdup(path))) {
        free(c);
        snprintf(err, errlen, "%s: out of memory", path);
        return OMX_ENOMEM;
    }
    omx__authgate_init(&c->bcrypt_gate, OMX__AUTH_BCRYPT_SLOTS, OMX__AUTH_BCRYPT_QUEUE,
                       OMX__AUTH_BCRYPT_WAIT_MS);
    x.c = c;
    rc = omx_yaml_load_file(path, 0, &x.y, err, errlen);
    if (rc) {
        omx__webconfig_free(c);
        return rc == OMX_ENOMEM ? rc : OMX_ECONFIG;
    }
    const char *slash = strrchr(path, '/');
    if (slash)
        x.dir = strndup(path, (size_t)(slash - path) + (slash == path));
    rc = omx_yaml_map(x.y, omx_yaml_root(x.y), NULL, top_fields,
                      sizeof top_fields / sizeof *top_fields, &x);
    if (!rc && c->tls)
        rc = build_priorities(&x);
    if (!rc && (x.cipher_prio || x.curve_prio || x.min_version || x.max_version) && !c->tls)
        rc = omx_yaml_fail(x.y, NULL, "tls_server_config",
                           "TLS settings without cert_file/key_file");
    if (!rc && c->n_users && omx__authcache_new(&c->auth_cache) < 0)
        rc = omx_yaml_fail(x.y, NULL, "basic_auth_users", "cannot set up the credential cache");
    omx_yaml_free(x.y);
    free(x.dir);
    free(x.cipher_prio);
    free(x.curve_prio);
    if (rc) {
        omx__webconfig_free(c);
        return rc < 0 ? rc : OMX_ECONFIG;
    }
    *ret = c;
    return 0;
}

omx__webconfig *omx__webconfig_free(omx__webconfig *c) {
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
    c->auth_cache = omx__authcache_free(c->auth_cache);
    omx__authgate_destroy(&c->bcrypt_gate);
    explicit_bzero(c, sizeof *c);
    free(c);
    return NULL;
}

bool omx__webconfig_has_auth(const omx__webconfig *c) { return c && c->n_users > 0; }

static bool ct_equal(const void *a, const void *b, size_t n) {
    const unsigned char *x = a, *y = b;
    unsigned char d = 0;
    for (size_t i = 0; i < n; i++)
        d |= x[i] ^ y[i];
    return d == 0;
}

/* One crypt_r. Returns 0 when pass hashes to hash, -EACCES when not,
 * OMX_ENOMEM (an outcome not to remember). */
static int bcrypt_check(omx__webconfig *c, const char *pass, const char *hash) {
    struct crypt_data *cd = calloc(1, sizeof *cd);
    if (!cd)
        return OMX_ENOMEM;
    atomic_fetch_add(&c->bcrypt_runs, 1);
    const char *h = crypt_r(pass, hash, cd);
    size_t hl = strlen(hash);
    bool match = h && strlen(h) == hl && ct_equal(h, hash, hl);
    explicit_bzero(cd, sizeof *cd);
    free(cd);
    return match ? 0 : -EACCES;
}

int omx__webconfig_verify(omx__webconfig *c, const char *user, const char *pass) {
    const omx__webuser *u = NULL;
    unsigned char key[OMX__AUTHCACHE_DIGEST];
    bool ok = false;
    int rc;

    if (!c || !user || !pass)
        return OMX_EINVAL;
    if (c->n_users == 0)
        return -EACCES;
    for (size_t i = 0; i < c->n_users; i++)
        if (!strcmp(c->users[i].name, user))
            u = &c->users[i];
    /* An unknown user goes the same way with the dummy hash: one bcrypt, then
     * a remembered failure, as a known user with a wrong password. */
    const char *hash = u ? u->hash : c->dummy_hash;
    if ((rc = omx__authcache_digest(c->auth_cache, user, pass, hash, key)) < 0)
        return rc == OMX_EINVAL ? OMX_EIO : rc;
    if (omx__authcache_get(c->auth_cache, key, &ok) == 0) {
        rc = ok ? 0 : -EACCES;
    } else if (omx__authgate_enter(&c->bcrypt_gate) < 0) {
        rc = OMX_ELIMIT;
    } else if (omx__authcache_get(c->auth_cache, key, &ok) == 0) {
        /* Checked by another request while this one waited. */
        rc = ok ? 0 : -EACCES;
        omx__authgate_leave(&c->bcrypt_gate);
    } else {
        rc = bcrypt_check(c, pass, hash);
        if (rc == 0 && !u)
            rc = -EACCES;
        if (rc == 0 || rc == -EACCES)
            omx__authcache_put(c->auth_cache, key, rc == 0);
        omx__authgate_leave(&c->bcrypt_gate);
    }
    explicit_bzero(key, sizeof key);
    return rc;
}

bool omx__webconfig_check(omx__webconfig *c, const char *user, const char *pass) {
    return omx__webconfig_verify(c, user, pass) == 0;
}
