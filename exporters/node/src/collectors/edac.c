/* edac collector: memory controller error counters from
 * /sys/devices/system/edac/mc/mc<N> (totals and per csrow; the "noinfo"
 * counters are reported as csrow="unknown"). */
#include <errno.h>
#include <stdlib.h>

#include "sysfs_attr.h"
#include "util.h"

static const hw_column mc_cols[] = {
    {"node_edac_correctable_errors_total", "Total correctable memory errors.", OMX_COUNTER},
    {"node_edac_uncorrectable_errors_total", "Total uncorrectable memory errors.", OMX_COUNTER},
};
static const hw_column row_cols[] = {
    {"node_edac_csrow_correctable_errors_total", "Total correctable memory errors for this csrow.",
     OMX_COUNTER},
    {"node_edac_csrow_uncorrectable_errors_total",
     "Total uncorrectable memory errors for this csrow.", OMX_COUNTER},
};
static const char *const mc_labels[] = {"controller"};
static const char *const row_labels[] = {"controller", "csrow"};

/* Reads two mandatory counters of dir into v[0], v[1]. */
static int read_pair(const char *dir, const char *a, const char *b, double *v) {
    uint64_t x, y;
    int r = hw_attr_u64(dir, a, &x);
    if (r == 0)
        r = hw_attr_u64(dir, b, &y);
    if (r == 1)
        return hw_fail("edac", dir, -ENOENT);
    if (r < 0)
        return r;
    v[0] = (double)x;
    v[1] = (double)y;
    return 0;
}

static int collect_mc(const char *mc, const char *num, hw_table *mcs, hw_table *rows) {
    char dir[NODE_PATH_MAX], sub[NODE_PATH_MAX];
    double v[2];
    int r = node_sys_path(dir, sizeof dir, "devices/system/edac/mc/%s", mc);
    if (r < 0)
        return r;
    if ((r = read_pair(dir, "ce_count", "ue_count", v)) < 0)
        return r;
    double *row = hw_table_add(mcs, (const char *const[]){num});
    if (!row)
        return -ENOMEM;
    row[0] = v[0];
    row[1] = v[1];
    double noinfo[2];
    if ((r = read_pair(dir, "ce_noinfo_count", "ue_noinfo_count", noinfo)) < 0)
        return r;
    char **names = NULL;
    if ((r = omx_list_dir(dir, &names)) < 0)
        return hw_fail("edac", dir, r);
    for (char **n = names; *n && r >= 0; n++) {
        const char *rn;
        if (!hw_name_numbered(*n, "csrow", &rn))
            continue;
        if ((r = node_sys_path(sub, sizeof sub, "devices/system/edac/mc/%s/%s", mc, *n)) < 0 ||
            (r = read_pair(sub, "ce_count", "ue_count", v)) < 0)
            break;
        if (!(row = hw_table_add(rows, (const char *const[]){num, rn}))) {
            r = -ENOMEM;
            break;
        }
        row[0] = v[0];
        row[1] = v[1];
    }
    omx_strv_free(names);
    if (r < 0)
        return r;
    if (!(row = hw_table_add(rows, (const char *const[]){num, "unknown"})))
        return -ENOMEM;
    row[0] = noinfo[0];
    row[1] = noinfo[1];
    return 0;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char base[NODE_PATH_MAX];
    char **names = NULL;
    int r = node_sys_path(base, sizeof base, "devices/system/edac/mc");
    if (r < 0)
        return r;
    r = omx_list_dir(base, &names);
    if (r == -ENOENT)
        return 0; /* no EDAC driver loaded: nothing to report */
    if (r < 0)
        return hw_fail("edac", base, r);
    hw_table mcs, rows;
    hw_table_init(&mcs, mc_cols, 2, mc_labels, 1);
    hw_table_init(&rows, row_cols, 2, row_labels, 2);
    for (char **n = names; *n && r >= 0; n++) {
        const char *num;
        if (hw_name_numbered(*n, "mc", &num))
            r = collect_mc(*n, num, &mcs, &rows);
    }
    if (r >= 0)
        r = hw_table_emit(&mcs, e);
    if (r >= 0)
        r = hw_table_emit(&rows, e);
    hw_table_free(&mcs);
    hw_table_free(&rows);
    omx_strv_free(names);
    return r < 0 ? r : 0;
}

const node_collector node_collector_edac = {
    .name = "edac",
    .enabled_by_default = true,
    .collect = collect,
};
