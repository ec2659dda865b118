/* One-sample families and build-info gauges (exporter/emit.h, exporter/process.h). */
#include <stdio.h>
#include <string.h>

#include "exporter/emit.h"
#include "exporter/log.h"
#include "internal.h"
#include "omx-test.h"

static int collect(omx_emitter *e, void *ud) {
    (void)ud;
    ASSERT_OK(omx_emit1(e, "t_up", "Whether it is up.", OMX_GAUGE, 1));
    ASSERT_OK(omx_emit1l(e, "t_bytes_total", "Bytes.", OMX_COUNTER, "dev", "sda", 42));
    ASSERT_EQ(omx_emit1(e, "1bad", NULL, OMX_GAUGE, 1), OMX_ENAME);
    ASSERT_EQ(omx_emit1l(e, "t_x", NULL, OMX_GAUGE, "__bad", "v", 1), OMX_ELABEL);
    return 0;
}

static char *render(omx_registry *r, omx_buf *b) {
    omx_buf_reset(b);
    ASSERT_OK(omx_registry_write(r, NULL, omx_buf_write_fn, b));
    return b->data;
}

int main(void) {
    omx_registry *r = omx_registry_new();
    ASSERT(r);
    ASSERT_OK(omx_registry_add_collector(r, "t", collect, NULL, NULL));
    ASSERT_OK(omx_build_info_register_program(r, "t_exporter", "1.2.3"));
    ASSERT_EQ(omx_build_info_register_program(r, "", "1"), OMX_EINVAL);
    ASSERT_EQ(omx_build_info_register_program(r, "t_exporter", "1"), OMX_EEXIST);
    static const omx_build_facts facts = {
        .revision = "abc", .branch = "main", .compiler = "gcc12.2.0"};
    ASSERT_OK(omx_build_info_register_facts(r, "f_exporter", "2.0", &facts));
    omx_buf b;
    omx_buf_init(&b, 1 << 20);
    const char *out = render(r, &b);
    ASSERT(strstr(out, "# TYPE t_up gauge\nt_up 1\n"));
    ASSERT(strstr(out, "t_bytes_total{dev=\"sda\"} 42\n"));
    char arch[65], want[512];
    snprintf(want, sizeof want,
             "t_exporter_build_info{branch=\"omx\",goarch=\"%s\",goos=\"linux\","
             "goversion=\"none\",revision=\"\",version=\"1.2.3\"} 1\n",
             omx_goarch(arch, sizeof arch));
    if (!strstr(out, want))
        fprintf(stderr, "no\n%s\nin\n%s\n", want, out);
    ASSERT(strstr(out, want));
    ASSERT(strstr(out, "# HELP t_exporter_build_info A metric with a constant '1' value labeled "
                       "by version, revision, branch, goversion from which t_exporter was "
                       "built, and the goos and goarch for the build.\n"));
    snprintf(want, sizeof want,
             "f_exporter_build_info{branch=\"main\",goarch=\"%s\",goos=\"linux\","
             "goversion=\"gcc12.2.0\",revision=\"abc\",version=\"2.0\"} 1\n",
             arch);
    ASSERT(strstr(out, want));
    ASSERT(strcmp(arch, "x86_64") && strcmp(arch, "aarch64") && *arch);
    /* malformed input is reported and gives the value error */
    ASSERT_EQ(omx_bad_input("t", "/proc/x", 3, "too few fields"), OMX_EVALUE);
    omx_buf_free(&b);
    omx_registry_free(r);
    TEST_DONE();
}
