/* loadavg: node_load1/5/15 from <procfs>/loadavg. */
#include <exporter/emit.h>
#include "util.h"

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char path[NODE_PATH_MAX], line[256];
    int r;
    if ((r = node_proc_path(path, sizeof path, "loadavg")) < 0 ||
        (r = omx_read_line(path, line, sizeof line)) < 0)
        return r;
    char *f[5];
    double v[3];
    if (omx_split_fields(line, f, 5) < 3)
        return omx_bad_input("loadavg", path, 1, "fewer than 3 fields");
    for (int i = 0; i < 3; i++)
        if (omx_parse_double(f[i], &v[i]) < 0 || v[i] < 0 || v[i] != v[i])
            return omx_bad_input("loadavg", path, 1, "bad load value");
    if ((r = omx_emit1(e, "node_load1", "1m load average.", OMX_GAUGE, v[0])) < 0 ||
        (r = omx_emit1(e, "node_load5", "5m load average.", OMX_GAUGE, v[1])) < 0 ||
        (r = omx_emit1(e, "node_load15", "15m load average.", OMX_GAUGE, v[2])) < 0)
        return r;
    return 0;
}

const node_collector node_collector_loadavg = {
    .name = "loadavg",
    .enabled_by_default = true,
    .collect = collect,
};
