/* omx_dlsyms (helpers/dlsyms.c): every symbol or none, the library kept loaded
 * on success and closed on failure. */
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>

#include "exporter/dlsyms.h"
#include "omx-test.h"

int main(void) {
    double (*c)(double) = NULL, (*s)(double) = NULL;
    const omx_dlsym good[] = {{(void **)&c, "cos"}, {(void **)&s, "sin"}};
    ASSERT_EQ(omx_dlsyms("libm.so.6", good, 2), 0);
    ASSERT(c && s);
    ASSERT_DBL_EQ(c(0.0), 1.0);
    ASSERT_DBL_EQ(s(0.0), 0.0);

    /* one missing symbol: all slots cleared, even those resolved before it */
    double (*t)(double) = NULL;
    void *missing = (void *)1;
    const omx_dlsym part[] = {{(void **)&t, "tan"}, {&missing, "omx_no_such_symbol"}};
    ASSERT_EQ(omx_dlsyms("libm.so.6", part, 2), -ELIBACC);
    ASSERT(t == NULL && missing == NULL);

    void *x = (void *)1;
    const omx_dlsym one[] = {{&x, "cos"}};
    ASSERT_EQ(omx_dlsyms("libomx-no-such-library.so.0", one, 1), -ELIBACC);
    ASSERT_EQ(omx_dlsyms(NULL, one, 1), -EINVAL);
    ASSERT_EQ(omx_dlsyms("libm.so.6", NULL, 1), -EINVAL);
    ASSERT_EQ(omx_dlsyms("libm.so.6", NULL, 0), 0); /* nothing to resolve */

    /* libssh2 comes only with libcurl: nothing to do before, done once after */
    ASSERT_EQ(omx_curl_preinit(), -ENOENT);
    void *curl = dlopen("libcurl-gnutls.so.4", RTLD_NOW | RTLD_LOCAL);
    ASSERT(curl != NULL);
    ASSERT_EQ(omx_curl_preinit(), 0);
    dlclose(curl);
    TEST_DONE();
}
