/* btrfs collector: filesystem, allocation and device sizes from
 * /sys/fs/btrfs/<uuid>. (node_exporter's per-device error counters come from a
 * BTRFS_IOC_GET_DEV_STATS ioctl on the mounted filesystem; not implemented.) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sysfs_attr.h"
#include "util.h"

static const char *const types[] = {"data", "metadata", "system"};

/* Copies of the data per replica for a RAID profile with n devices. */
static double ratio(const char *mode, size_t n) {
    if (!strcmp(mode, "single") || !strcmp(mode, "raid0"))
        return 1;
    if (!strcmp(mode, "dup") || !strcmp(mode, "raid1") || !strcmp(mode, "raid10"))
        return 2;
    if (!strcmp(mode, "raid1c3"))
        return 3;
    if (!strcmp(mode, "raid1c4"))
        return 4;
    if (!strcmp(mode, "raid5") && n > 1)
        return (double)n / (double)(n - 1);
    if (!strcmp(mode, "raid6") && n > 2)
        return (double)n / (double)(n - 2);
    return 0;
}

static int need_u64(const char *dir, const char *attr, uint64_t *v) {
    int r = hw_attr_u64(dir, attr, v);
    return r == 1 ? hw_fail("btrfs", dir, -ENOENT) : r;
}

typedef struct fsdata {
    hw_table info, rsv, reserved, modes, devs;
} fsdata;

static int collect_fs(const char *uuid, fsdata *d) {
    char dir[NODE_PATH_MAX], sub[NODE_PATH_MAX], label[256];
    char **devs = NULL;
    int r = node_sys_path(dir, sizeof dir, "fs/btrfs/%s", uuid);
    if (r < 0)
        return r;
    if ((r = hw_attr_str(dir, "label", label, sizeof label)) == 1)
        label[0] = '\0';
    else if (r < 0)
        return r;
    hw_utf8_clean(label);
    double *row = hw_table_add(&d->info, (const char *const[]){label, uuid});
    if (!row)
        return -ENOMEM;
    row[0] = 1;
    uint64_t v;
    if ((r = node_sys_path(sub, sizeof sub, "fs/btrfs/%s/allocation", uuid)) < 0 ||
        (r = need_u64(sub, "global_rsv_size", &v)) < 0)
        return r;
    if (!(row = hw_table_add(&d->rsv, (const char *const[]){uuid})))
        return -ENOMEM;
    row[0] = (double)v;
    /* devices first: RAID5/6 ratios depend on their number */
    if ((r = node_sys_path(sub, sizeof sub, "fs/btrfs/%s/devices", uuid)) < 0)
        return r;
    if ((r = omx_list_dir(sub, &devs)) < 0)
        return hw_fail("btrfs", sub, r);
    size_t ndev = 0;
    for (char **p = devs; *p && r >= 0; p++, ndev++) {
        char ddir[NODE_PATH_MAX];
        if ((r = node_sys_path(ddir, sizeof ddir, "fs/btrfs/%s/devices/%s", uuid, *p)) < 0 ||
            (r = need_u64(ddir, "size", &v)) < 0)
            break;
        if (!(row = hw_table_add(&d->devs, (const char *const[]){*p, uuid}))) {
            r = -ENOMEM;
            break;
        }
        row[0] = (double)v * 512; /* sectors */
    }
    omx_strv_free(devs);
    for (size_t t = 0; t < 3 && r >= 0; t++) {
        char **modes = NULL;
        if ((r = node_sys_path(sub, sizeof sub, "fs/btrfs/%s/allocation/%s", uuid, types[t])) < 0)
            break;
        if ((r = need_u64(sub, "bytes_reserved", &v)) < 0)
            break;
        if (!(row = hw_table_add(&d->reserved, (const char *const[]){types[t], uuid}))) {
            r = -ENOMEM;
            break;
        }
        row[0] = (double)v;
        if ((r = omx_list_dir(sub, &modes)) < 0) {
            r = hw_fail("btrfs", sub, r);
            break;
        }
        for (char **m = modes; *m && r >= 0; m++) {
            char mdir[NODE_PATH_MAX];
            struct stat st;
            uint64_t total, used;
            if ((r = node_sys_path(mdir, sizeof mdir, "fs/btrfs/%s/allocation/%s/%s", uuid,
                                   types[t], *m)) < 0)
                break;
            if (stat(mdir, &st) < 0 || !S_ISDIR(st.st_mode))
                continue; /* the type's own attribute files */
            if ((r = need_u64(mdir, "total_bytes", &total)) < 0 ||
                (r = need_u64(mdir, "used_bytes", &used)) < 0)
                break;
            if (!(row = hw_table_add(&d->modes, (const char *const[]){types[t], *m, uuid}))) {
                r = -ENOMEM;
                break;
            }
            row[0] = ratio(*m, ndev);
            row[1] = (double)total;
            row[2] = (double)used;
        }
        omx_strv_free(modes);
    }
    return r;
}

static const hw_column info_col[] = {{"node_btrfs_info", "Filesystem information", OMX_GAUGE}};
static const hw_column rsv_col[] = {
    {"node_btrfs_global_rsv_size_bytes", "Size of global reserve.", OMX_GAUGE}};
static const hw_column reserved_col[] = {
    {"node_btrfs_reserved_bytes", "Amount of space reserved for a data type", OMX_GAUGE}};
static const hw_column mode_cols[] = {
    {"node_btrfs_allocation_ratio", "Data allocation ratio for a layout/data type", OMX_GAUGE},
    {"node_btrfs_size_bytes", "Amount of space allocated for a layout/data type", OMX_GAUGE},
    {"node_btrfs_used_bytes", "Amount of used space by a layout/data type", OMX_GAUGE},
};
static const hw_column dev_col[] = {{"node_btrfs_device_size_bytes",
                                     "Size of a device that is part of the filesystem.",
                                     OMX_GAUGE}};
static const char *const l_info[] = {"label", "uuid"};
static const char *const l_uuid[] = {"uuid"};
static const char *const l_type[] = {"block_group_type", "uuid"};
static const char *const l_mode[] = {"block_group_type", "mode", "uuid"};
static const char *const l_dev[] = {"device", "uuid"};

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char base[NODE_PATH_MAX];
    char **names = NULL;
    int r = node_sys_path(base, sizeof base, "fs/btrfs");
    if (r < 0)
        return r;
    if ((r = omx_list_dir(base, &names)) == -ENOENT)
        return 0; /* no btrfs module: nothing to report */
    if (r < 0)
        return hw_fail("btrfs", base, r);
    fsdata d;
    hw_table_init(&d.info, info_col, 1, l_info, 2);
    hw_table_init(&d.rsv, rsv_col, 1, l_uuid, 1);
    hw_table_init(&d.reserved, reserved_col, 1, l_type, 2);
    hw_table_init(&d.modes, mode_cols, 3, l_mode, 3);
    hw_table_init(&d.devs, dev_col, 1, l_dev, 2);
    for (char **n = names; *n && r >= 0; n++)
        if (strlen(*n) == 36 && (*n)[8] == '-') /* "features" is not a filesystem */
            r = collect_fs(*n, &d);
    hw_table *all[] = {&d.modes, &d.devs, &d.rsv, &d.info, &d.reserved};
    for (size_t i = 0; i < 5; i++) {
        if (r >= 0)
            r = hw_table_emit(all[i], e);
        hw_table_free(all[i]);
    }
    omx_strv_free(names);
    return r < 0 ? r : 0;
}

const node_collector node_collector_btrfs = {
    .name = "btrfs",
    .enabled_by_default = true,
    .collect = collect,
};
