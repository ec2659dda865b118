/* omx-node: paths under the --path.* roots. The bounded readers and strict
 * parsers collectors use come from libexporter (exporter/file.h, exporter/text.h). */
#ifndef NODE_UTIL_H
#define NODE_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <exporter/file.h>
#include <exporter/text.h>

#include "node.h"

#define NODE_PATH_MAX 4096

/* Builds "<procfs>/<rel>" (likewise sysfs, rootfs) into buf; returns 0 or -ENAMETOOLONG. */
int node_proc_path(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int node_sys_path(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int node_root_path(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reads "<procfs>/<rel>" (at most max bytes) into *ret_data (NUL-terminated,
 * the caller frees) with its path in path (size bytes). A file that cannot be
 * read (missing, too large, not a regular file) is logged at error level for
 * collector, which then reports success 0. Returns 0 or a negative errno. */
int node_read_proc(const char *collector, const char *rel, size_t max, char *path, size_t size,
                   char **ret_data);

#endif
