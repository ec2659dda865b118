/* rapl collector: Intel RAPL energy counters from /sys/class/powercap/intel-rapl:*
 * as node_rapl_<zone>_joules_total{index,path} (or one family with a rapl_zone
 * label when --collector.rapl.enable-zone-label is set). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sysfs_attr.h"
#include "util.h"

static bool zone_label;

static int declare_flags(omx_app *app) {
    return omx_app_flag_bool(app, "collector.rapl.enable-zone-label", &zone_label,
                             "Adds a rapl_zone label instead of one metric name per zone.");
}

typedef struct zone {
    char name[64];
    unsigned index;
    char path[NODE_PATH_MAX];
    double joules;
} zone;

/* Zone names are short identifiers ("package", "core", "dram", "psys"); keep
 * metric-name characters only, like Go's SanitizeMetricName. */
static void sanitize(char *s) {
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == ':'))
            *s = '_';
}

static int read_zones(zone **ret, size_t *ret_n) {
    char base[NODE_PATH_MAX];
    char **names = NULL;
    int r = node_sys_path(base, sizeof base, "class/powercap");
    if (r < 0)
        return r;
    r = omx_list_dir(base, &names);
    if (r < 0)
        return hw_fail("rapl", base, r);
    size_t n = 0, cap = 0;
    zone *z = NULL;
    for (char **d = names; *d; d++) {
        if (strncmp(*d, "intel-rapl:", 11) != 0)
            continue;
        if (n == cap) {
            zone *nz = realloc(z, (cap = cap ? cap * 2 : 8) * sizeof *z);
            if (!nz) {
                r = -ENOMEM;
                break;
            }
            z = nz;
        }
        zone *c = &z[n];
        if ((r = node_sys_path(c->path, sizeof c->path, "class/powercap/%s", *d)) < 0)
            break;
        uint64_t uj, range;
        r = hw_attr_str(c->path, "name", c->name, sizeof c->name);
        if (r == 0)
            r = hw_attr_u64(c->path, "energy_uj", &uj);
        if (r == 0)
            r = hw_attr_u64(c->path, "max_energy_range_uj", &range);
        if (r == 1)
            r = hw_fail("rapl", c->path, -ENOENT);
        if (r < 0)
            break;
        /* "package-1" is package number 1; other names count their occurrences. */
        char *dash = strrchr(c->name, '-');
        const char *num;
        if (dash && hw_name_numbered(dash + 1, "", &num) && strlen(num) < 6) {
            c->index = (unsigned)atoi(num);
            *dash = '\0';
        } else {
            c->index = 0;
            for (size_t i = 0; i < n; i++)
                if (!strcmp(z[i].name, c->name))
                    c->index++;
        }
        sanitize(c->name);
        c->joules = (double)uj / 1e6;
        n++;
    }
    omx_strv_free(names);
    if (r < 0) {
        free(z);
        return r;
    }
    *ret = z;
    *ret_n = n;
    return 0;
}

static const char *const labels[] = {"index", "path", "rapl_zone"};

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    zone *z = NULL;
    size_t n = 0;
    int r = read_zones(&z, &n);
    if (r < 0)
        return r;
    bool *done = calloc(n ? n : 1, sizeof *done);
    if (!done) {
        free(z);
        return -ENOMEM;
    }
    if (zone_label) {
        r = omx_emit_family(e, &(omx_desc){.name = "node_rapl_joules_total",
                                           .help = "Current RAPL value in joules",
                                           .type = OMX_COUNTER,
                                           .label_names = labels,
                                           .n_labels = 3});
    }
    /* One family per zone name (in first-seen order), all its zones after it. */
    for (size_t i = 0; i < n && r >= 0; i++) {
        if (done[i])
            continue;
        char metric[128], help[128];
        snprintf(metric, sizeof metric, "node_rapl_%s_joules_total", z[i].name);
        snprintf(help, sizeof help, "Current RAPL %s value in joules", z[i].name);
        if (!zone_label)
            r = omx_emit_family(e, &(omx_desc){.name = metric,
                                               .help = help,
                                               .type = OMX_COUNTER,
                                               .label_names = labels,
                                               .n_labels = 2});
        for (size_t j = i; j < n && r >= 0; j++) {
            if (done[j] || strcmp(z[j].name, z[i].name))
                continue;
            done[j] = true;
            char idx[16];
            snprintf(idx, sizeof idx, "%u", z[j].index);
            r = omx_emit_sample(e, (const char *const[]){idx, z[j].path, z[j].name}, z[j].joules);
        }
    }
    free(done);
    free(z);
    return r < 0 ? r : 0;
}

const node_collector node_collector_rapl = {
    .name = "rapl",
    .enabled_by_default = true,
    .declare_flags = declare_flags,
    .collect = collect,
};
