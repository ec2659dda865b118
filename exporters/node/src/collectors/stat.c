/* stat: boot time, context switches, forks, interrupts, runnable/blocked
 * processes from <procfs>/stat. */
#include <stdlib.h>
#include <string.h>

#include <exporter/emit.h>
#include "util.h"

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char path[NODE_PATH_MAX], *data;
    int r;
    if ((r = node_proc_path(path, sizeof path, "stat")) < 0 ||
        (r = omx_read_file(path, 8u << 20, &data, NULL)) < 0)
        return r;
    enum { INTR, CTXT, BTIME, PROCS, RUNNING, BLOCKED, N };
    static const char *const keys[N] = {"intr", "ctxt", "btime", "processes", "procs_running",
                                        "procs_blocked"};
    double v[N];
    bool have[N] = {0};
    char *save = NULL;
    unsigned lineno = 0;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        char *f[3];
        /* intr has thousands of fields: only the first (the total) matters */
        if (omx_split_fields(line, f, 3) < 2)
            continue;
        for (int k = 0; k < N; k++) {
            if (strcmp(f[0], keys[k]))
                continue;
            uint64_t x;
            if (omx_parse_u64(f[1], &x) < 0) {
                r = omx_bad_input("stat", path, lineno, "bad number");
                goto out;
            }
            v[k] = (double)x;
            have[k] = true;
        }
    }
    for (int k = 0; k < N; k++)
        if (!have[k]) {
            r = omx_bad_input("stat", path, 0, "missing field");
            goto out;
        }
    if ((r = omx_emit1(e, "node_intr_total", "Total number of interrupts serviced.", OMX_COUNTER, v[INTR])) < 0 ||
        (r = omx_emit1(e, "node_context_switches_total", "Total number of context switches.", OMX_COUNTER, v[CTXT])) < 0 ||
        (r = omx_emit1(e, "node_forks_total", "Total number of forks.", OMX_COUNTER, v[PROCS])) < 0 ||
        (r = omx_emit1(e, "node_boot_time_seconds", "Node boot time, in unixtime.", OMX_GAUGE, v[BTIME])) < 0 ||
        (r = omx_emit1(e, "node_procs_running", "Number of processes in runnable state.", OMX_GAUGE, v[RUNNING])) < 0 ||
        (r = omx_emit1(e, "node_procs_blocked", "Number of processes blocked waiting for I/O to complete.", OMX_GAUGE, v[BLOCKED])) < 0)
        goto out;
out:
    free(data);
    return r;
}

const node_collector node_collector_stat = {
    .name = "stat",
    .enabled_by_default = true,
    .collect = collect,
};
