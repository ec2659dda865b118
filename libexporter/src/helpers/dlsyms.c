/* All-or-nothing symbol loading from an optional library. */
#include <dlfcn.h>
#include <errno.h>

#include "exporter/dlsyms.h"

int omx_dlsyms(const char *soname, const omx_dlsym *syms, size_t n) {
    if (!soname || (n && !syms))
        return -EINVAL;
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!h)
        return -ELIBACC;
    for (size_t i = 0; i < n; i++) {
        if (!(*syms[i].slot = dlsym(h, syms[i].name))) {
            for (size_t j = 0; j < n; j++)
                *syms[j].slot = NULL;
            dlclose(h); /* too old a library: its callers fail cleanly */
            return -ELIBACC;
        }
    }
    return 0;
}
