/* One libcurl easy handle kept per thread across probes. Creating and
 * destroying a handle per probe costs a multi handle, its wake-up socket pair
 * and a few KiB of allocations each time; a kept handle is reset instead,
 * when it is given back, and what a reset leaves behind is cleared then: the
 * cookie jar (and libcurl's list of cookie files, which a reset leaks), the
 * address pinned by the probe, and every other cached name resolution (the cache timeout is 0, so each connection resolves anew, as
 * Go's dialer does). Connections are never kept (the probers set
 * CURLOPT_FORBID_REUSE) and TLS sessions never cached (bb_curl_tls_setup), so
 * each probe still makes a fresh connection and a full handshake. */
#ifndef BB_CURL_HANDLE_H
#define BB_CURL_HANDLE_H

#include <curl/curl.h>

/* This thread's handle with libcurl's defaults, or a new one when the thread
 * already holds its handle or cannot keep one. The caller owns it until
 * bb_curl_handle_put. Returns NULL when out of memory. */
CURL *bb_curl_handle_get(void);

/* Pins host:port to the address literal addr (CURLOPT_RESOLVE) for the
 * transfers of this probe on h (once per probe); the pin is removed at the next get. *list
 * (NULL on entry) is the caller's to free with curl_slist_free_all after the
 * last transfer. Returns 0 or -ENOMEM. */
int bb_curl_handle_pin(CURL *h, const char *host, long port, const char *addr,
                       struct curl_slist **list);

/* Gives h back: kept for the thread's next probe, or cleaned up. NULL-safe;
 * returns NULL. */
CURL *bb_curl_handle_put(CURL *h);

/* Cleans up the calling thread's kept handle now (before curl_global_cleanup
 * on a thread that outlives it, such as a test's main thread). */
void bb_curl_handle_thread_done(void);

#endif
