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

#endif
