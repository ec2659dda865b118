/* rss-floor-*: the resident memory a process needs before doing anything of
 * omx's own, one program per set of libraries an exporter maps (bench/rss.sh
 * reads it beside the exporters'):
 *   rss-floor-libc   libc only
 *   rss-floor-mhd    a libmicrohttpd daemon (its epoll thread) answering
 *                    a fixed body on 127.0.0.1:PORT, as omx's server runs it
 *   rss-floor-curl   the same, and libcurl initialised as a pusher does
 *                    (omx_curl_preinit, then curl_global_init)
 * usage: rss-floor-* [PORT]   prints "ready" once set up, then waits for a
 * signal. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef FLOOR_MHD
#include <microhttpd.h>

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *len, void **state) {
    (void)cls, (void)url, (void)method, (void)version, (void)data, (void)len;
    if (!*state) { /* the headers: answer once the (empty) body is read */
        *state = c;
        return MHD_YES;
    }
    static const char body[] = "up 1\n";
    struct MHD_Response *r =
        MHD_create_response_from_buffer(sizeof body - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
    enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return rc;
}
#endif

#ifdef FLOOR_CURL
#include <curl/curl.h>

#include "exporter/dlsyms.h"
#endif

int main(int argc, char **argv) {
    (void)argc, (void)argv;
    sigset_t s; /* blocked before any thread starts: sigwait gets them */
    sigemptyset(&s);
    sigaddset(&s, SIGTERM);
    sigaddset(&s, SIGINT);
    sigprocmask(SIG_BLOCK, &s, NULL);
#ifdef FLOOR_CURL
    omx_curl_preinit();
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "curl_global_init failed\n");
        return 1;
    }
#endif
#ifdef FLOOR_MHD
    if (argc < 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }
    struct MHD_Daemon *d =
        MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG, (uint16_t)atoi(argv[1]),
                         NULL, NULL, answer, NULL, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "cannot start the daemon\n");
        return 1;
    }
#endif
    puts("ready");
    fflush(stdout);
    int sig;
    sigwait(&s, &sig);
    return 0;
}
