/* Trust lists parsed once, shared by the probes (see curl-trust.h). */
#include <curl/curl.h>
#include <errno.h>
#include <gnutls/crypto.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "curl-trust.h"
#include "exporter/error.h"
#include "exporter/file.h"

#define CA_FILE_MAX (16u << 20) /* a CA bundle read into memory */
#define CACHE_SLOTS 8           /* distinct CA sources kept at once */
#define PEERS_MAX 16            /* GnuTLS' default verification depth */
#define VERIFIED_SLOTS 64       /* chains remembered as verified, per list */

/* A chain whose signatures verified up to an anchor of the list: the same
 * bytes against the same anchors verify the same way, so only the dates (and
 * the host name, checked at every probe) need checking again. That skips an
 * ECDSA or RSA verification per probe (about 2M instructions for P-256 with
 * nettle, a quarter of an https probe). */
typedef struct verified {
    unsigned char digest[32];      /* SHA-256 of the certificates the server sent */
    int64_t not_before, not_after; /* when every certificate of it is valid */
    bool used;
} verified;

struct bb_curl_trust {
    atomic_int refs;
    gnutls_x509_trust_list_t tl;
    pthread_mutex_t mu; /* for seen and next */
    verified seen[VERIFIED_SLOTS];
    unsigned next;
};

/* A CA source and what it looked like when it was parsed. */
typedef struct source {
    bool file; /* key is a path, identified further by its stat */
    char *key; /* the path, or the inline PEM itself */
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime, ctime;
} source;

typedef struct slot {
    source src;
    bb_curl_trust *t; /* the slot's own reference */
    uint64_t used;    /* last use, for eviction */
} slot;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
/* One parse at a time: probes starting together on a new source wait for
 * the first one's list instead of each parsing (and growing its thread's
 * malloc arena by) the whole bundle. Held without mu; cache hits skip it. */
static pthread_mutex_t load_mu = PTHREAD_MUTEX_INITIALIZER;
static slot cache[CACHE_SLOTS];
static uint64_t ticks;

static bb_curl_trust *trust_free(bb_curl_trust *t) {
    if (t) {
        gnutls_x509_trust_list_deinit(t->tl, 1);
        pthread_mutex_destroy(&t->mu);
        free(t);
    }
    return NULL;
}

bb_curl_trust *bb_curl_trust_put(bb_curl_trust *t) {
    if (t && atomic_fetch_sub(&t->refs, 1) == 1)
        trust_free(t);
    return NULL;
}

gnutls_x509_trust_list_t bb_curl_trust_list(const bb_curl_trust *t) { return t ? t->tl : NULL; }

static bool same_source(const source *a, const source *b) {
    if (!a->key || a->file != b->file || strcmp(a->key, b->key))
        return false;
    return !a->file ||
           (a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
            a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec &&
            a->ctime.tv_sec == b->ctime.tv_sec && a->ctime.tv_nsec == b->ctime.tv_nsec);
}

/* The system bundle when tls_config names no CA: libcurl's built-in one if
 * it has one (Debian's names only a CA directory), else the file Go's
 * crypto/x509 would load: $SSL_CERT_FILE, else the first of its Linux list. */
static char curl_bundle[4096];
static void curl_bundle_init(void) {
    CURL *h = curl_easy_init();
    char *path = NULL;
    if (h && curl_easy_getinfo(h, CURLINFO_CAINFO, &path) == CURLE_OK && path)
        snprintf(curl_bundle, sizeof(curl_bundle), "%s", path);
    if (h)
        curl_easy_cleanup(h);
}

const char *bb_curl_trust_system_bundle(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    static const char *const files[] = {"/etc/ssl/certs/ca-certificates.crt",
                                        "/etc/pki/tls/certs/ca-bundle.crt",
                                        "/etc/ssl/ca-bundle.pem",
                                        "/etc/pki/tls/cacert.pem",
                                        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
                                        "/etc/ssl/cert.pem"};
    pthread_once(&once, curl_bundle_init);
    if (curl_bundle[0])
        return curl_bundle;
    const char *env = getenv("SSL_CERT_FILE");
    if (env && *env)
        return env;
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        if (access(files[i], F_OK) == 0)
            return files[i];
    return files[0];
}

static int parse(const char *pem, size_t len, bb_curl_trust **ret, char *why, size_t whylen) {
    bb_curl_trust *t = calloc(1, sizeof(*t));
    if (!t)
        return -ENOMEM;
    atomic_init(&t->refs, 1);
    if (gnutls_x509_trust_list_init(&t->tl, 0) < 0) {
        free(t);
        return -ENOMEM;
    }
    pthread_mutex_init(&t->mu, NULL);
    gnutls_datum_t d = {.data = (unsigned char *)pem, .size = (unsigned)len};
    int n = gnutls_x509_trust_list_add_trust_mem(t->tl, &d, NULL, GNUTLS_X509_FMT_PEM, 0, 0);
    if (n <= 0) {
        snprintf(why, whylen, "no CA certificate could be read (%s)",
                 n < 0 ? gnutls_strerror(n) : "none found");
        trust_free(t);
        return n == GNUTLS_E_MEMORY_ERROR ? -ENOMEM : OMX_EVALUE;
    }
    *ret = t;
    return 0;
}

/* The cached list of src with a new reference, or NULL. Locked by the caller. */
static bb_curl_trust *lookup(const source *src) {
    for (size_t i = 0; i < CACHE_SLOTS; i++)
        if (same_source(&cache[i].src, src)) {
            cache[i].used = ++ticks;
            atomic_fetch_add(&cache[i].t->refs, 1);
            return cache[i].t;
        }
    return NULL;
}

/* Keeps t for src: in the slot of the same key (a file that changed), else
 * an empty or the least recently used one. Locked by the caller. */
static void store(const source *src, bb_curl_trust *t) {
    slot *s = NULL;
    for (size_t i = 0; i < CACHE_SLOTS && !s; i++)
        if (cache[i].src.key && cache[i].src.file == src->file &&
            !strcmp(cache[i].src.key, src->key))
            s = &cache[i];
    for (size_t i = 0; i < CACHE_SLOTS && !s; i++)
        if (!cache[i].src.key)
            s = &cache[i];
    if (!s) {
        s = &cache[0];
        for (size_t i = 1; i < CACHE_SLOTS; i++)
            if (cache[i].used < s->used)
                s = &cache[i];
    }
    char *key = strdup(src->key);
    if (!key)
        return; /* not cached: the probe still has its own reference */
    free(s->src.key);
    bb_curl_trust_put(s->t);
    s->src = *src;
    s->src.key = key;
    atomic_fetch_add(&t->refs, 1);
    s->t = t;
    s->used = ++ticks;
}

int bb_curl_trust_get(const char *ca_file, const char *ca_pem, bb_curl_trust **ret, char *why,
                      size_t whylen) {
    *ret = NULL;
    source src = {0};
    if (!ca_file && !ca_pem)
        ca_file = bb_curl_trust_system_bundle();
    if (ca_file) {
        struct stat st;
        if (stat(ca_file, &st) < 0) {
            int e = errno;
            snprintf(why, whylen, "cannot read CA file %s: %s", ca_file, strerror(e));
            return -e;
        }
        src = (source){.file = true,
                       .key = (char *)ca_file,
                       .dev = st.st_dev,
                       .ino = st.st_ino,
                       .size = st.st_size,
                       .mtime = st.st_mtim,
                       .ctime = st.st_ctim};
    } else {
        src.key = (char *)ca_pem;
    }
    pthread_mutex_lock(&mu);
    *ret = lookup(&src);
    pthread_mutex_unlock(&mu);
    if (*ret)
        return 0;

    pthread_mutex_lock(&load_mu);
    pthread_mutex_lock(&mu);
    *ret = lookup(&src); /* parsed by the probe this one waited for */
    pthread_mutex_unlock(&mu);
    if (*ret) {
        pthread_mutex_unlock(&load_mu);
        return 0;
    }
    int rc;
    bb_curl_trust *t = NULL;
    if (ca_file) {
        char *data = NULL;
        size_t len = 0;
        rc = omx_read_file(ca_file, CA_FILE_MAX, &data, &len);
        if (rc < 0)
            snprintf(why, whylen, "cannot read CA file %s: %s", ca_file, omx_strerror(rc));
        else
            rc = parse(data, len, &t, why, whylen);
        free(data);
    } else {
        rc = parse(ca_pem, strlen(ca_pem), &t, why, whylen);
    }
    if (rc == 0) {
        pthread_mutex_lock(&mu);
        store(&src, t);
        pthread_mutex_unlock(&mu);
        *ret = t;
    }
    pthread_mutex_unlock(&load_mu);
    return rc;
}

/* SHA-256 over the count, lengths and bytes of the certificates sent. */
static int chain_digest(const gnutls_datum_t *raw, unsigned n, unsigned char out[32]) {
    gnutls_hash_hd_t hd;
    if (gnutls_hash_init(&hd, GNUTLS_DIG_SHA256) < 0)
        return -ENOMEM;
    unsigned char len[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16),
                            (unsigned char)(n >> 8), (unsigned char)n};
    gnutls_hash(hd, len, 4);
    for (unsigned i = 0; i < n; i++) {
        unsigned z = raw[i].size;
        unsigned char l[4] = {(unsigned char)(z >> 24), (unsigned char)(z >> 16),
                              (unsigned char)(z >> 8), (unsigned char)z};
        gnutls_hash(hd, l, 4);
        gnutls_hash(hd, raw[i].data, raw[i].size);
    }
    gnutls_hash_deinit(hd, out);
    return 0;
}

static void window_add(gnutls_x509_crt_t c, int64_t *nb, int64_t *na) {
    time_t b = gnutls_x509_crt_get_activation_time(c), a = gnutls_x509_crt_get_expiration_time(c);
    if (b == (time_t)-1 || a == (time_t)-1) {
        *nb = INT64_MAX; /* unknown dates: never taken from the cache */
        return;
    }
    if ((int64_t)b > *nb)
        *nb = (int64_t)b;
    if ((int64_t)a < *na)
        *na = (int64_t)a;
}

/* Whether the chain with this digest verified before and its dates still hold. */
static bool seen_valid(bb_curl_trust *t, const unsigned char digest[32]) {
    int64_t now = (int64_t)time(NULL);
    bool hit = false;
    pthread_mutex_lock(&t->mu);
    for (unsigned i = 0; i < VERIFIED_SLOTS && !hit; i++) {
        const verified *v = &t->seen[i];
        hit = v->used && !memcmp(v->digest, digest, 32) && now >= v->not_before &&
              now <= v->not_after;
    }
    pthread_mutex_unlock(&t->mu);
    return hit;
}

/* Remembers a verified chain with the dates of its certificates and of the
 * anchors they chain to. */
static void seen_add(bb_curl_trust *t, const unsigned char digest[32], gnutls_x509_crt_t *crts,
                     unsigned n) {
    int64_t nb = INT64_MIN, na = INT64_MAX;
    for (unsigned i = 0; i < n; i++) {
        gnutls_x509_crt_t anchor = NULL;
        window_add(crts[i], &nb, &na);
        if (gnutls_x509_trust_list_get_issuer(t->tl, crts[i], &anchor, GNUTLS_TL_GET_COPY) == 0 &&
            anchor) {
            window_add(anchor, &nb, &na);
            gnutls_x509_crt_deinit(anchor);
        }
    }
    if (nb > na)
        return;
    pthread_mutex_lock(&t->mu);
    verified *v = &t->seen[t->next++ % VERIFIED_SLOTS];
    memcpy(v->digest, digest, 32);
    v->not_before = nb;
    v->not_after = na;
    v->used = true;
    pthread_mutex_unlock(&t->mu);
}

int bb_curl_trust_verify(bb_curl_trust *t, gnutls_session_t s, const char *host, char *why,
                         size_t whylen) {
    unsigned n = 0;
    const gnutls_datum_t *raw = s ? gnutls_certificate_get_peers(s, &n) : NULL;
    if (!t || !raw || n == 0 || gnutls_certificate_type_get(s) != GNUTLS_CRT_X509) {
        snprintf(why, whylen, "the server sent no X.509 certificate");
        return OMX_EVALUE;
    }
    if (n > PEERS_MAX) {
        snprintf(why, whylen, "the server sent %u certificates, more than %d", n, PEERS_MAX);
        return OMX_EVALUE;
    }
    gnutls_x509_crt_t crts[PEERS_MAX];
    unsigned ok = 0;
    int rc = 0;
    for (; ok < n; ok++) {
        if (gnutls_x509_crt_init(&crts[ok]) < 0) {
            rc = -ENOMEM;
            break;
        }
        if (gnutls_x509_crt_import(crts[ok], &raw[ok], GNUTLS_X509_FMT_DER) < 0) {
            gnutls_x509_crt_deinit(crts[ok]);
            snprintf(why, whylen, "the server's certificate %u cannot be parsed", ok);
            rc = OMX_EVALUE;
            break;
        }
    }
    unsigned char digest[32];
    bool digest_ok = rc == 0 && chain_digest(raw, n, digest) == 0;
    if (rc == 0 && digest_ok && seen_valid(t, digest)) {
        if (!gnutls_x509_crt_check_hostname(crts[0], host)) {
            snprintf(why, whylen,
                     "SSL: certificate subject name does not match target host name '%s'", host);
            rc = OMX_EVALUE;
        }
    } else if (rc == 0) {
        unsigned status = 0;
        int vr = gnutls_x509_trust_list_verify_crt2(
            t->tl, crts, n, NULL, 0, GNUTLS_VERIFY_ALLOW_X509_V1_CA_CRT, &status, NULL);
        gnutls_datum_t txt = {0};
        if (vr == 0 && status == 0 && digest_ok)
            seen_add(t, digest, crts, n);
        if (vr < 0) {
            snprintf(why, whylen, "SSL certificate problem: %s", gnutls_strerror(vr));
            rc = OMX_EVALUE;
        } else if (status) {
            if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &txt, 0) == 0)
                snprintf(why, whylen, "SSL certificate problem: %s", (char *)txt.data);
            else
                snprintf(why, whylen, "SSL certificate problem: status 0x%x", status);
            gnutls_free(txt.data);
            size_t l = strlen(why);
            while (l && why[l - 1] == ' ') /* GnuTLS ends each sentence with one */
                why[--l] = '\0';
            rc = OMX_EVALUE;
        } else if (!gnutls_x509_crt_check_hostname(crts[0], host)) {
            snprintf(why, whylen,
                     "SSL: certificate subject name does not match target host name '%s'", host);
            rc = OMX_EVALUE;
        }
    }
    for (unsigned i = 0; i < ok; i++)
        gnutls_x509_crt_deinit(crts[i]);
    return rc;
}
