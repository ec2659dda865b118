/* omx-node (hardware collectors): optional sysfs attributes and attribute tables. */
#include "sysfs_attr.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exporter/emit.h>

#include "util.h"

static bool absent(int r) {
    /* Attributes a device does not implement are missing, or fail on read. */
    return r == -ENOENT || r == -EINVAL || r == -ENODEV || r == -EOPNOTSUPP || r == -ENXIO ||
           r == -EAGAIN || r == -ENODATA;
}

static int attr_path(char *buf, size_t size, const char *dir, const char *attr) {
    int n = snprintf(buf, size, "%s/%s", dir, attr);
    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int hw_fail(const char *collector, const char *path, int err) {
    /* malformed content is an error (node_exporter logs its failed collectors);
     * an absent or unreadable file is the host's hardware, logged at debug */
    if (err == -EINVAL)
        omx_bad_input(collector, path, 0, omx_strerror(-EINVAL));
    else
        omx_log(OMX_LOG_DEBUG, "cannot read file", "collector", collector, "file", path, "err",
                omx_strerror(err < 0 ? err : -err), NULL);
    return err < 0 ? err : -err;
}

int hw_bad_value(const char *collector, const char *dir, const char *attr, const char *value) {
    char path[NODE_PATH_MAX], what[160];
    if (attr_path(path, sizeof path, dir, attr) < 0)
        snprintf(path, sizeof path, "%s", dir);
    snprintf(what, sizeof what, "unexpected value '%.120s'", value);
    omx_bad_input(collector, path, 0, what);
    return -EINVAL;
}

int hw_attr_result(int r, const char *dir, const char *attr, char *buf) {
    if (absent(r))
        return 1;
    if (r < 0) {
        char path[NODE_PATH_MAX];
        if (attr_path(path, sizeof path, dir, attr) < 0)
            return r;
        return hw_fail("sysfs", path, r);
    }
    char *s = buf;
    while (*s == ' ' || *s == '\t')
        s++;
    if (s != buf)
        memmove(buf, s, strlen(s) + 1);
    return 0;
}

int hw_attr_str_at(int dfd, const char *dir, const char *attr, char *buf, size_t size) {
    if (dfd != AT_FDCWD)
        return hw_attr_result(omx_read_line_at(dfd, attr, buf, size), dir, attr, buf);
    char path[NODE_PATH_MAX];
    int r = attr_path(path, sizeof path, dir, attr);
    if (r < 0)
        return r;
    return hw_attr_result(omx_read_line(path, buf, size), dir, attr, buf);
}

int hw_attr_str(const char *dir, const char *attr, char *buf, size_t size) {
    return hw_attr_str_at(AT_FDCWD, dir, attr, buf, size);
}

int hw_attr_parse_fail(const char *dir, const char *attr, int r) {
    char path[NODE_PATH_MAX];
    if (attr_path(path, sizeof path, dir, attr) < 0)
        return r;
    return hw_fail("sysfs", path, r);
}

int hw_attr_u64_at(int dfd, const char *dir, const char *attr, uint64_t *ret) {
    char buf[128];
    int r = hw_attr_str_at(dfd, dir, attr, buf, sizeof buf);
    if (r != 0)
        return r;
    r = omx_parse_u64(buf, ret);
    return r < 0 ? hw_attr_parse_fail(dir, attr, r) : 0;
}

int hw_attr_u64(const char *dir, const char *attr, uint64_t *ret) {
    return hw_attr_u64_at(AT_FDCWD, dir, attr, ret);
}

int hw_attr_i64(const char *dir, const char *attr, int64_t *ret) {
    char buf[128];
    int r = hw_attr_str(dir, attr, buf, sizeof buf);
    if (r != 0)
        return r;
    r = omx_parse_i64(buf, ret);
    return r < 0 ? hw_attr_parse_fail(dir, attr, r) : 0;
}

int hw_dir_open(int dfd, const char *path) {
    int fd = openat(dfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

bool hw_name_numbered(const char *name, const char *prefix, const char **ret_num) {
    size_t n = strlen(prefix);
    if (strncmp(name, prefix, n) != 0 || !name[n])
        return false;
    for (const char *p = name + n; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    if (ret_num)
        *ret_num = name + n;
    return true;
}

void hw_table_init(hw_table *t, const hw_column *cols, size_t n_cols,
                   const char *const *label_names, size_t n_labels) {
    *t = (hw_table){
        .cols = cols, .n_cols = n_cols, .label_names = label_names, .n_labels = n_labels};
}

double *hw_table_add(hw_table *t, const char *const *label_values) {
    if (t->n_rows == t->cap_rows) {
        size_t cap = t->cap_rows ? t->cap_rows * 2 : 8;
        char **l = realloc(t->labels, cap * (t->n_labels ? t->n_labels : 1) * sizeof *l);
        if (!l)
            return NULL;
        t->labels = l;
        double *v = realloc(t->values, cap * t->n_cols * sizeof *v);
        if (!v)
            return NULL;
        t->values = v;
        t->cap_rows = cap;
    }
    char **l = t->labels + t->n_rows * t->n_labels;
    for (size_t i = 0; i < t->n_labels; i++) {
        l[i] = strdup(label_values[i] ? label_values[i] : "");
        if (!l[i]) {
            while (i-- > 0)
                free(l[i]);
            return NULL;
        }
    }
    double *v = t->values + t->n_rows * t->n_cols;
    for (size_t i = 0; i < t->n_cols; i++)
        v[i] = NAN;
    t->n_rows++;
    return v;
}

int hw_table_emit(hw_table *t, omx_emitter *e) {
    for (size_t c = 0; c < t->n_cols; c++) {
        bool any = false;
        for (size_t r = 0; r < t->n_rows && !any; r++)
            any = !isnan(t->values[r * t->n_cols + c]);
        if (!any)
            continue;
        int err = omx_emit_family(e, &(omx_desc){.name = t->cols[c].name,
                                                 .help = t->cols[c].help,
                                                 .type = t->cols[c].type,
                                                 .label_names = t->label_names,
                                                 .n_labels = t->n_labels});
        if (err < 0)
            return err;
        for (size_t r = 0; r < t->n_rows; r++) {
            double v = t->values[r * t->n_cols + c];
            if (isnan(v))
                continue;
            err = omx_emit_sample(e, (const char *const *)t->labels + r * t->n_labels, v);
            if (err < 0)
                return err;
        }
    }
    return 0;
}

void hw_table_free(hw_table *t) {
    if (!t)
        return;
    for (size_t i = 0; i < t->n_rows * t->n_labels; i++)
        free(t->labels[i]);
    free(t->labels);
    free(t->values);
    t->labels = NULL;
    t->values = NULL;
    t->n_rows = t->cap_rows = 0;
}

void hw_utf8_clean(char *s) {
    const unsigned char *p = (const unsigned char *)s;
    char *out = s;
    while (*p) {
        size_t len = 0;
        if (*p < 0x80)
            len = 1;
        else if ((*p & 0xE0) == 0xC0 && *p >= 0xC2)
            len = 2;
        else if ((*p & 0xF0) == 0xE0)
            len = 3;
        else if ((*p & 0xF8) == 0xF0 && *p <= 0xF4)
            len = 4;
        bool ok = len > 0;
        for (size_t i = 1; ok && i < len; i++)
            ok = (p[i] & 0xC0) == 0x80;
        if (ok && len == 3) {
            unsigned cp = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
            ok = cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF);
        } else if (ok && len == 4) {
            unsigned cp = ((p[0] & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12);
            ok = cp >= 0x10000 && cp <= 0x10FFFF;
        }
        if (!ok) {
            p++;
            continue;
        }
        memmove(out, p, len);
        out += len;
        p += len;
    }
    *out = '\0';
}
