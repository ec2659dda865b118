/* nvme collector: node_nvme_info from /sys/class/nvme/<device> attributes. */
#include <errno.h>
#include <string.h>

#include "sysfs_attr.h"
#include "util.h"

static const char *const labels[] = {"device", "firmware_revision", "model", "serial", "state"};
static const char *const files[] = {"firmware_rev", "model", "serial", "state"};

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char base[NODE_PATH_MAX], dir[NODE_PATH_MAX];
    char **names = NULL;
    int r = node_sys_path(base, sizeof base, "class/nvme");
    if (r < 0)
        return r;
    r = omx_list_dir(base, &names);
    if (r < 0)
        return hw_fail("nvme", base,
                       r); /* no NVMe class: node_exporter reports no data (failure) */
    r = omx_emit_family(
        e, &(omx_desc){.name = "node_nvme_info",
                       .help = "Non-numeric data from /sys/class/nvme/<device>, value is always 1.",
                       .type = OMX_GAUGE,
                       .label_names = labels,
                       .n_labels = 5});
    for (char **n = names; *n && r >= 0; n++) {
        char vals[4][256];
        if ((r = node_sys_path(dir, sizeof dir, "class/nvme/%s", *n)) < 0)
            break;
        for (size_t i = 0; i < 4 && r >= 0; i++) {
            r = hw_attr_str(dir, files[i], vals[i], sizeof vals[i]);
            if (r == 1)
                r = hw_fail("nvme", dir, -ENOENT);
            if (r == 0)
                hw_utf8_clean(vals[i]);
        }
        if (r < 0)
            break;
        r = omx_emit_sample(e, (const char *const[]){*n, vals[0], vals[1], vals[2], vals[3]}, 1);
    }
    omx_strv_free(names);
    return r < 0 ? r : 0;
}

const node_collector node_collector_nvme = {
    .name = "nvme",
    .enabled_by_default = true,
    .collect = collect,
};
