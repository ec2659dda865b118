/* Loads libexporter-http, the HTTP server with libmicrohttpd, GnuTLS and
 * libcrypt: mapping those costs every process about 3 MB of resident memory,
 * which one-shot and check runs would pay for nothing. The library is opened
 * beside libexporter-app (build tree and installed libdir alike), then by
 * soname through the loader's search path. Built with OMX_HTTP_BUILTIN (the
 * static libexporter-app, which carries the server), the table is linked. */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dlbeside.h"
#include "serve-load.h"

#ifdef OMX_HTTP_BUILTIN

const omx__http_server *omx__serve_load(char *err, size_t errlen) {
    (void)err;
    (void)errlen;
    return &omx__http_server_table;
}

const omx__http_server *omx__serve_loaded(void) { return &omx__http_server_table; }

#else

/* Set once by the main thread, before the server's threads exist. */
static const omx__http_server *loaded;

const omx__http_server *omx__serve_load(char *err, size_t errlen) {
    if (loaded)
        return loaded;
    void *h = omx__dlopen_beside(OMX__HTTP_SERVER_SONAME);
    if (!h) {
        const char *why = dlerror();
        snprintf(err, errlen, "cannot load the HTTP server, %s: %s", OMX__HTTP_SERVER_SONAME,
                 why ? why : "not found");
        return NULL;
    }
    const omx__http_server *t = dlsym(h, OMX__HTTP_SERVER_TABLE);
    if (!t || t->size != sizeof *t || !t->version || strcmp(t->version, OMX_VERSION)) {
        if (!t)
            snprintf(err, errlen, "%s has no %s: not the omx HTTP server library",
                     OMX__HTTP_SERVER_SONAME, OMX__HTTP_SERVER_TABLE);
        else
            snprintf(err, errlen, "%s is from omx %s, this program from omx %s: reinstall omx",
                     OMX__HTTP_SERVER_SONAME,
                     t->size == sizeof *t && t->version ? t->version : "(another layout)",
                     OMX_VERSION);
        dlclose(h);
        return NULL;
    }
    return loaded = t;
}

const omx__http_server *omx__serve_loaded(void) { return loaded; }

#endif

int omx__serve_start(omx_app *app, char *err, size_t errlen) {
    const omx__http_server *s = omx__serve_load(err, errlen);
    return s ? s->start(app, err, errlen) : -ELIBACC;
}

bool omx__serve_stop(omx_app *app, double grace_s) {
    const omx__http_server *s = omx__serve_loaded();
    return s ? s->stop(app, grace_s) : true;
}

int omx__serve_webconfig_load(const char *path, omx__webconfig **ret, char *err, size_t errlen) {
    const omx__http_server *s = omx__serve_load(err, errlen);
    return s ? s->webconfig_load(path, ret, err, errlen) : -ELIBACC;
}

omx__webconfig *omx__serve_webconfig_free(omx__webconfig *c) {
    const omx__http_server *s = omx__serve_loaded();
    return c && s ? s->webconfig_free(c) : NULL;
}
