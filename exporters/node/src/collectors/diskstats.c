/* diskstats: <procfs>/diskstats per block device, plus node_disk_info,
 * device-mapper and ATA facts from the udev database (--path.udev.data). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exporter/emit.h>
#include <exporter/log.h>
#include "pattern.h"
#include "util.h"

static const char *opt_exclude = "^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$";
static const char *opt_include = "";
static const char *opt_old_ignored = ""; /* deprecated spelling of device-exclude */
static node_regex re_exclude, re_include;

static int declare(omx_app *app) {
    int r = omx_app_flag_string(
        app, "collector.diskstats.device-exclude", &opt_exclude,
        "Regexp of diskstats devices to exclude (mutually exclusive to device-include).");
    if (r == 0)
        r = omx_app_flag_string(
            app, "collector.diskstats.device-include", &opt_include,
            "Regexp of diskstats devices to include (mutually exclusive to device-exclude).");
    if (r == 0)
        r = omx_app_flag_string(app, "collector.diskstats.ignored-devices", &opt_old_ignored,
                                "DEPRECATED: use --collector.diskstats.device-exclude.");
    return r;
}

static int setup(void) {
    if (*opt_old_ignored) {
        omx_log(
            OMX_LOG_WARN,
            "--collector.diskstats.ignored-devices is DEPRECATED, use --collector.diskstats.device-exclude",
            NULL);
        opt_exclude = opt_old_ignored;
    }
    if (opt_include && *opt_include) {
        /* an explicit include replaces the default exclude */
        return node_regex_compile(&re_include, "--collector.diskstats.device-include", opt_include);
    }
    return node_regex_compile(&re_exclude, "--collector.diskstats.device-exclude", opt_exclude);
}

#define NSTAT 17
static const struct {
    const char *name, *help;
    omx_type type;
    double scale;
} stats[NSTAT] = {
    {"node_disk_reads_completed_total", "The total number of reads completed successfully.",
     OMX_COUNTER, 1},
    {"node_disk_reads_merged_total", "The total number of reads merged.", OMX_COUNTER, 1},
    {"node_disk_read_bytes_total", "The total number of bytes read successfully.", OMX_COUNTER,
     512},
    {"node_disk_read_time_seconds_total", "The total number of seconds spent by all reads.",
     OMX_COUNTER, 0.001},
    {"node_disk_writes_completed_total", "The total number of writes completed successfully.",
     OMX_COUNTER, 1},
    {"node_disk_writes_merged_total", "The number of writes merged.", OMX_COUNTER, 1},
    {"node_disk_written_bytes_total", "The total number of bytes written successfully.",
     OMX_COUNTER, 512},
    {"node_disk_write_time_seconds_total",
     "This is the total number of seconds spent by all writes.", OMX_COUNTER, 0.001},
    {"node_disk_io_now", "The number of I/Os currently in progress.", OMX_GAUGE, 1},
    {"node_disk_io_time_seconds_total", "Total seconds spent doing I/Os.", OMX_COUNTER, 0.001},
    {"node_disk_io_time_weighted_seconds_total", "The weighted # of seconds spent doing I/Os.",
     OMX_COUNTER, 0.001},
    {"node_disk_discards_completed_total", "The total number of discards completed successfully.",
     OMX_COUNTER, 1},
    {"node_disk_discards_merged_total", "The total number of discards merged.", OMX_COUNTER, 1},
    {"node_disk_discarded_sectors_total", "The total number of sectors discarded successfully.",
     OMX_COUNTER, 1},
    {"node_disk_discard_time_seconds_total",
     "This is the total number of seconds spent by all discards.", OMX_COUNTER, 0.001},
    {"node_disk_flush_requests_total", "The total number of flush requests completed successfully",
     OMX_COUNTER, 1},
    {"node_disk_flush_requests_time_seconds_total",
     "This is the total number of seconds spent by all flush requests.", OMX_COUNTER, 0.001},
};

enum {
    U_PATH,
    U_WWN,
    U_MODEL,
    U_SERIAL,
    U_REV,
    U_DM_NAME,
    U_DM_UUID,
    U_DM_VG,
    U_DM_LV,
    U_DM_LAYER,
    U_ATA,
    U_ATA_RPM,
    U_ATA_WC,
    U_ATA_WCE,
    U_N
};
static const char *const udev_keys[U_N] = {"ID_PATH",
                                           "ID_WWN",
                                           "ID_MODEL",
                                           "ID_SERIAL_SHORT",
                                           "ID_REVISION",
                                           "DM_NAME",
                                           "DM_UUID",
                                           "DM_VG_NAME",
                                           "DM_LV_NAME",
                                           "DM_LV_LAYER",
                                           "ID_ATA",
                                           "ID_ATA_ROTATION_RATE_RPM",
                                           "ID_ATA_WRITE_CACHE",
                                           "ID_ATA_WRITE_CACHE_ENABLED"};

typedef struct disk {
    const char *name, *major, *minor;
    int nstats;
    double v[NSTAT];
    char *udev_data; /* owned; udev[] points into it */
    const char *udev[U_N];
} disk;

static void read_udev(disk *d) {
    char path[NODE_PATH_MAX];
    for (int k = 0; k < U_N; k++)
        d->udev[k] = "";
    if (snprintf(path, sizeof path, "%s/b%s:%s", node_path_roots.udev_data, d->major, d->minor) >=
            (int)sizeof path ||
        omx_read_file(path, 1u << 20, &d->udev_data, NULL) < 0)
        return;
    char *save = NULL;
    for (char *line = strtok_r(d->udev_data, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "E:", 2))
            continue;
        char *eq = strchr(line + 2, '=');
        if (!eq)
            continue;
        *eq = '\0';
        for (int k = 0; k < U_N; k++)
            if (!strcmp(line + 2, udev_keys[k]))
                d->udev[k] = eq + 1;
    }
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char path[NODE_PATH_MAX], *data;
    int r;
    if ((r = node_read_proc("diskstats", "diskstats", 16u << 20, path, sizeof path, &data)) < 0)
        return r;
    size_t cap = 1;
    for (char *p = data; *p; p++)
        cap += *p == '\n';
    disk *d = calloc(cap, sizeof *d);
    if (!d) {
        free(data);
        return OMX_ENOMEM;
    }
    size_t n = 0;
    char *save = NULL;
    unsigned lineno = 0;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        char *f[24];
        size_t nf = omx_split_fields(line, f, 24);
        if (nf != 14 && nf != 18 && nf != 20) {
            r = omx_bad_input("diskstats", path, lineno, "expected 14, 18 or 20 fields");
            goto out;
        }
        uint64_t tmp;
        if (omx_parse_u64(f[0], &tmp) < 0 || omx_parse_u64(f[1], &tmp) < 0) {
            r = omx_bad_input("diskstats", path, lineno, "bad major/minor");
            goto out;
        }
        disk *x = &d[n];
        x->major = f[0];
        x->minor = f[1];
        x->name = f[2];
        x->nstats = (int)nf - 3;
        for (int k = 0; k < x->nstats; k++) {
            if (omx_parse_u64(f[k + 3], &tmp) < 0) {
                r = omx_bad_input("diskstats", path, lineno, "bad counter");
                goto out;
            }
            x->v[k] = (double)tmp * stats[k].scale;
        }
        if (re_include.set ? !node_regex_match(&re_include, x->name)
                           : node_regex_match(&re_exclude, x->name))
            continue;
        n++;
    }
    for (size_t i = 0; i < n; i++)
        read_udev(&d[i]);
    static const char *const dev[] = {"device"};
    for (int k = 0; k < NSTAT; k++) {
        if ((r = omx_emit_family(e, &(omx_desc){.name = stats[k].name,
                                                .help = stats[k].help,
                                                .type = stats[k].type,
                                                .label_names = dev,
                                                .n_labels = 1})) < 0)
            goto out;
        for (size_t i = 0; i < n; i++)
            if (k < d[i].nstats && (r = omx_emit_sample(e, &d[i].name, d[i].v[k])) < 0)
                goto out;
    }
    static const char *const info_labels[] = {"device", "major", "minor",  "path",
                                              "wwn",    "model", "serial", "revision"};
    if ((r = omx_emit_family(e, &(omx_desc){.name = "node_disk_info",
                                            .help = "Info of /sys/block/<block_device>.",
                                            .type = OMX_GAUGE,
                                            .label_names = info_labels,
                                            .n_labels = 8})) < 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        const char *v[] = {d[i].name,           d[i].major,       d[i].minor,
                           d[i].udev[U_PATH],   d[i].udev[U_WWN], d[i].udev[U_MODEL],
                           d[i].udev[U_SERIAL], d[i].udev[U_REV]};
        if ((r = omx_emit_sample(e, v, 1)) < 0)
            goto out;
    }
    static const char *const dm_labels[] = {"device",  "name",    "uuid",
                                            "vg_name", "lv_name", "lv_layer"};
    if ((r = omx_emit_family(e, &(omx_desc){.name = "node_disk_device_mapper_info",
                                            .help = "Info about disk device mapper.",
                                            .type = OMX_GAUGE,
                                            .label_names = dm_labels,
                                            .n_labels = 6})) < 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        if (!*d[i].udev[U_DM_NAME])
            continue;
        const char *v[] = {d[i].name,          d[i].udev[U_DM_NAME], d[i].udev[U_DM_UUID],
                           d[i].udev[U_DM_VG], d[i].udev[U_DM_LV],   d[i].udev[U_DM_LAYER]};
        if ((r = omx_emit_sample(e, v, 1)) < 0)
            goto out;
    }
    static const struct {
        const char *name, *help;
        int key;
    } ata[] = {
        {"node_disk_ata_write_cache", "ATA disk has a write cache.", U_ATA_WC},
        {"node_disk_ata_write_cache_enabled", "ATA disk has its write cache enabled.", U_ATA_WCE},
        {"node_disk_ata_rotation_rate_rpm", "ATA disk rotation rate in RPMs (0 for SSDs).",
         U_ATA_RPM},
    };
    for (size_t k = 0; k < 3; k++) {
        if ((r = omx_emit_family(e, &(omx_desc){.name = ata[k].name,
                                                .help = ata[k].help,
                                                .type = OMX_GAUGE,
                                                .label_names = dev,
                                                .n_labels = 1})) < 0)
            goto out;
        for (size_t i = 0; i < n; i++) {
            double v;
            if (strcmp(d[i].udev[U_ATA], "1") || omx_parse_double(d[i].udev[ata[k].key], &v) < 0)
                continue;
            if ((r = omx_emit_sample(e, &d[i].name, v)) < 0)
                goto out;
        }
    }
    r = 0;
out:
    for (size_t i = 0; i < cap; i++)
        free(d[i].udev_data);
    free(d);
    free(data);
    return r;
}

const node_collector node_collector_diskstats = {
    .name = "diskstats",
    .enabled_by_default = true,
    .declare_flags = declare,
    .setup = setup,
    .collect = collect,
};
