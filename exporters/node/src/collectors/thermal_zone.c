/* thermal_zone collector: /sys/class/thermal/thermal_zone<N> temperatures and
 * cooling_device<N> throttle states. */
#include <errno.h>
#include <stdlib.h>

#include "sysfs_attr.h"
#include "util.h"

static const hw_column zone_cols[] = {
    {"node_thermal_zone_temp", "Zone temperature in Celsius", OMX_GAUGE},
};
static const hw_column cool_cols[] = {
    {"node_cooling_device_cur_state", "Current throttle state of the cooling device", OMX_GAUGE},
    {"node_cooling_device_max_state", "Maximum throttle state of the cooling device", OMX_GAUGE},
};
static const char *const zone_labels[] = {"zone", "type"};
static const char *const cool_labels[] = {"name", "type"};

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char base[NODE_PATH_MAX], dir[NODE_PATH_MAX], type[256];
    char **names = NULL;
    int r = node_sys_path(base, sizeof base, "class/thermal");
    if (r < 0)
        return r;
    r = omx_list_dir(base, &names);
    if (r == -ENOENT)
        return 0; /* no thermal class: nothing to report (as node_exporter) */
    if (r < 0)
        return hw_fail("thermal_zone", base, r);
    hw_table zones, cools;
    hw_table_init(&zones, zone_cols, 1, zone_labels, 2);
    hw_table_init(&cools, cool_cols, 2, cool_labels, 2);
    for (char **n = names; *n && r >= 0; n++) {
        const char *num;
        bool zone = hw_name_numbered(*n, "thermal_zone", &num);
        if (!zone && !hw_name_numbered(*n, "cooling_device", &num))
            continue;
        if (node_sys_path(dir, sizeof dir, "class/thermal/%s", *n) < 0)
            continue;
        r = hw_attr_str(dir, "type", type, sizeof type);
        if (r == 1)
            r = hw_fail("thermal_zone", dir, -ENOENT); /* type is mandatory */
        if (r < 0)
            break;
        hw_utf8_clean(type);
        if (zone) {
            int64_t t;
            r = hw_attr_i64(dir, "temp", &t);
            if (r == 1)
                r = hw_fail("thermal_zone", dir, -ENOENT);
            if (r < 0)
                break;
            double *row = hw_table_add(&zones, (const char *const[]){num, type});
            if (!row)
                r = -ENOMEM;
            else
                row[0] = (double)t / 1000.0;
        } else {
            int64_t cur, max;
            r = hw_attr_i64(dir, "cur_state", &cur);
            if (r == 0)
                r = hw_attr_i64(dir, "max_state", &max);
            if (r == 1)
                r = hw_fail("thermal_zone", dir, -ENOENT);
            if (r < 0)
                break;
            double *row = hw_table_add(&cools, (const char *const[]){num, type});
            if (!row) {
                r = -ENOMEM;
            } else {
                row[0] = (double)cur;
                row[1] = (double)max;
            }
        }
    }
    /* node_exporter fails the whole collector on any bad zone or device. */
    if (r >= 0)
        r = hw_table_emit(&cools, e);
    if (r >= 0)
        r = hw_table_emit(&zones, e);
    hw_table_free(&zones);
    hw_table_free(&cools);
    omx_strv_free(names);
    return r < 0 ? r : 0;
}

const node_collector node_collector_thermal_zone = {
    .name = "thermal_zone",
    .enabled_by_default = true,
    .collect = collect,
};
