/* omx-node (hardware collectors): reading optional sysfs attributes and emitting
 * "one family per attribute, one series per device" tables. */
#ifndef NODE_SYSFS_ATTR_H
#define NODE_SYSFS_ATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node.h"

/* Reads <dir>/<attr> as a number. Returns 0 (value in *ret), 1 when the file does
 * not exist (or cannot be read because the device does not support it: ENODEV,
 * EINVAL, EOPNOTSUPP, ENXIO, EAGAIN, ENODATA on read), or a negative errno after
 * a log naming the file (malformed content: -EINVAL, logged as an error; the
 * rest at debug level). */
int hw_attr_u64(const char *dir, const char *attr, uint64_t *ret);
int hw_attr_i64(const char *dir, const char *attr, int64_t *ret);
/* Same, for a string attribute: first line, leading/trailing blanks trimmed. */
int hw_attr_str(const char *dir, const char *attr, char *buf, size_t size);

/* The same reads relative to dfd, an fd open on dir (from hw_dir_open); dir only
 * names the file in logs. dfd AT_FDCWD reads <dir>/<attr>. One path walk per
 * directory instead of one per attribute. */
int hw_attr_str_at(int dfd, const char *dir, const char *attr, char *buf, size_t size);
int hw_attr_u64_at(int dfd, const char *dir, const char *attr, uint64_t *ret);
/* Opens directory path (relative to dfd, or AT_FDCWD); returns an fd the caller
 * closes, or a negative errno (-ENOENT missing, -ENOTDIR not a directory). */
int hw_dir_open(int dfd, const char *path);
/* Turns a raw line read's result r (0 or a negative errno, text in buf) into
 * hw_attr_str's: 0 with leading blanks trimmed, 1 absent, or a logged error. */
int hw_attr_result(int r, const char *dir, const char *attr, char *buf);
/* Logs that <dir>/<attr> held a malformed value; returns r. */
int hw_attr_parse_fail(const char *dir, const char *attr, int r);

/* Logs that collector could not use path and returns err (negative): at error
 * level for -EINVAL (malformed content), at debug for the rest (absent, ...). */
int hw_fail(const char *collector, const char *path, int err);
/* Logs at error level that <dir>/<attr> held value, which collector cannot
 * parse; returns -EINVAL. */
int hw_bad_value(const char *collector, const char *dir, const char *attr, const char *value);

/* True if name is "<prefix><digits>" (e.g. "cpu12" for prefix "cpu"); *ret_num
 * may be NULL and points at the digits. */
bool hw_name_numbered(const char *name, const char *prefix, const char **ret_num);

/* A table: one family per column, one series per row. */
typedef struct hw_column {
    const char *name; /* metric name */
    const char *help;
    omx_type type;
} hw_column;

typedef struct hw_table {
    const hw_column *cols;
    size_t n_cols;
    const char *const *label_names;
    size_t n_labels;
    size_t n_rows, cap_rows;
    char **labels;  /* n_rows * n_labels strings (owned) */
    double *values; /* n_rows * n_cols, NAN = absent */
} hw_table;

void hw_table_init(hw_table *t, const hw_column *cols, size_t n_cols,
                   const char *const *label_names, size_t n_labels);
/* Appends a row with copies of label_values, every value absent; returns the
 * row's values array (n_cols doubles, owned by t) or NULL when out of memory. */
double *hw_table_add(hw_table *t, const char *const *label_values);
/* Emits every column that has at least one value, rows in insertion order.
 * Returns 0 or the first emitter error. */
int hw_table_emit(hw_table *t, omx_emitter *e);
void hw_table_free(hw_table *t);

/* Replaces, in place, bytes that are not valid UTF-8 (Go's strings.ToValidUTF8(s, "")
 * drops them) so label values are always valid. */
void hw_utf8_clean(char *s);

#endif
