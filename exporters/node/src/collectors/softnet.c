/* softnet: per-CPU packet processing statistics from <procfs>/net/softnet_stat. */
#include <errno.h>
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
    if ((r = node_proc_path(path, sizeof path, "net/softnet_stat")) < 0 ||
        (r = omx_read_file(path, 4u << 20, &data, NULL)) < 0)
        return r;
    size_t cap = 1;
    for (char *p = data; *p; p++)
        cap += *p == '\n';
    double(*v)[3] = calloc(cap, sizeof *v);
    size_t n = 0;
    if (!v) {
        r = OMX_ENOMEM;
        goto out;
    }
    char *save = NULL;
    unsigned lineno = 0;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        char *f[32];
        size_t nf = omx_split_fields(line, f, 32);
        if (nf < 9) {
            r = omx_bad_input("softnet", path, lineno, "fewer than 9 columns");
            goto out;
        }
        unsigned long long x[3];
        for (int k = 0; k < 3; k++) {
            char *end;
            errno = 0;
            x[k] = strtoull(f[k], &end, 16);
            if (*end || end == f[k] || errno) {
                r = omx_bad_input("softnet", path, lineno, "bad hex counter");
                goto out;
            }
            v[n][k] = (double)x[k];
        }
        n++;
    }
    /* rows are the CPUs in order: the label is the row number */
    static const node_cpu_family m[3] = {
        {"node_softnet_processed_total", "Number of processed packets"},
        {"node_softnet_dropped_total", "Number of dropped packets"},
        {"node_softnet_times_squeezed_total",
         "Number of times processing packets ran out of quota"},
    };
    r = node_emit_cpu_counters(e, m, 3, NULL, &v[0][0], n);
out:
    free(v);
    free(data);
    return r;
}

const node_collector node_collector_softnet = {
    .name = "softnet",
    .enabled_by_default = true,
    .collect = collect,
};
