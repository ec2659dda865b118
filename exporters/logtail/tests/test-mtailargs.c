/* mtail's command line: one dash becomes two, --address/--port become
 * --web.listen-address unless it is given. */
#include <stdlib.h>
#include <string.h>

#include "exporter/app.h"
#include "mtailargs.h"
#include "omx-test.h"

static char **conv(int argc, const char **argv, int *n, char ***owned) {
    char **out = lt_mtail_args(argc, (char **)argv, n, owned);
    ASSERT(out);
    ASSERT(out[*n] == NULL);
    return out;
}

int main(void) {
    int n;
    char **owned;
    const char *a1[] = {"omx-logtail", "-progs", "/etc/mtail",        "-logs",
                        "-",           "-h",     "--log.level=debug", "-one_shot=true"};
    char **o = conv(8, a1, &n, &owned);
    ASSERT_EQ(n, 8);
    ASSERT_STR_EQ(o[0], "omx-logtail");
    ASSERT_STR_EQ(o[1], "--progs");
    ASSERT_STR_EQ(o[2], "/etc/mtail");
    ASSERT_STR_EQ(o[3], "--logs");
    ASSERT_STR_EQ(o[4], "-"); /* stdin stays */
    ASSERT_STR_EQ(o[5], "-h");
    ASSERT_STR_EQ(o[6], "--log.level=debug");
    ASSERT_STR_EQ(o[7], "--one_shot=true");
    free(o);
    omx_strv_free(owned);

    /* Debian's mtail.service: --address :: --port 3903 */
    const char *a2[] = {"x", "--address", "::", "--port", "3904"};
    o = conv(5, a2, &n, &owned);
    ASSERT_EQ(n, 6);
    ASSERT_STR_EQ(o[5], "--web.listen-address=[::]:3904");
    free(o);
    omx_strv_free(owned);

    const char *a3[] = {"x", "-port=9999"};
    o = conv(2, a3, &n, &owned);
    ASSERT_STR_EQ(o[2], "--web.listen-address=:9999");
    free(o);
    omx_strv_free(owned);

    const char *a4[] = {"x", "--address=127.0.0.1"};
    o = conv(2, a4, &n, &owned);
    ASSERT_STR_EQ(o[2], "--web.listen-address=127.0.0.1:3903");
    free(o);
    omx_strv_free(owned);

    /* --web.listen-address wins: nothing added */
    const char *a5[] = {"x", "--port", "1", "--web.listen-address=:2"};
    o = conv(4, a5, &n, &owned);
    ASSERT_EQ(n, 4);
    free(o);
    omx_strv_free(owned);
    TEST_DONE();
}
