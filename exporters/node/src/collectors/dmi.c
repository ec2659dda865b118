/* dmi collector: node_dmi_info from /sys/class/dmi/id (firmware-provided strings). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "sysfs_attr.h"
#include "util.h"

/* label name, file name; node_exporter's label order. */
static const char *const fields[][2] = {
    {"bios_date", "bios_date"},
    {"bios_release", "bios_release"},
    {"bios_vendor", "bios_vendor"},
    {"bios_version", "bios_version"},
    {"board_asset_tag", "board_asset_tag"},
    {"board_name", "board_name"},
    {"board_serial", "board_serial"},
    {"board_vendor", "board_vendor"},
    {"board_version", "board_version"},
    {"chassis_asset_tag", "chassis_asset_tag"},
    {"chassis_serial", "chassis_serial"},
    {"chassis_vendor", "chassis_vendor"},
    {"chassis_version", "chassis_version"},
    {"product_family", "product_family"},
    {"product_name", "product_name"},
    {"product_serial", "product_serial"},
    {"product_sku", "product_sku"},
    {"product_uuid", "product_uuid"},
    {"product_version", "product_version"},
    {"system_vendor", "sys_vendor"},
};
#define N_FIELDS (sizeof fields / sizeof fields[0])

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char dir[NODE_PATH_MAX];
    int r = node_sys_path(dir, sizeof dir, "class/dmi/id");
    if (r < 0)
        return r;
    int dfd = hw_dir_open(AT_FDCWD, dir);
    if (dfd == -ENOENT || dfd == -ENOTDIR)
        return hw_fail("dmi", dir, -ENOENT); /* 1 syscall, not 20, on hosts without DMI */
    if (dfd < 0)
        dfd = AT_FDCWD; /* read by path: each attribute's own error decides */
    char buf[N_FIELDS][256];
    const char *names[N_FIELDS], *values[N_FIELDS];
    size_t n = 0;
    for (size_t i = 0; i < N_FIELDS && r >= 0; i++) {
        r = hw_attr_str_at(dfd, dir, fields[i][1], buf[i], sizeof buf[i]);
        if (r == -EACCES || r == -EPERM || r == 1) {
            r = 0;
            continue; /* serials are root-only; missing fields are left out */
        }
        if (r < 0)
            break;
        hw_utf8_clean(buf[i]);
        if (!buf[i][0])
            continue;
        names[n] = fields[i][0];
        values[n++] = buf[i];
    }
    if (dfd >= 0)
        close(dfd);
    if (r < 0)
        return r;
    if (n == 0)
        return hw_fail("dmi", dir, -ENOENT); /* no DMI on this host: node_exporter's ErrNoData */
    r = omx_emit_family(
        e, &(omx_desc){
               .name = "node_dmi_info",
               .help = "A metric with a constant '1' value labeled by bios_date, bios_release, "
                       "bios_vendor, bios_version, board_asset_tag, board_name, board_serial, "
                       "board_vendor, board_version, chassis_asset_tag, chassis_serial, "
                       "chassis_vendor, chassis_version, product_family, product_name, "
                       "product_serial, product_sku, product_uuid, product_version, system_vendor "
                       "if provided by DMI.",
               .type = OMX_GAUGE,
               .label_names = names,
               .n_labels = n});
    if (r < 0)
        return r;
    return omx_emit_sample(e, values, 1);
}

const node_collector node_collector_dmi = {
    .name = "dmi",
    .enabled_by_default = true,
    .collect = collect,
};
