/* tls_config on a libcurl handle (GnuTLS backend), for http and grpc. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "curl-tls.h"
#include "exporter/dlsyms.h"

/* An inline PEM as a path libcurl can open (GnuTLS' libcurl has no blobs):
 * a memfd seen through /proc/self/fd. */
static int pem_path(const char *pem, int *fd, char *path, size_t len) {
    *fd = memfd_create("omx-blackbox-pem", MFD_CLOEXEC);
    if (*fd < 0)
        return -errno;
    size_t n = strlen(pem);
    for (size_t off = 0; off < n;) {
        ssize_t w = write(*fd, pem + off, n - off);
        if (w <= 0)
            return -EIO;
        off += (size_t)w;
    }
    snprintf(path, len, "/proc/self/fd/%d", *fd);
    return 0;
}

static long curl_tls_version(int v, bool max) {
    switch (v) {
    case 0x0301: return max ? CURL_SSLVERSION_MAX_TLSv1_0 : CURL_SSLVERSION_TLSv1_0;
    case 0x0302: return max ? CURL_SSLVERSION_MAX_TLSv1_1 : CURL_SSLVERSION_TLSv1_1;
    case 0x0303: return max ? CURL_SSLVERSION_MAX_TLSv1_2 : CURL_SSLVERSION_TLSv1_2;
    case 0x0304: return max ? CURL_SSLVERSION_MAX_TLSv1_3 : CURL_SSLVERSION_TLSv1_3;
    default: return max ? CURL_SSLVERSION_MAX_DEFAULT : CURL_SSLVERSION_TLSv1_2;
    }
}

int bb_curl_tls_setup(bb_probe *p, CURL *h, const bb_tls_config *t, bb_curl_tls *r) {
    char path[64];
    int rc = 0;
    if (t->ca_file)
        curl_easy_setopt(h, CURLOPT_CAINFO, t->ca_file);
    else if (t->ca && (rc = pem_path(t->ca, &r->fds[0], path, sizeof(path))) == 0)
        curl_easy_setopt(h, CURLOPT_CAINFO, path);
    if (rc == 0 && t->cert_file)
        curl_easy_setopt(h, CURLOPT_SSLCERT, t->cert_file);
    else if (rc == 0 && t->cert && (rc = pem_path(t->cert, &r->fds[1], path, sizeof(path))) == 0)
        curl_easy_setopt(h, CURLOPT_SSLCERT, path);
    if (rc == 0 && t->key_file)
        curl_easy_setopt(h, CURLOPT_SSLKEY, t->key_file);
    else if (rc == 0 && t->key && (rc = pem_path(t->key, &r->fds[2], path, sizeof(path))) == 0)
        curl_easy_setopt(h, CURLOPT_SSLKEY, path);
    if (rc < 0) {
        bb_logf(p, OMX_LOG_ERROR, "Error creating TLS configuration err=\"%s\"", omx_strerror(rc));
        return rc;
    }
    /* libcurl's GnuTLS backend reads its CA path (hundreds of files) and
     * bundle at every handshake: only the one store that is used is loaded,
     * and none when nothing is verified; without a CA of the config that is
     * the system bundle (Debian's libcurl names none, only the path). */
    curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
    if (!t->ca_file && !t->ca && !t->insecure_skip_verify)
        curl_easy_setopt(h, CURLOPT_CAINFO, bb_curl_trust_system_bundle());
    if (t->insecure_skip_verify)
        curl_easy_setopt(h, CURLOPT_CAINFO, NULL);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, t->insecure_skip_verify ? 0L : 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, t->insecure_skip_verify ? 0L : 2L);
    curl_easy_setopt(h, CURLOPT_SSLVERSION,
                     curl_tls_version(t->min_version, false) |
                         curl_tls_version(t->max_version, true));
    curl_easy_setopt(h, CURLOPT_SSL_SESSIONID_CACHE, 0L);
    return 0;
}

int bb_curl_tls_setup_verify(bb_probe *p, CURL *h, const bb_tls_config *t, bb_curl_tls *r) {
    bb_tls_config mine = *t;
    r->verify = t->insecure_skip_verify ? NULL : t;
    /* libcurl loads no CA and checks nothing: bb_curl_tls_verify does. */
    mine.ca_file = mine.ca = NULL;
    mine.insecure_skip_verify = true;
    return bb_curl_tls_setup(p, h, &mine, r);
}

int bb_curl_tls_verify(bb_curl_tls *k, CURL *h, const char *host, char *why, size_t whylen) {
    if (!k->verify)
        return 0;
    if (!k->trust) {
        const bb_tls_config *t = k->verify;
        int rc = bb_curl_trust_get(t->ca_file, t->ca_file ? NULL : t->ca, &k->trust, why, whylen);
        if (rc < 0)
            return rc;
    }
    struct curl_tlssessioninfo *ti = NULL;
    if (curl_easy_getinfo(h, CURLINFO_TLS_SSL_PTR, &ti) != CURLE_OK || !ti ||
        ti->backend != CURLSSLBACKEND_GNUTLS || !ti->internals) {
        snprintf(why, whylen, "no GnuTLS session to verify");
        return OMX_EVALUE;
    }
    return bb_curl_trust_verify(k->trust, ti->internals, host, why, whylen);
}

void bb_curl_tls_clear(bb_curl_tls *k) {
    k->trust = bb_curl_trust_put(k->trust);
    for (int i = 0; i < 3; i++)
        if (k->fds[i] >= 0)
            close(k->fds[i]);
    k->fds[0] = k->fds[1] = k->fds[2] = -1;
}

static void global_init(void) {
    omx_curl_preinit();
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

void bb_curl_global_init(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, global_init);
}
