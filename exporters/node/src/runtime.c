/* omx-node: per-collector enable flags, path flags and registration. */
#include "runtime.h"

#include <stdlib.h>
#include <string.h>

#include <stdio.h>

#include "util.h"

#define MAX_COLLECTORS 128

/* Parsed flag values, one slot per entry of node_collectors[]. */
static bool enabled_flag[MAX_COLLECTORS];
static bool disable_defaults;
/* Set by node_runtime_register: the collectors it registered. */
static bool active[MAX_COLLECTORS];
static char flag_names[MAX_COLLECTORS][64];

static size_t n_collectors(void) {
    size_t n = 0;
    while (node_collectors[n])
        n++;
    return n;
}

/* Accepted, left out of --help: the deprecated spellings, as node_exporter 1.5
 * hides its own (the whitelist/blacklist ones it no longer accepts at all), and
 * the flags node_exporter hides (systemd.private). */
static const char *const hidden_flags[] = {
    "collector.diskstats.ignored-devices",   "collector.filesystem.ignored-mount-points",
    "collector.filesystem.ignored-fs-types", "collector.netdev.device-whitelist",
    "collector.netdev.device-blacklist",     "collector.systemd.unit-whitelist",
    "collector.systemd.unit-blacklist",      "collector.systemd.private",
};

static int hide_deprecated(omx_app *app) {
    for (size_t i = 0; i < sizeof hidden_flags / sizeof hidden_flags[0]; i++) {
        int r = omx_app_flag_hide(app, hidden_flags[i]);
        if (r < 0) {
            omx_log(OMX_LOG_ERROR, "deprecated flag not declared", "flag", hidden_flags[i], NULL);
            return r;
        }
    }
    return 0;
}

int node_runtime_declare(omx_app *app) {
    size_t n = n_collectors();
    if (n > MAX_COLLECTORS)
        return OMX_ELIMIT;
    int r;
    if ((r = omx_app_flag_string(app, "path.procfs", &node_path_roots.procfs,
                                 "procfs mountpoint.")) < 0 ||
        (r = omx_app_flag_string(app, "path.sysfs", &node_path_roots.sysfs, "sysfs mountpoint.")) <
            0 ||
        (r = omx_app_flag_string(app, "path.rootfs", &node_path_roots.rootfs,
                                 "rootfs mountpoint.")) < 0 ||
        (r = omx_app_flag_string(app, "path.udev.data", &node_path_roots.udev_data,
                                 "udev data path.")) < 0 ||
        (r = omx_app_flag_bool(app, "collector.disable-defaults", &disable_defaults,
                               "Set all collectors to disabled by default.")) < 0)
        return r;
    for (size_t i = 0; i < n; i++) {
        const node_collector *c = node_collectors[i];
        bool dup = false;
        for (size_t k = 0; k < i && !dup; k++)
            dup = !strcmp(node_collectors[k]->name, c->name);
        if (dup) { /* listed twice: one set of flags (see node_runtime_register) */
            enabled_flag[i] = false;
            continue;
        }
        enabled_flag[i] = c->enabled_by_default;
        snprintf(flag_names[i], sizeof flag_names[i], "collector.%s", c->name);
        char help[128];
        snprintf(help, sizeof help, "Enable the %s collector.", c->name);
        if ((r = omx_app_flag_bool(app, flag_names[i], &enabled_flag[i], help)) < 0)
            return r;
        if (c->declare_flags && (r = c->declare_flags(app)) < 0)
            return r;
    }
    return hide_deprecated(app);
}

static int cmp_by_name(const void *a, const void *b) {
    const node_collector *x = *(const node_collector *const *)a;
    const node_collector *y = *(const node_collector *const *)b;
    return strcmp(x->name, y->name);
}

int node_runtime_register(const omx_app *app, omx_registry *reg, bool with_stats) {
    size_t n = n_collectors();
    const node_collector *sorted[MAX_COLLECTORS];
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        /* --collector.disable-defaults keeps only the explicitly enabled ones */
        bool on = enabled_flag[i] && (!disable_defaults || omx_app_flag_given(app, flag_names[i]));
        active[i] = on;
        if (on)
            sorted[m++] = node_collectors[i];
    }
    qsort(sorted, m, sizeof sorted[0], cmp_by_name);
    /* procfs fds kept between scrapes follow --path.procfs */
    omx_read_keep_procfs(node_path_roots.procfs);
    for (size_t i = 0; i < m; i++) {
        const node_collector *c = sorted[i];
        int r;
        /* a collector listed twice is registered once */
        if (i > 0 && !strcmp(sorted[i - 1]->name, c->name))
            continue;
        if (c->setup && (r = c->setup()) < 0) {
            omx_log(OMX_LOG_ERROR, "collector set-up failed", "collector", c->name, "err",
                    omx_strerror(r), NULL);
            return r;
        }
        if ((r = omx_registry_add_collector(reg, c->name, c->collect, NULL, NULL)) < 0) {
            omx_log(OMX_LOG_ERROR, "cannot register collector", "collector", c->name, "err",
                    omx_strerror(r), NULL);
            return r;
        }
        omx_log(OMX_LOG_INFO, "enabled collector", "collector", c->name, NULL);
    }
    if (with_stats)
        return omx_registry_set_collector_stats(reg, "node");
    return 0;
}

int node_collector_state(const char *name) {
    int state = OMX_ENOENT;
    for (size_t i = 0; name && node_collectors[i]; i++)
        if (!strcmp(node_collectors[i]->name, name) && state != 1)
            state = active[i] ? 1 : 0;
    return state;
}
