/* libssh2 initialised without its crypto back-end, before libcurl's own
 * global init asks for it. */
#include <dlfcn.h>
#include <errno.h>

#include "exporter/dlsyms.h"

/* libssh2.h's LIBSSH2_INIT_NO_CRYPTO; the header is not needed otherwise. */
#define SSH2_INIT_NO_CRYPTO 0x0001

int omx_curl_preinit(void) {
    /* Only a libssh2 already mapped (as libcurl's dependency): RTLD_NOLOAD
     * finds it whether libcurl came in at start or through a dlopen(). */
    void *h = dlopen("libssh2.so.1", RTLD_LAZY | RTLD_NOLOAD);
    if (!h)
        return -ENOENT;
    int (*init)(int) = (int (*)(int))dlsym(h, "libssh2_init");
    int rc = init ? init(SSH2_INIT_NO_CRYPTO) : -1;
    dlclose(h); /* drops only the reference taken here */
    return rc == 0 ? 0 : -ELIBACC;
}
