/* omx-node: paths under the --path.* roots, and reading a file there. */
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <exporter/error.h>
#include <exporter/log.h>

node_paths node_path_roots = {
    .procfs = "/proc",
    .sysfs = "/sys",
    .rootfs = "/",
    .udev_data = "/run/udev/data",
};

static int path_under(char *buf, size_t size, const char *root, const char *fmt, va_list ap) {
    size_t n = strlen(root); /* root + '/' copied, not printed: ~60 paths a scrape */
    if (n + 1 >= size)
        return -ENAMETOOLONG;
    memcpy(buf, root, n);
    buf[n++] = '/';
    int m = vsnprintf(buf + n, size - n, fmt, ap);
    if (m < 0 || (size_t)m >= size - n)
        return -ENAMETOOLONG;
    return 0;
}

#define PATH_FN(fn, root)                                             \
    int fn(char *buf, size_t size, const char *fmt, ...) {            \
        va_list ap;                                                   \
        va_start(ap, fmt);                                            \
        int r = path_under(buf, size, node_path_roots.root, fmt, ap); \
        va_end(ap);                                                   \
        return r;                                                     \
    }
PATH_FN(node_proc_path, procfs)
PATH_FN(node_sys_path, sysfs)
PATH_FN(node_root_path, rootfs)

int node_read_proc(const char *collector, const char *rel, size_t max, char *path, size_t size,
                   char **ret_data) {
    *ret_data = NULL;
    const char *file = rel; /* until the path is built */
    int r = node_proc_path(path, size, "%s", rel);
    if (r == 0) {
        file = path;
        r = omx_read_file(path, max, ret_data, NULL);
    }
    if (r < 0)
        omx_log(OMX_LOG_ERROR, "failed to read file", "collector", collector, "file", file, "err",
                r == -EINVAL ? "not a regular file" : omx_strerror(r), NULL);
    return r;
}
