/* The process collector on procfs fixtures (good and malformed) and on the
 * live /proc; the build-info gauge. */
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "omx-test.h"

static char *scrape(omx_registry *r, omx_format fmt) {
    omx_buf b;
    omx_buf_init(&b, 1 << 20);
    omx_write_opts o = {.format = fmt};
    ASSERT_OK(omx_registry_write(r, &o, omx_buf_write_fn, &b));
    return b.data ? b.data : omx__strdup(""); /* nothing written: no buffer */
}

static void put_file(const char *dir, const char *name, const char *text) {
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    ASSERT(f);
    fputs(text, f);
    ASSERT(fclose(f) == 0);
}

/* A scratch procfs whose limits file varies: numeric, malformed, absent line. */
static void limits_cases(void) {
    char dir[] = "/tmp/omx-test-process-XXXXXX", sub[4096];
    ASSERT(mkdtemp(dir));
    snprintf(sub, sizeof sub, "%s/self", dir);
    ASSERT(mkdir(sub, 0755) == 0);
    snprintf(sub, sizeof sub, "%s/self/fd", dir);
    ASSERT(mkdir(sub, 0755) == 0);
    put_file(dir, "stat", "cpu 1 2 3\nbtime 1700000000\n");
    put_file(dir, "self/stat",
             "42 (a) b) S 1 1 1 0 -1 0 0 0 0 0 300 100 0 0 20 0 1 0 "
             "12345 104857600 2560 0\n");
    static const struct {
        const char *limits, *want; /* want NULL: the collector fails */
    } cases[] = {
        {"Max open files            1024     4096     files\n"
         "Max address space         8589934592   unlimited  bytes\n",
         "process_virtual_memory_max_bytes 8589934592\n"},
        {"Max open files            1024     4096     files\n", "process_max_fds 1024\n"},
        {"Max open files            1024     4096     files\n"
         "Max address space         -5   unlimited  bytes\n",
         NULL},
        {"Max open files            1024     4096     files\n"
         "Max address space         12x   unlimited  bytes\n",
         NULL},
        {"Max open files            lots     4096     files\n", NULL},
        {"Max address space         unlimitedx   unlimited  bytes\n", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        put_file(dir, "self/limits", cases[i].limits);
        omx_registry *r = omx_registry_new();
        ASSERT_OK(omx_process_collector_register(r, dir));
        char *out = scrape(r, OMX_FORMAT_PROMETHEUS);
        if (cases[i].want) {
            if (!strstr(out, cases[i].want))
                fprintf(stderr, "case %zu: missing %s in:\n%s", i, cases[i].want, out);
            ASSERT(strstr(out, cases[i].want));
            ASSERT(strstr(out, "process_start_time_seconds "));
            if (i == 1)
                ASSERT(!strstr(out, "process_virtual_memory_max_bytes"));
        } else {
            ASSERT(!strstr(out, "process_start_time_seconds "));
            ASSERT(!strstr(out, "process_virtual_memory_max_bytes "));
        }
        omx__free(out);
        omx_registry_free(r);
    }
    /* btime after an "intr" line longer than the reader's chunks, the line
     * itself cut at every possible offset by a chunk end */
    put_file(dir, "self/limits", "Max open files            1024     4096     files\n");
    for (size_t pad = 8100; pad < 8200; pad += 7) {
        char *stat = malloc(pad + 64);
        ASSERT(stat);
        memcpy(stat, "intr ", 5);
        memset(stat + 5, '7', pad);
        strcpy(stat + 5 + pad, "\nbtime 1700000001\nprocesses 5\n");
        put_file(dir, "stat", stat);
        free(stat);
        omx_registry *r = omx_registry_new();
        ASSERT_OK(omx_process_collector_register(r, dir));
        char *out = scrape(r, OMX_FORMAT_PROMETHEUS);
        /* starttime 12345 ticks after boot */
        if (sysconf(_SC_CLK_TCK) == 100)
            ASSERT(strstr(out, "process_start_time_seconds 1700000124.45\n"));
        ASSERT(strstr(out, "process_start_time_seconds 17000001"));
        omx__free(out);
        omx_registry_free(r);
    }
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ASSERT(system(cmd) == 0);
}

/* On the live /proc the open-fd count equals a listing of /proc/self/fd, minus
 * the listing's own descriptor (whichever way the collector counted). */
static void live_fds(void) {
    omx_registry *r = omx_registry_new();
    ASSERT_OK(omx_process_collector_register(r, "/proc"));
    char *out = scrape(r, OMX_FORMAT_PROMETHEUS);
    const char *p = strstr(out, "\nprocess_open_fds ");
    ASSERT(p);
    long got = strtol(p + 18, NULL, 10);
    DIR *d = opendir("/proc/self/fd");
    ASSERT(d);
    long n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        n += de->d_name[0] != '.';
    closedir(d);
    ASSERT_EQ(got, n - 1);
    omx__free(out);
    omx_registry_free(r);
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
    snprintf(want, sizeof want, "process_cpu_seconds_total %g\n",
             400.0 / (double)sysconf(_SC_CLK_TCK));
    ASSERT(strstr(out, want));
    snprintf(want, sizeof want, "process_resident_memory_bytes %.0f\n",
             2560.0 * (double)sysconf(_SC_PAGESIZE));
    ASSERT(strstr(out, want));
    ASSERT(strstr(out, "process_virtual_memory_bytes 104857600\n"));
    ASSERT(strstr(out, "process_open_fds 5\n"));
    ASSERT(strstr(out, "process_max_fds 1024\n"));
    if (sysconf(_SC_CLK_TCK) == 100)
        ASSERT(strstr(out, "process_start_time_seconds 1700000123.45\n"));
    ASSERT(strstr(out, "# TYPE process_cpu_seconds_total counter\n"));
    /* unlimited address space: 2^64-1 as client_golang writes it */
    ASSERT(strstr(
        out,
        "# HELP process_virtual_memory_max_bytes Maximum amount of virtual memory available in bytes.\n"));
    ASSERT(strstr(out, "process_virtual_memory_max_bytes 1.8446744073709552e+19\n"));
    /* node_exporter does not list the process collector in its collector stats */
    ASSERT(!strstr(out, "collector=\"process\""));
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
    ASSERT(!strstr(out, "collector=\"process\""));
    ASSERT(!strstr(out, "process_cpu_seconds_total "));
    omx__free(out);
    omx_registry_free(r);

    limits_cases();
    live_fds();

    /* missing procfs */
    r = omx_registry_new();
    ASSERT_OK(omx_process_collector_register(r, "/nonexistent/proc"));
    ASSERT_OK(omx_registry_set_collector_stats(r, "t"));
    out = scrape(r, OMX_FORMAT_PROMETHEUS);
    ASSERT(!strstr(out, "process_"));
    omx__free(out);
    omx_registry_free(r);

    /* live /proc: every family is there */
    r = omx_registry_new();
    ASSERT_OK(omx_process_collector_register(r, NULL));
    const char *n[] = {"version", "goversion"}, *v[] = {"0.1.0", "none"};
    ASSERT_OK(omx_build_info_register(r, "omx_build_info", "Build information.", n, v, 2));
    out = scrape(r, OMX_FORMAT_PROMETHEUS);
    const char *fams[] = {"process_cpu_seconds_total ",
                          "process_resident_memory_bytes ",
                          "process_virtual_memory_bytes ",
                          "process_open_fds ",
                          "process_max_fds ",
                          "process_start_time_seconds ",
                          "process_virtual_memory_max_bytes ",
                          "omx_build_info{version=\"0.1.0\",goversion=\"none\"} 1\n"};
    for (size_t i = 0; i < sizeof fams / sizeof fams[0]; i++) {
        if (!strstr(out, fams[i]))
            fprintf(stderr, "missing %s in:\n%s", fams[i], out);
        ASSERT(strstr(out, fams[i]));
    }
    ASSERT(strtod(strstr(out, "\nprocess_open_fds ") + 18, NULL) >= 3);
    omx__free(out);
    omx_registry_free(r);
    TEST_DONE();
}
