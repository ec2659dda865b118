/* libcurl loaded at run time, on the first URL: checking a file or stdin
 * does not pay for loading libcurl and the TLS, LDAP and Kerberos libraries
 * it pulls in (about 6 ms of relocations per run, more than parsing 5 MB). */
#ifndef OMX_CHECK_CURL_LOAD_H
#define OMX_CHECK_CURL_LOAD_H
#include <stddef.h>

#include <curl/curl.h>

typedef struct curl_api {
    CURLcode (*global_init)(long flags);
    void (*global_cleanup)(void);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
    CURLcode (*easy_perform)(CURL *h);
    CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
    void (*easy_cleanup)(CURL *h);
    const char *(*easy_strerror)(CURLcode code);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
    void (*slist_free_all)(struct curl_slist *list);
} curl_api;

/* Fills *api from the libcurl shared library (soname major 4, any TLS
 * flavour). The library stays loaded until exit. Returns 0, or -ENOENT with
 * the loader's reason in err (a NUL-terminated message of at most errlen
 * bytes, the caller's buffer). */
int curl_api_load(curl_api *api, char *err, size_t errlen);
#endif
