/* time: the system clock, time zone offset and clock sources from sysfs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <exporter/emit.h>
#include "util.h"

static int emit_clocksources(omx_emitter *e) {
    char path[NODE_PATH_MAX], **dirs = NULL;
    int r;
    if ((r = node_sys_path(path, sizeof path, "devices/system/clocksource")) < 0)
        return r;
    if (omx_list_dir(path, &dirs) < 0)
        return 0; /* no clocksource directory: nothing to report */
    static const char *const labels[] = {"clocksource", "device"};
    for (int pass = 0; pass < 2; pass++) {
        if ((r = omx_emit_family(
                 e,
                 &(omx_desc){
                     .name = pass ? "node_time_clocksource_current_info"
                                  : "node_time_clocksource_available_info",
                     .help =
                         pass
                             ? "Current clocksource read from '/sys/devices/system/clocksource'."
                             : "Available clocksources read from '/sys/devices/system/clocksource'.",
                     .type = OMX_GAUGE,
                     .label_names = labels,
                     .n_labels = 2})) < 0)
            goto out;
        for (char **d = dirs; *d; d++) {
            if (strncmp(*d, "clocksource", 11))
                continue;
            const char *dev = *d + 11;
            char line[1024];
            if (node_sys_path(path, sizeof path, "devices/system/clocksource/%s/%s", *d,
                              pass ? "current_clocksource" : "available_clocksource") < 0 ||
                omx_read_line(path, line, sizeof line) < 0)
                continue;
            char *f[64];
            size_t nf = omx_split_fields(line, f, 64);
            for (size_t i = 0; i < nf; i++)
                if ((r = omx_emit_sample(e, (const char *[]){f[i], dev}, 1)) < 0)
                    goto out;
        }
    }
    r = 0;
out:
    omx_strv_free(dirs);
    return r;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int r = omx_emit1(e, "node_time_seconds", "System time in seconds since epoch (1970).",
                      OMX_GAUGE, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
    if (r < 0)
        return r;
    struct tm tm;
    time_t now = ts.tv_sec;
    if (localtime_r(&now, &tm)) {
        if ((r = omx_emit1l(e, "node_time_zone_offset_seconds",
                            "System time zone offset in seconds.", OMX_GAUGE, "time_zone",
                            tm.tm_zone ? tm.tm_zone : "", (double)tm.tm_gmtoff)) < 0)
            return r;
    }
    return emit_clocksources(e);
}

const node_collector node_collector_time = {
    .name = "time",
    .enabled_by_default = true,
    .collect = collect,
};
