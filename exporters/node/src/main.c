/* omx-node: a node_exporter 1.5 compatible host exporter. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <exporter/app.h>

#include "runtime.h"

#ifndef OMX_VERSION
#define OMX_VERSION "unknown"
#endif

static int register_build_info(omx_registry *reg) {
    struct utsname u;
    const char *arch = "unknown";
    if (uname(&u) == 0) {
        /* Go's GOARCH spelling, so dashboards grouping by goarch keep working */
        if (!strcmp(u.machine, "x86_64"))
            arch = "amd64";
        else if (!strcmp(u.machine, "aarch64"))
            arch = "arm64";
        else if (!strncmp(u.machine, "armv", 4))
            arch = "arm";
        else if (u.machine[0] == 'i' && !strcmp(u.machine + 2, "86"))
            arch = "386";
        else
            arch = u.machine;
    }
    /* node_exporter 1.5's label set (no "tags"), filled with omx's own facts */
    static const char *const names[] = {"branch", "goarch", "goos", "goversion",
                                        "revision", "version"};
    const char *values[] = {"omx", arch, "linux", "none", "", OMX_VERSION};
    return omx_build_info_register(
        reg, "node_exporter_build_info",
        "A metric with a constant '1' value labeled by version, revision, branch, goversion "
        "from which node_exporter was built, and the goos and goarch for the build.",
        names, values, 6);
}

/* One malloc arena for all threads. glibc gives each connection thread its own arena,
 * which keeps its pages after the thread ends: 0.15-0.2 MB of the 2.1 MB anonymous
 * memory after 100 scrapes. Scrapes allocate little, so the shared arena's lock
 * costs nothing measurable (same CPU per scrape and req/s at -c8). A user's own
 * MALLOC_ARENA_MAX or glibc.malloc.arena_max tunable wins. */
static void limit_malloc_arenas(void) {
    const char *t = getenv("GLIBC_TUNABLES");
    if (getenv("MALLOC_ARENA_MAX") || (t && strstr(t, "arena_max")))
        return;
    mallopt(M_ARENA_MAX, 1);
}

int main(int argc, char **argv) {
    limit_malloc_arenas();
    omx_app *app = omx_app_new(&(omx_app_info){
        .name = "omx-node",
        .version = OMX_VERSION,
        .default_listen = ":9100",
        .description = "Prometheus exporter for host metrics (node_exporter compatible).",
    });
    if (!app) {
        fputs("omx-node: out of memory\n", stderr);
        return 1;
    }
    int rc = node_runtime_declare(app, argc, argv);
    if (rc == 0)
        rc = omx_app_parse(app, argc, argv);
    if (rc != 0) {
        omx_app_free(app);
        return rc < 0 ? 1 : 0;
    }
    omx_registry *reg = omx_app_registry(app);
    if ((rc = register_build_info(reg)) < 0 ||
        (rc = omx_process_collector_register(reg, NULL)) < 0 ||
        (rc = node_runtime_register(reg, true)) < 0) {
        omx_log(OMX_LOG_ERROR, "start-up failed", "err", omx_strerror(rc), NULL);
        omx_app_free(app);
        return 1;
    }
    rc = omx_app_run(app);
    omx_app_free(app);
    return rc;
}
