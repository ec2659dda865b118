/* omx-node: small helpers to read procfs/sysfs files safely (bounded, no crash on
 * malformed or truncated input). All return 0 or a negative errno. */
#ifndef NODE_UTIL_H
#define NODE_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "node.h"

#define NODE_PATH_MAX 4096

/* Builds "<procfs>/<rel>" (likewise sysfs, rootfs) into buf; returns 0 or -ENAMETOOLONG. */
int node_proc_path(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int node_sys_path(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int node_root_path(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Reads a whole file (at most max bytes; larger is -EFBIG) into a malloc'ed,
 * NUL-terminated buffer the caller frees. *ret_len may be NULL. */
int node_read_file(const char *path, size_t max, char **ret_data, size_t *ret_len);
/* Reads a small file's first line (trailing newline/space stripped) into buf. */
int node_read_line(const char *path, char *buf, size_t size);
/* Same, path relative to the directory fd dfd (AT_FDCWD: like node_read_line). */
int node_read_line_at(int dfd, const char *path, char *buf, size_t size);
/* Same, from offset 0 of an open fd (sysfs regenerates an attribute on every read at
 * offset 0, so one fd can be read again at each scrape). */
int node_pread_line(int fd, char *buf, size_t size);
/* Reads a file holding one number (sysfs attributes); -EINVAL if it is not one. */
int node_read_u64(const char *path, uint64_t *ret);
int node_read_i64(const char *path, int64_t *ret);
int node_read_double(const char *path, double *ret);

/* Strict number parsing of a whole token: -EINVAL on junk or empty, -ERANGE on overflow. */
int node_parse_u64(const char *s, uint64_t *ret);
int node_parse_i64(const char *s, int64_t *ret);
int node_parse_double(const char *s, double *ret);

/* Lists the entries of a directory (no "." or ".."), sorted by name, into a
 * malloc'ed NULL-terminated array of malloc'ed names; free with node_strv_free. */
int node_list_dir(const char *path, char ***ret_names);
char **node_strv_free(char **v);

/* Splits s in place on runs of blanks (space/tab), at most max fields; returns the count. */
size_t node_split_fields(char *s, char **fields, size_t max);
/* Joins n strings (NULL ones skipped) into buf without printf: the metric names
 * and HELP texts collectors build for each line. Returns the length, or 0 (buf
 * "") when the result does not fit. */
size_t node_join(char *buf, size_t size, const char *const *parts, size_t n);

#endif
