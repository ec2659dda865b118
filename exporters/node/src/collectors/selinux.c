/* selinux collector: whether SELinux is enabled (selinuxfs has an enforce file),
 * the current mode (<sysfs>/fs/selinux/enforce) and the configured mode
 * (SELINUX= in <rootfs>/etc/selinux/config). Modes: 1 enforcing, 0 permissive,
 * -1 disabled, as go-selinux (node_exporter) reports them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sysfs_attr.h"
#include "util.h"

static int config_mode(double *ret) {
    char path[NODE_PATH_MAX], *data = NULL;
    int r = node_root_path(path, sizeof path, "etc/selinux/config");
    if (r < 0)
        return r;
    if ((r = omx_read_file(path, 1 << 16, &data, NULL)) < 0) {
        *ret = -1; /* no configuration: SELinux is disabled at next boot */
        return r == -ENOENT ? 0 : hw_fail("selinux", path, r);
    }
    *ret = -1;
    for (char *line = data, *next; line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        while (*line == ' ' || *line == '\t')
            line++;
        if (strncmp(line, "SELINUX=", 8))
            continue;
        char *v = line + 8;
        v[strcspn(v, " \t\r#")] = '\0';
        if (!strcmp(v, "enforcing"))
            *ret = 1;
        else if (!strcmp(v, "permissive"))
            *ret = 0;
        else if (!strcmp(v, "disabled"))
            *ret = -1;
        else {
            omx_log(OMX_LOG_DEBUG, "unknown SELINUX= value", "file", path, "value", v, NULL);
            free(data);
            return -EINVAL;
        }
    }
    free(data);
    return 0;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char dir[NODE_PATH_MAX];
    int64_t enforce = 0;
    int r = node_sys_path(dir, sizeof dir, "fs/selinux");
    if (r < 0)
        return r;
    r = hw_attr_i64(dir, "enforce", &enforce);
    if (r < 0)
        return r;
    bool enabled = r == 0;
    if (enabled && enforce != 0 && enforce != 1)
        return hw_fail("selinux", dir, -EINVAL);
    double cfg = -1;
    if (enabled && (r = config_mode(&cfg)) < 0)
        return r;
    r = omx_emit_family(e, &(omx_desc){.name = "node_selinux_enabled",
                                       .help = "SELinux is enabled, 1 is true, 0 is false",
                                       .type = OMX_GAUGE});
    if (r >= 0)
        r = omx_emit_sample(e, NULL, enabled);
    if (r < 0 || !enabled)
        return r < 0 ? r : 0;
    r = omx_emit_family(e, &(omx_desc){.name = "node_selinux_config_mode",
                                       .help = "Configured SELinux enforcement mode",
                                       .type = OMX_GAUGE});
    if (r >= 0)
        r = omx_emit_sample(e, NULL, cfg);
    if (r >= 0)
        r = omx_emit_family(e, &(omx_desc){.name = "node_selinux_current_mode",
                                           .help = "Current SELinux enforcement mode",
                                           .type = OMX_GAUGE});
    if (r >= 0)
        r = omx_emit_sample(e, NULL, (double)enforce);
    return r < 0 ? r : 0;
}

const node_collector node_collector_selinux = {
    .name = "selinux",
    .enabled_by_default = true,
    .collect = collect,
};
