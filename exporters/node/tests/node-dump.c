/* node-dump: one omx-node scrape (Prometheus 0.0.4, or OpenMetrics with
 * NODE_DUMP_FORMAT=openmetrics) to stdout, without HTTP.
 * Takes omx-node's flags; used by the golden and malformed-fixture tests.
 * With NODE_DUMP_RESCRAPE=CMD set, runs the shell command CMD after the first scrape
 * and scrapes the same registry again (state kept between scrapes is tested so). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <exporter/app.h>

#include "runtime.h"

static int write_stdout(void *ctx, const char *data, size_t len) {
    (void)ctx;
    return fwrite(data, 1, len, stdout) == len ? 0 : OMX_EIO;
}

int main(int argc, char **argv) {
    omx_app *app = omx_app_new(&(omx_app_info){
        .name = "node-dump",
        .version = OMX_VERSION,
        .default_listen = ":9100",
        .description = "Prints one omx-node scrape to stdout.",
    });
    if (!app)
        return 1;
    int rc = node_runtime_declare(app);
    if (rc == 0)
        rc = omx_app_parse(app, argc, argv);
    if (rc != 0) {
        omx_app_free(app);
        return rc < 0 ? 1 : 0;
    }
    /* a registry of its own: the app's carries the HTTP server's metrics */
    omx_registry *reg = omx_registry_new();
    if (!reg || (rc = node_runtime_register(app, reg, true)) < 0) {
        omx_registry_free(reg);
        omx_app_free(app);
        return 1;
    }
    const char *fmt = getenv("NODE_DUMP_FORMAT");
    omx_write_opts opts = {.format = fmt && !strcmp(fmt, "openmetrics") ? OMX_FORMAT_OPENMETRICS
                                                                        : OMX_FORMAT_PROMETHEUS};
    rc = omx_registry_write(reg, &opts, write_stdout, NULL);
    const char *again = getenv("NODE_DUMP_RESCRAPE");
    if (rc >= 0 && again) {
        fflush(stdout);
        if (system(again) != 0) {
            fprintf(stderr, "node-dump: NODE_DUMP_RESCRAPE command failed\n");
            rc = OMX_EIO;
        } else {
            fputs("# rescrape\n", stdout);
            rc = omx_registry_write(reg, &opts, write_stdout, NULL);
        }
    }
    if (fflush(stdout) != 0)
        rc = -errno;
    omx_registry_free(reg);
    omx_app_free(app);
    if (rc < 0) {
        fprintf(stderr, "node-dump: %s\n", omx_strerror(rc));
        return 1;
    }
    return 0;
}
