/* tapestats collector: SCSI tape statistics from /sys/class/scsi_tape/st<N>/stats. */
#include <errno.h>
#include <stdlib.h>

#include "pattern.h"
#include "sysfs_attr.h"
#include "util.h"

static const char *ignored_flag = "^$";
static node_regex ignored;

static int declare_flags(omx_app *app) {
    return omx_app_flag_string(app, "collector.tapestats.ignored-devices", &ignored_flag,
                               "Regexp of devices to ignore for tapestats.");
}

static int setup(void) {
    return node_regex_compile(&ignored, "collector.tapestats.ignored-devices", ignored_flag);
}

static const hw_column cols[] = {
    {"node_tape_io_now", "The number of I/Os currently outstanding to this device.", OMX_GAUGE},
    {"node_tape_io_time_seconds_total",
     "The amount of time spent waiting for all I/O to complete (including read and write). This includes tape movement commands such as seeking between file or set marks and implicit tape movement such as when rewind on close tape devices are used.",
     OMX_COUNTER},
    {"node_tape_io_others_total",
     "The number of I/Os issued to the tape drive other than read or write commands. The time taken to complete these commands uses the following calculation io_time_seconds_total-read_time_seconds_total-write_time_seconds_total",
     OMX_COUNTER},
    {"node_tape_read_bytes_total", "The number of bytes read from the tape drive.", OMX_COUNTER},
    {"node_tape_reads_completed_total", "The number of read requests issued to the tape drive.",
     OMX_COUNTER},
    {"node_tape_read_time_seconds_total",
     "The amount of time spent waiting for read requests to complete.", OMX_COUNTER},
    {"node_tape_residual_total",
     "The number of times during a read or write we found the residual amount to be non-zero. This should mean that a program is issuing a read larger thean the block size on tape. For write not all data made it to tape.",
     OMX_COUNTER},
    {"node_tape_written_bytes_total", "The number of bytes written to the tape drive.",
     OMX_COUNTER},
    {"node_tape_writes_completed_total", "The number of write requests issued to the tape drive.",
     OMX_COUNTER},
    {"node_tape_write_time_seconds_total",
     "The amount of time spent waiting for write requests to complete.", OMX_COUNTER},
};
static const char *const files[] = {
    "in_flight", "io_ns",     "other_cnt",      "read_byte_cnt", "read_cnt",
    "read_ns",   "resid_cnt", "write_byte_cnt", "write_cnt",     "write_ns",
};
#define N_COLS (sizeof cols / sizeof cols[0])
static const char *const labels[] = {"device"};

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char base[NODE_PATH_MAX], dir[NODE_PATH_MAX];
    char **names = NULL;
    int r = node_sys_path(base, sizeof base, "class/scsi_tape");
    if (r < 0)
        return r;
    if ((r = omx_list_dir(base, &names)) < 0)
        return hw_fail("tapestats", base, r); /* no tape driver: node_exporter's ErrNoData */
    hw_table t;
    hw_table_init(&t, cols, N_COLS, labels, 1);
    for (char **n = names; *n && r >= 0; n++) {
        /* st<N> only: nst<N> and st<N>[alm] are other views of the same drive. */
        if (!hw_name_numbered(*n, "st", NULL) || node_regex_match(&ignored, *n))
            continue;
        if ((r = node_sys_path(dir, sizeof dir, "class/scsi_tape/%s/stats", *n)) < 0)
            break;
        double *row = hw_table_add(&t, (const char *const[]){*n});
        if (!row) {
            r = -ENOMEM;
            break;
        }
        for (size_t i = 0; i < N_COLS && r >= 0; i++) {
            uint64_t v;
            r = hw_attr_u64(dir, files[i], &v);
            if (r == 1)
                r = hw_fail("tapestats", dir, -ENOENT);
            else if (r == 0)
                row[i] = (i == 1 || i == 5 || i == 9) ? (double)v * 1e-9 : (double)v;
        }
    }
    if (r >= 0)
        r = hw_table_emit(&t, e);
    hw_table_free(&t);
    omx_strv_free(names);
    return r < 0 ? r : 0;
}

const node_collector node_collector_tapestats = {
    .name = "tapestats",
    .enabled_by_default = true,
    .declare_flags = declare_flags,
    .setup = setup,
    .collect = collect,
};
