/* pressure: PSI stall totals from <procfs>/pressure/{cpu,io,memory}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exporter/emit.h>
#include "util.h"

/* Reads the total= of the "some" and "full" lines, in seconds. */
static int read_psi(const char *res, double *some, double *full) {
    char path[NODE_PATH_MAX], *data;
    int r;
    if ((r = node_proc_path(path, sizeof path, "pressure/%s", res)) < 0)
        return r;
    if ((r = omx_read_file(path, 64 * 1024, &data, NULL)) < 0) {
        omx_log(
            OMX_LOG_DEBUG,
            "pressure information is unavailable, you need a Linux kernel >= 4.20 and/or CONFIG_PSI enabled",
            "collector", "pressure", "file", path, NULL);
        return r;
    }
    bool have_some = false;
    *full = -1;
    char *save = NULL;
    unsigned lineno = 0;
    r = 0;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        char *f[6];
        size_t nf = omx_split_fields(line, f, 6);
        uint64_t us;
        if (nf != 5 || strncmp(f[4], "total=", 6) || omx_parse_u64(f[4] + 6, &us) < 0 ||
            (strcmp(f[0], "some") && strcmp(f[0], "full"))) {
            r = omx_bad_input("pressure", path, lineno,
                              "expected 'some|full avg10= avg60= avg300= total='");
            break;
        }
        if (!strcmp(f[0], "some")) {
            *some = (double)us / 1000.0 / 1000.0;
            have_some = true;
        } else {
            *full = (double)us / 1000.0 / 1000.0;
        }
    }
    if (r == 0 && !have_some)
        r = omx_bad_input("pressure", path, 0, "no 'some' line");
    free(data);
    return r;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    double cs, cf, is, ifl, ms, mf;
    int r;
    if ((r = read_psi("cpu", &cs, &cf)) < 0 || (r = read_psi("io", &is, &ifl)) < 0 ||
        (r = read_psi("memory", &ms, &mf)) < 0)
        return r;
    if (ifl < 0 || mf < 0)
        return omx_bad_input("pressure", "pressure/io|memory", 0, "no 'full' line");
    if ((r = omx_emit1(e, "node_pressure_cpu_waiting_seconds_total",
                       "Total time in seconds that processes have waited for CPU time", OMX_COUNTER,
                       cs)) < 0 ||
        (r = omx_emit1(e, "node_pressure_io_waiting_seconds_total",
                       "Total time in seconds that processes have waited due to IO congestion",
                       OMX_COUNTER, is)) < 0 ||
        (r = omx_emit1(e, "node_pressure_io_stalled_seconds_total",
                       "Total time in seconds no process could make progress due to IO congestion",
                       OMX_COUNTER, ifl)) < 0 ||
        (r = omx_emit1(e, "node_pressure_memory_waiting_seconds_total",
                       "Total time in seconds that processes have waited for memory", OMX_COUNTER,
                       ms)) < 0 ||
        (r = omx_emit1(
             e, "node_pressure_memory_stalled_seconds_total",
             "Total time in seconds no process could make progress due to memory congestion",
             OMX_COUNTER, mf)) < 0)
        return r;
    return 0;
}

const node_collector node_collector_pressure = {
    .name = "pressure",
    .enabled_by_default = true,
    .collect = collect,
};
