/* tls_config (bb_tls_config) applied to a libcurl easy handle: CA, client
 * certificate and key (inline PEMs through memfds, since libcurl's GnuTLS
 * backend takes no blobs), verification, TLS versions (Go's default minimum
 * TLS 1.2). Shared by the http and grpc probers. */
#ifndef BB_CURL_TLS_H
#define BB_CURL_TLS_H

#include <curl/curl.h>

#include "prober.h"

/* Descriptors of inline PEMs; they must outlive the transfers. */
typedef struct bb_curl_tls {
    int fds[3];
} bb_curl_tls;
#define BB_CURL_TLS_INIT \
    {                    \
        { -1, -1, -1 }   \
    }

/* Sets t's options on h. Returns 0, or a negative code after bb_logf. */
int bb_curl_tls_setup(bb_probe *p, CURL *h, const bb_tls_config *t, bb_curl_tls *keep);
/* Closes the descriptors; keep may be reused. */
void bb_curl_tls_clear(bb_curl_tls *keep);

/* curl_global_init once per process (the http plugin's init calls it when
 * the plugin is loaded, before any probe runs). */
void bb_curl_global_init(void);

#endif
