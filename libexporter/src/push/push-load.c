/* libexporter-push, loaded only when a process pushes: libcurl, protobuf-c,
 * snappy and libstdc++ cost a process that only serves about 6 MB of mapped
 * pages (and dozens of relocated libraries) for nothing. A program that links
 * libexporter-push itself (shared or static) uses its own copy; otherwise the
 * library is opened beside libexporter-app (build tree and installed libdir
 * alike), then by soname through the loader's search path. */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "dlbeside.h"
#include "push-load.h"

#define PUSH_SONAME "libexporter-push.so.0"

/* Weak: bound only when the program itself links libexporter-push. */
#pragma weak omx_pusher_new
#pragma weak omx_pusher_start
#pragma weak omx_pusher_stop
#pragma weak omx_pusher_free

static omx__push_fns fns;

const omx__push_fns *omx__push_load(char *err, size_t errlen) {
    if (fns.pusher_new)
        return &fns;
    if (omx_pusher_new && omx_pusher_start && omx_pusher_stop && omx_pusher_free) {
        fns = (omx__push_fns){omx_pusher_new, omx_pusher_start, omx_pusher_stop, omx_pusher_free};
        return &fns;
    }
    void *h = omx__dlopen_beside(PUSH_SONAME);
    if (!h) {
        const char *why = dlerror();
        snprintf(err, errlen, "cannot load %s: %s", PUSH_SONAME, why ? why : "not found");
        return NULL;
    }
    omx__push_fns f = {
        .pusher_new = (__typeof__(f.pusher_new))dlsym(h, "omx_pusher_new"),
        .pusher_start = (__typeof__(f.pusher_start))dlsym(h, "omx_pusher_start"),
        .pusher_stop = (__typeof__(f.pusher_stop))dlsym(h, "omx_pusher_stop"),
        .pusher_free = (__typeof__(f.pusher_free))dlsym(h, "omx_pusher_free"),
    };
    if (!f.pusher_new || !f.pusher_start || !f.pusher_stop || !f.pusher_free) {
        snprintf(err, errlen, "%s lacks the omx_pusher functions", PUSH_SONAME);
        dlclose(h);
        return NULL;
    }
    fns = f;
    return &fns;
}
