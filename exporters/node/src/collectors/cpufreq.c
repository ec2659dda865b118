/* cpufreq collector: CPU frequency limits and current values from
 * /sys/devices/system/cpu/cpu<N>/cpufreq (kHz in sysfs, hertz in metrics). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "sysfs_attr.h"
#include "util.h"

static const hw_column cols[] = {
    {"node_cpu_frequency_hertz", "Current cpu thread frequency in hertz.", OMX_GAUGE},
    {"node_cpu_frequency_max_hertz", "Maximum cpu thread frequency in hertz.", OMX_GAUGE},
    {"node_cpu_frequency_min_hertz", "Minimum cpu thread frequency in hertz.", OMX_GAUGE},
    {"node_cpu_scaling_frequency_hertz", "Current scaled CPU thread frequency in hertz.",
     OMX_GAUGE},
    {"node_cpu_scaling_frequency_max_hertz", "Maximum scaled CPU thread frequency in hertz.",
     OMX_GAUGE},
    {"node_cpu_scaling_frequency_min_hertz", "Minimum scaled CPU thread frequency in hertz.",
     OMX_GAUGE},
};
static const char *const files[] = {
    "cpuinfo_cur_freq", "cpuinfo_max_freq", "cpuinfo_min_freq",
    "scaling_cur_freq", "scaling_max_freq", "scaling_min_freq",
};
static const char *const label_names[] = {"cpu"};

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char base[NODE_PATH_MAX], dir[NODE_PATH_MAX];
    char **names = NULL;
    int r = node_sys_path(base, sizeof base, "devices/system/cpu");
    if (r < 0)
        return r;
    r = omx_list_dir(base, &names);
    if (r < 0)
        return hw_fail("cpufreq", base, r);
    hw_table t;
    hw_table_init(&t, cols, 6, label_names, 1);
    for (char **n = names; *n && r >= 0; n++) {
        const char *num;
        if (!hw_name_numbered(*n, "cpu", &num))
            continue;
        if (node_sys_path(dir, sizeof dir, "devices/system/cpu/%s/cpufreq", *n) < 0)
            continue;
        int dfd = hw_dir_open(AT_FDCWD, dir);
        if (dfd == -ENOENT || dfd == -ENOTDIR)
            continue; /* no cpufreq directory for this CPU: 1 syscall, not 6 */
        if (dfd < 0)
            dfd = AT_FDCWD; /* read by path, so the attributes' own errors are reported */
        uint64_t v[6];
        int got[6];
        bool any = false;
        for (size_t i = 0; i < 6; i++) {
            got[i] = hw_attr_u64_at(dfd, dir, files[i], &v[i]);
            if (got[i] < 0) {
                r = got[i];
                break;
            }
            any |= got[i] == 0;
        }
        if (dfd >= 0)
            close(dfd);
        if (r < 0 || !any)
            continue; /* no cpufreq attributes for this CPU */
        double *row = hw_table_add(&t, (const char *const[]){num});
        if (!row) {
            r = -ENOMEM;
            break;
        }
        for (size_t i = 0; i < 6; i++)
            if (got[i] == 0)
                row[i] = (double)v[i] * 1000.0;
    }
    if (r >= 0)
        r = hw_table_emit(&t, e);
    hw_table_free(&t);
    omx_strv_free(names);
    return r < 0 ? r : 0;
}

const node_collector node_collector_cpufreq = {
    .name = "cpufreq",
    .enabled_by_default = true,
    .collect = collect,
};
