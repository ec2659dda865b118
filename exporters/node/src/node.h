/* omx-node: the collector interface and the paths every collector reads from. */
#ifndef NODE_NODE_H
#define NODE_NODE_H

#include <stdbool.h>
#include <stddef.h>

#include <exporter/app.h>

/* One node_exporter collector. Defined in src/collectors/<name>.c as
 * `const node_collector node_collector_<name>` and listed in
 * src/collectors/meson.build. */
typedef struct node_collector {
    const char *name;        /* as in --collector.<name> and {collector="<name>"} */
    bool enabled_by_default; /* node_exporter 1.5's default on Linux */
    /* Declares the collector's own flags (--collector.<name>.*); may be NULL. */
    int (*declare_flags)(omx_app *app);
    /* Runs once after the flags are parsed, only when enabled; may be NULL.
     * Returns 0 or a negative errno / OMX_E* code after logging what is wrong
     * (start-up fails). */
    int (*setup)(void);
    /* Emits the collector's families at scrape time; userdata is NULL. */
    omx_collect_fn collect;
} node_collector;

/* Every collector (src/collectors.c); NULL-terminated. */
extern const node_collector *const node_collectors[];

/* Roots from --path.procfs, --path.sysfs, --path.rootfs, --path.udev.data. */
typedef struct node_paths {
    const char *procfs;    /* default /proc */
    const char *sysfs;     /* default /sys */
    const char *rootfs;    /* default / */
    const char *udev_data; /* default /run/udev/data */
} node_paths;
extern node_paths node_path_roots;

#endif
