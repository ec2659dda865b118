/* schedstat: per-CPU scheduler time from <procfs>/schedstat (version 15 layout). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exporter/emit.h>
#include "cpu_table.h"
#include "util.h"

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char path[NODE_PATH_MAX], *data;
    int r;
    if ((r = node_proc_path(path, sizeof path, "schedstat")) < 0 ||
        (r = omx_read_file(path, 16u << 20, &data, NULL)) < 0)
        return r;
    size_t cap = 1;
    for (char *p = data; *p; p++)
        cap += *p == '\n';
    double(*v)[3] = calloc(cap, sizeof *v);
    const char **cpu = calloc(cap, sizeof *cpu);
    size_t n = 0;
    if (!v || !cpu) {
        r = OMX_ENOMEM;
        goto out;
    }
    char *save = NULL;
    unsigned lineno = 0;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        if (strncmp(line, "cpu", 3))
            continue;
        char *f[16];
        size_t nf = omx_split_fields(line, f, 16);
        uint64_t id, x;
        if (nf < 10 || omx_parse_u64(f[0] + 3, &id) < 0) {
            r = omx_bad_input("schedstat", path, lineno, "short cpu line");
            goto out;
        }
        cpu[n] = f[0] + 3;
        for (int k = 0; k < 3; k++) {
            if (omx_parse_u64(f[7 + k], &x) < 0) {
                r = omx_bad_input("schedstat", path, lineno, "bad counter");
                goto out;
            }
            v[n][k] = k < 2 ? (double)x / 1e9 : (double)x;
        }
        n++;
    }
    static const node_cpu_family m[3] = {
        {"node_schedstat_running_seconds_total", "Number of seconds CPU spent running a process."},
        {"node_schedstat_waiting_seconds_total",
         "Number of seconds spent by processing waiting for this CPU."},
        {"node_schedstat_timeslices_total", "Number of timeslices executed by CPU."},
    };
    r = node_emit_cpu_counters(e, m, 3, cpu, &v[0][0], n);
out:
    free(v);
    free(cpu);
    free(data);
    return r;
}

const node_collector node_collector_schedstat = {
    .name = "schedstat",
    .enabled_by_default = true,
    .collect = collect,
};
