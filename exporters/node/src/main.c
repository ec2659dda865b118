/* omx-node: a node_exporter 1.5 compatible host exporter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <exporter/app.h>

#include "build-facts.h"
#include "runtime.h"
#include "scrape_filter.h"

#ifndef OMX_VERSION
#define OMX_VERSION "unknown"
#endif

#define STR_(x) #x
#define STR(x) STR_(x)
#if defined(__clang__)
#define NODE_COMPILER \
    "clang" STR(__clang_major__) "." STR(__clang_minor__) "." STR(__clang_patchlevel__)
#elif defined(__GNUC__)
#define NODE_COMPILER "gcc" STR(__GNUC__) "." STR(__GNUC_MINOR__) "." STR(__GNUC_PATCHLEVEL__)
#else
#define NODE_COMPILER ""
#endif

/* NODE_BUILD_FACTS is "revision", "branch", "user@host", "date" */
#define FACT_(i, rev, branch, user, date) FACT_##i(rev, branch, user, date)
#define FACT_0(rev, branch, user, date) rev
#define FACT_1(rev, branch, user, date) branch
#define FACT_2(rev, branch, user, date) user
#define FACT_3(rev, branch, user, date) date
#define FACT(i, ...) FACT_(i, __VA_ARGS__)
static const omx_build_facts node_build = {
    .revision = FACT(0, NODE_BUILD_FACTS),
    .branch = FACT(1, NODE_BUILD_FACTS),
    .build_user = FACT(2, NODE_BUILD_FACTS),
    .build_date = FACT(3, NODE_BUILD_FACTS),
    .compiler = NODE_COMPILER,
};

int main(int argc, char **argv) {
    bool no_exporter_metrics = false;
    omx_app *app = omx_app_new(&(omx_app_info){
        .name = "omx-node",
        .version = OMX_VERSION,
        .default_listen = ":9100",
        .description = "Prometheus exporter for host metrics (node_exporter compatible).",
        .build = &node_build,
    });
    if (!app) {
        fputs("omx-node: out of memory\n", stderr);
        return 1;
    }
    int rc =
        omx_app_flag_bool(app, "web.disable-exporter-metrics", &no_exporter_metrics,
                          "Exclude metrics about the exporter itself (promhttp_*, process_*).");
    if (rc == 0)
        rc = node_runtime_declare(app);
    if (rc == 0)
        rc = omx_app_parse(app, argc, argv);
    if (rc != 0) {
        omx_app_free(app);
        return rc < 0 ? 1 : 0;
    }
    if (getuid() == 0) /* node_exporter's words, checked on the real uid as Go's user.Current */
        omx_log(OMX_LOG_WARN,
                "Node Exporter is running as root user. This exporter is designed "
                "to run as unprivileged user, root is not required.",
                NULL);
    omx_registry *reg = omx_app_registry(app);
    if ((rc = omx_build_info_register_facts(reg, "node_exporter", OMX_VERSION, &node_build)) < 0 ||
        (!no_exporter_metrics && (rc = omx_process_collector_register(reg, NULL)) < 0) ||
        (no_exporter_metrics && (rc = omx_app_drop_exporter_metrics(app)) < 0) ||
        (rc = node_runtime_register(app, reg, true)) < 0 ||
        (rc = omx_app_on_scrape(app, node_scrape_filter, NULL)) < 0) {
        omx_log(OMX_LOG_ERROR, "start-up failed", "err", omx_strerror(rc), NULL);
        omx_app_free(app);
        return 1;
    }
    rc = omx_app_run(app);
    omx_app_free(app);
    return rc;
}
