/* tls_config (bb_tls_config) applied to a libcurl easy handle: CA, client
 * certificate and key (inline PEMs through memfds, since libcurl's GnuTLS
 * backend takes no blobs), verification, TLS versions (Go's default minimum
 * TLS 1.2). Shared by the http and grpc probers. */
#ifndef BB_CURL_TLS_H
#define BB_CURL_TLS_H

#include <curl/curl.h>

#include "curl-trust.h"
#include "prober.h"

/* Descriptors of inline PEMs (they must outlive the transfers) and, for
 * bb_curl_tls_setup_verify, what the peer is verified against. */
typedef struct bb_curl_tls {
    int fds[3];
    const bb_tls_config *verify; /* borrowed; NULL: nothing to verify here */
    bb_curl_trust *trust;        /* taken at the first verification */
} bb_curl_tls;
#define BB_CURL_TLS_INIT \
    {                    \
        { -1, -1, -1 }   \
    }

/* Sets t's options on h. Returns 0, or a negative code after bb_logf. */
int bb_curl_tls_setup(bb_probe *p, CURL *h, const bb_tls_config *t, bb_curl_tls *keep);
/* The same, but the peer is verified by bb_curl_tls_verify rather than by
 * libcurl (which would parse the CA bundle at every handshake). t must
 * outlive keep (a module's config does). */
int bb_curl_tls_setup_verify(bb_probe *p, CURL *h, const bb_tls_config *t, bb_curl_tls *keep);
/* After the handshake of h (CURLOPT_PREREQFUNCTION): verifies the peer's
 * chain and host (the name libcurl connected to) against the trust list of
 * tls_config (ca_file, ca, else the system bundle), taking it into keep on
 * first use; 0 when insecure_skip_verify is set. Returns 0 or a negative code
 * with the reason in why. */
int bb_curl_tls_verify(bb_curl_tls *keep, CURL *h, const char *host, char *why, size_t whylen);
/* Closes the descriptors and drops the trust list; keep may be reused. */
void bb_curl_tls_clear(bb_curl_tls *keep);

/* curl_global_init once per process (the http plugin's init calls it when
 * the plugin is loaded, before any probe runs). */
void bb_curl_global_init(void);

#endif
