/* Resolves the few libcurl functions omx-check uses with dlopen/dlsym. */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "curl-load.h"

int curl_api_load(curl_api *api, char *err, size_t errlen) {
    /* Debian ships the same ABI under three names, one per TLS library. */
    static const char *const names[] = {
        "libcurl.so.4",
        "libcurl-gnutls.so.4",
        "libcurl-nss.so.4",
    };
    static const struct {
        const char *sym;
        size_t off;
    } syms[] = {
        {"curl_global_init", offsetof(curl_api, global_init)},
        {"curl_global_cleanup", offsetof(curl_api, global_cleanup)},
        {"curl_easy_init", offsetof(curl_api, easy_init)},
        {"curl_easy_setopt", offsetof(curl_api, easy_setopt)},
        {"curl_easy_perform", offsetof(curl_api, easy_perform)},
        {"curl_easy_getinfo", offsetof(curl_api, easy_getinfo)},
        {"curl_easy_cleanup", offsetof(curl_api, easy_cleanup)},
        {"curl_easy_strerror", offsetof(curl_api, easy_strerror)},
        {"curl_slist_append", offsetof(curl_api, slist_append)},
        {"curl_slist_free_all", offsetof(curl_api, slist_free_all)},
    };
    void *lib = NULL;

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !lib; i++)
        lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(err, errlen, "cannot load libcurl: %s", dlerror());
        return -ENOENT;
    }
    for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
        void *f = dlsym(lib, syms[i].sym);
        if (!f) {
            snprintf(err, errlen, "libcurl lacks %s", syms[i].sym);
            dlclose(lib);
            return -ENOENT;
        }
        /* POSIX: a dlsym() result converts to a function pointer. */
        memcpy((char *)api + syms[i].off, &f, sizeof(f));
    }
    return 0;
}
