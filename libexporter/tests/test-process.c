/* The process collector on procfs fixtures (good and malformed) and on the
 * live /proc; the build-info gauge. */
#include <unistd.h>

#include "internal.h"
#include "test.h"

static char *scrape(omx_registry *r, omx_format fmt) {
    omx_buf b;
    omx_buf_init(&b, 1 << 20);
    omx_write_opts o = {.format = fmt};
    ASSERT_OK(omx_registry_write(r, &o, omx_buf_write_fn, &b));
    return b.data;
}

int main(void) {
    const char *src = getenv("OMX_SRC");
    if (!src) {
        fprintf(stderr, "OMX_SRC not set (run through meson test)\n");
        return 77;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/libexporter/tests/fixtures/proc", src);

    omx_registry *r = omx_registry_new();
    ASSERT_OK(omx_process_collector_register(r, path));
    ASSERT_EQ(omx_process_collector_register(r, path), OMX_EEXIST);
    ASSERT_EQ(omx_process_collector_register(NULL, path), OMX_EINVAL);
    ASSERT_OK(omx_registry_set_collector_stats(r, "t"));
    char *out = scrape(r, OMX_FORMAT_PROMETHEUS);
    char want[256];
    snprintf(want, sizeof want, "process_cpu_seconds_total %g\n", 400.0 / (double)sysconf(_SC_CLK_TCK));
    ASSERT(strstr(out, want));
    snprintf(want, sizeof want, "process_resident_memory_bytes %.0f\n", 2560.0 * (double)sysconf(_SC_PAGESIZE));
    ASSERT(strstr(out, want));
    ASSERT(strstr(out, "process_virtual_memory_bytes 104857600\n"));
    ASSERT(strstr(out, "process_open_fds 5\n"));
    ASSERT(strstr(out, "process_max_fds 1024\n"));
    if (sysconf(_SC_CLK_TCK) == 100)
        ASSERT(strstr(out, "process_start_time_seconds 1700000123.45\n"));
    ASSERT(strstr(out, "# TYPE process_cpu_seconds_total counter\n"));
    ASSERT(strstr(out, "t_scrape_collector_success{collector=\"process\"} 1\n"));
    omx__free(out);
    out = scrape(r, OMX_FORMAT_OPENMETRICS);
    ASSERT(strstr(out, "# TYPE process_cpu_seconds counter\n"));
    omx__free(out);
    omx_registry_free(r);

    /* malformed procfs: the collector fails, the scrape does not */
    snprintf(path, sizeof path, "%s/libexporter/tests/fixtures/proc-bad", src);
    r = omx_registry_new();
    ASSERT_OK(omx_process_collector_register(r, path));
    ASSERT_OK(omx_registry_set_collector_stats(r, "t"));
    out = scrape(r, OMX_FORMAT_PROMETHEUS);
    ASSERT(strstr(out, "t_scrape_collector_success{collector=\"process\"} 0\n"));
    ASSERT(!strstr(out, "process_cpu_seconds_total "));
    omx__free(out);
    omx_registry_free(r);

    /* missing procfs */
    r = omx_registry_new();
    ASSERT_OK(omx_process_collector_register(r, "/nonexistent/proc"));
    ASSERT_OK(omx_registry_set_collector_stats(r, "t"));
    out = scrape(r, OMX_FORMAT_PROMETHEUS);
    ASSERT(strstr(out, "t_scrape_collector_success{collector=\"process\"} 0\n"));
    omx__free(out);
    omx_registry_free(r);

    /* live /proc: every family is there */
    r = omx_registry_new();
    ASSERT_OK(omx_process_collector_register(r, NULL));
    const char *n[] = {"version", "goversion"}, *v[] = {"0.1.0", "none"};
    ASSERT_OK(omx_build_info_register(r, "omx_build_info", "Build information.", n, v, 2));
    out = scrape(r, OMX_FORMAT_PROMETHEUS);
    const char *fams[] = {"process_cpu_seconds_total ", "process_resident_memory_bytes ",
                          "process_virtual_memory_bytes ", "process_open_fds ",
                          "process_max_fds ", "process_start_time_seconds ",
                          "omx_build_info{version=\"0.1.0\",goversion=\"none\"} 1\n"};
    for (size_t i = 0; i < sizeof fams / sizeof fams[0]; i++) {
        if (!strstr(out, fams[i]))
            fprintf(stderr, "missing %s in:\n%s", fams[i], out);
        ASSERT(strstr(out, fams[i]));
    }
    ASSERT(strtod(strstr(out, "\nprocess_open_fds ") + 18, NULL) >= 3);
    omx__free(out);
    omx_registry_free(r);
    puts("ok");
    return 0;
}
