/* Libraries opened from libexporter-app's own directory first. */
#include "dlbeside.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

void *omx__dlopen_beside(const char *soname) {
    Dl_info info;
    if (dladdr((void *)omx__dlopen_beside, &info) && info.dli_fname) {
        const char *slash = strrchr(info.dli_fname, '/');
        char path[4096];
        int n = slash ? snprintf(path, sizeof path, "%.*s/%s", (int)(slash - info.dli_fname),
                                 info.dli_fname, soname)
                      : -1;
        if (n > 0 && (size_t)n < sizeof path) {
            void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
            if (h)
                return h;
        }
    }
    return dlopen(soname, RTLD_NOW | RTLD_LOCAL);
}
