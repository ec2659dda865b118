/* bonding collector: configured and active (MII up) slaves of each bonding master
 * listed in /sys/class/net/bonding_masters. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sysfs_attr.h"
#include "util.h"

static const hw_column cols[] = {
    {"node_bonding_active", "Number of active slaves per bonding interface.", OMX_GAUGE},
    {"node_bonding_slaves", "Number of configured slaves per bonding interface.", OMX_GAUGE},
};
static const char *const labels[] = {"master"};

/* mii_status of slave: under <master>/lower_<slave>, or slave_<slave> on older kernels. */
static int slave_up(const char *master, const char *slave, bool *ret_up) {
    char dir[NODE_PATH_MAX], state[32];
    int r = node_sys_path(dir, sizeof dir, "class/net/%s/lower_%s/bonding_slave", master, slave);
    if (r == 0 && (r = hw_attr_str(dir, "mii_status", state, sizeof state)) == 1) {
        r = node_sys_path(dir, sizeof dir, "class/net/%s/slave_%s/bonding_slave", master, slave);
        if (r == 0 && (r = hw_attr_str(dir, "mii_status", state, sizeof state)) == 1)
            r = hw_fail("bonding", dir, -ENOENT);
    }
    if (r < 0)
        return r;
    *ret_up = !strcmp(state, "up");
    return 0;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char path[NODE_PATH_MAX], *masters = NULL;
    int r = node_sys_path(path, sizeof path, "class/net/bonding_masters");
    if (r < 0)
        return r;
    if ((r = omx_read_file(path, 1 << 16, &masters, NULL)) < 0)
        return hw_fail("bonding", path, r); /* no bonding driver: node_exporter's ErrNoData */
    hw_table t;
    hw_table_init(&t, cols, 2, labels, 1);
    char *m[256];
    size_t nm = omx_split_fields(masters, m, 256);
    for (size_t i = 0; i < nm && r >= 0; i++) {
        if (strchr(m[i], '\n'))
            *strchr(m[i], '\n') = '\0';
        char dir[NODE_PATH_MAX], *slaves = NULL, *s[256];
        if ((r = node_sys_path(dir, sizeof dir, "class/net/%s/bonding/slaves", m[i])) < 0)
            break;
        if ((r = omx_read_file(dir, 1 << 16, &slaves, NULL)) < 0) {
            r = hw_fail("bonding", dir, r);
            break;
        }
        size_t ns = omx_split_fields(slaves, s, 256), up = 0;
        for (size_t k = 0; k < ns && r >= 0; k++) {
            bool u = false;
            *strchrnul(s[k], '\n') = '\0';
            if ((r = slave_up(m[i], s[k], &u)) == 0)
                up += u;
        }
        free(slaves);
        double *row = r < 0 ? NULL : hw_table_add(&t, (const char *const[]){m[i]});
        if (r >= 0 && !row)
            r = -ENOMEM;
        if (row) {
            row[0] = (double)up;
            row[1] = (double)ns;
        }
    }
    if (r >= 0)
        r = hw_table_emit(&t, e);
    hw_table_free(&t);
    free(masters);
    return r < 0 ? r : 0;
}

const node_collector node_collector_bonding = {
    .name = "bonding",
    .enabled_by_default = true,
    .collect = collect,
};
