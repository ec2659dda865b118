/* ksmd: kernel samepage merging state from <sysfs>/kernel/mm/ksm. */
#include <errno.h>
#include <stdio.h>

#include <exporter/emit.h>
#include "util.h"

static const struct {
    const char *file;
    const char *name;
    const char *help;
    omx_type type;
    double divisor;
} files[] = {
    {"full_scans", "node_ksmd_full_scans_total", "ksmd 'full_scans' file.", OMX_COUNTER, 1},
    {"merge_across_nodes", "node_ksmd_merge_across_nodes", "ksmd 'merge_across_nodes' file.",
     OMX_GAUGE, 1},
    {"pages_shared", "node_ksmd_pages_shared", "ksmd 'pages_shared' file.", OMX_GAUGE, 1},
    {"pages_sharing", "node_ksmd_pages_sharing", "ksmd 'pages_sharing' file.", OMX_GAUGE, 1},
    {"pages_to_scan", "node_ksmd_pages_to_scan", "ksmd 'pages_to_scan' file.", OMX_GAUGE, 1},
    {"pages_unshared", "node_ksmd_pages_unshared", "ksmd 'pages_unshared' file.", OMX_GAUGE, 1},
    {"pages_volatile", "node_ksmd_pages_volatile", "ksmd 'pages_volatile' file.", OMX_GAUGE, 1},
    {"run", "node_ksmd_run", "ksmd 'run' file.", OMX_GAUGE, 1},
    {"sleep_millisecs", "node_ksmd_sleep_seconds", "ksmd 'sleep_millisecs' file.", OMX_GAUGE, 1000},
};
#define NFILES (sizeof files / sizeof files[0])

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char path[NODE_PATH_MAX];
    uint64_t v[NFILES];
    int r;
    /* all files first: a bad one fails the collector before anything is emitted */
    for (size_t i = 0; i < NFILES; i++) {
        if ((r = node_sys_path(path, sizeof path, "kernel/mm/ksm/%s", files[i].file)) < 0)
            return r;
        r = omx_read_u64(path, &v[i]);
        if (r == -EINVAL)
            return omx_bad_input("ksmd", path, 1, "not an unsigned integer");
        if (r < 0)
            return r;
    }
    for (size_t i = 0; i < NFILES; i++)
        if ((r = omx_emit1(e, files[i].name, files[i].help, files[i].type,
                           (double)v[i] / files[i].divisor)) < 0)
            return r;
    return 0;
}

const node_collector node_collector_ksmd = {
    .name = "ksmd",
    .enabled_by_default = false,
    .collect = collect,
};
