/* Remembered basic-auth outcomes (see authcache.h). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "authcache.h"
#include "exporter/error.h"

typedef unsigned char digest_t[OMX__AUTHCACHE_DIGEST];

/* A fixed table used as a ring: next is where the following entry goes. */
typedef struct ring {
    size_t n, next;
} ring;

struct omx__authcache {
    pthread_mutex_t lock;
    unsigned char secret[32];
    digest_t good[OMX__AUTHCACHE_GOOD];
    digest_t bad[OMX__AUTHCACHE_BAD];
    ring good_ring, bad_ring;
};

int omx__authcache_new(omx__authcache **ret) {
    if (!ret)
        return OMX_EINVAL;
    *ret = NULL;
    omx__authcache *ac = calloc(1, sizeof *ac);
    if (!ac)
        return OMX_ENOMEM;
    ssize_t got = getrandom(ac->secret, sizeof ac->secret, 0);
    if (got != (ssize_t)sizeof ac->secret) {
        int rc = got < 0 ? -errno : OMX_EIO;
        free(ac);
        return rc;
    }
    pthread_mutex_init(&ac->lock, NULL);
    *ret = ac;
    return 0;
}

omx__authcache *omx__authcache_free(omx__authcache *ac) {
    if (!ac)
        return NULL;
    pthread_mutex_destroy(&ac->lock);
    explicit_bzero(ac, sizeof *ac);
    free(ac);
    return NULL;
}

int omx__authcache_digest(const omx__authcache *ac, const char *user, const char *pass,
                          const char *hash, unsigned char out[OMX__AUTHCACHE_DIGEST]) {
    gnutls_hmac_hd_t h;

    if (!ac || !user || !pass || !hash || !out)
        return OMX_EINVAL;
    if (gnutls_hmac_init(&h, GNUTLS_MAC_SHA256, ac->secret, sizeof ac->secret) < 0)
        return OMX_EIO;
    /* Each string with its NUL: none contains one, so the split is unambiguous.
     * Fed in place, so the password is never copied. */
    int g = gnutls_hmac(h, user, strlen(user) + 1);
    if (g >= 0)
        g = gnutls_hmac(h, pass, strlen(pass) + 1);
    if (g >= 0)
        g = gnutls_hmac(h, hash, strlen(hash) + 1);
    gnutls_hmac_deinit(h, out);
    if (g < 0) {
        explicit_bzero(out, OMX__AUTHCACHE_DIGEST);
        return OMX_EIO;
    }
    return 0;
}

/* True when d is among the n entries of tab; looks at every entry and byte
 * whatever matches, so the time depends only on n. */
static bool ring_has(const digest_t *tab, size_t n, const unsigned char *d) {
    unsigned found = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char diff = 0;
        for (size_t k = 0; k < OMX__AUTHCACHE_DIGEST; k++)
            diff |= tab[i][k] ^ d[k];
        found |= (unsigned)(diff == 0);
    }
    return found != 0;
}

static void ring_put(digest_t *tab, size_t cap, ring *r, const unsigned char *d) {
    memcpy(tab[r->next], d, OMX__AUTHCACHE_DIGEST);
    r->next = (r->next + 1) % cap;
    if (r->n < cap)
        r->n++;
}

int omx__authcache_get(omx__authcache *ac, const unsigned char digest[OMX__AUTHCACHE_DIGEST],
                       bool *ok) {
    if (!ac || !digest)
        return OMX_ENOENT;
    pthread_mutex_lock(&ac->lock);
    bool good = ring_has(ac->good, ac->good_ring.n, digest);
    bool bad = ring_has(ac->bad, ac->bad_ring.n, digest);
    pthread_mutex_unlock(&ac->lock);
    if (!good && !bad)
        return OMX_ENOENT;
    if (ok)
        *ok = good;
    return 0;
}

void omx__authcache_put(omx__authcache *ac, const unsigned char digest[OMX__AUTHCACHE_DIGEST],
                        bool ok) {
    if (!ac || !digest)
        return;
    pthread_mutex_lock(&ac->lock);
    /* Two requests with the same credentials may both have missed: keep one. */
    if (ok && !ring_has(ac->good, ac->good_ring.n, digest))
        ring_put(ac->good, OMX__AUTHCACHE_GOOD, &ac->good_ring, digest);
    else if (!ok && !ring_has(ac->bad, ac->bad_ring.n, digest))
        ring_put(ac->bad, OMX__AUTHCACHE_BAD, &ac->bad_ring, digest);
    pthread_mutex_unlock(&ac->lock);
}

size_t omx__authcache_count(omx__authcache *ac, bool ok) {
    if (!ac)
        return 0;
    pthread_mutex_lock(&ac->lock);
    size_t n = ok ? ac->good_ring.n : ac->bad_ring.n;
    pthread_mutex_unlock(&ac->lock);
    return n;
}
